package keyspace

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// TestDataDriven runs the scripts in testdata/: each command acts on the keyspace with an
// injected clock and prints its result followed by the hooks it caused. Orders that depend on
// the hash seed (SCAN, RANDOMKEY, eviction) are not printed.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		clk := &testClock{ms: 1_700_000_000_000}
		ks := New(Options{Databases: 4, Now: clk.now, Seed: 1})
		var hooks []string
		ks.SetHooks(func(db int, key []byte) {
			hooks = append(hooks, fmt.Sprintf("expired db=%d %s", db, key))
		}, func(db int, key []byte) {
			hooks = append(hooks, fmt.Sprintf("evicted db=%d %s", db, key))
		})
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			hooks = hooks[:0]
			out := runScript(t, ks, clk, d)
			sort.Strings(hooks) // active expiry samples in random order
			for _, h := range hooks {
				out += h + "\n"
			}
			if err := ks.Check(); err != nil {
				t.Fatalf("%s: %v", d.Pos, err)
			}
			ks.CommandDone()
			return out
		})
	})
}

func runScript(t *testing.T, ks *Keyspace, clk *testClock, d *datadriven.TestData) string {
	arg := func(name string) string {
		var s string
		if d.HasArg(name) {
			d.ScanArgs(t, name, &s)
		}
		return s
	}
	num := func(name string) int64 {
		var n int64
		if d.HasArg(name) {
			d.ScanArgs(t, name, &n)
		}
		return n
	}
	db := ks.DB(int(num("db")))
	key := []byte(arg("key"))
	describe := func(v Value, ok bool) string {
		if !ok {
			return "(absent)\n"
		}
		s := v.Type.String() + " " + v.Encoding()
		switch {
		case v.Type == TypeString:
			s += fmt.Sprintf(" %q", v.Str)
		case v.Inline != nil:
			s += fmt.Sprintf(" inline %q", v.Inline)
		default:
			s += fmt.Sprintf(" size=%d", v.Obj.MemoryUsage())
		}
		if v.ExpireAt != 0 {
			s += fmt.Sprintf(" ttl=%d", v.ExpireAt-clk.ms)
		}
		return s + "\n"
	}
	ttl := func() int64 {
		if d.HasArg("px") {
			return clk.ms + num("px")
		}
		return 0
	}
	switch d.Cmd {
	case "set":
		val := []byte(arg("val"))
		if d.HasArg("raw") {
			db.SetStringRaw(key, val, ttl(), d.HasArg("keepttl"))
		} else {
			db.SetString(key, val, ttl(), d.HasArg("keepttl"))
		}
		return "ok\n"
	case "setobj":
		types := map[string]Type{"list": TypeList, "set": TypeSet, "zset": TypeZSet, "hash": TypeHash, "stream": TypeStream}
		db.SetObject(key, &testObj{typ: types[arg("type")], size: int(num("size"))})
		return "ok\n"
	case "setinl", "replace":
		// An Inliner holding val: stored inline unless "no" (then an Object).
		o := &testInl{typ: TypeHash, b: []byte(arg("val")), no: d.HasArg("no")}
		if d.Cmd == "replace" {
			db.ReplaceObject(key, o)
		} else {
			db.SetObject(key, o)
		}
		return "ok\n"
	case "usage":
		n, ok := db.MemoryUsage(key)
		return fmt.Sprintln(n, ok)
	case "memory":
		m := ks.MemoryStats()
		return fmt.Sprintf("keys=%d entries=%d objects=%d used=%d\n", m.Keys, m.Entries, m.Objects, m.Used)
	case "get":
		return describe(db.Lookup(key))
	case "peek":
		return describe(db.Peek(key))
	case "del":
		return fmt.Sprintln(db.Delete(key))
	case "expire":
		return fmt.Sprintln(db.SetExpire(key, ttl()))
	case "persist":
		return fmt.Sprintln(db.Persist(key))
	case "rename":
		return fmt.Sprintln(db.Rename(key, []byte(arg("to"))))
	case "advance":
		clk.ms += num("ms")
		return "ok\n"
	case "active-expire":
		return fmt.Sprintf("expired %d\n", ks.ActiveExpireCycle(time.Second))
	case "dbsize":
		return fmt.Sprintf("keys=%d expires=%d\n", db.Len(), db.ExpiresLen())
	case "keys":
		var keys []string
		db.ForEach(func(k []byte, v Value) bool {
			keys = append(keys, string(k))
			return true
		})
		if len(keys) == 0 {
			return "(empty)\n"
		}
		sort.Strings(keys)
		return strings.Join(keys, " ") + "\n"
	case "swap":
		ks.Swap(int(num("a")), int(num("b")))
		return "ok\n"
	case "flush":
		db.Flush()
		return "ok\n"
	case "flushall":
		ks.FlushAll()
		return "ok\n"
	case "policy":
		if err := ks.SetMaxmemoryPolicy(arg("name")); err != nil {
			return err.Error() + "\n"
		}
		return fmt.Sprintf("lfu=%v\n", ks.LFU())
	case "idle":
		ms, ok := db.IdleTime(key)
		return fmt.Sprintln(ms, ok)
	case "freq":
		f, ok := db.Freq(key)
		return fmt.Sprintln(f, ok)
	case "touch":
		for range num("times") {
			db.Lookup(key)
		}
		return "ok\n"
	case "evict":
		freed, err := ks.Evict(num("need"))
		return fmt.Sprintf("enough=%v err=%v\n", freed >= num("need"), err)
	}
	t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
	return ""
}
