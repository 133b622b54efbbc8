package zset

import (
	"hash/maphash"
	"unsafe"
)

// store holds the members of a large set without a Go allocation per
// member: member bytes in one arena, a record per member id (arena offset,
// length, score) and an open-addressing index from member to id. Ids are
// stable for a member's lifetime; freed ids are reused. The tree orders ids.
type store struct {
	seed  maphash.Seed
	arena []byte
	recs  []rec
	free  []uint32
	dead  int // arena bytes of deleted members

	slots []uint32 // 0 empty, tombstone, or id+1
	used  int      // live entries in slots
	tombs int
}

type rec struct {
	off, len uint32
	score    float64
}

const tombstone = ^uint32(0)

func newStore(hint int) *store {
	s := &store{seed: maphash.MakeSeed()}
	s.resize(max(8, hint))
	return s
}

func (s *store) member(id uint32) string {
	r := &s.recs[id]
	return unsafe.String(unsafe.SliceData(s.arena[r.off:]), int(r.len))
}

func (s *store) hash(m string) uint64 { return maphash.String(s.seed, m) }

// find returns the id of member m.
func (s *store) find(m string) (uint32, bool) {
	mask := uint64(len(s.slots) - 1)
	for i := s.hash(m) & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			return 0, false
		}
		if v != tombstone && s.member(v-1) == m {
			return v - 1, true
		}
	}
}

// add stores a new member (not present) and returns its id.
func (s *store) add(m string, score float64) uint32 {
	if (s.used+s.tombs+1)*4 > len(s.slots)*3 {
		s.resize(s.used + 1)
	}
	var id uint32
	if n := len(s.free); n > 0 {
		id = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		id = uint32(len(s.recs))
		s.recs = append(s.recs, rec{})
	}
	s.recs[id] = rec{off: uint32(len(s.arena)), len: uint32(len(m)), score: score}
	s.arena = append(s.arena, m...)
	s.place(id)
	s.used++
	return id
}

func (s *store) place(id uint32) {
	mask := uint64(len(s.slots) - 1)
	for i := s.hash(s.member(id)) & mask; ; i = (i + 1) & mask {
		if s.slots[i] == 0 {
			s.slots[i] = id + 1
			return
		}
	}
}

// remove deletes member id.
func (s *store) remove(id uint32) {
	m := s.member(id)
	mask := uint64(len(s.slots) - 1)
	for i := s.hash(m) & mask; ; i = (i + 1) & mask {
		if s.slots[i] == id+1 {
			s.slots[i] = tombstone
			break
		}
	}
	s.used--
	s.tombs++
	s.dead += int(s.recs[id].len)
	s.recs[id] = rec{}
	s.free = append(s.free, id)
	if s.dead > 4096 && s.dead*2 > len(s.arena) {
		s.compactArena()
	}
}

// resize rebuilds the index for n live members at most 3/4 full.
func (s *store) resize(n int) {
	size := 8
	for size*3 < n*4+4 {
		size *= 2
	}
	s.slots = make([]uint32, size)
	s.tombs = 0
	isFree := make(map[uint32]bool, len(s.free))
	for _, f := range s.free {
		isFree[f] = true
	}
	for id := range s.recs {
		if !isFree[uint32(id)] {
			s.place(uint32(id))
		}
	}
}

// compactArena drops the bytes of deleted members.
func (s *store) compactArena() {
	isFree := make(map[uint32]bool, len(s.free))
	for _, f := range s.free {
		isFree[f] = true
	}
	arena := make([]byte, 0, len(s.arena)-s.dead)
	for id := range s.recs {
		if isFree[uint32(id)] {
			continue
		}
		r := &s.recs[id]
		off := len(arena)
		arena = append(arena, s.arena[r.off:r.off+r.len]...)
		r.off = uint32(off)
	}
	s.arena, s.dead = arena, 0
}

// bytes is the memory the store holds.
func (s *store) bytes() int {
	return cap(s.arena) + cap(s.recs)*int(unsafe.Sizeof(rec{})) + 4*len(s.slots) + 4*cap(s.free)
}

// dup returns a deep copy of s with the same ids, layout and capacities.
func (s *store) dup() *store {
	c := *s
	c.arena = cloneSlice(s.arena)
	c.recs = cloneSlice(s.recs)
	c.free = cloneSlice(s.free)
	c.slots = cloneSlice(s.slots)
	return &c
}

// cloneSlice copies a slice keeping its length and capacity (which MemoryUsage counts).
func cloneSlice[T any](a []T) []T {
	if a == nil {
		return nil
	}
	c := make([]T, len(a), cap(a))
	copy(c, a)
	return c
}
