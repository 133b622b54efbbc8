package keyspace

import "encoding/binary"

// The arena: every key of a DB and every string value (or, for other types, the index of its
// Object in the side table) is packed into an entry inside large []byte chunks. Entries are
// addressed by a 40-bit offset: chunk number << chunkBits | position in the chunk. The
// collector sees one pointer per chunk and nothing per key.
//
// Entry layout:
//
//	flags     1 byte   encoding (2 bits), object, TTL fields present, dead, inline
//	                   (for an inline value the 2 encoding bits hold its Type - 1)
//	clock     3 bytes  24-bit LRU clock or LFU (minutes << 8 | counter), little endian
//	key len   uvarint
//	value len uvarint  (4 for an Object: its index in the side table; an inline value's
//	                   bytes are stored like a string's)
//	expireAt  8 bytes  unix ms, 0 = none          } only with flagTTL
//	expIdx    4 bytes  position in the expires array } (valid when expireAt != 0)
//	key, value
//
// A write that does not fit in place appends a new entry and marks the old one dead; dead
// bytes are counted per chunk and reclaimed by incremental compaction (compact.go).

const (
	chunkBits     = 20
	chunkSize     = 1 << chunkBits // bytes of a full chunk; entries start below this
	firstChunkCap = 4 << 10        // a DB's first chunk is this small; each next one doubles
	maxChunks     = 1 << 20        // 40-bit offsets: 1 TiB of arena per DB
	keepSpare     = 2              // released full chunks kept for reuse

	flagEnc  = 0x03
	flagObj  = 0x04
	flagTTL  = 0x08
	flagDead = 0x10
	flagInl  = 0x20 // an Inliner's bytes (a small collection) instead of a string

	flagKind = flagEnc | flagInl // what a same-size overwrite changes

	entryFixed  = 4  // flags + clock
	ttlFieldLen = 12 // expireAt + expIdx
)

type chunk struct {
	buf  []byte // len = bytes used
	dead int    // bytes of dead entries in buf
}

// entry is a parsed view of one arena entry.
type entry struct {
	buf  []byte // the chunk
	p    int    // start of the entry
	kpos int    // start of the key
	klen int
	vlen int
}

func (s *store) at(off uint64) entry {
	return parseEntry(s.chunks[off>>chunkBits].buf, int(off&(chunkSize-1)))
}

func parseEntry(buf []byte, p int) entry {
	q := p + entryFixed
	if kl, vl := int(buf[q]), int(buf[q+1]); kl|vl < 0x80 { // both lengths in one byte
		q += 2
		if buf[p]&flagTTL != 0 {
			q += ttlFieldLen
		}
		return entry{buf: buf, p: p, kpos: q, klen: kl, vlen: vl}
	}
	return parseEntryLong(buf, p)
}

func parseEntryLong(buf []byte, p int) entry {
	q := p + entryFixed
	kl, n := uvarint(buf, q)
	q += n
	vl, n := uvarint(buf, q)
	q += n
	if buf[p]&flagTTL != 0 {
		q += ttlFieldLen
	}
	return entry{buf: buf, p: p, kpos: q, klen: kl, vlen: vl}
}

// uvarint decodes an unsigned varint at buf[q:]; the arena only holds valid ones.
func uvarint(buf []byte, q int) (int, int) {
	if b := buf[q]; b < 0x80 {
		return int(b), 1
	}
	v, n := binary.Uvarint(buf[q:])
	return int(v), n
}

func uvarintLen(v int) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func (e entry) flags() byte    { return e.buf[e.p] }
func (e entry) size() int      { return e.kpos + e.klen + e.vlen - e.p }
func (e entry) key() []byte    { return e.buf[e.kpos : e.kpos+e.klen : e.kpos+e.klen] }
func (e entry) isObj() bool    { return e.buf[e.p]&flagObj != 0 }
func (e entry) hasTTLf() bool  { return e.buf[e.p]&flagTTL != 0 }
func (e entry) enc() uint8     { return e.buf[e.p] & flagEnc }
func (e entry) isInline() bool { return e.buf[e.p]&flagInl != 0 }

// inlineType is the Type of an inline value.
func (e entry) inlineType() Type { return Type(e.buf[e.p]&flagEnc) + 1 }

// inlineKind is the flag bits of an inline value of type t (list, set, zset or hash).
func inlineKind(t Type) byte { return flagInl | byte(t-1)&flagEnc }

func (e entry) val() []byte {
	v := e.kpos + e.klen
	return e.buf[v : v+e.vlen : v+e.vlen]
}

func (e entry) objIndex() uint32 { return binary.LittleEndian.Uint32(e.val()) }

func (e entry) clock() uint32 {
	b := e.buf[e.p+1 : e.p+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

func (e entry) setClock(c uint32) {
	b := e.buf[e.p+1 : e.p+4]
	b[0], b[1], b[2] = byte(c), byte(c>>8), byte(c>>16)
}

// expireAt is the TTL deadline in unix ms, 0 when the key has none.
func (e entry) expireAt() int64 {
	if !e.hasTTLf() {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(e.buf[e.kpos-ttlFieldLen:]))
}

func (e entry) setExpireAtField(at int64) {
	binary.LittleEndian.PutUint64(e.buf[e.kpos-ttlFieldLen:], uint64(at))
}

func (e entry) expIdx() int {
	return int(binary.LittleEndian.Uint32(e.buf[e.kpos-4:]))
}

func (e entry) setExpIdx(i int) {
	binary.LittleEndian.PutUint32(e.buf[e.kpos-4:], uint32(i))
}

func entrySize(klen, vlen int, ttl bool) int {
	n := entryFixed + uvarintLen(klen) + uvarintLen(vlen) + klen + vlen
	if ttl {
		n += ttlFieldLen
	}
	return n
}

// alloc reserves size bytes in the arena and returns their offset.
func (s *store) alloc(size int) uint64 {
	if size > s.chunkCap/4 { // a big entry gets a chunk of its own
		idx := s.newChunkIndex()
		s.chunks[idx] = chunk{buf: make([]byte, size)}
		s.arena += int64(size)
		return uint64(idx) << chunkBits
	}
	if s.cur >= 0 {
		c := &s.chunks[s.cur]
		n := len(c.buf)
		if n+size <= cap(c.buf) {
			c.buf = c.buf[:n+size]
			s.arena += int64(size)
			return uint64(s.cur)<<chunkBits | uint64(n)
		}
	}
	// Start a new chunk. While the arena is small, chunks grow by doubling up to a full
	// chunk; a full chunk is never copied to grow, which would leave the old one as
	// garbage that the heap goal, and so the RSS, keeps.
	old := s.cur
	idx := s.newChunkIndex()
	var b []byte
	switch {
	case len(s.spare) > 0:
		b = s.spare[len(s.spare)-1][:0]
		s.spare[len(s.spare)-1] = nil
		s.spare = s.spare[:len(s.spare)-1]
	case s.arena < int64(s.chunkCap)/2:
		c := firstChunkCap
		if old >= 0 {
			c = min(2*cap(s.chunks[old].buf), s.chunkCap)
		}
		for c < size {
			c *= 2
		}
		b = make([]byte, 0, c)
	default:
		b = make([]byte, 0, s.chunkCap)
	}
	s.chunks[idx] = chunk{buf: b[:size]}
	s.cur = idx
	s.arena += int64(size)
	if old >= 0 {
		s.maybeRelease(old)
	}
	return uint64(idx) << chunkBits
}

func (s *store) newChunkIndex() int {
	if n := len(s.freeChunks); n > 0 {
		idx := int(s.freeChunks[n-1])
		s.freeChunks = s.freeChunks[:n-1]
		return idx
	}
	if len(s.chunks) >= maxChunks {
		panic("keyspace: arena of one database exceeds 1 TiB")
	}
	s.chunks = append(s.chunks, chunk{})
	return len(s.chunks) - 1
}

// writeEntry appends a new entry and returns its offset.
func (s *store) writeEntry(flags byte, clock uint32, key, val []byte, expireAt int64) uint64 {
	ttl := flags&flagTTL != 0
	size := entrySize(len(key), len(val), ttl)
	off := s.alloc(size)
	buf := s.chunks[off>>chunkBits].buf
	p := int(off & (chunkSize - 1))
	buf[p] = flags
	buf[p+1], buf[p+2], buf[p+3] = byte(clock), byte(clock>>8), byte(clock>>16)
	q := p + entryFixed
	q += binary.PutUvarint(buf[q:], uint64(len(key)))
	q += binary.PutUvarint(buf[q:], uint64(len(val)))
	if ttl {
		binary.LittleEndian.PutUint64(buf[q:], uint64(expireAt))
		binary.LittleEndian.PutUint32(buf[q+8:], 0)
		q += ttlFieldLen
	}
	q += copy(buf[q:], key)
	copy(buf[q:], val)
	s.live += int64(size)
	return off
}

// copyEntry appends a byte copy of the live entry e and returns its offset.
func (s *store) copyEntry(e entry) uint64 {
	size := e.size()
	src := e.buf[e.p : e.p+size]
	off := s.alloc(size)
	copy(s.chunks[off>>chunkBits].buf[off&(chunkSize-1):], src)
	s.live += int64(size)
	return off
}

// kill marks the live entry at off dead and releases its chunk when nothing in it lives.
func (s *store) kill(off uint64) {
	e := s.at(off)
	size := e.size()
	e.buf[e.p] |= flagDead
	idx := int(off >> chunkBits)
	s.chunks[idx].dead += size
	s.dead += int64(size)
	s.live -= int64(size)
	s.debt += int64(size)
	s.maybeRelease(idx)
}

// maybeRelease frees chunk idx if it is not the chunk being appended to and holds no live
// entry.
func (s *store) maybeRelease(idx int) {
	c := &s.chunks[idx]
	if idx == s.cur || c.dead != len(c.buf) {
		return
	}
	s.dead -= int64(c.dead)
	s.arena -= int64(len(c.buf))
	if cap(c.buf) == s.chunkCap && len(s.spare)+len(s.quarantine) < keepSpare {
		// Not reused before CommandDone: a Value.Str read earlier may still point here.
		s.quarantine = append(s.quarantine, c.buf[:0])
	}
	*c = chunk{}
	s.freeChunks = append(s.freeChunks, int32(idx))
	if s.victim == idx {
		s.victim = -1
	}
}
