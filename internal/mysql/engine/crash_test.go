package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// secondaryPK is the test tables' secondary key convention: "<value prefix>|<pk>".
func secondaryPK(_ TableInfo, _ int, key []byte) ([]byte, error) {
	i := bytes.IndexByte(key, '|')
	if i < 0 {
		return nil, fmt.Errorf("secondary key %q has no primary key", key)
	}
	return key[i+1:], nil
}

type crashImage struct {
	fs        *vfs.MemFS
	committed int // transactions whose Commit had returned
	ddl       int // DDL steps on table t2 that had returned
}

// crashWorkload runs transactions on e and returns the model state after each
// commit (states[c] = rows after c commits). Every index-0 row r also has a
// secondary entry "<first byte of value>|r".
func crashWorkload(t *testing.T, d *db, commits, ddl *int, mu *sync.Mutex, seed uint64) []map[string]string {
	ctx := context.Background()
	if err := d.CreateSchema("s"); err != nil {
		t.Fatal(err)
	}
	info, err := d.CreateTable(TableSpec{Schema: "s", Name: "t", Indexes: []IndexSpec{{Name: "PRIMARY", Unique: true}, {Name: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := info.ID
	rng := rand.New(rand.NewPCG(seed, 7))
	model := map[string]string{}
	states := []map[string]string{maps.Clone(model)}
	put := func(tx Txn, m map[string]string, key, val string) error {
		if old, ok := m[key]; ok {
			if err := tx.Delete(id, 1, []byte(old[:1]+"|"+key)); err != nil {
				return err
			}
			if err := tx.Update(id, 0, []byte(key), []byte(val)); err != nil {
				return err
			}
		} else if err := tx.Insert(id, 0, []byte(key), []byte(val)); err != nil {
			return err
		}
		m[key] = val
		return tx.Insert(id, 1, []byte(val[:1]+"|"+key), nil)
	}
	del := func(tx Txn, m map[string]string, key string) error {
		old, ok := m[key]
		if !ok {
			return nil
		}
		if err := tx.Delete(id, 1, []byte(old[:1]+"|"+key)); err != nil {
			return err
		}
		delete(m, key)
		return tx.Delete(id, 0, []byte(key))
	}
	for i := 0; i < 60; i++ {
		tx, err := d.Begin(ctx, TxnOptions{})
		if err != nil {
			t.Fatal(err)
		}
		next := maps.Clone(model)
		for j := 0; j < 1+rng.IntN(6); j++ {
			key := fmt.Sprintf("r%03d", rng.IntN(80))
			var err error
			switch rng.IntN(5) {
			case 0:
				err = del(tx, next, key)
			case 1:
				err = put(tx, next, key, string(rune('a'+rng.IntN(26)))+string(bytes.Repeat([]byte{'x'}, 5000+rng.IntN(30000))))
			default:
				err = put(tx, next, key, fmt.Sprintf("%c-%d-%d", 'a'+rng.IntN(26), i, j))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if rng.IntN(6) == 0 {
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			model = next
			states = append(states, maps.Clone(model))
			mu.Lock()
			*commits = len(states) - 1
			mu.Unlock()
		}
		if i%15 == 7 {
			if err := d.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
		ddlStep := func(n int) {
			mu.Lock()
			*ddl = n
			mu.Unlock()
		}
		switch i {
		case 10: // CREATE TABLE t2 and three committed rows
			info2, err := d.CreateTable(TableSpec{Schema: "s", Name: "t2"})
			if err != nil {
				t.Fatal(err)
			}
			tx, _ := d.Begin(ctx, TxnOptions{})
			for j := 0; j < 3; j++ {
				if err := tx.Insert(info2.ID, 0, []byte{byte(j)}, []byte("row")); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			ddlStep(1)
		case 25:
			info2, _ := d.Table("s", "t2")
			if err := d.TruncateTable(info2.ID); err != nil {
				t.Fatal(err)
			}
			ddlStep(2)
		case 40:
			info2, _ := d.Table("s", "t2")
			if err := d.DropTable(info2.ID); err != nil {
				t.Fatal(err)
			}
			ddlStep(3)
		}
	}
	// Leave one transaction unfinished: its changes must vanish.
	tx, _ := d.Begin(ctx, TxnOptions{})
	for j := 0; j < 5; j++ {
		if err := put(tx, maps.Clone(model), fmt.Sprintf("u%d", j), "zz"); err != nil && !errors.Is(err, ErrDuplicateKey) {
			t.Fatal(err)
		}
	}
	_ = d.log.FlushUpTo(d.log.CurrentLSN(), true)
	return states
}

func rowsOf(t *testing.T, e Engine) map[string]string {
	t.Helper()
	info, ok := e.Table("s", "t")
	if !ok {
		return nil
	}
	tx, err := e.Begin(context.Background(), TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	c, err := tx.Scan(info.ID, 0, Bound{}, Bound{}, false, LockNone)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for c.Next() {
		got[string(c.Key())] = string(c.Value())
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	c, _ = tx.Scan(info.ID, 1, Bound{}, Bound{}, false, LockNone)
	n := 0
	for c.Next() {
		n++
	}
	if n != len(got) {
		t.Fatalf("secondary index has %d entries for %d rows", n, len(got))
	}
	return got
}

func sameRows(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCrashAtEverySyncPoint takes a crash image at every fsync of a workload
// (commits, checkpoints, buffer-pool evictions, DDL), recovers each one and
// checks: every transaction committed before the crash is there, nothing of
// an unfinished one is, and the full consistency check passes.
func TestCrashAtEverySyncPoint(t *testing.T) {
	t.Run("unsynced-lost", func(t *testing.T) { testCrash(t, nil) })
	// Unsynced writes partly reach the disk, pages tear: the doublewrite
	// file must repair them.
	rng := rand.New(rand.NewPCG(3, 4))
	t.Run("torn", func(t *testing.T) { testCrash(t, rng.IntN) })
}

func testCrash(t *testing.T, pick func(int) int) {
	fs := vfs.NewMem()
	crash := func() *vfs.MemFS {
		if pick == nil {
			return fs.Crash()
		}
		return fs.CrashTorn(4096, pick)
	}
	opts := Options{Dir: "/data", FS: fs, BufferPoolSize: 32 * 16384, CheckpointInterval: time.Hour, LogSegmentSize: 64 << 10}
	d, err := open(opts)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	commits, ddl := -1, 0
	var images []crashImage
	fs.SetSyncHook(func() {
		mu.Lock()
		c, dd := commits, ddl
		mu.Unlock()
		images = append(images, crashImage{fs: crash(), committed: c, ddl: dd})
	})
	states := crashWorkload(t, d, &commits, &ddl, &mu, 1)
	fs.SetSyncHook(nil)
	images = append(images, crashImage{fs: crash(), committed: len(states) - 1, ddl: 3})
	d.Close()
	t.Logf("%d crash images, %d commits", len(images), len(states)-1)
	step := 1
	if (testing.Short() || raceEnabled) && len(images) > 30 {
		step = len(images) / 30
	}
	for i := 0; i < len(images); i += step {
		img := images[i]
		o := opts
		o.FS = img.fs
		e, err := Open(o)
		if err != nil {
			t.Fatalf("image %d (after %d commits): recovery: %v", i, img.committed, err)
		}
		if err := Check(e, CheckOptions{PrimaryKeyOf: secondaryPK}); err != nil {
			t.Fatalf("image %d: check: %v", i, err)
		}
		got := rowsOf(t, e)
		if img.committed >= 0 {
			ok := sameRows(got, states[img.committed])
			if !ok && img.committed+1 < len(states) {
				ok = sameRows(got, states[img.committed+1])
			}
			if !ok {
				keys := make([]string, 0, len(got))
				for k := range got {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				t.Fatalf("image %d: %d rows after %d commits, want %d (or %d next)", i, len(got), img.committed, len(states[img.committed]), len(states[min(img.committed+1, len(states)-1)]))
			}
		}
		checkDDL(t, i, img, e)
		// The recovered engine takes writes and survives another restart.
		if info, ok := e.Table("s", "t"); ok {
			tx, _ := e.Begin(context.Background(), TxnOptions{})
			if err := tx.Insert(info.ID, 0, []byte("after"), []byte("crash")); err != nil {
				t.Fatalf("image %d: insert after recovery: %v", i, err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatalf("image %d: close: %v", i, err)
		}
	}
}

// checkDDL checks table t2 against the DDL steps that had returned: CREATE
// (3 rows), TRUNCATE (0 rows), DROP (gone, file removed); a step in flight
// may or may not have happened, but never half.
func checkDDL(t *testing.T, i int, img crashImage, e Engine) {
	t.Helper()
	info, exists := e.Table("s", "t2")
	_, statErr := img.fs.Stat("/data/mysql/s/t2.ibd")
	if exists != (statErr == nil) {
		t.Fatalf("image %d: table t2 exists=%v but its file: %v", i, exists, statErr)
	}
	rows := -1
	if exists {
		tx, _ := e.Begin(context.Background(), TxnOptions{})
		c, err := tx.Scan(info.ID, 0, Bound{}, Bound{}, false, LockNone)
		if err != nil {
			t.Fatal(err)
		}
		rows = 0
		for c.Next() {
			rows++
		}
		tx.Rollback()
	}
	ok := false
	switch img.ddl {
	case 0:
		ok = !exists || rows == 0 || rows == 3
	case 1:
		ok = rows == 3 || rows == 0
	case 2:
		ok = rows == 0 || !exists
	case 3:
		ok = !exists
	}
	if !ok {
		t.Fatalf("image %d: after DDL step %d, t2 exists=%v rows=%d", i, img.ddl, exists, rows)
	}
}
