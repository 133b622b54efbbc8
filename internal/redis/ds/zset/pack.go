package zset

import (
	"encoding/binary"
	"errors"
	"math"
)

// pack is the listpack encoding: entries sorted by (score, member), each
// uvarint(len(member)) | member | float64 bits little-endian.
type pack []byte

// errCorrupt reports a packed form that does not decode.
var errCorrupt = errors.New("zset: corrupt listpack encoding")

// entryAt decodes the entry at offset off; next is the offset after it.
func (p pack) entryAt(off int) (member []byte, score float64, next int) {
	n, w := binary.Uvarint(p[off:])
	off += w
	member = p[off : off+int(n)]
	off += int(n)
	score = math.Float64frombits(binary.LittleEndian.Uint64(p[off:]))
	return member, score, off + 8
}

// validate checks that p decodes into entries sorted by (score, member),
// no NaN, no duplicate member, and returns the count.
func validate(p []byte) (int, error) {
	n := 0
	off := 0
	var prevM []byte
	var prevS float64
	seen := make(map[string]struct{})
	for off < len(p) {
		l, w := binary.Uvarint(p[off:])
		if w <= 0 || l > uint64(len(p)) || w != uvarintLen(l) {
			return 0, errCorrupt
		}
		off += w
		if off+int(l)+8 > len(p) {
			return 0, errCorrupt
		}
		m := p[off : off+int(l)]
		off += int(l)
		s := math.Float64frombits(binary.LittleEndian.Uint64(p[off:]))
		off += 8
		if math.IsNaN(s) {
			return 0, errCorrupt
		}
		if n > 0 && !less(prevS, string(prevM), s, string(m)) {
			return 0, errCorrupt
		}
		if _, dup := seen[string(m)]; dup {
			return 0, errCorrupt
		}
		seen[string(m)] = struct{}{}
		prevM, prevS = m, s
		n++
	}
	return n, nil
}

// FromListpack builds a set from a packed encoding (as written by
// AppendListpack), checking it fully.
func FromListpack(b []byte, cfg Config) (*ZSet, error) {
	n, err := validate(b)
	if err != nil {
		return nil, err
	}
	z := New()
	if cfg.FitsListpack(n, 0) {
		maxLen := 0
		for off := 0; off < len(b); {
			m, _, next := pack(b).entryAt(off)
			maxLen = max(maxLen, len(m))
			off = next
		}
		if maxLen <= cfg.MaxListpackValue {
			z.lp = append(pack(nil), b...)
			z.n = n
			return z, nil
		}
	}
	for off := 0; off < len(b); {
		m, s, next := pack(b).entryAt(off)
		z.Add(string(m), s, cfg)
		off = next
	}
	return z, nil
}

// AppendListpack appends the set in the packed encoding to dst.
func (z *ZSet) AppendListpack(dst []byte) []byte {
	if z.tree == nil {
		return append(dst, z.lp...)
	}
	z.Range(0, z.Len()-1, false, func(m string, s float64) bool {
		dst = appendEntry(dst, m, s)
		return true
	})
	return dst
}

func appendEntry(dst []byte, member string, score float64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(member)))
	dst = append(dst, member...)
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(score))
}

// find returns the offset and rank of member, or -1.
func (p pack) find(member string) (off, rank int, score float64) {
	for o, r := 0, 0; o < len(p); r++ {
		m, s, next := p.entryAt(o)
		if string(m) == member {
			return o, r, s
		}
		o = next
	}
	return -1, -1, 0
}

// insertPos returns the offset and rank where (score, member) belongs.
func (p pack) insertPos(score float64, member string) (off, rank int) {
	for off < len(p) {
		m, s, next := p.entryAt(off)
		if less(score, member, s, string(m)) {
			return off, rank
		}
		off = next
		rank++
	}
	return off, rank
}

// offsetOf returns the offset of the entry with the given rank.
func (p pack) offsetOf(rank int) int {
	off := 0
	for ; rank > 0; rank-- {
		_, _, off = p.entryAt(off)
	}
	return off
}

// less orders (score, member) pairs as Redis does.
func less(s1 float64, m1 string, s2 float64, m2 string) bool {
	if s1 != s2 {
		return s1 < s2
	}
	return m1 < m2
}

func uvarintLen(v uint64) int {
	var tmp [binary.MaxVarintLen64]byte
	return binary.PutUvarint(tmp[:], v)
}
