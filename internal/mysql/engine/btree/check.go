package btree

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
)

// CheckStats summarises a checked tree.
type CheckStats struct {
	Records  int
	Leaves   int
	Internal int
	Overflow int
	Height   int
}

// Check walks the whole tree and verifies it: page types and levels, key
// order inside pages and against the parent's separators, both sibling links
// at every level, and overflow chains. visit, if not nil, sees every leaf record.
func (t *Tree) Check(visit func(key, val []byte) error) (CheckStats, error) {
	t.Latch.RLock()
	defer t.Latch.RUnlock()
	var st CheckStats
	// lastAt[level] is the last page seen at that level, to check links.
	lastAt := map[int]uint32{}
	var prevKey []byte
	var walk func(pg uint32, level int, lo, hi []byte) error
	walk = func(pg uint32, level int, lo, hi []byte) error {
		f, err := t.env.Pool.Fix(t.space, pg)
		if err != nil {
			return err
		}
		defer t.env.Pool.Unfix(f)
		p := f.Data
		if err := page.Check(p); err != nil {
			return fmt.Errorf("page %d: %w", pg, err)
		}
		if page.PageNo(p) != pg {
			return fmt.Errorf("page %d: header says page %d", pg, page.PageNo(p))
		}
		if level >= 0 && page.Level(p) != level {
			return fmt.Errorf("page %d: level %d, expected %d", pg, page.Level(p), level)
		}
		level = page.Level(p)
		leaf := isLeaf(p)
		if leaf != (level == 0) || (!leaf && page.PageType(p) != page.TypeInternal) {
			return fmt.Errorf("page %d: type %v at level %d", pg, page.PageType(p), level)
		}
		if pg != t.root {
			if page.Prev(p) != lastAt[level] {
				return fmt.Errorf("page %d: prev link %d, expected %d", pg, page.Prev(p), lastAt[level])
			}
			if lastAt[level] != 0 {
				pf, err := t.env.Pool.Fix(t.space, lastAt[level])
				if err != nil {
					return err
				}
				nx := page.Next(pf.Data)
				t.env.Pool.Unfix(pf)
				if nx != pg {
					return fmt.Errorf("page %d: next link %d, expected %d", lastAt[level], nx, pg)
				}
			}
			if page.NumSlots(p) == 0 {
				return fmt.Errorf("page %d: empty non-root page", pg)
			}
		}
		lastAt[level] = pg
		n := page.NumSlots(p)
		if !leaf && n == 0 {
			return fmt.Errorf("page %d: empty internal page", pg)
		}
		var prev []byte
		for i := 0; i < n; i++ {
			r := page.Record(p, i)
			k := recKey(r, leaf)
			if !leaf && i == 0 {
				continue // slot 0 of an internal page stands for minus infinity
			}
			if prev != nil && bytes.Compare(prev, k) >= 0 {
				return fmt.Errorf("page %d: keys out of order at slot %d", pg, i)
			}
			prev = k
			if (leaf || i > 0) && lo != nil && bytes.Compare(k, lo) < 0 {
				return fmt.Errorf("page %d: key %x below separator %x", pg, k, lo)
			}
			if hi != nil && bytes.Compare(k, hi) >= 0 {
				return fmt.Errorf("page %d: key %x not below separator %x", pg, k, hi)
			}
			if leaf {
				if prevKey != nil && bytes.Compare(prevKey, k) >= 0 {
					return fmt.Errorf("page %d: leaf keys out of order across pages", pg)
				}
				prevKey = append(prevKey[:0], k...)
				st.Records++
				if leafOverflow(r) {
					st.Overflow += (int(binary.BigEndian.Uint32(leafRest(r))) + t.env.Pool.PageSize() - 1) / (t.env.Pool.PageSize() - page.HeaderSize - 4)
				}
				v, err := t.value(r, nil)
				if err != nil {
					return fmt.Errorf("page %d slot %d: %w", pg, i, err)
				}
				if visit != nil {
					if err := visit(k, v); err != nil {
						return err
					}
				}
			}
		}
		if leaf {
			st.Leaves++
			return nil
		}
		st.Internal++
		for i := 0; i < n; i++ {
			clo := lo
			if i > 0 {
				clo = nodeKey(page.Record(p, i))
			}
			chi := hi
			if i+1 < n {
				chi = nodeKey(page.Record(p, i+1))
			}
			if err := walk(nodeChild(page.Record(p, i)), level-1, append([]byte(nil), clo...), append([]byte(nil), chi...)); err != nil {
				return err
			}
		}
		return nil
	}
	f, err := t.env.Pool.Fix(t.space, t.root)
	if err != nil {
		return st, err
	}
	st.Height = page.Level(f.Data) + 1
	t.env.Pool.Unfix(f)
	if err := walk(t.root, -1, nil, nil); err != nil {
		return st, fmt.Errorf("btree %d:%d: %w", t.space, t.root, err)
	}
	for level, pg := range lastAt {
		if pg == t.root {
			continue
		}
		f, err := t.env.Pool.Fix(t.space, pg)
		if err != nil {
			return st, err
		}
		nx := page.Next(f.Data)
		t.env.Pool.Unfix(f)
		if nx != 0 {
			return st, fmt.Errorf("btree: last page %d of level %d links to %d", pg, level, nx)
		}
	}
	return st, nil
}

// KeyOrder checks that a B+tree page's keys are strictly ascending (slot 0
// of an internal page excepted); mtr.Env.KeyOrder uses it in invariants builds.
func KeyOrder(p []byte) error {
	leaf := isLeaf(p)
	var prev []byte
	for i := 0; i < page.NumSlots(p); i++ {
		if !leaf && i == 0 {
			continue
		}
		k := recKey(page.Record(p, i), leaf)
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("keys out of order at slot %d", i)
		}
		prev = k
	}
	return nil
}
