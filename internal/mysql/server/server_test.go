package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
	"github.com/tandem-db/tandem/internal/mysql/wire"
)

// startServer serves on 127.0.0.1:0 over an in-memory engine.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, cfg, l), l.Addr().String()
}

// serveOn serves cfg on l until the test ends, then checks Shutdown.
func serveOn(t *testing.T, cfg Config, l net.Listener) *Server {
	t.Helper()
	srv, err := NewWithEngine(cfg, memory.New())
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return srv
}

// rawClient speaks the protocol by hand, to test what drivers hide.
type rawClient struct {
	t    *testing.T
	pc   *wire.Conn
	caps uint32
	salt []byte
}

const testClientCaps = wire.ClientProtocol41 | wire.ClientSecureConnection | wire.ClientPluginAuth |
	wire.ClientLongPassword | wire.ClientTransactions | wire.ClientMultiStatements | wire.ClientMultiResults |
	wire.ClientPluginAuthLenencClientData

func dialRaw(t *testing.T, addr, user string, auth []byte, caps uint32) (*rawClient, []byte) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &rawClient{t: t, pc: wire.NewConn(nc), caps: caps}
	greeting := c.read()
	if greeting[0] != 10 {
		return c, greeting // an ERR instead of a greeting
	}
	at := bytes.IndexByte(greeting[1:], 0) + 1 + 1 + 4
	c.salt = append(append([]byte{}, greeting[at:at+8]...), greeting[at+8+1+2+1+2+2+1+10:][:12]...)
	resp := binary.LittleEndian.AppendUint32(nil, caps)
	resp = binary.LittleEndian.AppendUint32(resp, 1<<24)
	resp = append(resp, 45)
	resp = append(resp, make([]byte, 23)...)
	resp = append(append(resp, user...), 0)
	resp = wire.AppendLenEncBytes(resp, auth)
	resp = append(append(resp, wire.NativePassword...), 0)
	c.pc.WritePacket(resp)
	c.flush()
	return c, c.read()
}

func (c *rawClient) read() []byte {
	c.t.Helper()
	// Generous: a 17 MB statement under -race on a busy machine is slow.
	_ = c.pc.NetConn().SetReadDeadline(time.Now().Add(60 * time.Second))
	p, err := c.pc.ReadPacket()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return bytes.Clone(p)
}

func (c *rawClient) flush() {
	c.t.Helper()
	if err := c.pc.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// command sends one command packet and returns the first reply packet.
func (c *rawClient) command(payload ...byte) []byte {
	c.t.Helper()
	c.pc.ResetSequence()
	c.pc.WritePacket(payload)
	c.flush()
	return c.read()
}

func errText(p []byte) string {
	if len(p) < 9 || p[0] != 0xff {
		return "not an ERR packet"
	}
	return string(p[3:9]) + " " + string(p[9:])
}

func errCode(p []byte) uint16 {
	if len(p) < 3 || p[0] != 0xff {
		return 0
	}
	return binary.LittleEndian.Uint16(p[1:])
}

func TestHandshakeAndAuth(t *testing.T) {
	_, addr := startServer(t, Config{})
	c, reply := dialRaw(t, addr, "root", nil, testClientCaps)
	if reply[0] != 0 {
		t.Fatalf("root without password: %q", reply)
	}
	if r := c.command(wire.ComPing); r[0] != 0 || binary.LittleEndian.Uint16(r[3:])&wire.StatusAutocommit == 0 {
		t.Fatalf("ping: %q", r)
	}

	_, reply = dialRaw(t, addr, "bob", nil, testClientCaps)
	if got, want := errText(reply), "#28000 Access denied for user 'bob'@'localhost' (using password: NO)"; got != want || errCode(reply) != 1045 {
		t.Fatalf("unknown user: %q, want %q", got, want)
	}
	_, reply = dialRaw(t, addr, "root", []byte("01234567890123456789"), testClientCaps)
	if got, want := errText(reply), "#28000 Access denied for user 'root'@'localhost' (using password: YES)"; got != want {
		t.Fatalf("wrong password: %q, want %q", got, want)
	}
	_, reply = dialRaw(t, addr, "root", nil, testClientCaps&^wire.ClientProtocol41)
	if errCode(reply) != 1251 {
		t.Fatalf("pre-4.1 client: %q", reply)
	}
}

func TestPasswordAuth(t *testing.T) {
	_, addr := startServer(t, Config{RootPassword: "s3cret"})
	var salt [20]byte
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &rawClient{t: t, pc: wire.NewConn(nc), caps: testClientCaps}
	g := c.read()
	at := bytes.IndexByte(g[1:], 0) + 1 + 1 + 4
	copy(salt[:8], g[at:at+8])
	copy(salt[8:], g[at+8+1+2+1+2+2+1+10:][:12])
	scramble := nativeScramble(salt, "s3cret")
	if !wire.VerifyNativePassword(salt, scramble, "s3cret") || wire.VerifyNativePassword(salt, scramble, "other") {
		t.Fatal("VerifyNativePassword disagrees with the client's scramble")
	}
	resp := binary.LittleEndian.AppendUint32(nil, testClientCaps)
	resp = binary.LittleEndian.AppendUint32(resp, 1<<24)
	resp = append(resp, 45)
	resp = append(resp, make([]byte, 23)...)
	resp = append(append(resp, "root"...), 0)
	resp = wire.AppendLenEncBytes(resp, scramble)
	resp = append(append(resp, wire.NativePassword...), 0)
	c.pc.WritePacket(resp)
	c.flush()
	if r := c.read(); r[0] != 0 {
		t.Fatalf("right password refused: %s", errText(r))
	}
}

// nativeScramble is the client's side of mysql_native_password.
func nativeScramble(salt [20]byte, password string) []byte {
	return scrambleSHA1(salt[:], []byte(password))
}

func TestCommands(t *testing.T) {
	srv, addr := startServer(t, Config{})
	c, reply := dialRaw(t, addr, "root", nil, testClientCaps)
	if reply[0] != 0 {
		t.Fatalf("login: %q", reply)
	}
	stats := string(c.command(wire.ComStatistics))
	if !strings.HasPrefix(stats, "Uptime: ") || !strings.Contains(stats, "  Threads: 1  Questions: ") {
		t.Fatalf("COM_STATISTICS: %q", stats)
	}
	if r := c.command(0x20); errText(r) != "#08S01 Unknown command" {
		t.Fatalf("unknown command: %q", errText(r))
	}
	if r := c.command(wire.ComSetOption, 1, 0); r[0] != 0xfe {
		t.Fatalf("COM_SET_OPTION: %q", r)
	}
	if r := c.command(append([]byte{wire.ComStmtExecute}, 9, 0, 0, 0, 0, 1, 0, 0, 0)...); errText(r) != "#HY000 Unknown prepared statement handler (9) given to mysqld_stmt_execute" {
		t.Fatalf("unknown statement: %q", errText(r))
	}
	if r := c.command(wire.ComQuery); errText(r) != "#42000 Query was empty" {
		t.Fatalf("empty query: %q", errText(r))
	}
	if r := c.command(wire.ComResetConnection); r[0] != 0 {
		t.Fatalf("COM_RESET_CONNECTION: %q", r)
	}
	if r := c.command(append([]byte{wire.ComChangeUser}, "bob\x00\x00\x00"...)...); errCode(r) != 1045 {
		t.Fatalf("COM_CHANGE_USER to bob: %q", r)
	}
	c2, _ := dialRaw(t, addr, "root", nil, testClientCaps)
	if r := c2.command(append([]byte{wire.ComChangeUser}, "root\x00\x00\x00\x2d\x00mysql_native_password\x00"...)...); r[0] != 0 {
		t.Fatalf("COM_CHANGE_USER to root: %q", errText(r))
	}
	if st := srv.Status(); st["Threads_connected"] < 1 || st["Connections"] < 2 {
		t.Fatalf("status: %v", st)
	}
}

func TestMaxAllowedPacket(t *testing.T) {
	_, addr := startServer(t, Config{MaxAllowedPacket: 1 << 20})
	c, _ := dialRaw(t, addr, "root", nil, testClientCaps)
	big := append([]byte{wire.ComQuery}, bytes.Repeat([]byte("x"), 2<<20)...)
	c.pc.ResetSequence()
	c.pc.WritePacket(big)
	_ = c.pc.Flush() // the server may close before reading it all
	_ = c.pc.NetConn().SetReadDeadline(time.Now().Add(5 * time.Second))
	r, err := c.pc.ReadPacket()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if errText(r) != "#08S01 Got a packet bigger than 'max_allowed_packet' bytes" {
		t.Fatalf("got %q", errText(r))
	}
}

// readResult reads the rest of a text result set whose first packet was
// first (the client does not use CLIENT_DEPRECATE_EOF) and returns its rows'
// packets; an OK or ERR first packet is returned as the only element.
func (c *rawClient) readResult(first []byte) [][]byte {
	c.t.Helper()
	if first[0] == 0x00 || first[0] == 0xff {
		return [][]byte{first}
	}
	for p := c.read(); p[0] != 0xfe || len(p) >= 9; p = c.read() {
	}
	var rows [][]byte
	for p := c.read(); p[0] != 0xfe || len(p) >= 9; p = c.read() {
		rows = append(rows, p)
	}
	return rows
}

func TestLargePacketSplit(t *testing.T) {
	_, addr := startServer(t, Config{})
	c, _ := dialRaw(t, addr, "root", nil, testClientCaps)
	// A 17 MB query and its 17 MB result row: both cross the 16 MB packet
	// limit, so both directions split and join packets.
	n := wire.MaxPayload + 1000
	q := append([]byte{wire.ComQuery}, "SELECT '"...)
	q = append(q, bytes.Repeat([]byte("y"), n)...)
	q = append(q, '\'')
	rows := c.readResult(c.command(q...))
	if len(rows) != 1 || rows[0][0] == 0xff {
		t.Fatalf("%d rows; first: %.100q", len(rows), rows[0])
	}
	if want := 9 + n; len(rows[0]) != want { // 0xfe + 8-byte length
		t.Fatalf("row of %d bytes, want %d", len(rows[0]), want)
	}
	if r := c.command(wire.ComPing); r[0] != 0 {
		t.Fatalf("ping after a split packet: %q", r)
	}
}

func TestShutdownClosesIdleConnections(t *testing.T) {
	srv, err := NewWithEngine(Config{}, memory.New())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	c, _ := dialRaw(t, l.Addr().String(), "root", nil, testClientCaps)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	_ = c.pc.NetConn().SetReadDeadline(time.Now().Add(time.Second))
	if _, err := c.pc.ReadPacket(); err == nil {
		t.Fatal("connection still open after Shutdown")
	}
	if err := srv.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
}

func okStatus(t *testing.T, p []byte) uint16 {
	t.Helper()
	if p[0] != 0 {
		t.Fatalf("not an OK packet: %s", errText(p))
	}
	// header, affected rows and insert id (one byte each here), status
	return binary.LittleEndian.Uint16(p[3:])
}

func query(c *rawClient, q string) []byte {
	return c.command(append([]byte{wire.ComQuery}, q...)...)
}

// TestStatusFlagsAndCommands checks SERVER_STATUS_IN_TRANS,
// MORE_RESULTS_EXISTS, COM_INIT_DB, COM_FIELD_LIST and the raw prepared
// statement commands, as MySQL answers them.
func TestStatusFlagsAndCommands(t *testing.T) {
	_, addr := startServer(t, Config{})
	c, _ := dialRaw(t, addr, "root", nil, testClientCaps)
	for _, q := range []string{"CREATE DATABASE flags", "CREATE TABLE flags.t (id INT PRIMARY KEY, name VARCHAR(20))"} {
		if r := query(c, q); r[0] != 0 {
			t.Fatalf("%s: %s", q, errText(r))
		}
	}
	if r := c.command(append([]byte{wire.ComInitDB}, "nope"...)...); errText(r) != "#42000 Unknown database 'nope'" {
		t.Fatalf("COM_INIT_DB nope: %q", errText(r))
	}
	if st := okStatus(t, c.command(append([]byte{wire.ComInitDB}, "flags"...)...)); st != wire.StatusAutocommit {
		t.Fatalf("COM_INIT_DB status %#x", st)
	}
	if st := okStatus(t, query(c, "BEGIN")); st != wire.StatusAutocommit|wire.StatusInTrans {
		t.Fatalf("after BEGIN: status %#x", st)
	}
	if st := okStatus(t, query(c, "INSERT INTO t VALUES (1, 'a')")); st&wire.StatusInTrans == 0 {
		t.Fatalf("INSERT in a transaction: status %#x", st)
	}
	if st := okStatus(t, query(c, "COMMIT")); st != wire.StatusAutocommit {
		t.Fatalf("after COMMIT: status %#x", st)
	}
	// Two statements: the first OK carries MORE_RESULTS_EXISTS, the last not.
	if st := okStatus(t, query(c, "INSERT INTO t VALUES (2, 'b'); INSERT INTO t VALUES (3, 'c')")); st&wire.StatusMoreResultsExist == 0 {
		t.Fatalf("first of two: status %#x", st)
	}
	if st := okStatus(t, c.read()); st&wire.StatusMoreResultsExist != 0 {
		t.Fatalf("last of two: status %#x", st)
	}

	// COM_FIELD_LIST: one definition per column, then EOF.
	c.pc.ResetSequence()
	c.pc.WritePacket(append([]byte{wire.ComFieldList}, "t\x00"...))
	c.flush()
	var names []string
	for p := c.read(); p[0] != 0xfe; p = c.read() {
		if p[0] == 0xff {
			t.Fatalf("COM_FIELD_LIST: %s", errText(p))
		}
		// def, schema, table, org_table, name: skip four length-prefixed strings.
		at := 0
		for range 4 {
			at += 1 + int(p[at])
		}
		names = append(names, string(p[at+1:at+1+int(p[at])]))
	}
	if strings.Join(names, ",") != "id,name" {
		t.Fatalf("COM_FIELD_LIST columns: %v", names)
	}

	// Prepare, send long data, execute, reset, close.
	prep := c.command(append([]byte{wire.ComStmtPrepare}, "SELECT name FROM t WHERE id = ? OR name = ?"...)...)
	if prep[0] != 0 {
		t.Fatalf("prepare: %s", errText(prep))
	}
	id := binary.LittleEndian.Uint32(prep[1:])
	if params := binary.LittleEndian.Uint16(prep[7:]); params != 2 {
		t.Fatalf("prepare: %d params", params)
	}
	cols := int(binary.LittleEndian.Uint16(prep[5:]))
	for range 2 + 1 + cols + min(cols, 1) { // param defs, EOF, column defs, EOF
		c.read()
	}
	c.pc.ResetSequence()
	c.pc.WritePacket(append(binary.LittleEndian.AppendUint32([]byte{wire.ComStmtSendLongData}, id), 1, 0, 'c'))
	c.flush() // no reply
	exec := binary.LittleEndian.AppendUint32([]byte{wire.ComStmtExecute}, id)
	exec = append(exec, 0, 1, 0, 0, 0, 0x00, 1) // flags, iterations, NULL bitmap, types follow
	exec = append(exec, wire.TypeLongLong, 0, wire.TypeVarString, 0)
	exec = binary.LittleEndian.AppendUint64(exec, 1) // id = 1; name comes from the long data
	rows := c.readBinary(c.command(exec...))
	if len(rows) != 2 {
		t.Fatalf("execute: %d rows, want 2 (id 1 and name 'c')", len(rows))
	}
	if r := c.command(binary.LittleEndian.AppendUint32([]byte{wire.ComStmtReset}, id)...); r[0] != 0 {
		t.Fatalf("reset: %s", errText(r))
	}
	c.pc.ResetSequence()
	c.pc.WritePacket(binary.LittleEndian.AppendUint32([]byte{wire.ComStmtClose}, id))
	c.flush()
	if r := c.command(binary.LittleEndian.AppendUint32([]byte{wire.ComStmtReset}, id)...); errCode(r) != 1243 {
		t.Fatalf("reset after close: %q", errText(r))
	}
}

// readBinary reads a binary result set (first is the column count) and
// returns its row packets.
func (c *rawClient) readBinary(first []byte) [][]byte {
	c.t.Helper()
	if first[0] == 0xff {
		c.t.Fatalf("execute: %s", errText(first))
	}
	return c.readResult(first)
}

// nonLoopbackIP returns an address of this machine that is not loopback.
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP
		}
	}
	t.Skip("no non-loopback IPv4 address to connect from")
	return nil
}

// TestRemoteHostRefused: without a root password only loopback clients may
// connect; others get ER_HOST_NOT_PRIVILEGED instead of a greeting.
func TestRemoteHostRefused(t *testing.T) {
	ip := nonLoopbackIP(t)
	srv, err := NewWithEngine(Config{}, memory.New())
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		t.Skip(err)
	}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	_, reply := dialRaw(t, l.Addr().String(), "root", nil, testClientCaps)
	want := "#HY000 Host '" + ip.String() + "' is not allowed to connect to this MySQL server"
	if errCode(reply) != 1130 || errText(reply) != want {
		t.Fatalf("got %q, want %q", errText(reply), want)
	}
}

// TestDriverAuthPlugins logs in with go-sql-driver/mysql, with and without a
// root password, under both plugins the greeting can propose.
func TestDriverAuthPlugins(t *testing.T) {
	for _, plugin := range []string{wire.NativePassword, wire.CachingSHA2Password} {
		for _, password := range []string{"", "s3cret"} {
			_, addr := startServer(t, Config{AuthPlugin: plugin, RootPassword: password})
			db, err := sql.Open("mysql", "root:"+password+"@tcp("+addr+")/")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Ping(); err != nil {
				t.Errorf("%s, password %q: %v", plugin, password, err)
			}
			db.Close()
			db, _ = sql.Open("mysql", "root:wrong@tcp("+addr+")/")
			if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "Access denied for user 'root'@'localhost' (using password: YES)") {
				t.Errorf("%s, wrong password: %v", plugin, err)
			}
			db.Close()
		}
	}
}

// TestTooManyConnections: past max_connections a client gets 1040 instead
// of a greeting, and a slot freed by a leaving client is usable again.
func TestTooManyConnections(t *testing.T) {
	_, addr := startServer(t, Config{MaxConnections: 1})
	first, reply := dialRaw(t, addr, "root", nil, testClientCaps)
	if reply[0] != 0 {
		t.Fatalf("first: %s", errText(reply))
	}
	_, reply = dialRaw(t, addr, "root", nil, testClientCaps)
	if errText(reply) != "#08004 Too many connections" {
		t.Fatalf("second: %q", errText(reply))
	}
	first.pc.ResetSequence()
	first.pc.WritePacket([]byte{wire.ComQuit})
	first.flush()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, reply = dialRaw(t, addr, "root", nil, testClientCaps)
		if reply[0] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after COM_QUIT: %q", errText(reply))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
