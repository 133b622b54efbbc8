package set

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

func setContents(s *Set) []string {
	var out []string
	s.ForEach(func(m []byte) bool { out = append(out, string(m)); return true })
	slices.Sort(out)
	return out
}

// TestDupIndependent mutates a set and its Dup in different ways and checks each against its
// own model, in the intset and hashtable encodings.
func TestDupIndependent(t *testing.T) {
	cfg := Config{MaxIntsetEntries: 512}
	for _, tc := range []struct {
		name, enc string
		n         int
		prefix    string
	}{{"intset", "intset", 20, ""}, {"hashtable", "hashtable", 300, "m"}, {"bigints", "hashtable", 1000, ""}} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.n), 2))
			a := New()
			ma := map[string]bool{}
			for i := range tc.n {
				m := fmt.Sprintf("%s%d", tc.prefix, i)
				a.Add([]byte(m), cfg)
				ma[m] = true
			}
			if a.Encoding() != tc.enc {
				t.Fatalf("encoding %s", a.Encoding())
			}
			b := a.Dup().(*Set)
			mb := maps.Clone(ma)
			if b.MemoryUsage() != a.MemoryUsage() || b.Encoding() != a.Encoding() || !slices.Equal(setContents(a), setContents(b)) {
				t.Fatalf("dup differs: mem %d/%d enc %s", b.MemoryUsage(), a.MemoryUsage(), b.Encoding())
			}
			mutate := func(s *Set, m map[string]bool, off int) {
				for range 3 * tc.n {
					k := fmt.Sprintf("%s%d", tc.prefix, off+r.IntN(2*tc.n))
					if r.IntN(2) == 0 {
						s.Add([]byte(k), cfg)
						m[k] = true
					} else {
						s.Remove([]byte(k))
						delete(m, k)
					}
				}
			}
			mutate(a, ma, 0)
			mutate(b, mb, tc.n/2)
			for _, c := range []struct {
				s *Set
				m map[string]bool
			}{{a, ma}, {b, mb}} {
				if got, want := setContents(c.s), slices.Sorted(maps.Keys(c.m)); !slices.Equal(got, want) {
					t.Fatalf("got %d members, want %d", len(got), len(want))
				}
			}
		})
	}
}
