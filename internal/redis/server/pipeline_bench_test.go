package server

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

// discardConn is a net.Conn whose writes vanish: the benchmarks below
// measure the server's own work per command, without the kernel.
type discardConn struct{ written int }

func (d *discardConn) Read([]byte) (int, error)    { return 0, net.ErrClosed }
func (d *discardConn) Write(b []byte) (int, error) { d.written += len(b); return len(b), nil }
func (d *discardConn) Close() error                { return nil }
func (d *discardConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6379}
}
func (d *discardConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
}
func (d *discardConn) SetDeadline(time.Time) error      { return nil }
func (d *discardConn) SetReadDeadline(time.Time) error  { return nil }
func (d *discardConn) SetWriteDeadline(time.Time) error { return nil }

// benchPipeline feeds batches of pipelined commands, as redis-benchmark
// -P 16 sends them, through processInput; ns/op is per command.
func benchPipeline(b *testing.B, cmds ...string) {
	cfg := NewConfig()
	if err := cfg.Set("dir", b.TempDir(), true); err != nil {
		b.Fatal(err)
	}
	s := New(cfg, nil)
	conn := &discardConn{}
	c := s.admitClient(conn)
	var batch resp.Writer
	for i := 0; i < 16; i++ {
		args := strings.Fields(cmds[i%len(cmds)])
		batch.Array(len(args))
		for _, a := range args {
			batch.BulkString(a)
		}
	}
	input := batch.Buf
	c.qbuf = make([]byte, 0, readChunk)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 16 {
		c.qbuf = append(c.qbuf[:0], input...)
		c.qpos = 0
		if !c.processInput() {
			b.Fatal("connection closed")
		}
	}
	if conn.written == 0 {
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
