package bufpool

import (
	"errors"
	"io"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// DoublewriteSlots is how many pages one doublewrite batch holds.
const DoublewriteSlots = 64

// Doublewrite is the doublewrite file: each flush batch is written and synced
// here before its pages are written in place.
type Doublewrite struct {
	file     vfs.File
	pageSize int
	buf      []byte
}

// NewDoublewrite uses f (opened read-write) as the doublewrite area.
func NewDoublewrite(f vfs.File, pageSize int) *Doublewrite {
	return &Doublewrite{file: f, pageSize: pageSize, buf: make([]byte, DoublewriteSlots*pageSize)}
}

// Slots is the batch size.
func (d *Doublewrite) Slots() int { return DoublewriteSlots }

func (d *Doublewrite) buffer() []byte { return d.buf }

func (d *Doublewrite) write(b []byte) error {
	if _, err := d.file.WriteAt(b, 0); err != nil {
		return err
	}
	return d.file.Sync()
}

// Close closes the file.
func (d *Doublewrite) Close() error { return d.file.Close() }

// RestoreTorn repairs, from the doublewrite file, every page of the accepted
// spaces whose in-place copy fails its checksum. It returns how many it fixed.
func (d *Doublewrite) RestoreTorn(files Files, accept func(space uint32) bool) (int, error) {
	all := make([]byte, DoublewriteSlots*d.pageSize)
	n, err := d.file.ReadAt(all, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	all = all[:n-n%d.pageSize]
	best := map[PageID][]byte{}
	for off := 0; off < len(all); off += d.pageSize {
		pg := all[off : off+d.pageSize]
		if page.PageType(pg) == page.TypeFree && page.LSN(pg) == 0 {
			continue
		}
		if !page.Verify(pg) {
			continue
		}
		id := ID(page.Space(pg), page.PageNo(pg))
		if b, ok := best[id]; !ok || page.LSN(b) < page.LSN(pg) {
			best[id] = pg
		}
	}
	fixed := 0
	cur := make([]byte, d.pageSize)
	for id, pg := range best {
		if !accept(id.Space()) {
			continue
		}
		if err := files.ReadPage(id.Space(), id.Page(), cur); err != nil {
			return fixed, err
		}
		if page.Verify(cur) {
			continue
		}
		if err := files.WritePage(id.Space(), id.Page(), pg); err != nil {
			return fixed, err
		}
		if err := files.Sync(id.Space()); err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}
