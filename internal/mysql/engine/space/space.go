package space

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/mtr"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// Layout of the header page (page 0).
const (
	Magic       = 0x54444942 // "TDIB"
	OffMagic    = page.HeaderSize
	OffPageSize = OffMagic + 4
	OffNumPages = OffMagic + 8  // u32 pages in use (the next new page number)
	OffFreeHead = OffMagic + 12 // u32 first free page (0: none)
	OffSpaceID  = OffMagic + 16 // u32
	OffFlags    = OffMagic + 20 // u32
	// System tablespace only.
	OffNextTxnID   = OffMagic + 32 // u64
	OffNextTableID = OffMagic + 40 // u64
	OffNextSpaceID = OffMagic + 48 // u32
	OffDictRoot    = OffMagic + 52 // u32
	OffTrxSysPage  = OffMagic + 56 // u32
)

// SystemSpace is the ID of ibdata1.
const SystemSpace = 0

// ErrNotTablespace means a file is not one of ours or has another page size.
var ErrNotTablespace = errors.New("space: not a tablespace of this page size")

// Create writes a new tablespace file with a header page and nRoots empty
// B+tree leaf pages (pages 1..nRoots), syncs it and its directory.
func Create(fs vfs.FS, path string, spaceID uint32, pageSize, nRoots int) error {
	if err := fs.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := fs.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, pageSize*(1+nRoots))
	h := buf[:pageSize]
	page.Init(h, spaceID, 0, page.TypeSpace, 0)
	put32(h, OffMagic, Magic)
	put32(h, OffPageSize, uint32(pageSize))
	put32(h, OffNumPages, uint32(1+nRoots))
	put32(h, OffSpaceID, spaceID)
	page.SetChecksum(h)
	for i := 1; i <= nRoots; i++ {
		p := buf[i*pageSize : (i+1)*pageSize]
		page.Init(p, spaceID, uint32(i), page.TypeLeaf, 0)
		page.SetChecksum(p)
	}
	if _, err := f.WriteAt(buf, 0); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return fs.SyncDir(filepath.Dir(path))
}

// ReadHeader reads page 0 of a tablespace file and returns its space ID and page size.
func ReadHeader(fs vfs.FS, path string) (spaceID uint32, pageSize int, err error) {
	f, err := fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := make([]byte, page.HeaderSize+64)
	if _, err := f.ReadAt(h, 0); err != nil {
		return 0, 0, fmt.Errorf("%w: %s: %v", ErrNotTablespace, path, err)
	}
	if binary.BigEndian.Uint32(h[OffMagic:]) != Magic {
		return 0, 0, fmt.Errorf("%w: %s", ErrNotTablespace, path)
	}
	return binary.BigEndian.Uint32(h[OffSpaceID:]), int(binary.BigEndian.Uint32(h[OffPageSize:])), nil
}

func put32(p []byte, off int, v uint32) { binary.BigEndian.PutUint32(p[off:], v) }

// U32 and U64 read header fields.
func U32(p []byte, off int) uint32 { return binary.BigEndian.Uint32(p[off:]) }
func U64(p []byte, off int) uint64 { return binary.BigEndian.Uint64(p[off:]) }

// Write32 and Write64 change header fields inside a mini-transaction.
func Write32(m *mtr.Mtr, f *bufpool.Frame, off int, v uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	m.Write(f, off, b[:])
}

func Write64(m *mtr.Mtr, f *bufpool.Frame, off int, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	m.Write(f, off, b[:])
}

// Alloc takes a page of the tablespace (from the free list, else a new one)
// and returns it latched and formatted as an empty page of type t.
func Alloc(m *mtr.Mtr, spaceID uint32, t page.Type, level int) (*bufpool.Frame, error) {
	h, err := m.Get(spaceID, 0, true)
	if err != nil {
		return nil, err
	}
	pg := U32(h.Data, OffFreeHead)
	if pg != 0 {
		f, err := m.Get(spaceID, pg, true)
		if err != nil {
			return nil, err
		}
		if page.PageType(f.Data) != page.TypeFree {
			return nil, fmt.Errorf("space %d: free list page %d has type %v", spaceID, pg, page.PageType(f.Data))
		}
		Write32(m, h, OffFreeHead, page.Next(f.Data))
	} else {
		pg = U32(h.Data, OffNumPages)
		Write32(m, h, OffNumPages, pg+1)
	}
	return m.New(spaceID, pg, t, level)
}

// Free returns a page (latched exclusively by m) to the free list.
func Free(m *mtr.Mtr, f *bufpool.Frame) error {
	id := f.ID()
	h, err := m.Get(id.Space(), 0, true)
	if err != nil {
		return err
	}
	if _, err := m.New(id.Space(), id.Page(), page.TypeFree, 0); err != nil {
		return err
	}
	Write32(m, f, page.OffNext, U32(h.Data, OffFreeHead))
	Write32(m, h, OffFreeHead, id.Page())
	return nil
}

// Registry maps open tablespaces to their files; it is the buffer pool's Files.
type Registry struct {
	fs       vfs.FS
	pageSize int
	mu       struct {
		sync.RWMutex
		files map[uint32]*spaceFile
	}
}

type spaceFile struct {
	path string
	f    vfs.File
}

// NewRegistry makes an empty registry.
func NewRegistry(fs vfs.FS, pageSize int) *Registry {
	r := &Registry{fs: fs, pageSize: pageSize}
	r.mu.files = map[uint32]*spaceFile{}
	return r
}

// Add opens path as tablespace id.
func (r *Registry) Add(id uint32, path string) error {
	f, err := r.fs.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.mu.files[id]; ok {
		old.f.Close()
	}
	r.mu.files[id] = &spaceFile{path: path, f: f}
	return nil
}

// Remove closes tablespace id (the caller deletes the file).
func (r *Registry) Remove(id uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sf, ok := r.mu.files[id]; ok {
		sf.f.Close()
		delete(r.mu.files, id)
	}
}

// Has reports whether tablespace id is open.
func (r *Registry) Has(id uint32) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.mu.files[id]
	return ok
}

// Path is the file of tablespace id.
func (r *Registry) Path(id uint32) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if sf, ok := r.mu.files[id]; ok {
		return sf.path
	}
	return ""
}

func (r *Registry) file(id uint32) (vfs.File, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	sf, ok := r.mu.files[id]
	if !ok {
		return nil, fmt.Errorf("space: tablespace %d is not open", id)
	}
	return sf.f, nil
}

// ReadPage implements bufpool.Files.
func (r *Registry) ReadPage(id, pageNo uint32, buf []byte) error {
	f, err := r.file(id)
	if err != nil {
		return err
	}
	n, err := f.ReadAt(buf, int64(pageNo)*int64(r.pageSize))
	if errors.Is(err, io.EOF) {
		clear(buf[n:])
		return nil
	}
	return err
}

// WritePage implements bufpool.Files.
func (r *Registry) WritePage(id, pageNo uint32, buf []byte) error {
	f, err := r.file(id)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(buf, int64(pageNo)*int64(r.pageSize))
	return err
}

// Sync implements bufpool.Files.
func (r *Registry) Sync(id uint32) error {
	f, err := r.file(id)
	if err != nil {
		return err
	}
	return f.Sync()
}

// Close closes every file.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, sf := range r.mu.files {
		sf.f.Close()
		delete(r.mu.files, id)
	}
}
