package server

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// propTap records the propagation stream.
type propTap struct {
	mu  sync.Mutex
	buf strings.Builder
}

func tapPropagation(s *Server) *propTap {
	tp := &propTap{}
	s.mu.Lock()
	s.prop.subscribe(func(b []byte) {
		tp.mu.Lock()
		tp.buf.Write(b)
		tp.mu.Unlock()
	})
	s.mu.Unlock()
	return tp
}

func (tp *propTap) take() string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	s := tp.buf.String()
	tp.buf.Reset()
	return s
}

func TestCorePropagationStream(t *testing.T) {
	s, addr := startServer(t)
	tp := tapPropagation(s)
	a := dial(t, addr)
	a.send(cmd("SELECT", "3") + cmd("SET", "a", "1") + cmd("GET", "a"))
	a.expect("+OK\r\n", "+OK\r\n", bulk("1"))
	if got, want := tp.take(), cmd("SELECT", "3")+cmd("SET", "a", "1"); got != want {
		t.Fatalf("SET in db 3: %q want %q", got, want)
	}
	a.send(cmd("MULTI") + cmd("SET", "b", "1") + cmd("GET", "b") + cmd("INCR", "c") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", arr("+OK\r\n", bulk("1"), ":1\r\n"))
	if got, want := tp.take(), cmd("MULTI")+cmd("SET", "b", "1")+cmd("INCR", "c")+cmd("EXEC"); got != want {
		t.Fatalf("transaction: %q want %q", got, want)
	}
	// A read-only transaction and a failed WATCH propagate nothing.
	a.send(cmd("MULTI") + cmd("GET", "b") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n", arr(bulk("1")))
	if got := tp.take(); got != "" {
		t.Fatalf("read-only transaction: %q", got)
	}
	// A served blocked client propagates the pop it did, in its database.
	w := dial(t, addr)
	w.send(cmd("SELECT", "5") + cmd("BLPOP", "l", "0"))
	w.expect("+OK\r\n")
	waitBlocked(t, s, 1)
	p := dial(t, addr)
	p.send(cmd("SELECT", "5") + cmd("RPUSH", "l", "x"))
	p.expect("+OK\r\n", ":1\r\n")
	w.expect(arr(bulk("l"), bulk("x")))
	got := tp.take()
	if !strings.HasPrefix(got, cmd("SELECT", "5")+cmd("RPUSH", "l", "x")) || !strings.Contains(got, cmd("LPOP", "l")) {
		t.Fatalf("served BLPOP: %q", got)
	}
	// Lazy expiry propagates a DEL in the key's database.
	a.send(cmd("SET", "e", "1", "PX", "20"))
	a.expect("+OK\r\n")
	tp.take()
	time.Sleep(40 * time.Millisecond)
	a.do(":0\r\n", "EXISTS", "e")
	if got := tp.take(); got != cmd("DEL", "e") { // the stream is in db 3 already
		t.Fatalf("expiry: %q", got)
	}
}

// A consumer that subscribes later starts with a SELECT: it cannot know
// which database the stream was in.
func TestCorePropagationLateConsumerSelects(t *testing.T) {
	s, addr := startServer(t)
	first := tapPropagation(s)
	a := dial(t, addr)
	a.send(cmd("SELECT", "3") + cmd("SET", "a", "1"))
	a.expect("+OK\r\n", "+OK\r\n")
	first.take()
	late := tapPropagation(s)
	a.do("+OK\r\n", "SET", "b", "2")
	if got, want := late.take(), cmd("SELECT", "3")+cmd("SET", "b", "2"); got != want {
		t.Fatalf("late consumer got %q want %q", got, want)
	}
}
