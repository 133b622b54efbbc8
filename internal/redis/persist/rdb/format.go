package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Version is the RDB version Redis 7.0 writes (RDB_VERSION).
const Version = 10

// Type is an object type byte.
type Type byte

// Object types of RDB version 10 (rdb.h). 7 is module values; 8 was never used.
const (
	TypeString          Type = 0
	TypeList            Type = 1
	TypeSet             Type = 2
	TypeZSet            Type = 3
	TypeHash            Type = 4
	TypeZSet2           Type = 5
	TypeModule          Type = 6
	TypeModule2         Type = 7
	TypeHashZipmap      Type = 9
	TypeListZiplist     Type = 10
	TypeSetIntset       Type = 11
	TypeZSetZiplist     Type = 12
	TypeHashZiplist     Type = 13
	TypeListQuicklist   Type = 14
	TypeStreamListpacks Type = 15
	TypeHashListpack    Type = 16
	TypeZSetListpack    Type = 17
	TypeListQuicklist2  Type = 18
	TypeStreamListpack2 Type = 19
)

// Errors. Decoders wrap ErrCorrupt with what was wrong.
var (
	// ErrCorrupt: the bytes are not a well-formed object (RESTORE: "ERR Bad data format").
	ErrCorrupt = errors.New("rdb: corrupt object")
	// ErrNotSupported: a well-formed object of a type tandem does not have yet (streams,
	// module values).
	ErrNotSupported = errors.New("rdb: object type not supported")
)

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Length encodings (the top two bits of the first byte).
const (
	len6Bit   = 0
	len14Bit  = 1
	len32Bit  = 0x80
	len64Bit  = 0x81
	lenEncVal = 3

	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// appendLen appends an RDB length.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= math.MaxUint32:
		dst = append(dst, len32Bit)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	dst = append(dst, len64Bit)
	return binary.BigEndian.AppendUint64(dst, n)
}

// reader walks an object's bytes; every read is bounds-checked.
type reader struct {
	b   []byte
	off int
}

func (r *reader) left() int { return len(r.b) - r.off }

func (r *reader) readByte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, corrupt("unexpected end")
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, corrupt("length %d beyond the %d bytes left", n, r.left())
	}
	b := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return b, nil
}

// length reads an RDB length; encoded is set (and n is the encoding) for a special string
// encoding.
func (r *reader) length() (n uint64, encoded bool, err error) {
	c, err := r.readByte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case len6Bit:
		return uint64(c & 0x3f), false, nil
	case len14Bit:
		c2, err := r.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(c&0x3f)<<8 | uint64(c2), false, nil
	case lenEncVal:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case len32Bit:
		b, err := r.bytes(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case len64Bit:
		b, err := r.bytes(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, corrupt("unknown length encoding %#x", c)
}

// plainLength reads a length where no string encoding can stand, as Redis' rdbLoadLen does:
// an encoded-value byte counts as its low six bits.
func (r *reader) plainLength() (uint64, error) {
	n, _, err := r.length()
	return n, err
}

// count reads a collection's element count, refusing zero (Redis refuses empty keys) and
// counts that cannot fit in the bytes left (each element takes at least minBytes).
func (r *reader) count(minBytes int) (int, error) {
	n, err := r.plainLength()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, corrupt("empty collection")
	}
	if n > uint64(r.left()/minBytes) {
		return 0, corrupt("count %d beyond the bytes left", n)
	}
	return int(n), nil
}

// string reads an RDB string in any of its encodings. The result may alias r's bytes.
func (r *reader) string() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		if n > uint64(r.left()) {
			return nil, corrupt("string length %d beyond the %d bytes left", n, r.left())
		}
		return r.bytes(int(n))
	}
	switch n {
	case encInt8:
		b, err := r.bytes(1)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int8(b[0])), 10), nil
	case encInt16:
		b, err := r.bytes(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(b))), 10), nil
	case encInt32:
		b, err := r.bytes(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(b))), 10), nil
	case encLZF:
		clen, err := r.plainLength()
		if err != nil {
			return nil, err
		}
		ulen, err := r.plainLength()
		if err != nil {
			return nil, err
		}
		if clen > uint64(r.left()) {
			return nil, corrupt("LZF string of %d bytes beyond the %d bytes left", clen, r.left())
		}
		in, _ := r.bytes(int(clen))
		if ulen == 0 {
			// Redis' decompressor stops at once for an empty target and reports the 0
			// bytes asked for: the string is empty whatever the compressed bytes.
			return []byte{}, nil
		}
		if ulen > uint64(len(in))*lzfMaxRatio {
			return nil, corrupt("LZF string of %d bytes cannot expand to %d", clen, ulen)
		}
		out, err := lzfDecompress(in, make([]byte, ulen))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, corrupt("unknown string encoding %d", n)
}

// appendString appends s as rdbSaveRawString does: as an integer when s is the canonical
// form of one that fits 32 bits, LZF-compressed when compress is set, s is longer than 20
// bytes and compression saves space, raw otherwise.
func appendString(dst, s []byte, compress bool) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok && v >= math.MinInt32 && v <= math.MaxInt32 {
			return appendIntString(dst, v)
		}
	}
	if compress && len(s) > 20 {
		if out, ok := appendLZFString(dst, s); ok {
			return out
		}
	}
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendIntString writes v (within int32) in the smallest integer string encoding.
func appendIntString(dst []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, lenEncVal<<6|encInt8, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		dst = append(dst, lenEncVal<<6|encInt16)
		return binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	dst = append(dst, lenEncVal<<6|encInt32)
	return binary.LittleEndian.AppendUint32(dst, uint32(v))
}

// appendLZFString writes s compressed, or reports false when that would not save at least
// four bytes (rdbSaveLzfStringObject).
func appendLZFString(dst, s []byte) ([]byte, bool) {
	comp := lzfCompress(s, make([]byte, len(s)-4))
	if comp == nil {
		return dst, false
	}
	dst = append(dst, lenEncVal<<6|encLZF)
	dst = appendLen(dst, uint64(len(comp)))
	dst = appendLen(dst, uint64(len(s)))
	return append(dst, comp...), true
}

// canonicalInt parses s as Redis' string2ll does when deciding on an integer encoding: the
// shortest decimal form of an int64, no '+', no leading zeros, no "-0".
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return 0, false
	}
	var buf [20]byte
	return v, string(strconv.AppendInt(buf[:0], v, 10)) == string(s)
}

// doubleText reads the text form of a double used by the legacy ZSET type: a length byte
// (253 NaN, 254 +inf, 255 -inf) and that many ASCII characters.
func (r *reader) doubleText() (float64, error) {
	c, err := r.readByte()
	if err != nil {
		return 0, err
	}
	switch c {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.bytes(int(c))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // strtod overflows to ±inf too
		return 0, corrupt("bad double %q", b)
	}
	return f, nil
}

// doubleBinary reads an 8-byte little-endian IEEE 754 double (ZSET_2).
func (r *reader) doubleBinary() (float64, error) {
	b, err := r.bytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}
