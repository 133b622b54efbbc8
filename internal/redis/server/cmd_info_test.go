package server

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/redis/redistest"
)

// infoSectionsOf lists the "# Title" headers of an INFO reply.
func infoSectionsOf(info string) []string {
	var out []string
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			out = append(out, strings.ToLower(strings.TrimPrefix(line, "# ")))
		}
	}
	return out
}

func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

func TestInfoSections(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	defaults := "server clients memory persistence stats replication cpu modules errorstats cluster keyspace"
	all := "server clients memory persistence stats replication cpu modules commandstats errorstats latencystats cluster keyspace"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, defaults},
		{[]string{"default"}, defaults},
		{[]string{"all"}, all},
		{[]string{"everything"}, all},
		{[]string{"cpu"}, "cpu"},
		{[]string{"commandSTATS"}, "commandstats"},
		{[]string{"cpu", "sentinel"}, "cpu"},
		{[]string{"keyspace", "server"}, "server keyspace"},
		{[]string{"cpu", "all"}, all},
		{[]string{"nosuchsection"}, ""},
	} {
		info, err := rdb.Info(ctx, tc.args...).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(infoSectionsOf(info), " "); got != tc.want {
			t.Errorf("INFO %v sections = %q, want %q", tc.args, got, tc.want)
		}
		if strings.Count(info, "used_cpu_user_children:") > 1 {
			t.Errorf("INFO %v repeats a section", tc.args)
		}
	}
	info, _ := rdb.Info(ctx, "server").Result()
	if !strings.HasPrefix(info, "# Server\r\nredis_version:7.0.15\r\n") || !strings.HasSuffix(info, "\r\n") {
		t.Fatalf("INFO server layout:\n%q", info)
	}
	if port := infoField(info, "tcp_port"); port == "" {
		t.Fatal("no tcp_port")
	}
}

func TestInfoCountersAndKeyspace(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	if err := rdb.Set(ctx, "k", strings.Repeat("v", 1000), 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "t", "v", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	_ = rdb.Get(ctx, "k").Err()
	_ = rdb.Do(ctx, "AUTH", "x").Err() // ERR, counted as failed
	_ = rdb.Do(ctx, "NOSUCHCMD").Err() // ERR, not a command
	_ = rdb.Do(ctx, "GET").Err()       // arity: rejected
	info, err := rdb.Info(ctx, "everything").Result()
	if err != nil {
		t.Fatal(err)
	}
	if got := infoField(info, "db0"); !regexp.MustCompile(`^keys=2,expires=1,avg_ttl=\d+$`).MatchString(got) {
		t.Errorf("db0 line = %q", got)
	}
	statRE := regexp.MustCompile(`^calls=(\d+),usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=(\d+),failed_calls=(\d+)$`)
	for name, want := range map[string][3]string{"set": {"2", "0", "0"}, "get": {"1", "1", "0"}, "auth": {"1", "0", "1"}} {
		m := statRE.FindStringSubmatch(infoField(info, "cmdstat_"+name))
		if m == nil || m[1] != want[0] || m[2] != want[1] || m[3] != want[2] {
			t.Errorf("cmdstat_%s = %q, want calls/rejected/failed %v", name, infoField(info, "cmdstat_"+name), want)
		}
	}
	if got := infoField(info, "errorstat_ERR"); got != "count=3" {
		t.Errorf("errorstat_ERR = %q, want count=3", got)
	}
	if got := infoField(info, "total_error_replies"); got != "3" {
		t.Errorf("total_error_replies = %q", got)
	}
	if !regexp.MustCompile(`^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`).MatchString(infoField(info, "latency_percentiles_usec_set")) {
		t.Errorf("latencystats set = %q", infoField(info, "latency_percentiles_usec_set"))
	}
	used, _ := strconv.ParseInt(infoField(info, "used_memory"), 10, 64)
	rss, _ := strconv.ParseInt(infoField(info, "used_memory_rss"), 10, 64)
	peak, _ := strconv.ParseInt(infoField(info, "used_memory_peak"), 10, 64)
	if used < 1000 || rss < used || peak < used {
		t.Errorf("memory: used %d rss %d peak %d", used, rss, peak)
	}
	// Seven round trips came before INFO's reply was written (go-redis' HELLO,
	// two SETs, GET, AUTH, NOSUCHCMD, GET), and INFO's own read.
	reads, _ := strconv.Atoi(infoField(info, "total_reads_processed"))
	writes, _ := strconv.Atoi(infoField(info, "total_writes_processed"))
	if reads < 8 || writes < 7 || reads > 20 || writes > 20 {
		t.Errorf("total_reads_processed %d, total_writes_processed %d", reads, writes)
	}
	if got := infoField(info, "role"); got != "master" {
		t.Errorf("role = %q", got)
	}
	if got := infoField(info, "connected_clients"); got != "1" {
		t.Errorf("connected_clients = %q", got)
	}

	// CONFIG RESETSTAT clears commandstats, errorstats and latencystats.
	if err := rdb.Do(ctx, "CONFIG", "RESETSTAT").Err(); err != nil {
		t.Fatal(err)
	}
	info, _ = rdb.Info(ctx, "commandstats", "errorstats", "latencystats").Result()
	for _, gone := range []string{"cmdstat_set", "errorstat_ERR", "latency_percentiles_usec_set"} {
		if strings.Contains(info, gone) {
			t.Errorf("%s survived CONFIG RESETSTAT:\n%s", gone, info)
		}
	}

	// latency-tracking no stops new histograms; percentiles follow the config.
	rdb.ConfigSet(ctx, "latency-tracking", "no")
	rdb.Set(ctx, "a", "b", 0)
	if info, _ := rdb.Info(ctx, "latencystats").Result(); strings.Contains(info, "latency_percentiles_usec_set") {
		t.Errorf("tracked with latency-tracking no")
	}
	rdb.ConfigSet(ctx, "latency-tracking", "yes")
	rdb.ConfigSet(ctx, "latency-tracking-info-percentiles", "0 50 100")
	rdb.Set(ctx, "a", "b", 0)
	info, _ = rdb.Info(ctx, "latencystats").Result()
	if !regexp.MustCompile(`^p0=\d+\.\d{3},p50=\d+\.\d{3},p100=\d+\.\d{3}$`).MatchString(infoField(info, "latency_percentiles_usec_set")) {
		t.Errorf("custom percentiles: %q", infoField(info, "latency_percentiles_usec_set"))
	}
}

func TestLatencyHistogramPercentiles(t *testing.T) {
	var h latencyHistogram
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 500 * time.Microsecond}, {99, 990 * time.Microsecond}, {100, 1000 * time.Microsecond}, {0, time.Microsecond}} {
		got := time.Duration(h.percentile(tc.p))
		if got < tc.want || float64(got) > float64(tc.want)*1.01 {
			t.Errorf("p%v = %v, want %v within 1%%", tc.p, got, tc.want)
		}
	}
	// Bucket bounds are monotonic and every value lands at or below its bound.
	for _, ns := range []int64{1, 127, 128, 129, 255, 256, 1000, 123456789, 1 << 40} {
		i := histIndex(ns)
		if histUpper(i) < ns || (i > 0 && histUpper(i-1) >= ns) {
			t.Errorf("value %d: bucket %d spans (%d, %d]", ns, i, histUpper(i-1), histUpper(i))
		}
	}
	var cum []int64
	h.cumulativeByPowerOfTwo(func(usec, count int64) { cum = append(cum, usec, count) })
	if n := len(cum); n == 0 || cum[n-1] != 1000 || cum[0] != 1 || cum[1] != 1 {
		t.Errorf("cumulative buckets %v", cum)
	}
}

func TestInfoKeyspaceHitsMissesAndEviction(t *testing.T) {
	_, addr := startServer(t)
	ctx := context.Background()
	rdb := newClient(t, addr, 2)
	stat := func(name string) int64 {
		t.Helper()
		info, err := rdb.Info(ctx, "stats").Result()
		if err != nil {
			t.Fatal(err)
		}
		v, err := strconv.ParseInt(infoField(info, name), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	rdb.Set(ctx, "a", "1", 0)            // write: not counted
	rdb.Get(ctx, "a")                    // hit
	rdb.MGet(ctx, "a", "b", "a", "c")    // 2 hits, 2 misses
	rdb.Incr(ctx, "n")                   // write lookup: not counted
	rdb.GetDel(ctx, "n")                 // a write command that reads: hit
	rdb.Exists(ctx, "a", "zz")           // hit, miss
	rdb.Do(ctx, "MEMORY", "USAGE", "zz") // not a read lookup in Redis
	if h, m := stat("keyspace_hits"), stat("keyspace_misses"); h != 5 || m != 3 {
		t.Fatalf("hits %d misses %d, want 5 3", h, m)
	}

	// Over maxmemory with noeviction: the time over the limit runs until a
	// check finds memory under it again.
	rdb.ConfigSet(ctx, "maxmemory", "1")
	if err := rdb.Set(ctx, "big", "x", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "OOM") {
		t.Fatalf("SET over maxmemory: %v", err)
	}
	time.Sleep(30 * time.Millisecond)
	if cur := stat("current_eviction_exceeded_time"); cur < 20 {
		t.Fatalf("current_eviction_exceeded_time %d, want >= 20", cur)
	}
	rdb.ConfigSet(ctx, "maxmemory", "0")
	rdb.ConfigSet(ctx, "maxmemory", "1gb")
	rdb.Get(ctx, "a") // the check before it finds memory under the limit
	if cur, total := stat("current_eviction_exceeded_time"), stat("total_eviction_exceeded_time"); cur != 0 || total < 20 {
		t.Fatalf("after: current %d total %d", cur, total)
	}

	if err := rdb.Do(ctx, "CONFIG", "RESETSTAT").Err(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"keyspace_hits", "keyspace_misses", "total_eviction_exceeded_time",
		"expired_time_cap_reached_count", "expire_cycle_cpu_milliseconds"} {
		if v := stat(f); v != 0 {
			t.Errorf("%s = %d after CONFIG RESETSTAT", f, v)
		}
	}
}

// TestInfoFieldsMatchRedis compares the field names of every INFO section
// (but the per-command, per-error and latency lines) with redis-server's.
func TestInfoFieldsMatchRedis(t *testing.T) {
	ref := redistest.Start(t, 2)
	_, addr := startServer(t)
	ours := newClient(t, addr, 2)
	ctx := context.Background()
	fields := func(info string) map[string][]string {
		out := map[string][]string{}
		sec := ""
		for _, line := range strings.Split(info, "\r\n") {
			if title, ok := strings.CutPrefix(line, "# "); ok {
				sec = title
				out[sec] = []string{}
				continue
			}
			name, _, ok := strings.Cut(line, ":")
			if !ok || sec == "Commandstats" || sec == "Errorstats" || sec == "Latencystats" || sec == "Keyspace" {
				continue
			}
			out[sec] = append(out[sec], name)
		}
		return out
	}
	want, err := ref.Info(ctx, "everything").Result()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ours.Info(ctx, "everything").Result()
	if err != nil {
		t.Fatal(err)
	}
	// Known differences (docs/COMPATIBILITY.md): tandem adds its Go version.
	extra := map[string]bool{"go_version": true}
	missing := map[string]bool{}
	wf, gf := fields(want), fields(got)
	for sec, names := range wf {
		var w, g []string
		for _, n := range names {
			if !missing[n] {
				w = append(w, n)
			}
		}
		for _, n := range gf[sec] {
			if !extra[n] {
				g = append(g, n)
			}
		}
		if strings.Join(w, " ") != strings.Join(g, " ") {
			t.Errorf("section %s:\nredis:  %v\ntandem: %v", sec, w, g)
		}
	}
	if len(gf) != len(wf) {
		t.Errorf("sections: redis %d, tandem %d", len(wf), len(gf))
	}
}
