package btree

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/mtr"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
)

// Errors of tree operations.
var (
	ErrDuplicate = errors.New("btree: duplicate key")
	ErrNotFound  = errors.New("btree: key not found")
	ErrTooLong   = errors.New("btree: key too long")
	ErrCorrupt   = errors.New("btree: corrupt")
)

// Tree is one B+tree.
type Tree struct {
	env   *mtr.Env
	space uint32
	root  uint32
	// Latch is the tree latch: shared for reads, exclusive for changes.
	Latch sync.RWMutex
	// smo counts structure changes (splits, merges); cursors use it to know
	// whether a remembered next-leaf link is still valid.
	smo atomic.Uint64

	usable    int // bytes of records and slots a page holds
	maxRecord int
}

// Open attaches to the tree whose root is page root of tablespace spaceID.
func Open(env *mtr.Env, spaceID, root uint32) *Tree {
	ps := env.Pool.PageSize()
	usable := ps - page.HeaderSize
	return &Tree{env: env, space: spaceID, root: root, usable: usable, maxRecord: usable / 3}
}

// Space and Root locate the tree.
func (t *Tree) Space() uint32 { return t.space }
func (t *Tree) Root() uint32  { return t.root }

// MaxKey is the longest key the tree accepts.
func (t *Tree) MaxKey() int { return t.maxRecord - leafHeader - overflowRef - 4 }

// search returns the first slot whose key is >= key, and whether it is equal.
func search(p []byte, key []byte, leaf bool) (int, bool) {
	lo, hi := 0, page.NumSlots(p)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(recKey(page.Record(p, mid), leaf), key) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < page.NumSlots(p) && bytes.Equal(recKey(page.Record(p, lo), leaf), key)
}

// childSlot is the slot of an internal page whose subtree covers key: the
// last slot whose key is <= key, slot 0 standing for minus infinity whatever
// key it stores.
func childSlot(p []byte, key []byte) int {
	lo, hi := 1, page.NumSlots(p)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if bytes.Compare(nodeKey(page.Record(p, mid)), key) <= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

func isLeaf(p []byte) bool { return page.PageType(p) == page.TypeLeaf }

// readFix pins the leaf covering key for a reader holding the tree latch shared.
func (t *Tree) readLeaf(key []byte, rightmost bool) (*bufpool.Frame, error) {
	pg := t.root
	for {
		f, err := t.env.Pool.Fix(t.space, pg)
		if err != nil {
			return nil, err
		}
		p := f.Data
		switch page.PageType(p) {
		case page.TypeLeaf:
			return f, nil
		case page.TypeInternal:
		default:
			t.env.Pool.Unfix(f)
			return nil, fmt.Errorf("%w: space %d page %d has type %v inside a tree", ErrCorrupt, t.space, pg, page.PageType(p))
		}
		n := page.NumSlots(p)
		if n == 0 {
			t.env.Pool.Unfix(f)
			return nil, fmt.Errorf("%w: empty internal page %d", ErrCorrupt, pg)
		}
		var s int
		switch {
		case rightmost:
			s = n - 1
		case key == nil:
			s = 0
		default:
			s = childSlot(p, key)
		}
		pg = nodeChild(page.Record(p, s))
		t.env.Pool.Unfix(f)
	}
}

// Get copies the value of key into buf[:0] and returns it with the record's
// transaction ID and roll pointer.
func (t *Tree) Get(key []byte, buf []byte) (val []byte, trx, roll uint64, found bool, err error) {
	t.Latch.RLock()
	defer t.Latch.RUnlock()
	f, err := t.readLeaf(key, false)
	if err != nil {
		return nil, 0, 0, false, err
	}
	defer t.env.Pool.Unfix(f)
	i, eq := search(f.Data, key, true)
	if !eq {
		return nil, 0, 0, false, nil
	}
	r := page.Record(f.Data, i)
	trx, roll = leafTxn(r)
	val, err = t.value(r, buf[:0])
	return val, trx, roll, true, err
}

// value appends the record's value to buf, following overflow pages.
func (t *Tree) value(r []byte, buf []byte) ([]byte, error) {
	rest := leafRest(r)
	if !leafOverflow(r) {
		return append(buf, rest...), nil
	}
	total := int(binary.BigEndian.Uint32(rest))
	pg := binary.BigEndian.Uint32(rest[4:])
	start := len(buf)
	for pg != 0 && len(buf)-start < total {
		f, err := t.env.Pool.Fix(t.space, pg)
		if err != nil {
			return nil, err
		}
		p := f.Data
		if page.PageType(p) != page.TypeOverflow {
			t.env.Pool.Unfix(f)
			return nil, fmt.Errorf("%w: overflow chain reaches page %d of type %v", ErrCorrupt, pg, page.PageType(p))
		}
		n := int(binary.BigEndian.Uint32(p[page.HeaderSize:]))
		if n > len(p)-page.HeaderSize-4 {
			t.env.Pool.Unfix(f)
			return nil, ErrCorrupt
		}
		buf = append(buf, p[page.HeaderSize+4:page.HeaderSize+4+n]...)
		pg = page.Next(p)
		t.env.Pool.Unfix(f)
	}
	if len(buf)-start != total {
		return nil, fmt.Errorf("%w: overflow value has %d of %d bytes", ErrCorrupt, len(buf)-start, total)
	}
	return buf, nil
}

// makeRecord builds the leaf record for key/val, writing a large value to
// overflow pages inside m.
func (t *Tree) makeRecord(m *mtr.Mtr, key, val []byte, trx, roll uint64) ([]byte, error) {
	if len(key) > t.MaxKey() {
		return nil, ErrTooLong
	}
	if leafHeader+len(key)+len(val) <= t.maxRecord {
		return appendLeaf(make([]byte, 0, leafHeader+len(key)+len(val)), key, 0, trx, roll, val), nil
	}
	chunk := t.env.Pool.PageSize() - page.HeaderSize - 4
	var first uint32
	var prev *bufpool.Frame
	for off := 0; off < len(val); off += chunk {
		f, err := space.Alloc(m, t.space, page.TypeOverflow, 0)
		if err != nil {
			return nil, err
		}
		end := min(off+chunk, len(val))
		b := make([]byte, 4, 4+end-off)
		binary.BigEndian.PutUint32(b, uint32(end-off))
		m.Write(f, page.HeaderSize, append(b, val[off:end]...))
		if prev == nil {
			first = f.ID().Page()
		} else {
			space.Write32(m, prev, page.OffNext, f.ID().Page())
		}
		prev = f
	}
	var ref [overflowRef]byte
	binary.BigEndian.PutUint32(ref[:], uint32(len(val)))
	binary.BigEndian.PutUint32(ref[4:], first)
	return appendLeaf(nil, key, flagOverflow, trx, roll, ref[:]), nil
}

// freeOverflow releases a record's overflow chain.
func (t *Tree) freeOverflow(m *mtr.Mtr, r []byte) error {
	if !leafOverflow(r) {
		return nil
	}
	pg := binary.BigEndian.Uint32(leafRest(r)[4:])
	for pg != 0 {
		f, err := m.Get(t.space, pg, true)
		if err != nil {
			return err
		}
		next := page.Next(f.Data)
		if err := space.Free(m, f); err != nil {
			return err
		}
		pg = next
	}
	return nil
}

// descend latches the path from the root to the leaf covering key exclusively.
func (t *Tree) descend(m *mtr.Mtr, key []byte) ([]*bufpool.Frame, []int, error) {
	var path []*bufpool.Frame
	var slots []int
	pg := t.root
	for {
		f, err := m.Get(t.space, pg, true)
		if err != nil {
			return nil, nil, err
		}
		path = append(path, f)
		if isLeaf(f.Data) {
			return path, slots, nil
		}
		if page.PageType(f.Data) != page.TypeInternal || page.NumSlots(f.Data) == 0 {
			return nil, nil, fmt.Errorf("%w: page %d:%d", ErrCorrupt, t.space, pg)
		}
		s := childSlot(f.Data, key)
		slots = append(slots, s)
		pg = nodeChild(page.Record(f.Data, s))
	}
}

// Insert adds key; ErrDuplicate if it exists.
func (t *Tree) Insert(key, val []byte, trx, roll uint64) error {
	t.Latch.Lock()
	defer t.Latch.Unlock()
	m := t.env.Begin()
	return m.End(t.insert(m, key, val, trx, roll))
}

func (t *Tree) insert(m *mtr.Mtr, key, val []byte, trx, roll uint64) error {
	path, slots, err := t.descend(m, key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1]
	pos, eq := search(leaf.Data, key, true)
	if eq {
		return ErrDuplicate
	}
	rec, err := t.makeRecord(m, key, val, trx, roll)
	if err != nil {
		return err
	}
	return t.insertAt(m, path, slots, pos, rec)
}

// Update replaces key's value; the old value is appended to *old when old is not nil.
func (t *Tree) Update(key, val []byte, trx, roll uint64, old *[]byte) error {
	t.Latch.Lock()
	defer t.Latch.Unlock()
	m := t.env.Begin()
	return m.End(t.update(m, key, val, trx, roll, old))
}

func (t *Tree) update(m *mtr.Mtr, key, val []byte, trx, roll uint64, old *[]byte) error {
	path, slots, err := t.descend(m, key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1]
	pos, eq := search(leaf.Data, key, true)
	if !eq {
		return ErrNotFound
	}
	r := page.Record(leaf.Data, pos)
	if old != nil {
		if *old, err = t.value(r, (*old)[:0]); err != nil {
			return err
		}
	}
	if err := t.freeOverflow(m, r); err != nil {
		return err
	}
	rec, err := t.makeRecord(m, key, val, trx, roll)
	if err != nil {
		return err
	}
	if err := m.Replace(leaf, pos, rec); err == nil {
		return nil
	} else if !errors.Is(err, page.ErrFull) {
		return err
	}
	if err := m.Delete(leaf, pos); err != nil {
		return err
	}
	return t.insertAt(m, path, slots, pos, rec)
}

// Delete removes key; the old value is appended to *old when old is not nil.
func (t *Tree) Delete(key []byte, old *[]byte) error {
	t.Latch.Lock()
	defer t.Latch.Unlock()
	m := t.env.Begin()
	return m.End(t.delete(m, key, old))
}

func (t *Tree) delete(m *mtr.Mtr, key []byte, old *[]byte) error {
	path, slots, err := t.descend(m, key)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1]
	pos, eq := search(leaf.Data, key, true)
	if !eq {
		return ErrNotFound
	}
	r := page.Record(leaf.Data, pos)
	if old != nil {
		if *old, err = t.value(r, (*old)[:0]); err != nil {
			return err
		}
	}
	if err := t.freeOverflow(m, r); err != nil {
		return err
	}
	if err := m.Delete(leaf, pos); err != nil {
		return err
	}
	return t.rebalance(m, path, slots)
}

// insertAt inserts rec at slot pos of the last page of path, splitting up the path as needed.
func (t *Tree) insertAt(m *mtr.Mtr, path []*bufpool.Frame, slots []int, pos int, rec []byte) error {
	f := path[len(path)-1]
	if err := m.Insert(f, pos, rec); err == nil {
		return nil
	} else if !errors.Is(err, page.ErrFull) {
		return err
	}
	t.smo.Add(1)
	p := f.Data
	leaf := isLeaf(p)
	n := page.NumSlots(p)
	recs := make([][]byte, 0, n+1)
	for i := 0; i < n; i++ {
		if i == pos {
			recs = append(recs, rec)
		}
		recs = append(recs, append([]byte(nil), page.Record(p, i)...))
	}
	if pos == n {
		recs = append(recs, rec)
	}
	split := splitPoint(recs, pos == n && page.Next(p) == 0)
	level := page.Level(p)
	typ := page.PageType(p)

	if len(path) == 1 { // the root: move everything into two new children
		l, err := space.Alloc(m, t.space, typ, level)
		if err != nil {
			return err
		}
		r, err := space.Alloc(m, t.space, typ, level)
		if err != nil {
			return err
		}
		t.fill(l, recs[:split], 0, r.ID().Page())
		t.fill(r, recs[split:], l.ID().Page(), 0)
		m.Image(l)
		m.Image(r)
		page.Init(p, t.space, t.root, page.TypeInternal, level+1)
		// The leftmost child's separator is the empty key: minus infinity.
		if err := page.Insert(p, 0, appendNode(nil, nil, l.ID().Page())); err != nil {
			return err
		}
		if err := page.Insert(p, 1, appendNode(nil, recKey(recs[split], leaf), r.ID().Page())); err != nil {
			return err
		}
		m.Image(f)
		return nil
	}
	next := page.Next(p)
	var nf *bufpool.Frame
	if next != 0 { // fixed before anything changes: a read error then fails cleanly
		var err error
		if nf, err = m.Get(t.space, next, true); err != nil {
			return err
		}
	}
	r, err := space.Alloc(m, t.space, typ, level)
	if err != nil {
		return err
	}
	t.fill(r, recs[split:], f.ID().Page(), next)
	t.fill(f, recs[:split], page.Prev(p), r.ID().Page())
	m.Image(r)
	m.Image(f)
	if nf != nil {
		space.Write32(m, nf, page.OffPrev, r.ID().Page())
	}
	sep := appendNode(nil, recKey(recs[split], leaf), r.ID().Page())
	return t.insertAt(m, path[:len(path)-1], slots[:len(slots)-1], slots[len(slots)-1]+1, sep)
}

// splitPoint picks where recs divide: the first record of the right page.
func splitPoint(recs [][]byte, appending bool) int {
	if appending {
		return len(recs) - 1
	}
	total := 0
	for _, r := range recs {
		total += len(r) + 4
	}
	acc := 0
	for i, r := range recs {
		acc += len(r) + 4
		if acc >= total/2 {
			if i == len(recs)-1 {
				return i
			}
			return i + 1
		}
	}
	return len(recs) - 1
}

// fill rewrites f in place (caller logs the image) with recs, keeping its type and level.
func (t *Tree) fill(f *bufpool.Frame, recs [][]byte, prev, next uint32) {
	p := f.Data
	typ, level := page.PageType(p), page.Level(p)
	page.Init(p, t.space, f.ID().Page(), typ, level)
	for i, r := range recs {
		if err := page.Insert(p, i, r); err != nil {
			panic(fmt.Sprintf("btree: split half does not fit: %v", err))
		}
	}
	binary.BigEndian.PutUint32(p[page.OffPrev:], prev)
	binary.BigEndian.PutUint32(p[page.OffNext:], next)
}

func (t *Tree) underfilled(p []byte) bool { return page.UsedSpace(p) < t.usable/4 }

// rebalance merges the last page of path with a sibling when it is under a
// quarter full, and collapses a root with a single child.
func (t *Tree) rebalance(m *mtr.Mtr, path []*bufpool.Frame, slots []int) error {
	f := path[len(path)-1]
	if len(path) == 1 {
		return t.collapseRoot(m, f)
	}
	if !t.underfilled(f.Data) {
		return nil
	}
	parent := path[len(path)-2]
	ci := slots[len(slots)-1]
	if page.NumSlots(f.Data) == 0 {
		return t.discard(m, path, slots)
	}
	pn := page.NumSlots(parent.Data)
	var left, right *bufpool.Frame
	var ri int
	var err error
	switch {
	case ci+1 < pn:
		left, ri = f, ci+1
		if right, err = m.Get(t.space, nodeChild(page.Record(parent.Data, ri)), true); err != nil {
			return err
		}
	case ci > 0:
		right, ri = f, ci
		// Latch order is left to right; taking the left sibling after f is
		// safe here because the tree latch is held exclusively.
		if left, err = m.Get(t.space, nodeChild(page.Record(parent.Data, ci-1)), true); err != nil {
			return err
		}
	default:
		return t.rebalance(m, path[:len(path)-1], slots[:len(slots)-1])
	}
	leaf := isLeaf(left.Data)
	lp, rp := left.Data, right.Data
	need := page.UsedSpace(lp) + page.UsedSpace(rp)
	var sep []byte
	if !leaf {
		sep = append([]byte(nil), nodeKey(page.Record(parent.Data, ri))...)
		need += len(sep) + 8
	}
	if need > t.usable*7/8 {
		return nil
	}
	t.smo.Add(1)
	ln := page.NumSlots(lp)
	for i := 0; i < page.NumSlots(rp); i++ {
		r := page.Record(rp, i)
		if i == 0 && !leaf {
			r = appendNode(nil, sep, nodeChild(r))
		}
		if err := page.Insert(lp, ln+i, r); err != nil {
			return fmt.Errorf("btree: merge does not fit: %w", err)
		}
	}
	next := page.Next(rp)
	binary.BigEndian.PutUint32(lp[page.OffNext:], next)
	m.Image(left)
	if next != 0 {
		nf, err := m.Get(t.space, next, true)
		if err != nil {
			return err
		}
		space.Write32(m, nf, page.OffPrev, left.ID().Page())
	}
	if err := space.Free(m, right); err != nil {
		return err
	}
	if err := m.Delete(parent, ri); err != nil {
		return err
	}
	return t.rebalance(m, path[:len(path)-1], slots[:len(slots)-1])
}

// discard removes the empty last page of path from its level (whatever its
// siblings' fill): unlink it, free it, drop its entry from the parent, and
// rebalance the parent.
func (t *Tree) discard(m *mtr.Mtr, path []*bufpool.Frame, slots []int) error {
	f := path[len(path)-1]
	parent := path[len(path)-2]
	ci := slots[len(slots)-1]
	prev, next := page.Prev(f.Data), page.Next(f.Data)
	// Fix both neighbours before changing anything (a read error then fails
	// cleanly). Taking the left one after f is safe under the exclusive tree latch.
	var pf, nf *bufpool.Frame
	var err error
	if prev != 0 {
		if pf, err = m.Get(t.space, prev, true); err != nil {
			return err
		}
	}
	if next != 0 {
		if nf, err = m.Get(t.space, next, true); err != nil {
			return err
		}
	}
	t.smo.Add(1)
	if pf != nil {
		space.Write32(m, pf, page.OffNext, next)
	}
	if nf != nil {
		space.Write32(m, nf, page.OffPrev, prev)
	}
	if err := space.Free(m, f); err != nil {
		return err
	}
	if err := m.Delete(parent, ci); err != nil {
		return err
	}
	// If ci was 0, the parent's new first entry stands for the bottom of its
	// range: slot 0's key is never compared, so nothing is rewritten.
	return t.rebalance(m, path[:len(path)-1], slots[:len(slots)-1])
}

// collapseRoot pulls a lone child up into the root.
func (t *Tree) collapseRoot(m *mtr.Mtr, root *bufpool.Frame) error {
	if page.PageType(root.Data) == page.TypeInternal && page.NumSlots(root.Data) == 0 {
		t.smo.Add(1)
		_, err := m.New(t.space, t.root, page.TypeLeaf, 0) // the last child was discarded
		return err
	}
	for page.PageType(root.Data) == page.TypeInternal && page.NumSlots(root.Data) == 1 {
		t.smo.Add(1)
		c, err := m.Get(t.space, nodeChild(page.Record(root.Data, 0)), true)
		if err != nil {
			return err
		}
		copy(root.Data, c.Data)
		binary.BigEndian.PutUint32(root.Data[page.OffPageNo:], t.root)
		binary.BigEndian.PutUint32(root.Data[page.OffPrev:], 0)
		binary.BigEndian.PutUint32(root.Data[page.OffNext:], 0)
		m.Image(root)
		if err := space.Free(m, c); err != nil {
			return err
		}
	}
	return nil
}

// FreeAll releases every page of the tree except the root, and empties the root.
func (t *Tree) FreeAll(dropRoot bool) error {
	t.Latch.Lock()
	defer t.Latch.Unlock()
	var pages []uint32
	var walk func(pg uint32) error
	walk = func(pg uint32) error {
		f, err := t.env.Pool.Fix(t.space, pg)
		if err != nil {
			return err
		}
		p := f.Data
		var kids []uint32
		if page.PageType(p) == page.TypeInternal {
			for i := 0; i < page.NumSlots(p); i++ {
				kids = append(kids, nodeChild(page.Record(p, i)))
			}
		} else {
			for i := 0; i < page.NumSlots(p); i++ {
				r := page.Record(p, i)
				if leafOverflow(r) {
					for o := binary.BigEndian.Uint32(leafRest(r)[4:]); o != 0; {
						of, err := t.env.Pool.Fix(t.space, o)
						if err != nil {
							t.env.Pool.Unfix(f)
							return err
						}
						pages = append(pages, o)
						o = page.Next(of.Data)
						t.env.Pool.Unfix(of)
					}
				}
			}
		}
		t.env.Pool.Unfix(f)
		for _, k := range kids {
			pages = append(pages, k)
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(t.root); err != nil {
		return err
	}
	if dropRoot {
		pages = append(pages, t.root)
	}
	for len(pages) > 0 {
		m := t.env.Begin()
		n := min(len(pages), 64)
		for _, pg := range pages[:n] {
			f, err := m.Get(t.space, pg, true)
			if err == nil {
				err = space.Free(m, f)
			}
			if err != nil {
				return m.End(err)
			}
		}
		m.Commit()
		pages = pages[n:]
	}
	if !dropRoot {
		m := t.env.Begin()
		_, err := m.Get(t.space, t.root, true)
		if err == nil {
			_, err = m.New(t.space, t.root, page.TypeLeaf, 0)
		}
		if err := m.End(err); err != nil {
			return err
		}
	}
	t.smo.Add(1)
	return nil
}

// Create allocates a new empty tree in tablespace spaceID and returns its root page.
func Create(env *mtr.Env, spaceID uint32) (uint32, error) {
	m := env.Begin()
	f, err := space.Alloc(m, spaceID, page.TypeLeaf, 0)
	if err != nil {
		return 0, m.End(err)
	}
	root := f.ID().Page()
	m.Commit()
	return root, nil
}
