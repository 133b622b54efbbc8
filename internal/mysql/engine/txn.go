package engine

import (
	"errors"
	"fmt"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
	"github.com/tandem-db/tandem/internal/mysql/engine/lock"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
)

// txn is a transaction. Changes to a clustered-index key, and locking reads
// of one, take a row lock held until the transaction ends; there are no gap
// locks yet, and plain reads see the latest data (no read views yet).
type txn struct {
	d     *db
	id    uint64
	opts  TxnOptions
	undo  *undo.Log
	done  bool
	old   []byte
	rec   undo.Record
	locks []lock.Key
}

// lockRow locks a clustered-index key; it must be called without the DDL
// lock held (a wait would block DDL and through it everyone). It reports
// whether it had to wait (the row may have changed meanwhile).
func (t *txn) lockRow(id TableID, index int, key []byte, mode LockMode) (bool, error) {
	if t.done {
		return false, ErrTxnDone
	}
	if mode == LockNone || index != 0 {
		return false, nil
	}
	lm := lock.Shared
	if mode == LockExclusive {
		lm = lock.Exclusive
	}
	k := lock.MakeKey(uint64(id), key)
	added, waited, err := t.d.locks.Acquire(t.id, k, lm, t.opts.LockWaitTimeout)
	switch {
	case errors.Is(err, lock.ErrTimeout):
		return waited, ErrLockWait
	case errors.Is(err, lock.ErrDeadlock):
		return waited, ErrDeadlock
	case err != nil:
		return waited, err
	}
	if added {
		t.locks = append(t.locks, k)
	}
	return waited, nil
}

func (t *txn) releaseLocks() {
	t.d.locks.Release(t.id, t.locks)
	t.locks = nil
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
func (t *txn) Get(id TableID, index int, key []byte, mode LockMode) ([]byte, bool, error) {
	if _, err := t.lockRow(id, index, key, mode); err != nil {
		return nil, false, err
	}
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
// Scan opens a cursor; a locking scan of the clustered index locks each row
// as it returns it (a secondary index scan leaves locking to the Get of the
// row that follows it).
func (t *txn) Scan(id TableID, index int, lo, hi Bound, desc bool, mode LockMode) (Cursor, error) {
	t.d.ddl.RLock()
	defer t.d.ddl.RUnlock()
	tr, err := t.tree(id, index)
	if err != nil {
		return nil, err
	}
	// btree cursors (with their copy buffers) are pooled: a range query
	// then costs no allocation but the small wrapper.
	c, _ := t.d.cursors.Get().(*btree.Cursor)
	if c == nil {
		c = new(btree.Cursor)
	}
	c.Reset(tr, btree.Bound{Key: lo.Key, Inclusive: lo.Inclusive}, btree.Bound{Key: hi.Key, Inclusive: hi.Inclusive}, desc)
	cur := &cursor{c: c, d: t.d}
	if mode != LockNone && index == 0 {
		cur.txn, cur.table, cur.tree, cur.mode = t, id, tr, mode
	}
	return cur, nil
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
	if _, err := t.lockRow(id, index, key, LockExclusive); err != nil {
		return err
	}
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
	if _, err := t.lockRow(id, index, key, LockExclusive); err != nil {
		return err
	}
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
	if _, err := t.lockRow(id, index, key, LockExclusive); err != nil {
		return err
	}
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
		t.releaseLocks()
		return nil
	}
	lsn, err := t.undo.Finish()
	t.releaseLocks() // the log is not durable yet, but the changes are final
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
	defer t.releaseLocks()
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
	// Locking scans only.
	txn   *txn
	table TableID
	tree  *btree.Tree
	mode  LockMode
	val   []byte // the row re-read after a lock wait
	fresh bool
	err   error
}

func (c *cursor) Next() bool {
	if c.err != nil || c.c == nil {
		return false
	}
	for c.c.Next() {
		c.fresh = false
		if c.txn != nil {
			waited, err := c.txn.lockRow(c.table, 0, c.c.Key(), c.mode)
			if err != nil {
				c.err = err
				return false
			}
			if waited {
				// The holder may have changed or deleted the row.
				v, _, _, found, err := c.tree.Get(c.c.Key(), c.val[:0])
				if err != nil {
					c.err = err
					return false
				}
				if !found {
					continue
				}
				c.val, c.fresh = v, true
			}
		}
		c.n++
		return true
	}
	return false
}
func (c *cursor) Key() []byte {
	if c.c == nil {
		return nil
	}
	return c.c.Key()
}

func (c *cursor) Value() []byte {
	if c.fresh {
		return c.val
	}
	if c.c == nil {
		return nil
	}
	return c.c.Value()
}

func (c *cursor) Err() error {
	if c.err != nil || c.c == nil {
		return c.err
	}
	return c.c.Err()
}

// Close returns the btree cursor to the pool; the wrapper stays closed.
func (c *cursor) Close() error {
	c.d.rows.read.Add(c.n)
	c.n = 0
	if c.c != nil {
		if c.err == nil {
			c.err = c.c.Err()
		}
		if c.c.Footprint() <= 1<<20 { // do not keep the buffers of a scan of huge rows
			c.c.Reset(nil, btree.Bound{}, btree.Bound{}, false)
			c.d.cursors.Put(c.c)
		}
		c.c = nil
	}
	return nil
}
