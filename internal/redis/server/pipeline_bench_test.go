package server

import (
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

// benchPipeline feeds batches of pipelined commands, as redis-benchmark
// -P 16 sends them, through processInput; ns/op is per command.
func benchPipeline(b *testing.B, cmds ...string) {
	cfg := NewConfig()
	if err := cfg.Set("dir", b.TempDir(), true); err != nil {
		b.Fatal(err)
	}
	s := New(cfg, nil)
	s.mu.Lock()
	c := s.newClientLocked("127.0.0.1:50000", "127.0.0.1:6379")
	s.mu.Unlock()
	written := 0
	var batch resp.Writer
	for i := 0; i < 16; i++ {
		args := strings.Fields(cmds[i%len(cmds)])
		batch.Array(len(args))
		for _, a := range args {
			batch.BulkString(a)
		}
	}
	input := batch.Buf
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		c.qbuf = append(c.qbuf[:0], input...)
		c.qpos = 0
		if !c.processInput() {
			b.Fatal("connection closed")
		}
		// The replies go nowhere: the benchmark measures the server's own
		// work per command, without the kernel.
		written += len(c.out.Buf)
		c.out.Buf = c.out.Buf[:0]
	}
	if written == 0 {
		b.Fatal("no replies")
	}
}

func BenchmarkPipelineGET(b *testing.B)  { benchPipeline(b, "GET key:000000000042") }
func BenchmarkPipelineSET(b *testing.B)  { benchPipeline(b, "SET key:000000000042 xxx") }
func BenchmarkPipelineINCR(b *testing.B) { benchPipeline(b, "INCR counter:__rand_int__") }
func BenchmarkPipelineMSET(b *testing.B) {
	benchPipeline(b, "MSET key:1 xxx key:2 xxx key:3 xxx key:4 xxx key:5 xxx key:6 xxx key:7 xxx key:8 xxx key:9 xxx key:10 xxx")
}
func BenchmarkPipelineLPUSH(b *testing.B) { benchPipeline(b, "LPUSH mylist xxx", "LPOP mylist") }
func BenchmarkPipelineHSET(b *testing.B)  { benchPipeline(b, "HSET myhash element:42 xxx") }
func BenchmarkPipelineSADD(b *testing.B)  { benchPipeline(b, "SADD myset element:42") }
