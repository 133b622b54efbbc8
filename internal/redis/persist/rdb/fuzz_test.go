package rdb

import (
	"bytes"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// Every decoder has a fuzz test: none may panic, and whatever decodes must encode again and
// decode to the same contents. Seeds come from the sample and legacy values; the committed
// corpus in testdata/fuzz adds redis-server's own payloads (TestRedisServerPayloads with
// TANDEM_RDB_GOLDEN=1 records them).

func FuzzLoadPayload(f *testing.F) {
	for _, v := range sampleValues() {
		p, _ := Payload(v, DefaultConfig())
		f.Add(p)
	}
	for _, obj := range legacyPayloads() {
		f.Add(testPayload(obj))
	}
	cfg := DefaultConfig()
	cfg.Hash.MaxListpackEntries, cfg.ZSet.MaxListpackEntries, cfg.Set.MaxIntsetEntries = 4, 4, 4
	f.Fuzz(func(t *testing.T, p []byte) {
		v, err := LoadPayload(p, cfg)
		if err != nil {
			return
		}
		kv := keyspace.Value{Type: v.Type, Str: v.Str, Obj: v.Obj}
		again, err := Payload(kv, cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, err := LoadPayload(again, cfg)
		if err != nil {
			t.Fatalf("tandem cannot load its own payload: %v", err)
		}
		if v.Type == keyspace.TypeString {
			if !bytes.Equal(v.Str, w.Str) {
				t.Fatal("string changed")
			}
			return
		}
		if a, b := contents(kv), contents(keyspace.Value{Type: w.Type, Obj: w.Obj}); a != b {
			t.Fatalf("contents changed:\n%s\n%s", a, b)
		}
	})
}

// FuzzDecodeObject feeds objects without a footer, so mutations are not all stopped by the
// checksum.
func FuzzDecodeObject(f *testing.F) {
	for _, v := range sampleValues() {
		o, _ := AppendObject(nil, v, DefaultConfig())
		f.Add(o)
	}
	for _, obj := range legacyPayloads() {
		f.Add(obj)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, rest, err := DecodeObject(b, DefaultConfig())
		if err != nil {
			return
		}
		if len(rest) > len(b) || (v.Type != keyspace.TypeString && v.Obj == nil) {
			t.Fatal("bad result")
		}
	})
}

func FuzzLZF(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), uint16(50))
	f.Add([]byte{0x01, 'a', 'b', 0xe0, 0x05, 0x01}, uint16(12))
	f.Fuzz(func(t *testing.T, b []byte, n uint16) {
		// Decoding arbitrary bytes into n bytes never panics.
		_, _ = lzfDecompress(b, make([]byte, n))
		// Compressing then decompressing gives the input back.
		if len(b) > 4 {
			if comp := lzfCompress(b, make([]byte, len(b)-4)); comp != nil {
				out, err := lzfDecompress(comp, make([]byte, len(b)))
				if err != nil || !bytes.Equal(out, b) {
					t.Fatalf("round trip: %v", err)
				}
			}
		}
	})
}

func FuzzListpack(f *testing.F) {
	lp := newListpackBuilder()
	for _, v := range []string{"1", "-4000", "70000", "abc", "9223372036854775807"} {
		lp.add([]byte(v))
	}
	f.Add(lp.finish())
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := listpackEntries(b)
		if err != nil {
			return
		}
		again := newListpackBuilder()
		for _, v := range items {
			again.add(v)
		}
		back, err := listpackEntries(again.finish())
		if err != nil || len(back) != len(items) {
			t.Fatalf("re-encoded listpack: %v", err)
		}
	})
}

func FuzzZiplist(f *testing.F) {
	f.Add(testZiplist("a", "12", "-1", "40000", string(make([]byte, 300))))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := ziplistEntries(b)
		if err != nil {
			return
		}
		if _, err := ziplistEntries(testZiplist(toStrings(items)...)); err != nil {
			t.Fatalf("re-encoded ziplist: %v", err)
		}
	})
}

func FuzzIntset(f *testing.F) {
	f.Add([]byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		is, err := intsetDecode(b)
		if err != nil {
			return
		}
		if !bytes.Equal(appendIntset(nil, is), b) {
			t.Fatal("intset does not re-encode to its bytes")
		}
	})
}

func FuzzZipmap(f *testing.F) {
	f.Add(testZipmap("a", "1", "bb", "22"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := zipmapEntries(b)
		if err == nil && len(items)%2 != 0 {
			t.Fatal("odd zipmap")
		}
	})
}

func toStrings(items [][]byte) []string {
	out := make([]string, len(items))
	for i, b := range items {
		out[i] = string(b)
	}
	return out
}
