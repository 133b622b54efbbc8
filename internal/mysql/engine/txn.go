package engine

import (
	"errors"
	"fmt"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
)

// txn is a transaction. Until row locks arrive, two transactions writing the
// same key both apply, in the order their operations reach the tree.
type txn struct {
	d    *db
	id   uint64
	opts TxnOptions
	undo *undo.Log
	done bool
	old  []byte
	rec  undo.Record
}

func (t *txn) ID() uint64 { return t.id }

func (t *txn) tree(id TableID, index int) (*btree.Tree, error) {
	if t.done {
		return nil, ErrTxnDone
	}
	tb, err := t.d.table(id)
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= len(tb.trees) {
		return nil, fmt.Errorf("engine: table %d has no index %d", id, index)
	}
	return tb.trees[index], nil
}

func mapErr(err error) error {
	switch {
	case errors.Is(err, btree.ErrDuplicate):
		return ErrDuplicateKey
	case errors.Is(err, btree.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, btree.ErrTooLong):
		return ErrRecordTooLong
	}
	return err
}

// Get reads one key.
func (t *txn) Get(id TableID, index int, key []byte, lock LockMode) ([]byte, bool, error) {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return nil, false, err
	}
	v, _, _, found, err := tr.Get(key, nil)
	if err != nil || !found {
		return nil, false, err
	}
	if v == nil {
		v = []byte{}
	}
	t.d.rows.read.Add(1)
	return v, true, nil
}

// Scan opens a cursor on [lo, hi].
func (t *txn) Scan(id TableID, index int, lo, hi Bound, desc bool, lock LockMode) (Cursor, error) {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return nil, err
	}
	c := tr.Scan(btree.Bound{Key: lo.Key, Inclusive: lo.Inclusive}, btree.Bound{Key: hi.Key, Inclusive: hi.Inclusive}, desc)
	return &cursor{c: c, d: t.d}, nil
}

func (t *txn) undoLog() (*undo.Log, error) {
	if t.undo == nil {
		l, err := t.d.trxSys.Begin(t.id)
		if err != nil {
			return nil, err
		}
		t.undo = l
	}
	return t.undo, nil
}

// logUndo appends t.rec to the undo log and returns the roll pointer and the
// log length before it (to cut it back if the change then fails).
func (t *txn) logUndo() (roll, before uint64, err error) {
	l, err := t.undoLog()
	if err != nil {
		return 0, 0, err
	}
	before = l.Length()
	roll, err = l.Append(&t.rec)
	return roll, before, err
}

func (t *txn) cutUndo(before uint64, cause error) error {
	if err := t.undo.Truncate(before); err != nil {
		return err
	}
	return mapErr(cause)
}

// Insert adds a new key.
func (t *txn) Insert(id TableID, index int, key, value []byte) error {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return err
	}
	if len(key) > tr.MaxKey() {
		return ErrRecordTooLong
	}
	t.rec = undo.Record{Type: undo.TypeInsert, Table: uint64(id), Index: uint16(index), Key: key}
	roll, before, err := t.logUndo()
	if err != nil {
		return err
	}
	if err := tr.Insert(key, value, t.id, roll); err != nil {
		return t.cutUndo(before, err)
	}
	if index == 0 {
		t.d.rows.inserted.Add(1)
	}
	return nil
}

// Update replaces an existing key's value.
func (t *txn) Update(id TableID, index int, key, value []byte) error {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return err
	}
	old, otrx, oroll, found, err := tr.Get(key, t.old[:0])
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	t.old = old
	t.rec = undo.Record{Type: undo.TypeUpdate, Table: uint64(id), Index: uint16(index), Key: key, Old: old, OldTrx: otrx, OldRoll: oroll}
	roll, before, err := t.logUndo()
	if err != nil {
		return err
	}
	if err := tr.Update(key, value, t.id, roll, nil); err != nil {
		return t.cutUndo(before, err)
	}
	if index == 0 {
		t.d.rows.updated.Add(1)
	}
	return nil
}

// Delete removes a key.
func (t *txn) Delete(id TableID, index int, key []byte) error {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return err
	}
	old, otrx, oroll, found, err := tr.Get(key, t.old[:0])
	if err != nil {
		return err
	}
	if !found {
		return ErrNotFound
	}
	t.old = old
	t.rec = undo.Record{Type: undo.TypeDelete, Table: uint64(id), Index: uint16(index), Key: key, Old: old, OldTrx: otrx, OldRoll: oroll}
	_, before, err := t.logUndo()
	if err != nil {
		return err
	}
	if err := tr.Delete(key, nil); err != nil {
		return t.cutUndo(before, err)
	}
	if index == 0 {
		t.d.rows.deleted.Add(1)
	}
	return nil
}

// Savepoint is the current undo log length.
func (t *txn) Savepoint() Savepoint {
	if t.undo == nil {
		return 0
	}
	return Savepoint(t.undo.Length())
}

// RollbackTo undoes every change made after sp.
func (t *txn) RollbackTo(sp Savepoint) error {
	if t.done {
		return ErrTxnDone
	}
	if t.undo == nil {
		return nil
	}
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	return t.d.rollbackTo(t.undo, uint64(sp))
}

// Commit makes the transaction durable per FlushLogAtTrxCommit.
func (t *txn) Commit() error {
	if t.done {
		return ErrTxnDone
	}
	t.done = true
	if t.undo == nil {
		return nil
	}
	lsn, err := t.undo.Finish()
	if err != nil {
		return err
	}
	switch t.d.opts.FlushLogAtTrxCommit {
	case FlushAtCommit:
		return t.d.log.FlushUpTo(lsn, true)
	case FlushWriteAtCommit:
		return t.d.log.FlushUpTo(lsn, false)
	}
	return nil
}

// Rollback undoes the whole transaction.
func (t *txn) Rollback() error {
	if t.done {
		return ErrTxnDone
	}
	if t.undo != nil {
		t.d.ddl.RLock()
		err := t.d.rollbackTo(t.undo, 0)
		t.d.ddl.RUnlock()
		if err != nil {
			return err
		}
		if _, err := t.undo.Finish(); err != nil {
			return err
		}
	}
	t.done = true
	return nil
}

type cursor struct {
	c *btree.Cursor
	d *db
	n uint64
}

func (c *cursor) Next() bool {
	if c.c.Next() {
		c.n++
		return true
	}
	return false
}
func (c *cursor) Key() []byte   { return c.c.Key() }
func (c *cursor) Value() []byte { return c.c.Value() }
func (c *cursor) Err() error    { return c.c.Err() }
func (c *cursor) Close() error {
	c.d.rows.read.Add(c.n)
	c.n = 0
	return nil
}
