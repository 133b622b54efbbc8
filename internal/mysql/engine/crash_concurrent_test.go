package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// TestCrashConcurrentCommits crashes at every sync point of four sessions
// committing at once (group commit): for each session every transaction
// acknowledged before the crash is present, at most the one in flight
// follows it, and each transaction's two rows are both there or both absent.
func TestCrashConcurrentCommits(t *testing.T) {
	fs := vfs.NewMem()
	opts := Options{Dir: "/cc", FS: fs, BufferPoolSize: 48 * 16384, CheckpointInterval: time.Hour, LogSegmentSize: 32 << 10}
	d, err := open(opts)
	if err != nil {
		t.Fatal(err)
	}
	info, err := d.CreateTable(TableSpec{Schema: "s", Name: "t", Indexes: []IndexSpec{{Name: "PRIMARY"}, {Name: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	const sessions, perSession = 4, 40
	var mu sync.Mutex
	acked := make([]int, sessions) // transactions acknowledged per session
	type image struct {
		fs    *vfs.MemFS
		acked []int
	}
	var images []image
	fs.SetSyncHook(func() {
		mu.Lock()
		a := append([]int(nil), acked...)
		mu.Unlock()
		img := fs.Crash()
		mu.Lock()
		images = append(images, image{img, a})
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for s := 0; s < sessions; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; i < perSession; i++ {
				tx, err := d.Begin(context.Background(), TxnOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				for _, part := range []string{"a", "b"} {
					k := fmt.Sprintf("s%d-%03d-%s", s, i, part)
					if err := tx.Insert(info.ID, 0, []byte(k), []byte(fmt.Sprintf("%0300d", i))); err != nil {
						t.Error(err)
						return
					}
					if err := tx.Insert(info.ID, 1, []byte("x|"+k), nil); err != nil {
						t.Error(err)
						return
					}
				}
				if i == 20 && s == 0 {
					if err := d.Checkpoint(); err != nil {
						t.Error(err)
					}
				}
				if err := tx.Commit(); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[s] = i + 1
				mu.Unlock()
			}
		}(s)
	}
	wg.Wait()
	fs.SetSyncHook(nil)
	d.Close()
	t.Logf("%d crash images", len(images))
	step := 1
	if limit := map[bool]int{false: 80, true: 25}[raceEnabled]; len(images) > limit {
		step = len(images) / limit
	}
	for n := 0; n < len(images); n += step {
		img := images[n]
		o := opts
		o.FS = img.fs
		e, err := Open(o)
		if err != nil {
			t.Fatalf("image %d: %v", n, err)
		}
		if err := Check(e, CheckOptions{PrimaryKeyOf: secondaryPK}); err != nil {
			t.Fatalf("image %d: %v", n, err)
		}
		tx, _ := e.Begin(context.Background(), TxnOptions{})
		for s := 0; s < sessions; s++ {
			present := 0
			for i := 0; i < perSession; i++ {
				_, a, _ := tx.Get(info.ID, 0, []byte(fmt.Sprintf("s%d-%03d-a", s, i)), LockNone)
				_, b, _ := tx.Get(info.ID, 0, []byte(fmt.Sprintf("s%d-%03d-b", s, i)), LockNone)
				if a != b {
					t.Fatalf("image %d: session %d txn %d half there", n, s, i)
				}
				if a {
					if i != present {
						t.Fatalf("image %d: session %d txn %d present after a missing one", n, s, i)
					}
					present++
				}
			}
			if present < img.acked[s] || present > img.acked[s]+1 {
				t.Fatalf("image %d: session %d has %d txns, %d were acknowledged", n, s, present, img.acked[s])
			}
		}
		tx.Rollback()
		e.Close()
	}
}
