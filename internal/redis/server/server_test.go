package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// startServer runs a server on a free loopback port until the test ends.
func startServer(tb testing.TB, directives ...string) (*Server, string) {
	tb.Helper()
	cfg := NewConfig()
	for i := 0; i+1 < len(directives); i += 2 {
		if err := cfg.Set(directives[i], directives[i+1], true); err != nil {
			tb.Fatal(err)
		}
	}
	if err := cfg.Set("dir", tb.TempDir(), true); err != nil {
		tb.Fatal(err)
	}
	s := New(cfg, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	return s, l.Addr().String()
}

// rawConn sends raw protocol and reads raw replies.
type rawConn struct {
	tb testing.TB
	c  net.Conn
	r  *bufio.Reader
}

func dial(tb testing.TB, addr string) *rawConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &rawConn{tb: tb, c: c, r: bufio.NewReader(c)}
}

func (rc *rawConn) send(s string) {
	if _, err := rc.c.Write([]byte(s)); err != nil {
		rc.tb.Fatal(err)
	}
}

// reply reads one whole reply and returns it as raw protocol text.
func (rc *rawConn) reply() string {
	rc.tb.Helper()
	rc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	rc.readValue(&b)
	return b.String()
}

func (rc *rawConn) readValue(b *strings.Builder) {
	rc.tb.Helper()
	line, err := rc.r.ReadString('\n')
	if err != nil {
		rc.tb.Fatalf("read: %v (so far %q)", err, b.String())
	}
	b.WriteString(line)
	switch line[0] {
	case '$', '=', '!':
		var n int
		fmt.Sscanf(line[1:], "%d", &n)
		if n >= 0 {
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(rc.r, buf); err != nil {
				rc.tb.Fatal(err)
			}
			b.Write(buf)
		}
	case '*', '~', '>', '%', '|':
		var n int
		fmt.Sscanf(line[1:], "%d", &n)
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			rc.readValue(b)
		}
	}
}

func cmd(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

func TestSplitCommandRunsOnce(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	whole := cmd("ECHO", strings.Repeat("x", 100000))
	for i := 0; i < len(whole); i += 7 {
		end := i + 7
		if end > len(whole) {
			end = len(whole)
		}
		rc.send(whole[i:end])
	}
	if got := rc.reply(); got != "$100000\r\n"+strings.Repeat("x", 100000)+"\r\n" {
		t.Fatalf("got %.40q", got)
	}
	rc.send("PING\r\n")
	if got := rc.reply(); got != "+PONG\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestPipelineRepliesInOrder(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	var all strings.Builder
	for i := 0; i < 1000; i++ {
		all.WriteString(cmd("ECHO", fmt.Sprint(i)))
	}
	rc.send(all.String())
	for i := 0; i < 1000; i++ {
		want := fmt.Sprintf("$%d\r\n%d\r\n", len(fmt.Sprint(i)), i)
		if got := rc.reply(); got != want {
			t.Fatalf("reply %d: %q want %q", i, got, want)
		}
	}
}

func TestProtocolErrorClosesAfterReply(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	rc.send("*1\r\n+PING\r\n")
	if got := rc.reply(); got != "-ERR Protocol error: expected '$', got '+'\r\n" {
		t.Fatalf("got %q", got)
	}
	rc.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := rc.r.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed: %v", err)
	}
	// The server survives.
	rc2 := dial(t, addr)
	rc2.send("PING\r\n")
	if got := rc2.reply(); got != "+PONG\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestAuthGate(t *testing.T) {
	_, addr := startServer(t, "requirepass", "secret")
	rc := dial(t, addr)
	rc.send(cmd("ECHO", "x"))
	if got := rc.reply(); got != "-NOAUTH Authentication required.\r\n" {
		t.Fatalf("got %q", got)
	}
	rc.send(cmd("AUTH", "wrong"))
	if got := rc.reply(); got != "-WRONGPASS invalid username-password pair or user is disabled.\r\n" {
		t.Fatalf("got %q", got)
	}
	rc.send(cmd("AUTH", "secret") + cmd("ECHO", "x"))
	if got := rc.reply() + rc.reply(); got != "+OK\r\n$1\r\nx\r\n" {
		t.Fatalf("got %q", got)
	}
}

func TestMultiExecAbortAndWatch(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	rc.send(cmd("MULTI") + cmd("ECHO") + cmd("PING") + cmd("EXEC"))
	want := []string{"+OK\r\n", "-ERR wrong number of arguments for 'echo' command\r\n", "+QUEUED\r\n",
		"-EXECABORT Transaction discarded because of previous errors.\r\n"}
	for _, w := range want {
		if got := rc.reply(); got != w {
			t.Fatalf("got %q want %q", got, w)
		}
	}
	rc.send(cmd("EXEC"))
	if got := rc.reply(); got != "-ERR EXEC without MULTI\r\n" {
		t.Fatalf("got %q", got)
	}
	rc.send(cmd("MULTI") + cmd("MULTI"))
	rc.reply()
	if got := rc.reply(); got != "-ERR MULTI calls can not be nested\r\n" {
		t.Fatalf("got %q", got)
	}
	rc.send(cmd("DISCARD"))
	rc.reply()
}

func TestPubSub(t *testing.T) {
	_, addr := startServer(t)
	sub := dial(t, addr)
	sub.send(cmd("SUBSCRIBE", "ch") + cmd("PSUBSCRIBE", "c*"))
	if got := sub.reply() + sub.reply(); got != "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n" {
		t.Fatalf("got %q", got)
	}
	sub.send(cmd("ECHO", "x"))
	if got := sub.reply(); !strings.HasPrefix(got, "-ERR Can't execute 'echo'") {
		t.Fatalf("got %q", got)
	}
	pub := dial(t, addr)
	pub.send(cmd("PUBLISH", "ch", "hi"))
	if got := pub.reply(); got != ":2\r\n" {
		t.Fatalf("got %q", got)
	}
	got := sub.reply() + sub.reply()
	if got != "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n" {
		t.Fatalf("got %q", got)
	}
	sub.send(cmd("PING"))
	if got := sub.reply(); got != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkPipelinedEcho(b *testing.B) {
	_, addr := startServer(b)
	rc := dial(b, addr)
	var batch strings.Builder
	for i := 0; i < 16; i++ {
		batch.WriteString(cmd("ECHO", "xxx"))
	}
	msg := batch.String()
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		rc.send(msg)
		for j := 0; j < 16; j++ {
			rc.reply()
		}
	}
}
