package memory

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/tandem-db/tandem/internal/mysql/engine"
)

type entry struct {
	key, value []byte
}

type index struct {
	spec    engine.IndexSpec
	entries []entry
}

type table struct {
	info    engine.TableInfo
	indexes []*index
	rowID   uint64
}

// Engine is an in-memory engine.Engine.
type Engine struct {
	mu struct {
		sync.Mutex
		schemas map[string]bool
		tables  map[engine.TableID]*table
		nextID  engine.TableID
		nextTxn uint64
		stats   map[string]uint64
	}
}

// New returns an empty engine.
func New() *Engine {
	e := &Engine{}
	e.mu.schemas = map[string]bool{}
	e.mu.tables = map[engine.TableID]*table{}
	e.mu.nextID = 1
	e.mu.stats = map[string]uint64{}
	return e
}

var _ engine.Engine = (*Engine)(nil)

// Begin starts a transaction.
func (e *Engine) Begin(ctx context.Context, opts engine.TxnOptions) (engine.Txn, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mu.nextTxn++
	return &txn{e: e, id: e.mu.nextTxn}, nil
}

// CreateSchema adds a schema.
func (e *Engine) CreateSchema(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mu.schemas[name] = true
	return nil
}

// DropSchema removes a schema and its tables.
func (e *Engine) DropSchema(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.mu.schemas, name)
	for id, t := range e.mu.tables {
		if t.info.Schema == name {
			delete(e.mu.tables, id)
		}
	}
	return nil
}

// Schemas lists the schemas in name order.
func (e *Engine) Schemas() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for s := range e.mu.schemas {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// CreateTable adds a table.
func (e *Engine) CreateTable(spec engine.TableSpec) (engine.TableInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.mu.tables {
		if t.info.Schema == spec.Schema && t.info.Name == spec.Name {
			return engine.TableInfo{}, engine.ErrTableExists
		}
	}
	spec.Indexes = slices.Clone(spec.Indexes)
	t := &table{info: engine.TableInfo{ID: e.mu.nextID, TableSpec: spec, AutoIncrement: 1}}
	e.mu.nextID++
	for _, is := range spec.Indexes {
		t.indexes = append(t.indexes, &index{spec: is})
	}
	e.mu.tables[t.info.ID] = t
	return t.info, nil
}

func (e *Engine) tableLocked(id engine.TableID) (*table, error) {
	t, ok := e.mu.tables[id]
	if !ok {
		return nil, engine.ErrNoSuchTable
	}
	return t, nil
}

// DropTable removes a table.
func (e *Engine) DropTable(id engine.TableID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.tableLocked(id); err != nil {
		return err
	}
	delete(e.mu.tables, id)
	return nil
}

// TruncateTable empties a table and resets AUTO_INCREMENT.
func (e *Engine) TruncateTable(id engine.TableID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return err
	}
	for _, ix := range t.indexes {
		ix.entries = nil
	}
	t.info.AutoIncrement = 1
	return nil
}

// AlterTableMeta replaces a table's stored definition.
func (e *Engine) AlterTableMeta(id engine.TableID, meta []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return err
	}
	t.info.Meta = slices.Clone(meta)
	return nil
}

// AddIndex builds a new secondary index.
func (e *Engine) AddIndex(id engine.TableID, spec engine.IndexSpec, meta []byte, fill func(engine.Txn, int) error) (int, error) {
	e.mu.Lock()
	t, err := e.tableLocked(id)
	if err != nil {
		e.mu.Unlock()
		return 0, err
	}
	n := len(t.indexes)
	t.indexes = append(t.indexes, &index{spec: spec})
	e.mu.nextTxn++
	tx := &txn{e: e, id: e.mu.nextTxn}
	e.mu.Unlock()
	if err := fill(tx, n); err != nil {
		_ = tx.Rollback()
		e.mu.Lock()
		t.indexes = t.indexes[:n]
		e.mu.Unlock()
		return 0, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t.info.Indexes = append(t.info.Indexes, spec)
	t.info.Meta = slices.Clone(meta)
	return n, nil
}

// DropIndex removes a secondary index; later indexes shift down by one.
func (e *Engine) DropIndex(id engine.TableID, n int, meta []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return err
	}
	t.indexes = slices.Delete(t.indexes, n, n+1)
	t.info.Indexes = slices.Delete(t.info.Indexes, n, n+1)
	t.info.Meta = slices.Clone(meta)
	return nil
}

// Tables lists all tables.
func (e *Engine) Tables() []engine.TableInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []engine.TableInfo
	for _, t := range e.mu.tables {
		out = append(out, t.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Table finds a table by name.
func (e *Engine) Table(schema, name string) (engine.TableInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.mu.tables {
		if t.info.Schema == schema && t.info.Name == name {
			return t.info, true
		}
	}
	return engine.TableInfo{}, false
}

// AutoIncrement reserves n values.
func (e *Engine) AutoIncrement(id engine.TableID, n uint64) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return 0, err
	}
	v := t.info.AutoIncrement
	t.info.AutoIncrement += n
	return v, nil
}

// BumpAutoIncrement raises the next value to at least next.
func (e *Engine) BumpAutoIncrement(id engine.TableID, next uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return err
	}
	if next > t.info.AutoIncrement {
		t.info.AutoIncrement = next
	}
	return nil
}

// NextRowID hands out a hidden row ID.
func (e *Engine) NextRowID(id engine.TableID) (uint64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(id)
	if err != nil {
		return 0, err
	}
	t.rowID++
	return t.rowID, nil
}

// Stats reports counters.
func (e *Engine) Stats() map[string]uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]uint64{}
	for k, v := range e.mu.stats {
		out[k] = v
	}
	return out
}

// Close does nothing.
func (e *Engine) Close() error { return nil }

func (ix *index) find(key []byte) (int, bool) {
	return slices.BinarySearchFunc(ix.entries, key, func(en entry, k []byte) int { return bytes.Compare(en.key, k) })
}

type undo struct {
	table engine.TableID
	index int
	key   []byte
	old   []byte // nil: the key did not exist
	had   bool
}

type txn struct {
	e    *Engine
	id   uint64
	undo []undo
	done bool
}

func (t *txn) ID() uint64 { return t.id }

func (t *txn) indexLocked(id engine.TableID, n int) (*index, error) {
	if t.done {
		return nil, engine.ErrTxnDone
	}
	tb, err := t.e.tableLocked(id)
	if err != nil {
		return nil, err
	}
	return tb.indexes[n], nil
}

func (t *txn) Get(id engine.TableID, n int, key []byte, lock engine.LockMode) ([]byte, bool, error) {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	ix, err := t.indexLocked(id, n)
	if err != nil {
		return nil, false, err
	}
	t.e.mu.stats["Innodb_rows_read"]++
	i, ok := ix.find(key)
	if !ok {
		return nil, false, nil
	}
	return slices.Clone(ix.entries[i].value), true, nil
}

func (t *txn) Scan(id engine.TableID, n int, lo, hi engine.Bound, desc bool, lock engine.LockMode) (engine.Cursor, error) {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	ix, err := t.indexLocked(id, n)
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, en := range ix.entries {
		if lo.Key != nil {
			c := bytes.Compare(en.key, lo.Key)
			if c < 0 || (c == 0 && !lo.Inclusive) {
				continue
			}
		}
		if hi.Key != nil {
			c := bytes.Compare(en.key, hi.Key)
			if c > 0 || (c == 0 && !hi.Inclusive) {
				break
			}
		}
		out = append(out, en)
	}
	if desc {
		slices.Reverse(out)
	}
	t.e.mu.stats["Innodb_rows_read"] += uint64(len(out))
	return &cursor{entries: out, pos: -1}, nil
}

func (t *txn) Insert(id engine.TableID, n int, key, value []byte) error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	ix, err := t.indexLocked(id, n)
	if err != nil {
		return err
	}
	i, ok := ix.find(key)
	if ok {
		return engine.ErrDuplicateKey
	}
	k := slices.Clone(key)
	ix.entries = slices.Insert(ix.entries, i, entry{key: k, value: slices.Clone(value)})
	t.undo = append(t.undo, undo{table: id, index: n, key: k})
	t.e.mu.stats["Innodb_rows_inserted"]++
	return nil
}

func (t *txn) Update(id engine.TableID, n int, key, value []byte) error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	ix, err := t.indexLocked(id, n)
	if err != nil {
		return err
	}
	i, ok := ix.find(key)
	if !ok {
		return engine.ErrNotFound
	}
	t.undo = append(t.undo, undo{table: id, index: n, key: ix.entries[i].key, old: ix.entries[i].value, had: true})
	ix.entries[i].value = slices.Clone(value)
	t.e.mu.stats["Innodb_rows_updated"]++
	return nil
}

func (t *txn) Delete(id engine.TableID, n int, key []byte) error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	ix, err := t.indexLocked(id, n)
	if err != nil {
		return err
	}
	i, ok := ix.find(key)
	if !ok {
		return engine.ErrNotFound
	}
	t.undo = append(t.undo, undo{table: id, index: n, key: ix.entries[i].key, old: ix.entries[i].value, had: true})
	ix.entries = slices.Delete(ix.entries, i, i+1)
	t.e.mu.stats["Innodb_rows_deleted"]++
	return nil
}

func (t *txn) Savepoint() engine.Savepoint { return engine.Savepoint(len(t.undo)) }

func (t *txn) RollbackTo(sp engine.Savepoint) error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	if t.done {
		return engine.ErrTxnDone
	}
	t.undoToLocked(int(sp))
	return nil
}

func (t *txn) undoToLocked(n int) {
	for len(t.undo) > n {
		u := t.undo[len(t.undo)-1]
		t.undo = t.undo[:len(t.undo)-1]
		tb, ok := t.e.mu.tables[u.table]
		if !ok || u.index >= len(tb.indexes) {
			continue // the table or index was dropped since
		}
		ix := tb.indexes[u.index]
		i, found := ix.find(u.key)
		switch {
		case !u.had && found:
			ix.entries = slices.Delete(ix.entries, i, i+1)
		case u.had && found:
			ix.entries[i].value = u.old
		case u.had && !found:
			ix.entries = slices.Insert(ix.entries, i, entry{key: u.key, value: u.old})
		}
	}
}

func (t *txn) Commit() error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	if t.done {
		return engine.ErrTxnDone
	}
	t.done = true
	t.undo = nil
	return nil
}

func (t *txn) Rollback() error {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	if t.done {
		return engine.ErrTxnDone
	}
	t.undoToLocked(0)
	t.done = true
	return nil
}

type cursor struct {
	entries []entry
	pos     int
}

func (c *cursor) Next() bool {
	c.pos++
	return c.pos < len(c.entries)
}
func (c *cursor) Key() []byte   { return c.entries[c.pos].key }
func (c *cursor) Value() []byte { return c.entries[c.pos].value }
func (c *cursor) Err() error    { return nil }
func (c *cursor) Close() error  { return nil }
