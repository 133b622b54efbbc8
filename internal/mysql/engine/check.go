package engine

import (
	"errors"
	"fmt"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// PrimaryKeyOf extracts the primary key from a secondary index key (the
	// engine does not know the SQL layer's key encoding). When nil, secondary
	// entries are not matched against rows.
	PrimaryKeyOf func(t TableInfo, index int, key []byte) ([]byte, error)
}

// ErrNotInnoDB is returned by Check for an engine that is not ours.
var ErrNotInnoDB = errors.New("engine: not an engine opened by Open")

// Check verifies an engine opened by Open in full: every B+tree (page
// structure, key order, separators, sibling links at every level, overflow
// chains), the dictionary, secondary entries pointing at existing rows, and
// that no buffer-pool page is left pinned. Run it with no transaction active.
func Check(e Engine, opts CheckOptions) error {
	d, ok := e.(*db)
	if !ok {
		return ErrNotInnoDB
	}
	d.ddl.Lock()
	defer d.ddl.Unlock()
	if _, err := d.dict.Check(nil); err != nil {
		return fmt.Errorf("data dictionary: %w", err)
	}
	d.mu.RLock()
	tables := make([]*table, 0, len(d.mu.tables))
	for _, t := range d.mu.tables {
		tables = append(tables, t)
	}
	d.mu.RUnlock()
	for _, t := range tables {
		if err := t.check(opts); err != nil {
			return err
		}
	}
	return d.pool.CheckPins()
}

// CheckTable verifies one table's B+trees like Check, while the server runs:
// it holds DDL off, and each tree's latch keeps writers out while that tree
// is walked (CHECK TABLE).
func CheckTable(e Engine, id TableID, opts CheckOptions) error {
	d, ok := e.(*db)
	if !ok {
		return ErrNotInnoDB
	}
	d.ddl.RLock()
	defer d.ddl.RUnlock()
	d.mu.RLock()
	t := d.mu.tables[id]
	d.mu.RUnlock()
	if t == nil {
		return ErrNoSuchTable
	}
	return t.check(opts)
}

// check verifies the table's clustered index and its secondary indexes.
func (t *table) check(opts CheckOptions) error {
	name := t.info.Schema + "." + t.info.Name
	rows, err := t.trees[0].Check(nil)
	if err != nil {
		return fmt.Errorf("%s PRIMARY: %w", name, err)
	}
	for i := 1; i < len(t.trees); i++ {
		var visit func(k, v []byte) error
		if opts.PrimaryKeyOf != nil {
			visit = func(k, _ []byte) error {
				pk, err := opts.PrimaryKeyOf(t.info, i, k)
				if err != nil {
					return err
				}
				_, _, _, found, err := t.trees[0].Get(pk, nil)
				if err != nil {
					return err
				}
				if !found {
					return fmt.Errorf("entry %x points at missing row %x", k, pk)
				}
				return nil
			}
		}
		st, err := t.trees[i].Check(visit)
		if err != nil {
			return fmt.Errorf("%s index %s: %w", name, t.info.Indexes[i].Name, err)
		}
		if opts.PrimaryKeyOf != nil && st.Records > rows.Records && t.info.Indexes[i].Unique {
			return fmt.Errorf("%s index %s: %d entries for %d rows", name, t.info.Indexes[i].Name, st.Records, rows.Records)
		}
	}
	return nil
}

// TreeStats reports the shape of one index (for tests and the inspector).
func TreeStats(e Engine, id TableID, index int) (btree.CheckStats, error) {
	d, ok := e.(*db)
	if !ok {
		return btree.CheckStats{}, ErrNotInnoDB
	}
	t, err := d.table(id)
	if err != nil {
		return btree.CheckStats{}, err
	}
	if index < 0 || index >= len(t.trees) {
		return btree.CheckStats{}, fmt.Errorf("engine: no index %d", index)
	}
	return t.trees[index].Check(nil)
}

// Flush writes every dirty page back and advances the redo checkpoint (a
// sharp checkpoint, as at a slow shutdown) on an engine opened by Open.
func Flush(e Engine) error {
	d, ok := e.(*db)
	if !ok {
		return ErrNotInnoDB
	}
	return d.Checkpoint()
}
