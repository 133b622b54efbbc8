// Package engine is the only storage API the SQL executor sees: tables made of
// B+tree indexes over byte keys, and row operations inside a transaction.
//
// The SQL layer owns the meaning of bytes: it encodes index keys in a
// memcomparable form (so bytes.Compare orders them as SQL does) and rows as
// opaque records. The engine owns everything below: tablespaces, pages, the
// buffer pool, B+trees, undo, redo, recovery, and (from the next issues) read
// views and row locks. It must not import internal/mysql/sql or anything of
// internal/redis.
//
// Index 0 of every table is its clustered index: key = encoded primary key
// (or the 6-byte hidden row ID), value = the whole row. A secondary index's
// key holds the indexed columns followed by the primary key, and its value is
// empty; a unique secondary index is checked by the SQL layer with a Scan on
// the prefix before Insert.
//
// # Implementation
//
// Open returns the InnoDB-like engine (the memory subpackage is a throwaway
// in-memory one for executor tests). Files live under Dir/mysql: ibdata1 (the
// system tablespace: header and counters, the transaction-system page, the
// data dictionary B+tree, undo pages), <schema>/<table>.ibd (one tablespace
// per table holding all its indexes), #innodb_redo/ (the redo log) and
// #ib_<page size>_0.dblwr (the doublewrite file).
//
// A row change writes an undo record (its own mini-transaction in the
// transaction's undo pages), then changes the B+tree in a second one; each
// mini-transaction appends one redo block. Commit frees the undo pages and
// clears the transaction's slot in one mini-transaction and flushes the redo
// log to it (innodb_flush_log_at_trx_commit=1: group commit, one fsync per
// group). Rollback applies the undo records' inverses newest first; each
// inverse is idempotent (skipped when there is nothing to undo) and is
// followed by cutting the undo log, so a crash mid-rollback resumes it.
// Recovery: repair torn pages from the doublewrite file, replay redo for the
// system tablespace, read the dictionary, replay redo for the tables, roll
// back every transaction still holding a slot, delete files no table owns,
// checkpoint.
//
// Concurrency: DDL takes an engine-wide lock exclusively, row operations take
// it shared for one call; each index has a tree latch (shared for reads,
// exclusive for changes). Row locks (package lock): Insert, Update and Delete
// of a clustered-index key, and Get/Scan of the clustered index with
// LockShared or LockExclusive, lock that key until the transaction ends, with
// lock-wait timeouts (ErrLockWait) and deadlock detection (ErrDeadlock). There
// are no gap or next-key locks yet, and plain reads see the latest data (no
// MVCC read views yet), whatever the isolation level.
package engine
