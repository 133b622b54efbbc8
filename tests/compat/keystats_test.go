package compat

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestKeyStats runs the files in keystats/ against tandem (and redis-server with
// TANDEM_COMPAT_REDIS=1): for every command of a "run" block it prints the reply, the change
// of INFO stats keyspace_hits and keyspace_misses, and the keyspace notifications received on
// PSUBSCRIBE __key*__:* while the command ran (the keymiss and new events among them).
//
//	setup                 run the commands, fail on an error reply, print nothing
//	run                   run and report each command
//	sleep ms=N            wait N milliseconds (expiry)
//
// Record from the real server with
//
//	TANDEM_COMPAT_REDIS=1 go test ./tests/compat -run 'TestKeyStats/redis' -rewrite
func TestKeyStats(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("keystats", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no keystats files: %v", err)
	}
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			for _, f := range files {
				t.Run(filepath.Base(f), func(t *testing.T) {
					runKeyStats(t, tg.start(t), f)
				})
			}
		})
	}
}

// markerChannel is published to after each command: the subscriber reads events up to it.
const markerChannel = "__keyevent@0__:marker"

func runKeyStats(t *testing.T, addr, path string) {
	mainConn, err := dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer mainConn.close()
	sub, err := dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.close()
	do := func(args ...string) reply {
		t.Helper()
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		if err := mainConn.send(b); err != nil {
			t.Fatal(err)
		}
		r, err := mainConn.read(replyTimeout)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	stats := func() (hits, misses int64) {
		t.Helper()
		r := do("INFO", "stats")
		for _, line := range strings.Split(r.str, "\r\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			n, _ := strconv.ParseInt(v, 10, 64)
			switch k {
			case "keyspace_hits":
				hits = n
			case "keyspace_misses":
				misses = n
			}
		}
		return hits, misses
	}
	if r := do("CONFIG", "SET", "notify-keyspace-events", "KEA"+"mn"); r.kind == '-' {
		t.Fatalf("CONFIG SET: %s", r.str)
	}
	// The files expect keys to expire when accessed: an active expiry
	// cycle would expire them at a moment the test does not control (seen
	// under load in CI-like runs).
	if r := do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); r.kind == '-' {
		t.Fatalf("DEBUG SET-ACTIVE-EXPIRE: %s", r.str)
	}
	if err := sub.send([][]byte{[]byte("PSUBSCRIBE"), []byte("__key*__:*")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.read(replyTimeout); err != nil {
		t.Fatal(err)
	}
	marks := 0
	// events returns the notifications published since the last call.
	events := func() []string {
		t.Helper()
		marks++
		do("PUBLISH", markerChannel, strconv.Itoa(marks))
		var out []string
		for {
			r, err := sub.read(replyTimeout)
			if err != nil {
				t.Fatalf("reading notifications: %v", err)
			}
			if len(r.elems) != 4 || r.elems[0].str != "pmessage" {
				t.Fatalf("unexpected message %s", format(r))
			}
			ch, msg := r.elems[2].str, r.elems[3].str
			if ch == markerChannel {
				if msg != strconv.Itoa(marks) {
					t.Fatalf("marker %s, want %d", msg, marks)
				}
				return out
			}
			out = append(out, ch+" "+msg)
		}
	}
	// Inside MULTI, INFO and PUBLISH would be queued: a transaction is reported as a whole
	// on its EXEC line.
	var h0, m0 int64
	inMulti := false
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		if d.Cmd == "sleep" {
			var ms int
			d.ScanArgs(t, "ms", &ms)
			time.Sleep(time.Duration(ms) * time.Millisecond)
			return ""
		}
		var out strings.Builder
		for _, args := range commands(t, d) {
			name := strings.ToUpper(string(args[0]))
			if !inMulti {
				h0, m0 = stats()
			}
			if err := mainConn.send(args); err != nil {
				t.Fatal(err)
			}
			r, err := mainConn.read(replyTimeout)
			if err != nil {
				t.Fatalf("%s: %v", d.Pos, err)
			}
			switch name {
			case "MULTI":
				inMulti = true
			case "EXEC", "DISCARD":
				inMulti = false
			}
			var ev []string
			h1, m1 := h0, m0
			if !inMulti {
				h1, m1 = stats()
				ev = events()
			}
			switch d.Cmd {
			case "setup":
				if r.kind == '-' {
					t.Fatalf("%s: %s: %s", d.Pos, args[0], r.str)
				}
			case "run":
				strs := make([]string, len(args))
				for i, a := range args {
					strs[i] = string(a)
					if strings.IndexFunc(strs[i], func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
						strs[i] = strconv.Quote(strs[i])
					}
				}
				fmt.Fprintf(&out, "%s -> %s | hits +%d misses +%d\n", strings.Join(strs, " "), oneLine(r), h1-h0, m1-m0)
				for _, e := range ev {
					fmt.Fprintf(&out, "  %s\n", e)
				}
			default:
				t.Fatalf("%s: unknown directive %q", d.Pos, d.Cmd)
			}
		}
		return out.String()
	})
}

// oneLine renders a reply on one line.
func oneLine(r reply) string {
	switch {
	case r.null:
		return "(nil)"
	case r.kind == '-':
		return "(error) " + r.str
	case r.kind == ':':
		return r.str
	case len(r.elems) > 0 || r.kind == '*' || r.kind == '%' || r.kind == '~':
		parts := make([]string, len(r.elems))
		for i, e := range r.elems {
			parts[i] = oneLine(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return strconv.Quote(r.str)
}
