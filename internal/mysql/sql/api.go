package sql

import (
	"context"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// MySQL protocol column types (the subset the executor produces).
const (
	TypeDecimal    byte = 0x00
	TypeTiny       byte = 0x01
	TypeShort      byte = 0x02
	TypeLong       byte = 0x03
	TypeFloat      byte = 0x04
	TypeDouble     byte = 0x05
	TypeNull       byte = 0x06
	TypeTimestamp  byte = 0x07
	TypeLonglong   byte = 0x08
	TypeInt24      byte = 0x09
	TypeDate       byte = 0x0a
	TypeTime       byte = 0x0b
	TypeDatetime   byte = 0x0c
	TypeYear       byte = 0x0d
	TypeVarchar    byte = 0x0f
	TypeNewDecimal byte = 0xf6
	TypeEnum       byte = 0xf7
	TypeBlob       byte = 0xfc
	TypeVarString  byte = 0xfd
	TypeString     byte = 0xfe
)

// Column flags as the protocol sends them.
const (
	FlagNotNull       uint16 = 1
	FlagPriKey        uint16 = 2
	FlagUniqueKey     uint16 = 4
	FlagMultipleKey   uint16 = 8
	FlagBlob          uint16 = 16
	FlagUnsigned      uint16 = 32
	FlagZerofill      uint16 = 64
	FlagBinary        uint16 = 128
	FlagEnum          uint16 = 256
	FlagAutoIncrement uint16 = 512
	FlagTimestamp     uint16 = 1024
	FlagSet           uint16 = 2048
	FlagNoDefault     uint16 = 4096
	FlagOnUpdateNow   uint16 = 8192
	FlagNum           uint16 = 32768
)

// Character sets as the protocol sends them.
const (
	CharsetUTF8MB4 uint16 = 255 // utf8mb4_0900_ai_ci
	CharsetBinary  uint16 = 63
)

// Column describes one result column.
type Column struct {
	Schema, Table, OrgTable, Name, OrgName string
	Type                                   byte   // MySQL protocol field type
	Flags                                  uint16 // Flag* bits
	Length                                 uint32
	Decimals                               uint8
	Charset                                uint16 // CharsetUTF8MB4 for text, CharsetBinary for numbers and blobs
}

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
