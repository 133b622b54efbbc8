package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

func TestRowLocks(t *testing.T) {
	e, err := Open(Options{Dir: "/l", FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info, _ := e.CreateTable(TableSpec{Schema: "s", Name: "t"})
	id := info.ID
	begin := func(timeout time.Duration) Txn {
		tx, err := e.Begin(context.Background(), TxnOptions{LockWaitTimeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	setup := begin(0)
	for _, k := range []string{"a", "b", "c"} {
		setup.Insert(id, 0, []byte(k), []byte("0"))
	}
	setup.Commit()

	// A locking read waits for the writer and then sees its committed value.
	t1 := begin(0)
	if err := t1.Update(id, 0, []byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		t2 := begin(0)
		v, _, err := t2.Get(id, 0, []byte("a"), LockExclusive)
		if err != nil {
			got <- err.Error()
			return
		}
		t2.Update(id, 0, []byte("a"), append(v, '+'))
		t2.Commit()
		got <- string(v)
	}()
	select {
	case v := <-got:
		t.Fatalf("locking read did not wait: %q", v)
	case <-time.After(30 * time.Millisecond):
	}
	t1.Commit()
	if v := <-got; v != "1" {
		t.Fatalf("after the wait the locking read saw %q, want 1", v)
	}

	// A locking scan re-reads a row it had to wait for.
	t3 := begin(0)
	t3.Update(id, 0, []byte("b"), []byte("changed"))
	scanned := make(chan []string)
	go func() {
		t4 := begin(0)
		defer t4.Rollback()
		c, _ := t4.Scan(id, 0, Bound{}, Bound{}, false, LockExclusive)
		var out []string
		for c.Next() {
			out = append(out, string(c.Key())+"="+string(c.Value()))
		}
		if c.Err() != nil {
			out = append(out, c.Err().Error())
		}
		scanned <- out
	}()
	time.Sleep(20 * time.Millisecond)
	t3.Update(id, 0, []byte("b"), []byte("final"))
	t3.Commit()
	if out := <-scanned; len(out) != 3 || out[1] != "b=final" {
		t.Fatalf("locking scan: %v", out)
	}

	// Lock wait timeout.
	t5 := begin(0)
	t5.Delete(id, 0, []byte("c"))
	t6 := begin(20 * time.Millisecond)
	if err := t6.Update(id, 0, []byte("c"), []byte("x")); !errors.Is(err, ErrLockWait) {
		t.Fatalf("wait past the timeout: %v", err)
	}
	t6.Rollback()
	t5.Rollback()

	// Deadlock: the request that closes the cycle fails, the other proceeds.
	t7, t8 := begin(0), begin(0)
	t7.Update(id, 0, []byte("a"), []byte("7"))
	t8.Update(id, 0, []byte("b"), []byte("8"))
	var wg sync.WaitGroup
	wg.Add(1)
	var err7 error
	go func() {
		defer wg.Done()
		err7 = t7.Update(id, 0, []byte("b"), []byte("7"))
	}()
	time.Sleep(20 * time.Millisecond)
	if err := t8.Update(id, 0, []byte("a"), []byte("8")); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("deadlock not detected: %v", err)
	}
	t8.Rollback()
	wg.Wait()
	if err7 != nil {
		t.Fatal(err7)
	}
	t7.Commit()
	tx := begin(0)
	if v, _, _ := tx.Get(id, 0, []byte("b"), LockNone); string(v) != "7" {
		t.Fatalf("b = %q", v)
	}
	tx.Commit()
	if st := e.Stats(); st["Innodb_deadlocks"] != 1 || st["Innodb_row_lock_waits"] < 3 || st["Innodb_row_locks_held"] != 0 {
		t.Fatalf("lock counters: deadlocks %d waits %d held %d", st["Innodb_deadlocks"], st["Innodb_row_lock_waits"], st["Innodb_row_locks_held"])
	}
}
