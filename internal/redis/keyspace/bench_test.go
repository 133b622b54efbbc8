package keyspace

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// benchKey writes redis-benchmark's key for i ("key:000000123") into buf.
func benchKey(buf []byte, i int) []byte {
	buf = append(buf[:0], "key:"...)
	n := len(buf)
	buf = strconv.AppendInt(buf, int64(i), 10)
	for len(buf)-n < 12 {
		buf = append(buf[:n+1], buf[n:]...)
		buf[n] = '0'
	}
	return buf
}

func loadKeys(ks *Keyspace, n int, ttl int64) {
	db := ks.DB(0)
	var kb []byte
	val := []byte("xxx")
	for i := 0; i < n; i++ {
		kb = benchKey(kb, i)
		db.SetString(kb, val, ttl, false)
	}
}

func TestBenchKey(t *testing.T) {
	if k := string(benchKey(nil, 123)); k != "key:000000000123" {
		// redis-benchmark -r pads __rand_int__ to 12 digits.
		t.Fatal(k)
	}
}

// benchKeyspace has a fixed clock, as the server passes the time fixed for a command.
func benchKeyspace() *Keyspace {
	return New(Options{Seed: 1, Now: func() int64 { return 1_700_000_000_000 }})
}

func BenchmarkLookup(b *testing.B) {
	ks := benchKeyspace()
	const n = 1 << 20
	loadKeys(ks, n, 0)
	db := ks.DB(0)
	keys := make([][]byte, 4096)
	for i := range keys {
		keys[i] = benchKey(nil, (i*7919)%n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := db.Lookup(keys[i&4095]); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkSetString(b *testing.B) {
	for _, c := range []struct {
		name string
		val  []byte
	}{{"same-size", []byte("xxx")}, {"size-changes", nil}} {
		b.Run(c.name, func(b *testing.B) {
			ks := benchKeyspace()
			const n = 1 << 20
			loadKeys(ks, n, 0)
			db := ks.DB(0)
			keys := make([][]byte, 4096)
			for i := range keys {
				keys[i] = benchKey(nil, (i*7919)%n)
			}
			vals := [][]byte{[]byte("xxx"), []byte("yyyyyyy")}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v := c.val
				if v == nil {
					v = vals[i&1]
				}
				db.SetString(keys[i&4095], v, 0, false)
				ks.CommandDone()
			}
		})
	}
}

func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkMemoryPerKey loads 1M redis-benchmark style keys ("key:000000123", 3-byte values)
// and reports heap bytes per key (and RSS growth per key), with and without a TTL, next to a
// map[string][]byte for comparison. Run with -benchtime=1x.
func BenchmarkMemoryPerKey(b *testing.B) {
	const n = 1_000_000
	for _, c := range []struct {
		name string
		ttl  int64
	}{{"no-ttl", 0}, {"ttl", 1 << 50}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				h0, r0 := heapInUse(), vmRSS()
				ks := New(Options{Seed: 1})
				loadKeys(ks, n, c.ttl)
				h1, r1 := heapInUse(), vmRSS()
				b.ReportMetric(float64(h1-h0)/n, "heap-B/key")
				b.ReportMetric(float64(r1-r0)/n, "rss-B/key")
				b.ReportMetric(float64(ks.UsedMemory())/n, "used-B/key")
				runtime.KeepAlive(ks)
			}
		})
	}
	b.Run("map-baseline", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			h0 := heapInUse()
			m := make(map[string][]byte)
			var kb []byte
			for j := 0; j < n; j++ {
				kb = benchKey(kb, j)
				m[string(kb)] = []byte("xxx")
			}
			h1 := heapInUse()
			b.ReportMetric(float64(h1-h0)/n, "heap-B/key")
			runtime.KeepAlive(m)
		}
	})
}

func ExampleDB_Scan() {
	ks := New(Options{Databases: 1})
	db := ks.DB(0)
	for i := 0; i < 100; i++ {
		db.SetString(fmt.Appendf(nil, "k%d", i), []byte("v"), 0, false)
	}
	n := 0
	for cursor := uint64(0); ; {
		cursor = db.Scan(cursor, 10, func([]byte) { n++ })
		if cursor == 0 {
			break
		}
	}
	fmt.Println(n)
	// Output: 100
}

// BenchmarkChurn overwrites random keys of 1M with values whose size changes, so dead bytes
// spread over the whole arena and compaction has to move live entries; it reports the arena
// held per live byte at the end.
func BenchmarkChurn(b *testing.B) {
	ks := benchKeyspace()
	const n = 1_000_000
	loadKeys(ks, n, 0)
	db := ks.DB(0)
	vals := [][]byte{[]byte("xxx"), []byte("yyyyyyyyyyyy")}
	var kb []byte
	rng := uint64(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rng = rng*6364136223846793005 + 1442695040888963407
		kb = benchKey(kb, int(rng>>33)%n)
		db.SetString(kb, vals[i&1], 0, false)
		ks.CommandDone()
	}
	b.StopTimer()
	m := ks.MemoryStats()
	b.ReportMetric(float64(m.ArenaCap+m.Spare)/float64(m.Entries), "arena/live")
	b.ReportMetric(float64(m.Dead)/float64(m.ArenaCap), "dead/arena")
}
