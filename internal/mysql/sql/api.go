package sql

import (
	"context"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
	"github.com/tandem-db/tandem/internal/mysql/wire"
)

// MySQL protocol column types (the subset the executor produces), flags and
// character sets: wire defines them; these names are the executor's.
const (
	TypeDecimal    = wire.TypeDecimal
	TypeTiny       = wire.TypeTiny
	TypeShort      = wire.TypeShort
	TypeLong       = wire.TypeLong
	TypeFloat      = wire.TypeFloat
	TypeDouble     = wire.TypeDouble
	TypeNull       = wire.TypeNull
	TypeTimestamp  = wire.TypeTimestamp
	TypeLonglong   = wire.TypeLongLong
	TypeInt24      = wire.TypeInt24
	TypeDate       = wire.TypeDate
	TypeTime       = wire.TypeTime
	TypeDatetime   = wire.TypeDatetime
	TypeYear       = wire.TypeYear
	TypeVarchar    = wire.TypeVarchar
	TypeNewDecimal = wire.TypeNewDecimal
	TypeEnum       = wire.TypeEnum
	TypeBlob       = wire.TypeBlob
	TypeVarString  = wire.TypeVarString
	TypeString     = wire.TypeString
)

// Column flags as the protocol sends them.
const (
	FlagNotNull       = wire.FlagNotNull
	FlagPriKey        = wire.FlagPriKey
	FlagUniqueKey     = wire.FlagUniqueKey
	FlagMultipleKey   = wire.FlagMultipleKey
	FlagBlob          = wire.FlagBlob
	FlagUnsigned      = wire.FlagUnsigned
	FlagZerofill      = wire.FlagZerofill
	FlagBinary        = wire.FlagBinary
	FlagEnum          = wire.FlagEnum
	FlagAutoIncrement = wire.FlagAutoIncrement
	FlagTimestamp     = wire.FlagTimestamp
	FlagSet           = wire.FlagSet
	FlagNoDefault     = wire.FlagNoDefault
	FlagOnUpdateNow   = wire.FlagOnUpdateNow
	FlagNum           = wire.FlagNum
)

// Character sets as the protocol sends them.
const (
	CharsetUTF8MB4 = wire.CharsetUTF8MB40900AICI // utf8mb4_0900_ai_ci
	CharsetBinary  = wire.CharsetBinary
)

// Column describes one result column (the protocol's column definition:
// Type is a Type* constant, Flags Flag* bits, Charset CharsetUTF8MB4 for
// text and CharsetBinary for numbers and blobs).
type Column = wire.Column

// Result is the outcome of one statement: a result set when Columns is not
// empty, otherwise an OK packet's fields.
type Result struct {
	Columns      []Column
	Rows         [][]types.Value
	AffectedRows uint64
	LastInsertID uint64
	Warnings     uint16
	Info         string
}

// Options configure an Executor.
type Options struct {
	// Version is what VERSION() and @@version report; empty means DefaultVersion.
	Version string
	// Stats, when set, adds server counters (Threads_connected, Uptime,
	// Questions, ...) to SHOW STATUS.
	Stats func() map[string]uint64
	// Processes, when set, lists the server's connections for SHOW PROCESSLIST.
	Processes func() []Process
	// Kill, when set, ends connection id (or only its running statement when
	// query is true) for KILL [CONNECTION|QUERY] id; it returns false when
	// there is no such connection.
	Kill func(id uint64, query bool) bool
}

// Process is one row of SHOW PROCESSLIST.
type Process struct {
	ID                      uint64
	User, Host, DB, Command string
	Time                    uint64 // seconds in the current state
	State, Info             string // Info: the running statement ("" for none)
}

// Query is the statement's text (SHOW PROCESSLIST's Info while it runs).
func (p *Prepared) Query() string { return p.query }

// DefaultVersion starts with 8.0 so clients treat tandem as MySQL 8.
const DefaultVersion = "8.0.40-tandem"

// Prepared is a statement parsed once and executed many times.
type Prepared struct {
	ParamCount int
	Columns    []Column // result columns when known at prepare time (nil otherwise)
	query      string
	stmt       *preparedStmt
}

// Query runs one statement (the server splits multi-statements with SplitStatements).
func (x *Executor) Query(ctx context.Context, s *Session, query string) (*Result, error) {
	return x.query(ctx, s, query)
}

// Prepare parses a statement with ? placeholders.
func (x *Executor) Prepare(ctx context.Context, s *Session, query string) (*Prepared, error) {
	return x.prepare(ctx, s, query)
}

// Execute runs a prepared statement with args bound to its placeholders.
func (x *Executor) Execute(ctx context.Context, s *Session, p *Prepared, args []types.Value) (*Result, error) {
	return x.execute(ctx, s, p, args)
}

// EndSession rolls back the session's open transaction.
func (x *Executor) EndSession(s *Session) {
	if s.txn != nil {
		_ = s.txn.Rollback()
		s.txn = nil
	}
}
