package list

import (
	"encoding/binary"
	"errors"
)

// Pack is a packed sequence of byte strings. Each entry is laid out as
//
//	uvarint(len) | bytes | backlen
//
// where backlen is uvarint(size of the first two parts) written with its bytes reversed, so the
// entry before any position can be found by reading backwards. A position is a byte offset of an
// entry's start; len(p) is the end position. Methods trust the bytes (they come from this
// package); Validate checks bytes that come from elsewhere.
type Pack []byte

// ErrCorruptPack is returned by Validate for bytes that are not a well-formed Pack.
var ErrCorruptPack = errors.New("list: corrupt pack")

func uvarintLen(x int) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// EntrySize is the number of bytes an entry holding a value of vlen bytes takes in a Pack.
func EntrySize(vlen int) int {
	hl := uvarintLen(vlen) + vlen
	return hl + uvarintLen(hl)
}

// putEntry writes the entry for v at dst[0:] (dst must have EntrySize(len(v)) bytes).
func putEntry(dst []byte, v []byte) int {
	n := binary.PutUvarint(dst, uint64(len(v)))
	n += copy(dst[n:], v)
	hl := n
	var tmp [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(tmp[:], uint64(hl))
	for i := 0; i < k; i++ {
		dst[n+i] = tmp[k-1-i]
	}
	return n + k
}

// Entry returns the value at pos (aliasing p) and the position of the next entry.
func (p Pack) Entry(pos int) (v []byte, next int) {
	l, k := int(p[pos]), 1
	if l >= 0x80 {
		x, n := binary.Uvarint(p[pos:])
		l, k = int(x), n
	}
	start := pos + k
	end := start + l
	return p[start:end:end], end + uvarintLen(end-pos)
}

// Prev returns the position of the entry before pos, or -1 when pos is the first.
func (p Pack) Prev(pos int) int {
	if pos == 0 {
		return -1
	}
	var x, shift uint64
	i := pos - 1
	for {
		b := p[i]
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
		shift += 7
		i--
	}
	return i - int(x)
}

// Append returns p with v added at the end.
func (p Pack) Append(v []byte) Pack {
	n := len(p)
	p = grow(p, EntrySize(len(v)))
	putEntry(p[n:], v)
	return p
}

// InsertAt returns p with v inserted before the entry at pos (pos == len(p) appends).
func (p Pack) InsertAt(pos int, v []byte) Pack {
	sz := EntrySize(len(v))
	n := len(p)
	p = grow(p, sz)
	copy(p[pos+sz:], p[pos:n])
	putEntry(p[pos:], v)
	return p
}

// DeleteAt returns p without the entry at pos.
func (p Pack) DeleteAt(pos int) Pack {
	_, next := p.Entry(pos)
	return p.DeleteRange(pos, next)
}

// DeleteRange returns p without the bytes [from, to), which must be entry boundaries.
func (p Pack) DeleteRange(from, to int) Pack {
	n := copy(p[from:], p[to:])
	return p[:from+n]
}

// ReplaceAt returns p with the entry at pos holding v instead.
func (p Pack) ReplaceAt(pos int, v []byte) Pack {
	_, next := p.Entry(pos)
	old := next - pos
	sz := EntrySize(len(v))
	switch {
	case sz > old:
		n := len(p)
		p = grow(p, sz-old)
		copy(p[next+sz-old:], p[next:n])
	case sz < old:
		copy(p[pos+sz:], p[next:])
		p = p[:len(p)-(old-sz)]
	}
	putEntry(p[pos:], v)
	return p
}

// grow extends p by n bytes, reallocating with headroom when needed.
func grow(p Pack, n int) Pack {
	if len(p)+n <= cap(p) {
		return p[:len(p)+n]
	}
	c := len(p) + n
	c += c / 4
	if c < 16 {
		c = 16
	}
	q := make(Pack, len(p)+n, c)
	copy(q, p)
	return q
}

// Validate checks that p is a well-formed Pack and returns the number of entries.
func (p Pack) Validate() (int, error) {
	count := 0
	for pos := 0; pos < len(p); {
		l, k := binary.Uvarint(p[pos:])
		if k <= 0 || l > uint64(len(p)) {
			return 0, ErrCorruptPack
		}
		end := pos + k + int(l)
		if end > len(p) || k != uvarintLen(int(l)) {
			return 0, ErrCorruptPack
		}
		bl := uvarintLen(end - pos)
		if end+bl > len(p) {
			return 0, ErrCorruptPack
		}
		var tmp [binary.MaxVarintLen64]byte
		w := binary.PutUvarint(tmp[:], uint64(end-pos))
		for i := 0; i < w; i++ {
			if p[end+i] != tmp[w-1-i] {
				return 0, ErrCorruptPack
			}
		}
		pos = end + bl
		count++
	}
	return count, nil
}

// Clone returns a copy of p with the same length and capacity (capacity is what MemoryUsage
// counts), sharing no memory with p.
func (p Pack) Clone() Pack {
	if p == nil {
		return nil
	}
	c := make(Pack, len(p), cap(p))
	copy(c, p)
	return c
}
