package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/sql"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
	"github.com/tandem-db/tandem/internal/mysql/wire"
)

// Connection states, for Shutdown: only idle connections are closed.
const (
	stateHandshake int32 = iota
	stateIdle
	stateActive
)

// conn is one client connection; everything but state is used only by its
// own goroutine.
type conn struct {
	srv     *Server
	pc      *wire.Conn
	id      uint32
	state   atomic.Int32
	tooMany bool
	// ctx is passed to every statement; KILL of this connection cancels it,
	// and Close cancels every connection's through the server's.
	ctx    context.Context
	cancel context.CancelFunc

	caps      uint32
	multiStmt bool
	salt      [20]byte
	host      string // as MySQL names the client in messages: "localhost" for loopback
	port      string // the client's port (set before the connection is registered)
	sess      *sql.Session

	stmts      map[uint32]*stmt
	nextStmtID uint32

	params []wire.Param  // reused per execution
	args   []types.Value // reused per execution

	// mu guards what other connections read for SHOW PROCESSLIST and KILL
	// QUERY; the connection's goroutine publishes it around each statement.
	mu struct {
		sync.Mutex
		user, host, db string // "" user: not authenticated yet
		command        string // "Sleep", "Query", "Execute", ...
		info           string // the running statement
		since          time.Time
		active         bool
		// qctx is the running statement's context (a child of ctx); KILL
		// QUERY cancels it, and the next statement gets a new one.
		qctx    context.Context
		qcancel context.CancelFunc
	}
}

// running publishes the statement the connection starts and returns the
// context to run it with.
func (c *conn) running(command, info string) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.qctx == nil || c.mu.qctx.Err() != nil {
		c.mu.qctx, c.mu.qcancel = context.WithCancel(c.ctx)
	}
	c.mu.command, c.mu.info, c.mu.since, c.mu.active = command, info, time.Now(), true
	return c.mu.qctx
}

// idle publishes that the connection waits for its next command.
func (c *conn) idle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil {
		c.mu.user, c.mu.db = c.sess.User, c.sess.DB
	}
	c.mu.host = c.host
	c.mu.command, c.mu.info, c.mu.since, c.mu.active = "Sleep", "", time.Now(), false
}

// killQuery cancels the running statement (nothing when idle).
func (c *conn) killQuery() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.active && c.mu.qcancel != nil {
		c.mu.qcancel()
	}
}

// process is the connection's SHOW PROCESSLIST row.
func (c *conn) process(now time.Time) sql.Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := sql.Process{ID: uint64(c.id), User: c.mu.user, Host: c.mu.host, DB: c.mu.db, Command: c.mu.command, Info: c.mu.info}
	if p.User == "" {
		p.User, p.Command = "unauthenticated user", "Connect"
	}
	if p.Host != "" && c.port != "" {
		p.Host += ":" + c.port
	}
	if !c.mu.since.IsZero() {
		p.Time = uint64(max(now.Sub(c.mu.since), 0) / time.Second)
	}
	if c.mu.active {
		p.State = "executing"
	}
	return p
}

// stmt is one prepared statement of a connection.
type stmt struct {
	prep     *sql.Prepared
	types    []uint16 // parameter types bound by the last execution
	longData [][]byte // COM_STMT_SEND_LONG_DATA per parameter (nil: none)
}

func (c *conn) serve() {
	defer c.srv.removeConn(c)
	defer c.cancel()
	defer c.pc.Close()
	if !c.handshake() {
		c.srv.aborted.Add(1)
		return
	}
	defer c.endSession()
	for {
		c.idle()
		c.state.Store(stateIdle)
		if c.srv.isClosed() {
			return
		}
		c.pc.ResetSequence()
		pkt, err := c.pc.ReadPacket()
		if err != nil {
			if errors.Is(err, wire.ErrPacketTooLarge) {
				c.writeError(errcode.PacketTooLarge.New())
				_ = c.pc.Flush()
			} else if !isClosedErr(err) {
				c.srv.log.Debug("mysql: read", "conn", c.id, "err", err)
			}
			return
		}
		c.state.Store(stateActive)
		if len(pkt) == 0 {
			c.writeError(errcode.MalformedPacket.New())
		} else if quit := c.dispatch(pkt); quit {
			_ = c.pc.Flush()
			return
		}
		if err := c.pc.Flush(); err != nil {
			return
		}
	}
}

func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (c *conn) endSession() {
	if c.sess != nil {
		c.srv.exec.EndSession(c.sess)
	}
}

// status is the status flags for OK and EOF packets.
func (c *conn) status() uint16 {
	var st uint16
	if c.sess.Autocommit() {
		st |= wire.StatusAutocommit
	}
	if c.sess.InTransaction() {
		st |= wire.StatusInTrans
	}
	return st
}

// writeError renders any error as an ERR packet: the executor's
// *errcode.Error as is, anything else as ER_UNKNOWN_ERROR.
func (c *conn) writeError(err error) {
	var e *errcode.Error
	if !errors.As(err, &e) {
		e = errcode.UnknownError.New(err.Error())
	}
	c.pc.WriteErr(e.Code, e.State, e.Message)
}

// dispatch runs one command; it reports whether the connection should end.
func (c *conn) dispatch(pkt []byte) (quit bool) {
	switch pkt[0] {
	case wire.ComQuit:
		return true
	case wire.ComQuery:
		c.comQuery(string(pkt[1:]))
	case wire.ComPing:
		c.pc.WriteOK(0, 0, c.status(), 0, "")
	case wire.ComInitDB:
		c.comInitDB(string(pkt[1:]))
	case wire.ComFieldList:
		c.comFieldList(pkt)
	case wire.ComStatistics:
		c.comStatistics()
	case wire.ComChangeUser:
		return c.comChangeUser(pkt)
	case wire.ComResetConnection:
		c.resetSession(c.sess.User, c.sess.DB)
		c.pc.WriteOK(0, 0, c.status(), 0, "")
	case wire.ComSetOption:
		opt, err := wire.ParseSetOption(pkt)
		switch {
		case err != nil:
			c.writeError(errcode.MalformedPacket.New())
		case opt > 1:
			c.writeError(errcode.UnknownCommand.New())
		default:
			c.multiStmt = opt == 0
			c.pc.WriteResultEnd(c.caps, c.status(), 0)
		}
	case wire.ComStmtPrepare:
		c.comStmtPrepare(string(pkt[1:]))
	case wire.ComStmtExecute:
		c.comStmtExecute(pkt)
	case wire.ComStmtSendLongData:
		c.comStmtSendLongData(pkt)
	case wire.ComStmtClose:
		if id, err := wire.StmtID(pkt); err == nil {
			delete(c.stmts, id)
		}
	case wire.ComStmtReset:
		id, err := wire.StmtID(pkt)
		st := c.stmts[id]
		switch {
		case err != nil:
			c.writeError(errcode.MalformedPacket.New())
		case st == nil:
			c.writeError(errcode.UnknownStmtHandler.New(fmt.Sprint(id), "mysqld_stmt_reset"))
		default:
			clear(st.longData)
			c.pc.WriteOK(0, 0, c.status(), 0, "")
		}
	case wire.ComStmtFetch:
		id, _ := wire.StmtID(pkt)
		c.writeError(errcode.NoOpenCursor.New(id))
	case wire.ComProcessKill:
		id, err := wire.StmtID(pkt)
		switch {
		case err != nil:
			c.writeError(errcode.MalformedPacket.New())
		case id == c.id:
			return true
		case !c.srv.kill(id):
			c.writeError(errcode.NoSuchThread.New(id))
		default:
			c.pc.WriteOK(0, 0, c.status(), 0, "")
		}
	default:
		c.writeError(errcode.UnknownCommand.New())
	}
	return false
}

func (c *conn) comQuery(query string) {
	ctx := c.running("Query", query)
	c.srv.running.Add(1)
	defer c.srv.running.Add(-1)
	stmts := []string{query}
	// Only text with a ';' can hold more than one statement: skip the
	// splitter's tokenizer pass for the rest (nearly every query).
	if c.multiStmt && strings.IndexByte(query, ';') >= 0 {
		var err error
		stmts, err = sql.SplitStatements(query)
		if err != nil {
			c.srv.questions.Add(1)
			c.writeError(err)
			return
		}
	}
	if len(stmts) == 0 || strings.TrimSpace(query) == "" {
		c.srv.questions.Add(1)
		c.writeError(errcode.EmptyQuery.New())
		return
	}
	for i, q := range stmts {
		c.srv.questions.Add(1)
		res, err := c.srv.exec.Query(ctx, c.sess, q)
		if err != nil {
			c.writeError(err)
			return
		}
		if err := c.writeResult(res, i < len(stmts)-1, false); err != nil {
			return
		}
	}
}

// writeResult sends an OK packet or a whole result set (text rows, or
// binary rows for prepared statements).
func (c *conn) writeResult(res *sql.Result, more, binary bool) error {
	st := c.status()
	if more {
		st |= wire.StatusMoreResultsExist
	}
	if len(res.Columns) == 0 {
		c.pc.WriteOK(res.AffectedRows, res.LastInsertID, st, res.Warnings, res.Info)
		return nil
	}
	cols := res.Columns
	c.pc.WriteColumns(c.caps, cols, st)
	for _, row := range res.Rows {
		var err error
		if binary {
			err = c.pc.WriteBinaryRow(cols, row)
		} else {
			err = c.pc.WriteTextRow(row)
		}
		if err != nil {
			return err
		}
	}
	c.pc.WriteResultEnd(c.caps, st, res.Warnings)
	return nil
}

// columns converts the executor's column definitions into wire's, reusing
// the connection's slice.

func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (c *conn) comInitDB(db string) {
	c.srv.questions.Add(1)
	if _, err := c.srv.exec.Query(c.ctx, c.sess, "USE "+quoteIdent(db)); err != nil {
		c.writeError(err)
		return
	}
	c.pc.WriteOK(0, 0, c.status(), 0, "")
}

func (c *conn) comFieldList(pkt []byte) {
	fl, err := wire.ParseFieldList(pkt)
	if err != nil {
		c.writeError(errcode.MalformedPacket.New())
		return
	}
	res, err := c.srv.exec.Query(c.ctx, c.sess, "SELECT * FROM "+quoteIdent(fl.Table)+" LIMIT 0")
	if err != nil {
		c.writeError(err)
		return
	}
	c.pc.WriteFieldList(c.caps, res.Columns, c.status())
}

func (c *conn) comStatistics() {
	st := c.srv.Status()
	uptime := max(st["Uptime"], 1)
	c.pc.WriteString(fmt.Sprintf("Uptime: %d  Threads: %d  Questions: %d  Slow queries: 0  Opens: 0  Flush tables: 1  Open tables: 0  Queries per second avg: %.3f",
		st["Uptime"], st["Threads_connected"], st["Questions"], float64(st["Questions"])/float64(uptime)))
}

func (c *conn) comStmtPrepare(query string) {
	c.srv.questions.Add(1)
	p, err := c.srv.exec.Prepare(c.ctx, c.sess, query)
	if err != nil {
		c.writeError(err)
		return
	}
	c.nextStmtID++
	id := c.nextStmtID
	if c.stmts == nil {
		c.stmts = make(map[uint32]*stmt)
	}
	c.stmts[id] = &stmt{prep: p}
	c.pc.WritePrepareOK(c.caps, &wire.PrepareOK{
		StmtID: id, Columns: p.Columns, Params: p.ParamCount,
	}, c.status())
}

func (c *conn) comStmtExecute(pkt []byte) {
	c.srv.running.Add(1)
	defer c.srv.running.Add(-1)
	c.srv.questions.Add(1)
	id, err := wire.StmtID(pkt)
	if err != nil {
		c.writeError(errcode.MalformedPacket.New())
		return
	}
	st := c.stmts[id]
	if st == nil {
		c.writeError(errcode.UnknownStmtHandler.New(fmt.Sprint(id), "mysqld_stmt_execute"))
		return
	}
	e, err := wire.ParseStmtExecute(pkt, st.prep.ParamCount, st.types, st.longData, c.params)
	if err != nil {
		c.writeError(errcode.WrongArguments.New("mysqld_stmt_execute"))
		return
	}
	c.params = e.Params[:0]
	if e.NewTypes {
		st.types = e.Types
	}
	args := c.args[:0]
	for i := range e.Params {
		args = append(args, e.Params[i].Value())
	}
	c.args = args[:0]
	clear(st.longData)
	res, err := c.srv.exec.Execute(c.running("Execute", st.prep.Query()), c.sess, st.prep, args)
	clear(args)
	if err != nil {
		c.writeError(err)
		return
	}
	_ = c.writeResult(res, false, true)
}

func (c *conn) comStmtSendLongData(pkt []byte) {
	d, err := wire.ParseSendLongData(pkt)
	if err != nil {
		return // no reply is ever sent to COM_STMT_SEND_LONG_DATA
	}
	st := c.stmts[d.StmtID]
	if st == nil || int(d.ParamID) >= st.prep.ParamCount {
		return
	}
	if st.longData == nil {
		st.longData = make([][]byte, st.prep.ParamCount)
	}
	if st.longData[d.ParamID] == nil {
		st.longData[d.ParamID] = []byte{}
	}
	st.longData[d.ParamID] = append(st.longData[d.ParamID], d.Data...)
}

// resetSession replaces the session (COM_RESET_CONNECTION, COM_CHANGE_USER):
// the open transaction rolls back, variables and prepared statements go.
func (c *conn) resetSession(user, db string) {
	if c.sess != nil {
		c.srv.exec.EndSession(c.sess)
	}
	c.sess = sql.NewSession(user, c.host)
	c.sess.ConnectionID = uint64(c.id)
	c.sess.DB = db
	c.stmts = nil
}

func (c *conn) comChangeUser(pkt []byte) (quit bool) {
	cu, err := wire.ParseChangeUser(pkt, c.caps)
	if err != nil {
		c.writeError(errcode.MalformedPacket.New())
		return true
	}
	if e := c.srv.authenticate(cu.User, c.host, cu.AuthPlugin, c.salt, cu.AuthResponse); e != nil {
		c.writeError(e)
		return true
	}
	c.resetSession(cu.User, "")
	if cu.Database != "" {
		if _, err := c.srv.exec.Query(c.ctx, c.sess, "USE "+quoteIdent(cu.Database)); err != nil {
			c.writeError(err)
			return true
		}
	}
	c.pc.WriteOK(0, 0, c.status(), 0, "")
	return false
}

// handshake greets the client, authenticates it and opens its session.
func (c *conn) handshake() bool {
	c.state.Store(stateHandshake)
	_ = c.pc.NetConn().SetDeadline(time.Now().Add(10 * time.Second))
	defer c.pc.NetConn().SetDeadline(time.Time{})
	loopback, host := clientHost(c.pc.NetConn().RemoteAddr())
	c.host = host
	if c.tooMany {
		c.writeError(errcode.TooManyConnections.New())
		_ = c.pc.Flush()
		return false
	}
	if !loopback && c.srv.cfg.RootPassword == "" {
		c.writeError(errcode.HostNotPrivileged.New(host))
		_ = c.pc.Flush()
		return false
	}
	c.salt = wire.NewSalt()
	c.pc.WriteHandshake(&wire.Handshake{
		ConnectionID:  c.id,
		ServerVersion: wire.ServerVersion,
		Salt:          c.salt,
		Charset:       uint8(wire.CharsetUTF8MB40900AICI),
		Status:        wire.StatusAutocommit,
		AuthPlugin:    c.srv.cfg.AuthPlugin,
	})
	if c.pc.Flush() != nil {
		return false
	}
	pkt, err := c.pc.ReadPacket()
	if err != nil {
		return false
	}
	resp, err := wire.ParseHandshakeResponse(pkt)
	if err != nil {
		if errors.Is(err, wire.ErrOldProtocol) {
			c.writeError(errcode.NotSupportedAuth.New())
		} else {
			c.writeError(errcode.BadHandshake.New())
		}
		_ = c.pc.Flush()
		return false
	}
	c.caps = resp.Capabilities & wire.ServerCapabilities
	c.multiStmt = c.caps&wire.ClientMultiStatements != 0
	plugin, auth := resp.AuthPlugin, resp.AuthResponse
	if plugin != "" && plugin != wire.NativePassword && plugin != wire.CachingSHA2Password {
		// An unknown plugin: ask for mysql_native_password instead.
		c.pc.WriteAuthSwitch(wire.NativePassword, c.salt)
		if c.pc.Flush() != nil {
			return false
		}
		if auth, err = c.pc.ReadPacket(); err != nil {
			return false
		}
		plugin = wire.NativePassword
	}
	var e *errcode.Error
	if plugin == wire.CachingSHA2Password && resp.User == "root" && c.srv.cfg.RootPassword != "" {
		if e, err = c.authSHA2(resp.User, auth); err != nil {
			return false
		}
	} else {
		e = c.srv.authenticate(resp.User, host, plugin, c.salt, auth)
	}
	if e != nil {
		c.writeError(e)
		_ = c.pc.Flush()
		return false
	}
	c.resetSession(resp.User, "")
	if resp.Database != "" {
		if _, err := c.srv.exec.Query(c.ctx, c.sess, "USE "+quoteIdent(resp.Database)); err != nil {
			c.writeError(err)
			_ = c.pc.Flush()
			return false
		}
	}
	c.pc.WriteOK(0, 0, c.status(), 0, "")
	return c.pc.Flush() == nil
}

// authenticate checks a user's credentials; nil means accepted.
func (s *Server) authenticate(user, host, plugin string, salt [20]byte, auth []byte) *errcode.Error {
	ok := user == "root"
	if ok {
		if plugin == wire.CachingSHA2Password {
			ok = wire.VerifyCachingSHA2Password(salt, auth, s.cfg.RootPassword)
		} else {
			ok = wire.VerifyNativePassword(salt, auth, s.cfg.RootPassword)
		}
	}
	if ok {
		return nil
	}
	using := "NO"
	if len(auth) > 0 {
		using = "YES"
	}
	return errcode.AccessDenied.New(user, host, using)
}

// clientHost says whether addr is a loopback address and how MySQL names it
// in messages and USER(): "localhost" for loopback, else the IP.
func clientHost(addr net.Addr) (loopback bool, host string) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return true, "localhost" // unix socket or in-memory pipe
	}
	if tcp.IP.IsLoopback() {
		return true, "localhost"
	}
	return false, tcp.IP.String()
}

// authSHA2 runs caching_sha2_password's exchange for an account with a
// password, as MySQL 8 does: a scramble that matches the digest cached by an
// earlier full authentication gets fast_auth_success; any other (no cached
// digest since start, or a mismatch) gets perform_full_authentication and
// the client then sends its password, in clear on a unix socket, else
// RSA-encrypted with the server's public key (sent first when the client
// asks for it). A verified password's digest is cached. The returned error
// is a connection failure (nothing more can be written).
func (c *conn) authSHA2(user string, auth []byte) (*errcode.Error, error) {
	denied := errcode.AccessDenied.New(user, c.host, "YES")
	if len(auth) == 0 {
		return errcode.AccessDenied.New(user, c.host, "NO"), nil
	}
	if digest, ok := c.srv.sha2Cached(user); ok && wire.VerifySHA2Cached(c.salt, auth, digest) {
		c.pc.WriteAuthMoreData(wire.SHA2FastAuthSuccess)
		return nil, nil
	}
	c.pc.WriteAuthMoreData(wire.SHA2PerformFullAuth)
	if err := c.pc.Flush(); err != nil {
		return nil, err
	}
	pkt, err := c.pc.ReadPacket()
	if err != nil {
		return nil, err
	}
	var password string
	if _, unix := c.pc.NetConn().(*net.UnixConn); unix {
		if password, err = wire.ParseCleartextPassword(pkt); err != nil {
			return denied, nil
		}
	} else {
		key, pub, err := c.srv.sha2Keys()
		if err != nil {
			c.srv.log.Error("caching_sha2_password: RSA key generation", "err", err)
			return denied, nil
		}
		if len(pkt) == 1 && pkt[0] == wire.SHA2RequestPublicKey {
			c.pc.WriteAuthMoreData(pub...)
			if err := c.pc.Flush(); err != nil {
				return nil, err
			}
			if pkt, err = c.pc.ReadPacket(); err != nil {
				return nil, err
			}
		}
		if password, err = wire.DecryptSHA2Password(key, c.salt, pkt); err != nil {
			return denied, nil
		}
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(c.srv.cfg.RootPassword)) != 1 {
		return denied, nil
	}
	c.srv.sha2Cache(user, wire.SHA2Digest(password))
	return nil, nil
}
