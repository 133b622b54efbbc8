package engine

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"testing"
)

func benchTable(b *testing.B, rows int) (Engine, TableID) {
	e, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	info, err := e.CreateTable(TableSpec{Schema: "s", Name: "t", Indexes: []IndexSpec{{Name: "PRIMARY"}, {Name: "k"}}})
	if err != nil {
		b.Fatal(err)
	}
	val := make([]byte, 180)
	for i := 0; i < rows; i += 1000 {
		tx, _ := e.Begin(context.Background(), TxnOptions{})
		for j := i; j < i+1000 && j < rows; j++ {
			if err := tx.Insert(info.ID, 0, binary.BigEndian.AppendUint64(nil, uint64(j)), val); err != nil {
				b.Fatal(err)
			}
		}
		tx.Commit()
	}
	return e, info.ID
}

// BenchmarkPointGet is sysbench oltp_point_select's engine part: one Get per transaction.
func BenchmarkPointGet(b *testing.B) {
	const rows = 100000
	e, id := benchTable(b, rows)
	var seq atomic.Uint64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := seq.Add(1) * 7919
		var key [8]byte
		for pb.Next() {
			n = n*6364136223846793005 + 1442695040888963407
			binary.BigEndian.PutUint64(key[:], (n>>33)%rows)
			tx, _ := e.Begin(context.Background(), TxnOptions{ReadOnly: true})
			if _, ok, err := tx.Get(id, 0, key[:], LockNone); !ok || err != nil {
				b.Fatal(ok, err)
			}
			tx.Commit()
		}
	})
}

// BenchmarkInsertCommit is sysbench oltp_insert's engine part: one row (and
// a secondary entry) per committed transaction, durable at commit.
func BenchmarkInsertCommit(b *testing.B) {
	e, id := benchTable(b, 0)
	var seq atomic.Uint64
	b.SetParallelism(4) // 8 sessions on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		val := make([]byte, 180)
		for pb.Next() {
			n := seq.Add(1)
			tx, _ := e.Begin(context.Background(), TxnOptions{})
			key := binary.BigEndian.AppendUint64(nil, n)
			if err := tx.Insert(id, 0, key, val); err != nil {
				b.Fatal(err)
			}
			if err := tx.Insert(id, 1, append(binary.BigEndian.AppendUint32(nil, uint32(n%1000)), key...), nil); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
	st := e.Stats()
	b.ReportMetric(float64(st["Innodb_os_log_fsyncs"])/float64(b.N), "fsyncs/op")
}

// BenchmarkScan100 is the engine part of sysbench's range queries: a
// 100-row clustered-index range per transaction.
func BenchmarkScan100(b *testing.B) {
	const rows = 100000
	e, id := benchTable(b, rows)
	var seq atomic.Uint64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := seq.Add(1) * 7919
		for pb.Next() {
			n = n*6364136223846793005 + 1442695040888963407
			start := (n >> 33) % (rows - 100)
			tx, _ := e.Begin(context.Background(), TxnOptions{ReadOnly: true})
			c, err := tx.Scan(id, 0, Bound{Key: binary.BigEndian.AppendUint64(nil, start), Inclusive: true},
				Bound{Key: binary.BigEndian.AppendUint64(nil, start+100)}, false, LockNone)
			if err != nil {
				b.Fatal(err)
			}
			k := 0
			for c.Next() {
				k++
			}
			c.Close()
			tx.Commit()
			if k != 100 {
				b.Fatalf("%d rows", k)
			}
		}
	})
}
