package server

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestCommandFromTable(t *testing.T) {
	s, addr := startServer(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := newClient(t, addr, proto)
		if n, err := rdb.Do(ctx, "COMMAND", "COUNT").Int(); err != nil || n != s.Table().Len() {
			t.Fatalf("COMMAND COUNT = %d %v, table has %d", n, err, s.Table().Len())
		}
		// go-redis parses the whole COMMAND reply (flags, keys, ACL
		// categories, tips, key specs, subcommands).
		infos, err := rdb.Command(ctx).Result()
		if err != nil {
			t.Fatalf("RESP%d COMMAND: %v", proto, err)
		}
		if len(infos) != s.Table().Len() {
			t.Fatalf("COMMAND lists %d commands, table has %d", len(infos), s.Table().Len())
		}
		get := infos["get"]
		if get == nil || get.Arity != 2 || get.FirstKeyPos != 1 || get.LastKeyPos != 1 || get.StepCount != 1 ||
			strings.Join(get.Flags, ",") != "readonly,fast" || !strings.Contains(strings.Join(get.ACLFlags, ","), "@read") {
			t.Fatalf("RESP%d COMMAND get = %+v", proto, get)
		}
		if cfg := infos["config"]; cfg == nil || cfg.Arity != -2 {
			t.Fatalf("config = %+v", cfg)
		}
	}
	rdb := newClient(t, addr, 2)
	// COMMAND INFO of several, with a subcommand and an unknown name.
	res, err := rdb.Do(ctx, "COMMAND", "INFO", "get", "config|get", "nosuch").Slice()
	if err != nil || len(res) != 3 || res[2] != nil {
		t.Fatalf("COMMAND INFO: %v %v", res, err)
	}
	if e := res[1].([]any); e[0] != "config|get" || e[1] != int64(-3) {
		t.Fatalf("COMMAND INFO config|get = %v", e)
	}
	if e := res[0].([]any); len(e) != 10 {
		t.Fatalf("COMMAND INFO entry has %d fields, Redis 7 has 10", len(e))
	}
	// COMMAND DOCS.
	docs, err := newClient(t, addr, 3).Do(ctx, "COMMAND", "DOCS", "get", "config").Result()
	if err != nil {
		t.Fatal(err)
	}
	dm := docs.(map[any]any)
	if g := dm["get"].(map[any]any); g["group"] != "string" || g["since"] != "1.0.0" || g["summary"] == "" {
		t.Fatalf("DOCS get = %v", g)
	}
	if subs := dm["config"].(map[any]any)["subcommands"].(map[any]any); subs["config|set"] == nil {
		t.Fatalf("DOCS config subcommands = %v", subs)
	}
	// GETKEYS / GETKEYSANDFLAGS.
	keys, err := rdb.CommandGetKeys(ctx, "mset", "a", "1", "b", "2").Result()
	if err != nil || strings.Join(keys, ",") != "a,b" {
		t.Fatalf("GETKEYS mset = %v %v", keys, err)
	}
	kf, err := rdb.CommandGetKeysAndFlags(ctx, "get", "k").Result()
	if err != nil || len(kf) != 1 || kf[0].Key != "k" || strings.Join(kf[0].Flags, ",") != "RO,access" {
		t.Fatalf("GETKEYSANDFLAGS get = %+v %v", kf, err)
	}
	for want, args := range map[string][]any{
		errInvalidCommand:      {"COMMAND", "GETKEYS", "nosuch", "a"},
		errInvalidCommandArity: {"COMMAND", "GETKEYS", "get", "a", "b"},
		errNoKeyArguments:      {"COMMAND", "GETKEYS", "echo", "a"},
	} {
		if err := rdb.Do(ctx, args...).Err(); err == nil || err.Error() != want {
			t.Errorf("%v: %v", args, err)
		}
	}
	// COMMAND LIST with filters.
	names, err := rdb.CommandList(ctx, &redis.FilterBy{Pattern: "config*"}).Result()
	sort.Strings(names)
	if err != nil || strings.Join(names, ",") != "config,config|get,config|help,config|resetstat,config|rewrite,config|set" {
		t.Fatalf("LIST FILTERBY PATTERN config* = %v %v", names, err)
	}
	names, _ = rdb.CommandList(ctx, &redis.FilterBy{ACLCat: "admin"}).Result()
	if !contains(names, "config|set") || contains(names, "get") {
		t.Fatalf("LIST FILTERBY ACLCAT admin = %v", names)
	}
	if names, _ := rdb.CommandList(ctx, &redis.FilterBy{Module: "x"}).Result(); len(names) != 0 {
		t.Fatalf("LIST FILTERBY MODULE = %v", names)
	}
	all, _ := rdb.CommandList(ctx, nil).Result()
	if !contains(all, "client|kill") || !contains(all, "get") {
		t.Fatalf("COMMAND LIST lacks entries: %d names", len(all))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSlowlog(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	rdb.Do(ctx, "CLIENT", "SETNAME", "slowpoke")
	rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0")
	rdb.Do(ctx, "SLOWLOG", "RESET")
	long := strings.Repeat("A", 129)
	rdb.Set(ctx, "key", long, 0)
	args := []any{"MSET"}
	for i := 0; i < 20; i++ {
		args = append(args, "k"+strconv.Itoa(i), "v")
	}
	rdb.Do(ctx, args...)
	entries, err := rdb.SlowLogGet(ctx, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3 (SLOWLOG RESET, SET, MSET)", len(entries))
	}
	mset, set := entries[0], entries[1]
	if len(mset.Args) != 32 || mset.Args[31] != "... (10 more arguments)" {
		t.Fatalf("MSET entry args %d: last %q", len(mset.Args), mset.Args[len(mset.Args)-1])
	}
	if set.Args[2] != strings.Repeat("A", 128)+"... (1 more bytes)" || set.ClientName != "slowpoke" ||
		!strings.HasPrefix(set.ClientAddr, "127.0.0.1:") || set.ID >= mset.ID {
		t.Fatalf("SET entry %+v", set)
	}
	if n, _ := rdb.Do(ctx, "SLOWLOG", "LEN").Int(); n != 4 {
		t.Fatalf("SLOWLOG LEN = %d, want 4 (with the GET)", n)
	}
	if got, _ := rdb.SlowLogGet(ctx, 1).Result(); len(got) != 1 {
		t.Fatalf("SLOWLOG GET 1 = %d entries", len(got))
	}
	if err := rdb.Do(ctx, "SLOWLOG", "GET", -2).Err(); err == nil || err.Error() != errSlowlogCount {
		t.Fatalf("SLOWLOG GET -2: %v", err)
	}
	rdb.ConfigSet(ctx, "slowlog-max-len", "2")
	rdb.Ping(ctx)
	if n, _ := rdb.Do(ctx, "SLOWLOG", "LEN").Int(); n != 2 {
		t.Fatalf("SLOWLOG LEN with max-len 2 = %d", n)
	}
	rdb.ConfigSet(ctx, "slowlog-log-slower-than", "-1")
	rdb.Do(ctx, "SLOWLOG", "RESET")
	rdb.Ping(ctx)
	if n, _ := rdb.Do(ctx, "SLOWLOG", "LEN").Int(); n != 0 {
		t.Fatalf("SLOWLOG LEN when disabled = %d", n)
	}
}

func TestMonitor(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	mon := dial(t, addr)
	mon.send(cmd("MONITOR"))
	if got := mon.reply(); got != "+OK\r\n" {
		t.Fatalf("MONITOR = %q", got)
	}
	rdb := newClient(t, addr, 2)
	rdb.Set(ctx, "foo", "bar\n\"x\"", 0)
	rdb.Do(ctx, "CONFIG", "GET", "hz") // admin: not shown
	rdb.Ping(ctx)
	// go-redis greets with HELLO, which Redis 7.0 shows in MONITOR too.
	expectMonitorLines(t, mon, `0 "hello" "2"`, `0 "set" "foo" "bar\n\"x\""`, `0 "ping"`)
	list, _ := rdb.ClientList(ctx).Result()
	if !strings.Contains(list, "flags=O ") {
		t.Fatalf("monitor not flagged O:\n%s", list)
	}
	// MONITOR inside MULTI is refused at EXEC.
	tx := dial(t, addr)
	tx.send(cmd("MULTI") + cmd("MONITOR") + cmd("EXEC"))
	tx.reply()
	tx.reply()
	if got := tx.reply(); got != "*1\r\n-"+errMonitorDenyBlocking+"\r\n" {
		t.Fatalf("MONITOR in MULTI: %q", got)
	}
}

// expectMonitorLines reads MONITOR lines and compares "<db> <args>".
func expectMonitorLines(t *testing.T, mon *rawConn, want ...string) {
	t.Helper()
	lineRE := regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)\r\n$`)
	for i, w := range want {
		line := mon.reply()
		m := lineRE.FindStringSubmatch(line)
		if m == nil || m[1]+" "+m[2] != w {
			t.Fatalf("monitor line %d = %q, want %s", i, line, w)
		}
	}
}

func TestMonitorMultiExecOrder(t *testing.T) {
	t.Skip("needs the exec.go change in the report: Redis feeds MONITOR after the command ran, so EXEC follows its commands")
	_, addr := startServer(t)
	mon := dial(t, addr)
	mon.send(cmd("MONITOR"))
	mon.reply()
	rc := dial(t, addr)
	rc.send(cmd("multi") + cmd("set", "foo", "bar") + cmd("exec") + cmd("select", "3"))
	for i := 0; i < 4; i++ {
		rc.reply()
	}
	// SELECT shows the database it selected, as Redis feeds after running.
	expectMonitorLines(t, mon, `0 "multi"`, `0 "set" "foo" "bar"`, `0 "exec"`, `3 "select" "3"`)
}

func TestLatencyMonitorAndDebug(t *testing.T) {
	_, addr := startServer(t, "enable-debug-command", "yes")
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	if doc, _ := rdb.Do(ctx, "LATENCY", "DOCTOR").Text(); !strings.Contains(doc, "Latency monitoring is disabled") {
		t.Fatalf("DOCTOR with monitor off: %q", doc)
	}
	rdb.ConfigSet(ctx, "latency-monitor-threshold", "5")
	start := time.Now()
	if err := rdb.Do(ctx, "DEBUG", "SLEEP", "0.02").Err(); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("DEBUG SLEEP did not sleep")
	}
	latest, err := rdb.Do(ctx, "LATENCY", "LATEST").Slice()
	if err != nil || len(latest) != 1 {
		t.Fatalf("LATEST = %v %v", latest, err)
	}
	ev := latest[0].([]any)
	if ev[0] != "command" || ev[2].(int64) < 20 || ev[3].(int64) < 20 {
		t.Fatalf("LATEST event = %v", ev)
	}
	hist, _ := rdb.Do(ctx, "LATENCY", "HISTORY", "command").Slice()
	if len(hist) != 1 {
		t.Fatalf("HISTORY = %v", hist)
	}
	if doc, _ := rdb.Do(ctx, "LATENCY", "DOCTOR").Text(); !strings.Contains(doc, "1. command: 1 latency spikes") {
		t.Fatalf("DOCTOR: %q", doc)
	}
	if g, err := rdb.Do(ctx, "LATENCY", "GRAPH", "command").Text(); err != nil || !strings.HasPrefix(g, "command - high ") {
		t.Fatalf("GRAPH: %q %v", g, err)
	}
	r3 := newClient(t, addr, 3)
	h, err := r3.Do(ctx, "LATENCY", "HISTOGRAM", "debug").Result()
	if err != nil {
		t.Fatal(err)
	}
	if d := h.(map[any]any)["debug"].(map[any]any); d["calls"] != int64(1) {
		t.Fatalf("HISTOGRAM debug = %v", d)
	}
	if n, _ := rdb.Do(ctx, "LATENCY", "RESET").Int(); n != 1 {
		t.Fatalf("RESET = %d", n)
	}
	if latest, _ := rdb.Do(ctx, "LATENCY", "LATEST").Slice(); len(latest) != 0 {
		t.Fatalf("LATEST after RESET = %v", latest)
	}
	// DEBUG OBJECT, SET-ACTIVE-EXPIRE, RELOAD's typed error, unknown subcommand.
	rdb.Set(ctx, "n", "12345", 0)
	obj, err := rdb.Do(ctx, "DEBUG", "OBJECT", "n").Text()
	if err != nil || !strings.Contains(obj, "encoding:int ") {
		t.Fatalf("DEBUG OBJECT: %q %v", obj, err)
	}
	if err := rdb.Do(ctx, "DEBUG", "OBJECT", "missing").Err(); err == nil || err.Error() != "ERR no such key" {
		t.Fatalf("DEBUG OBJECT missing: %v", err)
	}
	if err := rdb.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Do(ctx, "DEBUG", "RELOAD").Err(); err == nil || err.Error() != errDebugNoPersistence {
		t.Fatalf("DEBUG RELOAD: %v", err)
	}
	if err := rdb.Do(ctx, "DEBUG", "nope").Err(); err == nil || err.Error() != "ERR unknown subcommand 'nope'. Try DEBUG HELP." {
		t.Fatalf("DEBUG nope: %v", err)
	}
}

func TestDebugDisabledByDefault(t *testing.T) {
	_, addr := startServer(t)
	rdb := newClient(t, addr, 2)
	if err := rdb.Do(context.Background(), "DEBUG", "SLEEP", "0").Err(); err == nil || err.Error() != errDebugDisabled {
		t.Fatalf("DEBUG with enable-debug-command no: %v", err)
	}
}

func TestMemoryAndServerInfoCommands(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	rdb.Set(ctx, "k", strings.Repeat("x", 500), 0)
	if n, err := rdb.MemoryUsage(ctx, "k").Result(); err != nil || n < 500 {
		t.Fatalf("MEMORY USAGE k = %d %v", n, err)
	}
	if err := rdb.Do(ctx, "MEMORY", "USAGE", "missing").Err(); err != redis.Nil {
		t.Fatalf("MEMORY USAGE missing: %v", err)
	}
	if err := rdb.Do(ctx, "MEMORY", "USAGE", "k", "SAMPLES", "x").Err(); err == nil {
		t.Fatal("SAMPLES x accepted")
	}
	stats, err := newClient(t, addr, 3).Do(ctx, "MEMORY", "STATS").Result()
	if err != nil {
		t.Fatal(err)
	}
	sm := stats.(map[any]any)
	if sm["keys.count"] != int64(1) || sm["db.0"] == nil || sm["dataset.bytes"].(int64) < 500 {
		t.Fatalf("MEMORY STATS = %v", sm)
	}
	if err := rdb.Do(ctx, "MEMORY", "PURGE").Err(); err != nil {
		t.Fatal(err)
	}
	tm, err := rdb.Time(ctx).Result()
	if err != nil || time.Since(tm).Abs() > 5*time.Second {
		t.Fatalf("TIME = %v %v", tm, err)
	}
	role, err := rdb.Do(ctx, "ROLE").Slice()
	if err != nil || len(role) != 3 || role[0] != "master" || role[1] != int64(0) {
		t.Fatalf("ROLE = %v %v", role, err)
	}
	last, err := rdb.LastSave(ctx).Result()
	if err != nil || last <= 0 || last > time.Now().Unix() {
		t.Fatalf("LASTSAVE = %d %v", last, err)
	}
}

func TestDebugProtocol(t *testing.T) {
	_, addr := startServer(t, "enable-debug-command", "local")
	rc := dial(t, addr)
	for _, tc := range []struct{ typ, resp2, resp3 string }{
		{"bignum", "$37\r\n1234567999999999999999999999999999999\r\n", "(1234567999999999999999999999999999999\r\n"},
		{"double", "$5\r\n3.141\r\n", ",3.141\r\n"},
		{"map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
		{"attrib", "$39\r\nSome real reply following the attribute\r\n", "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"},
		{"push", "-ERR RESP2 is not supported by this command\r\n", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n"},
	} {
		for _, proto := range []string{"2", "3"} {
			rc.send(cmd("HELLO", proto))
			rc.reply()
			rc.send(cmd("DEBUG", "PROTOCOL", tc.typ) + cmd("PING"))
			var got string
			for {
				r := rc.reply()
				if r == "+PONG\r\n" {
					break
				}
				got += r
			}
			want := tc.resp2
			if proto == "3" {
				want = tc.resp3
			}
			if got != want {
				t.Errorf("DEBUG PROTOCOL %s in RESP%s = %q, want %q", tc.typ, proto, got, want)
			}
		}
	}
}

// COMMAND INFO marks movablekeys where Redis 7.0 does (keys found by
// parsing the arguments, or derived from data as SORT_RO's BY/GET), and
// only there (Redis' introspection-2 unit).
func TestCommandInfoMovableKeys(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	flags := func(name string) string {
		rc.send(cmd("COMMAND", "INFO", name))
		info := rc.reply()
		// The third element is the flag set, between the arity and the
		// first key (the first two integers of the entry).
		i := strings.Index(info, "\r\n:") + 3
		return info[i : i+strings.Index(info[i:], "\r\n:")]
	}
	for _, name := range []string{"ZUNIONSTORE", "SORT", "SORT_RO", "GEORADIUS", "LMPOP", "SINTERCARD"} {
		if !strings.Contains(flags(name), "movablekeys") {
			t.Errorf("%s not marked movablekeys", name)
		}
	}
	for _, name := range []string{"SET", "GET", "MSET", "BITFIELD", "LMOVE", "LPOP", "BLPOP", "PING", "MEMORY", "MEMORY|USAGE", "RENAME", "GEORADIUS_RO"} {
		if strings.Contains(flags(name), "movablekeys") {
			t.Errorf("%s marked movablekeys", name)
		}
	}
}
