package main

import "errors"

func inspect(args []string) error {
	return errors.New("tandem: inspect: nothing to inspect yet")
}
