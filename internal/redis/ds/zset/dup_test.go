package zset

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

type zpair struct {
	m string
	s float64
}

func zsetContents(z *ZSet) []zpair {
	var out []zpair
	z.Ascend(func(m string, s float64) bool { out = append(out, zpair{m, s}); return true })
	return out
}

func zsetModel(m map[string]float64) []zpair {
	var out []zpair
	for k, v := range m {
		out = append(out, zpair{k, v})
	}
	slices.SortFunc(out, func(a, b zpair) int {
		if a.s != b.s {
			if a.s < b.s {
				return -1
			}
			return 1
		}
		if a.m < b.m {
			return -1
		} else if a.m > b.m {
			return 1
		}
		return 0
	})
	return out
}

// TestDupIndependent mutates a sorted set and its Dup in different ways and checks each (order
// and ranks) against its own model, in the listpack and skiplist encodings.
func TestDupIndependent(t *testing.T) {
	cfg := Config{MaxListpackEntries: 128, MaxListpackValue: 64}
	for _, tc := range []struct {
		enc string
		n   int
	}{{"listpack", 10}, {"skiplist", 2000}} {
		t.Run(tc.enc, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.n), 4))
			a := New()
			ma := map[string]float64{}
			for i := range tc.n {
				m := fmt.Sprintf("m%d", i)
				a.Add(m, float64(r.IntN(100)), cfg)
				ma[m] = a.mustScore(t, m)
			}
			if a.Encoding() != tc.enc {
				t.Fatalf("encoding %s", a.Encoding())
			}
			b := a.Dup().(*ZSet)
			mb := maps.Clone(ma)
			if b.MemoryUsage() != a.MemoryUsage() || b.Encoding() != a.Encoding() || !slices.Equal(zsetContents(a), zsetContents(b)) {
				t.Fatalf("dup differs: mem %d/%d enc %s", b.MemoryUsage(), a.MemoryUsage(), b.Encoding())
			}
			mutate := func(z *ZSet, m map[string]float64) {
				for range 3 * tc.n {
					k := fmt.Sprintf("m%d", r.IntN(2*tc.n))
					switch r.IntN(3) {
					case 0:
						z.Remove(k)
						delete(m, k)
					default:
						s := float64(r.IntN(100))
						z.Add(k, s, cfg)
						m[k] = s
					}
				}
			}
			mutate(a, ma)
			mutate(b, mb)
			for _, c := range []struct {
				z *ZSet
				m map[string]float64
			}{{a, ma}, {b, mb}} {
				want := zsetModel(c.m)
				if got := zsetContents(c.z); !slices.Equal(got, want) {
					t.Fatalf("got %d members, want %d", len(got), len(want))
				}
				for i, p := range want {
					if rk, ok := c.z.Rank(p.m); !ok || rk != i {
						t.Fatalf("rank of %s = %d, want %d", p.m, rk, i)
					}
				}
			}
		})
	}
}

func (z *ZSet) mustScore(t *testing.T, m string) float64 {
	s, ok := z.Score(m)
	if !ok {
		t.Fatalf("no score for %s", m)
	}
	return s
}
