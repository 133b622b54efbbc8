package server

import (
	"fmt"
	"math"
	"math/bits"
	"net"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/glob"
)

// The introspection family: COMMAND (generated from the command table),
// TIME, LASTSAVE, ROLE, MONITOR, SLOWLOG, LATENCY, MEMORY and DEBUG.

// Error texts of the introspection family.
const (
	errInvalidCommand      = "ERR Invalid command specified"
	errInvalidCommandArity = "ERR Invalid number of arguments specified for command"
	errNoKeyArguments      = "ERR The command has no key arguments"
	errSlowlogCount        = "ERR count should be greater than or equal to -1"
	errMonitorDenyBlocking = "ERR MONITOR isn't allowed for DENY BLOCKING client"
	errDebugDisabled       = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."
	errDebugNoPersistence  = "ERR DEBUG RELOAD is not supported: this server has no RDB persistence yet"
	errNoSuchEvent         = "ERR No such latency event"
	errLatencyGraphEmpty   = "ERR No samples available for event '%s'"
)

// admin is the state the introspection commands keep beside the server's
// own: per-command latency histograms (INFO latencystats, LATENCY
// HISTOGRAM, kept in stats per command), latency monitor events (LATENCY), the memory peak and the
// samples behind instantaneous_ops_per_sec. Guarded by Server.mu, like
// everything the handlers touch.
type admin struct {
	s *Server
	// peakStale: a write ran since the memory peak was last taken.
	peakStale bool
	events    map[string]*latencyEvent
	memPeak   int64
	replID    string
	ops       opsSampler
	lastSave  time.Time
}

func (s *Server) newAdmin() *admin {
	return &admin{
		s:        s,
		events:   make(map[string]*latencyEvent),
		replID:   newRunID(),
		lastSave: s.start,
	}
}

// registerAdmin adds INFO, CONFIG, COMMAND and the other introspection
// commands; call() reports every command's duration to the admin's observe.
func (s *Server) registerAdmin() {
	a := s.newAdmin()
	a.registerInfo()
	a.registerConfig()
	a.registerIntrospection()
	s.admin = a
}

// observe records one executed command.
func (a *admin) observe(spec *command.Spec, st *cmdStats, start time.Time, dur time.Duration) {
	cfg := a.s.cfg
	if cfg.LatencyTracking {
		if st.hist == nil {
			st.hist = &latencyHistogram{}
		}
		st.hist.record(dur)
	}
	if t := cfg.LatencyMonitorThreshold; t > 0 && dur.Milliseconds() >= t {
		name := "command"
		if spec.Flags&command.Fast != 0 {
			name = "fast-command"
		}
		a.addLatencySample(name, start.Add(dur), dur.Milliseconds())
	}
	if spec.Flags&command.Write != 0 {
		// Summing every database's accounting costs as much as a small
		// command: the peak is taken once per batch (runBatch), by cron
		// and whenever it is reported.
		a.peakStale = true
	}
	a.ops.sample(start, a.s.stats.commands, a.s.stats.netInput, a.s.stats.netOutput)
}

func (a *admin) trackMemoryPeak() int64 {
	a.peakStale = false
	used := a.s.ks.UsedMemory()
	if used > a.memPeak {
		a.memPeak = used
	}
	return used
}

// latencyHistogram counts durations in log-linear buckets: 128 linear
// sub-buckets per power of two of nanoseconds, so a value read back is
// within 1% of the recorded one (as Redis' HdrHistogram with 2
// significant digits).
type latencyHistogram struct {
	counts []int64
	total  int64
}

const histSubBits = 7

func histIndex(ns int64) int {
	if ns < 1 {
		ns = 1
	}
	v := uint64(ns)
	if v < 1<<histSubBits {
		return int(v)
	}
	exp := 63 - bits.LeadingZeros64(v) - histSubBits // >= 0
	sub := int(v >> uint(exp))                       // in [128, 256)
	return (exp+1)<<histSubBits + sub - 1<<histSubBits
}

// histUpper is the highest value that lands in bucket i.
func histUpper(i int) int64 {
	if i < 1<<histSubBits {
		return int64(i)
	}
	exp := i>>histSubBits - 1
	sub := int64(i&(1<<histSubBits-1)) + 1<<histSubBits
	return (sub+1)<<uint(exp) - 1
}

func (h *latencyHistogram) record(d time.Duration) {
	i := histIndex(int64(d))
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]int64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.total++
}

// percentile is the value (ns) below or at which p percent of the
// recorded values lie.
func (h *latencyHistogram) percentile(p float64) int64 {
	if h.total == 0 {
		return 0
	}
	want := int64(math.Ceil(p / 100 * float64(h.total)))
	if want < 1 {
		want = 1
	}
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= want {
			return histUpper(i)
		}
	}
	return histUpper(len(h.counts) - 1)
}

// cumulativeByPowerOfTwo calls fn with each power-of-two microsecond
// bound (from 1) and the count of values at or below it, for the bounds
// where the count grows, as LATENCY HISTOGRAM reports.
func (h *latencyHistogram) cumulativeByPowerOfTwo(fn func(usec, count int64)) {
	var seen, last int64
	i := 0
	for bound := int64(1); seen < h.total; bound *= 2 {
		// A bucket counts under the bound its lowest value is within.
		for i < len(h.counts) && (i == 0 || histUpper(i-1) < bound*1000) {
			seen += h.counts[i]
			i++
		}
		if seen != last {
			fn(bound, seen)
			last = seen
		}
		if bound > 1<<40 {
			break
		}
	}
}

// latencyEvent is one LATENCY monitor event class: up to 160 samples,
// one per second (the maximum of that second), and the all-time maximum.
type latencyEvent struct {
	samples []latencySample
	max     int64
}

type latencySample struct {
	at      int64 // unix seconds
	latency int64 // milliseconds
}

const latencyHistoryLen = 160

func (a *admin) addLatencySample(event string, at time.Time, ms int64) {
	e := a.events[event]
	if e == nil {
		e = &latencyEvent{}
		a.events[event] = e
	}
	if ms > e.max {
		e.max = ms
	}
	sec := at.Unix()
	if n := len(e.samples); n > 0 && e.samples[n-1].at == sec {
		if ms > e.samples[n-1].latency {
			e.samples[n-1].latency = ms
		}
		return
	}
	e.samples = append(e.samples, latencySample{sec, ms})
	if len(e.samples) > latencyHistoryLen {
		e.samples = e.samples[len(e.samples)-latencyHistoryLen:]
	}
}

// opsSampler keeps the counters every 100 ms over the last 1.6 s, as
// Redis' trackInstantaneousMetric does, for the instantaneous_* fields.
type opsSampler struct {
	at   [16]time.Time
	vals [16][3]int64
	n    int
}

func (o *opsSampler) sample(now time.Time, cmds, in, out int64) {
	last := o.n - 1
	if last >= 0 && now.Sub(o.at[last%16]) < 100*time.Millisecond {
		return
	}
	o.at[o.n%16] = now
	o.vals[o.n%16] = [3]int64{cmds, in, out}
	o.n++
}

// rate is the per-second rate of counter k over the kept window, counting
// now's value.
func (o *opsSampler) rate(k int, now time.Time, cur int64) float64 {
	if o.n == 0 {
		return 0
	}
	oldest := 0
	if o.n > 16 {
		oldest = o.n - 16
	}
	// Only samples from the last 1.6 seconds count.
	for oldest < o.n-1 && now.Sub(o.at[oldest%16]) > 1600*time.Millisecond {
		oldest++
	}
	d := now.Sub(o.at[oldest%16]).Seconds()
	if d <= 0 || now.Sub(o.at[oldest%16]) > 1600*time.Millisecond {
		return 0
	}
	return float64(cur-o.vals[oldest%16][k]) / d
}

func (a *admin) registerIntrospection() {
	s := a.s
	const basic = command.NoScript | command.Loading | command.Stale
	adm := []string{"admin", "slow", "dangerous"}
	cmd := func(name string, arity int, flags command.Flags, since, summary, complexity string, acl []string, h command.Handler) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Group: "server", Since: since,
			Summary: summary, Complexity: complexity, ACL: acl, Handler: h}
	}
	help := func(name string, lines []string) *command.Spec {
		return cmd("help", 2, command.Loading|command.Stale, "6.2.0", "Returns helpful text about the different subcommands.", "O(1)", []string{"slow"},
			func(c *command.Ctx) { helpReply(c, strings.ToUpper(name), lines) })
	}
	connection := []string{"slow", "connection"}
	s.table.Add(
		&command.Spec{Name: "command", Arity: -1, Flags: command.Loading | command.Stale, Group: "server", Since: "2.8.13",
			Summary: "Returns detailed information about all commands.", Complexity: "O(N) where N is the total number of Redis commands",
			ACL: connection, Handler: a.cmdCommand,
			Sub: []*command.Spec{
				withGroup(cmd("count", 2, command.Loading|command.Stale, "2.8.13", "Returns a count of commands.", "O(1)", connection,
					func(c *command.Ctx) { c.W.Int(int64(s.table.Len())) }), "server"),
				cmd("info", -2, command.Loading|command.Stale, "2.8.13", "Returns information about one, multiple or all commands.", "O(N) where N is the number of commands to look up", connection, a.cmdCommandInfo),
				cmd("docs", -2, command.Loading|command.Stale, "7.0.0", "Returns documentary information about one, multiple or all commands.", "O(N) where N is the number of commands to look up", connection, a.cmdCommandDocs),
				cmd("list", -2, command.Loading|command.Stale, "7.0.0", "Returns a list of command names.", "O(N) where N is the total number of Redis commands", connection, a.cmdCommandList),
				cmd("getkeys", -3, command.Loading|command.Stale, "2.8.13", "Extracts the key names from an arbitrary command.", "O(N) where N is the number of arguments to the command", connection, func(c *command.Ctx) { a.cmdCommandGetKeys(c, false) }),
				cmd("getkeysandflags", -3, command.Loading|command.Stale, "7.0.0", "Extracts the key names and access flags for an arbitrary command.", "O(N) where N is the number of arguments to the command", connection, func(c *command.Ctx) { a.cmdCommandGetKeys(c, true) }),
				help("command", commandHelp),
			}},
		cmd("time", 1, command.Loading|command.Stale|command.Fast, "2.6.0", "Returns the server time.", "O(1)", []string{"fast"}, func(c *command.Ctx) {
			now := time.Now()
			c.W.Array(2)
			c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
			c.W.BulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
		}),
		cmd("lastsave", 1, command.Loading|command.Stale|command.Fast, "1.0.0", "Returns the Unix timestamp of the last successful save to disk.", "O(1)", []string{"admin", "fast", "dangerous"},
			func(c *command.Ctx) { c.W.Int(a.lastSave.Unix()) }),
		cmd("role", 1, command.NoScript|command.Loading|command.Stale|command.Fast|command.Sentinel, "2.8.12", "Returns the replication role.", "O(1)", []string{"admin", "fast", "dangerous"},
			func(c *command.Ctx) {
				c.W.Array(3)
				c.W.BulkString("master")
				c.W.Int(0) // no replication backlog: the offset does not advance
				c.W.Array(0)
			}),
		cmd("monitor", 1, command.Admin|basic, "1.0.0", "Listens for all requests received by the server in real-time.", "", adm, a.cmdMonitor),
		&command.Spec{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12", Summary: "A container for slow log commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
			Sub: []*command.Spec{
				cmd("get", -2, command.Admin|command.Loading|command.Stale, "2.2.12", "Returns the slow log's entries.", "O(N) where N is the number of entries returned", adm, a.cmdSlowlogGet),
				cmd("len", 2, command.Admin|command.Loading|command.Stale, "2.2.12", "Returns the number of entries in the slow log.", "O(1)", adm,
					func(c *command.Ctx) { c.W.Int(int64(len(s.slowlog.entries))) }),
				cmd("reset", 2, command.Admin|command.Loading|command.Stale, "2.2.12", "Clears all entries from the slow log.", "O(N) where N is the number of entries in the slowlog", adm,
					func(c *command.Ctx) { s.slowlog.entries = nil; c.W.OK() }),
				help("slowlog", slowlogHelp),
			}},
		&command.Spec{Name: "latency", Arity: -2, Group: "server", Since: "2.8.13", Summary: "A container for latency diagnostics commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
			Sub: []*command.Spec{
				cmd("latest", 2, command.Admin|basic, "2.8.13", "Returns the latest latency samples for all events.", "O(1)", adm, a.cmdLatencyLatest),
				cmd("history", 3, command.Admin|basic, "2.8.13", "Returns timestamp-latency samples for an event.", "O(1)", adm, a.cmdLatencyHistory),
				cmd("reset", -2, command.Admin|basic, "2.8.13", "Resets the latency data for one or more events.", "O(1)", adm, a.cmdLatencyReset),
				cmd("graph", 3, command.Admin|basic, "2.8.13", "Returns a latency graph for an event.", "O(1)", adm, a.cmdLatencyGraph),
				cmd("doctor", 2, command.Admin|basic, "2.8.13", "Returns a human-readable latency analysis report.", "O(1)", adm, a.cmdLatencyDoctor),
				cmd("histogram", -2, command.Admin|basic, "7.0.0", "Returns the cumulative distribution of latencies of a subset or all commands.", "O(N) where N is the number of commands with latency information being retrieved.", adm, a.cmdLatencyHistogram),
				help("latency", latencyHelp),
			}},
		&command.Spec{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0", Summary: "A container for memory diagnostics commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
			Sub: []*command.Spec{
				withKeys(cmd("usage", -3, command.ReadOnly, "4.0.0", "Estimates the memory usage of a key.", "O(N) where N is the number of samples.", []string{"read", "slow"}, a.cmdMemoryUsage)),
				cmd("stats", 2, 0, "4.0.0", "Returns details about memory usage.", "O(1)", []string{"slow"}, a.cmdMemoryStats),
				cmd("doctor", 2, 0, "4.0.0", "Outputs a memory problems report.", "O(1)", []string{"slow"}, a.cmdMemoryDoctor),
				cmd("malloc-stats", 2, 0, "4.0.0", "Returns the allocator statistics.", "Depends on how much memory is allocated, could be slow", []string{"slow"}, a.cmdMemoryMallocStats),
				cmd("purge", 2, 0, "4.0.0", "Asks the allocator to release memory.", "Depends on how much memory is allocated, could be slow", []string{"slow"},
					func(c *command.Ctx) { debug.FreeOSMemory(); c.W.OK() }),
				help("memory", memoryHelp),
			}},
		cmd("debug", -2, command.Admin|command.NoScript|command.Loading|command.Stale|command.Protected, "1.0.0", "A container for debugging commands.", "Depends on subcommand.", adm, a.cmdDebug),
	)
}

// helpReply writes a container command's HELP reply as Redis' addReplyHelp
// does. (writeHelp in cmd_pubsub.go declares one element too few and says
// "Print" for "Prints"; once it is fixed this can go.)
func helpReply(c *command.Ctx, cmd string, lines []string) {
	c.W.Array(len(lines) + 3)
	c.W.SimpleString(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.SimpleString(l)
	}
	c.W.SimpleString("HELP")
	c.W.SimpleString("    Prints this help.")
}

func withGroup(s *command.Spec, g string) *command.Spec { s.Group = g; return s }

func withKeys(s *command.Spec) *command.Spec {
	s.FirstKey, s.LastKey, s.Step = 2, 2, 1
	return s
}

var commandHelp = []string{
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
}

var slowlogHelp = []string{
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
}

var latencyHelp = []string{
	"DOCTOR",
	"    Return a human readable latency analysis report.",
	"GRAPH <event>",
	"    Return an ASCII latency graph for the <event> class.",
	"HISTORY <event>",
	"    Return time-latency samples for the <event> class.",
	"LATEST",
	"    Return the latest latency samples for all events.",
	"RESET [<event> ...]",
	"    Reset latency data of one or more <event> classes.",
	"    (default: reset all data for all event classes)",
	"HISTOGRAM [COMMAND ...]",
	"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
	"    If no commands are specified then all histograms are replied.",
}

var memoryHelp = []string{
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
}

// ---- COMMAND ----

// lookupCommandName finds "get" or "config|get".
func (a *admin) lookupCommandName(name []byte) *command.Spec {
	n := string(name)
	if i := strings.IndexByte(n, '|'); i >= 0 {
		parent := a.s.table.Lookup([]byte(n[:i]))
		if parent == nil {
			return nil
		}
		return parent.LookupSub([]byte(n[i+1:]))
	}
	return a.s.table.Lookup(name)
}

func (a *admin) cmdCommand(c *command.Ctx) {
	all := a.s.table.All()
	c.W.Array(len(all))
	for _, spec := range all {
		writeCommandInfo(c, spec)
	}
}

func (a *admin) cmdCommandInfo(c *command.Ctx) {
	if len(c.Args) == 2 {
		a.cmdCommand(c)
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		if spec := a.lookupCommandName(name); spec != nil {
			writeCommandInfo(c, spec)
		} else {
			c.W.NullArray()
		}
	}
}

// keySpecFlags are the access flags of a command's keys, derived from the
// command's flags (the table does not describe each key's access).
func keySpecFlags(spec *command.Spec) []string {
	switch {
	case spec.Flags&command.Write != 0:
		return []string{"RW", "update"}
	case spec.Flags&command.ReadOnly != 0:
		return []string{"RO", "access"}
	}
	return nil
}

func aclNames(spec *command.Spec) []string {
	out := make([]string, len(spec.ACL))
	for i, cat := range spec.ACL {
		out[i] = "@" + cat
	}
	return out
}

func commandFlags(spec *command.Spec) []string {
	f := spec.Flags
	if spec.Keys != nil {
		f |= command.MovableKeys
	}
	return f.Names()
}

// writeCommandInfo writes one COMMAND INFO entry as Redis 7.0 does: name,
// arity, flags, first key, last key, step, ACL categories, tips, key
// specifications and subcommands.
func writeCommandInfo(c *command.Ctx, spec *command.Spec) {
	c.W.Array(10)
	c.W.BulkString(spec.FullName())
	c.W.Int(int64(spec.Arity))
	flags := commandFlags(spec)
	c.W.Set(len(flags))
	for _, f := range flags {
		c.W.SimpleString(f)
	}
	c.W.Int(int64(spec.FirstKey))
	c.W.Int(int64(spec.LastKey))
	c.W.Int(int64(spec.Step))
	acl := aclNames(spec)
	c.W.Set(len(acl))
	for _, cat := range acl {
		c.W.SimpleString(cat)
	}
	c.W.Array(0) // tips
	switch {
	case spec.Keys != nil:
		c.W.Array(1)
		c.W.Map(3)
		writeKeyFlags(c, spec)
		writeKeySearch(c, "begin_search", "unknown")
		writeKeySearch(c, "find_keys", "unknown")
	case spec.FirstKey > 0:
		last := int64(spec.LastKey)
		if last >= 0 {
			last -= int64(spec.FirstKey)
		}
		step := int64(max(spec.Step, 1))
		c.W.Array(1)
		c.W.Map(3)
		writeKeyFlags(c, spec)
		writeKeySearch(c, "begin_search", "index", specField{"index", int64(spec.FirstKey)})
		writeKeySearch(c, "find_keys", "range", specField{"lastkey", last}, specField{"keystep", step}, specField{"limit", 0})
	default:
		c.W.Array(0)
	}
	c.W.Array(len(spec.Sub))
	for _, sub := range spec.Sub {
		writeCommandInfo(c, sub)
	}
}

type specField struct {
	name  string
	value int64
}

// writeKeySearch writes one part of a key specification: its type and
// the fields of its spec map.
func writeKeySearch(c *command.Ctx, part, typ string, fields ...specField) {
	c.W.BulkString(part)
	c.W.Map(2)
	c.W.BulkString("type")
	c.W.BulkString(typ)
	c.W.BulkString("spec")
	c.W.Map(len(fields))
	for _, f := range fields {
		c.W.BulkString(f.name)
		c.W.Int(f.value)
	}
}

func writeKeyFlags(c *command.Ctx, spec *command.Spec) {
	kf := keySpecFlags(spec)
	c.W.BulkString("flags")
	c.W.Set(len(kf))
	for _, f := range kf {
		c.W.SimpleString(f)
	}
}

func (a *admin) cmdCommandDocs(c *command.Ctx) {
	var specs []*command.Spec
	if len(c.Args) == 2 {
		specs = a.s.table.All()
	} else {
		for _, name := range c.Args[2:] {
			if spec := a.lookupCommandName(name); spec != nil {
				specs = append(specs, spec)
			}
		}
	}
	c.W.Map(len(specs))
	for _, spec := range specs {
		c.W.BulkString(spec.FullName())
		writeCommandDocs(c, spec)
	}
}

func writeCommandDocs(c *command.Ctx, spec *command.Spec) {
	n := 4
	if len(spec.Sub) > 0 {
		n++
	}
	c.W.Map(n)
	c.W.BulkString("summary")
	c.W.BulkString(spec.Summary)
	c.W.BulkString("since")
	c.W.BulkString(spec.Since)
	c.W.BulkString("group")
	group := spec.Group
	if group == "" && spec.Parent() != nil {
		group = spec.Parent().Group
	}
	c.W.BulkString(group)
	c.W.BulkString("complexity")
	c.W.BulkString(spec.Complexity)
	if len(spec.Sub) > 0 {
		c.W.BulkString("subcommands")
		c.W.Map(len(spec.Sub))
		for _, sub := range spec.Sub {
			c.W.BulkString(sub.FullName())
			writeCommandDocs(c, sub)
		}
	}
}

func (a *admin) cmdCommandList(c *command.Ctx) {
	var match func(spec *command.Spec) bool
	switch {
	case len(c.Args) == 2:
		match = func(*command.Spec) bool { return true }
	case len(c.Args) == 5 && strings.EqualFold(string(c.Args[2]), "filterby"):
		arg := string(c.Args[4])
		switch strings.ToLower(string(c.Args[3])) {
		case "module":
			// No modules can be loaded: no command belongs to one.
			match = func(*command.Spec) bool { return false }
		case "aclcat":
			match = func(spec *command.Spec) bool {
				for _, cat := range spec.ACL {
					if strings.EqualFold(cat, arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			match = func(spec *command.Spec) bool {
				return glob.MatchFold([]byte(arg), []byte(spec.FullName()))
			}
		default:
			c.Error(command.ErrSyntax)
			return
		}
	default:
		c.Error(command.ErrSyntax)
		return
	}
	var names []string
	for _, spec := range a.s.table.All() {
		if match(spec) {
			names = append(names, spec.FullName())
		}
		for _, sub := range spec.Sub {
			if match(sub) {
				names = append(names, sub.FullName())
			}
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
}

func (a *admin) cmdCommandGetKeys(c *command.Ctx, withFlags bool) {
	args := c.Args[2:]
	spec := a.s.table.Lookup(args[0])
	if spec == nil {
		c.Error(errInvalidCommand)
		return
	}
	if len(spec.Sub) > 0 && len(args) >= 2 {
		if sub := spec.LookupSub(args[1]); sub != nil {
			spec = sub
		}
	}
	if !spec.CheckArity(len(args)) {
		c.Error(errInvalidCommandArity)
		return
	}
	pos := spec.KeyPositions(args)
	if len(pos) == 0 {
		c.Error(errNoKeyArguments)
		return
	}
	c.W.Array(len(pos))
	kf := keySpecFlags(spec)
	for _, p := range pos {
		if !withFlags {
			c.W.Bulk(args[p])
			continue
		}
		c.W.Array(2)
		c.W.Bulk(args[p])
		c.W.Set(len(kf))
		for _, f := range kf {
			c.W.SimpleString(f)
		}
	}
}

// ---- MONITOR ----

func (a *admin) cmdMonitor(c *command.Ctx) {
	if c.InMulti {
		c.Error(errMonitorDenyBlocking)
		return
	}
	self := cl(c)
	if _, ok := a.s.monitors[self]; ok {
		c.W.OK()
		return
	}
	a.s.monitors[self] = struct{}{}
	c.W.OK()
}

// ---- SLOWLOG ----

func (a *admin) cmdSlowlogGet(c *command.Ctx) {
	count := int64(10)
	if len(c.Args) > 3 {
		c.Error(command.WrongArgs("slowlog|get"))
		return
	}
	if len(c.Args) == 3 {
		n, ok := command.ParseInt(c.Args[2])
		if !ok || n < -1 {
			c.Error(errSlowlogCount)
			return
		}
		count = n
	}
	entries := a.s.slowlog.entries
	if count >= 0 && int64(len(entries)) > count {
		entries = entries[:count]
	}
	c.W.Array(len(entries))
	for _, e := range entries {
		c.W.Array(6)
		c.W.Int(e.id)
		c.W.Int(e.at)
		c.W.Int(e.micros)
		c.W.Array(len(e.args))
		for _, arg := range e.args {
			c.W.Bulk(arg)
		}
		c.W.BulkString(e.addr)
		c.W.BulkString(e.name)
	}
}

// ---- LATENCY ----

func (a *admin) sortedEvents() []string {
	names := make([]string, 0, len(a.events))
	for n := range a.events {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (a *admin) cmdLatencyLatest(c *command.Ctx) {
	names := a.sortedEvents()
	c.W.Array(len(names))
	for _, n := range names {
		e := a.events[n]
		last := e.samples[len(e.samples)-1]
		c.W.Array(4)
		c.W.BulkString(n)
		c.W.Int(last.at)
		c.W.Int(last.latency)
		c.W.Int(e.max)
	}
}

func (a *admin) cmdLatencyHistory(c *command.Ctx) {
	e := a.events[string(c.Args[2])]
	if e == nil {
		c.W.Array(0)
		return
	}
	c.W.Array(len(e.samples))
	for _, smp := range e.samples {
		c.W.Array(2)
		c.W.Int(smp.at)
		c.W.Int(smp.latency)
	}
}

func (a *admin) cmdLatencyReset(c *command.Ctx) {
	if len(c.Args) == 2 {
		n := len(a.events)
		a.events = make(map[string]*latencyEvent)
		c.W.Int(int64(n))
		return
	}
	n := 0
	for _, ev := range c.Args[2:] {
		if _, ok := a.events[string(ev)]; ok {
			delete(a.events, string(ev))
			n++
		}
	}
	c.W.Int(int64(n))
}

// cmdLatencyGraph draws the event's samples as columns of '#' over a
// time axis, scaled between the minimum and maximum sample.
func (a *admin) cmdLatencyGraph(c *command.Ctx) {
	name := string(c.Args[2])
	e := a.events[name]
	if e == nil {
		c.Error(fmt.Sprintf(errLatencyGraphEmpty, name))
		return
	}
	const height = 4
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, smp := range e.samples {
		lo = min(lo, smp.latency)
		hi = max(hi, smp.latency)
	}
	var b strings.Builder
	last := e.samples[len(e.samples)-1]
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", name, hi, lo, e.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	now := time.Now().Unix()
	for row := height; row >= 1; row-- {
		for _, smp := range e.samples {
			level := int64(height)
			if hi > lo {
				level = 1 + (smp.latency-lo)*(height-1)/(hi-lo)
			}
			if level >= int64(row) {
				b.WriteByte('#')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	for _, smp := range e.samples {
		b.WriteByte(strconv.FormatInt(now-smp.at, 10)[0])
	}
	fmt.Fprintf(&b, "\n(each column is one sample, newest %d s ago; bottom row: first digit of its age in seconds)\n", now-last.at)
	c.W.Verbatim("txt", []byte(b.String()))
}

func (a *admin) cmdLatencyDoctor(c *command.Ctx) {
	var b strings.Builder
	if a.s.cfg.LatencyMonitorThreshold == 0 && len(a.events) == 0 {
		b.WriteString("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n")
		c.W.Verbatim("txt", []byte(b.String()))
		return
	}
	if len(a.events) == 0 {
		b.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n")
		c.W.Verbatim("txt", []byte(b.String()))
		return
	}
	b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
	for i, n := range a.sortedEvents() {
		e := a.events[n]
		var sum int64
		for _, smp := range e.samples {
			sum += smp.latency
		}
		avg := sum / int64(len(e.samples))
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %d sec). Worst all time event %dms.\n",
			i+1, n, len(e.samples), avg, meanDeviation(e.samples, avg), samplePeriod(e.samples), e.max)
	}
	b.WriteString("\nI have a few advices for you:\n\n")
	if a.s.cfg.SlowlogSlowerThan < 0 || a.s.cfg.SlowlogSlowerThan > a.s.cfg.LatencyMonitorThreshold*1000 {
		b.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
	}
	b.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
	c.W.Verbatim("txt", []byte(b.String()))
}

func meanDeviation(samples []latencySample, avg int64) int64 {
	var d int64
	for _, smp := range samples {
		x := smp.latency - avg
		if x < 0 {
			x = -x
		}
		d += x
	}
	return d / int64(len(samples))
}

func samplePeriod(samples []latencySample) int64 {
	if len(samples) < 2 {
		return 0
	}
	return (samples[len(samples)-1].at - samples[0].at) / int64(len(samples)-1)
}

func (a *admin) cmdLatencyHistogram(c *command.Ctx) {
	var specs []*command.Spec
	if len(c.Args) == 2 {
		specs = a.s.stats.histSpecs()
	} else {
		seen := map[*command.Spec]bool{}
		for _, name := range c.Args[2:] {
			spec := a.lookupCommandName(name)
			if spec == nil {
				continue
			}
			// A container command stands for its subcommands.
			list := []*command.Spec{spec}
			if len(spec.Sub) > 0 {
				list = spec.Sub
			}
			for _, sp := range list {
				if a.s.stats.hist(sp) != nil && !seen[sp] {
					seen[sp] = true
					specs = append(specs, sp)
				}
			}
		}
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].FullName() < specs[j].FullName() })
	c.W.Map(len(specs))
	for _, spec := range specs {
		h := a.s.stats.hist(spec)
		c.W.BulkString(spec.FullName())
		c.W.Map(2)
		c.W.BulkString("calls")
		c.W.Int(h.total)
		c.W.BulkString("histogram_usec")
		var bounds [][2]int64
		h.cumulativeByPowerOfTwo(func(usec, count int64) { bounds = append(bounds, [2]int64{usec, count}) })
		c.W.Map(len(bounds))
		for _, bc := range bounds {
			c.W.Int(bc[0])
			c.W.Int(bc[1])
		}
	}
}

// ---- MEMORY ----

func (a *admin) cmdMemoryUsage(c *command.Ctx) {
	if len(c.Args) > 3 {
		if len(c.Args) != 5 || !strings.EqualFold(string(c.Args[3]), "samples") {
			c.Error(command.ErrSyntax)
			return
		}
		n, ok := command.ParseInt(c.Args[4])
		if !ok {
			c.Error(command.ErrNotInt)
			return
		}
		if n < 0 {
			c.Error(command.ErrSyntax)
			return
		}
	}
	n, ok := c.DB.MemoryUsage(c.Args[2])
	if !ok {
		c.W.Null()
		return
	}
	c.W.Int(n)
}

// memorySnapshot is the memory accounting INFO memory and MEMORY STATS share.
type memorySnapshot struct {
	used, peak, dataset, overhead, clientsNormal, clientsPubSub, rss int64
	keys                                                             int64
}

func (a *admin) memoryLocked() memorySnapshot {
	m := memorySnapshot{dataset: a.trackMemoryPeak(), peak: a.memPeak, rss: processRSS()}
	for _, c := range a.s.clients {
		mem := c.memoryLocked()
		if c.subscriptionCount() > 0 {
			m.clientsPubSub += mem
		} else {
			m.clientsNormal += mem
		}
	}
	// As in Redis, used memory is the dataset plus the overhead (the clients'
	// buffers), so used_memory_overhead never exceeds used_memory.
	m.overhead = m.clientsNormal + m.clientsPubSub
	m.used = m.dataset + m.overhead
	m.peak = max(m.peak, m.used)
	for i := 0; i < a.s.ks.Len(); i++ {
		m.keys += int64(a.s.ks.DB(i).Len())
	}
	return m
}

func (a *admin) cmdMemoryStats(c *command.Ctx) {
	m := a.memoryLocked()
	type kv struct {
		k string
		v any
	}
	var dbs []int
	for i := 0; i < a.s.ks.Len(); i++ {
		if a.s.ks.DB(i).Len() > 0 {
			dbs = append(dbs, i)
		}
	}
	pct := func(x, of int64) float64 {
		if of == 0 {
			return 0
		}
		return float64(x) * 100 / float64(of)
	}
	perKey := int64(0)
	if m.keys > 0 {
		perKey = m.used / m.keys
	}
	frag := 0.0
	if m.used > 0 {
		frag = float64(m.rss) / float64(m.used)
	}
	head := []kv{
		{"peak.allocated", m.peak}, {"total.allocated", m.used}, {"startup.allocated", int64(0)},
		{"replication.backlog", int64(0)}, {"clients.slaves", int64(0)}, {"clients.normal", m.clientsNormal + m.clientsPubSub},
		{"cluster.links", int64(0)}, {"aof.buffer", int64(0)}, {"lua.caches", int64(0)}, {"functions.caches", int64(0)},
	}
	tail := []kv{
		{"overhead.total", m.overhead}, {"keys.count", m.keys}, {"keys.bytes-per-key", perKey},
		{"dataset.bytes", m.dataset}, {"dataset.percentage", pct(m.dataset, m.used)},
		{"peak.percentage", pct(m.used, m.peak)},
		{"fragmentation", frag}, {"fragmentation.bytes", m.rss - m.used},
	}
	c.W.Map(len(head) + len(dbs) + len(tail))
	write := func(e kv) {
		c.W.BulkString(e.k)
		switch v := e.v.(type) {
		case int64:
			c.W.Int(v)
		case float64:
			c.W.Double(v)
		}
	}
	for _, e := range head {
		write(e)
	}
	for _, i := range dbs {
		db := a.s.ks.DB(i)
		c.W.BulkString("db." + strconv.Itoa(i))
		c.W.Map(2)
		c.W.BulkString("overhead.hashtable.main")
		c.W.Int(int64(8 * db.Len()))
		c.W.BulkString("overhead.hashtable.expires")
		c.W.Int(int64(8 * db.ExpiresLen()))
	}
	for _, e := range tail {
		write(e)
	}
}

func (a *admin) cmdMemoryDoctor(c *command.Ctx) {
	m := a.memoryLocked()
	var text string
	switch {
	case m.used < 5<<20:
		text = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	case m.peak > 0 && float64(m.peak)/float64(m.used) > 1.5:
		text = fmt.Sprintf("Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory: In the past this instance used more than 150%% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\nI'm here to keep you safe, Sam. I want to help you.\n")
	default:
		text = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	c.W.Verbatim("txt", []byte(text))
}

func (a *admin) cmdMemoryMallocStats(c *command.Ctx) {
	c.W.Verbatim("txt", []byte("Stats not supported for the current allocator"))
}

// ---- DEBUG ----

// debugAllowed applies enable-debug-command: "yes", or "local" from a
// loopback connection.
func (a *admin) debugAllowed(self *client) bool {
	switch a.s.cfg.EnableDebugCommand {
	case "yes":
		return true
	case "local":
		host, _, err := net.SplitHostPort(self.addr)
		if err != nil {
			return false
		}
		ip := net.ParseIP(host)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// debugProtocol answers DEBUG PROTOCOL <type> with one sample of each
// reply type, as Redis does for client library tests.
func debugProtocol(c *command.Ctx, typ string) {
	w := c.W
	switch typ {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		w.Double(3.141)
	case "bignum":
		w.BigNumber("1234567999999999999999999999999999999")
	case "null":
		w.Null()
	case "array", "set":
		if typ == "set" {
			w.Set(3)
		} else {
			w.Array(3)
		}
		for j := int64(0); j < 3; j++ {
			w.Int(j)
		}
	case "map":
		w.Map(3)
		for j := int64(0); j < 3; j++ {
			w.Int(j)
			w.Bool(j == 1)
		}
	case "attrib":
		if w.Proto == 3 {
			w.Raw([]byte("|1\r\n"))
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto != 3 {
			c.Error("ERR RESP2 is not supported by this command")
			return
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true", "false":
		w.Bool(typ == "true")
	case "verbatim":
		w.Verbatim("txt", []byte("This is a verbatim\nstring"))
	default:
		c.Error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

var debugHelp = []string{
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory (not supported without persistence).",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
}

func (a *admin) cmdDebug(c *command.Ctx) {
	self := cl(c)
	if !a.debugAllowed(self) {
		c.Error(errDebugDisabled)
		return
	}
	sub := strings.ToLower(string(c.Args[1]))
	argc := len(c.Args)
	switch {
	case sub == "help" && argc == 2:
		helpReply(c, "DEBUG", debugHelp)
	case sub == "sleep" && argc == 3:
		f, ok := command.ParseFloat(c.Args[2])
		if !ok || f < 0 {
			c.Error(command.ErrNotFloat)
			return
		}
		// The whole server stops, as in Redis: the execution lock is held.
		time.Sleep(time.Duration(f * float64(time.Second)))
		c.W.OK()
	case sub == "set-active-expire" && argc == 3:
		n, ok := command.ParseInt(c.Args[2])
		if !ok {
			c.Error(command.ErrNotInt)
			return
		}
		a.s.cfg.ActiveExpireEnabled = n != 0
		c.W.OK()
	case sub == "object" && argc == 3:
		v, ok := c.DB.Peek(c.Args[2])
		if !ok {
			c.Error(command.ErrNoSuchKey)
			return
		}
		idle, _ := c.DB.IdleTime(c.Args[2])
		mem, _ := c.DB.MemoryUsage(c.Args[2])
		var lru int64
		if !a.s.ks.LFU() {
			lru = (time.Now().UnixMilli() - idle) / 1000 & (1<<24 - 1)
		}
		// There is no RDB serializer yet: serializedlength is the
		// accounted size of the value, and the address is not exposed.
		c.W.SimpleString(fmt.Sprintf("Value at:0x0 refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
			v.Encoding(), mem, lru, idle/1000))
	case sub == "log" && argc == 3:
		a.s.log.Warn("DEBUG LOG: " + string(c.Args[2]))
		c.W.OK()
	case sub == "change-repl-id" && argc == 2:
		a.replID = newRunID()
		c.W.OK()
	case sub == "protocol" && argc == 3:
		debugProtocol(c, strings.ToLower(string(c.Args[2])))
	case sub == "reload":
		c.Error(errDebugNoPersistence)
	default:
		c.Error(command.UnknownSubcommand("debug", c.Args[1]))
	}
}
