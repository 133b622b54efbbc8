package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// MemFS is an in-memory file system that models what survives a power loss:
// file contents written since the file's last Sync, and directory entries
// created, renamed or removed since the directory's last SyncDir, are lost by
// Crash. Directories themselves are always durable (MkdirAll is not modelled
// as a risky operation). It is safe for concurrent use.
type MemFS struct {
	// locks are the names held by Lock (not part of the crash state).
	locksMu sync.Mutex
	locks   map[string]bool
	mu      struct {
		sync.Mutex
		// live is the namespace the running program sees.
		live map[string]*memInode
		// durable is the namespace as of each directory's last SyncDir.
		durable map[string]*memInode
		dirs    map[string]bool
		// syncHook runs before every Sync and SyncDir (without mu held).
		syncHook func()
	}
}

type memInode struct {
	mu      sync.Mutex
	data    []byte
	durable []byte // contents as of the last Sync
}

// NewMem returns an empty in-memory file system.
func NewMem() *MemFS {
	m := &MemFS{}
	m.mu.live = map[string]*memInode{}
	m.mu.durable = map[string]*memInode{}
	m.mu.dirs = map[string]bool{"/": true, ".": true}
	return m
}

// SetSyncHook installs f to run before every Sync and SyncDir; tests use it to
// take a crash image at every sync point.
func (m *MemFS) SetSyncHook(f func()) {
	m.mu.Lock()
	m.mu.syncHook = f
	m.mu.Unlock()
}

// Crash returns a new file system holding only what was durable in m: the
// synced contents of the files whose directory entries were synced. m itself
// is left unchanged, so a test can keep running and crash again later.
func (m *MemFS) Crash() *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := NewMem()
	for name, ino := range m.mu.durable {
		ino.mu.Lock()
		c := &memInode{data: append([]byte(nil), ino.durable...)}
		ino.mu.Unlock()
		c.durable = append([]byte(nil), c.data...)
		n.mu.live[name] = c
		n.mu.durable[name] = c
	}
	for d := range m.mu.dirs {
		n.mu.dirs[d] = true
	}
	return n
}

func clean(name string) string { return filepath.Clean(name) }

func (m *MemFS) hook() {
	m.mu.Lock()
	h := m.mu.syncHook
	m.mu.Unlock()
	if h != nil {
		h()
	}
}

// OpenFile opens or creates a file.
func (m *MemFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.mu.live[name]
	if !ok {
		if flag&os.O_CREATE == 0 {
			return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		if !m.mu.dirs[filepath.Dir(name)] {
			return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		ino = &memInode{}
		m.mu.live[name] = ino
	} else if flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0 {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	}
	if flag&os.O_TRUNC != 0 {
		ino.mu.Lock()
		ino.data = ino.data[:0]
		ino.mu.Unlock()
	}
	return &memFile{fs: m, ino: ino, name: name, append: flag&os.O_APPEND != 0}, nil
}

// Remove removes a file or an empty directory.
func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.mu.live[name]; ok {
		delete(m.mu.live, name)
		return nil
	}
	if m.mu.dirs[name] {
		for p := range m.mu.live {
			if strings.HasPrefix(p, name+string(filepath.Separator)) {
				return &os.PathError{Op: "remove", Path: name, Err: errors.New("directory not empty")}
			}
		}
		delete(m.mu.dirs, name)
		return nil
	}
	return &os.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
}

// RemoveAll removes name and everything under it.
func (m *MemFS) RemoveAll(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	pre := name + string(filepath.Separator)
	for p := range m.mu.live {
		if p == name || strings.HasPrefix(p, pre) {
			delete(m.mu.live, p)
		}
	}
	for d := range m.mu.dirs {
		if d == name || strings.HasPrefix(d, pre) {
			delete(m.mu.dirs, d)
		}
	}
	return nil
}

// Rename renames a file.
func (m *MemFS) Rename(oldName, newName string) error {
	oldName, newName = clean(oldName), clean(newName)
	m.mu.Lock()
	defer m.mu.Unlock()
	ino, ok := m.mu.live[oldName]
	if !ok {
		return &os.LinkError{Op: "rename", Old: oldName, New: newName, Err: fs.ErrNotExist}
	}
	delete(m.mu.live, oldName)
	m.mu.live[newName] = ino
	return nil
}

// MkdirAll creates a directory and its parents.
func (m *MemFS) MkdirAll(name string, perm os.FileMode) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := name; ; d = filepath.Dir(d) {
		m.mu.dirs[d] = true
		if d == filepath.Dir(d) {
			break
		}
	}
	return nil
}

// ReadDir lists a directory's files and subdirectories, sorted by name.
func (m *MemFS) ReadDir(name string) ([]os.DirEntry, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.mu.dirs[name] {
		return nil, &os.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	seen := map[string]os.DirEntry{}
	for p, ino := range m.mu.live {
		if filepath.Dir(p) == name {
			ino.mu.Lock()
			seen[p] = memInfo{name: filepath.Base(p), size: int64(len(ino.data))}
			ino.mu.Unlock()
		}
	}
	for d := range m.mu.dirs {
		if d != name && filepath.Dir(d) == name {
			seen[d] = memInfo{name: filepath.Base(d), dir: true}
		}
	}
	out := make([]os.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Stat describes a file or directory.
func (m *MemFS) Stat(name string) (os.FileInfo, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if ino, ok := m.mu.live[name]; ok {
		ino.mu.Lock()
		defer ino.mu.Unlock()
		return memInfo{name: filepath.Base(name), size: int64(len(ino.data))}, nil
	}
	if m.mu.dirs[name] {
		return memInfo{name: filepath.Base(name), dir: true}, nil
	}
	return nil, &os.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// SyncDir makes the entries of directory name durable.
func (m *MemFS) SyncDir(name string) error {
	m.hook()
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.mu.durable {
		if filepath.Dir(p) == name {
			if _, ok := m.mu.live[p]; !ok {
				delete(m.mu.durable, p)
			}
		}
	}
	for p, ino := range m.mu.live {
		if filepath.Dir(p) == name {
			m.mu.durable[p] = ino
		}
	}
	return nil
}

type memFile struct {
	fs     *MemFS
	ino    *memInode
	name   string
	append bool
	off    int64
	closed bool
}

var errClosed = errors.New("vfs: file already closed")

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, errClosed
	}
	f.ino.mu.Lock()
	defer f.ino.mu.Unlock()
	if off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	if f.closed {
		return 0, errClosed
	}
	f.ino.mu.Lock()
	defer f.ino.mu.Unlock()
	end := off + int64(len(p))
	if end > int64(len(f.ino.data)) {
		if end > int64(cap(f.ino.data)) {
			nd := make([]byte, end, end*5/4+4096)
			copy(nd, f.ino.data)
			f.ino.data = nd
		} else {
			old := len(f.ino.data)
			f.ino.data = f.ino.data[:end]
			clear(f.ino.data[old:end])
		}
	}
	copy(f.ino.data[off:], p)
	return len(p), nil
}

func (f *memFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	return n, err
}

func (f *memFile) Write(p []byte) (int, error) {
	if f.append {
		f.ino.mu.Lock()
		f.off = int64(len(f.ino.data))
		f.ino.mu.Unlock()
	}
	n, err := f.WriteAt(p, f.off)
	f.off += int64(n)
	return n, err
}

func (f *memFile) Close() error {
	if f.closed {
		return errClosed
	}
	f.closed = true
	return nil
}

func (f *memFile) Sync() error {
	if f.closed {
		return errClosed
	}
	f.fs.hook()
	f.ino.mu.Lock()
	f.ino.durable = append(f.ino.durable[:0], f.ino.data...)
	f.ino.mu.Unlock()
	return nil
}

func (f *memFile) Truncate(size int64) error {
	if f.closed {
		return errClosed
	}
	f.ino.mu.Lock()
	defer f.ino.mu.Unlock()
	if size <= int64(len(f.ino.data)) {
		f.ino.data = f.ino.data[:size]
	} else {
		f.ino.data = append(f.ino.data, make([]byte, size-int64(len(f.ino.data)))...)
	}
	return nil
}

func (f *memFile) Stat() (os.FileInfo, error) {
	f.ino.mu.Lock()
	defer f.ino.mu.Unlock()
	return memInfo{name: filepath.Base(f.name), size: int64(len(f.ino.data))}, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() os.FileMode {
	if i.dir {
		return os.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time         { return time.Time{} }
func (i memInfo) IsDir() bool                { return i.dir }
func (i memInfo) Sys() any                   { return nil }
func (i memInfo) Type() os.FileMode          { return i.Mode().Type() }
func (i memInfo) Info() (os.FileInfo, error) { return i, nil }

// CrashTorn is Crash for a disk that may have persisted any part of the
// writes that were not synced: for every chunk-sized block where a file's
// contents differ from its synced state, pick(3) chooses the synced bytes (0),
// the written bytes (1), or a torn block whose first half is written and the
// rest synced (2). pick is typically a seeded random source's IntN.
func (m *MemFS) CrashTorn(chunk int, pick func(n int) int) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := NewMem()
	for name, ino := range m.mu.durable {
		ino.mu.Lock()
		cur, old := ino.data, ino.durable
		size := max(len(cur), len(old))
		out := make([]byte, size)
		copy(out, old)
		for off := 0; off < size; off += chunk {
			end := min(off+chunk, size)
			var a, b []byte
			if off < len(old) {
				a = old[off:min(end, len(old))]
			}
			if off < len(cur) {
				b = cur[off:min(end, len(cur))]
			}
			if string(a) == string(b) {
				continue
			}
			switch pick(3) {
			case 1:
				clear(out[off:end])
				copy(out[off:end], b)
			case 2:
				half := min(off+chunk/2, end)
				clear(out[off:half])
				if off < len(cur) {
					copy(out[off:half], cur[off:min(half, len(cur))])
				}
			}
		}
		if len(cur) < len(old) && pick(2) == 0 {
			out = out[:len(cur)]
		}
		ino.mu.Unlock()
		c := &memInode{data: out, durable: append([]byte(nil), out...)}
		n.mu.live[name] = c
		n.mu.durable[name] = c
	}
	for d := range m.mu.dirs {
		n.mu.dirs[d] = true
	}
	return n
}
