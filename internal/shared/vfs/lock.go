package vfs

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// ErrLocked is returned by Lock when another owner holds the lock.
var ErrLocked = errors.New("vfs: file is locked by another process")

// Lock takes an exclusive advisory lock on the file name (created if
// missing), so that two processes — or two engines in one process — cannot
// use the same data directory at once. The returned function releases it.
// Operating-system files use flock; the in-memory file system keeps its locks
// itself; other file systems are not locked.
func Lock(fs FS, name string) (release func() error, err error) {
	switch fs := fs.(type) {
	case osFS:
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		if err := flock(f); err != nil {
			f.Close()
			return nil, err
		}
		return f.Close, nil
	case *MemFS:
		name = filepath.Clean(name)
		fs.locksMu.Lock()
		defer fs.locksMu.Unlock()
		if fs.locks[name] {
			return nil, ErrLocked
		}
		if fs.locks == nil {
			fs.locks = map[string]bool{}
		}
		fs.locks[name] = true
		var once sync.Once
		return func() error {
			once.Do(func() {
				fs.locksMu.Lock()
				delete(fs.locks, name)
				fs.locksMu.Unlock()
			})
			return nil
		}, nil
	case ErrorFS:
		return Lock(fs.FS, name)
	}
	return func() error { return nil }, nil
}
