package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// Executor runs statements against one engine. It is safe for concurrent use
// by many sessions.
type Executor struct {
	eng      engine.Engine
	opts     Options
	varIndex map[string]*sysVarDef
	started  time.Time

	// ddlMu serializes DDL statements.
	ddlMu sync.Mutex

	mu struct {
		sync.RWMutex
		// tables by lower-case "schema\x00name"
		tables  map[string]*catalog.Table
		version uint64 // bumped by every DDL; prepared plans re-bind when it changes
		globals map[string]types.Value
	}
}

// NewExecutor loads the catalog from eng.Tables().
func NewExecutor(eng engine.Engine, opts Options) (*Executor, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	x := &Executor{eng: eng, opts: opts, varIndex: map[string]*sysVarDef{}, started: time.Now()}
	for i := range sysVarTable {
		x.varIndex[sysVarTable[i].name] = &sysVarTable[i]
	}
	x.mu.tables = map[string]*catalog.Table{}
	x.mu.globals = map[string]types.Value{}
	for _, info := range eng.Tables() {
		t, err := catalog.Decode(info)
		if err != nil {
			return nil, errors.Join(errors.New("sql: table "+info.Schema+"."+info.Name+": bad definition"), err)
		}
		x.mu.tables[tableKey(info.Schema, info.Name)] = t
	}
	return x, nil
}

func tableKey(schema, name string) string { return schema + "\x00" + name }

// lookupTable finds a table of the catalog.
func (x *Executor) lookupTable(schema, name string) (*catalog.Table, uint64, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	t, ok := x.mu.tables[tableKey(schema, name)]
	return t, x.mu.version, ok
}

func (x *Executor) catalogVersion() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.mu.version
}

func (x *Executor) schemaExists(name string) bool {
	if strings.EqualFold(name, infoSchemaName) {
		return true
	}
	for _, s := range x.eng.Schemas() {
		if s == name {
			return true
		}
	}
	return false
}

// resolveTable finds a table named in a statement.
func (x *Executor) resolveTable(s *Session, tn sqlparser.TableName) (*catalog.Table, error) {
	schema := tn.DbQualifier.String()
	if schema == "" {
		schema = s.DB
	}
	if schema == "" {
		return nil, errcode.NoDatabaseSelected.New()
	}
	t, _, ok := x.lookupTable(schema, tn.Name.String())
	if !ok {
		return nil, errcode.NoSuchTable.New(schema, tn.Name.String())
	}
	return t, nil
}

// stmtCtx carries one statement's execution.
type stmtCtx struct {
	ctx  context.Context
	s    *Session
	x    *Executor
	txn  engine.Txn
	now  time.Time
	args []types.Value
	lock engine.LockMode
	// foundRows is the row count before LIMIT of a SQL_CALC_FOUND_ROWS query
	foundRows uint64
	// write is set for INSERT/UPDATE/DELETE (strict mode turns some warnings into errors)
	write bool
	// outer is the enclosing row while a correlated subquery runs
	outer []types.Value
	// subCache holds the rows of uncorrelated subqueries, computed once per statement
	subCache map[*subqueryExpr][][]types.Value
	spare    [2]evalCtx // handed out by evalCtx, each once
	nspare   int
}

// evalCtx returns a new evaluation context; the first two of a statement
// come from spare, saving a point select its allocations.
func (st *stmtCtx) evalCtx(row []types.Value) *evalCtx {
	if st.nspare < len(st.spare) {
		c := &st.spare[st.nspare]
		st.nspare++
		*c = evalCtx{row: row, args: st.args, s: st.s, x: st.x, st: st, outer: st.outer}
		return c
	}
	return &evalCtx{row: row, args: st.args, s: st.s, x: st.x, st: st, outer: st.outer}
}

func (x *Executor) query(ctx context.Context, s *Session, query string) (*Result, error) {
	p, err := parse.Parse(query)
	if err != nil {
		if strings.TrimSpace(query) == "" {
			return nil, errcode.EmptyQuery.New()
		}
		return nil, err
	}
	return x.run(ctx, s, p, nil, nil)
}

// run executes one parsed statement; plan is the prepared plan when there is one.
func (x *Executor) run(ctx context.Context, s *Session, p parse.Parsed, args []types.Value, pp *preparedStmt) (*Result, error) {
	isShowWarnings := false
	if sh, ok := p.Stmt.(*sqlparser.Show); ok && strings.EqualFold(sh.Type, "warnings") {
		isShowWarnings = true
	}
	if !isShowWarnings {
		s.stmtWarnings = s.stmtWarnings[:0]
	}
	res, err := x.dispatch(ctx, s, p, args, pp)
	if !isShowWarnings {
		if err != nil {
			var ee *errcode.Error
			if errors.As(err, &ee) {
				s.stmtWarnings = append(s.stmtWarnings[:0], Warning{Level: "Error", Code: ee.Code, Message: ee.Message})
			}
		}
		s.warnings, s.stmtWarnings = s.stmtWarnings, s.warnings
		if res != nil {
			res.Warnings = uint16(min(len(s.warnings), 65535))
		}
	}
	return res, err
}

func (x *Executor) dispatch(ctx context.Context, s *Session, p parse.Parsed, args []types.Value, pp *preparedStmt) (*Result, error) {
	switch st := p.Stmt.(type) {
	case *sqlparser.Select, *sqlparser.SetOp, *sqlparser.ParenSelect:
		return x.inStatement(ctx, s, false, func(sc *stmtCtx) (*Result, error) {
			return x.runSelect(sc, st.(sqlparser.SelectStatement), p, pp, args)
		})
	case *sqlparser.Insert:
		return x.inStatement(ctx, s, true, func(sc *stmtCtx) (*Result, error) { sc.args = args; return x.runInsert(sc, st) })
	case *sqlparser.Update:
		return x.inStatement(ctx, s, true, func(sc *stmtCtx) (*Result, error) { sc.args = args; return x.runUpdate(sc, st) })
	case *sqlparser.Delete:
		return x.inStatement(ctx, s, true, func(sc *stmtCtx) (*Result, error) { sc.args = args; return x.runDelete(sc, st) })
	case *sqlparser.Explain:
		return x.runExplain(ctx, s, st, args)
	case *sqlparser.Begin:
		if err := x.commit(s); err != nil {
			return nil, err
		}
		tc := strings.ToLower(st.TransactionCharacteristic)
		opts := engine.TxnOptions{Isolation: x.nextIsolation(s), ReadOnly: strings.Contains(tc, "read only") || (x.sessionReadOnly(s) && !strings.Contains(tc, "read write")),
			LockWaitTimeout: x.lockWaitTimeout(s)}
		txn, err := x.eng.Begin(ctx, opts)
		if err != nil {
			return nil, x.engineError(s, err)
		}
		s.txn, s.inTxn, s.txnOpts = txn, true, opts
		return &Result{}, nil
	case *sqlparser.Commit:
		return &Result{}, x.commit(s)
	case *sqlparser.Rollback:
		x.rollback(s)
		return &Result{}, nil
	case *sqlparser.Savepoint:
		return x.savepoint(ctx, s, st.Identifier)
	case *sqlparser.RollbackSavepoint:
		return x.rollbackToSavepoint(s, st.Identifier)
	case *sqlparser.ReleaseSavepoint:
		return x.releaseSavepoint(s, st.Identifier)
	case *sqlparser.Set:
		if !hasSubquery(st) {
			// SET starts no transaction (SET TRANSACTION must still see none open)
			return x.runSet(&stmtCtx{ctx: ctx, s: s, x: x, now: time.Now(), args: args}, st)
		}
		return x.inStatement(ctx, s, false, func(sc *stmtCtx) (*Result, error) { sc.args = args; return x.runSet(sc, st) })
	case *sqlparser.Use:
		db := st.DBName.String()
		if !x.schemaExists(db) {
			return nil, errcode.BadDatabase.New(db)
		}
		s.DB = db
		return &Result{}, nil
	case *sqlparser.Show:
		return x.runShow(ctx, s, st)
	case *sqlparser.Analyze:
		if p.CheckTable {
			return x.checkTable(s, st), nil
		}
		if st.Action != "" || len(st.Columns) > 0 {
			return nil, errcode.NotSupported.New("ANALYZE TABLE … " + strings.ToUpper(st.Action))
		}
		// Statistics are computed when read (SHOW INDEX): nothing to refresh.
		return x.maintainTables(s, st.Tables, "analyze", func(*catalog.Table, string) [][]types.Value { return nil }), nil
	case *sqlparser.Kill:
		return x.runKill(ctx, s, st, args)
	case *sqlparser.DBDDL:
		return x.runDBDDL(s, st)
	case *sqlparser.DDL:
		return x.runDDL(ctx, s, st)
	case *sqlparser.AlterTable:
		return x.runAlterTable(ctx, s, st)
	}
	return nil, errcode.NotSupported.New(strings.SplitN(sqlparser.String(p.Stmt), " ", 2)[0])
}

// checkTable runs CHECK TABLE: the engine's consistency check of each
// table's indexes, matching secondary entries to rows. An engine without
// one (the in-memory test engine) has no structure to check: status OK.
func (x *Executor) checkTable(s *Session, st *sqlparser.Analyze) *Result {
	return x.maintainTables(s, st.Tables, "check", func(t *catalog.Table, name string) [][]types.Value {
		if err := engine.CheckTable(x.eng, t.ID, CheckOptions()); err != nil && !errors.Is(err, engine.ErrNotInnoDB) {
			return [][]types.Value{textRow(name, "check", "error", err.Error()), textRow(name, "check", "error", "Corrupt")}
		}
		return nil
	})
}

// maintainTables is the result of a table maintenance statement (CHECK,
// ANALYZE): per table, the rows op returns, or status OK when it returns
// none; a table that does not resolve gets an Error row and "Operation failed".
func (x *Executor) maintainTables(s *Session, tables sqlparser.TableNames, op string, run func(t *catalog.Table, name string) [][]types.Value) *Result {
	res := &Result{Columns: textColumns("Table", "Op", "Msg_type", "Msg_text")}
	for _, tn := range tables {
		t, err := x.resolveTable(s, tn)
		if err != nil {
			schema := tn.DbQualifier.String()
			if schema == "" {
				schema = s.DB
			}
			name := schema + "." + tn.Name.String()
			res.Rows = append(res.Rows, textRow(name, op, "Error", errorText(err)), textRow(name, op, "status", "Operation failed"))
			continue
		}
		name := t.Schema + "." + t.Name
		if rows := run(t, name); len(rows) > 0 {
			res.Rows = append(res.Rows, rows...)
			continue
		}
		res.Rows = append(res.Rows, textRow(name, op, "status", "OK"))
	}
	return res
}

// CheckOptions are the engine.Check options the SQL layer's key encoding
// needs: PrimaryKeyOf reads the clustered key at the end of a secondary
// entry (for CHECK TABLE and `tandem inspect check`).
func CheckOptions() engine.CheckOptions {
	return engine.CheckOptions{PrimaryKeyOf: func(_ engine.TableInfo, _ int, key []byte) ([]byte, error) {
		pk := pkOfSecondary(key)
		if pk == nil {
			return nil, fmt.Errorf("secondary entry %x has no primary key", key)
		}
		return pk, nil
	}}
}

// sessionReadOnly is transaction_read_only.
func (x *Executor) sessionReadOnly(s *Session) bool {
	v, ok := s.vars["transaction_read_only"]
	return ok && v.Int() != 0
}

// nextIsolation is the isolation level of the next transaction.
func (x *Executor) nextIsolation(s *Session) engine.Isolation {
	if s.nextIso != nil {
		iso := *s.nextIso
		s.nextIso = nil
		return iso
	}
	return x.sessionIsolation(s)
}

// inStatement runs fn inside the session's transaction (starting one when
// none is open) with statement atomicity: on error, the statement's changes
// are undone; in autocommit mode the transaction ends with the statement.
func (x *Executor) inStatement(ctx context.Context, s *Session, write bool, fn func(*stmtCtx) (*Result, error)) (*Result, error) {
	st := &stmtCtx{ctx: ctx, s: s, x: x}
	implicit := false
	if s.txn == nil {
		opts := engine.TxnOptions{Isolation: x.nextIsolation(s), ReadOnly: x.sessionReadOnly(s), LockWaitTimeout: x.lockWaitTimeout(s)}
		txn, err := x.eng.Begin(ctx, opts)
		if err != nil {
			return nil, x.engineError(s, err)
		}
		s.txn, s.txnOpts = txn, opts
		if s.Autocommit() {
			implicit = true
		} else {
			s.inTxn = true
		}
	}
	st.txn = s.txn
	st.write = write
	if write && s.txnOpts.ReadOnly {
		return nil, errcode.ReadOnlyTransaction.New()
	}
	sp := st.txn.Savepoint()
	res, err := fn(st)
	if err != nil {
		if s.txn == nil { // the engine rolled back the whole transaction (deadlock)
			return nil, err
		}
		if implicit {
			_ = s.txn.Rollback()
			s.txn, s.inTxn = nil, false
			return nil, err
		}
		if rerr := s.txn.RollbackTo(sp); rerr != nil {
			x.rollback(s)
		}
		return nil, err
	}
	if implicit && s.txn != nil {
		txn := s.txn
		s.txn = nil
		if cerr := txn.Commit(); cerr != nil {
			return nil, x.engineError(s, cerr)
		}
	}
	return res, nil
}

// commit ends the open transaction.
func (x *Executor) commit(s *Session) error {
	s.savepoints = nil
	if s.txn == nil {
		s.inTxn = false
		return nil
	}
	txn := s.txn
	s.txn, s.inTxn = nil, false
	if err := txn.Commit(); err != nil {
		return x.engineError(s, err)
	}
	return nil
}

func (x *Executor) rollback(s *Session) {
	s.savepoints = nil
	if s.txn != nil {
		_ = s.txn.Rollback()
	}
	s.txn, s.inTxn = nil, false
}

func (x *Executor) savepoint(ctx context.Context, s *Session, name string) (*Result, error) {
	if s.txn == nil {
		if s.Autocommit() {
			return &Result{}, nil // outside a transaction SAVEPOINT does nothing
		}
		txn, err := x.eng.Begin(ctx, engine.TxnOptions{Isolation: x.nextIsolation(s), LockWaitTimeout: x.lockWaitTimeout(s)})
		if err != nil {
			return nil, x.engineError(s, err)
		}
		s.txn, s.inTxn = txn, true
	}
	for i, sp := range s.savepoints {
		if strings.EqualFold(sp.name, name) {
			s.savepoints = append(s.savepoints[:i], s.savepoints[i+1:]...)
			break
		}
	}
	s.savepoints = append(s.savepoints, namedSavepoint{name: name, sp: s.txn.Savepoint()})
	return &Result{}, nil
}

func (x *Executor) findSavepoint(s *Session, name string) int {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if strings.EqualFold(s.savepoints[i].name, name) {
			return i
		}
	}
	return -1
}

func (x *Executor) rollbackToSavepoint(s *Session, name string) (*Result, error) {
	i := x.findSavepoint(s, name)
	if i < 0 || s.txn == nil {
		return nil, errcode.SavepointMissing.New("SAVEPOINT", name)
	}
	if err := s.txn.RollbackTo(s.savepoints[i].sp); err != nil {
		return nil, x.engineError(s, err)
	}
	s.savepoints = s.savepoints[:i+1] // later savepoints are gone, this one stays
	return &Result{}, nil
}

func (x *Executor) releaseSavepoint(s *Session, name string) (*Result, error) {
	i := x.findSavepoint(s, name)
	if i < 0 {
		return nil, errcode.SavepointMissing.New("SAVEPOINT", name)
	}
	s.savepoints = s.savepoints[:i]
	return &Result{}, nil
}

// engineError maps an engine error to the client's error.
func (x *Executor) engineError(s *Session, err error) error {
	var ee *errcode.Error
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, engine.ErrLockWait):
		return errcode.LockWaitTimeout.New()
	case errors.Is(err, engine.ErrDeadlock):
		x.rollback(s) // InnoDB rolls back the victim's whole transaction
		return errcode.LockDeadlock.New()
	case errors.Is(err, engine.ErrLockNowait):
		return errcode.LockNowait.New()
	case errors.Is(err, engine.ErrRecordTooLong):
		return errcode.TooBigRowSize.New()
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errcode.QueryInterrupted.New()
	}
	return errcode.InternalError.New(err.Error())
}

// SplitStatements splits a multi-statement query at top-level semicolons.
func SplitStatements(query string) ([]string, error) {
	return parse.SplitStatements(query), nil
}

func hasSubquery(n sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if _, ok := node.(*sqlparser.Subquery); ok {
			found = true
		}
		return !found, nil
	}, n)
	return found
}

func errorText(err error) string {
	var ee *errcode.Error
	if errors.As(err, &ee) {
		return ee.Message
	}
	return err.Error()
}

// clock returns the statement's start time (NOW() is fixed for a statement),
// read on first use.
func (st *stmtCtx) clock() time.Time {
	if st.now.IsZero() {
		st.now = time.Now()
	}
	return st.now
}
