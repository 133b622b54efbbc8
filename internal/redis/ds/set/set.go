package set

import (
	"math/rand/v2"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// Config holds the set encoding threshold that CONFIG SET can change at run time.
type Config struct {
	MaxIntsetEntries int // set-max-intset-entries
}

// DefaultConfig returns Redis 7.0's default.
func DefaultConfig() Config { return Config{MaxIntsetEntries: 512} }

// Set is a Redis set: an intset while small and all-integer, a Dict otherwise.
type Set struct {
	ints Intset
	d    *Dict
}

const setOverhead = 48

// New returns an empty set (intset encoded).
func New() *Set { return &Set{} }

// NewFor returns an empty set suited to receive member first (hashtable encoded unless it is
// an integer), as Redis' setTypeCreate does.
func NewFor(member []byte, sizeHint int) *Set {
	if _, ok := parseMember(member); ok {
		return &Set{}
	}
	return &Set{d: NewDict(false, sizeHint)}
}

// Type implements keyspace.Object.
func (s *Set) Type() keyspace.Type { return keyspace.TypeSet }

// Encoding returns OBJECT ENCODING's name.
func (s *Set) Encoding() string {
	if s.d != nil {
		return "hashtable"
	}
	return "intset"
}

// MemoryUsage returns the bytes the set holds, O(1).
func (s *Set) MemoryUsage() int {
	if s.d != nil {
		return setOverhead + s.d.MemoryUsage()
	}
	return setOverhead + cap(s.ints.b)
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.d != nil {
		return s.d.Len()
	}
	return s.ints.Len()
}

func (s *Set) convert(hint int) {
	d := NewDict(false, hint)
	var buf [20]byte
	for i := 0; i < s.ints.Len(); i++ {
		d.Set(formatInt(buf[:], s.ints.At(i)), nil)
	}
	s.d = d
	s.ints = Intset{}
}

// Add inserts m and reports whether it was new.
func (s *Set) Add(m []byte, cfg Config) bool {
	if s.d == nil {
		if v, ok := parseMember(m); ok {
			if !s.ints.Add(v) {
				return false
			}
			if s.ints.Len() > cfg.MaxIntsetEntries {
				s.convert(s.ints.Len())
			}
			return true
		}
		s.convert(s.ints.Len() + 1)
	}
	return s.d.Set(m, nil)
}

// Remove deletes m and reports whether it was present.
func (s *Set) Remove(m []byte) bool {
	if s.d != nil {
		return s.d.Delete(m)
	}
	v, ok := parseMember(m)
	return ok && s.ints.Remove(v)
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if s.d != nil {
		return s.d.Has(m)
	}
	v, ok := parseMember(m)
	return ok && s.ints.Has(v)
}

// ForEach calls fn for every member until it returns false. The member aliases set memory (or
// a scratch buffer) only during the call; fn must not change the set.
func (s *Set) ForEach(fn func(m []byte) bool) {
	if s.d != nil {
		s.d.ForEach(func(k, _ []byte) bool { return fn(k) })
		return
	}
	var buf [20]byte
	for i := 0; i < s.ints.Len(); i++ {
		if !fn(formatInt(buf[:], s.ints.At(i))) {
			return
		}
	}
}

// Random returns a copy of a uniformly chosen member (the set must not be empty).
func (s *Set) Random() []byte {
	if s.d != nil {
		k, _ := s.d.Random()
		return append([]byte(nil), k...)
	}
	var buf [20]byte
	return append([]byte(nil), formatInt(buf[:], s.ints.At(rand.IntN(s.ints.Len())))...)
}

// Pop removes and returns a uniformly chosen member (the set must not be empty).
func (s *Set) Pop() []byte {
	if s.d != nil {
		k, _ := s.d.PopRandom()
		return k
	}
	v := s.ints.At(rand.IntN(s.ints.Len()))
	s.ints.Remove(v)
	var buf [20]byte
	return append([]byte(nil), formatInt(buf[:], v)...)
}

// Scan calls fn for part of the members and returns the next cursor (0 when done). An intset is
// returned whole, as Redis does for its compact encodings.
func (s *Set) Scan(cursor uint64, count int, fn func(m []byte)) uint64 {
	if s.d != nil {
		return s.d.Scan(cursor, count, func(k, _ []byte) { fn(k) })
	}
	s.ForEach(func(m []byte) bool { fn(m); return true })
	return 0
}

// Intset returns the intset when that is the encoding, for persistence.
func (s *Set) Intset() (*Intset, bool) { return &s.ints, s.d == nil }

// FromIntset returns a set holding is (from a snapshot).
func FromIntset(is *Intset) *Set { return &Set{ints: *is} }

// Dup returns a deep copy of s in the same encoding (COPY), sharing no memory with s.
func (s *Set) Dup() keyspace.Object {
	c := &Set{ints: s.ints.dup()}
	if s.d != nil {
		c.d = s.d.Dup()
	}
	return c
}
