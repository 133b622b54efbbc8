package keyspace

import "hash/maphash"

// The index: an open-addressing hash table of uint64 slots with linear probing and
// backward-shift deletion (no tombstones). A slot holds the top 24 bits of the key's hash
// (tag) and its arena offset + 1; 0 is an empty slot. A key's home slot is given by the TOP
// bits of its hash, so the table is ordered by hash prefix: growing splits slot i into 2i and
// 2i+1 and shrinking merges them, which is what makes SCAN's cursor (a bit-reversed hash
// prefix, see DB.Scan) stable across resizes. While the table has at most 2^24 slots the
// home of a slot is computed from its tag alone; larger tables re-hash the key from the arena.

const (
	tagShift   = 40
	offMask    = 1<<tagShift - 1
	minTabBits = 4
	tagBits    = 64 - tagShift
)

// store is the content of one DB; Swap exchanges stores.
type store struct {
	slots []uint64
	bits  uint // len(slots) == 1<<bits when slots != nil
	count int

	chunks     []chunk
	cur        int // chunk being appended to, -1 none
	freeChunks []int32
	spare      [][]byte

	expires []uint64 // arena offsets of the entries with a TTL, for sampling

	objs    []Object // side table of non-string values
	objMem  []int64  // MemoryUsage of objs[i] as last accounted
	objFree []uint32

	live     int64 // bytes of live entries
	dead     int64 // bytes of dead entries in chunks not yet released
	arena    int64 // bytes used in chunks (live + dead)
	objBytes int64 // sum of objMem
	debt     int64 // dead bytes produced since the last compaction step

	victim    int // chunk being compacted, -1 none
	victimPos int

	chunkCap       int   // capacity of a full chunk (chunkSize; smaller in tests)
	compactMinDead int64 // no compaction below this many dead bytes
	tagHomeBits    uint  // tables up to 2^tagHomeBits slots compute homes from tags (tagBits; less in tests)
}

func newStore(chunkCap int) store {
	return store{cur: -1, victim: -1, chunkCap: chunkCap, compactMinDead: int64(chunkCap) / 4, tagHomeBits: tagBits}
}

func slotValue(h uint64, off uint64) uint64 { return h>>tagShift<<tagShift | (off + 1) }
func slotOff(v uint64) uint64               { return v&offMask - 1 }

// home is the home slot of a key with hash h.
func (s *store) homeOfHash(h uint64) int { return int(h >> (64 - s.bits)) }

// home is the home slot of the key in slot value v.
func (s *store) home(v uint64, seed maphash.Seed) int {
	if s.bits <= s.tagHomeBits {
		return int(v >> tagShift >> (tagBits - s.bits))
	}
	return s.homeOfHash(maphash.Bytes(seed, s.at(slotOff(v)).key()))
}

// find returns the slot of key (found) or the empty slot where it would go.
func (s *store) find(key []byte, h uint64) (int, bool) {
	if s.slots == nil {
		return -1, false
	}
	mask := len(s.slots) - 1
	tag := h >> tagShift
	i := s.homeOfHash(h)
	for {
		v := s.slots[i]
		if v == 0 {
			return i, false
		}
		if v>>tagShift == tag && string(s.at(slotOff(v)).key()) == string(key) {
			return i, true
		}
		i = (i + 1) & mask
	}
}

// findSlot returns the slot holding exactly the value v of a key with hash h.
func (s *store) findSlot(h, v uint64) int {
	mask := len(s.slots) - 1
	i := s.homeOfHash(h)
	for s.slots[i] != v {
		if s.slots[i] == 0 {
			panic("keyspace: arena entry missing from the index")
		}
		i = (i + 1) & mask
	}
	return i
}

// insertSlot stores a new key's slot value; the key must be absent.
func (s *store) insertSlot(h, v uint64, seed maphash.Seed) {
	if s.slots == nil || (s.count+1)*4 > len(s.slots)*3 {
		nb := uint(minTabBits)
		if s.slots != nil {
			nb = s.bits + 1
		}
		s.resize(nb, seed)
	}
	mask := len(s.slots) - 1
	i := s.homeOfHash(h)
	for s.slots[i] != 0 {
		i = (i + 1) & mask
	}
	s.slots[i] = v
	s.count++
}

func (s *store) resize(nb uint, seed maphash.Seed) {
	old := s.slots
	s.slots = make([]uint64, 1<<nb)
	s.bits = nb
	mask := len(s.slots) - 1
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := s.home(v, seed)
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}

// removeSlot empties slot i, shifting later members of its cluster back.
func (s *store) removeSlot(i int, seed maphash.Seed) {
	mask := len(s.slots) - 1
	s.count--
	for {
		s.slots[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			v := s.slots[j]
			if v == 0 {
				return
			}
			if (j-s.home(v, seed))&mask >= (j-i)&mask {
				s.slots[i] = v
				i = j
				break
			}
		}
	}
}

// maybeShrink halves the table (repeatedly) while it is less than 1/8 full, down to a load
// of at most 1/2, so growth at 3/4 does not follow at once.
func (s *store) maybeShrink(seed maphash.Seed) {
	if s.slots != nil && s.count == 0 {
		s.slots, s.bits = nil, 0
		return
	}
	if s.slots == nil || s.bits <= minTabBits || s.count*8 >= len(s.slots) {
		return
	}
	nb := s.bits
	for nb > minTabBits && s.count*2 <= 1<<(nb-1) {
		nb--
	}
	s.resize(nb, seed)
}
