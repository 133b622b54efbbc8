package list

import "github.com/tandem-db/tandem/internal/redis/keyspace"

// Config holds the list encoding thresholds that CONFIG SET can change at run time.
type Config struct {
	// MaxPackSize is list-max-listpack-size: a positive value bounds the entries per node, -1..-5
	// bound a node's bytes to 4, 8, 16, 32 or 64 KB.
	MaxPackSize int
}

// DefaultConfig returns Redis 7.0's defaults.
func DefaultConfig() Config { return Config{MaxPackSize: -2} }

// sizeSafetyLimit bounds a node's bytes when MaxPackSize counts entries, as Redis does.
const sizeSafetyLimit = 8192

var byteLimits = [...]int{4096, 8192, 16384, 32768, 65536}

// allows reports whether a node of size bytes holding n entries may take one more entry of
// entrySize bytes.
func (c Config) allows(size, n, entrySize int) bool {
	if n == 0 {
		return true
	}
	newSize := size + entrySize
	if c.MaxPackSize >= 0 {
		return n < c.MaxPackSize && newSize <= sizeSafetyLimit
	}
	lvl := -c.MaxPackSize - 1
	if lvl >= len(byteLimits) {
		lvl = len(byteLimits) - 1
	}
	return newSize <= byteLimits[lvl]
}

// newNodeCap is the capacity to give a node created next to a full one of size bytes, for an
// entry of entrySize bytes: nodes of a long list fill up, so they are allocated once at their
// final size instead of growing by copies.
func (c Config) newNodeCap(size, entrySize int) int {
	limit := size // count-bounded nodes: as big as the full neighbour
	if c.MaxPackSize < 0 {
		lvl := min(-c.MaxPackSize-1, len(byteLimits)-1)
		limit = byteLimits[lvl]
	}
	return max(min(limit, sizeSafetyLimit*8), entrySize)
}

// fits reports whether a node is within the limits (used after an insert or replace in the middle).
func (c Config) fits(size, n int) bool {
	if n <= 1 {
		return true
	}
	if c.MaxPackSize >= 0 {
		return n <= c.MaxPackSize && size <= sizeSafetyLimit
	}
	lvl := -c.MaxPackSize - 1
	if lvl >= len(byteLimits) {
		lvl = len(byteLimits) - 1
	}
	return size <= byteLimits[lvl]
}

type node struct {
	p Pack // the entries, at base[front:]
	// base is the allocation p lives in, set while front > 0: a node at the head keeps free
	// bytes before its entries, so LPUSH and LPOP do not move the whole pack.
	base       Pack
	front      int
	n          int
	prev, next *node
}

// size is the bytes of nd's allocation, what MemoryUsage counts.
func (nd *node) size() int { return nd.front + cap(nd.p) }

// sameStart reports whether a and b start at the same byte of the same allocation.
func sameStart(a, b Pack) bool { return cap(a) > 0 && cap(b) > 0 && &a[:1][0] == &b[:1][0] }

const (
	nodeOverhead = 64 // node struct plus its slice allocation header, rounded to Go's size class
	listOverhead = 48
)

// List is a Redis list: a chain of Packs (a quicklist).
type List struct {
	head, tail *node
	n          int
	nodes      int
	mem        int // sum of node pack capacities
}

// New returns an empty list.
func New() *List { return &List{} }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// Encoding returns the OBJECT ENCODING name: Redis 7.0 lists are always quicklists.
func (l *List) Encoding() string { return "quicklist" }

// MemoryUsage returns the bytes the list holds, kept incrementally.
func (l *List) MemoryUsage() int { return listOverhead + l.mem + l.nodes*nodeOverhead }

// Nodes returns the number of quicklist nodes (for DEBUG/tests).
func (l *List) Nodes() int { return l.nodes }

// setPack replaces nd's entries with p: a change in place (p starts where nd.p does) or a new
// allocation, which drops the free bytes before the old one.
func (l *List) setPack(nd *node, p Pack) {
	old := nd.size()
	if nd.front > 0 && !sameStart(p, nd.p) {
		nd.base, nd.front = nil, 0
	}
	nd.p = p
	l.mem += nd.size() - old
}

func (l *List) linkAfter(at, nd *node) {
	l.nodes++
	l.mem += nd.size()
	nd.prev = at
	if at == nil {
		nd.next = l.head
		if l.head != nil {
			l.head.prev = nd
		}
		l.head = nd
	} else {
		nd.next = at.next
		if at.next != nil {
			at.next.prev = nd
		}
		at.next = nd
	}
	if nd.next == nil {
		l.tail = nd
	}
}

func (l *List) unlink(nd *node) {
	l.nodes--
	l.mem -= nd.size()
	if nd.prev != nil {
		nd.prev.next = nd.next
	} else {
		l.head = nd.next
	}
	if nd.next != nil {
		nd.next.prev = nd.prev
	} else {
		l.tail = nd.prev
	}
	nd.prev, nd.next = nil, nil
}

// Push adds v at the head (tail false) or the tail.
func (l *List) Push(v []byte, tail bool, cfg Config) {
	sz := EntrySize(len(v))
	if tail {
		nd := l.tail
		if nd == nil || !cfg.allows(len(nd.p), nd.n, sz) {
			nd = newNeighbour(nd, sz, cfg)
			l.linkAfter(l.tail, nd)
		}
		l.setPack(nd, nd.p.Append(v))
		nd.n++
	} else {
		nd := l.head
		if nd == nil || !cfg.allows(len(nd.p), nd.n, sz) {
			nd = newNeighbour(nd, sz, cfg)
			if nd.p != nil {
				// A new head fills towards the front: all its room is before its entries.
				nd.base, nd.front = nd.p[:cap(nd.p)], cap(nd.p)
				nd.p = nd.base[nd.front:]
			}
			l.linkAfter(nil, nd)
		}
		if nd.front >= sz {
			nd.front -= sz
			nd.p = nd.base[nd.front : nd.front+sz+len(nd.p)]
			putEntry(nd.p, v)
		} else {
			l.setPack(nd, nd.p.InsertAt(0, v))
		}
		nd.n++
	}
	l.n++
}

// newNeighbour returns the node to create next to full (nil for an empty list).
func newNeighbour(full *node, entrySize int, cfg Config) *node {
	if full == nil {
		return &node{}
	}
	return &node{p: make(Pack, 0, cfg.newNodeCap(len(full.p), entrySize))}
}

// Pop removes and returns (as a copy) the head (tail false) or tail element; ok is false when
// empty.
func (l *List) Pop(tail bool) (v []byte, ok bool) {
	e, ok := l.Peek(tail)
	if !ok {
		return nil, false
	}
	v = append([]byte(nil), e...)
	l.Drop(tail)
	return v, true
}

// Peek returns the head (tail false) or tail element, aliasing the list's memory until its next
// change; ok is false when empty.
func (l *List) Peek(tail bool) (v []byte, ok bool) {
	nd := l.head
	if tail {
		nd = l.tail
	}
	if nd == nil {
		return nil, false
	}
	pos := 0
	if tail {
		pos = nd.p.Prev(len(nd.p))
	}
	v, _ = nd.p.Entry(pos)
	return v, true
}

// Drop removes the head (tail false) or tail element of a non-empty list.
func (l *List) Drop(tail bool) {
	if !tail {
		l.deleteAt(l.head, 0)
		return
	}
	nd := l.tail
	l.deleteAt(nd, nd.p.Prev(len(nd.p)))
}

// deleteAt removes the entry at pos of nd, unlinking nd when it becomes empty. It reports
// whether the node was removed.
func (l *List) deleteAt(nd *node, pos int) bool {
	l.n--
	nd.n--
	if nd.n == 0 {
		l.unlink(nd)
		return true
	}
	if pos == 0 {
		// Drop the first entry by moving the start of p: its bytes become free room in front.
		_, next := nd.p.Entry(0)
		if nd.front == 0 {
			nd.base = nd.p[:cap(nd.p)]
		}
		nd.front += next
		nd.p = nd.p[next:]
		return false
	}
	nd.p = nd.p.DeleteAt(pos)
	return false
}

// locate returns the node and byte position of element i (0 <= i < Len).
func (l *List) locate(i int) (*node, int) {
	if i < l.n/2 {
		nd := l.head
		for i >= nd.n {
			i -= nd.n
			nd = nd.next
		}
		return nd, packPos(nd, i)
	}
	j := l.n - 1 - i // index from the tail
	nd := l.tail
	for j >= nd.n {
		j -= nd.n
		nd = nd.prev
	}
	return nd, packPos(nd, nd.n-1-j)
}

// packPos returns the byte position of the i-th entry of nd, walking from the nearer end.
func packPos(nd *node, i int) int {
	if i <= nd.n/2 {
		pos := 0
		for ; i > 0; i-- {
			_, pos = nd.p.Entry(pos)
		}
		return pos
	}
	pos := len(nd.p)
	for k := nd.n - i; k > 0; k-- {
		pos = nd.p.Prev(pos)
	}
	return pos
}

// Index returns element i (0 <= i < Len), aliasing the list's memory until its next change.
func (l *List) Index(i int) []byte {
	nd, pos := l.locate(i)
	v, _ := nd.p.Entry(pos)
	return v
}

// Set replaces element i (0 <= i < Len).
func (l *List) Set(i int, v []byte, cfg Config) {
	nd, pos := l.locate(i)
	l.setPack(nd, nd.p.ReplaceAt(pos, v))
	l.splitIfNeeded(nd, cfg)
}

// insertAt inserts v before the entry at pos of nd (pos may be len(nd.p)).
func (l *List) insertAt(nd *node, pos int, v []byte, cfg Config) {
	l.setPack(nd, nd.p.InsertAt(pos, v))
	nd.n++
	l.n++
	l.splitIfNeeded(nd, cfg)
}

// splitIfNeeded splits nd in halves until every part fits the configured node size.
func (l *List) splitIfNeeded(nd *node, cfg Config) {
	for !cfg.fits(len(nd.p), nd.n) {
		half := nd.n / 2
		pos := packPos(nd, half)
		right := &node{p: append(Pack(nil), nd.p[pos:]...), n: nd.n - half}
		left := append(Pack(nil), nd.p[:pos]...)
		l.setPack(nd, left)
		nd.n = half
		l.linkAfter(nd, right)
		if !cfg.fits(len(right.p), right.n) {
			l.splitIfNeeded(right, cfg)
		}
	}
}

// DeleteRange removes count elements starting at index start (both within bounds).
func (l *List) DeleteRange(start, count int) {
	if count <= 0 {
		return
	}
	nd, pos := l.locate(start)
	for count > 0 {
		next := nd.next
		// count entries of nd from pos on.
		end := pos
		k := 0
		for end < len(nd.p) && k < count {
			_, end = nd.p.Entry(end)
			k++
		}
		count -= k
		l.n -= k
		nd.n -= k
		if nd.n == 0 {
			l.unlink(nd)
		} else {
			nd.p = nd.p.DeleteRange(pos, end)
		}
		nd, pos = next, 0
	}
}

// Iter walks the list from an index in either direction, and can delete or insert at the
// element it stands on.
type Iter struct {
	l       *List
	nd      *node
	pos     int
	rev     bool
	started bool
	moved   bool // the current element was deleted: pos is the position after it
}

// IterFrom returns an iterator whose first Next stands on element start (0 <= start < Len, or
// any value for an empty list), moving towards the tail, or towards the head when rev.
func (l *List) IterFrom(start int, rev bool) *Iter {
	it := &Iter{l: l, rev: rev}
	if start >= 0 && start < l.n {
		it.nd, it.pos = l.locate(start)
	}
	return it
}

// Next moves to the next element and reports whether there is one.
func (it *Iter) Next() bool {
	if it.nd == nil {
		return false
	}
	if !it.started {
		it.started = true
		return true
	}
	if !it.rev {
		if !it.moved {
			_, it.pos = it.nd.p.Entry(it.pos)
		}
		it.moved = false
		if it.pos >= len(it.nd.p) {
			it.nd, it.pos = it.nd.next, 0
		}
		return it.nd != nil
	}
	it.moved = false
	if prev := it.nd.p.Prev(it.pos); prev >= 0 {
		it.pos = prev
		return true
	}
	it.nd = it.nd.prev
	if it.nd == nil {
		return false
	}
	it.pos = it.nd.p.Prev(len(it.nd.p))
	return true
}

// Value returns the current element, aliasing list memory until the next change.
func (it *Iter) Value() []byte {
	v, _ := it.nd.p.Entry(it.pos)
	return v
}

// Delete removes the current element; Next then continues with the element after it.
func (it *Iter) Delete() {
	nd := it.nd
	it.moved = true // pos now stands after the removed element
	if it.l.deleteAt(nd, it.pos) {
		if it.rev {
			it.nd = nd.prev
			if it.nd != nil {
				it.pos = len(it.nd.p)
			}
		} else {
			it.nd, it.pos = nd.next, 0
		}
	}
}

// Insert puts v before (after false) or after the current element. The iterator must not be
// used afterwards.
func (it *Iter) Insert(v []byte, after bool, cfg Config) {
	pos := it.pos
	if after {
		_, pos = it.nd.p.Entry(pos)
	}
	it.l.insertAt(it.nd, pos, v, cfg)
	it.nd = nil
}

// Range calls fn for elements start..stop (inclusive, clamped by the caller) in order, with
// values aliasing the list's memory.
func (l *List) Range(start, stop int, fn func(v []byte)) {
	if start > stop || start >= l.n {
		return
	}
	nd, pos := l.locate(start)
	for n := stop - start + 1; n > 0 && nd != nil; nd, pos = nd.next, 0 {
		p := nd.p
		for pos < len(p) && n > 0 {
			var v []byte
			v, pos = p.Entry(pos)
			fn(v)
			n--
		}
	}
}

// clone copies nd, with the same allocation size and free room in front, sharing no memory.
func (nd *node) clone() *node {
	if nd.front == 0 {
		return &node{p: nd.p.Clone(), n: nd.n}
	}
	base := make(Pack, nd.size())
	copy(base[nd.front:], nd.p)
	return &node{p: base[nd.front : nd.front+len(nd.p)], base: base, front: nd.front, n: nd.n}
}

// Type implements keyspace.Object.
func (l *List) Type() keyspace.Type { return keyspace.TypeList }

// Dup returns a deep copy of l (COPY): the same elements in the same node layout, so its
// encoding and MemoryUsage are l's, sharing no memory with l.
func (l *List) Dup() keyspace.Object {
	c := &List{n: l.n}
	for nd := l.head; nd != nil; nd = nd.next {
		c.linkAfter(c.tail, nd.clone())
	}
	return c
}
