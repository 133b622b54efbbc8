package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

var errInjected = errors.New("injected I/O error")

// TestIOErrors injects write and fsync failures into the redo log and the
// tablespaces: the failing call reports an error, no commit is acknowledged
// that is not durable, and after a restart every acknowledged commit is there.
func TestIOErrors(t *testing.T) {
	for _, target := range []string{"#ib_redo", ".ibd", ".dblwr"} {
		t.Run(target, func(t *testing.T) {
			mem := vfs.NewMem()
			var failing atomic.Bool
			fs := vfs.ErrorFS{FS: mem, Inject: func(op vfs.Op, path string) error {
				if failing.Load() && strings.Contains(path, target) && (op == vfs.OpWrite || op == vfs.OpSync) {
					return errInjected
				}
				return nil
			}}
			opts := Options{Dir: "/e", FS: fs, BufferPoolSize: 32 * 16384, CheckpointInterval: time.Hour}
			e, err := Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			info, err := e.CreateTable(TableSpec{Schema: "s", Name: "t"})
			if err != nil {
				t.Fatal(err)
			}
			var acked []string
			sawErr, crashed := false, false
			// A failure after a mini-transaction changed pages stops the
			// engine with a panic (it must not go on half done): that is a crash.
			step := func(i int) {
				defer func() {
					if r := recover(); r != nil {
						crashed = true
					}
				}()
				tx, err := e.Begin(context.Background(), TxnOptions{})
				if err != nil {
					sawErr = true
					return
				}
				key := fmt.Sprintf("k%04d", i)
				if err := tx.Insert(info.ID, 0, []byte(key), []byte(strings.Repeat("v", 4000))); err != nil {
					sawErr = true
					tx.Rollback()
					return
				}
				if err := tx.Commit(); err != nil {
					sawErr = true
					return
				}
				acked = append(acked, key)
			}
			for i := 0; i < 300 && !crashed; i++ {
				if i == 100 {
					failing.Store(true)
				}
				step(i)
			}
			if !crashed {
				if err := e.(*db).Checkpoint(); err != nil {
					sawErr = true
				}
			}
			if !sawErr && !crashed {
				t.Fatalf("no error surfaced with failing %s", target)
			}
			t.Logf("%d commits acknowledged, crashed=%v", len(acked), crashed)
			if !crashed {
				e.Close()
			}
			// Restart on the disk as it is (the failing device replaced).
			opts.FS = mem.Crash()
			e, err = Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			tx, _ := e.Begin(context.Background(), TxnOptions{})
			for _, k := range acked {
				if _, ok, err := tx.Get(info.ID, 0, []byte(k), LockNone); !ok || err != nil {
					t.Fatalf("acknowledged commit of %s lost: %v", k, err)
				}
			}
			tx.Rollback()
			if err := Check(e, CheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
