package command

import (
	"strconv"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

// benchHash runs line with key:N (N = the iteration, modulo keys) as its key.
func benchHash(b *testing.B, keys int, line string) {
	e := newEffectsEnv()
	args, _ := resp.SplitArgs([]byte(line), nil)
	spec := e.table.Lookup(args[0])
	c := e.ctx
	c.Hooks = nopHooks{}
	key := make([]byte, 0, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		key = strconv.AppendInt(append(key[:0], "key:"...), int64(i%keys), 10)
		args[1] = key
		c.W.Reset()
		c.Reset(args, spec)
		spec.Handler(c)
		c.KS.CommandDone()
	}
}

// BenchmarkHSetNewSmall creates small hashes (the -memory-collections load).
func BenchmarkHSetNewSmall(b *testing.B) {
	benchHash(b, 1<<30, "HSET k f1 v1 f2 v2 f3 v3 f4 v4 f5 v5")
}

// BenchmarkHSetSmall changes a field of one of 1000 small hashes.
func BenchmarkHSetSmall(b *testing.B) { benchHash(b, 1000, "HSET k f3 v3") }

// BenchmarkHIncrBySmall grows and rewrites small hashes.
func BenchmarkHIncrBySmall(b *testing.B) { benchHash(b, 1000, "HINCRBY k n 1") }

// BenchmarkHGetSmall reads a field of one of 1000 small hashes.
func BenchmarkHGetSmall(b *testing.B) { benchHash(b, 1000, "HGET k f1") }
