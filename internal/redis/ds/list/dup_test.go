package list

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func listContents(l *List) []string {
	var out []string
	l.Range(0, l.Len()-1, func(v []byte) { out = append(out, string(v)) })
	return out
}

// TestDupIndependent mutates a list and its Dup in different ways and checks each against its
// own model, for single-node and multi-node lists.
func TestDupIndependent(t *testing.T) {
	cfg := Config{MaxPackSize: 4}
	for _, n := range []int{0, 3, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(n), 1))
			a := New()
			var ma []string
			for i := range n {
				v := fmt.Sprintf("v%d", i)
				a.Push([]byte(v), true, cfg)
				ma = append(ma, v)
			}
			b := a.Dup().(*List)
			mb := slices.Clone(ma)
			if b.MemoryUsage() != a.MemoryUsage() || b.Nodes() != a.Nodes() || b.Encoding() != a.Encoding() {
				t.Fatalf("dup: mem %d/%d nodes %d/%d", b.MemoryUsage(), a.MemoryUsage(), b.Nodes(), a.Nodes())
			}
			mutate := func(l *List, m []string, tag string) []string {
				for i := range 200 {
					v := fmt.Sprintf("%s%d", tag, i)
					switch r.IntN(4) {
					case 0:
						l.Push([]byte(v), true, cfg)
						m = append(m, v)
					case 1:
						l.Push([]byte(v), false, cfg)
						m = append([]string{v}, m...)
					case 2:
						if len(m) > 0 {
							j := r.IntN(len(m))
							l.Set(j, []byte(v), cfg)
							m[j] = v
						}
					case 3:
						if len(m) > 0 {
							l.Pop(false)
							m = m[1:]
						}
					}
				}
				return m
			}
			ma = mutate(a, ma, "a")
			mb = mutate(b, mb, "b")
			if got := listContents(a); !slices.Equal(got, ma) {
				t.Fatalf("original: %v want %v", got, ma)
			}
			if got := listContents(b); !slices.Equal(got, mb) {
				t.Fatalf("dup: %v want %v", got, mb)
			}
		})
	}
}
