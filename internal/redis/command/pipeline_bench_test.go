package command

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// pipelineDepth is redis-benchmark's -P 16.
const pipelineDepth = 16

// pipelineCase is one redis-benchmark test: the command exactly as it is
// sent (without -r, so "__rand_int__" stays literal), and what must be in
// the keyspace before it runs.
type pipelineCase struct {
	name  string
	cmd   []string
	setup []string // commands run once before timing
	// refill is run, outside the timer, whenever the list or set the
	// command consumes runs low (LPOP/RPOP), so every pop finds an element.
	refill []string
}

func mset10() []string {
	cmd := []string{"MSET"}
	for i := 0; i < 10; i++ {
		cmd = append(cmd, "key:__rand_int__", "xxx")
	}
	return cmd
}

var pipelineCases = []pipelineCase{
	{name: "set", cmd: []string{"SET", "key:__rand_int__", "xxx"}},
	{name: "get", cmd: []string{"GET", "key:__rand_int__"}, setup: []string{"SET key:__rand_int__ xxx"}},
	{name: "incr", cmd: []string{"INCR", "counter:__rand_int__"}},
	{name: "mset", cmd: mset10()},
	{name: "hset", cmd: []string{"HSET", "myhash", "element:__rand_int__", "xxx"}},
	{name: "lpush", cmd: []string{"LPUSH", "mylist", "xxx"}},
	{name: "rpush", cmd: []string{"RPUSH", "mylist", "xxx"}},
	{name: "lpop", cmd: []string{"LPOP", "mylist"}, refill: []string{"RPUSH mylist xxx"}},
	{name: "rpop", cmd: []string{"RPOP", "mylist"}, refill: []string{"LPUSH mylist xxx"}},
	{name: "sadd", cmd: []string{"SADD", "myset", "element:__rand_int__"}},
	// After SADD the set has its one member: SPOP takes it, then finds
	// no key, as in a redis-benchmark run.
	{name: "spop", cmd: []string{"SPOP", "myset"}, setup: []string{"SADD myset element:__rand_int__"}},
	{name: "zadd", cmd: []string{"ZADD", "myzset", "0", "element:__rand_int__"}},
	{name: "lrange_100", cmd: []string{"LRANGE", "mylist", "0", "99"}, setup: []string{"LPUSH mylist xxx"}},
	{name: "lrange_600", cmd: []string{"LRANGE", "mylist", "0", "599"}, setup: []string{"LPUSH mylist xxx"}},
}

// encodeCommand writes args as the multibulk redis-benchmark sends.
func encodeCommand(dst []byte, args []string) []byte {
	w := resp.Writer{Buf: dst}
	w.Array(len(args))
	for _, a := range args {
		w.BulkString(a)
	}
	return w.Buf
}

// pipelineEnv runs query buffers through the path the server takes for
// each command: parse, look up, arity check, handler, reply writer.
type pipelineEnv struct {
	table  *Table
	ks     *keyspace.Keyspace
	ctx    *Ctx
	w      *resp.Writer
	parser resp.Parser
	argBuf [][]byte
	spans  []int
	nowMs  int64
}

func newPipelineEnv() *pipelineEnv {
	e := &pipelineEnv{nowMs: 1_700_000_000_000}
	// The server's keyspace reads a clock it caches per batch.
	ks := keyspace.New(keyspace.Options{Seed: 1, Now: func() int64 { return e.nowMs }})
	settings := DefaultSettings()
	w := &resp.Writer{Proto: 2}
	e.table, e.ks, e.w = NewTable(), ks, w
	e.ctx = &Ctx{KS: ks, DB: ks.DB(0), W: w, Set: &settings, Hooks: nopHooks{}}
	e.parser.MaxBulkLen = settings.ProtoMaxBulkLen
	return e
}

// run processes every command in buf, as server.processInput and
// processCommand do, leaving the replies in e.w.
func (e *pipelineEnv) run(buf []byte) {
	e.argBuf = e.argBuf[:0]
	e.spans = e.spans[:0]
	for off := 0; off < len(buf); {
		args, n, err := e.parser.Next(buf[off:])
		if err != nil || n == 0 {
			panic("pipeline bench: bad query buffer")
		}
		off += n
		e.argBuf = append(e.argBuf, args...)
		e.spans = append(e.spans, len(e.argBuf))
	}
	start := 0
	for _, end := range e.spans {
		args := e.argBuf[start:end:end]
		start = end
		spec := e.table.Lookup(args[0])
		if spec == nil {
			e.w.Error(UnknownCommand(args))
			continue
		}
		if len(spec.Sub) > 0 && len(args) >= 2 {
			if spec = spec.LookupSub(args[1]); spec == nil {
				e.w.Error("ERR unknown subcommand")
				continue
			}
		}
		if !spec.CheckArity(len(args)) {
			e.w.Error(WrongArgs(spec.FullName()))
			continue
		}
		c := e.ctx
		c.Reset(args, spec)
		c.Now = e.nowMs
		spec.Handler(c)
	}
	e.ks.CommandDone()
}

func (e *pipelineEnv) exec(line string) {
	args := strings.Fields(line)
	e.run(encodeCommand(nil, args))
}

// BenchmarkPipeline runs 16 pipelined commands per op through parse,
// lookup, handler and reply writer, per redis-benchmark test.
func BenchmarkPipeline(b *testing.B) {
	for _, tc := range pipelineCases {
		b.Run(tc.name, func(b *testing.B) {
			e := newPipelineEnv()
			for _, s := range tc.setup {
				n := 1
				if strings.HasPrefix(s, "LPUSH") {
					n = 1000 // a list long enough for LRANGE 0 599
				}
				for i := 0; i < n; i++ {
					e.exec(s)
				}
			}
			refill := func() {
				for i := 0; i < 100*pipelineDepth; i++ {
					for _, s := range tc.refill {
						e.exec(s)
					}
				}
			}
			var buf []byte
			for i := 0; i < pipelineDepth; i++ {
				buf = encodeCommand(buf, tc.cmd)
			}
			if tc.refill != nil {
				refill()
			}
			e.run(buf)
			if bytes.HasPrefix(e.w.Buf, []byte("-")) {
				b.Fatalf("%s replies %q", tc.name, e.w.Buf)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if tc.refill != nil && i%100 == 99 {
					b.StopTimer()
					refill()
					b.StartTimer()
				}
				e.w.Reset()
				e.run(buf)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pipelineDepth), "ns/cmd")
		})
	}
}
