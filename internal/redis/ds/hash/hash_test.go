package hash

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

func TestHashRandomAgainstModel(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {MaxListpackEntries: 4, MaxListpackValue: 8}, {MaxListpackEntries: 1000, MaxListpackValue: 1000}} {
		t.Run(fmt.Sprint(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(cfg.MaxListpackEntries)))
			h := New()
			model := map[string]string{}
			for op := 0; op < 20000; op++ {
				f := []byte(fmt.Sprintf("f%d", rng.Intn(300)))
				switch rng.Intn(4) {
				case 0, 1:
					v := bytes.Repeat([]byte{'v'}, rng.Intn(12))
					if rng.Intn(100) == 0 {
						v = bytes.Repeat([]byte{'w'}, 100)
					}
					_, had := model[string(f)]
					if h.Set(f, v, cfg) == had {
						t.Fatalf("Set(%s) new mismatch", f)
					}
					model[string(f)] = string(v)
				case 2:
					_, had := model[string(f)]
					if h.Delete(f) != had {
						t.Fatalf("Delete(%s)", f)
					}
					delete(model, string(f))
				case 3:
					v, ok := h.Get(f)
					mv, had := model[string(f)]
					if ok != had || string(v) != mv {
						t.Fatalf("Get(%s) = %q %v, model %q %v", f, v, ok, mv, had)
					}
				}
				if h.Len() != len(model) {
					t.Fatalf("len %d model %d", h.Len(), len(model))
				}
				if h.Encoding() == "listpack" && h.Len() > cfg.MaxListpackEntries {
					t.Fatal("listpack past max entries")
				}
			}
			seen := 0
			h.ForEach(func(f, v []byte) bool {
				if model[string(f)] != string(v) {
					t.Fatalf("ForEach %s", f)
				}
				seen++
				return true
			})
			if seen != len(model) {
				t.Fatal("ForEach count")
			}
			if len(model) > 0 {
				f, v := h.Random()
				if model[string(f)] != string(v) {
					t.Fatal("Random")
				}
			}
		})
	}
}

func TestHashConversion(t *testing.T) {
	cfg := DefaultConfig()
	h := New()
	for i := 0; i < 128; i++ {
		h.Set([]byte(fmt.Sprint(i)), []byte("x"), cfg)
	}
	if h.Encoding() != "listpack" {
		t.Fatal("128 fields should stay listpack")
	}
	h.Set([]byte("128"), []byte("x"), cfg)
	if h.Encoding() != "hashtable" {
		t.Fatal("129 fields should be hashtable")
	}
	h2 := New()
	h2.Set([]byte("f"), bytes.Repeat([]byte("x"), 64), cfg)
	if h2.Encoding() != "listpack" {
		t.Fatal("64-byte value fits")
	}
	h2.Set([]byte("f"), bytes.Repeat([]byte("x"), 65), cfg)
	if h2.Encoding() != "hashtable" {
		t.Fatal("65-byte value converts")
	}
}

func FuzzFromPacked(f *testing.F) {
	h := New()
	h.Set([]byte("a"), []byte("1"), DefaultConfig())
	h.Set([]byte("b"), []byte("2"), DefaultConfig())
	p, _ := h.Packed()
	f.Add([]byte(p))
	f.Add([]byte{1, 'a', 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := FromPacked(b, DefaultConfig())
		if err != nil {
			return
		}
		// every field decoded is found again with its value.
		h.ForEach(func(f, v []byte) bool {
			got, ok := h.Get(f)
			if !ok || !bytes.Equal(got, v) {
				t.Fatalf("field %q lost", f)
			}
			return true
		})
	})
}

// TestInlineViews stores listpack hashes inline in a keyspace and changes them through the
// views Lookup returns, as the HSET family does: a view never writes the keyspace's bytes,
// storing it again (ReplaceObject) does, and the TTL stays.
func TestInlineViews(t *testing.T) {
	ks := keyspace.New(keyspace.Options{Databases: 1, Seed: 1})
	db := ks.DB(0)
	cfg := DefaultConfig()
	h := New()
	h.Set([]byte("f1"), []byte("v1"), cfg)
	h.Set([]byte("f2"), []byte("v2"), cfg)
	db.SetObject([]byte("k"), h)
	h.Set([]byte("f1"), []byte("changed after store"), cfg) // not seen: the bytes were copied
	db.SetExpire([]byte("k"), 1<<50)
	model := map[string]string{"f1": "v1", "f2": "v2"}
	rng := rand.New(rand.NewSource(1))
	converted := false
	for op := 0; op < 3000; op++ {
		v, ok := db.Lookup([]byte("k"))
		if !ok || v.Type != keyspace.TypeHash || v.ExpireAt != 1<<50 {
			t.Fatalf("op %d: %+v %v", op, v, ok)
		}
		view := v.Obj.(*Hash)
		if (v.Inline != nil) != (view.Encoding() == "listpack" && len(view.lp) <= MaxInline) {
			t.Fatalf("op %d: inline %v for %s hash of %d bytes", op, v.Inline != nil, view.Encoding(), len(view.lp))
		}
		if view.Len() != len(model) {
			t.Fatalf("op %d: len %d, model %d", op, view.Len(), len(model))
		}
		view.ForEach(func(f, val []byte) bool {
			if model[string(f)] != string(val) {
				t.Fatalf("op %d: %s=%q, model %q", op, f, val, model[string(f)])
			}
			return true
		})
		before := string(v.Inline)
		f := fmt.Sprintf("f%d", rng.Intn(40))
		if rng.Intn(3) == 0 {
			view.Delete([]byte(f))
			delete(model, f)
		} else {
			val := bytes.Repeat([]byte{'x'}, rng.Intn(20))
			if op > 2000 && rng.Intn(200) == 0 {
				val = bytes.Repeat([]byte{'y'}, 100) // converts to a hashtable: an Object
				converted = true
			}
			view.Set([]byte(f), val, cfg)
			model[f] = string(val)
		}
		if string(v.Inline) != before {
			t.Fatalf("op %d: a change of the view wrote the keyspace's bytes", op)
		}
		if view.Len() == 0 {
			db.Delete([]byte("k"))
			db.SetObject([]byte("k"), view)
			db.SetExpire([]byte("k"), 1<<50)
			continue
		}
		db.ReplaceObject([]byte("k"), view)
		if err := ks.Check(); err != nil {
			t.Fatal(err)
		}
	}
	v, _ := db.Peek([]byte("k"))
	if want := map[bool]string{false: "listpack", true: "hashtable"}[converted]; v.Encoding() != want || v.Inline != nil == converted {
		t.Fatalf("encoding %s inline %v, want %s", v.Encoding(), v.Inline != nil, want)
	}
}
