package set

import (
	"bytes"
	"fmt"
	"math/rand"
	"strconv"
	"testing"
)

func checkSet(t *testing.T, s *Set, model map[string]bool) {
	t.Helper()
	if s.Len() != len(model) {
		t.Fatalf("len %d, model %d", s.Len(), len(model))
	}
	seen := map[string]bool{}
	s.ForEach(func(m []byte) bool {
		if !model[string(m)] || seen[string(m)] {
			t.Fatalf("unexpected or repeated member %q", m)
		}
		seen[string(m)] = true
		return true
	})
	if len(seen) != len(model) {
		t.Fatalf("ForEach saw %d of %d", len(seen), len(model))
	}
	if s.d != nil {
		used, chunked := 0, 0
		s.d.ForEach(func(k, _ []byte) bool { used += s.d.entrySize(k, nil); return true })
		for _, c := range s.d.chunks {
			chunked += len(c)
		}
		if used+s.d.dead != s.d.used || chunked != s.d.used {
			t.Fatalf("chunk accounting: live %d dead %d used %d in chunks %d", used, s.d.dead, s.d.used, chunked)
		}
	} else {
		for i := 1; i < s.ints.Len(); i++ {
			if s.ints.At(i-1) >= s.ints.At(i) {
				t.Fatal("intset not sorted")
			}
		}
	}
}

func TestSetRandomAgainstModel(t *testing.T) {
	for _, maxInts := range []int{0, 16, 512} {
		t.Run(fmt.Sprint(maxInts), func(t *testing.T) {
			cfg := Config{MaxIntsetEntries: maxInts}
			rng := rand.New(rand.NewSource(int64(maxInts)))
			s := New()
			model := map[string]bool{}
			member := func() []byte {
				switch rng.Intn(6) {
				case 0:
					return []byte(strconv.Itoa(rng.Intn(2000) - 1000))
				case 1:
					return []byte(strconv.FormatInt(rng.Int63()>>uint(rng.Intn(63)), 10))
				case 2:
					return []byte("0" + strconv.Itoa(rng.Intn(10)))
				case 3:
					if rng.Intn(20) == 0 {
						return []byte("m" + strconv.Itoa(rng.Intn(3000)))
					}
				}
				return []byte(strconv.Itoa(rng.Intn(600)))
			}
			for op := 0; op < 30000; op++ {
				m := member()
				switch r := rng.Intn(10); {
				case r < 5:
					if s.Add(m, cfg) == model[string(m)] {
						t.Fatalf("add %q", m)
					}
					model[string(m)] = true
				case r < 8:
					if s.Remove(m) != model[string(m)] {
						t.Fatalf("remove %q", m)
					}
					delete(model, string(m))
				case r == 8:
					if s.Has(m) != model[string(m)] {
						t.Fatalf("has %q", m)
					}
				case r == 9 && len(model) > 0:
					p := s.Pop()
					if !model[string(p)] {
						t.Fatalf("pop %q", p)
					}
					delete(model, string(p))
				}
				if op%501 == 0 {
					checkSet(t, s, model)
				}
			}
			checkSet(t, s, model)
		})
	}
}

// TestDictScanAcrossResize checks SCAN's guarantee: a key present for the whole scan is
// returned although the table grows and shrinks between calls.
func TestDictScanAcrossResize(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 20; round++ {
		d := NewDict(true, 0)
		stable := map[string]bool{}
		for i := 0; i < 1000; i++ {
			k := fmt.Sprintf("s%d", i)
			d.Set([]byte(k), []byte("v"))
			stable[k] = true
		}
		seen := map[string]bool{}
		cursor, extra := uint64(0), 0
		for {
			cursor = d.Scan(cursor, 1+rng.Intn(20), func(k, v []byte) {
				seen[string(k)] = true
				if !bytes.Equal(v, []byte("v")) && !bytes.HasPrefix(k, []byte("x")) {
					t.Fatalf("value of %q = %q", k, v)
				}
			})
			if cursor == 0 {
				break
			}
			// grow or shrink with keys that come and go.
			if rng.Intn(2) == 0 {
				for i := 0; i < rng.Intn(3000); i++ {
					d.Set([]byte(fmt.Sprintf("x%d", extra)), []byte("w"))
					extra++
				}
			} else {
				for i := 0; i < extra; i++ {
					d.Delete([]byte(fmt.Sprintf("x%d", i)))
				}
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: scan missed %q", round, k)
			}
		}
	}
}

func TestDictValuesAndCompaction(t *testing.T) {
	d := NewDict(true, 0)
	model := map[string]string{}
	rng := rand.New(rand.NewSource(2))
	for op := 0; op < 50000; op++ {
		k := fmt.Sprintf("f%d", rng.Intn(500))
		switch rng.Intn(3) {
		case 0, 1:
			v := bytes.Repeat([]byte{'a' + byte(rng.Intn(26))}, rng.Intn(40))
			_, had := model[k]
			if d.Set([]byte(k), v) == had {
				t.Fatal("Set new mismatch")
			}
			model[k] = string(v)
		case 2:
			_, had := model[k]
			if d.Delete([]byte(k)) != had {
				t.Fatal("Delete mismatch")
			}
			delete(model, k)
		}
	}
	if d.Len() != len(model) {
		t.Fatal("len")
	}
	for k, v := range model {
		got, ok := d.Get([]byte(k))
		if !ok || string(got) != v {
			t.Fatalf("get %q = %q %v want %q", k, got, ok, v)
		}
	}
	if d.used > 4*(d.Len()*50)+1024 {
		t.Fatalf("entries not compacted: %d bytes for %d keys", d.used, d.Len())
	}
}

func TestParseMember(t *testing.T) {
	for in, want := range map[string]bool{"0": true, "-1": true, "9223372036854775807": true,
		"-9223372036854775808": true, "9223372036854775808": false, "01": false, "-0": false,
		"+1": false, " 1": false, "": false, "-": false, "1a": false} {
		if _, ok := parseMember([]byte(in)); ok != want {
			t.Errorf("parseMember(%q) = %v", in, ok)
		}
	}
}

func FuzzIntsetFromBytes(f *testing.F) {
	f.Add([]byte{1, 0, 2, 0}, 2)
	f.Add([]byte{0, 0, 0, 128, 255, 255, 255, 127}, 4)
	f.Add([]byte{1, 2, 3}, 8)
	f.Fuzz(func(t *testing.T, b []byte, w int) {
		s, err := IntsetFromBytes(b, w)
		if err != nil {
			return
		}
		// A valid intset answers membership for each of its values and survives re-adding.
		var re Intset
		for i := 0; i < s.Len(); i++ {
			v := s.At(i)
			if !s.Has(v) {
				t.Fatalf("Has(%d) false", v)
			}
			re.Add(v)
		}
		if re.Len() != s.Len() {
			t.Fatal("re-add count")
		}
		for i := 0; i < s.Len(); i++ {
			if re.At(i) != s.At(i) {
				t.Fatal("re-add order")
			}
		}
	})
}

// TestDictChunks fills several chunks, with entries larger than a chunk among them, then
// deletes most keys so compaction rewrites everything.
func TestDictChunks(t *testing.T) {
	d := NewDict(true, 0)
	big := bytes.Repeat([]byte("B"), chunkSize+100)
	val := func(i int) []byte {
		if i%10007 == 0 {
			return big
		}
		return []byte(fmt.Sprintf("value-%d", i))
	}
	const n = 60000
	for i := 0; i < n; i++ {
		d.Set([]byte(fmt.Sprintf("key-%d", i)), val(i))
	}
	if len(d.chunks) < 10 {
		t.Fatalf("only %d chunks", len(d.chunks))
	}
	for i := 0; i < n; i++ {
		if i%3 != 0 {
			d.Delete([]byte(fmt.Sprintf("key-%d", i)))
		}
	}
	for i := 0; i < n; i++ {
		v, ok := d.Get([]byte(fmt.Sprintf("key-%d", i)))
		if ok != (i%3 == 0) || (ok && !bytes.Equal(v, val(i))) {
			t.Fatalf("key-%d: %v %q", i, ok, v)
		}
	}
	if d.dead*2 > d.used+512 {
		t.Fatalf("not compacted: dead %d of %d", d.dead, d.used)
	}
}

// TestDictScanNoRepeats: one call covering the whole table returns each key once, however the
// keys sit around the wrap-around of the slots.
func TestDictScanNoRepeats(t *testing.T) {
	for round := 0; round < 200; round++ {
		d := NewDict(false, 0)
		for i := 0; i < 1+round%6; i++ {
			d.Set([]byte(fmt.Sprint(i)), nil)
		}
		seen := map[string]int{}
		if next := d.Scan(0, 1000, func(k, _ []byte) { seen[string(k)]++ }); next != 0 {
			t.Fatal("a scan of the whole table must end")
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("round %d: %q returned %d times", round, k, n)
			}
		}
		if len(seen) != d.Len() {
			t.Fatalf("round %d: %d of %d keys", round, len(seen), d.Len())
		}
	}
}
