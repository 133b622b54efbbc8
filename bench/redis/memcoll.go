package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

// The collections memory mode (-memory-collections): for each workload, a fresh tandem and a
// fresh redis-server are loaded with the same commands, written as pipelined RESP over one TCP
// connection, and compared by process RSS (/proc/PID/status VmRSS, absolute and growth over
// the empty server) and INFO memory used_memory.
//
//	go build -o /work/bin/tandem-mem ./cmd/tandem
//	go run ./bench/redis -memory-collections -tandem /work/bin/tandem-mem
//	go run ./bench/redis -memory-collections -collections smallhash -tandem /work/bin/tandem-mem

var (
	memColl     = flag.Bool("memory-collections", false, "measure memory of collection workloads only")
	collections = flag.String("collections", "smallhash,set,hash,zset",
		"collection workloads for -memory-collections: smallhash (100k HSET key:N f1 v1 ... f5 v5), "+
			"set (1M SADD members), hash (1M HSET fields), zset (1M ZADD members)")
)

// workload generates the commands of one measurement.
type workload struct {
	name  string
	items int                  // commands sent
	keys  int                  // keys expected (DBSIZE)
	unit  string               // what "per key" divides by
	cmd   func(i int) [][]byte // the i-th command
}

func workloads() map[string]workload {
	b := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, x := range s {
			out[i] = []byte(x)
		}
		return out
	}
	return map[string]workload{
		"smallhash": {name: "100k small hashes (HSET key:N f1 v1 .. f5 v5)", items: 100000, keys: 100000, unit: "key",
			cmd: func(i int) [][]byte {
				return b("HSET", "key:"+strconv.Itoa(i), "f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4", "f5", "v5")
			}},
		"set": {name: "1M-member set (SADD s m:N)", items: 1000000, keys: 1, unit: "member",
			cmd: func(i int) [][]byte { return b("SADD", "s", "m:"+strconv.Itoa(i)) }},
		"hash": {name: "1M-field hash (HSET h f:N v:N)", items: 1000000, keys: 1, unit: "field",
			cmd: func(i int) [][]byte { return b("HSET", "h", "f:"+strconv.Itoa(i), "v:"+strconv.Itoa(i)) }},
		"zset": {name: "1M-member zset (ZADD z N m:N)", items: 1000000, keys: 1, unit: "member",
			cmd: func(i int) [][]byte { return b("ZADD", "z", strconv.Itoa(i), "m:"+strconv.Itoa(i)) }},
	}
}

// pipeLoad sends every command of w over one connection while a reader drains the replies,
// and fails on any error reply.
func pipeLoad(s *server, w workload) {
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	done := make(chan error, 1)
	go func() {
		r := bufio.NewReaderSize(conn, 64<<10)
		for i := 0; i < w.items; i++ {
			line, err := r.ReadSlice('\n')
			if err != nil {
				done <- err
				return
			}
			if line[0] == '-' {
				done <- fmt.Errorf("%s: reply %d: %s", s.name, i, bytes.TrimSpace(line))
				return
			}
		}
		done <- nil
	}()
	bw := bufio.NewWriterSize(conn, 64<<10)
	for i := 0; i < w.items; i++ {
		args := w.cmd(i)
		bw.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
		for _, a := range args {
			bw.WriteString("$" + strconv.Itoa(len(a)) + "\r\n")
			bw.Write(a)
			bw.WriteString("\r\n")
		}
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := <-done; err != nil && err != io.EOF {
		log.Fatal(err)
	}
}

// memoryCollections runs the selected workloads, each on a fresh pair of servers.
func memoryCollections(startBoth func() (*server, *server)) {
	all := workloads()
	fmt.Printf("%-48s %-8s %10s %10s %10s %10s %10s %10s %7s %7s %8s %8s\n", "workload", "per", "t RSS", "r RSS",
		"t RSS+", "r RSS+", "t used", "r used", "RSS x", "RSS+ x", "t heap", "t purged")
	for _, name := range strings.Split(*collections, ",") {
		w, ok := all[strings.TrimSpace(name)]
		if !ok {
			log.Fatalf("unknown collection workload %q", name)
		}
		t, r := startBoth()
		var rss, grow, used [2]float64
		var heap, purged float64
		for i, s := range []*server{t, r} {
			baseRSS, baseUsed, baseHeap := s.rss(), s.usedMemory(), s.info("allocator_allocated")
			pipeLoad(s, w)
			time.Sleep(500 * time.Millisecond)
			if got := strings.TrimSpace(s.cli("dbsize")); got != strconv.Itoa(w.keys) {
				log.Fatalf("%s: dbsize %s after %s, want %d", s.name, got, w.name, w.keys)
			}
			n := float64(w.items)
			if w.unit == "key" {
				n = float64(w.keys)
			}
			after := s.rss()
			rss[i] = float64(after) / n
			grow[i] = float64(after-baseRSS) / n
			used[i] = float64(s.usedMemory()-baseUsed) / n
			if s == t { // where tandem's RSS goes: live Go heap after a forced GC, and RSS then
				s.cli("memory", "purge")
				heap = float64(s.info("allocator_allocated")-baseHeap) / n
				purged = float64(s.rss()) / n
			}
		}
		fmt.Printf("%-48s %-8s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %6.2fx %6.2fx %8.1f %8.1f\n", w.name, w.unit,
			rss[0], rss[1], grow[0], grow[1], used[0], used[1], rss[0]/rss[1], grow[0]/grow[1], heap, purged)
		t.stop()
		r.stop()
	}
	fmt.Println("t = tandem, r = redis-server; bytes per unit: RSS = process RSS after the load, RSS+ = RSS growth over the empty server, used = used_memory growth;\n" +
		"t heap = growth of tandem's live Go heap (allocator_allocated after MEMORY PURGE), t purged = its RSS then")
}

// info returns the integer field name of INFO memory (0 when absent).
func (s *server) info(name string) int64 {
	for _, line := range strings.Split(s.cli("info", "memory"), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
