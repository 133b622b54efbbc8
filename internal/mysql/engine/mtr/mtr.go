package mtr

import (
	"fmt"
	"sync"

	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/redo"
	"github.com/tandem-db/tandem/internal/shared/invariants"
)

// Env is what mini-transactions run against.
type Env struct {
	Pool *bufpool.Pool
	Log  *redo.Log
	// KeyOrder, when set, checks a B+tree page's key order (invariants builds).
	KeyOrder func(p []byte) error
	mtrs     sync.Pool
}

type held struct {
	f         *bufpool.Frame
	exclusive bool
	changed   bool
}

// Mtr is one mini-transaction. It is used by one goroutine.
type Mtr struct {
	env  *Env
	buf  []byte
	held []held
}

// Begin starts a mini-transaction.
func (e *Env) Begin() *Mtr {
	if m, ok := e.mtrs.Get().(*Mtr); ok {
		return m
	}
	return &Mtr{env: e}
}

func (m *Mtr) find(f *bufpool.Frame) int {
	for i := range m.held {
		if m.held[i].f == f {
			return i
		}
	}
	return -1
}

// Get fixes and latches a page (exclusively when it will be changed). A page
// already held is returned again; asking for exclusive access to a page held
// shared is a bug.
func (m *Mtr) Get(space, pageNo uint32, exclusive bool) (*bufpool.Frame, error) {
	id := bufpool.ID(space, pageNo)
	for i := range m.held {
		if m.held[i].f.ID() == id {
			if exclusive && !m.held[i].exclusive {
				panic(fmt.Sprintf("mtr: page %d:%d held shared, wanted exclusive", space, pageNo))
			}
			return m.held[i].f, nil
		}
	}
	f, err := m.env.Pool.Fix(space, pageNo)
	if err != nil {
		return nil, err
	}
	if exclusive {
		f.Latch.Lock()
	} else {
		f.Latch.RLock()
	}
	m.held = append(m.held, held{f: f, exclusive: exclusive})
	return f, nil
}

// New fixes and latches a page just allocated, without reading it, and
// formats it as an empty page of type t.
func (m *Mtr) New(space, pageNo uint32, t page.Type, level int) (*bufpool.Frame, error) {
	var f *bufpool.Frame
	for i := range m.held {
		if m.held[i].f.ID() == bufpool.ID(space, pageNo) && m.held[i].exclusive {
			f = m.held[i].f
		}
	}
	if f == nil {
		var err error
		if f, err = m.env.Pool.FixNew(space, pageNo); err != nil {
			return nil, err
		}
		f.Latch.Lock()
		m.held = append(m.held, held{f: f, exclusive: true})
	}
	var body [10]byte
	m.op(f, page.OpInit, page.AppendInit(body[:0], t, level, space, pageNo))
	return f, nil
}

// Release unlatches and unpins one page early (only a page this mtr did not change).
func (m *Mtr) Release(f *bufpool.Frame) {
	i := m.find(f)
	if i < 0 || m.held[i].changed {
		panic("mtr: early release of a changed or unknown page")
	}
	h := m.held[i]
	m.held = append(m.held[:i], m.held[i+1:]...)
	if h.exclusive {
		f.Latch.Unlock()
	} else {
		f.Latch.RUnlock()
	}
	m.env.Pool.Unfix(f)
}

func (m *Mtr) op(f *bufpool.Frame, kind page.OpKind, body []byte) error {
	i := m.find(f)
	if i < 0 || !m.held[i].exclusive {
		panic("mtr: change to a page not latched exclusively")
	}
	id := f.ID()
	pos := len(m.buf)
	m.buf = redo.AppendRecordHeader(m.buf, id.Space(), id.Page(), kind)
	m.buf = append(m.buf, body...)
	redo.FinishRecord(m.buf, pos)
	if err := page.Apply(f.Data, kind, m.buf[pos+redo.RecordHeaderSize:]); err != nil {
		m.buf = m.buf[:pos]
		return err
	}
	m.held[i].changed = true
	return nil
}

// Insert puts rec at slot i of a slotted page (page.ErrFull if it does not fit).
func (m *Mtr) Insert(f *bufpool.Frame, i int, rec []byte) error {
	pos := len(m.buf)
	m.buf = redo.AppendRecordHeader(m.buf, f.ID().Space(), f.ID().Page(), page.OpInsert)
	m.buf = page.AppendSlot(m.buf, i, rec)
	body := m.buf[pos+redo.RecordHeaderSize:]
	m.buf = m.buf[:pos]
	return m.op(f, page.OpInsert, body)
}

// Delete removes slot i.
func (m *Mtr) Delete(f *bufpool.Frame, i int) error {
	var b [2]byte
	return m.op(f, page.OpDelete, page.AppendSlot(b[:0], i, nil))
}

// Replace swaps the record at slot i.
func (m *Mtr) Replace(f *bufpool.Frame, i int, rec []byte) error {
	pos := len(m.buf)
	m.buf = redo.AppendRecordHeader(m.buf, f.ID().Space(), f.ID().Page(), page.OpReplace)
	m.buf = page.AppendSlot(m.buf, i, rec)
	body := m.buf[pos+redo.RecordHeaderSize:]
	m.buf = m.buf[:pos]
	return m.op(f, page.OpReplace, body)
}

// Write stores data at off.
func (m *Mtr) Write(f *bufpool.Frame, off int, data []byte) {
	pos := len(m.buf)
	m.buf = redo.AppendRecordHeader(m.buf, f.ID().Space(), f.ID().Page(), page.OpWrite)
	m.buf = page.AppendWrite(m.buf, off, data)
	body := m.buf[pos+redo.RecordHeaderSize:]
	m.buf = m.buf[:pos]
	if err := m.op(f, page.OpWrite, body); err != nil {
		panic(err)
	}
}

// Image logs the page's whole current contents: the caller has rebuilt it in place.
func (m *Mtr) Image(f *bufpool.Frame) {
	pos := len(m.buf)
	m.buf = redo.AppendRecordHeader(m.buf, f.ID().Space(), f.ID().Page(), page.OpImage)
	m.buf = page.AppendImage(m.buf, f.Data)
	body := m.buf[pos+redo.RecordHeaderSize:]
	m.buf = m.buf[:pos]
	if err := m.op(f, page.OpImage, body); err != nil {
		panic(err)
	}
}

// Commit logs the changes as one redo block and releases every page. It
// returns the block's end LSN (0 when nothing changed).
func (m *Mtr) Commit() uint64 {
	var end uint64
	if invariants.Enabled {
		m.checkPages()
	}
	if len(m.buf) > 0 {
		start := m.env.Log.CurrentLSN()
		for _, h := range m.held {
			if h.changed {
				h.f.MarkDirty(start)
			}
		}
		end = m.env.Log.Append(m.buf)
		for _, h := range m.held {
			if h.changed {
				page.SetLSN(h.f.Data, end)
			}
		}
	}
	for i := len(m.held) - 1; i >= 0; i-- {
		h := m.held[i]
		if h.exclusive {
			h.f.Latch.Unlock()
		} else {
			h.f.Latch.RUnlock()
		}
		m.env.Pool.Unfix(h.f)
	}
	m.held = m.held[:0]
	m.buf = m.buf[:0]
	if cap(m.buf) <= 1<<20 {
		m.env.mtrs.Put(m)
	}
	return end
}

// End finishes a mini-transaction that may have failed: with err nil, or
// when nothing was changed yet, it commits (releasing the pages) and returns
// err. A failure after pages were changed panics: the changes cannot be taken
// back in memory and must not reach disk half done; recovery after the crash
// brings the pages back to the last whole mini-transaction.
func (m *Mtr) End(err error) error {
	if err != nil && len(m.buf) > 0 {
		panic(fmt.Sprintf("mtr: failed after changing pages, stopping: %v", err))
	}
	m.Commit()
	return err
}

// Len is the size of the redo payload so far.
func (m *Mtr) Len() int { return len(m.buf) }

// checkPages verifies every changed slotted page before it is released: its
// structure, and for B+tree pages that the keys are in order (keyOf extracts
// a record's key; set by the btree package through SetKeyCheck).
func (m *Mtr) checkPages() {
	for _, h := range m.held {
		if !h.changed {
			continue
		}
		p := h.f.Data
		t := page.PageType(p)
		if t != page.TypeLeaf && t != page.TypeInternal {
			continue
		}
		if err := page.Check(p); err != nil {
			panic(fmt.Sprintf("mtr: page %d:%d broken at commit: %v", h.f.ID().Space(), h.f.ID().Page(), err))
		}
		if m.env.KeyOrder != nil {
			if err := m.env.KeyOrder(p); err != nil {
				panic(fmt.Sprintf("mtr: page %d:%d: %v", h.f.ID().Space(), h.f.ID().Page(), err))
			}
		}
	}
}
