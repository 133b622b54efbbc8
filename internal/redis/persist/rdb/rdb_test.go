package rdb

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/ds/hash"
	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/ds/zset"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

func TestCRC64CheckValue(t *testing.T) {
	// The check value of CRC-64/Jones as Redis' crc64.c tests it.
	if got := newCRCTable().update(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %#x", got)
	}
	long := bytes.Repeat([]byte("0123456789abcdef"), 1000) // the slicing-by-8 path
	var crc uint64
	tab := newCRCTable()
	for _, c := range long {
		crc = tab.update(crc, []byte{c})
	}
	if crc != tab.update(0, long) {
		t.Fatal("bytewise and bulk CRC differ")
	}
}

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{
		[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		bytes.Repeat([]byte("hello world "), 100),
		bytes.Repeat([]byte{'x'}, 70000),
	}
	for i := 0; i < 50; i++ {
		b := make([]byte, rng.IntN(20000)+5)
		alpha := rng.IntN(255) + 1
		for j := range b {
			b[j] = byte(rng.IntN(alpha))
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		comp := lzfCompress(in, make([]byte, len(in)-4))
		if comp == nil {
			continue // incompressible
		}
		out, err := lzfDecompress(comp, make([]byte, len(in)))
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes: %v", len(in), err)
		}
	}
	if comp := lzfCompress(bytes.Repeat([]byte{'x'}, 70000), make([]byte, 69996)); len(comp)*lzfMaxRatio < 70000 {
		t.Fatalf("a run of 70000 bytes compressed to %d, beyond the ratio decoders allow", len(comp))
	}
}

func TestStringEncodings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // hex of the encoded string
	}{
		{"0", "c000"},
		{"-1", "c0ff"},
		{"127", "c07f"},
		{"128", "c18000"},
		{"-32768", "c10080"},
		{"32768", "c200800000"},
		{"2147483647", "c2ffffff7f"},
		{"2147483648", "0a32313437343833363438"},
		{"007", "03303037"},
		{"-0", "022d30"},
		{"hello", "0568656c6c6f"},
	} {
		got := fmt.Sprintf("%x", appendString(nil, []byte(tc.in), true))
		if got != tc.want {
			t.Errorf("%q encodes as %s, want %s", tc.in, got, tc.want)
		}
		r := &reader{b: appendString(nil, []byte(tc.in), true)}
		s, err := r.string()
		if err != nil || string(s) != tc.in || r.left() != 0 {
			t.Errorf("%q decodes as %q, %v", tc.in, s, err)
		}
	}
	long := bytes.Repeat([]byte("abc"), 30)
	enc := appendString(nil, long, true)
	if enc[0] != 0xc3 {
		t.Fatalf("a compressible 90-byte string is not LZF-encoded: %x", enc[:4])
	}
	if raw := appendString(nil, long, false); raw[0] != 0x40 || raw[1] != 90 {
		t.Fatalf("without rdbcompression the string is not raw: %x", raw[:4])
	}
	for _, n := range []uint64{0, 63, 64, 16383, 16384, math.MaxUint32, math.MaxUint32 + 1} {
		r := &reader{b: appendLen(nil, n)}
		got, enc, err := r.length()
		if err != nil || enc || got != n || r.left() != 0 {
			t.Errorf("length %d decodes as %d, %v", n, got, err)
		}
	}
}

func TestListpackEntries(t *testing.T) {
	vals := []string{"0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "-32768", "32768",
		"8388607", "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "", "a", "-0", "01",
		string(bytes.Repeat([]byte{'x'}, 63)), string(bytes.Repeat([]byte{'x'}, 64)),
		string(bytes.Repeat([]byte{'x'}, 4095)), string(bytes.Repeat([]byte{'x'}, 4096)),
		string(bytes.Repeat([]byte{'y'}, 70000))}
	lp := newListpackBuilder()
	for _, v := range vals {
		lp.add([]byte(v))
	}
	got, err := listpackEntries(lp.finish())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vals) {
		t.Fatalf("%d entries, want %d", len(got), len(vals))
	}
	for i := range vals {
		if string(got[i]) != vals[i] {
			t.Errorf("entry %d = %.20q, want %.20q", i, got[i], vals[i])
		}
	}
}

// sample values of every type and encoding.
func sampleValues() map[string]keyspace.Value {
	out := map[string]keyspace.Value{}
	obj := func(name string, o keyspace.Object) { out[name] = keyspace.Value{Type: o.Type(), Obj: o} }
	for _, s := range []string{"", "1", "-5", "123456789012", "hello", string(bytes.Repeat([]byte("ab"), 100))} {
		out["string:"+s] = keyspace.Value{Type: keyspace.TypeString, Str: []byte(s)}
	}
	small, big := list.New(), list.New()
	for i := 0; i < 5; i++ {
		small.Push([]byte(strconv.Itoa(i*1000)), true, list.DefaultConfig())
	}
	for i := 0; i < 3000; i++ {
		big.Push([]byte(fmt.Sprintf("element-%d", i)), i%2 == 0, list.DefaultConfig())
	}
	obj("list:small", small)
	obj("list:big", big)
	ints, strs := set.New(), set.New()
	for i := 0; i < 100; i++ {
		ints.Add([]byte(strconv.Itoa(i*i*i-5000)), set.DefaultConfig())
		strs.Add([]byte(fmt.Sprintf("m%d", i)), set.DefaultConfig())
	}
	obj("set:intset", ints)
	obj("set:hashtable", strs)
	zsmall, zbig := zset.New(), zset.New()
	for i := 0; i < 10; i++ {
		zsmall.Add(fmt.Sprintf("m%d", i), float64(i)/3, zset.DefaultConfig())
	}
	zsmall.Add("inf", math.Inf(1), zset.DefaultConfig())
	zsmall.Add("ninf", math.Inf(-1), zset.DefaultConfig())
	zsmall.Add("big", 1e300, zset.DefaultConfig())
	for i := 0; i < 500; i++ {
		zbig.Add(fmt.Sprintf("member-%d", i), float64(i%37)*1.25, zset.DefaultConfig())
	}
	obj("zset:listpack", zsmall)
	obj("zset:skiplist", zbig)
	hsmall, hbig := hash.New(), hash.New()
	for i := 0; i < 10; i++ {
		hsmall.Set([]byte(fmt.Sprintf("f%d", i)), []byte(strconv.Itoa(i*77777)), hash.DefaultConfig())
	}
	for i := 0; i < 300; i++ {
		hbig.Set([]byte(fmt.Sprintf("field-%d", i)), bytes.Repeat([]byte{'v'}, i), hash.DefaultConfig())
	}
	obj("hash:listpack", hsmall)
	obj("hash:hashtable", hbig)
	return out
}

// contents renders a value's type, encoding and contents in a canonical order.
func contents(v keyspace.Value) string {
	var items []string
	switch o := v.Obj.(type) {
	case nil:
		return "string " + string(v.Str)
	case *list.List:
		o.Range(0, o.Len()-1, func(b []byte) { items = append(items, string(b)) })
		return fmt.Sprintf("list %q", items)
	case *set.Set:
		o.ForEach(func(m []byte) bool { items = append(items, string(m)); return true })
	case *zset.ZSet:
		o.Ascend(func(m string, s float64) bool { items = append(items, fmt.Sprintf("%s=%v", m, s)); return true })
	case *hash.Hash:
		o.ForEach(func(f, val []byte) bool { items = append(items, string(f)+"="+string(val)); return true })
	}
	slices.Sort(items)
	return fmt.Sprintf("%s %s %q", v.Type, v.Obj.Encoding(), items)
}

func TestRoundTrip(t *testing.T) {
	for name, v := range sampleValues() {
		for _, compress := range []bool{true, false} {
			cfg := DefaultConfig()
			cfg.Compress = compress
			p, err := Payload(v, cfg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := LoadPayload(p, cfg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want, have := contents(v), contents(keyspace.Value{Type: got.Type, Str: got.Str, Obj: got.Obj}); want != have {
				t.Errorf("%s (compress %v): got\n%.300s\nwant\n%.300s", name, compress, have, want)
			}
			// Every truncation and every single-byte change must fail cleanly, never panic.
			for i := 0; i < len(p) && i < 200; i++ {
				if _, err := LoadPayload(p[:i], cfg); err == nil {
					t.Fatalf("%s: payload cut at %d loads", name, i)
				}
			}
		}
	}
}

func TestDecodeThresholds(t *testing.T) {
	// A listpack hash over the entry threshold becomes a hashtable, as a big listpack hash
	// restored after CONFIG SET hash-max-listpack-entries does in Redis.
	v := sampleValues()["hash:listpack"]
	p, _ := Payload(v, DefaultConfig())
	cfg := DefaultConfig()
	cfg.Hash.MaxListpackEntries = 2
	got, err := LoadPayload(p, cfg)
	if err != nil || got.Obj.Encoding() != "hashtable" {
		t.Fatalf("got %v, %v", got.Obj, err)
	}
	cfg.Set.MaxIntsetEntries = 10
	p, _ = Payload(sampleValues()["set:intset"], DefaultConfig())
	if got, err := LoadPayload(p, cfg); err != nil || got.Obj.Encoding() != "hashtable" {
		t.Fatalf("intset over the threshold: %v, %v", got.Obj, err)
	}
	p, _ = Payload(sampleValues()["zset:skiplist"], DefaultConfig())
	cfg.ZSet.MaxListpackEntries = 1000
	if got, err := LoadPayload(p, cfg); err != nil || got.Obj.Encoding() != "listpack" {
		t.Fatalf("skiplist under the thresholds: %v, %v", got.Obj, err)
	}
}

func TestPayloadFooter(t *testing.T) {
	p, _ := Payload(keyspace.Value{Type: keyspace.TypeString, Str: []byte("x")}, DefaultConfig())
	if err := VerifyPayload(p); err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(p)
	bad[len(bad)-1] ^= 1
	if VerifyPayload(bad) != ErrPayload {
		t.Fatal("bad checksum accepted")
	}
	newer := slices.Clone(p)
	newer[len(newer)-10] = Version + 1
	if VerifyPayload(newer) != ErrPayload {
		t.Fatal("newer version accepted")
	}
	if VerifyPayload(p[:9]) != ErrPayload {
		t.Fatal("short payload accepted")
	}
}

func TestQuicklistEmptyPlainNode(t *testing.T) {
	// One plain node of zero bytes: redis-server refuses it ("quicklist encoded_len is 0").
	if _, err := LoadPayload(testPayload([]byte{byte(TypeListQuicklist2), 1, containerPlain, 0}), DefaultConfig()); err == nil {
		t.Fatal("loaded")
	}
}
