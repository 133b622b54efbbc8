package list

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// checkList verifies the chain's links, counts and memory accounting against a model.
func checkList(t *testing.T, l *List, model [][]byte) {
	t.Helper()
	if l.Len() != len(model) {
		t.Fatalf("len %d, model %d", l.Len(), len(model))
	}
	n, nodes, mem := 0, 0, 0
	var prev *node
	for nd := l.head; nd != nil; nd = nd.next {
		if nd.prev != prev {
			t.Fatalf("broken prev link")
		}
		c, err := nd.p.Validate()
		if err != nil || c != nd.n || c == 0 {
			t.Fatalf("node count %d/%d err %v", c, nd.n, err)
		}
		for pos := 0; pos < len(nd.p); {
			var v []byte
			v, pos = nd.p.Entry(pos)
			if !bytes.Equal(v, model[n]) {
				t.Fatalf("element %d = %q, model %q", n, v, model[n])
			}
			n++
		}
		if nd.front > 0 && (cap(nd.base) != nd.front+cap(nd.p) || (cap(nd.p) > 0 && &nd.base[:nd.front+1][nd.front] != &nd.p[:1][0])) {
			t.Fatalf("node entries are not at base[front:]")
		}
		nodes++
		mem += nd.size()
		prev = nd
	}
	if l.tail != prev || n != len(model) || nodes != l.nodes || mem != l.mem {
		t.Fatalf("tail/count/nodes/mem mismatch: %d %d %d/%d %d/%d", n, len(model), nodes, l.nodes, mem, l.mem)
	}
}

func TestListRandomAgainstModel(t *testing.T) {
	for _, fill := range []int{-2, -1, 1, 3, 128} {
		t.Run(fmt.Sprint(fill), func(t *testing.T) {
			cfg := Config{MaxPackSize: fill}
			rng := rand.New(rand.NewSource(int64(fill) + 100))
			l := New()
			var model [][]byte
			val := func() []byte {
				n := rng.Intn(20)
				if rng.Intn(50) == 0 {
					n = rng.Intn(10000)
				}
				b := make([]byte, n)
				for i := range b {
					b[i] = byte('a' + rng.Intn(4))
				}
				return b
			}
			for op := 0; op < 20000; op++ {
				switch r := rng.Intn(10); {
				case r < 3:
					v := val()
					tail := rng.Intn(2) == 0
					l.Push(v, tail, cfg)
					if tail {
						model = append(model, v)
					} else {
						model = append([][]byte{v}, model...)
					}
				case r < 5:
					tail := rng.Intn(2) == 0
					peeked, pok := l.Peek(tail)
					peeked = append([]byte(nil), peeked...)
					v, ok := l.Pop(tail)
					if ok != (len(model) > 0) || pok != ok || !bytes.Equal(peeked, v) {
						t.Fatalf("pop ok %v, peek %q ok %v", ok, peeked, pok)
					}
					if ok {
						want := model[0]
						if tail {
							want = model[len(model)-1]
							model = model[:len(model)-1]
						} else {
							model = model[1:]
						}
						if !bytes.Equal(v, want) {
							t.Fatalf("pop %q want %q", v, want)
						}
					}
				case r == 5 && len(model) > 0:
					i := rng.Intn(len(model))
					if !bytes.Equal(l.Index(i), model[i]) {
						t.Fatalf("index %d", i)
					}
					v := val()
					l.Set(i, v, cfg)
					model[i] = v
				case r == 6 && len(model) > 0:
					// iterator delete of matching values, either direction
					i := rng.Intn(len(model))
					rev := rng.Intn(2) == 0
					target := val()[:0]
					if len(model[i]) > 0 {
						target = model[i][:1]
					}
					it := l.IterFrom(i, rev)
					var keep [][]byte
					var idx []int
					for j := i; it.Next(); {
						if !bytes.Equal(it.Value(), model[j]) {
							t.Fatalf("iter %d mismatch", j)
						}
						if bytes.HasPrefix(it.Value(), target) && rng.Intn(2) == 0 {
							it.Delete()
							idx = append(idx, j)
						}
						if rev {
							j--
						} else {
							j++
						}
					}
					del := map[int]bool{}
					for _, j := range idx {
						del[j] = true
					}
					for j, v := range model {
						if !del[j] {
							keep = append(keep, v)
						}
					}
					model = keep
				case r == 7 && len(model) > 0:
					i := rng.Intn(len(model))
					after := rng.Intn(2) == 0
					v := val()
					it := l.IterFrom(i, false)
					it.Next()
					it.Insert(v, after, cfg)
					if after {
						i++
					}
					model = append(model[:i], append([][]byte{v}, model[i:]...)...)
				case r == 8 && len(model) > 0:
					s := rng.Intn(len(model))
					c := rng.Intn(len(model) - s + 1)
					l.DeleteRange(s, c)
					model = append(model[:s], model[s+c:]...)
				case r == 9 && len(model) > 0:
					s := rng.Intn(len(model))
					e := s + rng.Intn(len(model)-s)
					var got [][]byte
					l.Range(s, e, func(v []byte) { got = append(got, v) })
					if len(got) != e-s+1 {
						t.Fatalf("range len")
					}
					for j := range got {
						if !bytes.Equal(got[j], model[s+j]) {
							t.Fatalf("range %d", j)
						}
					}
				}
				if op%97 == 0 {
					checkList(t, l, model)
				}
			}
			checkList(t, l, model)
		})
	}
}

func TestPackRoundTrip(t *testing.T) {
	var p Pack
	vals := [][]byte{nil, []byte("a"), bytes.Repeat([]byte("x"), 127), bytes.Repeat([]byte("y"), 128), bytes.Repeat([]byte("z"), 20000)}
	for _, v := range vals {
		p = p.Append(v)
	}
	n, err := p.Validate()
	if err != nil || n != len(vals) {
		t.Fatal(n, err)
	}
	pos := len(p)
	for i := len(vals) - 1; i >= 0; i-- {
		pos = p.Prev(pos)
		v, _ := p.Entry(pos)
		if !bytes.Equal(v, vals[i]) {
			t.Fatalf("backwards %d", i)
		}
	}
	if p.Prev(pos) != -1 {
		t.Fatal("prev of first")
	}
}

func FuzzPackValidate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte(Pack(nil).Append([]byte("hello")).Append(nil)))
	f.Add([]byte{0x80, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := Pack(b)
		n, err := p.Validate()
		if err != nil {
			return
		}
		// A valid pack walks the same both ways and re-encodes identically.
		var vals [][]byte
		for pos := 0; pos < len(p); {
			var v []byte
			v, pos = p.Entry(pos)
			vals = append(vals, v)
		}
		if len(vals) != n {
			t.Fatalf("count %d vs %d", len(vals), n)
		}
		pos := len(p)
		for i := n - 1; i >= 0; i-- {
			pos = p.Prev(pos)
			v, _ := p.Entry(pos)
			if !bytes.Equal(v, vals[i]) {
				t.Fatal("backward walk differs")
			}
		}
		var q Pack
		for _, v := range vals {
			q = q.Append(v)
		}
		if !bytes.Equal(q, p) {
			t.Fatal("re-encoding differs")
		}
	})
}

// BenchmarkHeadPushPop is LPUSH then LPOP on a long list: neither moves the head node's entries.
func BenchmarkHeadPushPop(b *testing.B) {
	cfg := DefaultConfig()
	l := New()
	v := []byte("xxx")
	for i := 0; i < 100000; i++ {
		l.Push(v, false, cfg)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Push(v, false, cfg)
		if _, ok := l.Peek(false); !ok {
			b.Fatal("empty")
		}
		l.Drop(false)
	}
}
