package engine

import (
	"context"
	"errors"
	"time"
)

// Errors returned by the engine. The SQL layer maps them to MySQL error codes.
var (
	ErrDuplicateKey  = errors.New("engine: duplicate key") // ER_DUP_ENTRY
	ErrNotFound      = errors.New("engine: key not found") // update/delete of a missing key
	ErrTableExists   = errors.New("engine: table exists")  // ER_TABLE_EXISTS_ERROR
	ErrNoSuchTable   = errors.New("engine: no such table") // ER_NO_SUCH_TABLE
	ErrTxnDone       = errors.New("engine: transaction already committed or rolled back")
	ErrLockWait      = errors.New("engine: lock wait timeout exceeded")   // 1205, next issue
	ErrDeadlock      = errors.New("engine: deadlock found")               // 1213, next issue
	ErrLockNowait    = errors.New("engine: lock not available (NOWAIT)")  // 3572, next issue
	ErrRecordTooLong = errors.New("engine: record too long for the page") // ER_TOO_BIG_ROWSIZE
)

// TableID identifies a table for the life of the data directory.
type TableID uint64

// IndexSpec describes one B+tree of a table. Index 0 is the clustered index.
type IndexSpec struct {
	Name   string // "PRIMARY" for the clustered index (also when hidden)
	Unique bool
}

// TableSpec is what CREATE TABLE hands to the engine. Meta is the SQL layer's
// own serialized table definition (columns, types, defaults, index columns);
// the engine stores it in the data dictionary and hands it back unchanged.
type TableSpec struct {
	Schema  string
	Name    string
	Meta    []byte
	Indexes []IndexSpec
}

// TableInfo is a table as the data dictionary knows it.
type TableInfo struct {
	ID TableID
	TableSpec
	AutoIncrement uint64 // the next value AUTO_INCREMENT will hand out (1 for a new table)
}

// LockMode says how a read locks what it reads (row locks arrive in the next issue;
// until then LockNone, LockShared and LockExclusive read the latest committed data).
type LockMode uint8

const (
	LockNone      LockMode = iota // consistent (non-locking) read
	LockShared                    // FOR SHARE / LOCK IN SHARE MODE
	LockExclusive                 // FOR UPDATE, and the reads of UPDATE/DELETE
)

// Isolation is a transaction's isolation level.
type Isolation uint8

const (
	RepeatableRead Isolation = iota // InnoDB's default
	ReadCommitted
	ReadUncommitted
	Serializable
)

// TxnOptions are fixed when a transaction begins.
type TxnOptions struct {
	Isolation Isolation
	ReadOnly  bool
	// LockWaitTimeout bounds a row-lock wait (innodb_lock_wait_timeout);
	// 0 means the engine's default (50 s).
	LockWaitTimeout time.Duration
}

// Bound is one end of a key range. A nil Key means unbounded on that side.
type Bound struct {
	Key       []byte
	Inclusive bool
}

// Engine is a storage engine opened on a data directory.
type Engine interface {
	// Begin starts a transaction.
	Begin(ctx context.Context, opts TxnOptions) (Txn, error)

	// Data dictionary. DDL is atomic and durable when it returns
	// (MySQL 8's DDL commits implicitly).
	CreateSchema(name string) error
	DropSchema(name string) error // drops the schema's tables and their files
	Schemas() []string
	CreateTable(spec TableSpec) (TableInfo, error)
	DropTable(id TableID) error     // removes the table's .ibd file
	TruncateTable(id TableID) error // recreates the file, resets AUTO_INCREMENT to 1
	// AlterTableMeta replaces the stored definition (e.g. a renamed column).
	AlterTableMeta(id TableID, meta []byte) error
	// AddIndex builds a new secondary index; fill is called with a write
	// transaction to insert the existing rows' entries before it becomes visible.
	AddIndex(id TableID, spec IndexSpec, meta []byte, fill func(Txn, int) error) (int, error)
	DropIndex(id TableID, index int, meta []byte) error
	Tables() []TableInfo
	Table(schema, name string) (TableInfo, bool)

	// AutoIncrement reserves n consecutive values and returns the first; it
	// is not transactional (a rolled back insert leaves a gap, as in InnoDB).
	AutoIncrement(id TableID, n uint64) (uint64, error)
	// BumpAutoIncrement makes the next value at least next (an explicit insert of a larger id).
	BumpAutoIncrement(id TableID, next uint64) error
	// NextRowID hands out the hidden 6-byte row ID for tables without a primary key.
	NextRowID(id TableID) (uint64, error)

	// Stats reports counters under InnoDB's SHOW GLOBAL STATUS names
	// (Innodb_buffer_pool_reads, Innodb_data_fsyncs, Innodb_rows_read, ...).
	Stats() map[string]uint64
	Close() error
}

// Txn is one transaction. It is used by one goroutine at a time.
type Txn interface {
	ID() uint64
	// Get reads one key of an index. The value belongs to the caller: the
	// engine neither keeps nor changes it.
	Get(table TableID, index int, key []byte, lock LockMode) (value []byte, found bool, err error)
	// Scan iterates keys in [lo, hi] in order (reverse when desc).
	Scan(table TableID, index int, lo, hi Bound, desc bool, lock LockMode) (Cursor, error)
	// Insert adds a new key; ErrDuplicateKey if it exists.
	Insert(table TableID, index int, key, value []byte) error
	// Update replaces the value of an existing key; ErrNotFound if absent.
	Update(table TableID, index int, key, value []byte) error
	// Delete removes a key; ErrNotFound if absent.
	Delete(table TableID, index int, key []byte) error

	// Savepoint marks the current point of the undo log; RollbackTo undoes
	// everything after it (used for statement rollback and SQL SAVEPOINTs).
	Savepoint() Savepoint
	RollbackTo(sp Savepoint) error

	// Commit makes the transaction durable (redo flushed, group commit) before returning.
	Commit() error
	Rollback() error
}

// Savepoint is an opaque position in a transaction's undo log.
type Savepoint uint64

// Cursor walks a key range. Key and Value are valid until the next call to Next or Close.
type Cursor interface {
	Next() bool
	Key() []byte
	Value() []byte
	Err() error
	Close() error
}
