package compat

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestGoRedisConcurrentIncr: 200 goroutines INCR one key; the count must be
// exact (every command atomic under the server's execution lock).
func TestGoRedisConcurrentIncr(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: tg.start(t), PoolSize: 64})
			defer rdb.Close()
			ctx := context.Background()
			const workers, each = 200, 50
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						if err := rdb.Incr(ctx, "counter").Err(); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got, err := rdb.Get(ctx, "counter").Int()
			if err != nil {
				t.Fatal(err)
			}
			if got != workers*each {
				t.Fatalf("counter = %d, want %d", got, workers*each)
			}
		})
	}
}

// TestGoRedisPipeline sends a thousand commands in one pipeline and checks
// every reply in order, with typed errors where Redis gives errors.
func TestGoRedisPipeline(t *testing.T) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			rdb := redis.NewClient(&redis.Options{Addr: tg.start(t)})
			defer rdb.Close()
			ctx := context.Background()
			pipe := rdb.Pipeline()
			const n = 500
			for i := 0; i < n; i++ {
				pipe.Set(ctx, "k"+strconv.Itoa(i), i, time.Minute)
			}
			gets := make([]*redis.StringCmd, n)
			for i := 0; i < n; i++ {
				gets[i] = pipe.Get(ctx, "k"+strconv.Itoa(i))
			}
			bad := pipe.IncrBy(ctx, "k0", 1<<62)
			overflow := pipe.IncrBy(ctx, "k0", 1<<62)
			missing := pipe.Get(ctx, "nokey")
			ttl := pipe.TTL(ctx, "k1")
			if _, err := pipe.Exec(ctx); err == nil {
				t.Fatal("pipeline with an overflowing INCRBY reported no error")
			}
			for i, g := range gets {
				if v, err := g.Result(); err != nil || v != strconv.Itoa(i) {
					t.Fatalf("GET k%d = %q, %v", i, v, err)
				}
			}
			if bad.Err() != nil || bad.Val() != 1<<62 {
				t.Fatalf("first INCRBY = %d, %v", bad.Val(), bad.Err())
			}
			if err := overflow.Err(); err == nil || err.Error() != "ERR increment or decrement would overflow" {
				t.Fatalf("second INCRBY error = %v", err)
			}
			if err := missing.Err(); err != redis.Nil {
				t.Fatalf("GET nokey error = %v, want redis.Nil", err)
			}
			if d := ttl.Val(); d <= 59*time.Second || d > time.Minute {
				t.Fatalf("TTL = %v", d)
			}
		})
	}
}

// TestRedisCLI drives the redis-cli binary, in argument mode and in pipe
// mode, and checks its terminal-style output.
func TestRedisCLI(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not installed")
	}
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			host, port, _ := net.SplitHostPort(tg.start(t))
			cli := func(stdin string, args ...string) string {
				cmd := exec.Command("redis-cli", append([]string{"-h", host, "-p", port, "--no-raw"}, args...)...)
				cmd.Stdin = strings.NewReader(stdin)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("redis-cli %v: %v\n%s", args, err, out)
				}
				return string(out)
			}
			for _, c := range []struct{ args, want string }{
				{"SET greeting hello", "OK\n"},
				{"APPEND greeting world", "(integer) 10\n"},
				{"MGET greeting nokey", "1) \"helloworld\"\n2) (nil)\n"},
				{"INCR greeting", "(error) ERR value is not an integer or out of range\n"},
				{"LCS greeting greeting IDX", "1) \"matches\"\n2) 1) 1) 1) (integer) 0\n         2) (integer) 9\n      2) 1) (integer) 0\n         2) (integer) 9\n3) \"len\"\n4) (integer) 10\n"},
			} {
				if got := cli("", strings.Fields(c.args)...); got != c.want {
					t.Errorf("redis-cli %s:\n got %q\nwant %q", c.args, got, c.want)
				}
			}
			var in strings.Builder
			for i := 0; i < 100; i++ {
				fmt.Fprintf(&in, "SET key:%d %d\n", i, i)
			}
			in.WriteString("DBSIZE\n")
			out := cli(in.String())
			if !strings.HasSuffix(out, "(integer) 101\n") || strings.Count(out, "OK\n") != 100 {
				t.Errorf("pipe mode output ends %q", out[max(0, len(out)-60):])
			}
		})
	}
}
