package set

import (
	"encoding/binary"
	"hash/maphash"
	"math/rand/v2"
)

// Dict is an open-addressing hash table of byte-string keys, each with an optional byte-string
// value, stored in one arena. The zero Dict is not usable; call NewDict.
type Dict struct {
	seed  maphash.Seed
	slots []uint64 // 0: empty; otherwise hash<<32 | (offset+1)
	shift uint     // 32 - log2(len(slots))
	// chunks hold the entries, uvarint(klen) key [uvarint(vlen) value], never across two
	// chunks; an offset is chunk<<chunkBits | position. Fixed-size chunks mean growth never
	// copies (or leaves behind) the bytes already stored; only the first chunk grows by copying
	// until it reaches chunkSize, so small dictionaries stay small.
	chunks   [][]byte
	used     int // bytes in chunks (live and dead)
	chunkCap int // sum of chunk capacities
	n        int
	dead     int // bytes of removed or replaced entries
	values   bool
}

const (
	minSlots     = 8
	dictOverhead = 96
	chunkBits    = 16
	chunkSize    = 1 << chunkBits
	maxChunks    = 1 << (32 - chunkBits)
)

// NewDict returns an empty Dict; withValues makes every key carry a value (hashes).
func NewDict(withValues bool, sizeHint int) *Dict {
	d := &Dict{seed: maphash.MakeSeed(), values: withValues}
	d.resize(slotsFor(sizeHint))
	return d
}

func slotsFor(n int) int {
	s := minSlots
	for s*3 < n*4 { // load factor at most 3/4
		s *= 2
	}
	return s
}

// Len returns the number of keys.
func (d *Dict) Len() int { return d.n }

// MemoryUsage returns the bytes held by the index and the arena.
func (d *Dict) MemoryUsage() int {
	return dictOverhead + 8*len(d.slots) + d.chunkCap + 24*cap(d.chunks)
}

func (d *Dict) hash(key []byte) uint32 {
	return uint32(maphash.Bytes(d.seed, key))
}

func (d *Dict) home(h uint32) int { return int(h >> d.shift) }

// entry decodes the entry at offset off.
func (d *Dict) entry(off int) (key, val []byte, size int) {
	start := off & (chunkSize - 1)
	key, val, end := entryIn(d.chunks[off>>chunkBits], start, d.values)
	return key, val, end - start
}

func slotOffset(s uint64) int { return int(uint32(s)) - 1 }

// find returns the slot index of key, or -1.
func (d *Dict) find(key []byte, h uint32) int {
	mask := len(d.slots) - 1
	for i := d.home(h); ; i = (i + 1) & mask {
		s := d.slots[i]
		if s == 0 {
			return -1
		}
		if uint32(s>>32) == h {
			if k, _, _ := d.entry(slotOffset(s)); string(k) == string(key) {
				return i
			}
		}
	}
}

// place puts slot value s into the table (key known to be absent).
func (d *Dict) place(s uint64) {
	mask := len(d.slots) - 1
	i := d.home(uint32(s >> 32))
	for d.slots[i] != 0 {
		i = (i + 1) & mask
	}
	d.slots[i] = s
}

func (d *Dict) resize(n int) {
	old := d.slots
	d.slots = make([]uint64, n)
	bits := uint(0)
	for 1<<bits < n {
		bits++
	}
	d.shift = 32 - bits
	for _, s := range old {
		if s != 0 {
			d.place(s)
		}
	}
}

// Get returns the value of key (nil for a set) and whether it is present.
func (d *Dict) Get(key []byte) (val []byte, ok bool) {
	i := d.find(key, d.hash(key))
	if i < 0 {
		return nil, false
	}
	_, v, _ := d.entry(slotOffset(d.slots[i]))
	return v, true
}

// Has reports whether key is present.
func (d *Dict) Has(key []byte) bool { return d.find(key, d.hash(key)) >= 0 }

func (d *Dict) entrySize(key, val []byte) int {
	size := uvarintLen(len(key)) + len(key)
	if d.values {
		size += uvarintLen(len(val)) + len(val)
	}
	return size
}

func uvarintLen(x int) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// appendEntry stores an entry and returns its offset.
func (d *Dict) appendEntry(key, val []byte) int {
	size := d.entrySize(key, val)
	last := len(d.chunks) - 1
	if last < 0 || len(d.chunks[last])+size > cap(d.chunks[last]) {
		switch {
		case last == 0 && cap(d.chunks[0]) < chunkSize && len(d.chunks[0])+size <= chunkSize:
			// the first chunk grows (by copying) up to chunkSize
			c := d.chunks[0]
			nc := make([]byte, len(c), min(chunkSize, max(2*cap(c), len(c)+size)))
			copy(nc, c)
			d.chunkCap += cap(nc) - cap(c)
			d.chunks[0] = nc
		default:
			if len(d.chunks) >= maxChunks {
				panic("set: dictionary exceeds 4 GB")
			}
			c := max(size, chunkSize)
			if last < 0 {
				c = max(size, 256)
			}
			d.chunks = append(d.chunks, make([]byte, 0, c))
			d.chunkCap += c
			last = len(d.chunks) - 1
		}
	}
	c := d.chunks[last]
	off := last<<chunkBits | len(c)
	c = binary.AppendUvarint(c, uint64(len(key)))
	c = append(c, key...)
	if d.values {
		c = binary.AppendUvarint(c, uint64(len(val)))
		c = append(c, val...)
	}
	d.chunks[last] = c
	d.used += size
	return off
}

// Set inserts key or replaces its value; it reports whether key is new.
func (d *Dict) Set(key, val []byte) bool {
	h := d.hash(key)
	if i := d.find(key, h); i >= 0 {
		if !d.values {
			return false
		}
		off := slotOffset(d.slots[i])
		_, old, size := d.entry(off)
		if len(old) == len(val) {
			copy(old[:len(val)], val)
			return false
		}
		noff := d.appendEntry(key, val)
		d.slots[i] = uint64(h)<<32 | uint64(noff+1)
		d.dead += size
		d.maybeCompact()
		return false
	}
	if (d.n+1)*4 > len(d.slots)*3 {
		d.resize(len(d.slots) * 2)
	}
	off := d.appendEntry(key, val)
	d.place(uint64(h)<<32 | uint64(off+1))
	d.n++
	return true
}

// Delete removes key and reports whether it was present.
func (d *Dict) Delete(key []byte) bool {
	i := d.find(key, d.hash(key))
	if i < 0 {
		return false
	}
	d.deleteSlot(i)
	return true
}

// deleteSlot removes the entry of slot i with backward-shift deletion (no tombstones).
func (d *Dict) deleteSlot(i int) {
	_, _, size := d.entry(slotOffset(d.slots[i]))
	d.dead += size
	d.n--
	mask := len(d.slots) - 1
	j := i
	for {
		j = (j + 1) & mask
		s := d.slots[j]
		if s == 0 {
			break
		}
		k := d.home(uint32(s >> 32))
		// the entry at j may stay if its home lies cyclically in (i, j].
		if i <= j {
			if i < k && k <= j {
				continue
			}
		} else if i < k || k <= j {
			continue
		}
		d.slots[i] = s
		i = j
	}
	d.slots[i] = 0
	if len(d.slots) > minSlots && d.n*8 < len(d.slots) {
		d.resize(len(d.slots) / 2)
	}
	d.maybeCompact()
}

// maybeCompact rewrites the entries into fresh chunks when more than half of the bytes are dead.
func (d *Dict) maybeCompact() {
	if d.dead < 256 || d.dead*2 < d.used {
		return
	}
	old := d.chunks
	d.chunks, d.used, d.chunkCap, d.dead = nil, 0, 0, 0
	for i, s := range d.slots {
		if s == 0 {
			continue
		}
		k, v, _ := entryIn(old[slotOffset(s)>>chunkBits], slotOffset(s)&(chunkSize-1), d.values)
		noff := d.appendEntry(k, v)
		d.slots[i] = s&^0xffffffff | uint64(noff+1)
	}
}

// entryIn decodes the entry at start of chunk c.
func entryIn(c []byte, start int, values bool) (key, val []byte, end int) {
	kl, n := binary.Uvarint(c[start:])
	p := start + n
	key = c[p : p+int(kl) : p+int(kl)]
	p += int(kl)
	if values {
		vl, n := binary.Uvarint(c[p:])
		p += n
		val = c[p : p+int(vl) : p+int(vl)]
		p += int(vl)
	}
	return key, val, p
}

// ForEach calls fn for every key and value until fn returns false. fn must not change d.
func (d *Dict) ForEach(fn func(key, val []byte) bool) {
	for _, s := range d.slots {
		if s != 0 {
			k, v, _ := d.entry(slotOffset(s))
			if !fn(k, v) {
				return
			}
		}
	}
}

// Random returns a uniformly chosen key and value (the Dict must not be empty).
func (d *Dict) Random() (key, val []byte) {
	for {
		s := d.slots[rand.IntN(len(d.slots))]
		if s != 0 {
			k, v, _ := d.entry(slotOffset(s))
			return k, v
		}
	}
}

// RandomSlot returns the slot index of a uniformly chosen key, for DeleteAt.
func (d *Dict) randomSlot() int {
	for {
		i := rand.IntN(len(d.slots))
		if d.slots[i] != 0 {
			return i
		}
	}
}

// PopRandom removes a uniformly chosen key and returns copies of it and its value.
func (d *Dict) PopRandom() (key, val []byte) {
	i := d.randomSlot()
	k, v, _ := d.entry(slotOffset(d.slots[i]))
	key = append([]byte(nil), k...)
	if d.values {
		val = append([]byte(nil), v...)
	}
	d.deleteSlot(i)
	return key, val
}

// Scan calls fn for the keys whose hash lies in the part of hash space that cursor starts,
// covering about count slots, and returns the next cursor (0 when the scan is complete). A key
// present for a whole scan is returned at least once however the table is resized meanwhile.
func (d *Dict) Scan(cursor uint64, count int, fn func(key, val []byte)) uint64 {
	if count < 1 {
		count = 1
	}
	if cursor >= 1<<32 {
		return 0
	}
	start := cursor
	sa := int(start >> d.shift)
	endSlot := sa + count
	end := uint64(endSlot) << d.shift
	if endSlot >= len(d.slots) {
		end = 1 << 32
		endSlot = len(d.slots)
	}
	mask := len(d.slots) - 1
	for i := sa; i < sa+len(d.slots); i++ { // each slot at most once
		s := d.slots[i&mask]
		if s == 0 {
			if i >= endSlot {
				break
			}
			continue
		}
		if h := s >> 32; h >= start && h < end {
			k, v, _ := d.entry(slotOffset(s))
			fn(k, v)
		}
	}
	if end >= 1<<32 {
		return 0
	}
	return end
}

// Dup returns a deep copy of d: the same seed, slots and chunk layout (so scan cursors and
// MemoryUsage carry over), sharing no memory with d.
func (d *Dict) Dup() *Dict {
	c := *d
	c.slots = make([]uint64, len(d.slots), cap(d.slots))
	copy(c.slots, d.slots)
	c.chunks = make([][]byte, len(d.chunks), cap(d.chunks))
	for i, ch := range d.chunks {
		c.chunks[i] = make([]byte, len(ch), cap(ch))
		copy(c.chunks[i], ch)
	}
	return &c
}
