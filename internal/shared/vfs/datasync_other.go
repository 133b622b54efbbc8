//go:build !linux

package vfs

import "os"

// DataSync makes f's data durable (Sync where fdatasync is not available).
func DataSync(f File) error { return f.Sync() }

// flock is not available here: the lock is not taken.
func flock(*os.File) error { return nil }
