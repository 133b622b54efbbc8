package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// TestFlushPolicies: with innodb_flush_log_at_trx_commit=0 or 2 a commit does
// not fsync the log (2 writes it), and the background flush makes it durable
// within about a second; with 1 every commit is durable when it returns.
func TestFlushPolicies(t *testing.T) {
	for _, setting := range []int{1, 2, 0} {
		t.Run(fmt.Sprint(setting), func(t *testing.T) {
			fs := vfs.NewMem()
			e, err := Open(Options{Dir: "/f", FS: fs, FlushLogAtTrxCommit: FlushPolicyFor(setting), CheckpointInterval: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			d := e.(*db)
			info, _ := e.CreateTable(TableSpec{Schema: "s", Name: "t"})
			before := d.log.Stats.Fsyncs.Load()
			writes := d.log.Stats.Writes.Load()
			var last uint64
			for i := 0; i < 10; i++ {
				tx, _ := e.Begin(context.Background(), TxnOptions{})
				tx.Insert(info.ID, 0, []byte{byte(i)}, []byte("v"))
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				last = d.log.CurrentLSN()
			}
			fsyncs := d.log.Stats.Fsyncs.Load() - before
			switch setting {
			case 1:
				if fsyncs < 10 || d.log.FlushedLSN() < last {
					t.Fatalf("policy 1: %d fsyncs for 10 commits", fsyncs)
				}
				return
			case 2:
				if fsyncs != 0 || d.log.Stats.Writes.Load()-writes < 10 {
					t.Fatalf("policy 2: %d fsyncs, %d writes", fsyncs, d.log.Stats.Writes.Load()-writes)
				}
			case 0:
				if fsyncs != 0 || d.log.Stats.Writes.Load() != writes {
					t.Fatalf("policy 0: %d fsyncs, %d writes", fsyncs, d.log.Stats.Writes.Load()-writes)
				}
			}
			deadline := time.Now().Add(3 * time.Second)
			for d.log.FlushedLSN() < last {
				if time.Now().After(deadline) {
					t.Fatal("the background flush did not make the commits durable")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
