package wire

import "encoding/binary"

// AppendLenEncInt appends v as a length-encoded integer.
func AppendLenEncInt(b []byte, v uint64) []byte {
	switch {
	case v < 251:
		return append(b, byte(v))
	case v < 1<<16:
		return append(b, 0xfc, byte(v), byte(v>>8))
	case v < 1<<24:
		return append(b, 0xfd, byte(v), byte(v>>8), byte(v>>16))
	default:
		return binary.LittleEndian.AppendUint64(append(b, 0xfe), v)
	}
}

// AppendLenEncString appends s as a length-encoded string.
func AppendLenEncString(b []byte, s string) []byte {
	return append(AppendLenEncInt(b, uint64(len(s))), s...)
}

// AppendLenEncBytes appends s as a length-encoded string.
func AppendLenEncBytes(b []byte, s []byte) []byte {
	return append(AppendLenEncInt(b, uint64(len(s))), s...)
}

// reader walks a packet payload. Every method reports failure through ok so
// that a decoder can read a whole structure and check once; no method panics
// on short input.
type reader struct {
	b   []byte
	pos int
	ok  bool
}

func newReader(b []byte) reader { return reader{b: b, ok: true} }

func (r *reader) left() int { return len(r.b) - r.pos }

func (r *reader) fail() { r.ok = false; r.pos = len(r.b) }

func (r *reader) byte1() byte {
	if r.left() < 1 {
		r.fail()
		return 0
	}
	v := r.b[r.pos]
	r.pos++
	return v
}

func (r *reader) uint16() uint16 {
	if r.left() < 2 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint16(r.b[r.pos:])
	r.pos += 2
	return v
}

func (r *reader) uint32() uint32 {
	if r.left() < 4 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b[r.pos:])
	r.pos += 4
	return v
}

func (r *reader) uint64() uint64 {
	if r.left() < 8 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b[r.pos:])
	r.pos += 8
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || r.left() < n {
		r.fail()
		return nil
	}
	v := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return v
}

func (r *reader) lenEncInt() (v uint64, null bool) {
	first := r.byte1()
	switch first {
	case 0xfb:
		return 0, true
	case 0xfc:
		return uint64(r.uint16()), false
	case 0xfd:
		b := r.bytes(3)
		if b == nil {
			return 0, false
		}
		return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16, false
	case 0xfe:
		return r.uint64(), false
	case 0xff:
		r.fail()
		return 0, false
	}
	return uint64(first), false
}

func (r *reader) lenEncBytes() []byte {
	n, null := r.lenEncInt()
	if null || !r.ok {
		return nil
	}
	if n > uint64(r.left()) {
		r.fail()
		return nil
	}
	return r.bytes(int(n))
}

// nulString reads up to a NUL byte, or to the end when there is none.
func (r *reader) nulString() []byte {
	rest := r.b[r.pos:]
	for i, c := range rest {
		if c == 0 {
			r.pos += i + 1
			return rest[:i:i]
		}
	}
	r.pos = len(r.b)
	return rest
}

func (r *reader) rest() []byte {
	v := r.b[r.pos:]
	r.pos = len(r.b)
	return v
}
