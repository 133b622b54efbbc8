package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"strconv"
	"strings"
	"time"
)

// pacedRates runs one connection sending PING at fixed rates (each request
// waits for its reply; the sender spins between requests to keep the pace)
// against both servers, interleaved, and prints the rate each reached and
// the share of a core each server used: what a moderately loaded server
// costs, which throughput runs at full load do not show.
//
//	go run ./bench/redis -paced 2000,10000,20000
func pacedRates(startBoth func() (*server, *server), rates string, rounds int, dur time.Duration) {
	t, r := startBoth()
	defer t.stop()
	defer r.stop()
	servers := []*server{t, r}
	type result struct{ rate, cpu []float64 }
	res := map[string]map[int]*result{}
	var list []int
	for _, f := range strings.Split(rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			log.Fatalf("-paced: bad rate %q", f)
		}
		list = append(list, n)
	}
	for _, s := range servers {
		res[s.name] = map[int]*result{}
		for _, n := range list {
			res[s.name][n] = &result{}
		}
	}
	for round := 0; round < rounds; round++ {
		for _, n := range list {
			for i := range servers {
				s := servers[(i+round)%len(servers)]
				got, cpu := paced(s, n, dur)
				res[s.name][n].rate = append(res[s.name][n].rate, got)
				res[s.name][n].cpu = append(res[s.name][n].cpu, cpu)
			}
		}
		fmt.Printf("round %d done\n", round+1)
	}
	fmt.Printf("one connection, PING at a fixed rate, %d rounds of %v interleaved, medians\n", rounds, dur)
	fmt.Printf("%-10s %12s %12s %12s %12s %10s\n", "rate", "tandem req/s", "redis req/s", "tandem CPU", "redis CPU", "CPU ratio")
	for _, n := range list {
		tr, rr := res["tandem"][n], res["redis"][n]
		tc, rc := median(tr.cpu), median(rr.cpu)
		fmt.Printf("%-10d %12.0f %12.0f %11.1f%% %11.1f%% %9.2fx\n", n, median(tr.rate), median(rr.rate), tc, rc, tc/rc)
	}
}

// paced sends PINGs to s at rate per second for dur and returns the rate
// reached and the server's CPU use in percent of one core.
func paced(s *server, rate int, dur time.Duration) (reached, cpu float64) {
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		log.Fatalf("%s: %v", s.name, err)
	}
	defer c.Close()
	rd := bufio.NewReader(c)
	gap := time.Second / time.Duration(rate)
	ping := []byte("PING\r\n")
	before := s.cpuNanos()
	start := time.Now()
	next, n := start, 0
	for time.Since(start) < dur {
		for time.Now().Before(next) {
		}
		next = next.Add(gap)
		if _, err := c.Write(ping); err != nil {
			log.Fatalf("%s: %v", s.name, err)
		}
		if line, err := rd.ReadString('\n'); err != nil || line != "+PONG\r\n" {
			log.Fatalf("%s: %q %v", s.name, line, err)
		}
		n++
	}
	el := time.Since(start)
	return float64(n) / el.Seconds(), float64(s.cpuNanos()-before) / float64(el.Nanoseconds()) * 100
}
