package server

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Config holds the KV server's configuration directives. It is changed
// only through Set (flags, config file, CONFIG SET), which validates.
type Config struct {
	mu     sync.Mutex
	values map[string]string // canonical value text of every directive

	// Typed copies read on hot paths; written by Set under mu and read
	// under the server's execution lock (Set is called under it too).
	Port                 int
	Bind                 []string
	Dir                  string
	RequirePass          string
	ProtectedMode        bool
	Databases            int
	MaxClients           int
	Timeout              int64
	ProtoMaxBulkLen      int64
	ClientQueryBufLimit  int64
	NotifyKeyspaceEvents int
	Hz                   int
	MaxMemory            int64
	MaxMemoryClients     int64 // maxmemory-clients: bytes, or a percentage of maxmemory stored negated, as Redis does
	MaxMemoryPolicy      string
	MaxMemorySamples     int
	ListCompressDepth    int
	MasterAuth           string
	MasterUser           string
	// Encoding thresholds of the collection types.
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	HLLSparseMaxBytes      int
	IOThreads              int
	SlowlogSlowerThan      int64
	SlowlogMaxLen          int64
	LFULogFactor           int
	LFUDecayTime           int
	ActiveExpireEnabled    bool
	ClientOutputLimits     [3]OutputLimit // normal, replica, pubsub
	ConfigFile             string

	LatencyTracking bool // INFO latencystats, LATENCY HISTOGRAM
	RDBCompression  bool // LZF for strings in DUMP payloads (and RDB files later)
	// SanitizeDumpPayload is kept and reported only: RESTORE always
	// validates a payload in full, as Redis does with "yes".
	SanitizeDumpPayload        string
	LatencyTrackingPercentiles []float64 // latency-tracking-info-percentiles
	LatencyMonitorThreshold    int64     // ms; 0 disables the LATENCY monitor
	EnableDebugCommand         string    // "no", "yes" or "local"
}

// OutputLimit is one class of client-output-buffer-limit.
type OutputLimit struct {
	Hard, Soft int64
	SoftSecs   int64
}

// directive describes one config directive.
type directive struct {
	name    string
	alias   string
	def     string
	set     func(c *Config, v string) error
	mutable bool // settable with CONFIG SET
	// get renders the current value as CONFIG GET and CONFIG REWRITE show
	// it (memory sizes in bytes, flags in canonical order); nil keeps the
	// text as set.
	get func(c *Config) string
	// multiArg directives take several words on a config file line.
	multiArg bool
}

var errBadValue = fmt.Errorf("argument couldn't be parsed into an integer")

func boolArg(dst *bool) func(*Config, string) error {
	return func(_ *Config, v string) error {
		switch strings.ToLower(v) {
		case "yes":
			*dst = true
		case "no":
			*dst = false
		default:
			return fmt.Errorf("argument must be 'yes' or 'no'")
		}
		return nil
	}
}

// ParseMemory parses "100mb", "1gb", "512" as Redis' memtoull does.
func ParseMemory(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	mul := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"kb", 1024}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(s, u.suf) {
			mul = u.m
			s = strings.TrimSuffix(s, u.suf)
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errBadValue
	}
	if n > math.MaxInt64/mul {
		return 0, errBadValue
	}
	return n * mul, nil
}

func intArg(dst *int, lo, hi int) func(*Config, string) error {
	return func(_ *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errBadValue
		}
		if n < lo || n > hi {
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		*dst = n
		return nil
	}
}

func int64Arg(dst *int64, lo, hi int64) func(*Config, string) error {
	return func(_ *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errBadValue
		}
		if n < lo || n > hi {
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		*dst = n
		return nil
	}
}

func memArg(dst *int64) func(*Config, string) error {
	return func(_ *Config, v string) error {
		n, err := ParseMemory(v)
		if err != nil {
			return errMemoryValue
		}
		*dst = n
		return nil
	}
}

var errMemoryValue = fmt.Errorf("argument must be a memory value")

// setMaxMemoryClients parses maxmemory-clients: a memory value, or a
// percentage of maxmemory ("10%", kept negated).
func setMaxMemoryClients(c *Config, v string) error {
	if n, err := ParseMemory(v); err == nil {
		c.MaxMemoryClients = n
		return nil
	}
	p, err := strconv.ParseInt(strings.TrimSuffix(v, "%"), 10, 64)
	if len(v) < 2 || !strings.HasSuffix(v, "%") || err != nil || p < 0 {
		return fmt.Errorf("argument must be a memory or percent value")
	}
	if p > 100 {
		return fmt.Errorf("percentage argument must be less or equal to 100")
	}
	c.MaxMemoryClients = -p
	return nil
}

func maxMemoryClientsText(c *Config) string {
	if c.MaxMemoryClients < 0 {
		return strconv.FormatInt(-c.MaxMemoryClients, 10) + "%"
	}
	return strconv.FormatInt(c.MaxMemoryClients, 10)
}

// ClientEvictionLimit is the total client memory past which clients are
// evicted, 0 when maxmemory-clients is off. As in Redis, a percentage
// applies only with a maxmemory, and the limit is never below 128 KB so a
// bad setting cannot lock everyone out.
func (c *Config) ClientEvictionLimit() int64 {
	var limit int64
	switch {
	case c.MaxMemoryClients < 0 && c.MaxMemory > 0:
		limit = int64(float64(c.MaxMemory) * float64(-c.MaxMemoryClients) / 100)
	case c.MaxMemoryClients > 0:
		limit = c.MaxMemoryClients
	default:
		return 0
	}
	return max(limit, 128*1024)
}

func boolText(b *bool) func(*Config) string {
	return func(*Config) string {
		if *b {
			return "yes"
		}
		return "no"
	}
}

func int64Text(n *int64) func(*Config) string {
	return func(*Config) string { return strconv.FormatInt(*n, 10) }
}

// clampedIntArg accepts 0..MaxInt32 and clamps it into [lo, hi], as
// Redis does for hz.
func clampedIntArg(dst *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		var n int
		if err := intArg(&n, 0, math.MaxInt32)(c, v); err != nil {
			return err
		}
		*dst = max(lo, min(hi, n))
		return nil
	}
}

func setPercentiles(c *Config, v string) error {
	var ps []float64
	for _, f := range strings.Fields(v) {
		p, err := strconv.ParseFloat(f, 64)
		if err != nil || p < 0 || p > 100 {
			return fmt.Errorf("Invalid latency-tracking-info-percentiles parameters")
		}
		ps = append(ps, p)
	}
	c.LatencyTrackingPercentiles = ps
	return nil
}

func percentilesText(c *Config) string {
	out := make([]string, len(c.LatencyTrackingPercentiles))
	for i, p := range c.LatencyTrackingPercentiles {
		out[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return strings.Join(out, " ")
}

func outputLimitsText(c *Config) string {
	var b strings.Builder
	for i, class := range []string{"normal", "slave", "pubsub"} {
		if i > 0 {
			b.WriteByte(' ')
		}
		l := c.ClientOutputLimits[i]
		fmt.Fprintf(&b, "%s %d %d %d", class, l.Hard, l.Soft, l.SoftSecs)
	}
	return b.String()
}

func (c *Config) directives() []directive {
	return []directive{
		{name: "port", def: "6379", set: intArg(&c.Port, 0, 65535)},
		{name: "bind", def: "127.0.0.1", set: func(c *Config, v string) error { c.Bind = strings.Fields(v); return nil },
			get: func(c *Config) string { return strings.Join(c.Bind, " ") }, multiArg: true},
		{name: "dir", def: "./data", set: func(c *Config, v string) error { c.Dir = v; return nil }, mutable: true},
		{name: "requirepass", def: "", set: func(c *Config, v string) error { c.RequirePass = v; return nil }, mutable: true},
		{name: "protected-mode", def: "yes", set: boolArg(&c.ProtectedMode), mutable: true, get: boolText(&c.ProtectedMode)},
		{name: "databases", def: "16", set: intArg(&c.Databases, 1, math.MaxInt32)},
		{name: "maxclients", def: "10000", set: intArg(&c.MaxClients, 1, math.MaxInt32), mutable: true},
		{name: "timeout", def: "0", set: int64Arg(&c.Timeout, 0, math.MaxInt32), mutable: true},
		{name: "proto-max-bulk-len", def: "536870912", set: func(c *Config, v string) error {
			n, err := ParseMemory(v)
			if err != nil {
				return err
			}
			if n < 1024*1024 {
				return fmt.Errorf("argument must be a memory value bigger than 1mb")
			}
			c.ProtoMaxBulkLen = n
			return nil
		}, mutable: true, get: int64Text(&c.ProtoMaxBulkLen)},
		{name: "client-query-buffer-limit", def: "1073741824", set: memArg(&c.ClientQueryBufLimit), mutable: true, get: int64Text(&c.ClientQueryBufLimit)},
		{name: "notify-keyspace-events", def: "", set: func(c *Config, v string) error {
			f, ok := parseNotifyFlags(v)
			if !ok {
				return fmt.Errorf("Invalid event class character. Use 'Ag$lshzxeKEtmd'.")
			}
			c.NotifyKeyspaceEvents = f
			return nil
		}, mutable: true, get: func(c *Config) string { return notifyFlagsString(c.NotifyKeyspaceEvents) }},
		{name: "hz", def: "10", set: clampedIntArg(&c.Hz, 1, 500), mutable: true, get: func(c *Config) string { return strconv.Itoa(c.Hz) }},
		{name: "maxmemory", def: "0", set: memArg(&c.MaxMemory), mutable: true, get: int64Text(&c.MaxMemory)},
		{name: "maxmemory-policy", def: "noeviction", set: func(c *Config, v string) error {
			v = strings.ToLower(v)
			switch v {
			case "noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu",
				"allkeys-random", "volatile-random", "volatile-ttl":
				c.MaxMemoryPolicy = v
				return nil
			}
			return fmt.Errorf("argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")
		}, mutable: true, get: func(c *Config) string { return c.MaxMemoryPolicy }},
		{name: "maxmemory-samples", def: "5", set: intArg(&c.MaxMemorySamples, 1, 64), mutable: true},
		{name: "maxmemory-clients", def: "0", set: setMaxMemoryClients, mutable: true, get: maxMemoryClientsText},
		{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", def: "128", set: intArg(&c.HashMaxListpackEntries, 0, math.MaxInt32), mutable: true},
		{name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", def: "64", set: intArg(&c.HashMaxListpackValue, 0, math.MaxInt32), mutable: true},
		{name: "list-max-listpack-size", alias: "list-max-ziplist-size", def: "-2", set: intArg(&c.ListMaxListpackSize, math.MinInt32, math.MaxInt32), mutable: true},
		{name: "set-max-intset-entries", def: "512", set: intArg(&c.SetMaxIntsetEntries, 0, math.MaxInt32), mutable: true},
		{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", def: "128", set: intArg(&c.ZSetMaxListpackEntries, 0, math.MaxInt32), mutable: true},
		{name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", def: "64", set: intArg(&c.ZSetMaxListpackValue, 0, math.MaxInt32), mutable: true},
		{name: "hll-sparse-max-bytes", def: "3000", set: intArg(&c.HLLSparseMaxBytes, 0, math.MaxInt32), mutable: true},
		{name: "io-threads", def: "1", set: intArg(&c.IOThreads, 1, 128)},
		{name: "slowlog-log-slower-than", def: "10000", set: int64Arg(&c.SlowlogSlowerThan, -1, math.MaxInt64), mutable: true},
		{name: "slowlog-max-len", def: "128", set: int64Arg(&c.SlowlogMaxLen, 0, math.MaxInt64), mutable: true},
		{name: "lfu-log-factor", def: "10", set: intArg(&c.LFULogFactor, 0, math.MaxInt32), mutable: true},
		{name: "lfu-decay-time", def: "1", set: intArg(&c.LFUDecayTime, 0, math.MaxInt32), mutable: true},
		{name: "client-output-buffer-limit", def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", set: setOutputLimits, mutable: true,
			get: outputLimitsText, multiArg: true},
		// tandem never forks into the background nor replicates (yet):
		// these directives exist with the only values that are true.
		// Persistence arrives with a later issue: until then only the
		// settings that turn it off are accepted, so a config that asks for
		// snapshots or an AOF fails loudly instead of silently losing data.
		{name: "save", def: "", set: onlyValue("", "RDB snapshots are not supported yet"), mutable: true},
		// Credentials a replica uses towards its master: stored now, used
		// once replication arrives (like Redis' on a master, they do nothing).
		{name: "masterauth", def: "", set: func(c *Config, v string) error { c.MasterAuth = v; return nil }, mutable: true},
		{name: "masteruser", def: "", set: func(c *Config, v string) error { c.MasterUser = v; return nil }, mutable: true},
		{name: "appendonly", def: "no", set: onlyValue("no", "the AOF is not supported yet"), mutable: true},
		// A memory knob only: lists behave the same compressed or not. It is
		// kept and reported, but nodes are not compressed yet (COMPATIBILITY.md).
		{name: "list-compress-depth", def: "0", set: intArg(&c.ListCompressDepth, 0, math.MaxUint16), mutable: true},
		{name: "daemonize", def: "no", set: func(_ *Config, v string) error {
			if !strings.EqualFold(v, "no") {
				return fmt.Errorf("daemonize yes is not supported: run tandem under a supervisor")
			}
			return nil
		}, get: func(*Config) string { return "no" }},
		{name: "replicaof", alias: "slaveof", def: "", set: func(_ *Config, v string) error {
			if strings.TrimSpace(v) != "" {
				return fmt.Errorf("replication is not supported")
			}
			return nil
		}},
		{name: "rdbcompression", def: "yes", set: boolArg(&c.RDBCompression), mutable: true, get: boolText(&c.RDBCompression)},
		{name: "sanitize-dump-payload", def: "no", set: enumArg(&c.SanitizeDumpPayload, "no", "yes", "clients"), mutable: true, get: func(c *Config) string { return c.SanitizeDumpPayload }},
		{name: "latency-tracking", def: "yes", set: boolArg(&c.LatencyTracking), mutable: true, get: boolText(&c.LatencyTracking)},
		{name: "latency-tracking-info-percentiles", def: "50 99 99.9", set: setPercentiles, mutable: true, get: percentilesText, multiArg: true},
		{name: "latency-monitor-threshold", def: "0", set: int64Arg(&c.LatencyMonitorThreshold, 0, math.MaxInt64), mutable: true},
		{name: "enable-debug-command", def: "no", set: enumArg(&c.EnableDebugCommand, "no", "yes", "local"), get: func(c *Config) string { return c.EnableDebugCommand }},
	}
}

// enumArg accepts one of names, case-insensitively, stored lower case.
func enumArg(dst *string, names ...string) func(*Config, string) error {
	return func(_ *Config, v string) error {
		v = strings.ToLower(v)
		for _, n := range names {
			if v == n {
				*dst = v
				return nil
			}
		}
		return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(names, ", "))
	}
}

// onlyValue accepts one value of a directive whose feature is not there yet.
func onlyValue(ok, why string) func(*Config, string) error {
	return func(_ *Config, v string) error {
		if strings.EqualFold(strings.TrimSpace(v), ok) {
			return nil
		}
		return fmt.Errorf("%s", why)
	}
}

func setOutputLimits(c *Config, v string) error {
	f := strings.Fields(v)
	if len(f)%4 != 0 || len(f) == 0 {
		return fmt.Errorf("Wrong number of arguments in buffer limit configuration.")
	}
	limits := c.ClientOutputLimits
	for i := 0; i < len(f); i += 4 {
		var class int
		switch strings.ToLower(f[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		default:
			return fmt.Errorf("Invalid client class specified in buffer limit configuration.")
		}
		hard, err1 := ParseMemory(f[i+1])
		soft, err2 := ParseMemory(f[i+2])
		secs, err3 := strconv.ParseInt(f[i+3], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || secs < 0 {
			return fmt.Errorf("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		limits[class] = OutputLimit{hard, soft, secs}
	}
	c.ClientOutputLimits = limits
	return nil
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	c := &Config{values: map[string]string{}}
	for _, d := range c.directives() {
		if err := d.set(c, d.def); err != nil {
			panic("server: bad default for " + d.name + ": " + err.Error())
		}
		c.values[d.name] = d.def
	}
	c.ActiveExpireEnabled = true
	return c
}

func (c *Config) lookup(name string) (directive, bool) {
	name = strings.ToLower(name)
	for _, d := range c.directives() {
		if d.name == name || d.alias == name {
			return d, true
		}
	}
	return directive{}, false
}

// Set validates and applies one directive. startup allows immutable ones.
func (c *Config) Set(name, value string, startup bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.lookup(name)
	if !ok {
		return fmt.Errorf("unknown directive '%s'", name)
	}
	if !startup && !d.mutable {
		return fmt.Errorf("can't set immutable config")
	}
	if err := d.set(c, value); err != nil {
		return err
	}
	if d.get != nil {
		value = d.get(c)
	}
	c.values[d.name] = value
	if d.name == "dir" {
		c.Dir = filepath.Clean(value)
	}
	return nil
}

// Get returns every directive whose name matches the glob, sorted.
func (c *Config) Get(match func(name string) bool) [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][2]string
	for _, d := range c.directives() {
		if match(d.name) {
			out = append(out, [2]string{d.name, c.values[d.name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Known reports whether name is a directive.
func (c *Config) Known(name string) bool {
	_, ok := c.lookup(name)
	return ok
}

// ParseFile applies a redis.conf-style file's directives (startup).
func (c *Config) ParseFile(text string) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := splitConfigLine(line)
		if !ok || len(args) == 0 {
			return fmt.Errorf("*** FATAL CONFIG FILE ERROR ***\nline %d: %s\nUnbalanced quotes in configuration line", i+1, line)
		}
		name := strings.ToLower(args[0])
		if name == "include" || name == "rename-command" || name == "loadmodule" {
			return fmt.Errorf("*** FATAL CONFIG FILE ERROR ***\nline %d: %s\n%s is not supported", i+1, line, name)
		}
		if err := c.Set(name, strings.Join(args[1:], " "), true); err != nil {
			return fmt.Errorf("*** FATAL CONFIG FILE ERROR ***\nline %d: %s\nBad directive or wrong number of arguments: %v", i+1, line, err)
		}
	}
	return nil
}
