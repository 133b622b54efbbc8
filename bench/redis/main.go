// Command redis-bench runs redis-benchmark against tandem and redis-server
// side by side, in interleaved rounds, and prints tandem/redis throughput
// ratios (medians), then measures memory per key for 1M short string keys
// (with and without a TTL) in both: process RSS and used_memory.
//
//	go run ./bench/redis -rounds 6
//	go run ./bench/redis -memory-collections -tandem BIN   (see memcoll.go)
//	go run ./bench/redis -null -keys 0   # adds a server doing no work: the client's ceiling
//	go run ./bench/redis -tests hset,lpush,rpush,lpop,rpop,sadd,spop,zadd,lrange_100,lrange_600
//	go run ./bench/redis -paced 2000,10000,20000   # server CPU at moderate load
//	go run ./bench/redis -cpu -keys 0   # also server CPU per request: the server's own cost,
//	                                    # which the client's ceiling does not hide
//
// Both servers listen on free loopback ports with temp dirs and no
// persistence. tandem is built from cmd/tandem (or -tandem BIN).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	rounds    = flag.Int("rounds", 6, "interleaved rounds")
	tests     = flag.String("tests", "set,get,incr,mset", "redis-benchmark -t list")
	requests  = flag.Int("n", 200000, "requests per run at -P 1 (x8 at -P 16)")
	clients   = flag.Int("c", 50, "clients")
	memKeys   = flag.Int("keys", 1000000, "keys for the memory measurement (0 to skip)")
	tandemBin = flag.String("tandem", "", "tandem binary (built from cmd/tandem when empty)")
	extra     = flag.String("tandem-args", "", "extra tandem arguments")
	skipTput  = flag.Bool("memory-only", false, "skip the throughput runs")
	withNull  = flag.Bool("null", false, "also run bench/redis/nullserver (a server doing no work): the client's ceiling")
	cpuPerReq = flag.Bool("cpu", false, "run each test on its own and also report server CPU time per request")
	pacedList = flag.String("paced", "", "comma-separated request rates: one connection at each rate, server CPU use (see paced.go)")
	pacedDur  = flag.Duration("paced-time", 2*time.Second, "length of each -paced run")
)

type server struct {
	name string
	port int
	cmd  *exec.Cmd
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func start(name string, argv []string, port int) *server {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	s := &server{name: name, port: port, cmd: cmd}
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	log.Fatalf("%s did not start", name)
	return nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

func (s *server) cli(args ...string) string {
	out, err := exec.Command("redis-cli", append([]string{"-p", strconv.Itoa(s.port)}, args...)...).Output()
	if err != nil {
		log.Fatalf("redis-cli %v on %s: %v", args, s.name, err)
	}
	return string(out)
}

func (s *server) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func (s *server) usedMemory() int64 {
	for _, line := range strings.Split(s.cli("info", "memory"), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// bench runs redis-benchmark and returns requests per second per test and, with -cpu
// (each test then runs on its own), the server's CPU nanoseconds per request.
func bench(s *server, pipeline int, random bool) (rps, cpu map[string]float64) {
	n := *requests
	if pipeline > 1 {
		n *= 8
	}
	rps = map[string]float64{}
	if !*cpuPerReq {
		runBenchmark(s, *tests, n, pipeline, random, rps)
		return rps, nil
	}
	cpu = map[string]float64{}
	for _, t := range strings.Split(*tests, ",") {
		before := s.cpuNanos()
		got := map[string]float64{}
		runBenchmark(s, t, n, pipeline, random, got)
		used := s.cpuNanos() - before
		for name, v := range got {
			rps[name] = v
			cpu[name] = float64(used) / float64(n)
		}
	}
	return rps, cpu
}

// runBenchmark runs redis-benchmark -t tests and adds its requests per second to res.
func runBenchmark(s *server, tests string, n, pipeline int, random bool, res map[string]float64) {
	args := []string{"-p", strconv.Itoa(s.port), "-t", tests, "-c", strconv.Itoa(*clients),
		"-n", strconv.Itoa(n), "-P", strconv.Itoa(pipeline), "--csv"}
	if random {
		args = append(args, "-r", "1000000")
	}
	out, err := exec.Command("redis-benchmark", args...).Output()
	if err != nil {
		log.Fatalf("redis-benchmark on %s: %v", s.name, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) < 2 {
			continue
		}
		name := strings.Trim(f[0], `"`)
		v, err := strconv.ParseFloat(strings.Trim(f[1], `"`), 64)
		if err != nil {
			continue
		}
		res[name] = v
	}
}

// cpuNanos is the CPU time all of the server's threads have used, from their schedstat
// (nanosecond resolution, user and kernel time together).
func (s *server) cpuNanos() int64 {
	dir := fmt.Sprintf("/proc/%d/task", s.cmd.Process.Pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		log.Fatalf("%s: %v", s.name, err)
	}
	var total int64
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			v, _ := strconv.ParseInt(f[0], 10, 64)
			total += v
		}
	}
	return total
}

// runKind is one redis-benchmark setting: pipeline depth and random keys (-r 1M).
type runKind struct {
	pipeline int
	random   bool
}

var runKinds = []runKind{{1, false}, {16, false}, {1, true}, {16, true}}

func (k runKind) label(test string) string {
	l := fmt.Sprintf("%s -P %d", test, k.pipeline)
	if k.random {
		l += " -r 1M"
	}
	return l
}

// printCPU prints the servers' CPU time per request (medians) and redis/tandem: above 1 means
// tandem spends less CPU on a request than redis-server.
func printCPU(cpus map[runKind]map[string]map[string][]float64, servers []*server) {
	fmt.Printf("\nserver CPU per request (ns, user+kernel, all threads), medians\n")
	fmt.Printf("%-28s %10s %10s %14s", "test", "tandem", "redis", "redis/tandem")
	if len(servers) > 2 {
		fmt.Printf(" %10s", "null")
	}
	fmt.Println()
	for _, k := range runKinds {
		for _, name := range sortedTests(cpus[k]["redis"]) {
			tv, rv := median(cpus[k]["tandem"][name]), median(cpus[k]["redis"][name])
			fmt.Printf("%-28s %10.0f %10.0f %13.2fx", k.label(name), tv, rv, rv/tv)
			if len(servers) > 2 {
				fmt.Printf(" %10.0f", median(cpus[k]["null"][name]))
			}
			fmt.Println()
		}
	}
}

// sortedTests returns the test names of one server's results in order.
func sortedTests(m map[string][]float64) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func buildTandem(dir string) string {
	if *tandemBin != "" {
		return *tandemBin
	}
	bin := filepath.Join(dir, "tandem")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tandem")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("build tandem: %v", err)
	}
	return bin
}

func main() {
	flag.Parse()
	tmp, err := os.MkdirTemp("", "redis-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bin := buildTandem(tmp)
	startBoth := func() (*server, *server) {
		tp, rp := freePort(), freePort()
		targs := []string{bin, "--port", strconv.Itoa(tp), "--mysql-port", "0", "--dir", filepath.Join(tmp, "tandem-data")}
		if *extra != "" {
			targs = append(targs, strings.Fields(*extra)...)
		}
		t := start("tandem", targs, tp)
		r := start("redis", []string{"redis-server", "--port", strconv.Itoa(rp), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", tmp}, rp)
		return t, r
	}
	if *memColl {
		memoryCollections(startBoth)
		return
	}
	if *pacedList != "" {
		pacedRates(startBoth, *pacedList, *rounds, *pacedDur)
		return
	}
	if !*skipTput {
		t, r := startBoth()
		servers := []*server{t, r}
		if *withNull {
			nbin := filepath.Join(tmp, "nullserver")
			cmd := exec.Command("go", "build", "-o", nbin, "./bench/redis/nullserver")
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				log.Fatalf("build nullserver: %v", err)
			}
			np := freePort()
			servers = append(servers, start("null", []string{nbin, "-port", strconv.Itoa(np)}, np))
		}
		results := map[runKind]map[string]map[string][]float64{} // key → server → test → rps
		cpus := map[runKind]map[string]map[string][]float64{}    // key → server → test → CPU ns per request
		for round := 0; round < *rounds; round++ {
			for _, k := range runKinds {
				if results[k] == nil {
					results[k] = map[string]map[string][]float64{}
					cpus[k] = map[string]map[string][]float64{}
					for _, s := range servers {
						results[k][s.name] = map[string][]float64{}
						cpus[k][s.name] = map[string][]float64{}
					}
				}
				// Rotate the order each round so no server always runs first.
				for i := range servers {
					s := servers[(i+round)%len(servers)]
					rps, cpu := bench(s, k.pipeline, k.random)
					for name, v := range rps {
						results[k][s.name][name] = append(results[k][s.name][name], v)
					}
					for name, v := range cpu {
						cpus[k][s.name][name] = append(cpus[k][s.name][name], v)
					}
				}
			}
			fmt.Fprintf(os.Stderr, "round %d done\n", round+1)
		}
		fmt.Printf("redis-benchmark -c %d, %d rounds interleaved, medians (requests/s)\n", *clients, *rounds)
		if *withNull {
			fmt.Printf("%-28s %12s %12s %8s %12s %10s\n", "test", "tandem", "redis", "ratio", "null", "redis/null")
		} else {
			fmt.Printf("%-28s %12s %12s %8s\n", "test", "tandem", "redis", "ratio")
		}
		for _, k := range runKinds {
			for _, name := range sortedTests(results[k]["redis"]) {
				tv, rv := median(results[k]["tandem"][name]), median(results[k]["redis"][name])
				label := k.label(name)
				ratio := 0.0
				if rv > 0 {
					ratio = tv / rv
				}
				if *withNull {
					nv := median(results[k]["null"][name])
					fmt.Printf("%-28s %12.0f %12.0f %7.2fx %12.0f %9.2fx\n", label, tv, rv, ratio, nv, rv/nv)
					continue
				}
				fmt.Printf("%-28s %12.0f %12.0f %7.2fx\n", label, tv, rv, ratio)
			}
		}
		if *cpuPerReq {
			printCPU(cpus, servers)
		}
		for _, s := range servers {
			s.stop()
		}
	}
	if *memKeys > 0 {
		fmt.Printf("\nmemory for %d keys \"key:%%07d\" = \"xxx\" (bytes per key)\n", *memKeys)
		fmt.Printf("%-10s %14s %14s %14s %14s\n", "ttl", "tandem RSS", "redis RSS", "tandem used", "redis used")
		for _, ttl := range []bool{false, true} {
			t, r := startBoth()
			var row [4]float64
			for i, s := range []*server{t, r} {
				baseRSS, baseUsed := s.rss(), s.usedMemory()
				load(s, *memKeys, ttl)
				time.Sleep(500 * time.Millisecond)
				row[i] = float64(s.rss()-baseRSS) / float64(*memKeys)
				row[i+2] = float64(s.usedMemory()-baseUsed) / float64(*memKeys)
				if got := strings.TrimSpace(s.cli("dbsize")); got != strconv.Itoa(*memKeys) {
					log.Fatalf("%s: dbsize %s after loading %d keys", s.name, got, *memKeys)
				}
			}
			fmt.Printf("%-10v %14.1f %14.1f %14.1f %14.1f   RSS ratio %.2fx\n", ttl, row[0], row[1], row[2], row[3], row[0]/row[1])
			t.stop()
			r.stop()
		}
	}
}

// load writes n keys through redis-cli --pipe.
func load(s *server, n int, ttl bool) {
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("key:%07d", i)
		if ttl {
			fmt.Fprintf(&buf, "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n$2\r\nEX\r\n$6\r\n100000\r\n", len(k), k)
		} else {
			fmt.Fprintf(&buf, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nxxx\r\n", len(k), k)
		}
	}
	cmd := exec.Command("redis-cli", "-p", strconv.Itoa(s.port), "--pipe")
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("load %s: %v: %s", s.name, err, out)
	}
}
