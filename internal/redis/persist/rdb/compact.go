package rdb

import (
	"encoding/binary"

	"github.com/tandem-db/tandem/internal/redis/ds/set"
)

// The intset blob (RDB_TYPE_SET_INTSET): a 4-byte width (2, 4 or 8), a 4-byte count, then the
// integers, all little-endian, sorted and distinct. It is tandem's Intset with a header.

// intsetDecode validates blob and returns the intset it holds.
func intsetDecode(blob []byte) (*set.Intset, error) {
	if len(blob) < 8 {
		return nil, corrupt("intset of %d bytes", len(blob))
	}
	w := binary.LittleEndian.Uint32(blob)
	n := uint64(binary.LittleEndian.Uint32(blob[4:]))
	if w != 2 && w != 4 && w != 8 {
		return nil, corrupt("intset width %d", w)
	}
	if n == 0 || n*uint64(w) != uint64(len(blob)-8) {
		return nil, corrupt("intset count %d for %d bytes", n, len(blob)-8)
	}
	is, err := set.IntsetFromBytes(blob[8:], int(w))
	if err != nil {
		return nil, corrupt("intset not sorted and distinct")
	}
	return is, nil
}

// appendIntset appends the intset blob of is.
func appendIntset(dst []byte, is *set.Intset) []byte {
	b, w := is.Bytes()
	dst = binary.LittleEndian.AppendUint32(dst, uint32(w))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(b)/max(w, 1)))
	return append(dst, b...)
}

// zipmapEntries validates a zipmap (the hash encoding of RDB files before Redis 2.6) and
// returns its fields and values, alternating. A zipmap is a count byte, then for each pair
// the field's length and bytes, the value's length, a free-space byte, the value's bytes and
// that much free space, then 0xFF; a length is one byte below 254, or 254 and 4 bytes.
func zipmapEntries(zm []byte) ([][]byte, error) {
	if len(zm) < 2 {
		return nil, corrupt("zipmap of %d bytes", len(zm))
	}
	p := 1
	readLen := func() (int, bool, error) {
		if p >= len(zm) {
			return 0, false, corrupt("zipmap overflows")
		}
		c := zm[p]
		p++
		switch {
		case c == 255:
			return 0, true, nil
		case c < 254:
			return int(c), false, nil
		}
		if p+4 > len(zm) {
			return 0, false, corrupt("zipmap overflows")
		}
		n := binary.LittleEndian.Uint32(zm[p:])
		p += 4
		if uint64(n) > uint64(len(zm)) {
			return 0, false, corrupt("zipmap overflows")
		}
		return int(n), false, nil
	}
	take := func(n int) ([]byte, error) {
		if n > len(zm)-p {
			return nil, corrupt("zipmap overflows")
		}
		b := zm[p : p+n : p+n]
		p += n
		return b, nil
	}
	var out [][]byte
	for {
		n, end, err := readLen()
		if err != nil {
			return nil, err
		}
		if end {
			break
		}
		f, err := take(n)
		if err != nil {
			return nil, err
		}
		n, end, err = readLen()
		if err != nil || end {
			return nil, corrupt("zipmap field without value")
		}
		free, err := take(1)
		if err != nil {
			return nil, err
		}
		v, err := take(n)
		if err != nil {
			return nil, err
		}
		if _, err := take(int(free[0])); err != nil {
			return nil, err
		}
		out = append(out, f, v)
	}
	if p != len(zm) {
		return nil, corrupt("zipmap data after terminator")
	}
	if zm[0] < 254 && int(zm[0]) != len(out)/2 {
		return nil, corrupt("zipmap count header")
	}
	return out, nil
}
