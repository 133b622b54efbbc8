package command

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// effectsHooks records what handlers report beyond their reply.
type effectsHooks struct {
	log []string
}

func (h *effectsHooks) KeyModified(db int, key []byte) {
	h.log = append(h.log, fmt.Sprintf("modified db=%d %s", db, key))
}

func (h *effectsHooks) Notify(db int, class byte, event string, key []byte) {
	h.log = append(h.log, fmt.Sprintf("event db=%d %c %s %s", db, class, event, key))
}

func (h *effectsHooks) Block(c *Ctx, keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	h.log = append(h.log, "block")
}

// effectsEnv runs commands straight on the handlers with a fixed clock.
type effectsEnv struct {
	now   int64
	table *Table
	ks    *keyspace.Keyspace
	hooks *effectsHooks
	ctx   *Ctx
}

func newEffectsEnv() *effectsEnv {
	e := &effectsEnv{now: 1_700_000_000_000, table: NewTable(), hooks: &effectsHooks{}}
	e.ks = keyspace.New(keyspace.Options{Now: func() int64 { return e.now }, Seed: 1})
	settings := DefaultSettings()
	e.ctx = &Ctx{KS: e.ks, DB: e.ks.DB(0), W: &resp.Writer{Proto: 2},
		Set: &settings, Hooks: e.hooks}
	return e
}

// run executes one command line and describes the reply and every effect:
// dirty count, propagated command, notifications and modified keys.
func (e *effectsEnv) run(t *testing.T, line string) string {
	args, ok := resp.SplitArgs([]byte(line), nil)
	if !ok || len(args) == 0 {
		t.Fatalf("bad command line %q", line)
	}
	spec := e.table.Lookup(args[0])
	if spec == nil {
		t.Fatalf("unknown command %q", args[0])
	}
	if len(spec.Sub) > 0 && len(args) > 1 {
		if sub := spec.LookupSub(args[1]); sub != nil {
			spec = sub
		}
	}
	c := e.ctx
	c.W.Reset()
	e.hooks.log = e.hooks.log[:0]
	c.Reset(args, spec)
	c.Now = e.now
	if !spec.CheckArity(len(args)) {
		c.Error(WrongArgs(spec.FullName()))
	} else {
		spec.Handler(c)
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(strings.ReplaceAll(string(c.W.Buf), "\r\n", " "), " "))
	b.WriteByte('\n')
	if c.DirtyCount() > 0 {
		fmt.Fprintf(&b, "dirty=%d\n", c.DirtyCount())
	}
	if p := c.Propagated(); p != nil {
		b.WriteString("propagate:")
		for _, a := range p {
			b.WriteByte(' ')
			b.Write(a)
		}
		b.WriteByte('\n')
	}
	for _, l := range e.hooks.log {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// runEffects runs a datadriven file of commands: "do" runs each input line
// and prints its effects, "advance ms=N" moves the clock, "select db=N"
// switches database, "policy name=P" selects a maxmemory policy.
func runEffects(t *testing.T, path string) {
	e := newEffectsEnv()
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "do":
			var out strings.Builder
			for _, line := range strings.Split(d.Input, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				out.WriteString("> " + line + "\n")
				out.WriteString(e.run(t, line))
			}
			return out.String()
		case "advance":
			var ms int64
			d.ScanArgs(t, "ms", &ms)
			e.now += ms
			return ""
		case "policy":
			var name string
			d.ScanArgs(t, "name", &name)
			if err := e.ks.SetMaxmemoryPolicy(name); err != nil {
				t.Fatal(err)
			}
			return ""
		case "select":
			var db int
			d.ScanArgs(t, "db", &db)
			e.ctx.DB = e.ks.DB(db)
			return ""
		}
		t.Fatalf("unknown directive %s", d.Cmd)
		return ""
	})
}

func TestStringEffects(t *testing.T) { runEffects(t, "testdata/strings_effects") }

func TestFormatLongDoubleHuman(t *testing.T) {
	// Expected values recorded from redis-server 7.0.15 INCRBYFLOAT.
	for _, c := range []struct{ cur, incr, want string }{
		{"10.5", "0.1", "10.6"},
		{"0.1", "0.2", "0.3"},
		{"5.6", "5.0e3", "5005.60000000000000009"},
		{"5005.60000000000000009", "2.0e-1", "5005.80000000000000027"},
		{"3", "-3", "0"},
		{"0", "1.23456789012345678", "1.23456789012345678"},
		{"17179869184", "1.5", "17179869185.5"},
		{"1", "0x10", "17"},
	} {
		a, b := newLongDouble(), newLongDouble()
		if !parseLongDouble(a, []byte(c.cur)) || !parseLongDouble(b, []byte(c.incr)) {
			t.Fatalf("parse %q or %q failed", c.cur, c.incr)
		}
		if got := string(formatLongDoubleHuman(a.Add(a, b))); got != c.want {
			t.Errorf("%s + %s = %s, want %s", c.cur, c.incr, got, c.want)
		}
	}
	for _, bad := range []string{"", " 1", "1 ", "abc", "nan", "1_000", "0b101", "0o17", "1e99999"} {
		if parseLongDouble(newLongDouble(), []byte(bad)) {
			t.Errorf("parseLongDouble(%q) accepted", bad)
		}
	}
}
