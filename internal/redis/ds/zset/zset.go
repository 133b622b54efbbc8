package zset

import (
	"unsafe"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// ZSet is a sorted set. The zero value is not usable; call New.
type ZSet struct {
	lp pack // listpack encoding, when tree == nil
	n  int  // members in lp

	tree *tree  // skiplist encoding: the order of member ids
	st   *store // skiplist encoding: members, scores, member -> id

	memberBytes int // sum of member lengths, for MemoryUsage
}

// New returns an empty set in the listpack encoding.
func New() *ZSet { return &ZSet{} }

// NewSized returns an empty set in the encoding Redis would choose for size
// members whose longest is maxLen bytes (zsetTypeCreate).
func NewSized(size, maxLen int, cfg Config) *ZSet {
	z := New()
	if size > cfg.MaxListpackEntries || maxLen > cfg.MaxListpackValue || cfg.MaxListpackEntries == 0 {
		z.toTree()
	}
	return z
}

// Len is the number of members.
func (z *ZSet) Len() int {
	if z.tree != nil {
		return z.tree.n
	}
	return z.n
}

// Encoding is the OBJECT ENCODING name: "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.tree != nil {
		return "skiplist"
	}
	return "listpack"
}

// Size estimates for MemoryUsage: the set's own header, and a tree node
// (slice headers plus a full leaf's ids) amortised per node.
const (
	headerBytes = 64
	nodeBytes   = 96 + 4*(maxLeaf+1)
)

// MemoryUsage estimates the bytes the set holds, in O(1).
func (z *ZSet) MemoryUsage() int {
	if z.tree == nil {
		return headerBytes + cap(z.lp)
	}
	return headerBytes + z.st.bytes() + z.tree.nodes*nodeBytes
}

func (z *ZSet) toTree() {
	st := newStore(z.n)
	t := newTree(st)
	for off := 0; off < len(z.lp); {
		m, s, next := z.lp.entryAt(off)
		t.insert(st.add(unsafeString(m), s))
		off = next
	}
	z.tree, z.st, z.lp, z.n = t, st, nil, 0
}

// shrink rebuilds the skiplist encoding when most member ids are free, so a
// set that grew large and then emptied gives its records and index back.
func (z *ZSet) shrink() {
	if len(z.st.recs) <= 1024 || z.tree.n*4 >= len(z.st.recs) {
		return
	}
	st := newStore(z.tree.n)
	t := newTree(st)
	z.tree.ascend(0, func(id item) bool {
		t.insert(st.add(z.st.member(id), z.st.recs[id].score))
		return true
	})
	z.tree, z.st = t, st
}

// Compact converts a skiplist-encoded set back to listpack when it fits
// cfg, as Redis does for the results of ZUNIONSTORE, ZRANGESTORE and such.
func (z *ZSet) Compact(cfg Config) {
	if z.tree == nil || !cfg.FitsListpack(z.tree.n, 0) {
		return
	}
	maxLen := 0
	z.tree.ascend(0, func(id item) bool {
		maxLen = max(maxLen, int(z.st.recs[id].len))
		return true
	})
	if maxLen > cfg.MaxListpackValue {
		return
	}
	lp := make(pack, 0, z.memberBytes+z.tree.n*9)
	z.tree.ascend(0, func(id item) bool {
		lp = appendEntry(lp, z.st.member(id), z.st.recs[id].score)
		return true
	})
	z.lp, z.n, z.tree, z.st = lp, z.tree.n, nil, nil
}

// Score returns member's score.
func (z *ZSet) Score(member string) (float64, bool) {
	if z.tree != nil {
		id, ok := z.st.find(member)
		if !ok {
			return 0, false
		}
		return z.st.recs[id].score, true
	}
	off, _, s := z.lp.find(member)
	return s, off >= 0
}

// Add sets member's score, inserting it if absent; it reports whether the
// member was new. The set converts to the skiplist encoding past cfg.
func (z *ZSet) Add(member string, score float64, cfg Config) (added bool) {
	if z.tree == nil {
		off, _, old := z.lp.find(member)
		if off >= 0 {
			if old == score {
				return false
			}
			z.removeAt(off)
			z.insertPacked(member, score)
			return false
		}
		if z.n+1 > cfg.MaxListpackEntries || len(member) > cfg.MaxListpackValue {
			z.toTree()
		} else {
			z.insertPacked(member, score)
			z.memberBytes += len(member)
			return true
		}
	}
	if id, ok := z.st.find(member); ok {
		if z.st.recs[id].score == score {
			return false
		}
		z.tree.remove(id)
		z.st.recs[id].score = score
		z.tree.insert(id)
		return false
	}
	z.tree.insert(z.st.add(member, score))
	z.memberBytes += len(member)
	return true
}

func (z *ZSet) insertPacked(member string, score float64) {
	off, _ := z.lp.insertPos(score, member)
	var tmp [80]byte
	e := appendEntry(tmp[:0], member, score)
	z.lp = append(z.lp, e...)
	copy(z.lp[off+len(e):], z.lp[off:])
	copy(z.lp[off:], e)
	z.n++
}

func (z *ZSet) removeAt(off int) {
	_, _, next := z.lp.entryAt(off)
	z.lp = append(z.lp[:off], z.lp[next:]...)
	z.n--
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member string) bool {
	if z.tree == nil {
		off, _, _ := z.lp.find(member)
		if off < 0 {
			return false
		}
		z.removeAt(off)
		z.memberBytes -= len(member)
		return true
	}
	id, ok := z.st.find(member)
	if !ok {
		return false
	}
	z.tree.remove(id)
	z.st.remove(id)
	z.memberBytes -= len(member)
	z.shrink()
	return true
}

// Rank returns member's 0-based rank in ascending order.
func (z *ZSet) Rank(member string) (int, bool) {
	if z.tree == nil {
		off, r, _ := z.lp.find(member)
		return r, off >= 0
	}
	id, ok := z.st.find(member)
	if !ok {
		return 0, false
	}
	return z.tree.rank(id), true
}

// At returns the member of rank r (0 <= r < Len()).
func (z *ZSet) At(r int) (string, float64) {
	if z.tree == nil {
		m, s, _ := z.lp.entryAt(z.lp.offsetOf(r))
		return string(m), s
	}
	id := z.tree.at(r)
	return string([]byte(z.st.member(id))), z.st.recs[id].score
}

// Range calls fn for ranks start..stop inclusive (0 <= start <= stop <
// Len()), ascending, or when rev from rank stop down to rank start, until fn
// returns false. Ranks are always ascending ranks. The member string passed
// to fn aliases the set's memory: valid only during the call, and fn must
// not change the set.
func (z *ZSet) Range(start, stop int, rev bool, fn func(member string, score float64) bool) {
	if start > stop || start < 0 {
		return
	}
	if z.tree != nil {
		k := stop - start + 1
		f := func(id item) bool {
			k--
			return fn(z.st.member(id), z.st.recs[id].score) && k > 0
		}
		if rev {
			z.tree.descend(stop, f)
		} else {
			z.tree.ascend(start, f)
		}
		return
	}
	if !rev {
		off := z.lp.offsetOf(start)
		for r := start; r <= stop; r++ {
			m, s, next := z.lp.entryAt(off)
			if !fn(unsafeString(m), s) {
				return
			}
			off = next
		}
		return
	}
	var offs [256]int
	o := offs[:0]
	off := z.lp.offsetOf(start)
	for r := start; r <= stop; r++ {
		o = append(o, off)
		_, _, off = z.lp.entryAt(off)
	}
	for i := len(o) - 1; i >= 0; i-- {
		m, s, _ := z.lp.entryAt(o[i])
		if !fn(unsafeString(m), s) {
			return
		}
	}
}

// Ascend calls fn for every member in ascending (score, member) order until
// fn returns false (the iteration SORT and RDB use).
func (z *ZSet) Ascend(fn func(member string, score float64) bool) {
	z.Range(0, z.Len()-1, false, fn)
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// bound returns how many members satisfy before, a predicate true for a
// prefix of the order.
func (z *ZSet) bound(before func(score float64, member string) bool) int {
	if z.tree != nil {
		return z.tree.bound(before)
	}
	r := 0
	for off := 0; off < len(z.lp); r++ {
		m, s, next := z.lp.entryAt(off)
		if !before(s, unsafeString(m)) {
			return r
		}
		off = next
	}
	return r
}

// ScoreRange is a score interval; Min/Max may be infinite.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// Empty reports whether no score can fall in r.
func (r ScoreRange) Empty() bool {
	return r.Min > r.Max || (r.Min == r.Max && (r.MinEx || r.MaxEx))
}

// ScoreRanks returns the half-open rank interval [lo, hi) of the members
// whose score is in r.
func (z *ZSet) ScoreRanks(r ScoreRange) (lo, hi int) {
	if r.Empty() {
		return 0, 0
	}
	lo = z.bound(func(s float64, _ string) bool {
		if r.MinEx {
			return s <= r.Min
		}
		return s < r.Min
	})
	hi = z.bound(func(s float64, _ string) bool {
		if r.MaxEx {
			return s < r.Max
		}
		return s <= r.Max
	})
	return lo, max(lo, hi)
}

// LexBound is one end of a lexicographic range: Inf is -1 for "-", +1 for
// "+", 0 for a member bound (Ex: exclusive "(", else "[").
type LexBound struct {
	Inf    int
	Member string
	Ex     bool
}

// LexRange is a member interval, meaningful when all scores are equal.
type LexRange struct{ Min, Max LexBound }

// Empty reports whether no member can fall in r.
func (r LexRange) Empty() bool {
	if r.Min.Inf == 1 || r.Max.Inf == -1 {
		return true
	}
	if r.Min.Inf != 0 || r.Max.Inf != 0 {
		return false
	}
	return r.Min.Member > r.Max.Member || (r.Min.Member == r.Max.Member && (r.Min.Ex || r.Max.Ex))
}

// LexRanks returns the half-open rank interval [lo, hi) of members in r.
func (z *ZSet) LexRanks(r LexRange) (lo, hi int) {
	if r.Empty() {
		return 0, 0
	}
	lo = z.bound(func(_ float64, m string) bool {
		switch r.Min.Inf {
		case -1:
			return false
		case 1:
			return true
		}
		if r.Min.Ex {
			return m <= r.Min.Member
		}
		return m < r.Min.Member
	})
	hi = z.bound(func(_ float64, m string) bool {
		switch r.Max.Inf {
		case -1:
			return false
		case 1:
			return true
		}
		if r.Max.Ex {
			return m < r.Max.Member
		}
		return m <= r.Max.Member
	})
	return lo, max(lo, hi)
}

// RemoveRanks deletes the members of ranks start..stop inclusive and
// returns how many it removed.
func (z *ZSet) RemoveRanks(start, stop int) int {
	if start < 0 || stop >= z.Len() || start > stop {
		return 0
	}
	k := stop - start + 1
	if z.tree == nil {
		off := z.lp.offsetOf(start)
		end := off
		for i := 0; i < k; i++ {
			m, _, next := z.lp.entryAt(end)
			z.memberBytes -= len(m)
			end = next
		}
		z.lp = append(z.lp[:off], z.lp[end:]...)
		z.n -= k
		return k
	}
	for i := 0; i < k; i++ {
		id := z.tree.at(start)
		z.memberBytes -= int(z.st.recs[id].len)
		z.tree.remove(id)
		z.st.remove(id)
	}
	z.shrink()
	return k
}

// Type is the keyspace type of a sorted set.
func (z *ZSet) Type() keyspace.Type { return keyspace.TypeZSet }

// Dup returns a deep copy of z in the same encoding (COPY), sharing no memory with z.
func (z *ZSet) Dup() keyspace.Object {
	c := &ZSet{lp: cloneSlice(z.lp), n: z.n, memberBytes: z.memberBytes}
	if z.tree != nil {
		c.st = z.st.dup()
		c.tree = z.tree.dup(c.st)
	}
	return c
}
