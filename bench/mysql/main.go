// Command mysql-bench runs sysbench's OLTP workloads against tandem and
// mariadbd side by side and prints tandem/MariaDB throughput ratios (medians
// of interleaved rounds) with the disk work per transaction that each
// server reports in SHOW GLOBAL STATUS.
//
//	go run ./bench/mysql -rounds 3 -time 20
//
// Both servers get a 1 GB buffer pool, loopback ports and temp dirs; the
// same data (4 tables × 100k rows) is prepared in each. tandem is built from
// cmd/tandem (or -tandem BIN); mariadbd is started by mariadbd.sh next to
// this file.
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

var (
	rounds     = flag.Int("rounds", 3, "interleaved rounds per workload")
	runTime    = flag.Int("time", 20, "seconds per sysbench run")
	threads    = flag.Int("threads", 8, "sysbench threads")
	tables     = flag.Int("tables", 4, "sysbench tables")
	tableSize  = flag.Int("table-size", 100000, "rows per table")
	pool       = flag.String("buffer-pool", "1G", "buffer pool size of both servers")
	tandemBin  = flag.String("tandem", "", "tandem binary (built from cmd/tandem when empty)")
	tandemAddr = flag.String("tandem-addr", "", "use an already running tandem at host:port")
	mariaAddr  = flag.String("mariadb-addr", "", "use an already running mariadbd at host:port")
	workloads  = flag.String("workloads", "oltp_point_select,oltp_read_only,oltp_insert,oltp_update_index,oltp_read_write", "sysbench workloads")
)

// counters are the SHOW GLOBAL STATUS variables reported per transaction.
var counters = []string{"Innodb_buffer_pool_reads", "Innodb_pages_written", "Innodb_data_fsyncs", "Innodb_os_log_fsyncs"}

type server struct {
	name string
	addr string
	stop func()
}

type sample struct {
	tps    float64
	txns   float64
	deltas map[string]float64
}

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	work, err := os.MkdirTemp("", "tandem-bench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	tandem := startTandem(work)
	defer tandem.stop()
	maria := startMariaDB()
	defer maria.stop()
	servers := []*server{tandem, maria}

	for _, s := range servers {
		prepare(s)
	}
	results := map[string]map[string][]sample{}
	failed := map[string]bool{}
	names := strings.Split(*workloads, ",")
	for round := 1; round <= *rounds; round++ {
		for _, w := range names {
			for _, s := range servers {
				smp, err := run(s, w)
				if err != nil {
					// Recorded as a failed run; the other workloads go on.
					log.Printf("round %d %-18s %-7s FAILED: %v", round, w, s.name, err)
					failed[w+" "+s.name] = true
					continue
				}
				if results[w] == nil {
					results[w] = map[string][]sample{}
				}
				results[w][s.name] = append(results[w][s.name], smp)
				log.Printf("round %d %-18s %-7s %10.1f tps", round, w, s.name, smp.tps)
			}
		}
	}
	report(names, results, failed)
}

func report(names []string, results map[string]map[string][]sample, failed map[string]bool) {
	fmt.Printf("\n%d threads, %d tables × %d rows, buffer pool %s, %d rounds × %d s (medians)\n\n",
		*threads, *tables, *tableSize, *pool, *rounds, *runTime)
	fmt.Printf("%-18s %12s %12s %7s   %s\n", "workload", "tandem tps", "mariadb tps", "ratio", "per transaction: reads/writes/data fsyncs/log fsyncs (tandem | mariadb)")
	for _, w := range names {
		t, m := results[w]["tandem"], results[w]["mariadb"]
		tt, mt := median(t, func(s sample) float64 { return s.tps }), median(m, func(s sample) float64 { return s.tps })
		ratio := 0.0
		if mt > 0 {
			ratio = tt / mt
		}
		note := ""
		for _, name := range []string{"tandem", "mariadb"} {
			if failed[w+" "+name] {
				note += " (" + name + " failed in some rounds)"
			}
		}
		fmt.Printf("%-18s %12.1f %12.1f %6.2fx   %s | %s%s\n", w, tt, mt, ratio, perTxn(t), perTxn(m), note)
	}
}

func perTxn(samples []sample) string {
	var parts []string
	for _, c := range counters {
		v := median(samples, func(s sample) float64 {
			if s.txns == 0 {
				return 0
			}
			return s.deltas[c] / s.txns
		})
		parts = append(parts, strconv.FormatFloat(v, 'f', 2, 64))
	}
	return strings.Join(parts, "/")
}

func median(samples []sample, f func(sample) float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startTandem(work string) *server {
	if *tandemAddr != "" {
		return &server{name: "tandem", addr: *tandemAddr, stop: func() {}}
	}
	if *tandemBin != "" {
		s, err := launchTandem(work, *tandemBin)
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	// cmd/tandem, or while it does not build or serve SQL yet, the
	// test-only main with the same SQL server and engine.
	var errs []string
	for _, pkg := range []string{"cmd/tandem", "tests/crash/mysqlserverd"} {
		bin := filepath.Join(work, filepath.Base(pkg))
		out, err := exec.Command("go", "build", "-o", bin, "github.com/tandem-db/tandem/"+pkg).CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Sprintf("go build %s: %v\n%s", pkg, err, out))
			continue
		}
		s, err := launchTandem(work, bin)
		if err == nil {
			log.Printf("tandem: %s", pkg)
			return s
		}
		errs = append(errs, err.Error())
	}
	log.Fatal(strings.Join(errs, "\n"))
	return nil
}

func launchTandem(work, bin string) (*server, error) {
	port := freePort()
	dataDir, err := os.MkdirTemp(work, "tandem-data-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--port", "0", "--mysql-port", strconv.Itoa(port), "--dir", dataDir,
		"--innodb-buffer-pool-size", strings.ToLower(*pool))
	logPath := filepath.Join(work, filepath.Base(bin)+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s := &server{name: "tandem", addr: fmt.Sprintf("127.0.0.1:%d", port), stop: func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}}
	if err := waitReady(s, exited, logPath); err != nil {
		s.stop()
		out, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("%s: %v\n%s", bin, err, out)
	}
	return s, nil
}

func startMariaDB() *server {
	if *mariaAddr != "" {
		return &server{name: "mariadb", addr: *mariaAddr, stop: func() {}}
	}
	port := freePort()
	script := filepath.Join(benchDir(), "mariadbd.sh")
	out, err := exec.Command(script, strconv.Itoa(port), *pool).Output()
	if err != nil {
		log.Fatalf("%s: %v", script, err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		log.Fatalf("mariadbd.sh printed %q", out)
	}
	pid, _ := strconv.Atoi(f[0])
	dir := f[1]
	return &server{name: "mariadb", addr: fmt.Sprintf("127.0.0.1:%d", port), stop: func() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		for i := 0; i < 300 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		os.RemoveAll(dir)
	}}
}

// benchDir finds this directory: next to the source when run with go run
// from the module root, else the working directory.
func benchDir() string {
	if _, err := os.Stat("bench/mysql/mariadbd.sh"); err == nil {
		return "bench/mysql"
	}
	return "."
}

// waitReady waits until s answers a ping, giving up when its process exits,
// when its log says it does not serve SQL, or after two minutes.
func waitReady(s *server, exited <-chan struct{}, logPath string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		db, _ := sql.Open("mysql", "root@tcp("+s.addr+")/")
		err := db.Ping()
		db.Close()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before serving SQL: %v", err)
		default:
		}
		if out, _ := os.ReadFile(logPath); strings.Contains(string(out), "SQL server not wired in yet") {
			return errors.New("does not serve SQL yet")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not serving SQL at %s after 2 minutes: %v", s.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func sysbenchArgs(s *server, workload, cmd string, extra ...string) []string {
	host, port, _ := net.SplitHostPort(s.addr)
	args := []string{workload, cmd, "--db-driver=mysql", "--mysql-host=" + host, "--mysql-port=" + port,
		"--mysql-user=root", "--mysql-db=sbtest", "--tables=" + strconv.Itoa(*tables), "--table-size=" + strconv.Itoa(*tableSize)}
	return append(args, extra...)
}

func prepare(s *server) {
	db, err := sql.Open("mysql", "root@tcp("+s.addr+")/")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS sbtest", "CREATE DATABASE sbtest"} {
		if _, err := db.Exec(q); err != nil {
			log.Fatalf("%s: %s: %v", s.name, q, err)
		}
	}
	start := time.Now()
	out, err := exec.Command("sysbench", sysbenchArgs(s, "oltp_read_write", "prepare", "--threads="+strconv.Itoa(*tables))...).CombinedOutput()
	if err != nil {
		log.Fatalf("%s: sysbench prepare: %v\n%s", s.name, err, out)
	}
	log.Printf("%s: prepared %d × %d rows in %v", s.name, *tables, *tableSize, time.Since(start).Round(time.Millisecond))
}

var tpsRe = regexp.MustCompile(`transactions:\s+(\d+)\s+\(([\d.]+) per sec`)

func run(s *server, workload string) (sample, error) {
	before := status(s)
	out, err := exec.Command("sysbench", sysbenchArgs(s, workload, "run", "--threads="+strconv.Itoa(*threads),
		"--time="+strconv.Itoa(*runTime), "--report-interval=0")...).CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("sysbench: %v: %s", err, lastLines(out, 3))
	}
	after := status(s)
	m := tpsRe.FindStringSubmatch(string(out))
	if m == nil {
		return sample{}, fmt.Errorf("no throughput in sysbench output: %s", lastLines(out, 5))
	}
	txns, _ := strconv.ParseFloat(m[1], 64)
	tps, _ := strconv.ParseFloat(m[2], 64)
	smp := sample{tps: tps, txns: txns, deltas: map[string]float64{}}
	for _, c := range counters {
		smp.deltas[c] = after[c] - before[c]
	}
	return smp, nil
}

func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

func status(s *server) map[string]float64 {
	db, err := sql.Open("mysql", "root@tcp("+s.addr+")/")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SHOW GLOBAL STATUS")
	if err != nil {
		log.Printf("%s: SHOW GLOBAL STATUS: %v", s.name, err)
		return nil
	}
	defer rows.Close()
	st := map[string]float64{}
	for rows.Next() {
		var k, v string
		if rows.Scan(&k, &v) == nil {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				st[k] = f
			}
		}
	}
	return st
}
