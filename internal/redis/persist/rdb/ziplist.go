package rdb

import (
	"encoding/binary"
	"strconv"
)

// Redis' ziplist (the compact encoding before 7.0, still loadable): a 4-byte total size, a
// 4-byte offset of the last entry and a 2-byte count (65535: unknown), little-endian, then
// entries, then 0xFF. An entry is the previous entry's size (1 byte, or 0xFE and 4 bytes), an
// encoding (string lengths of 6, 14 or 32 bits; integers of 8, 16, 24, 32 or 64 bits; 0..12
// in the encoding byte itself) and the data.

const (
	zlHeaderSize = 10
	zlEnd        = 0xff
	zlBigPrevLen = 0xfe
)

// ziplistEntries validates zl in full and returns its entries; integers are rendered in
// decimal.
func ziplistEntries(zl []byte) ([][]byte, error) {
	if len(zl) < zlHeaderSize+1 {
		return nil, corrupt("ziplist of %d bytes", len(zl))
	}
	if int(binary.LittleEndian.Uint32(zl)) != len(zl) {
		return nil, corrupt("ziplist size header")
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	var out [][]byte
	p, prev, last := zlHeaderSize, 0, zlHeaderSize
	for {
		if p >= len(zl) {
			return nil, corrupt("ziplist without terminator")
		}
		if zl[p] == zlEnd {
			break
		}
		start := p
		prevLen := int(zl[p])
		p++
		if prevLen == zlBigPrevLen {
			if p+4 > len(zl) {
				return nil, corrupt("ziplist entry overflows")
			}
			prevLen = int(binary.LittleEndian.Uint32(zl[p:]))
			p += 4
		}
		if prevLen != prev {
			return nil, corrupt("ziplist prevlen %d, previous entry has %d bytes", prevLen, prev)
		}
		v, n, err := ziplistValue(zl[p:])
		if err != nil {
			return nil, err
		}
		p += n
		out = append(out, v)
		prev, last = p-start, start
	}
	if p != len(zl)-1 {
		return nil, corrupt("ziplist data after terminator")
	}
	if tail != last {
		return nil, corrupt("ziplist tail offset")
	}
	if count != 65535 && count != len(out) {
		return nil, corrupt("ziplist count header")
	}
	return out, nil
}

// ziplistValue decodes the encoding and data at the start of b.
func ziplistValue(b []byte) ([]byte, int, error) {
	if len(b) == 0 {
		return nil, 0, corrupt("ziplist entry overflows")
	}
	c := b[0]
	str := func(hdr int, n uint64) ([]byte, int, error) {
		if hdr > len(b) || n > uint64(len(b)-hdr) {
			return nil, 0, corrupt("ziplist entry overflows")
		}
		return b[hdr : hdr+int(n) : hdr+int(n)], hdr + int(n), nil
	}
	fixed := func(n int) ([]byte, error) {
		if 1+n > len(b) {
			return nil, corrupt("ziplist entry overflows")
		}
		return b[1 : 1+n], nil
	}
	var x int64
	var size int
	switch c >> 6 {
	case 0:
		return str(1, uint64(c&0x3f))
	case 1:
		if len(b) < 2 {
			return nil, 0, corrupt("ziplist entry overflows")
		}
		return str(2, uint64(c&0x3f)<<8|uint64(b[1]))
	case 2:
		if c != 0x80 || len(b) < 5 {
			return nil, 0, corrupt("ziplist entry encoding %#x", c)
		}
		return str(5, uint64(binary.BigEndian.Uint32(b[1:])))
	}
	switch {
	case c == 0xc0:
		d, err := fixed(2)
		if err != nil {
			return nil, 0, err
		}
		x, size = int64(int16(binary.LittleEndian.Uint16(d))), 3
	case c == 0xd0:
		d, err := fixed(4)
		if err != nil {
			return nil, 0, err
		}
		x, size = int64(int32(binary.LittleEndian.Uint32(d))), 5
	case c == 0xe0:
		d, err := fixed(8)
		if err != nil {
			return nil, 0, err
		}
		x, size = int64(binary.LittleEndian.Uint64(d)), 9
	case c == 0xf0:
		d, err := fixed(3)
		if err != nil {
			return nil, 0, err
		}
		u := uint32(d[0])<<8 | uint32(d[1])<<16 | uint32(d[2])<<24
		x, size = int64(int32(u)>>8), 4
	case c == 0xfe:
		d, err := fixed(1)
		if err != nil {
			return nil, 0, err
		}
		x, size = int64(int8(d[0])), 2
	case c >= 0xf1 && c <= 0xfd:
		x, size = int64(c&0x0f)-1, 1
	default:
		return nil, 0, corrupt("ziplist entry encoding %#x", c)
	}
	return strconv.AppendInt(nil, x, 10), size, nil
}
