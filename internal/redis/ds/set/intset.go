package set

import (
	"encoding/binary"
	"errors"
	"math"
	"sort"
	"strconv"
)

// Intset is a sorted array of distinct integers packed little-endian at the smallest width (2, 4
// or 8 bytes) that holds them all, Redis' intset layout without its header.
type Intset struct {
	b     []byte
	width uint8
}

// ErrCorruptIntset is returned by ValidateIntset.
var ErrCorruptIntset = errors.New("set: corrupt intset")

func widthFor(v int64) uint8 {
	switch {
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 2
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 4
	}
	return 8
}

// Len returns the number of integers.
func (s *Intset) Len() int {
	if s.width == 0 {
		return 0
	}
	return len(s.b) / int(s.width)
}

// At returns the i-th smallest integer.
func (s *Intset) At(i int) int64 {
	switch s.width {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(s.b[i*2:])))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(s.b[i*4:])))
	}
	return int64(binary.LittleEndian.Uint64(s.b[i*8:]))
}

func (s *Intset) put(i int, v int64) {
	switch s.width {
	case 2:
		binary.LittleEndian.PutUint16(s.b[i*2:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(s.b[i*4:], uint32(v))
	default:
		binary.LittleEndian.PutUint64(s.b[i*8:], uint64(v))
	}
}

// search returns the index of v or where it would be inserted.
func (s *Intset) search(v int64) (int, bool) {
	n := s.Len()
	i := sort.Search(n, func(i int) bool { return s.At(i) >= v })
	return i, i < n && s.At(i) == v
}

// Has reports whether v is present.
func (s *Intset) Has(v int64) bool {
	if s.width != 0 && widthFor(v) > s.width {
		return false
	}
	_, ok := s.search(v)
	return ok
}

// Add inserts v and reports whether it was absent.
func (s *Intset) Add(v int64) bool {
	if w := widthFor(v); w > s.width {
		s.upgrade(w)
	}
	i, ok := s.search(v)
	if ok {
		return false
	}
	n := s.Len()
	w := int(s.width)
	if cap(s.b) >= len(s.b)+w {
		s.b = s.b[:len(s.b)+w]
	} else {
		nb := make([]byte, len(s.b)+w, (len(s.b)+w)*5/4+w)
		copy(nb, s.b)
		s.b = nb
	}
	copy(s.b[(i+1)*w:], s.b[i*w:n*w])
	s.put(i, v)
	return true
}

func (s *Intset) upgrade(w uint8) {
	n := s.Len()
	old := *s
	s.width = w
	s.b = make([]byte, n*int(w), n*int(w)+int(w))
	for i := 0; i < n; i++ {
		s.put(i, old.At(i))
	}
}

// Remove deletes v and reports whether it was present.
func (s *Intset) Remove(v int64) bool {
	if s.width == 0 || widthFor(v) > s.width {
		return false
	}
	i, ok := s.search(v)
	if !ok {
		return false
	}
	w := int(s.width)
	copy(s.b[i*w:], s.b[(i+1)*w:])
	s.b = s.b[:len(s.b)-w]
	return true
}

// Bytes returns the packed integers and their width, for persistence.
func (s *Intset) Bytes() ([]byte, int) { return s.b, int(s.width) }

// IntsetFromBytes validates b as an intset of width w (2, 4 or 8: sorted, distinct, each value
// needing no wider encoding than w allows) and returns it holding a copy of b.
func IntsetFromBytes(b []byte, w int) (*Intset, error) {
	if (w != 2 && w != 4 && w != 8) || len(b)%w != 0 {
		return nil, ErrCorruptIntset
	}
	s := &Intset{b: append([]byte(nil), b...), width: uint8(w)}
	for i := 1; i < s.Len(); i++ {
		if s.At(i-1) >= s.At(i) {
			return nil, ErrCorruptIntset
		}
	}
	return s, nil
}

// parseMember parses m as a canonical integer (Redis' string2ll: no sign '+', no leading zeros,
// no spaces), the only members an intset can hold.
func parseMember(m []byte) (int64, bool) {
	if len(m) == 0 || len(m) > 20 {
		return 0, false
	}
	if len(m) == 1 && m[0] == '0' {
		return 0, true
	}
	i := 0
	neg := m[0] == '-'
	if neg {
		i = 1
		if len(m) == 1 {
			return 0, false
		}
	}
	if m[i] < '1' || m[i] > '9' {
		return 0, false
	}
	var u uint64
	for ; i < len(m); i++ {
		c := m[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

func formatInt(buf []byte, v int64) []byte { return strconv.AppendInt(buf[:0], v, 10) }

// dup returns a copy of s with the same width, length and capacity, sharing no memory with s.
func (s Intset) dup() Intset {
	if s.b == nil {
		return Intset{width: s.width}
	}
	b := make([]byte, len(s.b), cap(s.b))
	copy(b, s.b)
	return Intset{b: b, width: s.width}
}
