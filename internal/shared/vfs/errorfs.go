package vfs

import "os"

// Op names an operation ErrorFS can fail.
type Op string

// The operations an Injector is asked about.
const (
	OpOpen    Op = "open"
	OpRead    Op = "read"
	OpWrite   Op = "write"
	OpSync    Op = "sync"
	OpSyncDir Op = "syncdir"
	OpRemove  Op = "remove"
	OpRename  Op = "rename"
	OpMkdir   Op = "mkdir"
	OpTrunc   Op = "truncate"
)

// Injector decides whether an operation on path fails; nil means it proceeds.
type Injector func(op Op, path string) error

// ErrorFS wraps an FS and fails the operations its Injector picks.
type ErrorFS struct {
	FS     FS
	Inject Injector
}

func (e ErrorFS) check(op Op, path string) error {
	if e.Inject == nil {
		return nil
	}
	return e.Inject(op, path)
}

// OpenFile opens a file whose operations are also subject to injection.
func (e ErrorFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	if err := e.check(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := e.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return errFile{File: f, fs: e, name: name}, nil
}

// Remove removes name unless the injector fails it.
func (e ErrorFS) Remove(name string) error {
	if err := e.check(OpRemove, name); err != nil {
		return err
	}
	return e.FS.Remove(name)
}

// RemoveAll removes name and its children unless the injector fails it.
func (e ErrorFS) RemoveAll(name string) error {
	if err := e.check(OpRemove, name); err != nil {
		return err
	}
	return e.FS.RemoveAll(name)
}

// Rename renames unless the injector fails it.
func (e ErrorFS) Rename(o, n string) error {
	if err := e.check(OpRename, o); err != nil {
		return err
	}
	return e.FS.Rename(o, n)
}

// MkdirAll creates directories unless the injector fails it.
func (e ErrorFS) MkdirAll(name string, perm os.FileMode) error {
	if err := e.check(OpMkdir, name); err != nil {
		return err
	}
	return e.FS.MkdirAll(name, perm)
}

// ReadDir lists a directory.
func (e ErrorFS) ReadDir(name string) ([]os.DirEntry, error) {
	if err := e.check(OpRead, name); err != nil {
		return nil, err
	}
	return e.FS.ReadDir(name)
}

// Stat describes a file.
func (e ErrorFS) Stat(name string) (os.FileInfo, error) { return e.FS.Stat(name) }

// SyncDir syncs a directory unless the injector fails it.
func (e ErrorFS) SyncDir(name string) error {
	if err := e.check(OpSyncDir, name); err != nil {
		return err
	}
	return e.FS.SyncDir(name)
}

type errFile struct {
	File
	fs   ErrorFS
	name string
}

func (f errFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f errFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f errFile) Write(p []byte) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f errFile) Sync() error {
	if err := f.fs.check(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f errFile) Truncate(size int64) error {
	if err := f.fs.check(OpTrunc, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}
