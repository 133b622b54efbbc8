package zset

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

type modelEntry struct {
	m string
	s float64
}

func sortedModel(m map[string]float64) []modelEntry {
	out := make([]modelEntry, 0, len(m))
	for k, v := range m {
		out = append(out, modelEntry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].s, out[i].m, out[j].s, out[j].m) })
	return out
}

func checkAgainst(t *testing.T, z *ZSet, model map[string]float64, rng *rand.Rand) {
	t.Helper()
	if z.tree != nil {
		z.tree.check()
	} else if n, err := validate(z.lp); err != nil || n != z.n {
		t.Fatalf("listpack invalid: %v n=%d want %d", err, n, z.n)
	}
	want := sortedModel(model)
	if z.Len() != len(want) {
		t.Fatalf("len %d want %d", z.Len(), len(want))
	}
	var got []modelEntry
	z.Ascend(func(m string, s float64) bool { got = append(got, modelEntry{string([]byte(m)), s}); return true })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("order differs:\n got %v\nwant %v", got, want)
	}
	if len(want) == 0 {
		return
	}
	for k := 0; k < 5; k++ {
		i := rng.IntN(len(want))
		if r, ok := z.Rank(want[i].m); !ok || r != i {
			t.Fatalf("rank(%s)=%d,%v want %d", want[i].m, r, ok, i)
		}
		if m, s := z.At(i); m != want[i].m || s != want[i].s {
			t.Fatalf("at(%d)=%s,%v", i, m, s)
		}
		j := i + rng.IntN(len(want)-i)
		var rev []modelEntry
		z.Range(i, j, true, func(m string, s float64) bool { rev = append(rev, modelEntry{string([]byte(m)), s}); return true })
		if len(rev) != j-i+1 || rev[0] != want[j] || rev[len(rev)-1] != want[i] {
			t.Fatalf("rev range %d..%d = %v", i, j, rev)
		}
		lo, hi := rng.Float64()*20-10, rng.Float64()*20-10
		r := ScoreRange{Min: lo, Max: hi, MinEx: rng.IntN(2) == 0, MaxEx: rng.IntN(2) == 0}
		a, b := z.ScoreRanks(r)
		wa, wb := -1, -1
		for x, e := range want {
			in := (e.s > lo || (!r.MinEx && e.s == lo)) && (e.s < hi || (!r.MaxEx && e.s == hi))
			if in {
				if wa < 0 {
					wa = x
				}
				wb = x + 1
			}
		}
		if wa < 0 {
			if a != b {
				t.Fatalf("score range %+v: got [%d,%d) want empty", r, a, b)
			}
		} else if a != wa || b != wb {
			t.Fatalf("score range %+v: got [%d,%d) want [%d,%d)", r, a, b, wa, wb)
		}
	}
}

func TestRandomAgainstModel(t *testing.T) {
	for _, cfg := range []Config{DefaultConfig(), {MaxListpackEntries: 4, MaxListpackValue: 64}, {}} {
		rng := rand.New(rand.NewPCG(1, uint64(cfg.MaxListpackEntries)))
		z := NewSized(0, 0, cfg)
		model := map[string]float64{}
		for op := 0; op < 20000; op++ {
			m := fmt.Sprintf("m%d", rng.IntN(600))
			switch rng.IntN(10) {
			case 0, 1, 2, 3, 4:
				s := float64(rng.IntN(20) - 10)
				_, had := model[m]
				if added := z.Add(m, s, cfg); added == had {
					t.Fatalf("add %s added=%v had=%v", m, added, had)
				}
				model[m] = s
			case 5, 6:
				_, had := model[m]
				if z.Remove(m) != had {
					t.Fatalf("remove %s", m)
				}
				delete(model, m)
			case 7:
				if z.Len() > 0 {
					a := rng.IntN(z.Len())
					b := min(z.Len()-1, a+rng.IntN(30))
					want := sortedModel(model)
					for _, e := range want[a : b+1] {
						delete(model, e.m)
					}
					if n := z.RemoveRanks(a, b); n != b-a+1 {
						t.Fatalf("removeRanks %d", n)
					}
				}
			case 8:
				if s, ok := z.Score(m); ok != (model[m] == s && ok) {
					t.Fatalf("score %s", m)
				}
			case 9:
				z.Compact(cfg)
			}
			if op%97 == 0 {
				checkAgainst(t, z, model, rng)
			}
		}
		checkAgainst(t, z, model, rng)
	}
}

func TestLexRanks(t *testing.T) {
	z := New()
	cfg := DefaultConfig()
	for _, m := range []string{"a", "b", "c", "d", "e"} {
		z.Add(m, 0, cfg)
	}
	for _, tc := range []struct {
		r      LexRange
		lo, hi int
	}{
		{LexRange{LexBound{Inf: -1}, LexBound{Inf: 1}}, 0, 5},
		{LexRange{LexBound{Member: "b"}, LexBound{Member: "d", Ex: true}}, 1, 3},
		{LexRange{LexBound{Member: "b", Ex: true}, LexBound{Member: "d"}}, 2, 4},
		{LexRange{LexBound{Inf: 1}, LexBound{Inf: 1}}, 0, 0},
		{LexRange{LexBound{Member: "d"}, LexBound{Member: "b"}}, 0, 0},
	} {
		lo, hi := z.LexRanks(tc.r)
		if hi-lo != tc.hi-tc.lo || (hi > lo && lo != tc.lo) {
			t.Errorf("%+v: [%d,%d) want [%d,%d)", tc.r, lo, hi, tc.lo, tc.hi)
		}
	}
}

func FuzzListpackDecode(f *testing.F) {
	z := New()
	z.Add("a", 1, DefaultConfig())
	z.Add("bb", -2.5, DefaultConfig())
	f.Add(z.AppendListpack(nil))
	f.Add([]byte{1, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := FromListpack(b, Config{MaxListpackEntries: 3, MaxListpackValue: 8})
		if err != nil {
			return
		}
		if got := z.AppendListpack(nil); string(got) != string(b) {
			t.Fatalf("round trip differs")
		}
	})
}

func TestTreeDeep(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cfg := DefaultConfig()
	z := New()
	model := map[string]float64{}
	for i := 0; i < 30000; i++ {
		m := fmt.Sprintf("k%d", rng.IntN(40000))
		s := float64(rng.IntN(1000))
		z.Add(m, s, cfg)
		model[m] = s
	}
	checkAgainst(t, z, model, rng)
	for m := range model {
		if rng.IntN(4) != 0 {
			z.Remove(m)
			delete(model, m)
		}
	}
	checkAgainst(t, z, model, rng)
	z.RemoveRanks(0, z.Len()/2)
	want := sortedModel(model)
	for _, e := range want[:len(want)/2+1] {
		delete(model, e.m)
	}
	checkAgainst(t, z, model, rng)
}

func TestShrinkAfterMassRemoval(t *testing.T) {
	cfg := DefaultConfig()
	z := New()
	model := map[string]float64{}
	for i := 0; i < 20000; i++ {
		m := fmt.Sprintf("m%d", i)
		z.Add(m, float64(i%97), cfg)
		model[m] = float64(i % 97)
	}
	big := z.MemoryUsage()
	for i := 0; i < 19900; i++ {
		m := fmt.Sprintf("m%d", i)
		z.Remove(m)
		delete(model, m)
	}
	if z.MemoryUsage()*10 > big {
		t.Fatalf("memory %d after removing 99.5%% of members (was %d)", z.MemoryUsage(), big)
	}
	checkAgainst(t, z, model, rand.New(rand.NewPCG(9, 9)))
}
