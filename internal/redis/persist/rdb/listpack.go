package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Redis' listpack: a 4-byte total size and a 2-byte element count (65535: count unknown),
// both little-endian, then entries, then 0xFF. An entry is an encoding byte (and the data it
// announces: a small integer, a string length and the string, or an integer of 16 to 64
// bits), followed by backlen, the size of encoding and data written in 1..5 bytes so the
// list can be walked backwards.

const (
	lpHeaderSize   = 6
	lpEOF          = 0xff
	lpCountUnknown = 65535
)

// lpBacklenSize is the number of bytes backlen takes for an entry of l bytes.
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// appendBacklen appends backlen for an entry of l bytes: the high bits first, every byte but
// the first with bit 7 set, so a reader going backwards stops at the first one without it.
func appendBacklen(dst []byte, l int) []byte {
	n := lpBacklenSize(l)
	for i := n - 1; i >= 0; i-- {
		b := byte(l>>(7*i)) & 127
		if i != n-1 {
			b |= 128
		}
		dst = append(dst, b)
	}
	return dst
}

// appendListpackEntry appends v as an entry, integer-encoded when v is the canonical form of
// an int64 (lpEncodeGetType).
func appendListpackEntry(dst, v []byte) []byte {
	start := len(dst)
	if x, ok := canonicalInt(v); ok {
		switch {
		case x >= 0 && x <= 127:
			dst = append(dst, byte(x))
		case x >= -4096 && x <= 4095:
			u := uint16(x) & 0x1fff
			dst = append(dst, 0xc0|byte(u>>8), byte(u))
		case x >= math.MinInt16 && x <= math.MaxInt16:
			dst = append(dst, 0xf1)
			dst = binary.LittleEndian.AppendUint16(dst, uint16(x))
		case x >= -1<<23 && x < 1<<23:
			dst = append(dst, 0xf2, byte(x), byte(x>>8), byte(x>>16))
		case x >= math.MinInt32 && x <= math.MaxInt32:
			dst = append(dst, 0xf3)
			dst = binary.LittleEndian.AppendUint32(dst, uint32(x))
		default:
			dst = append(dst, 0xf4)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(x))
		}
	} else {
		switch n := len(v); {
		case n < 64:
			dst = append(dst, 0x80|byte(n))
		case n < 4096:
			dst = append(dst, 0xe0|byte(n>>8), byte(n))
		default:
			dst = append(dst, 0xf0)
			dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
		}
		dst = append(dst, v...)
	}
	return appendBacklen(dst, len(dst)-start)
}

// listpackBuilder assembles a listpack entry by entry.
type listpackBuilder struct {
	b []byte
	n int
}

func newListpackBuilder() listpackBuilder {
	return listpackBuilder{b: make([]byte, lpHeaderSize, 64)}
}

func (l *listpackBuilder) add(v []byte) {
	l.b = appendListpackEntry(l.b, v)
	l.n++
}

// size is the listpack's size once finished.
func (l *listpackBuilder) size() int { return len(l.b) + 1 }

// finish terminates the listpack and fills its header.
func (l *listpackBuilder) finish() []byte {
	l.b = append(l.b, lpEOF)
	binary.LittleEndian.PutUint32(l.b, uint32(len(l.b)))
	binary.LittleEndian.PutUint16(l.b[4:], uint16(min(l.n, lpCountUnknown)))
	return l.b
}

// listpackEntries validates lp in full (header, every entry's encoding, bounds and backlen,
// terminator, count) and returns its entries; integers are rendered in decimal.
func listpackEntries(lp []byte) ([][]byte, error) {
	if len(lp) < lpHeaderSize+1 {
		return nil, corrupt("listpack of %d bytes", len(lp))
	}
	if int(binary.LittleEndian.Uint32(lp)) != len(lp) {
		return nil, corrupt("listpack size header")
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	var out [][]byte
	p := lpHeaderSize
	for {
		if p >= len(lp) {
			return nil, corrupt("listpack without terminator")
		}
		if lp[p] == lpEOF {
			break
		}
		v, size, err := listpackEntry(lp[p:])
		if err != nil {
			return nil, err
		}
		bl := lpBacklenSize(size)
		if p+size+bl > len(lp) {
			return nil, corrupt("listpack entry overflows")
		}
		var want [5]byte
		if string(appendBacklen(want[:0], size)) != string(lp[p+size:p+size+bl]) {
			return nil, corrupt("listpack backlen")
		}
		out = append(out, v)
		p += size + bl
	}
	if p != len(lp)-1 {
		return nil, corrupt("listpack data after terminator")
	}
	if count != lpCountUnknown && count != len(out) {
		return nil, corrupt("listpack count header %d for %d entries", count, len(out))
	}
	return out, nil
}

// listpackEntry decodes the entry at the start of b and returns its value and the size of
// its encoding and data (without backlen).
func listpackEntry(b []byte) ([]byte, int, error) {
	c := b[0]
	need := func(n int) error {
		if n > len(b) {
			return corrupt("listpack entry overflows")
		}
		return nil
	}
	integer := func(x int64, size int) ([]byte, int, error) {
		return strconv.AppendInt(nil, x, 10), size, nil
	}
	switch {
	case c&0x80 == 0: // 7-bit unsigned integer
		return integer(int64(c), 1)
	case c&0xc0 == 0x80: // string up to 63 bytes
		n := int(c & 0x3f)
		if err := need(1 + n); err != nil {
			return nil, 0, err
		}
		return b[1 : 1+n : 1+n], 1 + n, nil
	case c&0xe0 == 0xc0: // 13-bit signed integer
		if err := need(2); err != nil {
			return nil, 0, err
		}
		u := uint16(c&0x1f)<<8 | uint16(b[1])
		x := int64(u)
		if u >= 1<<12 {
			x -= 1 << 13
		}
		return integer(x, 2)
	case c&0xf0 == 0xe0: // string up to 4095 bytes
		if err := need(2); err != nil {
			return nil, 0, err
		}
		n := int(c&0x0f)<<8 | int(b[1])
		if err := need(2 + n); err != nil {
			return nil, 0, err
		}
		return b[2 : 2+n : 2+n], 2 + n, nil
	}
	switch c {
	case 0xf0: // 32-bit string length
		if err := need(5); err != nil {
			return nil, 0, err
		}
		n := uint64(binary.LittleEndian.Uint32(b[1:]))
		if n > uint64(len(b)-5) {
			return nil, 0, corrupt("listpack entry overflows")
		}
		return b[5 : 5+n : 5+n], 5 + int(n), nil
	case 0xf1:
		if err := need(3); err != nil {
			return nil, 0, err
		}
		return integer(int64(int16(binary.LittleEndian.Uint16(b[1:]))), 3)
	case 0xf2:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		u := uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16
		return integer(int64(int32(u<<8)>>8), 4)
	case 0xf3:
		if err := need(5); err != nil {
			return nil, 0, err
		}
		return integer(int64(int32(binary.LittleEndian.Uint32(b[1:]))), 5)
	case 0xf4:
		if err := need(9); err != nil {
			return nil, 0, err
		}
		return integer(int64(binary.LittleEndian.Uint64(b[1:])), 9)
	}
	return nil, 0, corrupt("listpack entry encoding %#x", c)
}
