package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCoreProtocolPieces(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	// A command split byte by byte, inline and multibulk.
	for _, tc := range []struct{ whole, val string }{
		{cmd("SET", "k", "v") + cmd("GET", "k"), "v"},
		{"SET k v2\r\nGET k\r\n", "v2"},
	} {
		for i := 0; i < len(tc.whole); i++ {
			rc.send(tc.whole[i : i+1])
		}
		rc.expect("+OK\r\n", bulk(tc.val))
	}
	// A 20 MB value arriving in pieces of uneven size.
	big := strings.Repeat("abcdefghij", 2<<20)
	whole := cmd("SET", "big", big)
	for off, step := 0, 1; off < len(whole); step = step*3 + 1 {
		if step > 1<<20 {
			step = 7
		}
		end := min(off+step, len(whole))
		rc.send(whole[off:end])
		off = end
	}
	rc.expect("+OK\r\n")
	rc.do(":20971520\r\n", "STRLEN", "big")
	rc.do(bulk("bcd"), "GETRANGE", "big", "20971511", "20971513")
	// Inline commands: quotes, escapes, empty lines.
	rc.send("SET \"a b\" 'c d'\r\nGET \"a b\"\r\n\r\n\n  \r\nECHO \"x\\ty\"\r\nPING\r\n")
	rc.expect("+OK\r\n", bulk("c d"), bulk("x\ty"), "+PONG\r\n")
	rc.send("SET \"x\r\n")
	rc.expect("-ERR Protocol error: unbalanced quotes in request\r\n")
	rc.closed()
}

func TestCoreLongPipelineAndQuit(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		if i%2 == 0 {
			b.WriteString(cmd("INCR", "n"))
		} else {
			b.WriteString(cmd("GET", "n"))
		}
	}
	// Written from another goroutine: the server replies while we send.
	go func() { _, _ = rc.c.Write([]byte(b.String())) }()
	for i := 0; i < 10000; i++ {
		n := i/2 + 1
		want := fmt.Sprintf(":%d\r\n", n)
		if i%2 == 1 {
			want = bulk(fmt.Sprint(n))
		}
		if got := rc.reply(); got != want {
			t.Fatalf("reply %d = %q want %q", i, got, want)
		}
	}
	// QUIT in the middle of a pipeline: what follows never runs.
	rc.send(cmd("PING") + cmd("QUIT") + cmd("SET", "after", "1"))
	rc.expect("+PONG\r\n", "+OK\r\n")
	rc.closed()
	rc2 := dial(t, addr)
	rc2.do(":0\r\n", "EXISTS", "after")
}

func TestCoreInputLimits(t *testing.T) {
	_, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "1mb")
	rc := dial(t, addr)
	rc.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n")
	rc.expect("-ERR Protocol error: invalid bulk length\r\n")
	rc.closed()
	rc = dial(t, addr)
	rc.send("*2147483648\r\n")
	rc.expect("-ERR Protocol error: invalid multibulk length\r\n")
	rc.closed()

	admin.do("+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "512mb")
	admin.do("+OK\r\n", "CONFIG", "SET", "client-query-buffer-limit", "1mb")
	rc = dial(t, addr)
	rc.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
	chunk := strings.Repeat("x", 64*1024)
	for i := 0; i < 40; i++ {
		if _, err := rc.c.Write([]byte(chunk)); err != nil {
			break // closed by the server
		}
	}
	rc.closed()
	// An inline command longer than the limit too.
	rc = dial(t, addr)
	for i := 0; i < 40; i++ {
		if _, err := rc.c.Write([]byte(chunk)); err != nil {
			break
		}
	}
	rc.closed()
	admin.do("+PONG\r\n", "PING")
	admin.do(":0\r\n", "EXISTS", "k")

	// Before authentication, sizes are limited.
	admin.do("+OK\r\n", "CONFIG", "SET", "requirepass", "pw")
	rc = dial(t, addr)
	rc.send("*2000\r\n")
	rc.expect("-ERR Protocol error: unauthenticated multibulk length\r\n")
	rc.closed()
	rc = dial(t, addr)
	rc.send("*2\r\n$4\r\nAUTH\r\n$20000\r\n")
	rc.expect("-ERR Protocol error: unauthenticated bulk length\r\n")
	rc.closed()
	rc = dial(t, addr)
	rc.send(cmd("AUTH", "pw") + "*2000\r\n")
	rc.expect("+OK\r\n")
	rc.silent(30 * time.Millisecond) // waits for the rest of the command
}

func TestCorePauseWrite(t *testing.T) {
	_, addr := startServer(t)
	admin, w, r := dial(t, addr), dial(t, addr), dial(t, addr)
	admin.do("+OK\r\n", "SET", "k", "1")
	admin.do("+OK\r\n", "CLIENT", "PAUSE", "300", "WRITE")
	start := time.Now()
	w.send(cmd("SET", "k", "2"))
	r.do(bulk("1"), "GET", "k") // reads go on
	w.silent(50 * time.Millisecond)
	w.expect("+OK\r\n")
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("write ran after %v of a 300 ms pause", d)
	}
	admin.do(bulk("2"), "GET", "k")
	// CLIENT UNPAUSE releases waiting writers at once.
	admin.do("+OK\r\n", "CLIENT", "PAUSE", "10000", "WRITE")
	w.send(cmd("INCR", "k"))
	w.silent(30 * time.Millisecond)
	admin.do("+OK\r\n", "CLIENT", "UNPAUSE")
	w.expect(":3\r\n")
}

// A write pipelined behind a read must wait for the pause like a write
// sent alone.
func TestCorePauseWritePipelined(t *testing.T) {
	_, addr := startServer(t)
	admin, w := dial(t, addr), dial(t, addr)
	admin.do("+OK\r\n", "SET", "k", "1")
	admin.do("+OK\r\n", "CLIENT", "PAUSE", "10000", "WRITE")
	w.send(cmd("GET", "k") + cmd("SET", "k", "2") + cmd("GET", "k"))
	w.expect(bulk("1"))
	w.silent(50 * time.Millisecond)
	admin.do(bulk("1"), "GET", "k")
	admin.do("+OK\r\n", "CLIENT", "UNPAUSE")
	w.expect("+OK\r\n", bulk("2"))
}

// Shutdown ends every client's goroutines, blocked, subscribed, paused or
// in the middle of a command, and leaks none.
func TestCoreShutdownWithBusyClients(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := NewConfig()
	if err := cfg.Set("dir", t.TempDir(), true); err != nil {
		t.Fatal(err)
	}
	s := New(cfg, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { _ = s.Serve(l); close(served) }()
	addr := l.Addr().String()
	blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	blockIn(t, s, addr, 2, "BZPOPMIN", "z", "100")
	sub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "ch") + cmd("PSUBSCRIBE", "*"))
	sub.reply()
	sub.reply()
	rc3 := dial(t, addr)
	rc3.send(cmd("HELLO", "3") + cmd("SUBSCRIBE", "x"))
	rc3.reply()
	rc3.reply()
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CLIENT", "PAUSE", "100000", "WRITE")
	paused := dial(t, addr)
	paused.send(cmd("SET", "a", "1"))
	half := dial(t, addr)
	half.send("*3\r\n$3\r\nSET\r\n")
	idle := dial(t, addr)
	idle.do("+PONG\r\n", "PING")
	time.Sleep(20 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		buf := make([]byte, 1<<20)
		t.Fatalf("shutdown: %v\n%s", err, buf[:runtime.Stack(buf, true)])
	}
	select {
	case <-served:
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return")
	}
	for _, rc := range []*rawConn{sub, rc3, paused, half, idle} {
		rc.closed()
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+1 {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left (%d before):\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CLIENT KILL of a client waiting for a pause frees it at once.
func TestCorePausedClientKilled(t *testing.T) {
	_, addr := startServer(t)
	admin, w := dial(t, addr), dial(t, addr)
	w.send(cmd("CLIENT", "ID"))
	id := strings.TrimSuffix(strings.TrimPrefix(w.reply(), ":"), "\r\n")
	admin.do("+OK\r\n", "CLIENT", "PAUSE", "100000", "WRITE")
	w.send(cmd("SET", "k", "1"))
	w.silent(30 * time.Millisecond)
	admin.do(":1\r\n", "CLIENT", "KILL", "ID", id)
	w.closed()
	deadline := time.Now().Add(2 * time.Second)
	for {
		admin.send(cmd("CLIENT", "LIST"))
		if list := admin.reply(); !strings.Contains(list, "id="+id+" ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("killed client still listed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	admin.do("+OK\r\n", "CLIENT", "UNPAUSE")
	admin.do(":0\r\n", "EXISTS", "k")
}

// A reply bigger than the socket takes at once is written as the client
// reads it, and a QUIT behind it still answers +OK after all of it; a
// client that stops reading does not hold up the others.
func TestCoreBigReplyWrittenAsClientReads(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	big := strings.Repeat("x", 8<<20)
	rc.do("+OK\r\n", "SET", "big", big)
	rc.send(cmd("GET", "big") + cmd("GET", "big") + cmd("QUIT"))
	other := dial(t, addr)
	for i := 0; i < 100; i++ {
		other.do(":"+fmt.Sprint(i+1)+"\r\n", "INCR", "n") // while the big replies wait
	}
	time.Sleep(50 * time.Millisecond)
	rc.expect(bulk(big), bulk(big), "+OK\r\n")
	rc.closed()
}

// readsNothingThenEOF checks that the server closed rc without sending it
// anything more.
func readsNothingThenEOF(t *testing.T, rc *rawConn) {
	t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(rc.r)
	if len(b) > 0 || (err != nil && !strings.Contains(err.Error(), "reset")) {
		t.Fatalf("got %d bytes (%.40q), err %v; want the connection closed with nothing", len(b), b, err)
	}
}

// client-output-buffer-limit for normal clients, as Redis' obuf-limits
// tests check it: past the hard limit the client is closed and gets none
// of the replies, a transaction still runs to the end, and a reply that
// could grow without bound (negative counts) stops early.
func TestCoreOutputLimitNormalClients(t *testing.T) {
	_, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "normal 100000 0 0")
	item := strings.Repeat("x", 1000)
	for i := 0; i < 150; i++ {
		admin.do(":"+fmt.Sprint(i+1)+"\r\n", "RPUSH", "mylist", item)
	}

	rc := dial(t, addr)
	rc.send(cmd("PING") + cmd("LRANGE", "mylist", "0", "-1"))
	readsNothingThenEOF(t, rc) // not even the PONG of the same batch

	tx := dial(t, addr)
	tx.do("+OK\r\n", "MULTI")
	tx.do("+QUEUED\r\n", "SET", "k2", "v2")
	tx.do("+QUEUED\r\n", "LRANGE", "mylist", "0", "-1")
	tx.do("+QUEUED\r\n", "SET", "k3", "v3")
	tx.send(cmd("EXEC"))
	readsNothingThenEOF(t, tx)
	admin.do(bulk("v2"), "GET", "k2")
	admin.do(bulk("v3"), "GET", "k3")

	admin.do("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "normal 1000000 0 0")
	admin.do(":1\r\n", "HSET", "h", "a", "b")
	admin.do(":1\r\n", "SADD", "s", "a")
	admin.do(":1\r\n", "ZADD", "z", "1", "a")
	for _, c := range [][]string{
		{"HRANDFIELD", "h", "-999999999"},
		{"HRANDFIELD", "h", "-999999999", "WITHVALUES"},
		{"SRANDMEMBER", "s", "-999999999"},
		{"ZRANDMEMBER", "z", "-999999999", "WITHSCORES"},
	} {
		rc := dial(t, addr)
		rc.send(cmd(c...))
		readsNothingThenEOF(t, rc)
	}
	admin.do("+PONG\r\n", "PING")
}

// The soft limit closes a subscriber that stays past it for longer than
// its seconds, also when no message comes any more (the cron checks).
func TestCoreOutputSoftLimitWithoutTraffic(t *testing.T) {
	s, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 100000 1")
	sub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "foo"))
	sub.expect(arr(bulk("subscribe"), bulk("foo"), ":1\r\n"))
	msg := strings.Repeat("x", 1000)
	// The subscriber does not read: its socket fills, then its output.
	over := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.clients {
			if c.subscriptionCount() > 0 {
				return int64(len(c.out.Buf))+c.unsent >= 100000
			}
		}
		return false
	}
	for i := 0; !over(); i++ {
		if i > 20000 {
			t.Fatal("subscriber output never reached the soft limit")
		}
		admin.send(cmd("PUBLISH", "foo", msg))
		admin.expect(":1\r\n")
	}
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.clients)
		s.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscriber past the soft limit was not closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("closed after %v, before the soft limit's second", d)
	}
}
