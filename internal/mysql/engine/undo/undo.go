package undo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/tandem-db/tandem/internal/mysql/engine/mtr"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
)

// Layout of undo pages (fields of the first page; data at DataStart on every page).
const (
	OffTxnID  = page.HeaderSize      // u64
	OffLength = page.HeaderSize + 8  // u64 stream length
	OffSlot   = page.HeaderSize + 16 // u32 trx-sys slot
	DataStart = page.HeaderSize + 24
)

// Record types.
const (
	TypeInsert = 1
	TypeUpdate = 2
	TypeDelete = 3
)

// ErrCorrupt reports an unreadable undo log.
var ErrCorrupt = errors.New("undo: corrupt undo log")

// ErrTooManyTxns means every trx-sys slot is taken.
var ErrTooManyTxns = errors.New("undo: too many concurrent write transactions")

// Record is one undo record.
type Record struct {
	Type    uint8
	Table   uint64
	Index   uint16
	OldTrx  uint64 // update/delete: the replaced record's transaction ID
	OldRoll uint64 // and roll pointer
	Key     []byte
	Old     []byte // update/delete: the old value
}

const recFixed = 1 + 8 + 2 + 8 + 8 + 4

// AppendRecord encodes r followed by its length trailer.
func AppendRecord(b []byte, r *Record) []byte {
	start := len(b)
	b = append(b, r.Type)
	b = binary.BigEndian.AppendUint64(b, r.Table)
	b = binary.BigEndian.AppendUint16(b, r.Index)
	b = binary.BigEndian.AppendUint64(b, r.OldTrx)
	b = binary.BigEndian.AppendUint64(b, r.OldRoll)
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Key)))
	b = append(b, r.Key...)
	b = append(b, r.Old...)
	return binary.BigEndian.AppendUint32(b, uint32(len(b)-start))
}

// DecodeRecord decodes a record body (without its trailer). Key and Old alias b.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) < recFixed {
		return Record{}, ErrCorrupt
	}
	r := Record{
		Type:    b[0],
		Table:   binary.BigEndian.Uint64(b[1:]),
		Index:   binary.BigEndian.Uint16(b[9:]),
		OldTrx:  binary.BigEndian.Uint64(b[11:]),
		OldRoll: binary.BigEndian.Uint64(b[19:]),
	}
	kl := binary.BigEndian.Uint32(b[27:])
	if uint64(kl) > uint64(len(b)-recFixed) || r.Type < TypeInsert || r.Type > TypeDelete {
		return Record{}, ErrCorrupt
	}
	r.Key = b[recFixed : recFixed+int(kl)]
	r.Old = b[recFixed+int(kl):]
	return r, nil
}

// Sys is the transaction-system page: the slots of active transactions.
type Sys struct {
	env  *mtr.Env
	page uint32
	mu   struct {
		sync.Mutex
		used []bool
	}
}

// OpenSys attaches to the trx-sys page trxSysPage of the system tablespace.
func OpenSys(env *mtr.Env, trxSysPage uint32) *Sys {
	s := &Sys{env: env, page: trxSysPage}
	s.mu.used = make([]bool, (env.Pool.PageSize()-page.HeaderSize)/4)
	return s
}

func (s *Sys) slotOff(i int) int { return page.HeaderSize + 4*i }

// Log is one transaction's undo log.
type Log struct {
	sys    *Sys
	txnID  uint64
	slot   int
	pages  []uint32
	length uint64
	cap    int
	buf    []byte
}

// Begin creates the undo log of transaction txnID: one undo page and a slot.
func (s *Sys) Begin(txnID uint64) (*Log, error) {
	s.mu.Lock()
	slot := -1
	for i, u := range s.mu.used {
		if !u {
			slot = i
			s.mu.used[i] = true
			break
		}
	}
	s.mu.Unlock()
	if slot < 0 {
		return nil, ErrTooManyTxns
	}
	m := s.env.Begin()
	ts, err := m.Get(space.SystemSpace, s.page, true)
	if err != nil {
		s.release(slot)
		return nil, m.End(err)
	}
	f, err := space.Alloc(m, space.SystemSpace, page.TypeUndo, 0)
	if err != nil {
		s.release(slot)
		return nil, m.End(err)
	}
	space.Write64(m, f, OffTxnID, txnID)
	space.Write32(m, f, OffSlot, uint32(slot))
	first := f.ID().Page() // read before Commit unpins the frame
	space.Write32(m, ts, s.slotOff(slot), first)
	m.Commit()
	return &Log{sys: s, txnID: txnID, slot: slot, pages: []uint32{first}, cap: s.env.Pool.PageSize() - DataStart}, nil
}

func (s *Sys) release(slot int) {
	s.mu.Lock()
	s.mu.used[slot] = false
	s.mu.Unlock()
}

// Length is the stream length: a savepoint.
func (l *Log) Length() uint64 { return l.length }

// TxnID is the owner.
func (l *Log) TxnID() uint64 { return l.txnID }

// Append adds r and returns its roll pointer.
func (l *Log) Append(r *Record) (uint64, error) {
	l.buf = AppendRecord(l.buf[:0], r)
	start := l.length
	m := l.sys.env.Begin()
	if err := m.End(l.write(m)); err != nil {
		return 0, err
	}
	return uint64(l.pages[0])<<32 | start, nil
}

func (l *Log) write(m *mtr.Mtr) error {
	data := l.buf
	pos := l.length
	for len(data) > 0 {
		pi := int(pos / uint64(l.cap))
		off := int(pos % uint64(l.cap))
		if pi == len(l.pages) {
			prev, err := m.Get(space.SystemSpace, l.pages[pi-1], true)
			if err != nil {
				return err
			}
			f, err := space.Alloc(m, space.SystemSpace, page.TypeUndo, 0)
			if err != nil {
				return err
			}
			space.Write32(m, prev, page.OffNext, f.ID().Page())
			l.pages = append(l.pages, f.ID().Page())
		}
		f, err := m.Get(space.SystemSpace, l.pages[pi], true)
		if err != nil {
			return err
		}
		n := min(len(data), l.cap-off)
		m.Write(f, DataStart+off, data[:n])
		data = data[n:]
		pos += uint64(n)
	}
	first, err := m.Get(space.SystemSpace, l.pages[0], true)
	if err != nil {
		return err
	}
	space.Write64(m, first, OffLength, pos)
	l.length = pos
	return nil
}

// read copies n stream bytes at off into buf.
func (l *Log) read(off uint64, n int, buf []byte) ([]byte, error) {
	buf = buf[:0]
	pool := l.sys.env.Pool
	for n > 0 {
		pi := int(off / uint64(l.cap))
		po := int(off % uint64(l.cap))
		if pi >= len(l.pages) {
			return nil, ErrCorrupt
		}
		f, err := pool.Fix(space.SystemSpace, l.pages[pi])
		if err != nil {
			return nil, err
		}
		f.Latch.RLock()
		k := min(n, l.cap-po)
		buf = append(buf, f.Data[DataStart+po:DataStart+po+k]...)
		f.Latch.RUnlock()
		pool.Unfix(f)
		n -= k
		off += uint64(k)
	}
	return buf, nil
}

// Last returns the last record and where it starts; ok is false when the log is empty.
// The record aliases an internal buffer valid until the next call.
func (l *Log) Last() (rec Record, start uint64, ok bool, err error) {
	if l.length == 0 {
		return Record{}, 0, false, nil
	}
	if l.length < 4 {
		return Record{}, 0, false, ErrCorrupt
	}
	tr, err := l.read(l.length-4, 4, l.buf)
	if err != nil {
		return Record{}, 0, false, err
	}
	n := uint64(binary.BigEndian.Uint32(tr))
	if n+4 > l.length {
		return Record{}, 0, false, ErrCorrupt
	}
	start = l.length - 4 - n
	body, err := l.read(start, int(n), l.buf)
	if err != nil {
		return Record{}, 0, false, err
	}
	l.buf = body
	rec, err = DecodeRecord(body)
	return rec, start, err == nil, err
}

// Truncate cuts the log back to length to (after the records past it were undone).
func (l *Log) Truncate(to uint64) error {
	m := l.sys.env.Begin()
	first, err := m.Get(space.SystemSpace, l.pages[0], true)
	if err != nil {
		return m.End(err)
	}
	space.Write64(m, first, OffLength, to)
	m.Commit()
	l.length = to
	return nil
}

// Finish ends the transaction: one mini-transaction clears its slot and frees
// its pages. The returned LSN is the commit point to make durable.
func (l *Log) Finish() (uint64, error) {
	m := l.sys.env.Begin()
	for _, pg := range l.pages {
		if _, err := m.Get(space.SystemSpace, pg, true); err != nil {
			return 0, m.End(err)
		}
	}
	ts, err := m.Get(space.SystemSpace, l.sys.page, true)
	if err != nil {
		return 0, m.End(err)
	}
	space.Write32(m, ts, l.sys.slotOff(l.slot), 0)
	for _, pg := range l.pages {
		f, _ := m.Get(space.SystemSpace, pg, true)
		if err := space.Free(m, f); err != nil {
			return 0, m.End(err)
		}
	}
	lsn := m.Commit()
	l.sys.release(l.slot)
	return lsn, nil
}

// Recover returns the undo logs of transactions that were active at a crash.
func (s *Sys) Recover() ([]*Log, error) {
	pool := s.env.Pool
	f, err := pool.Fix(space.SystemSpace, s.page)
	if err != nil {
		return nil, err
	}
	var firsts []uint32
	var slots []int
	for i := range s.mu.used {
		if pg := binary.BigEndian.Uint32(f.Data[s.slotOff(i):]); pg != 0 {
			firsts = append(firsts, pg)
			slots = append(slots, i)
		}
	}
	pool.Unfix(f)
	var logs []*Log
	for j, pg := range firsts {
		l := &Log{sys: s, slot: slots[j], cap: pool.PageSize() - DataStart}
		ff, err := pool.Fix(space.SystemSpace, pg)
		if err != nil {
			return nil, err
		}
		if page.PageType(ff.Data) != page.TypeUndo {
			pool.Unfix(ff)
			return nil, fmt.Errorf("%w: slot %d points at page %d of type %v", ErrCorrupt, slots[j], pg, page.PageType(ff.Data))
		}
		l.txnID = binary.BigEndian.Uint64(ff.Data[OffTxnID:])
		l.length = binary.BigEndian.Uint64(ff.Data[OffLength:])
		pool.Unfix(ff)
		need := int((l.length + uint64(l.cap) - 1) / uint64(l.cap))
		for p := pg; p != 0; {
			if len(l.pages) > 1<<20 {
				return nil, fmt.Errorf("%w: transaction %d: undo chain loops", ErrCorrupt, l.txnID)
			}
			l.pages = append(l.pages, p)
			pf, err := pool.Fix(space.SystemSpace, p)
			if err != nil {
				return nil, err
			}
			p = page.Next(pf.Data)
			pool.Unfix(pf)
		}
		if len(l.pages) < need {
			return nil, fmt.Errorf("%w: transaction %d: undo chain shorter than its length", ErrCorrupt, l.txnID)
		}
		s.mu.Lock()
		s.mu.used[l.slot] = true
		s.mu.Unlock()
		logs = append(logs, l)
	}
	return logs, nil
}
