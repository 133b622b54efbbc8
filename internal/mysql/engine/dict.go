package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
)

// rowIDBatch is how far ahead of the last handed-out hidden row ID the
// persisted counter runs (one dictionary write per batch).
const rowIDBatch = 256

// durable makes everything logged so far durable (DDL returns only then).
func (d *db) durable() error { return d.log.FlushUpTo(d.log.CurrentLSN(), true) }

// bumpHeader reads a counter of the system header and stores it plus one.
func (d *db) bumpHeader(off int, wide bool) (uint64, error) {
	m := d.env.Begin()
	defer m.Commit()
	h, err := m.Get(space.SystemSpace, 0, true)
	if err != nil {
		return 0, err
	}
	if wide {
		v := space.U64(h.Data, off)
		space.Write64(m, h, off, v+1)
		return v, nil
	}
	v := uint64(space.U32(h.Data, off))
	space.Write32(m, h, off, uint32(v+1))
	return v, nil
}

// CreateSchema adds a schema (a no-op if it exists).
func (d *db) CreateSchema(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	d.ddl.Lock()
	defer d.ddl.Unlock()
	d.mu.RLock()
	exists := d.mu.schemas[name]
	d.mu.RUnlock()
	if exists {
		return nil
	}
	if err := d.fs.MkdirAll(filepath.Join(d.root, name), 0o755); err != nil {
		return err
	}
	if err := d.fs.SyncDir(d.root); err != nil {
		return err
	}
	if err := d.dict.Insert(schemaKey(name), nil, 0, 0); err != nil && !errors.Is(err, btree.ErrDuplicate) {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	d.mu.Lock()
	d.mu.schemas[name] = true
	d.mu.Unlock()
	return nil
}

// DropSchema drops the schema's tables, their files and the schema directory.
func (d *db) DropSchema(name string) error {
	d.ddl.Lock()
	defer d.ddl.Unlock()
	d.mu.RLock()
	var ids []TableID
	for id, t := range d.mu.tables {
		if t.info.Schema == name {
			ids = append(ids, id)
		}
	}
	d.mu.RUnlock()
	for _, id := range ids {
		if err := d.dropTableLocked(id); err != nil {
			return err
		}
	}
	if err := d.dict.Delete(schemaKey(name), nil); err != nil && !errors.Is(err, btree.ErrNotFound) {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.mu.schemas, name)
	d.mu.Unlock()
	if err := validName(name); err == nil {
		_ = d.fs.RemoveAll(filepath.Join(d.root, name))
		_ = d.fs.SyncDir(d.root)
	}
	return nil
}

func (d *db) openTrees(t *table) {
	t.trees = make([]*btree.Tree, len(t.roots))
	for i, r := range t.roots {
		t.trees[i] = btree.Open(d.env, t.spaceID, r)
	}
}

// CreateTable creates the table's tablespace file and dictionary entry.
func (d *db) CreateTable(spec TableSpec) (TableInfo, error) {
	if err := validName(spec.Schema); err != nil {
		return TableInfo{}, err
	}
	if err := validName(spec.Name); err != nil {
		return TableInfo{}, err
	}
	if len(spec.Indexes) == 0 {
		spec.Indexes = []IndexSpec{{Name: "PRIMARY", Unique: true}}
	}
	d.ddl.Lock()
	defer d.ddl.Unlock()
	d.mu.RLock()
	_, exists := d.mu.byName[nameKey(spec.Schema, spec.Name)]
	closed := d.mu.closed
	d.mu.RUnlock()
	if closed {
		return TableInfo{}, ErrClosed
	}
	if exists {
		return TableInfo{}, ErrTableExists
	}
	id, err := d.bumpHeader(space.OffNextTableID, true)
	if err != nil {
		return TableInfo{}, err
	}
	sid, err := d.bumpHeader(space.OffNextSpaceID, false)
	if err != nil {
		return TableInfo{}, err
	}
	path := d.tablePath(spec.Schema, spec.Name)
	if err := space.Create(d.fs, path, uint32(sid), d.ps, len(spec.Indexes)); err != nil {
		return TableInfo{}, err
	}
	if err := d.reg.Add(uint32(sid), path); err != nil {
		return TableInfo{}, err
	}
	t := &table{spaceID: uint32(sid)}
	t.info = TableInfo{ID: TableID(id), TableSpec: spec, AutoIncrement: 1}
	t.info.Meta = append([]byte(nil), spec.Meta...)
	t.info.Indexes = append([]IndexSpec(nil), spec.Indexes...)
	for i := range spec.Indexes {
		t.roots = append(t.roots, uint32(i+1))
	}
	t.counter.autoinc = 1
	d.openTrees(t)
	if err := d.dict.Insert(tableKey(t.info.ID), encodeTable(t), 0, 0); err != nil {
		return TableInfo{}, err
	}
	if err := d.dict.Insert(counterKey(t.info.ID), encodeCounters(1, rowIDBatch), 0, 0); err != nil {
		return TableInfo{}, err
	}
	// A table's schema exists from then on, as if created first.
	if err := d.dict.Insert(schemaKey(spec.Schema), nil, 0, 0); err != nil && !errors.Is(err, btree.ErrDuplicate) {
		return TableInfo{}, err
	}
	if err := d.durable(); err != nil {
		return TableInfo{}, err
	}
	d.mu.Lock()
	d.mu.tables[t.info.ID] = t
	d.mu.byName[nameKey(spec.Schema, spec.Name)] = t
	d.mu.schemas[spec.Schema] = true
	d.mu.Unlock()
	return t.tableInfo(), nil
}

// DropTable removes the table from the dictionary and deletes its file.
func (d *db) DropTable(id TableID) error {
	d.ddl.Lock()
	defer d.ddl.Unlock()
	return d.dropTableLocked(id)
}

func (d *db) dropTableLocked(id TableID) error {
	t, err := d.table(id)
	if err != nil {
		return err
	}
	if err := d.dict.Delete(tableKey(id), nil); err != nil {
		return err
	}
	if err := d.dict.Delete(counterKey(id), nil); err != nil && !errors.Is(err, btree.ErrNotFound) {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.mu.tables, id)
	delete(d.mu.byName, nameKey(t.info.Schema, t.info.Name))
	d.mu.Unlock()
	d.discardSpace(t.spaceID)
	path := d.tablePath(t.info.Schema, t.info.Name)
	if err := d.fs.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return d.fs.SyncDir(filepath.Dir(path))
}

// discardSpace forgets a tablespace's cached pages and closes its file.
func (d *db) discardSpace(sid uint32) {
	d.cpMu.Lock()
	d.pool.DiscardSpace(sid)
	d.cpMu.Unlock()
	d.reg.Remove(sid)
}

// TruncateTable replaces the table's tablespace with an empty one and resets AUTO_INCREMENT.
func (d *db) TruncateTable(id TableID) error {
	d.ddl.Lock()
	defer d.ddl.Unlock()
	t, err := d.table(id)
	if err != nil {
		return err
	}
	sid, err := d.bumpHeader(space.OffNextSpaceID, false)
	if err != nil {
		return err
	}
	path := d.tablePath(t.info.Schema, t.info.Name)
	tmp := path + ".trunc"
	if err := space.Create(d.fs, tmp, uint32(sid), d.ps, len(t.roots)); err != nil {
		return err
	}
	nt := &table{info: t.info, spaceID: uint32(sid)}
	for i := range t.roots {
		nt.roots = append(nt.roots, uint32(i+1))
	}
	t.counter.Lock()
	rowID := t.counter.rowID
	t.counter.Unlock()
	if err := d.dict.Update(tableKey(id), encodeTable(nt), 0, 0, nil); err != nil {
		return err
	}
	if err := d.dict.Update(counterKey(id), encodeCounters(1, rowID+rowIDBatch), 0, 0, nil); err != nil {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	// From here the dictionary names the new tablespace; recovery finishes the
	// swap if we crash before it is done.
	d.discardSpace(t.spaceID)
	if err := d.fs.Rename(tmp, path); err != nil {
		return err
	}
	if err := d.fs.SyncDir(filepath.Dir(path)); err != nil {
		return err
	}
	if err := d.reg.Add(uint32(sid), path); err != nil {
		return err
	}
	t.spaceID, t.roots = nt.spaceID, nt.roots
	d.openTrees(t)
	t.counter.Lock()
	t.counter.autoinc = 1
	t.counter.Unlock()
	return nil
}

// AlterTableMeta replaces the stored definition.
func (d *db) AlterTableMeta(id TableID, meta []byte) error {
	d.ddl.Lock()
	defer d.ddl.Unlock()
	t, err := d.table(id)
	if err != nil {
		return err
	}
	d.mu.Lock() // Tables and Table read info under d.mu
	old := t.info.Meta
	t.info.Meta = append([]byte(nil), meta...)
	d.mu.Unlock()
	if err := d.dict.Update(tableKey(id), encodeTable(t), 0, 0, nil); err != nil {
		d.mu.Lock()
		t.info.Meta = old
		d.mu.Unlock()
		return err
	}
	return d.durable()
}

// AddIndex builds a secondary index: fill inserts the existing rows' entries
// in a transaction of its own, and the index enters the dictionary after it commits.
func (d *db) AddIndex(id TableID, spec IndexSpec, meta []byte, fill func(Txn, int) error) (int, error) {
	d.ddl.Lock()
	t, err := d.table(id)
	if err != nil {
		d.ddl.Unlock()
		return 0, err
	}
	root, err := btree.Create(d.env, t.spaceID)
	if err != nil {
		d.ddl.Unlock()
		return 0, err
	}
	n := len(t.trees)
	tree := btree.Open(d.env, t.spaceID, root)
	d.mu.Lock()
	t.trees = append(t.trees, tree)
	t.roots = append(t.roots, root)
	t.info.Indexes = append(t.info.Indexes, spec)
	d.mu.Unlock()
	d.ddl.Unlock()

	undoIndex := func() {
		d.ddl.Lock()
		d.mu.Lock()
		t.trees, t.roots, t.info.Indexes = t.trees[:n], t.roots[:n], t.info.Indexes[:n]
		d.mu.Unlock()
		d.ddl.Unlock()
		_ = tree.FreeAll(true)
	}
	tx, err := d.Begin(context.Background(), TxnOptions{})
	if err != nil {
		undoIndex()
		return 0, err
	}
	if err := fill(tx, n); err != nil {
		_ = tx.Rollback()
		undoIndex()
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		undoIndex()
		return 0, err
	}
	d.ddl.Lock()
	defer d.ddl.Unlock()
	d.mu.Lock()
	t.info.Meta = append([]byte(nil), meta...)
	d.mu.Unlock()
	if err := d.dict.Update(tableKey(id), encodeTable(t), 0, 0, nil); err != nil {
		return 0, err
	}
	return n, d.durable()
}

// DropIndex removes index n (n > 0); later indexes shift down by one.
func (d *db) DropIndex(id TableID, n int, meta []byte) error {
	d.ddl.Lock()
	defer d.ddl.Unlock()
	t, err := d.table(id)
	if err != nil {
		return err
	}
	if n <= 0 || n >= len(t.trees) {
		return fmt.Errorf("engine: table %d has no secondary index %d", id, n)
	}
	tree := t.trees[n]
	d.mu.Lock()
	t.trees = append(t.trees[:n:n], t.trees[n+1:]...)
	t.roots = append(t.roots[:n:n], t.roots[n+1:]...)
	t.info.Indexes = append(t.info.Indexes[:n:n], t.info.Indexes[n+1:]...)
	t.info.Meta = append([]byte(nil), meta...)
	d.mu.Unlock()
	if err := d.dict.Update(tableKey(id), encodeTable(t), 0, 0, nil); err != nil {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	return tree.FreeAll(true)
}

// saveCounters persists a table's counters (caller holds t.counter).
func (d *db) saveCountersLocked(t *table, rowLimit uint64) error {
	return d.dict.Update(counterKey(t.info.ID), encodeCounters(t.counter.autoinc, rowLimit), 0, 0, nil)
}

// AutoIncrement reserves n consecutive values.
func (d *db) AutoIncrement(id TableID, n uint64) (uint64, error) {
	d.ddl.RLock()
	defer d.ddl.RUnlock()
	t, err := d.table(id)
	if err != nil {
		return 0, err
	}
	t.counter.Lock()
	defer t.counter.Unlock()
	v := t.counter.autoinc
	t.counter.autoinc += n
	if err := d.saveCountersLocked(t, t.counter.rowID+rowIDBatch); err != nil {
		t.counter.autoinc = v
		return 0, err
	}
	return v, nil
}

// BumpAutoIncrement raises the next value to at least next.
func (d *db) BumpAutoIncrement(id TableID, next uint64) error {
	d.ddl.RLock()
	defer d.ddl.RUnlock()
	t, err := d.table(id)
	if err != nil {
		return err
	}
	t.counter.Lock()
	defer t.counter.Unlock()
	if next <= t.counter.autoinc {
		return nil
	}
	old := t.counter.autoinc
	t.counter.autoinc = next
	if err := d.saveCountersLocked(t, t.counter.rowID+rowIDBatch); err != nil {
		t.counter.autoinc = old
		return err
	}
	return nil
}

// NextRowID hands out the next hidden row ID (1, 2, ...).
func (d *db) NextRowID(id TableID) (uint64, error) {
	d.ddl.RLock()
	defer d.ddl.RUnlock()
	t, err := d.table(id)
	if err != nil {
		return 0, err
	}
	t.counter.Lock()
	defer t.counter.Unlock()
	t.counter.rowID++
	if t.counter.rowID%rowIDBatch == 0 {
		if err := d.saveCountersLocked(t, t.counter.rowID+rowIDBatch); err != nil {
			return 0, err
		}
	}
	return t.counter.rowID, nil
}
