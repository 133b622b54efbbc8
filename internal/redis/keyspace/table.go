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
	count int  // keys in slots and old

	// While the table is resized, old is the previous table: its home buckets below mig have
	// been moved to slots, the others may still hold keys (new keys always go to slots).
	old     []uint64
	oldBits uint
	mig     int

	chunks     []chunk
	cur        int // chunk being appended to, -1 none
	freeChunks []int32
	spare      [][]byte // released chunks ready for reuse
	quarantine [][]byte // released chunks reusable after the next CommandDone

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
	growSync       int   // tables smaller than this grow in one step (growSync; less in tests)
}

func newStore(chunkCap int) store {
	return store{cur: -1, victim: -1, chunkCap: chunkCap, compactMinDead: int64(chunkCap) / 4,
		tagHomeBits: tagBits, growSync: growSync}
}

func slotValue(h uint64, off uint64) uint64 { return h>>tagShift<<tagShift | (off + 1) }
func slotOff(v uint64) uint64               { return v&offMask - 1 }

// growSync is the largest table that grows in one step (a few hundred microseconds).
const growSync = 1 << 16

// migratePerInsert is how many old home buckets every insert moves while growing: the old
// table (3/4 full) is empty before new inserts could fill the new one.
const migratePerInsert = 16

func (s *store) homeOfHash(h uint64) int { return int(h >> (64 - s.bits)) }

// homeIn is the home slot of the key in slot value v in a table of 2^bits slots.
func (s *store) homeIn(v uint64, bits uint, seed maphash.Seed) int {
	if bits <= s.tagHomeBits {
		return int(v >> tagShift >> (tagBits - bits))
	}
	return int(maphash.Bytes(seed, s.at(slotOff(v)).key()) >> (64 - bits))
}

func (s *store) slotAt(r int) uint64 {
	if r < len(s.slots) {
		return s.slots[r]
	}
	return s.old[r-len(s.slots)]
}

func (s *store) setSlot(r int, v uint64) {
	if r < len(s.slots) {
		s.slots[r] = v
	} else {
		s.old[r-len(s.slots)] = v
	}
}

// inOld reports whether a key with hash h may still be in the old table.
func (s *store) inOld(h uint64) bool {
	return s.old != nil && int(h>>(64-s.oldBits)) >= s.mig
}

// find returns the slot of key.
func (s *store) find(key []byte, h uint64) (int, bool) {
	if s.slots == nil {
		return -1, false
	}
	if s.inOld(h) {
		if i, ok := s.probe(s.old, s.oldBits, key, h); ok {
			return len(s.slots) + i, true
		}
	}
	return s.probe(s.slots, s.bits, key, h)
}

func (s *store) probe(tab []uint64, bits uint, key []byte, h uint64) (int, bool) {
	mask := len(tab) - 1
	tag := h >> tagShift
	i := int(h >> (64 - bits))
	for {
		v := tab[i]
		if v == 0 {
			return -1, false
		}
		if v>>tagShift == tag && string(s.at(slotOff(v)).key()) == string(key) {
			return i, true
		}
		i = (i + 1) & mask
	}
}

// findSlot returns the slot holding exactly the value v of a key with hash h.
func (s *store) findSlot(h, v uint64) int {
	if s.inOld(h) {
		mask := len(s.old) - 1
		for i := int(h >> (64 - s.oldBits)); s.old[i] != 0; i = (i + 1) & mask {
			if s.old[i] == v {
				return len(s.slots) + i
			}
		}
	}
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
	switch {
	case s.slots == nil:
		s.resize(minTabBits, seed)
	case (s.count+1)*4 > len(s.slots)*3:
		s.grow(seed)
	}
	place(s.slots, s.homeOfHash(h), v)
	s.count++
	if s.old != nil {
		s.migrate(migratePerInsert, seed)
	}
}

// place puts v in the first free slot from home on.
func place(tab []uint64, home int, v uint64) {
	mask := len(tab) - 1
	i := home
	for tab[i] != 0 {
		i = (i + 1) & mask
	}
	tab[i] = v
}

// grow doubles the table: at once while it is small, else incrementally.
func (s *store) grow(seed maphash.Seed) {
	if s.old != nil {
		s.migrate(len(s.old), seed) // the previous growth must end first
	}
	if len(s.slots) < s.growSync {
		s.resize(s.bits+1, seed)
		return
	}
	s.old, s.oldBits, s.mig = s.slots, s.bits, 0
	s.bits++
	s.slots = make([]uint64, 1<<s.bits)
}

// migrate moves up to n home buckets of the old table to the new one.
func (s *store) migrate(n int, seed maphash.Seed) {
	for ; n > 0 && s.old != nil; n-- {
		b := s.mig
		mask := len(s.old) - 1
		for i := b; s.old[i] != 0; {
			v := s.old[i]
			if s.homeIn(v, s.oldBits, seed) != b {
				i = (i + 1) & mask
				continue
			}
			s.removeFrom(s.old, s.oldBits, i, seed) // a later key may shift into i
			place(s.slots, s.homeIn(v, s.bits, seed), v)
		}
		s.mig++
		if s.mig == len(s.old) {
			s.old, s.oldBits, s.mig = nil, 0, 0
		}
	}
}

// resize rebuilds the table with 2^nb slots in one step.
func (s *store) resize(nb uint, seed maphash.Seed) {
	olds := [2][]uint64{s.slots, s.old}
	s.slots = make([]uint64, 1<<nb)
	s.bits = nb
	s.old, s.oldBits, s.mig = nil, 0, 0
	for _, tab := range olds {
		for _, v := range tab {
			if v != 0 {
				place(s.slots, s.homeIn(v, nb, seed), v)
			}
		}
	}
}

// removeSlot empties slot r.
func (s *store) removeSlot(r int, seed maphash.Seed) {
	s.count--
	if r < len(s.slots) {
		s.removeFrom(s.slots, s.bits, r, seed)
	} else {
		s.removeFrom(s.old, s.oldBits, r-len(s.slots), seed)
	}
}

// removeFrom empties slot i of tab, shifting later members of its cluster back.
func (s *store) removeFrom(tab []uint64, bits uint, i int, seed maphash.Seed) {
	mask := len(tab) - 1
	for {
		tab[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			v := tab[j]
			if v == 0 {
				return
			}
			if (j-s.homeIn(v, bits, seed))&mask >= (j-i)&mask {
				tab[i] = v
				i = j
				break
			}
		}
	}
}

// maybeShrink halves the table (repeatedly) while it is less than 1/8 full, down to a load
// of at most 1/2, so growth at 3/4 does not follow at once; large tables shrink incrementally
// like they grow. It also advances a resize in progress, for workloads that only delete.
// Callers hold no slot reference.
func (s *store) maybeShrink(seed maphash.Seed) {
	if s.slots != nil && s.count == 0 {
		s.slots, s.bits = nil, 0
		s.old, s.oldBits, s.mig = nil, 0, 0
		return
	}
	if s.old != nil {
		s.migrate(migratePerInsert, seed)
		return
	}
	if s.slots == nil || s.bits <= minTabBits || s.count*8 >= len(s.slots) {
		return
	}
	nb := s.bits
	for nb > minTabBits && s.count*2 <= 1<<(nb-1) {
		nb--
	}
	if len(s.slots) < s.growSync {
		s.resize(nb, seed)
		return
	}
	s.old, s.oldBits, s.mig = s.slots, s.bits, 0
	s.bits = nb
	s.slots = make([]uint64, 1<<nb)
	s.migrate(migratePerInsert, seed)
}
