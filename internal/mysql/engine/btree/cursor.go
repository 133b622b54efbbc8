package btree

import (
	"bytes"

	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
)

// Bound is one end of a key range; a nil Key is unbounded.
type Bound struct {
	Key       []byte
	Inclusive bool
}

type entry struct {
	k0, k1, v1 int
	trx, roll  uint64
}

// Cursor walks a key range. It copies one leaf's worth of records at a time
// under the tree latch and releases it between batches, so a caller may change
// the tree while a cursor is open; the cursor resumes after the last key it
// returned (following the leaf link when no split or merge happened since).
type Cursor struct {
	t       *Tree
	lo, hi  Bound
	desc    bool
	arena   []byte
	ents    []entry
	i       int
	last    []byte
	started bool
	done    bool
	link    uint32 // next leaf in scan order (0: none)
	smo     uint64
	err     error
	cur     entry
}

// Scan opens a cursor on [lo, hi] (reverse order when desc).
func (t *Tree) Scan(lo, hi Bound, desc bool) *Cursor {
	c := &Cursor{}
	c.Reset(t, lo, hi, desc)
	return c
}

// Reset reuses the cursor for a new range.
func (c *Cursor) Reset(t *Tree, lo, hi Bound, desc bool) {
	*c = Cursor{t: t, lo: lo, hi: hi, desc: desc, arena: c.arena[:0], ents: c.ents[:0], last: c.last[:0]}
}

// Footprint is the bytes of buffers the cursor keeps for reuse.
func (c *Cursor) Footprint() int { return cap(c.arena) + cap(c.ents)*40 + cap(c.last) }

// Next advances; false at the end or on error (see Err).
func (c *Cursor) Next() bool {
	if c.err != nil {
		return false
	}
	c.i++
	if c.i >= len(c.ents) {
		if c.done {
			return false
		}
		if c.err = c.fetch(); c.err != nil {
			return false
		}
		c.i = 0
		if len(c.ents) == 0 {
			return false
		}
	}
	c.cur = c.ents[c.i]
	return true
}

// Key is the current key (valid until Next).
func (c *Cursor) Key() []byte { return c.arena[c.cur.k0:c.cur.k1] }

// Value is the current value (valid until Next).
func (c *Cursor) Value() []byte { return c.arena[c.cur.k1:c.cur.v1] }

// Txn returns the current record's transaction ID and roll pointer.
func (c *Cursor) Txn() (uint64, uint64) { return c.cur.trx, c.cur.roll }

// Err is the error that stopped the cursor.
func (c *Cursor) Err() error { return c.err }

// inRange reports whether key passes the far bound (stop) and the near bound (skip).
func (c *Cursor) check(key []byte) (take, stop bool) {
	if c.started {
		cmp := bytes.Compare(key, c.last)
		if (!c.desc && cmp <= 0) || (c.desc && cmp >= 0) {
			return false, false
		}
	}
	near, far := c.lo, c.hi
	if c.desc {
		near, far = c.hi, c.lo
	}
	if far.Key != nil {
		cmp := bytes.Compare(key, far.Key)
		if c.desc {
			cmp = -cmp
		}
		if cmp > 0 || (cmp == 0 && !far.Inclusive) {
			return false, true
		}
	}
	if near.Key != nil {
		cmp := bytes.Compare(key, near.Key)
		if c.desc {
			cmp = -cmp
		}
		if cmp < 0 || (cmp == 0 && !near.Inclusive) {
			return false, false
		}
	}
	return true, false
}

func (c *Cursor) fetch() error {
	t := c.t
	t.Latch.RLock()
	defer t.Latch.RUnlock()
	c.arena, c.ents = c.arena[:0], c.ents[:0]
	var f *bufpool.Frame
	var err error
	switch {
	case c.started && c.smo == t.smo.Load():
		if c.link == 0 {
			c.done = true
			return nil
		}
		if f, err = t.env.Pool.Fix(t.space, c.link); err != nil {
			return err
		}
	case c.started:
		f, err = t.readLeaf(c.last, false)
	case c.desc:
		f, err = t.readLeaf(c.hi.Key, c.hi.Key == nil)
	default:
		f, err = t.readLeaf(c.lo.Key, false)
	}
	if err != nil {
		return err
	}
	for {
		p := f.Data
		n := page.NumSlots(p)
		stop := false
		for j := 0; j < n && !stop; j++ {
			i := j
			if c.desc {
				i = n - 1 - j
			}
			r := page.Record(p, i)
			k := leafKey(r)
			var take bool
			take, stop = c.check(k)
			if !take {
				continue
			}
			e := entry{k0: len(c.arena)}
			c.arena = append(c.arena, k...)
			e.k1 = len(c.arena)
			if c.arena, err = t.value(r, c.arena); err != nil {
				t.env.Pool.Unfix(f)
				return err
			}
			e.v1 = len(c.arena)
			e.trx, e.roll = leafTxn(r)
			c.ents = append(c.ents, e)
		}
		c.link = page.Next(p)
		if c.desc {
			c.link = page.Prev(p)
		}
		t.env.Pool.Unfix(f)
		if stop || c.link == 0 {
			c.done = true
		}
		if len(c.ents) > 0 || c.done {
			break
		}
		if f, err = t.env.Pool.Fix(t.space, c.link); err != nil {
			return err
		}
	}
	c.smo = t.smo.Load()
	if len(c.ents) > 0 {
		e := c.ents[len(c.ents)-1]
		c.last = append(c.last[:0], c.arena[e.k0:e.k1]...)
		c.started = true
	}
	c.i = -1
	return nil
}
