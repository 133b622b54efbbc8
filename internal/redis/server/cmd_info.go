package server

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// INFO: Redis 7.0's sections and field names, filled from the server's
// counters, the keyspace's accounting and the process (/proc, getrusage).

// infoSections lists the sections in output order; def marks those of
// "INFO" / "INFO default", all those of "INFO all" (everything adds the
// module-generated sections, of which there are none).
var infoSections = []struct {
	name string
	def  bool
}{
	{"server", true}, {"clients", true}, {"memory", true}, {"persistence", true}, {"stats", true},
	{"replication", true}, {"cpu", true}, {"modules", true}, {"commandstats", false},
	{"errorstats", true}, {"latencystats", false}, {"cluster", true}, {"keyspace", true},
}

func (a *admin) registerInfo() {
	a.s.table.Add(&command.Spec{Name: "info", Arity: -1, Flags: command.Loading | command.Stale | command.Sentinel,
		Group: "server", Since: "1.0.0", Summary: "Returns information and statistics about the server.",
		Complexity: "O(1)", ACL: []string{"slow", "dangerous"}, Handler: a.cmdInfo})
}

// selectInfoSections resolves INFO's arguments to the set of sections.
func selectInfoSections(args [][]byte) map[string]bool {
	want := map[string]bool{}
	add := func(all, def bool) {
		for _, s := range infoSections {
			if all || (def && s.def) {
				want[s.name] = true
			}
		}
	}
	if len(args) == 0 {
		add(false, true)
		return want
	}
	for _, a := range args {
		switch name := strings.ToLower(string(a)); name {
		case "all", "everything":
			add(true, false)
		case "default":
			add(false, true)
		default:
			want[name] = true
		}
	}
	return want
}

func (a *admin) cmdInfo(c *command.Ctx) {
	want := selectInfoSections(c.Args[1:])
	var b infoBuilder
	for _, sec := range infoSections {
		if want[sec.name] {
			a.writeInfoSection(&b, sec.name, cl(c))
		}
	}
	c.W.Verbatim("txt", b.buf)
}

// infoBuilder appends "# Section" headers and "field:value" lines
// separated by CRLF, with a blank line between sections.
type infoBuilder struct {
	buf []byte
}

func (b *infoBuilder) section(title string) {
	if len(b.buf) > 0 {
		b.buf = append(b.buf, "\r\n"...)
	}
	b.buf = append(b.buf, "# "...)
	b.buf = append(b.buf, title...)
	b.buf = append(b.buf, "\r\n"...)
}

func (b *infoBuilder) str(k, v string) {
	b.buf = append(b.buf, k...)
	b.buf = append(b.buf, ':')
	b.buf = append(b.buf, v...)
	b.buf = append(b.buf, "\r\n"...)
}

func (b *infoBuilder) int(k string, v int64) { b.str(k, strconv.FormatInt(v, 10)) }

func (b *infoBuilder) float(k string, v float64, prec int) {
	b.str(k, strconv.FormatFloat(v, 'f', prec, 64))
}

// bytesToHuman formats a byte count as Redis' bytesToHuman does.
func bytesToHuman(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	case n < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	case n < 1024*1024*1024*1024*1024:
		return fmt.Sprintf("%.2fT", f/(1024*1024*1024*1024))
	default:
		return fmt.Sprintf("%.2fP", f/(1024*1024*1024*1024*1024))
	}
}

// processRSS reads the resident set size from /proc/self/statm.
func processRSS() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

func totalSystemMemory() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

func unameString() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return runtime.GOOS
	}
	str := func(f [65]int8) string {
		b := make([]byte, 0, len(f))
		for _, ch := range f {
			if ch == 0 {
				break
			}
			b = append(b, byte(ch))
		}
		return string(b)
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

func rusageSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// formatPercentile prints a percentile as Redis' INFO latencystats names
// it: "50", "99.9".
func formatPercentile(p float64) string {
	return strconv.FormatFloat(p, 'f', -1, 64)
}

func (a *admin) writeInfoSection(b *infoBuilder, name string, self *client) {
	s := a.s
	now := time.Now()
	switch name {
	case "server":
		b.section("Server")
		b.str("redis_version", serverVersion)
		b.str("redis_git_sha1", "00000000")
		b.int("redis_git_dirty", 0)
		b.str("redis_build_id", s.runID[:16])
		b.str("redis_mode", "standalone")
		b.str("os", unameString())
		b.int("arch_bits", int64(strconv.IntSize))
		b.str("monotonic_clock", "POSIX clock_gettime")
		b.str("multiplexing_api", "epoll")
		b.str("atomicvar_api", "c11-builtin")
		b.str("gcc_version", "0.0.0")
		b.str("go_version", runtime.Version())
		b.int("process_id", int64(os.Getpid()))
		b.str("process_supervised", "no")
		b.str("run_id", s.runID)
		b.int("tcp_port", int64(s.cfg.Port))
		b.int("server_time_usec", now.UnixMicro())
		up := int64(now.Sub(s.start) / time.Second)
		b.int("uptime_in_seconds", up)
		b.int("uptime_in_days", up/86400)
		b.int("hz", int64(s.cfg.Hz))
		b.int("configured_hz", int64(s.cfg.Hz))
		b.int("lru_clock", now.Unix()&(1<<24-1))
		exe, _ := os.Executable()
		b.str("executable", exe)
		b.str("config_file", s.cfg.ConfigFile)
		b.int("io_threads_active", 0)
	case "clients":
		b.section("Clients")
		connected, maxOut, timeouts := 0, 0, 0
		for _, c := range s.clients {
			if c.closing {
				continue
			}
			connected++
			maxOut = max(maxOut, len(c.out.Buf), c.obufPeak)
			if c.blocked != nil && !c.blocked.deadline.IsZero() {
				timeouts++
			}
		}
		b.int("connected_clients", int64(connected))
		b.int("cluster_connections", 0)
		b.int("maxclients", int64(s.cfg.MaxClients))
		b.int("client_recent_max_input_buffer", int64(len(self.qbuf)))
		b.int("client_recent_max_output_buffer", int64(maxOut))
		b.int("blocked_clients", int64(s.blocking.count+len(s.paused.held)))
		b.int("tracking_clients", 0)
		b.int("clients_in_timeout_table", int64(timeouts))
	case "memory":
		m := a.memoryLocked()
		b.section("Memory")
		b.int("used_memory", m.used)
		b.str("used_memory_human", bytesToHuman(m.used))
		b.int("used_memory_rss", m.rss)
		b.str("used_memory_rss_human", bytesToHuman(m.rss))
		b.int("used_memory_peak", m.peak)
		b.str("used_memory_peak_human", bytesToHuman(m.peak))
		peakPerc := 0.0
		if m.peak > 0 {
			peakPerc = float64(m.used) * 100 / float64(m.peak)
		}
		b.str("used_memory_peak_perc", strconv.FormatFloat(peakPerc, 'f', 2, 64)+"%")
		b.int("used_memory_overhead", m.overhead)
		b.int("used_memory_startup", 0)
		b.int("used_memory_dataset", m.dataset)
		dsPerc := 0.0
		if m.used > 0 {
			dsPerc = float64(m.dataset) * 100 / float64(m.used)
		}
		b.str("used_memory_dataset_perc", strconv.FormatFloat(dsPerc, 'f', 2, 64)+"%")
		// The Go heap is the allocator: its view of allocated, in-use
		// and resident bytes.
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		allocated, active, resident := int64(ms.HeapAlloc), int64(ms.HeapInuse), int64(ms.Sys-ms.HeapReleased)
		b.int("allocator_allocated", allocated)
		b.int("allocator_active", active)
		b.int("allocator_resident", resident)
		total := totalSystemMemory()
		b.int("total_system_memory", total)
		b.str("total_system_memory_human", bytesToHuman(total))
		b.int("used_memory_lua", 0)
		b.int("used_memory_vm_eval", 0)
		b.str("used_memory_lua_human", "0B")
		b.int("used_memory_scripts_eval", 0)
		b.int("number_of_cached_scripts", 0)
		b.int("number_of_functions", 0)
		b.int("number_of_libraries", 0)
		b.int("used_memory_vm_functions", 0)
		b.int("used_memory_vm_total", 0)
		b.str("used_memory_vm_total_human", "0B")
		b.int("used_memory_functions", 0)
		b.int("used_memory_scripts", 0)
		b.str("used_memory_scripts_human", "0B")
		b.int("maxmemory", s.cfg.MaxMemory)
		b.str("maxmemory_human", bytesToHuman(s.cfg.MaxMemory))
		b.str("maxmemory_policy", s.cfg.MaxMemoryPolicy)
		ratio := func(a, b int64) float64 {
			if b <= 0 {
				return 0
			}
			return float64(a) / float64(b)
		}
		b.float("allocator_frag_ratio", ratio(active, allocated), 2)
		b.int("allocator_frag_bytes", active-allocated)
		b.float("allocator_rss_ratio", ratio(resident, active), 2)
		b.int("allocator_rss_bytes", resident-active)
		b.float("rss_overhead_ratio", ratio(m.rss, resident), 2)
		b.int("rss_overhead_bytes", m.rss-resident)
		b.float("mem_fragmentation_ratio", ratio(m.rss, m.used), 2)
		b.int("mem_fragmentation_bytes", m.rss-m.used)
		b.int("mem_not_counted_for_evict", 0)
		b.int("mem_replication_backlog", 0)
		b.int("mem_total_replication_buffers", 0)
		b.int("mem_clients_slaves", 0)
		b.int("mem_clients_normal", m.clientsNormal+m.clientsPubSub)
		b.int("mem_cluster_links", 0)
		b.int("mem_aof_buffer", 0)
		b.str("mem_allocator", "go")
		b.int("active_defrag_running", 0)
		b.int("lazyfree_pending_objects", 0)
		b.int("lazyfreed_objects", 0)
	case "persistence":
		b.section("Persistence")
		b.int("loading", 0)
		b.int("async_loading", 0)
		b.int("current_cow_peak", 0)
		b.int("current_cow_size", 0)
		b.int("current_cow_size_age", 0)
		b.str("current_fork_perc", "0.00")
		b.int("current_save_keys_processed", 0)
		b.int("current_save_keys_total", 0)
		b.int("rdb_changes_since_last_save", s.stats.dirty)
		b.int("rdb_bgsave_in_progress", 0)
		b.int("rdb_last_save_time", a.lastSave.Unix())
		b.str("rdb_last_bgsave_status", "ok")
		b.int("rdb_last_bgsave_time_sec", -1)
		b.int("rdb_current_bgsave_time_sec", -1)
		b.int("rdb_saves", 0)
		b.int("rdb_last_cow_size", 0)
		b.int("rdb_last_load_keys_expired", 0)
		b.int("rdb_last_load_keys_loaded", 0)
		b.int("aof_enabled", 0)
		b.int("aof_rewrite_in_progress", 0)
		b.int("aof_rewrite_scheduled", 0)
		b.int("aof_last_rewrite_time_sec", -1)
		b.int("aof_current_rewrite_time_sec", -1)
		b.str("aof_last_bgrewrite_status", "ok")
		b.int("aof_rewrites", 0)
		b.int("aof_rewrites_consecutive_failures", 0)
		b.str("aof_last_write_status", "ok")
		b.int("aof_last_cow_size", 0)
		b.int("module_fork_in_progress", 0)
		b.int("module_fork_last_cow_size", 0)
	case "stats":
		st := &s.stats
		b.section("Stats")
		b.int("total_connections_received", st.connections)
		b.int("total_commands_processed", st.commands)
		b.int("instantaneous_ops_per_sec", int64(a.ops.rate(0, now, st.commands)))
		b.int("total_net_input_bytes", st.netInput)
		b.int("total_net_output_bytes", st.netOutput)
		b.int("total_net_repl_input_bytes", 0)
		b.int("total_net_repl_output_bytes", 0)
		b.float("instantaneous_input_kbps", a.ops.rate(1, now, st.netInput)/1024, 2)
		b.float("instantaneous_output_kbps", a.ops.rate(2, now, st.netOutput)/1024, 2)
		b.str("instantaneous_input_repl_kbps", "0.00")
		b.str("instantaneous_output_repl_kbps", "0.00")
		b.int("rejected_connections", st.rejectedConns)
		b.int("sync_full", 0)
		b.int("sync_partial_ok", 0)
		b.int("sync_partial_err", 0)
		b.int("expired_keys", st.expiredKeys)
		exp := s.ks.ExpireStats()
		b.float("expired_stale_perc", exp.StaleRatio*100, 2)
		b.int("expired_time_cap_reached_count", exp.TimeCapReached)
		b.int("expire_cycle_cpu_milliseconds", exp.CycleTime.Milliseconds())
		b.int("evicted_keys", st.evictedKeys)
		b.int("evicted_clients", st.evictedClients)
		exceeded, current := st.evictionExceeded(now.UnixMilli())
		b.int("total_eviction_exceeded_time", exceeded)
		b.int("current_eviction_exceeded_time", current)
		hits, misses := s.ks.ReadStats()
		b.int("keyspace_hits", hits)
		b.int("keyspace_misses", misses)
		b.int("pubsub_channels", int64(len(s.pubsub.channels)))
		b.int("pubsub_patterns", int64(len(s.pubsub.patterns)))
		b.int("pubsubshard_channels", int64(len(s.pubsub.shard)))
		b.int("latest_fork_usec", 0)
		b.int("total_forks", 0)
		b.int("migrate_cached_sockets", 0)
		b.int("slave_expires_tracked_keys", 0)
		// No active defragmentation and no I/O threads: these stay 0.
		for _, f := range []string{"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
			"active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time"} {
			b.int(f, 0)
		}
		b.int("tracking_total_keys", 0)
		b.int("tracking_total_items", 0)
		b.int("tracking_total_prefixes", 0)
		b.int("unexpected_error_replies", 0)
		b.int("total_error_replies", st.totalErrors)
		b.int("dump_payload_sanitizations", 0)
		b.int("total_reads_processed", st.reads)
		b.int("total_writes_processed", st.writes)
		b.int("io_threaded_reads_processed", 0)
		b.int("io_threaded_writes_processed", 0)
		// Redis resizes each client's fixed reply buffer from clientsCron; tandem's
		// output buffers grow by append and are not resized by a cron, so none is
		// counted.
		b.int("reply_buffer_shrinks", 0)
		b.int("reply_buffer_expands", 0)
	case "replication":
		b.section("Replication")
		b.str("role", "master")
		b.int("connected_slaves", 0)
		b.str("master_failover_state", "no-failover")
		b.str("master_replid", a.replID)
		b.str("master_replid2", strings.Repeat("0", 40))
		b.int("master_repl_offset", 0) // no replication backlog yet
		b.int("second_repl_offset", -1)
		b.int("repl_backlog_active", 0)
		b.int("repl_backlog_size", 1048576)
		b.int("repl_backlog_first_byte_offset", 0)
		b.int("repl_backlog_histlen", 0)
	case "cpu":
		var self, children syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
		b.section("CPU")
		b.float("used_cpu_sys", rusageSeconds(self.Stime), 6)
		b.float("used_cpu_user", rusageSeconds(self.Utime), 6)
		b.float("used_cpu_sys_children", rusageSeconds(children.Stime), 6)
		b.float("used_cpu_user_children", rusageSeconds(children.Utime), 6)
		// Every goroutine is the "main thread": commands run on any of them.
		b.float("used_cpu_sys_main_thread", rusageSeconds(self.Stime), 6)
		b.float("used_cpu_user_main_thread", rusageSeconds(self.Utime), 6)
	case "modules":
		b.section("Modules")
	case "commandstats":
		b.section("Commandstats")
		for _, e := range a.sortedCommandStats() {
			cs := e.st
			perCall := 0.0
			if cs.calls > 0 {
				perCall = float64(cs.usec) / float64(cs.calls)
			}
			b.str("cmdstat_"+e.name, fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
				cs.calls, cs.usec, perCall, cs.rejected, cs.failed))
		}
	case "errorstats":
		b.section("Errorstats")
		codes := make([]string, 0, len(s.stats.errors))
		for code := range s.stats.errors {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			b.str("errorstat_"+code, "count="+strconv.FormatInt(s.stats.errors[code], 10))
		}
	case "latencystats":
		b.section("Latencystats")
		names := s.stats.histSpecs()
		sort.Slice(names, func(i, j int) bool { return names[i].FullName() < names[j].FullName() })
		for _, spec := range names {
			h := s.stats.hist(spec)
			var line []byte
			for i, p := range s.cfg.LatencyTrackingPercentiles {
				if i > 0 {
					line = append(line, ',')
				}
				line = append(line, 'p')
				line = append(line, formatPercentile(p)...)
				line = append(line, '=')
				line = strconv.AppendFloat(line, float64(h.percentile(p))/1000, 'f', 3, 64)
			}
			b.str("latency_percentiles_usec_"+spec.FullName(), string(line))
		}
	case "cluster":
		b.section("Cluster")
		b.int("cluster_enabled", 0)
	case "keyspace":
		b.section("Keyspace")
		for i := 0; i < s.ks.Len(); i++ {
			db := s.ks.DB(i)
			if db.Len() == 0 {
				continue
			}
			b.str("db"+strconv.Itoa(i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", db.Len(), db.ExpiresLen(), db.AvgTTL()))
		}
	}
}

type namedCmdStats struct {
	name string
	st   *cmdStats
}

func (a *admin) sortedCommandStats() []namedCmdStats {
	var out []namedCmdStats
	for _, st := range a.s.stats.perCommand {
		if st == nil || st.calls == 0 && st.rejected == 0 && st.failed == 0 {
			continue
		}
		out = append(out, namedCmdStats{st.spec.FullName(), st})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
