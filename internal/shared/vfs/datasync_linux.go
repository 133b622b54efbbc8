//go:build linux

package vfs

import "syscall"

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
