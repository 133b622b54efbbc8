package lock

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestSharedAndExclusive(t *testing.T) {
	lt := New()
	a, b := MakeKey(1, []byte("a")), MakeKey(1, []byte("b"))
	if added, waited, err := lt.Acquire(1, a, Shared, time.Second); !added || waited || err != nil {
		t.Fatal(added, waited, err)
	}
	if _, waited, err := lt.Acquire(2, a, Shared, time.Second); waited || err != nil {
		t.Fatal("shared locks must not conflict", err)
	}
	if _, _, err := lt.Acquire(3, a, Exclusive, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("exclusive over shared: %v", err)
	}
	if added, _, err := lt.Acquire(1, a, Shared, time.Second); added || err != nil {
		t.Fatal("re-acquiring a held lock is not new", added, err)
	}
	if _, _, err := lt.Acquire(1, b, Exclusive, time.Second); err != nil {
		t.Fatal(err)
	}
	// Txn 3 waits for b; releasing it lets 3 in, and 3 sees that it waited.
	done := make(chan error)
	go func() {
		_, waited, err := lt.Acquire(3, b, Exclusive, time.Second)
		if err == nil && !waited {
			err = errors.New("did not wait")
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	lt.Release(1, []Key{a, b})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lt.Release(2, []Key{a})
	lt.Release(3, []Key{b})
	if _, _, _, n := lt.Stats(); n != 0 {
		t.Fatalf("%d locks left", n)
	}
}

func TestDeadlockDetected(t *testing.T) {
	lt := New()
	a, b := MakeKey(1, []byte("a")), MakeKey(1, []byte("b"))
	lt.Acquire(1, a, Exclusive, time.Second)
	lt.Acquire(2, b, Exclusive, time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	var err1 error
	go func() {
		defer wg.Done()
		_, _, err1 = lt.Acquire(1, b, Exclusive, 5*time.Second) // waits for 2
	}()
	time.Sleep(20 * time.Millisecond)
	if _, _, err := lt.Acquire(2, a, Exclusive, 5*time.Second); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("closing the cycle: %v", err)
	}
	lt.Release(2, []Key{b}) // the victim rolls back
	wg.Wait()
	if err1 != nil {
		t.Fatalf("the survivor: %v", err1)
	}
	// Upgrades: two shared holders both asking for exclusive deadlock.
	c := MakeKey(2, []byte("c"))
	lt.Acquire(5, c, Shared, time.Second)
	lt.Acquire(6, c, Shared, time.Second)
	go lt.Acquire(5, c, Exclusive, time.Second)
	time.Sleep(20 * time.Millisecond)
	if _, _, err := lt.Acquire(6, c, Exclusive, time.Second); !errors.Is(err, ErrDeadlock) {
		t.Fatalf("upgrade deadlock: %v", err)
	}
}
