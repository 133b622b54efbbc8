package server

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// execAfterWatch runs MULTI PING EXEC on a and returns EXEC's reply.
func execAfterWatch(a *rawConn) string {
	a.send(cmd("MULTI") + cmd("PING") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n")
	return a.reply()
}

const execOK = "*1\r\n+PONG\r\n"

func TestCoreWatchInvalidation(t *testing.T) {
	_, addr := startServer(t)
	a, b := dial(t, addr), dial(t, addr)

	// Any write by another client, even one that leaves the same value.
	a.do("+OK\r\n", "SET", "k", "1")
	a.do("+OK\r\n", "WATCH", "k")
	b.do("+OK\r\n", "SET", "k", "1")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("write by other: %q", got)
	}
	// Writes to a key that did not exist count too.
	a.do("+OK\r\n", "WATCH", "new")
	b.do(":1\r\n", "RPUSH", "new", "x")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("create by other: %q", got)
	}
	// Reads and writes to other keys do not.
	a.do("+OK\r\n", "WATCH", "k")
	b.do(bulk("1"), "GET", "k")
	b.do("+OK\r\n", "SET", "other", "1")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("unrelated: %q", got)
	}
	// A write inside the transaction itself does not abort it, and WATCH
	// ends with EXEC.
	a.send(cmd("WATCH", "k") + cmd("MULTI") + cmd("SET", "k", "2") + cmd("EXEC"))
	a.expect("+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n")
	b.do("+OK\r\n", "SET", "k", "3")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("after EXEC: %q", got)
	}
	// UNWATCH and DISCARD forget the watched keys.
	a.do("+OK\r\n", "WATCH", "k")
	a.do("+OK\r\n", "UNWATCH")
	b.do("+OK\r\n", "SET", "k", "4")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("after UNWATCH: %q", got)
	}
	a.send(cmd("WATCH", "k") + cmd("MULTI") + cmd("DISCARD"))
	a.expect("+OK\r\n", "+OK\r\n", "+OK\r\n")
	b.do("+OK\r\n", "SET", "k", "5")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("after DISCARD: %q", got)
	}
	// WATCH in another database is a different key.
	a.do("+OK\r\n", "WATCH", "k")
	b.send(cmd("SELECT", "3") + cmd("SET", "k", "x") + cmd("SELECT", "0"))
	b.expect("+OK\r\n", "+OK\r\n", "+OK\r\n")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("other db: %q", got)
	}
	a.send(cmd("MULTI") + cmd("WATCH", "k"))
	a.expect("+OK\r\n", "-ERR WATCH inside MULTI is not allowed\r\n")
	a.do("*0\r\n", "EXEC")
}

func TestCoreWatchExpiry(t *testing.T) {
	_, addr := startServer(t)
	a := dial(t, addr)
	// The key expires between WATCH and EXEC, untouched by anyone.
	a.do("+OK\r\n", "SET", "e", "1", "PX", "60")
	a.do("+OK\r\n", "WATCH", "e")
	time.Sleep(120 * time.Millisecond)
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("expired after WATCH: %q", got)
	}
	// A key with a TTL that has not expired yet does not abort.
	a.do("+OK\r\n", "SET", "e", "1", "PX", "100000")
	a.do("+OK\r\n", "WATCH", "e")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("live key: %q", got)
	}
	// EXPIRE by another client is a write.
	b := dial(t, addr)
	a.do("+OK\r\n", "WATCH", "e")
	b.do(":1\r\n", "EXPIRE", "e", "1000")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("EXPIRE: %q", got)
	}
}

func TestCoreWatchFlushSwap(t *testing.T) {
	_, addr := startServer(t)
	a, b := dial(t, addr), dial(t, addr)
	a.do("+OK\r\n", "SET", "k", "1")
	for _, flush := range [][]string{{"FLUSHDB"}, {"FLUSHALL"}, {"FLUSHALL", "ASYNC"}} {
		a.do("+OK\r\n", "SET", "k", "1")
		a.do("+OK\r\n", "WATCH", "k")
		b.do("+OK\r\n", flush...)
		if got := execAfterWatch(a); got != "*-1\r\n" {
			t.Fatalf("%v: %q", flush, got)
		}
	}
	// Redis 7.0: flushing a database without the watched key does not abort.
	a.do("+OK\r\n", "WATCH", "missing")
	b.do("+OK\r\n", "FLUSHALL")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("FLUSHALL of a missing key: %q", got)
	}
	a.do("+OK\r\n", "SET", "k", "1")
	a.do("+OK\r\n", "WATCH", "k")
	b.do("+OK\r\n", "SWAPDB", "0", "1")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("SWAPDB: %q", got)
	}
}

func TestCoreMultiErrors(t *testing.T) {
	_, addr := startServer(t)
	a := dial(t, addr)
	// Runtime errors do not stop the other commands.
	a.send(cmd("MULTI") + cmd("SET", "s", "x") + cmd("INCR", "s") + cmd("LPUSH", "s", "v") + cmd("SET", "t", "1") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
		arr("+OK\r\n", "-ERR value is not an integer or out of range\r\n",
			"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "+OK\r\n"))
	// Queueing errors (unknown command, arity) abort it; nothing runs.
	a.send(cmd("MULTI") + cmd("SET", "u", "1") + cmd("NOSUCH") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
		"-EXECABORT Transaction discarded because of previous errors.\r\n")
	a.do(":0\r\n", "EXISTS", "u")
	// Redis 7.0 runs SUBSCRIBE inside EXEC.
	a.send(cmd("MULTI") + cmd("SUBSCRIBE", "x") + cmd("EXEC"))
	a.expect("+OK\r\n", "+QUEUED\r\n", arr(arr(bulk("subscribe"), bulk("x"), ":1\r\n")))
	a.send(cmd("UNSUBSCRIBE"))
	a.expect(arr(bulk("unsubscribe"), bulk("x"), ":0\r\n"))
	a.send(cmd("MULTI") + cmd("DISCARD") + cmd("DISCARD"))
	a.expect("+OK\r\n", "+OK\r\n", "-ERR DISCARD without MULTI\r\n")
	// An empty transaction.
	a.send(cmd("MULTI") + cmd("EXEC"))
	a.expect("+OK\r\n", "*0\r\n")
}

// TestCoreConcurrentTransfers: 50 clients move amounts between two keys in
// MULTI/EXEC while readers check the sum in MULTI/EXEC; the sum never changes.
func TestCoreConcurrentTransfers(t *testing.T) {
	_, addr := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 60, MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.MSet(ctx, "a", 1000, "b", 1000).Err(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 100)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if i%5 == 0 {
					var ga, gb *redis.StringCmd
					_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
						ga = p.Get(ctx, "a")
						gb = p.Get(ctx, "b")
						return nil
					})
					if err != nil {
						errc <- err
						return
					}
					x, _ := strconv.Atoi(ga.Val())
					y, _ := strconv.Atoi(gb.Val())
					if x+y != 2000 {
						errc <- errors.New("sum " + strconv.Itoa(x+y))
						return
					}
					continue
				}
				n := int64(i%7 + 1)
				from, to := "a", "b"
				if j%2 == 0 {
					from, to = to, from
				}
				_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.DecrBy(ctx, from, n)
					p.IncrBy(ctx, to, n)
					return nil
				})
				if err != nil {
					errc <- err
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	x, _ := rdb.Get(ctx, "a").Int()
	y, _ := rdb.Get(ctx, "b").Int()
	if x+y != 2000 {
		t.Fatalf("final sum %d", x+y)
	}
}

func TestCoreConcurrentIncr(t *testing.T) {
	_, addr := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 200, MaxRetries: -1, DisableIdentity: true})
	defer rdb.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				if err := rdb.Incr(ctx, "n").Err(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n, err := rdb.Get(ctx, "n").Int(); err != nil || n != 5000 {
		t.Fatalf("n = %d, %v", n, err)
	}
}

// Redis 7.0 touches, on SWAPDB, only watched keys that exist in one of
// the two databases; a write by the watcher itself before MULTI counts.
func TestCoreWatchSwapMissingAndOwnWrite(t *testing.T) {
	_, addr := startServer(t)
	a, b := dial(t, addr), dial(t, addr)
	a.do("+OK\r\n", "WATCH", "own")
	a.do("+OK\r\n", "SET", "own", "1")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("own write before MULTI: %q", got)
	}
	a.do("+OK\r\n", "WATCH", "nokey")
	b.do("+OK\r\n", "SWAPDB", "0", "1")
	if got := execAfterWatch(a); got != execOK {
		t.Fatalf("SWAPDB of a key in neither db: %q", got)
	}
	// A key present only in the other database counts.
	b.send(cmd("SELECT", "1") + cmd("SET", "only1", "x") + cmd("SELECT", "0"))
	b.expect("+OK\r\n", "+OK\r\n", "+OK\r\n")
	a.do("+OK\r\n", "WATCH", "only1")
	b.do("+OK\r\n", "SWAPDB", "0", "1")
	if got := execAfterWatch(a); got != "*-1\r\n" {
		t.Fatalf("SWAPDB bringing the key: %q", got)
	}
}

// EXEC refused by its own arity check discards the transaction
// (Redis 7.0 execCommandAbort), so the connection leaves MULTI.
func TestCoreExecWrongArityAborts(t *testing.T) {
	_, addr := startServer(t)
	a := dial(t, addr)
	a.send(cmd("MULTI") + cmd("SET", "x", "1") + cmd("EXEC", "extra") + cmd("PING") + cmd("EXISTS", "x"))
	a.expect("+OK\r\n", "+QUEUED\r\n",
		"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
		"+PONG\r\n", ":0\r\n")
	a.do("-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n", "PUBSUB", "channels", "a", "b")
}
