package hash

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

func hashContents(h *Hash) map[string]string {
	out := map[string]string{}
	h.ForEach(func(f, v []byte) bool { out[string(f)] = string(v); return true })
	return out
}

// TestDupIndependent mutates a hash and its Dup in different ways and checks each against its
// own model, in the listpack and hashtable encodings.
func TestDupIndependent(t *testing.T) {
	cfg := Config{MaxListpackEntries: 128, MaxListpackValue: 64}
	for _, tc := range []struct {
		enc string
		n   int
	}{{"listpack", 10}, {"hashtable", 400}} {
		t.Run(tc.enc, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.n), 3))
			a := New()
			ma := map[string]string{}
			for i := range tc.n {
				f, v := fmt.Sprintf("f%d", i), fmt.Sprintf("v%d", i)
				a.Set([]byte(f), []byte(v), cfg)
				ma[f] = v
			}
			if a.Encoding() != tc.enc {
				t.Fatalf("encoding %s", a.Encoding())
			}
			b := a.Dup().(*Hash)
			mb := maps.Clone(ma)
			if b.MemoryUsage() != a.MemoryUsage() || b.Encoding() != a.Encoding() || !maps.Equal(hashContents(a), hashContents(b)) {
				t.Fatalf("dup differs: mem %d/%d enc %s", b.MemoryUsage(), a.MemoryUsage(), b.Encoding())
			}
			mutate := func(h *Hash, m map[string]string, tag string) {
				for i := range 3 * tc.n {
					f := fmt.Sprintf("f%d", r.IntN(2*tc.n))
					if r.IntN(3) == 0 {
						h.Delete([]byte(f))
						delete(m, f)
					} else {
						v := fmt.Sprintf("%s%d", tag, i)
						h.Set([]byte(f), []byte(v), cfg)
						m[f] = v
					}
				}
			}
			mutate(a, ma, "a")
			mutate(b, mb, "b")
			if !maps.Equal(hashContents(a), ma) {
				t.Fatal("original differs from its model")
			}
			if !maps.Equal(hashContents(b), mb) {
				t.Fatal("dup differs from its model")
			}
		})
	}
}
