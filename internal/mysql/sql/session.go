package sql

import (
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// Warning is one row of SHOW WARNINGS.
type Warning struct {
	Level   string // "Warning", "Note" or "Error"
	Code    uint16
	Message string
}

// Session is one connection's state. It is used by one goroutine at a time.
type Session struct {
	User, Host string
	// DB is the current database ("" for none).
	DB string
	// ConnectionID is what CONNECTION_ID() returns; the server sets it.
	ConnectionID uint64

	txn        engine.Txn
	inTxn      bool // an explicit BEGIN is open (or autocommit=0 started one)
	txnOpts    engine.TxnOptions
	nextIso    *engine.Isolation // SET TRANSACTION ISOLATION LEVEL for the next transaction only
	savepoints []namedSavepoint

	vars     map[string]types.Value // session system variables that differ from the global value
	userVars map[string]types.Value

	loc           *time.Location // cached time_zone (nil: look it up)
	autocommitOff bool           // cached @@session.autocommit = 0
	iso           engine.Isolation
	isoCached     bool
	// cached innodb_lock_wait_timeout (0: look it up) and sql_mode; like the
	// isolation level, SET by this session resets them
	lockWait      time.Duration
	sqlMode       string
	sqlModeCached bool

	lastInsertID uint64
	foundRows    uint64
	rowCount     int64
	warnings     []Warning
	stmtWarnings []Warning
}

type namedSavepoint struct {
	name string
	sp   engine.Savepoint
}

// NewSession returns the state of a new connection.
func NewSession(user, host string) *Session {
	return &Session{User: user, Host: host, vars: map[string]types.Value{}, userVars: map[string]types.Value{}}
}

// InTransaction reports whether a transaction is open (for the OK packet's status flags).
func (s *Session) InTransaction() bool { return s.txn != nil && s.inTxn }

// Autocommit reports the session's autocommit setting (for the OK packet's status flags).
func (s *Session) Autocommit() bool { return !s.autocommitOff }

// Warnings returns the warnings of the last statement.
func (s *Session) Warnings() []Warning { return s.warnings }

func (s *Session) warn(level string, code uint16, msg string) {
	s.stmtWarnings = append(s.stmtWarnings, Warning{Level: level, Code: code, Message: msg})
}
