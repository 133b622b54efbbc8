package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// TestConcurrentSessions runs eight sessions of inserts, point reads,
// updates, scans and deletes on disjoint keys with a buffer pool much smaller
// than the data and checkpoints running, then checks every session's rows and
// the whole engine (run it with -race).
func TestConcurrentSessions(t *testing.T) {
	fs := vfs.NewMem()
	opts := Options{Dir: "/c", FS: fs, BufferPoolSize: 64 * 16384, CheckpointInterval: 50 * time.Millisecond, LogSegmentSize: 256 << 10}
	e, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.CreateTable(TableSpec{Schema: "s", Name: "t", Indexes: []IndexSpec{{Name: "PRIMARY"}, {Name: "k"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := info.ID
	const sessions, perSession = 8, 400
	var wg sync.WaitGroup
	errs := make(chan error, sessions)
	for s := 0; s < sessions; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			err := func() error {
				key := func(i int) []byte { return binary.BigEndian.AppendUint32([]byte{byte(s)}, uint32(i)) }
				for i := 0; i < perSession; i++ {
					tx, err := e.Begin(context.Background(), TxnOptions{})
					if err != nil {
						return err
					}
					val := []byte(fmt.Sprintf("session %d row %d %0200d", s, i, i))
					if err := tx.Insert(id, 0, key(i), val); err != nil {
						return err
					}
					if err := tx.Insert(id, 1, append([]byte(fmt.Sprintf("%d|", i%7)), key(i)...), nil); err != nil {
						return err
					}
					if i%3 == 0 && (i/2)%5 != 4 {
						if err := tx.Update(id, 0, key(i/2), []byte("updated")); err != nil {
							return err
						}
					}
					if v, ok, err := tx.Get(id, 0, key(i), LockNone); err != nil || !ok || len(v) == 0 {
						return fmt.Errorf("get own row: %v %v", ok, err)
					}
					if i%5 == 4 {
						if err := tx.Rollback(); err != nil {
							return err
						}
						continue
					}
					if err := tx.Commit(); err != nil {
						return err
					}
					if i%50 == 0 {
						tx, _ := e.Begin(context.Background(), TxnOptions{})
						c, err := tx.Scan(id, 0, Bound{Key: key(0), Inclusive: true}, Bound{Key: key(perSession)}, true, LockNone)
						if err != nil {
							return err
						}
						for c.Next() {
						}
						if err := c.Err(); err != nil {
							return err
						}
						c.Close()
						tx.Commit()
					}
				}
				return nil
			}()
			if err != nil {
				errs <- fmt.Errorf("session %d: %w", s, err)
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := TreeStats(e, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := sessions * perSession * 4 / 5; st.Records != want {
		t.Fatalf("%d rows, want %d", st.Records, want)
	}
	if err := Check(e, CheckOptions{PrimaryKeyOf: func(_ TableInfo, _ int, k []byte) ([]byte, error) {
		for i, b := range k {
			if b == '|' {
				return k[i+1:], nil
			}
		}
		return nil, fmt.Errorf("bad key")
	}}); err != nil {
		t.Fatal(err)
	}
	stats := e.Stats()
	if stats["Innodb_buffer_pool_reads"] == 0 || stats["Innodb_pages_written"] == 0 {
		t.Fatalf("a pool smaller than the data must read and write pages: %v", stats)
	}
	if stats["Innodb_rows_inserted"] != sessions*perSession {
		t.Fatalf("Innodb_rows_inserted = %d", stats["Innodb_rows_inserted"])
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if st2, err := TreeStats(e, id, 0); err != nil || st2.Records != st.Records {
		t.Fatalf("after reopen: %+v %v", st2, err)
	}
}

// TestDDLWithReaders runs dictionary readers against DDL (for -race).
func TestDDLWithReaders(t *testing.T) {
	e, err := Open(Options{Dir: "/ddl", FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info, _ := e.CreateTable(TableSpec{Schema: "s", Name: "t", Indexes: []IndexSpec{{Name: "PRIMARY"}}})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, ti := range e.Tables() {
				_ = len(ti.Meta) + len(ti.Indexes)
			}
			e.Table("s", "t")
			tx, _ := e.Begin(context.Background(), TxnOptions{})
			tx.Get(info.ID, 0, []byte("k"), LockNone)
			tx.Commit()
		}
	}()
	for i := 0; i < 30; i++ {
		if err := e.AlterTableMeta(info.ID, []byte(fmt.Sprint("meta", i))); err != nil {
			t.Fatal(err)
		}
		n, err := e.AddIndex(info.ID, IndexSpec{Name: "i"}, []byte("m"), func(Txn, int) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if err := e.DropIndex(info.ID, n, []byte("m")); err != nil {
			t.Fatal(err)
		}
		if err := e.TruncateTable(info.ID); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-done
	if err := Check(e, CheckOptions{}); err != nil {
		t.Fatal(err)
	}
}
