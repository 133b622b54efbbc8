package server

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/tandem-db/tandem/internal/mysql/wire"
)

// startUnixServer serves cfg on a unix socket in a temp dir and returns the
// server and the socket's path.
func startUnixServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "my.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, cfg, l), path
}

// sha2Scramble is what a client sends for caching_sha2_password:
// SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + salt).
func sha2Scramble(password string, salt []byte) []byte {
	h1 := sha256.Sum256([]byte(password))
	h2 := sha256.Sum256(h1[:])
	h3 := sha256.Sum256(append(h2[:], salt...))
	for i := range h3 {
		h3[i] ^= h1[i]
	}
	return h3[:]
}

// dialSHA2 logs in as root with caching_sha2_password by hand and returns
// the client and the first reply to the handshake response.
func dialSHA2(t *testing.T, network, addr, password string) (*rawClient, []byte) {
	t.Helper()
	nc, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &rawClient{t: t, pc: wire.NewConn(nc), caps: testClientCaps}
	greeting := c.read()
	if greeting[0] != 10 {
		t.Fatalf("greeting: %q", greeting)
	}
	if !bytes.HasSuffix(greeting, []byte(wire.CachingSHA2Password+"\x00")) {
		t.Fatalf("greeting proposes another plugin: %q", greeting)
	}
	at := bytes.IndexByte(greeting[1:], 0) + 1 + 1 + 4
	c.salt = append(append([]byte{}, greeting[at:at+8]...), greeting[at+8+1+2+1+2+2+1+10:][:12]...)
	resp := binary.LittleEndian.AppendUint32(nil, c.caps)
	resp = binary.LittleEndian.AppendUint32(resp, 1<<24)
	resp = append(resp, 45)
	resp = append(resp, make([]byte, 23)...)
	resp = append(resp, "root\x00"...)
	resp = wire.AppendLenEncBytes(resp, sha2Scramble(password, c.salt))
	resp = append(append(resp, wire.CachingSHA2Password...), 0)
	c.pc.WritePacket(resp)
	c.flush()
	return c, c.read()
}

const deniedYes = "#28000 Access denied for user 'root'@'localhost' (using password: YES)"

// TestUnixSocketSHA2FullAuthExchange checks the packets: the first login
// since start gets perform_full_authentication (0x01 0x04) and logs in with
// the cleartext password the socket allows; the next gets fast_auth_success
// (0x01 0x03); a wrong password, cached digest or not, gets 1045.
func TestUnixSocketSHA2FullAuthExchange(t *testing.T) {
	_, path := startUnixServer(t, Config{AuthPlugin: wire.CachingSHA2Password, RootPassword: "pw"})

	c, reply := dialSHA2(t, "unix", path, "wrong")
	if !bytes.Equal(reply, []byte{1, wire.SHA2PerformFullAuth}) {
		t.Fatalf("wrong password, empty cache: %q, want perform_full_authentication", reply)
	}
	c.pc.WritePacket([]byte("wrong\x00"))
	c.flush()
	if reply = c.read(); errCode(reply) != 1045 || errText(reply) != deniedYes {
		t.Fatalf("wrong cleartext password: %q", errText(reply))
	}

	c, reply = dialSHA2(t, "unix", path, "pw")
	if !bytes.Equal(reply, []byte{1, wire.SHA2PerformFullAuth}) {
		t.Fatalf("first login: %q, want perform_full_authentication", reply)
	}
	c.pc.WritePacket([]byte("pw\x00"))
	c.flush()
	if reply = c.read(); reply[0] != 0 {
		t.Fatalf("full authentication: %q", errText(reply))
	}
	if r := c.command(wire.ComPing); r[0] != 0 {
		t.Fatalf("ping: %q", r)
	}

	c, reply = dialSHA2(t, "unix", path, "pw")
	if !bytes.Equal(reply, []byte{1, wire.SHA2FastAuthSuccess}) {
		t.Fatalf("second login: %q, want fast_auth_success", reply)
	}
	if reply = c.read(); reply[0] != 0 {
		t.Fatalf("fast path: %q", errText(reply))
	}

	// A mismatching scramble with a cached digest falls back to full
	// authentication too (as MySQL does), which the wrong password fails.
	c, reply = dialSHA2(t, "unix", path, "nope")
	if !bytes.Equal(reply, []byte{1, wire.SHA2PerformFullAuth}) {
		t.Fatalf("wrong password, cached digest: %q", reply)
	}
	c.pc.WritePacket([]byte("nope\x00"))
	c.flush()
	if reply = c.read(); errCode(reply) != 1045 || errText(reply) != deniedYes {
		t.Fatalf("wrong password, cached digest: %q", errText(reply))
	}
}

// TestUnixSocketDriverSHA2 logs in with go-sql-driver/mysql over the
// socket: the first login (full authentication, cleartext) fills the cache,
// the second takes the fast path, a wrong password gets 1045.
func TestUnixSocketDriverSHA2(t *testing.T) {
	srv, path := startUnixServer(t, Config{AuthPlugin: wire.CachingSHA2Password, RootPassword: "pw"})
	if _, ok := srv.sha2Cached("root"); ok {
		t.Fatal("digest cached before any login")
	}
	for i, what := range []string{"first login (full authentication)", "second login (fast path)"} {
		db, err := sql.Open("mysql", "root:pw@unix("+path+")/")
		if err != nil {
			t.Fatal(err)
		}
		var user string
		if err := db.QueryRow("SELECT 'root'").Scan(&user); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		db.Close()
		if _, ok := srv.sha2Cached("root"); !ok {
			t.Fatalf("login %d: digest not cached", i+1)
		}
	}
	db, _ := sql.Open("mysql", "root:wrong@unix("+path+")/")
	defer db.Close()
	err := db.Ping()
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1045 || !strings.Contains(me.Message, "Access denied for user 'root'@'localhost' (using password: YES)") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestTCPDriverSHA2FullAuthRSA: on plain TCP (no TLS) the first login's full
// authentication goes through the RSA public key the driver asks for, the
// second takes the fast path; a client sending its password in clear on TCP
// is refused with 1045, since the transport is not secure.
func TestTCPDriverSHA2FullAuthRSA(t *testing.T) {
	srv, addr := startServer(t, Config{AuthPlugin: wire.CachingSHA2Password, RootPassword: "pw"})

	c, reply := dialSHA2(t, "tcp", addr, "pw")
	if !bytes.Equal(reply, []byte{1, wire.SHA2PerformFullAuth}) {
		t.Fatalf("first login: %q, want perform_full_authentication", reply)
	}
	c.pc.WritePacket([]byte("pw\x00"))
	c.flush()
	if reply = c.read(); errCode(reply) != 1045 || errText(reply) != deniedYes {
		t.Fatalf("cleartext password on TCP: %q", errText(reply))
	}
	if _, ok := srv.sha2Cached("root"); ok {
		t.Fatal("cleartext password on TCP filled the cache")
	}

	for _, what := range []string{"first login (RSA)", "second login (fast path)"} {
		db, err := sql.Open("mysql", "root:pw@tcp("+addr+")/")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		db.Close()
		if _, ok := srv.sha2Cached("root"); !ok {
			t.Fatalf("%s: digest not cached", what)
		}
	}
	c, reply = dialSHA2(t, "tcp", addr, "pw")
	if !bytes.Equal(reply, []byte{1, wire.SHA2FastAuthSuccess}) {
		t.Fatalf("after RSA login: %q, want fast_auth_success", reply)
	}
	if reply = c.read(); reply[0] != 0 {
		t.Fatalf("fast path on TCP: %q", errText(reply))
	}
}
