package rdb

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/redistest"
)

// Encoders of the encodings Redis 7.0 no longer writes but still loads, written from the
// format descriptions in ziplist.go and compact.go, to test the decoders against
// redis-server.

func testZiplist(vals ...string) []byte {
	zl := make([]byte, zlHeaderSize)
	prev, last := 0, zlHeaderSize
	for _, v := range vals {
		start := len(zl)
		if prev < zlBigPrevLen {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, zlBigPrevLen)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		if x, ok := canonicalInt([]byte(v)); ok {
			switch {
			case x >= 0 && x <= 12:
				zl = append(zl, 0xf1+byte(x))
			case x >= math.MinInt8 && x <= math.MaxInt8:
				zl = append(zl, 0xfe, byte(x))
			case x >= math.MinInt16 && x <= math.MaxInt16:
				zl = append(zl, 0xc0)
				zl = binary.LittleEndian.AppendUint16(zl, uint16(x))
			case x >= -1<<23 && x < 1<<23:
				zl = append(zl, 0xf0, byte(x), byte(x>>8), byte(x>>16))
			case x >= math.MinInt32 && x <= math.MaxInt32:
				zl = append(zl, 0xd0)
				zl = binary.LittleEndian.AppendUint32(zl, uint32(x))
			default:
				zl = append(zl, 0xe0)
				zl = binary.LittleEndian.AppendUint64(zl, uint64(x))
			}
		} else {
			switch n := len(v); {
			case n < 64:
				zl = append(zl, byte(n))
			case n < 16384:
				zl = append(zl, 0x40|byte(n>>8), byte(n))
			default:
				zl = append(zl, 0x80)
				zl = binary.BigEndian.AppendUint32(zl, uint32(n))
			}
			zl = append(zl, v...)
		}
		prev, last = len(zl)-start, start
	}
	zl = append(zl, zlEnd)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(last))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(vals)))
	return zl
}

func testZipmap(pairs ...string) []byte {
	zm := []byte{byte(len(pairs) / 2)}
	putLen := func(n int) {
		if n < 254 {
			zm = append(zm, byte(n))
		} else {
			zm = append(zm, 254)
			zm = binary.LittleEndian.AppendUint32(zm, uint32(n))
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		putLen(len(pairs[i]))
		zm = append(zm, pairs[i]...)
		putLen(len(pairs[i+1]))
		zm = append(zm, 2) // two bytes of free space
		zm = append(zm, pairs[i+1]...)
		zm = append(zm, 0, 0)
	}
	return append(zm, 255)
}

// testPayload wraps an object in a DUMP footer.
func testPayload(obj []byte) []byte {
	p := binary.LittleEndian.AppendUint16(obj, Version)
	return binary.LittleEndian.AppendUint64(p, newCRCTable().update(0, p))
}

func legacyPayloads() map[string][]byte {
	long := string(make([]byte, 300))
	values := []string{"a", "0", "12", "13", "-1", "127", "-128", "200", "32767", "-32768", "40000",
		"8388607", "-8388608", "9000000", "2147483647", "-2147483648", "3000000000",
		"-9223372036854775808", "9223372036854775807", "9223372036854775808", long}
	withT := func(t Type, parts ...[]byte) []byte {
		out := []byte{byte(t)}
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	str := func(s string) []byte { return appendString(nil, []byte(s), false) }
	out := map[string][]byte{}
	out["list-ziplist"] = withT(TypeListZiplist, str(string(testZiplist(values...))))
	q := appendLen(nil, 3)
	q = append(q, str(string(testZiplist(values[:5]...)))...)
	q = append(q, str(string(testZiplist()))...) // an empty node, which Redis skips
	q = append(q, str(string(testZiplist(values[5:]...)))...)
	out["list-quicklist"] = withT(TypeListQuicklist, q)
	lst := appendLen(nil, uint64(len(values)))
	for _, v := range values {
		lst = append(lst, str(v)...)
	}
	out["list-linked"] = withT(TypeList, lst)
	var zs, hs []string
	for i, v := range values {
		zs = append(zs, v, strconv.FormatFloat(float64(i)/4, 'g', -1, 64))
		hs = append(hs, "f"+v, v)
	}
	out["zset-ziplist"] = withT(TypeZSetZiplist, str(string(testZiplist(zs...))))
	out["hash-ziplist"] = withT(TypeHashZiplist, str(string(testZiplist(hs...))))
	out["hash-zipmap"] = withT(TypeHashZipmap, str(string(testZipmap("a", "1", "bb", long, long, "x"))))
	// Text scores: a length and ASCII, or 254 for +inf and 255 for -inf.
	z := appendLen(nil, 4)
	for i, score := range [][]byte{{3, '1', '.', '5'}, {254}, {255}, {6, '1', 'e', '+', '1', '0', '0'}} {
		z = append(z, str(fmt.Sprintf("m%d", i))...)
		z = append(z, score...)
	}
	out["zset-text"] = withT(TypeZSet, z)
	return out
}

// TestLegacyEncodings loads the encodings of older RDB versions in tandem and in
// redis-server and compares the contents.
func TestLegacyEncodings(t *testing.T) {
	ctx := context.Background()
	rc := redistest.Start(t, 2)
	rc.ConfigSet(ctx, "hash-max-listpack-entries", "128")
	for name, obj := range legacyPayloads() {
		p := testPayload(obj)
		v, err := LoadPayload(p, DefaultConfig())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := contents(keyspace.Value{Type: v.Type, Obj: v.Obj})
		if err := rc.Restore(ctx, name, 0, string(p)).Err(); err != nil {
			t.Errorf("%s: redis-server: %v", name, err)
			continue
		}
		if want := redisContents(ctx, t, rc, name); want != got {
			t.Errorf("%s: tandem\n%.400s\nredis-server\n%.400s", name, got, want)
		}
	}
}
