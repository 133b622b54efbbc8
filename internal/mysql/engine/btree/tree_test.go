package btree

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/mtr"
	"github.com/tandem-db/tandem/internal/mysql/engine/redo"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// newTestTree builds a tree in a fresh in-memory tablespace with a pool of poolPages frames.
func newTestTree(t testing.TB, pageSize, poolPages int) *Tree {
	fs := vfs.NewMem()
	if err := space.Create(fs, "/d/t.ibd", 1, pageSize, 1); err != nil {
		t.Fatal(err)
	}
	reg := space.NewRegistry(fs, pageSize)
	if err := reg.Add(1, "/d/t.ibd"); err != nil {
		t.Fatal(err)
	}
	log, err := redo.Open(redo.Options{FS: fs, Dir: "/d/redo"})
	if err != nil {
		t.Fatal(err)
	}
	dw, err := fs.OpenFile("/d/dblwr", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	pool := bufpool.New(pageSize, int64(poolPages*pageSize), reg, log, bufpool.NewDoublewrite(dw, pageSize))
	env := &mtr.Env{Pool: pool, Log: log, KeyOrder: KeyOrder}
	return Open(env, 1, 1)
}

type model map[string]string

func (m model) keys() []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func checkAgainst(t *testing.T, tr *Tree, m model) {
	t.Helper()
	var got []string
	st, err := tr.Check(func(k, v []byte) error {
		if m[string(k)] != string(v) {
			return fmt.Errorf("key %q: value %d bytes, model %d bytes", k, len(v), len(m[string(k)]))
		}
		got = append(got, string(k))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != len(m) {
		t.Fatalf("tree has %d records, model %d", st.Records, len(m))
	}
	if err := tr.env.Pool.CheckPins(); err != nil {
		t.Fatal(err)
	}
}

func TestRandomAgainstModel(t *testing.T) {
	for _, c := range []struct{ pageSize, poolPages int }{{16 << 10, 32}, {16 << 10, 1024}, {64 << 10, 32}} {
		poolPages := c.poolPages
		t.Run(fmt.Sprintf("page%dk-pool%d", c.pageSize>>10, poolPages), func(t *testing.T) {
			tr := newTestTree(t, c.pageSize, poolPages)
			rng := rand.New(rand.NewPCG(1, uint64(poolPages)))
			m := model{}
			val := func() string {
				switch rng.IntN(20) {
				case 0:
					return string(bytes.Repeat([]byte{byte(rng.IntN(256))}, 6000+rng.IntN(40000)))
				case 1:
					return ""
				}
				return string(bytes.Repeat([]byte{byte('a' + rng.IntN(26))}, rng.IntN(300)))
			}
			steps := 3000
			if raceEnabled {
				steps = 1000
			}
			for step := 0; step < steps; step++ {
				k := fmt.Sprintf("k%05d", rng.IntN(1500))
				_, exists := m[k]
				switch op := rng.IntN(10); {
				case op < 5:
					v := val()
					err := tr.Insert([]byte(k), []byte(v), 1, 2)
					if exists != (err == ErrDuplicate) || (err != nil && err != ErrDuplicate) {
						t.Fatalf("step %d insert %s: %v (exists %v)", step, k, err, exists)
					}
					if !exists {
						m[k] = v
					}
				case op < 7:
					v := val()
					var old []byte
					err := tr.Update([]byte(k), []byte(v), 1, 2, &old)
					if exists != (err == nil) {
						t.Fatalf("step %d update %s: %v", step, k, err)
					}
					if exists {
						if string(old) != m[k] {
							t.Fatalf("update old value mismatch")
						}
						m[k] = v
					}
				default:
					var old []byte
					err := tr.Delete([]byte(k), &old)
					if exists != (err == nil) {
						t.Fatalf("step %d delete %s: %v", step, k, err)
					}
					if exists && string(old) != m[k] {
						t.Fatalf("delete old value mismatch")
					}
					delete(m, k)
				}
				// The invariant walk after every step (every tenth under -race).
				if !raceEnabled || step%10 == 0 {
					checkAgainst(t, tr, m)
				}
			}
			checkAgainst(t, tr, m)
			// Scans with bounds both ways.
			keys := m.keys()
			for i := 0; i < 50; i++ {
				a, b := fmt.Sprintf("k%05d", rng.IntN(1600)), fmt.Sprintf("k%05d", rng.IntN(1600))
				if a > b {
					a, b = b, a
				}
				li, hi := rng.IntN(2) == 0, rng.IntN(2) == 0
				var want []string
				for _, k := range keys {
					if (k > a || li && k == a) && (k < b || hi && k == b) {
						want = append(want, k)
					}
				}
				for _, desc := range []bool{false, true} {
					c := tr.Scan(Bound{[]byte(a), li}, Bound{[]byte(b), hi}, desc)
					var got []string
					for c.Next() {
						got = append(got, string(c.Key()))
						if string(c.Value()) != m[string(c.Key())] {
							t.Fatalf("scan value mismatch at %s", c.Key())
						}
					}
					if c.Err() != nil {
						t.Fatal(c.Err())
					}
					if desc {
						for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
							got[i], got[j] = got[j], got[i]
						}
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("scan [%s,%s] desc=%v: got %d keys, want %d", a, b, desc, len(got), len(want))
					}
				}
			}
			// Delete everything: the tree must shrink back to one leaf.
			for _, k := range keys {
				if err := tr.Delete([]byte(k), nil); err != nil {
					t.Fatal(err)
				}
			}
			st, err := tr.Check(nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != 0 || st.Height != 1 {
				t.Fatalf("after deleting all: %+v", st)
			}
		})
	}
}

// TestInterleavedRanges inserts eight ascending runs round-robin and one
// descending run: splits of the leftmost pages put separators below the
// first key the root ever saw.
func TestInterleavedRanges(t *testing.T) {
	tr := newTestTree(t, 16<<10, 256)
	m := model{}
	for i := 0; i < 2000; i++ {
		for s := 7; s >= 0; s-- {
			k := fmt.Sprintf("%d-%05d", s, i)
			if s == 0 {
				k = fmt.Sprintf("0-%05d", 99999-i)
			}
			v := strings.Repeat("v", 60)
			if err := tr.Insert([]byte(k), []byte(v), 1, 1); err != nil {
				t.Fatal(err)
			}
			m[k] = v
		}
		if i%250 == 0 {
			checkAgainst(t, tr, m)
		}
	}
	checkAgainst(t, tr, m)
	for k := range m {
		if _, _, _, ok, err := tr.Get([]byte(k), nil); !ok || err != nil {
			t.Fatalf("lost %s: %v", k, err)
		}
	}
}

func TestSequentialFill(t *testing.T) {
	tr := newTestTree(t, 16<<10, 64)
	for i := 0; i < 20000; i++ {
		if err := tr.Insert([]byte(fmt.Sprintf("%08d", i)), bytes.Repeat([]byte("v"), 100), 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	st, err := tr.Check(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Ascending inserts fill leaves: 20000 records of ~130 bytes in 16 KB pages.
	if st.Leaves > 20000*134/(16<<10)*11/10+2 {
		t.Fatalf("ascending inserts left %d leaves (sparse pages)", st.Leaves)
	}
	c := tr.Scan(Bound{}, Bound{}, true)
	n := 19999
	for c.Next() {
		if string(c.Key()) != fmt.Sprintf("%08d", n) {
			t.Fatalf("desc scan at %s, want %08d", c.Key(), n)
		}
		n--
	}
	if n != -1 || c.Err() != nil {
		t.Fatalf("desc scan stopped at %d: %v", n, c.Err())
	}
}

// TestEmptyLeafBetweenFullSiblings: a leaf emptied between two full
// siblings cannot merge; it must be discarded, not left empty.
func TestEmptyLeafBetweenFullSiblings(t *testing.T) {
	tr := newTestTree(t, 16<<10, 64)
	m := model{}
	put := func(k string, n int) {
		v := strings.Repeat("v", n)
		if err := tr.Insert([]byte(k), []byte(v), 1, 1); err != nil {
			t.Fatal(err)
		}
		m[k] = v
	}
	// Ascending inserts leave full pages; deleting a range from its top
	// down empties pages whose right sibling is full, so they cannot merge.
	for i := 0; i < 1000; i++ {
		put(fmt.Sprintf("a%04d", i), 200)
	}
	checkAgainst(t, tr, m)
	for i := 499; i >= 300; i-- {
		k := fmt.Sprintf("a%04d", i)
		if err := tr.Delete([]byte(k), nil); err != nil {
			t.Fatal(err)
		}
		delete(m, k)
		if !raceEnabled || i%10 == 0 {
			checkAgainst(t, tr, m)
		}
	}
	// And emptying whole regions in random order.
	rng := rand.New(rand.NewPCG(9, 9))
	keys := m.keys()
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for i, k := range keys {
		if err := tr.Delete([]byte(k), nil); err != nil {
			t.Fatal(err)
		}
		delete(m, k)
		if i%20 == 0 {
			checkAgainst(t, tr, m)
		}
	}
	checkAgainst(t, tr, m)
}
