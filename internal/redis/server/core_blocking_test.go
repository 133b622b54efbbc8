package server

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// expect reads one reply per want and fails on the first difference.
func (rc *rawConn) expect(wants ...string) {
	rc.tb.Helper()
	for _, w := range wants {
		if got := rc.reply(); got != w {
			rc.tb.Fatalf("got %q want %q", got, w)
		}
	}
}

// do sends one command and checks its reply.
func (rc *rawConn) do(want string, args ...string) {
	rc.tb.Helper()
	rc.send(cmd(args...))
	rc.expect(want)
}

// silent checks that nothing arrives for d.
func (rc *rawConn) silent(d time.Duration) {
	rc.tb.Helper()
	rc.c.SetReadDeadline(time.Now().Add(d))
	if b, err := rc.r.Peek(1); err == nil {
		rc.tb.Fatalf("unexpected reply %q", b)
	}
	rc.c.SetReadDeadline(time.Time{})
}

// closed checks that the server closed the connection.
func (rc *rawConn) closed() {
	rc.tb.Helper()
	rc.c.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		if _, err := rc.r.ReadByte(); err != nil {
			if err != io.EOF && !strings.Contains(err.Error(), "reset") {
				rc.tb.Fatalf("connection not closed: %v", err)
			}
			return
		}
	}
}

// waitBlocked waits until n clients are blocked.
func waitBlocked(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s.mu.Lock()
		got := s.blocking.count
		s.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients blocked, want %d", got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func arr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}

// blockIn sends a blocking command on a new connection and waits until
// it is parked, so arrival order is the order of calls.
func blockIn(t *testing.T, s *Server, addr string, n int, args ...string) *rawConn {
	rc := dial(t, addr)
	rc.send(cmd(args...))
	waitBlocked(t, s, n)
	return rc
}

func TestCoreBlockArrivalOrderAndCount(t *testing.T) {
	s, addr := startServer(t)
	w1 := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	w2 := blockIn(t, s, addr, 2, "BRPOP", "other", "k", "0")
	w3 := blockIn(t, s, addr, 3, "BLPOP", "k", "0")
	w4 := blockIn(t, s, addr, 4, "BLMPOP", "0", "1", "k", "RIGHT")
	p := dial(t, addr)
	// One push of 3 elements serves the first 3 waiters, in arrival order.
	p.do(":3\r\n", "RPUSH", "k", "a", "b", "c")
	w1.expect(arr(bulk("k"), bulk("a")))
	w2.expect(arr(bulk("k"), bulk("c"))) // BRPOP pops the tail
	w3.expect(arr(bulk("k"), bulk("b")))
	waitBlocked(t, s, 1)
	w4.silent(50 * time.Millisecond)
	p.do(":0\r\n", "EXISTS", "k")
	p.do(":1\r\n", "RPUSH", "k", "d")
	w4.expect(arr(bulk("k"), arr(bulk("d"))))
	waitBlocked(t, s, 0)

	// Sorted sets: BZPOPMIN waiters in order.
	z1 := blockIn(t, s, addr, 1, "BZPOPMIN", "z", "0")
	z2 := blockIn(t, s, addr, 2, "BZPOPMAX", "z", "0")
	p.do(":3\r\n", "ZADD", "z", "1", "a", "2", "b", "3", "c")
	z1.expect(arr(bulk("z"), bulk("a"), bulk("1")))
	z2.expect(arr(bulk("z"), bulk("c"), bulk("3")))
	p.do(":1\r\n", "ZCARD", "z")
}

func TestCoreBlockPushInMultiServedAfterExec(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	p := dial(t, addr)
	p.send(cmd("MULTI") + cmd("RPUSH", "k", "a", "b") + cmd("LPOP", "k"))
	p.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n")
	w.silent(30 * time.Millisecond)
	p.do(arr(":2\r\n", bulk("a")), "EXEC")
	// The waiter sees the state after EXEC: a was popped inside it.
	w.expect(arr(bulk("k"), bulk("b")))
	// A transaction that leaves the key empty serves nobody.
	w.send(cmd("BLPOP", "k", "0"))
	waitBlocked(t, s, 1)
	p.send(cmd("MULTI") + cmd("RPUSH", "k", "x") + cmd("DEL", "k") + cmd("EXEC"))
	p.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", arr(":1\r\n", ":1\r\n"))
	w.silent(30 * time.Millisecond)
	waitBlocked(t, s, 1)
	p.do(":1\r\n", "RPUSH", "k", "y")
	w.expect(arr(bulk("k"), bulk("y")))
}

func TestCoreBlockMoveChain(t *testing.T) {
	s, addr := startServer(t)
	a := blockIn(t, s, addr, 1, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0")
	b := blockIn(t, s, addr, 2, "BRPOPLPUSH", "b", "c", "0")
	c := blockIn(t, s, addr, 3, "BLPOP", "c", "0")
	p := dial(t, addr)
	p.do(":1\r\n", "RPUSH", "a", "x")
	a.expect(bulk("x"))
	b.expect(bulk("x"))
	c.expect(arr(bulk("c"), bulk("x")))
	p.do(":0\r\n", "EXISTS", "a", "b", "c")
	waitBlocked(t, s, 0)
	// A move onto the key a later waiter watches, in one client's chain.
	d := blockIn(t, s, addr, 1, "BLMOVE", "src", "src", "RIGHT", "LEFT", "0")
	p.do(":1\r\n", "LPUSH", "src", "v")
	d.expect(bulk("v"))
	p.do(arr(bulk("v")), "LRANGE", "src", "0", "-1")
}

func TestCoreBlockTimeouts(t *testing.T) {
	s, addr := startServer(t)
	rc := dial(t, addr)
	start := time.Now()
	rc.do("*-1\r\n", "BLPOP", "k", "0.15")
	if d := time.Since(start); d < 140*time.Millisecond || d > 2*time.Second {
		t.Fatalf("BLPOP 0.15 took %v", d)
	}
	rc.do("*-1\r\n", "BLMOVE", "k", "d", "LEFT", "LEFT", "0.01")
	rc.do("*-1\r\n", "BRPOPLPUSH", "k", "d", "0.01")
	rc.do("*-1\r\n", "BZPOPMIN", "k", "0.01")
	rc.do("-ERR timeout is negative\r\n", "BLPOP", "k", "-1")
	rc.do("-ERR timeout is not a float or out of range\r\n", "BLPOP", "k", "abc")
	// The rest of a pipeline waits for the blocking command.
	rc.send(cmd("BLPOP", "k", "0") + cmd("PING") + cmd("LLEN", "k"))
	waitBlocked(t, s, 1)
	rc.silent(50 * time.Millisecond)
	p := dial(t, addr)
	p.do(":2\r\n", "RPUSH", "k", "1", "2")
	rc.expect(arr(bulk("k"), bulk("1")), "+PONG\r\n", ":1\r\n")
	// A timed-out command is followed by the rest of its pipeline too.
	rc.send(cmd("BLPOP", "none", "0.05") + cmd("PING"))
	rc.expect("*-1\r\n", "+PONG\r\n")
	// Blocked clients never hold up others.
	blockIn(t, s, addr, 1, "BLPOP", "none", "0")
	blockIn(t, s, addr, 2, "BLPOP", "none2", "0")
	p.do("+PONG\r\n", "PING")
	p.do(":1\r\n", "LLEN", "k")
}

func TestCoreClientUnblockAndKill(t *testing.T) {
	s, addr := startServer(t)
	p := dial(t, addr)
	w := dial(t, addr)
	w.send(cmd("CLIENT", "ID"))
	id := strings.TrimSuffix(strings.TrimPrefix(w.reply(), ":"), "\r\n")
	w.send(cmd("BLPOP", "k", "0") + cmd("PING"))
	waitBlocked(t, s, 1)
	p.do(":1\r\n", "CLIENT", "UNBLOCK", id)
	w.expect("*-1\r\n", "+PONG\r\n")
	p.do(":0\r\n", "CLIENT", "UNBLOCK", id)
	w.send(cmd("BZPOPMIN", "z", "0"))
	waitBlocked(t, s, 1)
	p.do(":1\r\n", "CLIENT", "UNBLOCK", id, "ERROR")
	w.expect("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	p.do("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n", "CLIENT", "UNBLOCK", id, "FOO")
	// CLIENT KILL of a blocked client: it goes away and consumes nothing.
	w.send(cmd("BLPOP", "k", "0"))
	waitBlocked(t, s, 1)
	p.do(":1\r\n", "CLIENT", "KILL", "ID", id)
	w.closed()
	waitBlocked(t, s, 0)
	p.do(":1\r\n", "RPUSH", "k", "x")
	p.do(":1\r\n", "LLEN", "k")
}

// A client that disconnects while blocked is forgotten at once, as Redis
// notices the closed socket: a later push is not popped for a dead client.
func TestCoreBlockedClientDisconnects(t *testing.T) {
	s, addr := startServer(t)
	g := blockIn(t, s, addr, 1, "BLPOP", "k2", "0")
	g.c.Close()
	waitBlocked(t, s, 0)
	p := dial(t, addr)
	p.do(":1\r\n", "RPUSH", "k2", "x")
	p.do(":1\r\n", "LLEN", "k2")
}

func TestCoreBlockKeyDeletedOrRetyped(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	p := dial(t, addr)
	// Redis 7.0: a key that becomes another type keeps the client waiting.
	p.do("+OK\r\n", "SET", "k", "str")
	w.silent(50 * time.Millisecond)
	p.do(":1\r\n", "DEL", "k")
	p.do(":1\r\n", "RPUSH", "k", "v")
	w.expect(arr(bulk("k"), bulk("v")))
}

func TestCoreBlockKeyDeletedThenPushed(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	p := dial(t, addr)
	p.send(cmd("MULTI") + cmd("RPUSH", "k", "a") + cmd("DEL", "k") + cmd("EXEC"))
	p.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", arr(":1\r\n", ":1\r\n"))
	p.do(":0\r\n", "DEL", "k")
	w.silent(30 * time.Millisecond)
	p.do(":1\r\n", "LPUSH", "k", "b")
	w.expect(arr(bulk("k"), bulk("b")))
}

func TestCoreBlockSwapDBFlushAll(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	p := dial(t, addr)
	p.send(cmd("SELECT", "1") + cmd("RPUSH", "k", "from1"))
	p.expect("+OK\r\n", ":1\r\n")
	p.do("+OK\r\n", "SWAPDB", "0", "1")
	w.expect(arr(bulk("k"), bulk("from1")))
	// FLUSHALL while waiting: still waiting, served by a later push.
	w.send(cmd("BLPOP", "k", "0"))
	waitBlocked(t, s, 1)
	p.do("+OK\r\n", "FLUSHALL")
	w.silent(30 * time.Millisecond)
	p.do(":1\r\n", "RPUSH", "k", "late") // p is in db 1: no wake-up
	w.silent(30 * time.Millisecond)
	p.do("+OK\r\n", "SELECT", "0")
	p.do(":1\r\n", "RPUSH", "k", "now")
	w.expect(arr(bulk("k"), bulk("now")))
}

func TestCoreBlockingInsideMulti(t *testing.T) {
	s, addr := startServer(t)
	rc := dial(t, addr)
	rc.send(cmd("MULTI") + cmd("BLPOP", "n", "0") + cmd("BLMOVE", "n1", "n2", "LEFT", "LEFT", "0") +
		cmd("BZPOPMIN", "zz", "0") + cmd("BLMPOP", "0", "1", "ll", "LEFT") + cmd("BRPOPLPUSH", "n", "m", "0") + cmd("EXEC"))
	rc.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
		arr("*-1\r\n", "$-1\r\n", "*-1\r\n", "*-1\r\n", "$-1\r\n"))
	waitBlocked(t, s, 0)
	rc.send(cmd("RPUSH", "n", "x") + cmd("MULTI") + cmd("BLPOP", "n", "0") + cmd("EXEC"))
	rc.expect(":1\r\n", "+OK\r\n", "+QUEUED\r\n", arr(arr(bulk("n"), bulk("x"))))
}

// Commands that arrive while the client is blocked run after it is served,
// in order, however they were split.
func TestCoreBlockedClientKeepsSending(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	big := strings.Repeat("y", 300000)
	rest := cmd("PING") + cmd("SET", "big", big) + cmd("STRLEN", "big") + cmd("ECHO", "end")
	for i := 0; i < len(rest); i += 4093 {
		w.send(rest[i:min(i+4093, len(rest))])
	}
	w.silent(30 * time.Millisecond)
	p := dial(t, addr)
	p.do(":1\r\n", "RPUSH", "k", "v")
	w.expect(arr(bulk("k"), bulk("v")), "+PONG\r\n", "+OK\r\n", ":300000\r\n", bulk("end"))
}

// client-query-buffer-limit holds while a client is blocked too.
func TestCoreBlockedClientQueryLimit(t *testing.T) {
	s, addr := startServer(t)
	admin := dial(t, addr)
	admin.do("+OK\r\n", "CONFIG", "SET", "client-query-buffer-limit", "1mb")
	w := blockIn(t, s, addr, 1, "BLPOP", "k", "0")
	chunk := strings.Repeat("x", 64*1024)
	for i := 0; i < 48; i++ {
		if _, err := w.c.Write([]byte(chunk)); err != nil {
			break
		}
	}
	w.closed()
	waitBlocked(t, s, 0)
}

// A BLMOVE served when its destination holds another type replies
// WRONGTYPE and leaves the element in the source (Redis 7.0).
func TestCoreBlockMoveWrongTypeDestination(t *testing.T) {
	s, addr := startServer(t)
	p := dial(t, addr)
	p.do("+OK\r\n", "SET", "dst", "str")
	w := blockIn(t, s, addr, 1, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
	p.do(":1\r\n", "RPUSH", "src", "x")
	w.expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	p.do(arr(bulk("x")), "LRANGE", "src", "0", "-1")
	waitBlocked(t, s, 0)
}

// Redis 7.0 serves a client blocked on several keys from the key that
// became ready, in that key's arrival order: here the first waiter gets
// a's element although b (listed first) also got one in the same EXEC.
func TestCoreBlockServedFromReadyKey(t *testing.T) {
	s, addr := startServer(t)
	w1 := blockIn(t, s, addr, 1, "BLPOP", "b", "a", "0")
	w2 := blockIn(t, s, addr, 2, "BLPOP", "a", "0")
	p := dial(t, addr)
	p.send(cmd("MULTI") + cmd("RPUSH", "a", "x") + cmd("RPUSH", "b", "y") + cmd("EXEC"))
	p.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", arr(":1\r\n", ":1\r\n"))
	w1.expect(arr(bulk("a"), bulk("x")))
	w2.silent(30 * time.Millisecond)
	p.do(arr(bulk("y")), "LRANGE", "b", "0", "-1")
	// The same for sorted sets.
	z1 := blockIn(t, s, addr, 2, "BZPOPMIN", "zb", "za", "0")
	p.send(cmd("MULTI") + cmd("ZADD", "za", "1", "x") + cmd("ZADD", "zb", "1", "y") + cmd("EXEC"))
	p.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", arr(":1\r\n", ":1\r\n"))
	z1.expect(arr(bulk("za"), bulk("x"), bulk("1")))
	p.do(":1\r\n", "ZCARD", "zb")
}

// Waiters are served right after the command that made the key ready,
// before the next command of the same pipeline.
func TestCoreBlockServedBeforeNextPipelined(t *testing.T) {
	s, addr := startServer(t)
	w := blockIn(t, s, addr, 1, "BLMOVE", "k", "d", "RIGHT", "LEFT", "0")
	p := dial(t, addr)
	p.send(cmd("RPUSH", "k", "a") + cmd("LLEN", "k") + cmd("LRANGE", "d", "0", "-1"))
	p.expect(":1\r\n", ":0\r\n", arr(bulk("a")))
	w.expect(bulk("a"))
}

// Commands that arrive on different connections run in arrival order, as
// in Redis' single event loop, even when they arrive together: two BLPOPs
// sent one after the other (without waiting for a reply) block in that
// order, so the first push serves the first sender.
func TestCoreArrivalOrderAcrossConnections(t *testing.T) {
	s, addr := startServer(t)
	p := dial(t, addr)
	for i := 0; i < 20; i++ {
		w1, w2 := dial(t, addr), dial(t, addr)
		w1.send(cmd("BLPOP", "k", "0"))
		w2.send(cmd("BLPOP", "k", "0"))
		waitBlocked(t, s, 2)
		p.do(":1\r\n", "RPUSH", "k", "first")
		w1.expect(arr(bulk("k"), bulk("first")))
		p.do(":1\r\n", "RPUSH", "k", "second")
		w2.expect(arr(bulk("k"), bulk("second")))
		w1.c.Close()
		w2.c.Close()
	}
}

// With several event loops (io-threads), clients on different loops still
// see every command atomic, and a push, a publish or a kill on one loop
// reaches a client of another.
func TestCoreSeveralLoops(t *testing.T) {
	s, addr := startServer(t, "io-threads", "3")
	// Clients 1..3 land on different loops (round robin by id).
	waiter, sub, pusher := dial(t, addr), dial(t, addr), dial(t, addr)
	waiter.do("+PONG\r\n", "PING")
	s.mu.Lock()
	loops := len(s.loops)
	s.mu.Unlock()
	if loops != 3 {
		t.Fatalf("%d loops, want 3", loops)
	}
	sub.send(cmd("SUBSCRIBE", "ch"))
	sub.expect(arr(bulk("subscribe"), bulk("ch"), ":1\r\n"))
	waiter.send(cmd("BLPOP", "q", "0"))
	waitBlocked(t, s, 1)
	pusher.do(":1\r\n", "RPUSH", "q", "v")
	waiter.expect(arr(bulk("q"), bulk("v")))
	pusher.do(":1\r\n", "PUBLISH", "ch", "hello")
	sub.expect(arr(bulk("message"), bulk("ch"), bulk("hello")))
	pusher.do(":1\r\n", "CLIENT", "KILL", "ID", "2")
	sub.closed()

	const clients, incrs = 12, 200
	done := make(chan error, clients)
	for i := 0; i < clients; i++ {
		rc := dial(t, addr)
		go func() {
			var b strings.Builder
			for j := 0; j < incrs; j++ {
				b.WriteString(cmd("INCR", "n"))
			}
			if _, err := rc.c.Write([]byte(b.String())); err != nil {
				done <- err
				return
			}
			for j := 0; j < incrs; j++ {
				if _, err := rc.r.ReadString('\n'); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < clients; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	pusher.do(bulk(strconv.Itoa(clients*incrs)), "GET", "n")
}

// A blocked command counts in INFO commandstats when it ends: a call when
// it times out, a failed call when CLIENT UNBLOCK ends it with an error,
// as Redis' errorstats tests check.
func TestCoreBlockedCommandStats(t *testing.T) {
	s, addr := startServer(t)
	admin := dial(t, addr)
	w := dial(t, addr)
	w.do(":2\r\n", "CLIENT", "ID")
	w.send(cmd("BLPOP", "q", "0"))
	waitBlocked(t, s, 1)
	admin.do(":1\r\n", "CLIENT", "UNBLOCK", "2", "ERROR")
	w.expect("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
	w.do("*-1\r\n", "BLPOP", "q", "0.01")
	admin.send(cmd("INFO", "commandstats"))
	stats := admin.reply()
	if !strings.Contains(stats, "cmdstat_blpop:calls=2,") || !strings.Contains(stats, ",rejected_calls=0,failed_calls=1\r\n") {
		t.Fatalf("commandstats after an unblocked and a timed-out BLPOP:\n%s", stats)
	}
}
