package command

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// collHooks records what handlers report to the server.
type collHooks struct {
	events  []string
	blocked [][]byte
}

func (h *collHooks) KeyModified(int, []byte) {}
func (h *collHooks) Notify(_ int, class byte, event string, key []byte) {
	h.events = append(h.events, fmt.Sprintf("%c:%s:%s", class, event, key))
}
func (h *collHooks) Block(_ *Ctx, keys [][]byte, _ time.Duration, _ func(w *resp.Writer)) {
	h.blocked = keys
}

// collHarness runs commands in-process against a fresh keyspace, with the families under test
// registered on their own table.
type collHarness struct {
	t     *Table
	ks    *keyspace.Keyspace
	hooks *collHooks
	ctx   Ctx
	w     resp.Writer
	ref   *bufio.ReadWriter // a real redis-server, when TANDEM_REDIS_DIFF names one
}

func newCollHarness(t *testing.T) *collHarness {
	tab := NewTable()
	h := &collHarness{t: tab, ks: keyspace.New(keyspace.Options{Now: func() int64 { return 1_700_000_000_000 }}), hooks: &collHooks{}}
	h.w.Proto = 2
	if addr := os.Getenv("TANDEM_REDIS_DIFF"); addr != "" {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		h.ref = bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))
		h.refDo(t, []string{"flushall"})
	}
	return h
}

// do runs one command and returns its reply rendered as redis-cli shows it.
func (h *collHarness) do(args []string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	h.w.Reset()
	spec := h.t.Lookup(argv[0])
	if spec == nil {
		return "(error) " + UnknownCommand(argv)
	}
	if len(spec.Sub) > 0 && len(argv) > 1 {
		if sub := spec.LookupSub(argv[1]); sub != nil {
			spec = sub
		}
	}
	if !spec.CheckArity(len(argv)) || spec.Handler == nil {
		h.w.Error(WrongArgs(spec.FullName()))
	} else {
		h.ctx.Reset(argv, spec)
		h.ctx.DB, h.ctx.KS, h.ctx.W, h.ctx.Hooks = h.ks.DB(0), h.ks, &h.w, h.hooks
		h.ctx.Set = &Settings{Collections: DefaultCollectionConfig()}
		h.ctx.Now = 1_700_000_000_000
		spec.Handler(&h.ctx)
	}
	out, _ := renderReply(bufio.NewReader(bytes.NewReader(h.w.Buf)), "")
	return out
}

func (h *collHarness) refDo(t *testing.T, args []string) string {
	fmt.Fprintf(h.ref, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(h.ref, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := h.ref.Flush(); err != nil {
		t.Fatal(err)
	}
	out, err := renderReply(h.ref.Reader, "")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// renderReply reads one RESP2 reply and renders it like redis-cli (indenting nested arrays).
func renderReply(r *bufio.Reader, indent string) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return "(error) " + line[1:], nil
	case ':':
		return "(integer) " + line[1:], nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "(nil)", nil
		}
		b := make([]byte, n+2)
		if _, err := readFullReply(r, b); err != nil {
			return "", err
		}
		return strconv.Quote(string(b[:n])), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "(nil array)", nil
		}
		if n == 0 {
			return "(empty array)", nil
		}
		var sb strings.Builder
		for i := 0; i < n; i++ {
			el, err := renderReply(r, indent+"   ")
			if err != nil {
				return "", err
			}
			if i > 0 {
				sb.WriteString("\n" + indent)
			}
			fmt.Fprintf(&sb, "%d) %s", i+1, el)
		}
		return sb.String(), nil
	}
	return "", fmt.Errorf("bad reply %q", line)
}

func readFullReply(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// runCollTranscript runs a datadriven file: "run" blocks of commands, one per line, each
// answered with its reply; "run events" also lists the keyspace notifications. With
// TANDEM_REDIS_DIFF=host:port every reply is also compared with a real redis-server's.
func runCollTranscript(t *testing.T, path string) {
	h := newCollHarness(t)
	datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
		var out strings.Builder
		for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
			argv, ok := resp.SplitArgs([]byte(line), nil)
			if !ok || len(argv) == 0 {
				continue
			}
			args := make([]string, len(argv))
			for i, a := range argv {
				args[i] = string(a)
			}
			h.hooks.events = h.hooks.events[:0]
			h.hooks.blocked = nil
			got := h.do(args)
			if h.ref != nil && h.hooks.blocked == nil { // a real server would wait
				if want := h.refDo(t, args); want != got {
					t.Errorf("%s: redis-server replied\n%s\ntandem replied\n%s", line, want, got)
				}
			}
			fmt.Fprintf(&out, "> %s\n%s\n", line, got)
			if td.HasArg("events") && len(h.hooks.events) > 0 {
				fmt.Fprintf(&out, "events: %s\n", strings.Join(h.hooks.events, " "))
			}
			if h.hooks.blocked != nil {
				fmt.Fprintf(&out, "blocked on: %q\n", h.hooks.blocked)
			}
		}
		return out.String()
	})
}

func TestHashesTranscript(t *testing.T) { runCollTranscript(t, "testdata/hashes") }

func TestHashEffects(t *testing.T) { runEffects(t, "testdata/hashes_effects") }
