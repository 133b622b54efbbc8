package bufpool

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
)

// PageID names a page: tablespace ID in the high 32 bits, page number low.
type PageID uint64

// ID builds a PageID.
func ID(space, pageNo uint32) PageID { return PageID(space)<<32 | PageID(pageNo) }

// Space is the tablespace of the page.
func (id PageID) Space() uint32 { return uint32(id >> 32) }

// Page is the page number.
func (id PageID) Page() uint32 { return uint32(id) }

// Files reads and writes pages of tablespaces.
type Files interface {
	// ReadPage fills buf with the page; a page beyond the end of the file reads as zeros.
	ReadPage(space, pageNo uint32, buf []byte) error
	WritePage(space, pageNo uint32, buf []byte) error
	Sync(space uint32) error
}

// Log is the part of the redo log the pool needs: the write-ahead rule.
type Log interface {
	FlushUpTo(lsn uint64, sync bool) error
}

// ErrCorruptPage is returned when a page read from disk fails its checksum.
var ErrCorruptPage = errors.New("bufpool: page checksum mismatch")

// ErrPoolExhausted means every frame is pinned.
var ErrPoolExhausted = errors.New("bufpool: all pages pinned; buffer pool too small")

// Frame is one cached page.
type Frame struct {
	// Latch guards Data: RLock to read, Lock to change.
	Latch sync.RWMutex
	Data  []byte
	id    PageID
	pins  atomic.Int32
	// oldest is the LSN before the oldest change not yet written to disk (0: clean).
	oldest  atomic.Uint64
	loadErr error // set by the loader before it releases Latch

	// guarded by Pool.mu
	prev, next *Frame
	list       int8 // 0 none, 1 young, 2 old
}

// ID is the page the frame holds.
func (f *Frame) ID() PageID { return f.id }

// MarkDirty records that the frame is about to carry a change logged at or after lsn.
// The caller holds Latch exclusively.
func (f *Frame) MarkDirty(lsn uint64) { f.oldest.CompareAndSwap(0, lsn) }

// Dirty reports whether the frame has unflushed changes.
func (f *Frame) Dirty() bool { return f.oldest.Load() != 0 }

type list struct {
	head, tail *Frame
	n          int
}

func (l *list) pushHead(f *Frame, id int8) {
	f.prev, f.next, f.list = nil, l.head, id
	if l.head != nil {
		l.head.prev = f
	} else {
		l.tail = f
	}
	l.head = f
	l.n++
}

func (l *list) remove(f *Frame) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next, f.list = nil, nil, 0
	l.n--
}

// Stats are the pool's counters under InnoDB's names.
type Stats struct {
	Reads        atomic.Uint64 // Innodb_buffer_pool_reads: pages read from disk
	ReadRequests atomic.Uint64 // Innodb_buffer_pool_read_requests
	PagesRead    atomic.Uint64 // Innodb_pages_read
	PagesWritten atomic.Uint64 // Innodb_pages_written / Innodb_buffer_pool_pages_flushed
	DataFsyncs   atomic.Uint64 // data-file and doublewrite fsyncs
	DblwrPages   atomic.Uint64 // Innodb_dblwr_pages_written
	DblwrWrites  atomic.Uint64 // Innodb_dblwr_writes
}

// Pool is the buffer pool.
type Pool struct {
	pageSize int
	files    Files
	log      Log
	dblwr    *Doublewrite
	frames   []*Frame
	Stats    Stats
	// WaitLimit is how long Fix waits for a frame to become evictable
	// before it fails with ErrPoolExhausted (default 1 s).
	WaitLimit time.Duration

	mu struct {
		sync.Mutex
		table map[PageID]*Frame
		free  []*Frame
		young list
		old   list
	}
	flushMu sync.Mutex // one flush batch at a time
}

// New makes a pool of size bytes (at least 32 frames).
func New(pageSize int, size int64, files Files, log Log, dblwr *Doublewrite) *Pool {
	n := int(size / int64(pageSize))
	if n < 32 {
		n = 32
	}
	p := &Pool{pageSize: pageSize, files: files, log: log, dblwr: dblwr, WaitLimit: time.Second}
	p.mu.table = make(map[PageID]*Frame, n)
	mem := make([]byte, n*pageSize)
	p.frames = make([]*Frame, n)
	for i := range p.frames {
		f := &Frame{Data: mem[i*pageSize : (i+1)*pageSize : (i+1)*pageSize]}
		p.frames[i] = f
		p.mu.free = append(p.mu.free, f)
	}
	return p
}

// PageSize is the size of every page in the pool.
func (p *Pool) PageSize() int { return p.pageSize }

// Fix pins the page, reading it from disk if needed. The caller latches it.
func (p *Pool) Fix(space, pageNo uint32) (*Frame, error) { return p.fix(space, pageNo, false) }

// FixNew pins a page that was just allocated: its disk contents are
// irrelevant, so it is not read, and it starts zeroed. The caller latches it
// and formats it.
func (p *Pool) FixNew(space, pageNo uint32) (*Frame, error) { return p.fix(space, pageNo, true) }

func (p *Pool) fix(space, pageNo uint32, fresh bool) (*Frame, error) {
	id := ID(space, pageNo)
	p.Stats.ReadRequests.Add(1)
	var start time.Time
	for attempt := 0; ; attempt++ {
		p.mu.Lock()
		if f, ok := p.mu.table[id]; ok {
			f.pins.Add(1)
			if f.list == 2 {
				p.mu.old.remove(f)
				p.mu.young.pushHead(f, 1)
				p.balanceLocked()
			}
			p.mu.Unlock()
			if fresh {
				return f, nil
			}
			// Wait for a concurrent load to finish.
			f.Latch.RLock()
			err := f.loadErr
			f.Latch.RUnlock()
			if err != nil {
				p.Unfix(f)
				return nil, err
			}
			return f, nil
		}
		f := p.victimLocked()
		if f == nil {
			p.mu.Unlock()
			if attempt == 0 {
				start = time.Now()
			} else if time.Since(start) > p.WaitLimit {
				return nil, ErrPoolExhausted
			}
			if err := p.flushLRUTail(); err != nil {
				return nil, err
			}
			if attempt > 10 {
				// Every frame is pinned or latched by running
				// mini-transactions: let them finish.
				time.Sleep(50 * time.Microsecond)
			}
			continue
		}
		f.id = id
		f.pins.Store(1)
		f.loadErr = nil
		p.mu.table[id] = f
		p.mu.old.pushHead(f, 2)
		p.balanceLocked()
		f.Latch.Lock()
		p.mu.Unlock()
		if fresh {
			clear(f.Data)
			f.Latch.Unlock()
			return f, nil
		}
		p.Stats.Reads.Add(1)
		p.Stats.PagesRead.Add(1)
		err := p.files.ReadPage(space, pageNo, f.Data)
		if err == nil && !page.Verify(f.Data) {
			err = fmt.Errorf("%w: space %d page %d", ErrCorruptPage, space, pageNo)
		}
		if err != nil {
			f.loadErr = err
			f.Latch.Unlock()
			p.mu.Lock()
			if p.mu.table[id] == f {
				delete(p.mu.table, id)
			}
			p.mu.Unlock()
			p.Unfix(f)
			return nil, err
		}
		f.Latch.Unlock()
		return f, nil
	}
}

// Unfix drops a pin.
func (p *Pool) Unfix(f *Frame) {
	if f.pins.Add(-1) < 0 {
		panic("bufpool: unfix of an unpinned frame")
	}
}

// balanceLocked keeps the old sublist at about 3/8 of the LRU once the pool
// is full (before that nothing needs protecting: nothing is evicted).
func (p *Pool) balanceLocked() {
	if len(p.mu.free) > 0 {
		return
	}
	total := p.mu.young.n + p.mu.old.n
	for p.mu.old.n < total*3/8 && p.mu.young.tail != nil {
		f := p.mu.young.tail
		p.mu.young.remove(f)
		p.mu.old.pushHead(f, 2)
	}
}

// victimLocked takes a free frame or evicts the least recently used clean,
// unpinned one. nil means every candidate is pinned or dirty.
func (p *Pool) victimLocked() *Frame {
	if n := len(p.mu.free); n > 0 {
		f := p.mu.free[n-1]
		p.mu.free = p.mu.free[:n-1]
		return f
	}
	for _, l := range []*list{&p.mu.old, &p.mu.young} {
		for f := l.tail; f != nil; f = f.prev {
			if f.pins.Load() == 0 && !f.Dirty() {
				l.remove(f)
				if p.mu.table[f.id] == f {
					delete(p.mu.table, f.id)
				}
				return f
			}
		}
	}
	return nil
}

// flushLRUTail writes back up to one batch of dirty, unpinned frames from
// the cold end of the LRU so they can be evicted.
func (p *Pool) flushLRUTail() error {
	var cands []*Frame
	p.mu.Lock()
	for _, l := range []*list{&p.mu.old, &p.mu.young} {
		for f := l.tail; f != nil && len(cands) < p.dblwr.Slots(); f = f.prev {
			if f.Dirty() && f.pins.Load() == 0 {
				f.pins.Add(1)
				cands = append(cands, f)
			}
		}
	}
	p.mu.Unlock()
	err := p.flushFrames(cands)
	for _, f := range cands {
		p.Unfix(f)
	}
	return err
}

// FlushAll writes back every dirty frame and returns the smallest oldest-change
// LSN of the frames that are dirty again (0 if none): a checkpoint may not pass it.
func (p *Pool) FlushAll() (uint64, error) {
	var cands []*Frame
	p.mu.Lock()
	for _, f := range p.mu.table {
		if f.Dirty() {
			f.pins.Add(1)
			cands = append(cands, f)
		}
	}
	p.mu.Unlock()
	var err error
	for i := 0; i < len(cands) && err == nil; i += p.dblwr.Slots() {
		j := min(i+p.dblwr.Slots(), len(cands))
		err = p.flushFrames(cands[i:j])
	}
	for _, f := range cands {
		p.Unfix(f)
	}
	if err != nil {
		return 0, err
	}
	return p.MinDirtyLSN(), nil
}

// MinDirtyLSN is the smallest oldest-change LSN over dirty frames (0 if none).
func (p *Pool) MinDirtyLSN() uint64 {
	var m uint64
	for _, f := range p.frames {
		if o := f.oldest.Load(); o != 0 && (m == 0 || o < m) {
			m = o
		}
	}
	return m
}

type flushItem struct {
	f    *Frame
	lsn  uint64
	data []byte
}

// flushFrames writes the given pinned frames. A frame latched exclusively is
// skipped: its mini-transaction is still running (maybe in this very
// goroutine, waiting for a free frame), and waiting for it while holding
// flushMu could deadlock. It stays dirty and holds the checkpoint back.
func (p *Pool) flushFrames(frames []*Frame) error {
	if len(frames) == 0 {
		return nil
	}
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	buf := p.dblwr.buffer()
	items := make([]flushItem, 0, len(frames))
	var maxLSN uint64
	for _, f := range frames {
		if !f.Latch.TryRLock() {
			continue
		}
		if !f.Dirty() {
			f.Latch.RUnlock()
			continue
		}
		d := buf[len(items)*p.pageSize : (len(items)+1)*p.pageSize]
		copy(d, f.Data)
		lsn := page.LSN(d)
		f.Latch.RUnlock()
		page.SetChecksum(d)
		items = append(items, flushItem{f: f, lsn: lsn, data: d})
		maxLSN = max(maxLSN, lsn)
	}
	if len(items) == 0 {
		return nil
	}
	if err := p.log.FlushUpTo(maxLSN, true); err != nil {
		return err
	}
	if err := p.dblwr.write(buf[:len(items)*p.pageSize]); err != nil {
		return err
	}
	p.Stats.DblwrWrites.Add(1)
	p.Stats.DblwrPages.Add(uint64(len(items)))
	p.Stats.DataFsyncs.Add(1)
	spaces := map[uint32]bool{}
	for _, it := range items {
		id := it.f.id
		if err := p.files.WritePage(id.Space(), id.Page(), it.data); err != nil {
			return err
		}
		spaces[id.Space()] = true
		p.Stats.PagesWritten.Add(1)
	}
	for s := range spaces {
		if err := p.files.Sync(s); err != nil {
			return err
		}
		p.Stats.DataFsyncs.Add(1)
	}
	for _, it := range items {
		// A frame latched now is inside a mini-transaction (that may be
		// waiting for flushMu): leave it dirty with its old bound.
		if !it.f.Latch.TryLock() {
			continue
		}
		if page.LSN(it.f.Data) == it.lsn {
			it.f.oldest.Store(0)
		} else {
			it.f.oldest.Store(it.lsn)
		}
		it.f.Latch.Unlock()
	}
	return nil
}

// DiscardSpace drops every frame of a tablespace without writing it (the
// tablespace is being dropped or truncated). No frame of it may be pinned.
func (p *Pool) DiscardSpace(space uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, f := range p.mu.table {
		if id.Space() != space {
			continue
		}
		if f.pins.Load() != 0 {
			panic(fmt.Sprintf("bufpool: discarding pinned page %d:%d", space, id.Page()))
		}
		delete(p.mu.table, id)
		if f.list == 1 {
			p.mu.young.remove(f)
		} else if f.list == 2 {
			p.mu.old.remove(f)
		}
		f.oldest.Store(0)
		p.mu.free = append(p.mu.free, f)
	}
}

// Counts reports total, free and dirty frames.
func (p *Pool) Counts() (total, free, dirty int) {
	p.mu.Lock()
	free = len(p.mu.free)
	p.mu.Unlock()
	for _, f := range p.frames {
		if f.Dirty() {
			dirty++
		}
	}
	return len(p.frames), free, dirty
}

// CheckPins verifies that no frame is pinned (an invariant at quiescent points).
func (p *Pool) CheckPins() error {
	for _, f := range p.frames {
		if n := f.pins.Load(); n != 0 {
			return fmt.Errorf("bufpool: page %d:%d pinned %d times", f.id.Space(), f.id.Page(), n)
		}
	}
	return nil
}
