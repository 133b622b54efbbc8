//go:build linux

package vfs

import (
	"errors"
	"os"
	"syscall"
)

// DataSync makes f's data durable like Sync, but skips metadata that does not
// affect reading the data back (mtime): fdatasync for operating-system files.
// Files that cannot (in-memory, error-injecting) fall back to Sync.
func DataSync(f File) error {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		for {
			err := syscall.Fdatasync(int(fd.Fd()))
			if err != syscall.EINTR {
				return err
			}
		}
	}
	return f.Sync()
}

// flock takes a non-blocking exclusive flock on f.
func flock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
