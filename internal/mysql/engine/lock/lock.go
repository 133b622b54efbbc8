package lock

import (
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// Errors of lock requests.
var (
	ErrTimeout  = errors.New("lock: wait timeout")
	ErrDeadlock = errors.New("lock: deadlock")
)

// Mode is a lock mode.
type Mode uint8

// Lock modes.
const (
	Shared Mode = iota + 1
	Exclusive
)

// Key names a locked thing: a table and a key of its clustered index.
type Key string

// MakeKey builds the lock key of a row.
func MakeKey(table uint64, key []byte) Key {
	b := make([]byte, 8, 8+len(key))
	binary.BigEndian.PutUint64(b, table)
	return Key(append(b, key...))
}

type holder struct {
	txn  uint64
	mode Mode
}

type rowLock struct {
	holders []holder
	waiters int
	// changed is closed (and replaced) whenever a holder leaves.
	changed chan struct{}
}

// Table is the lock table of one engine.
type Table struct {
	mu struct {
		sync.Mutex
		locks    map[Key]*rowLock
		waitsFor map[uint64]*rowLock // transaction → the lock it waits for
	}
	waits, deadlocks, timeouts uint64
}

// New makes an empty lock table.
func New() *Table {
	t := &Table{}
	t.mu.locks = map[Key]*rowLock{}
	t.mu.waitsFor = map[uint64]*rowLock{}
	return t
}

// grantable reports whether txn may hold l in mode now.
func (l *rowLock) grantable(txn uint64, mode Mode) bool {
	for _, h := range l.holders {
		if h.txn == txn {
			continue
		}
		if mode == Exclusive || h.mode == Exclusive {
			return false
		}
	}
	return true
}

// grant records txn as a holder; it reports whether txn is new to this lock.
func (l *rowLock) grant(txn uint64, mode Mode) bool {
	for i, h := range l.holders {
		if h.txn == txn {
			if mode > h.mode {
				l.holders[i].mode = mode
			}
			return false
		}
	}
	l.holders = append(l.holders, holder{txn, mode})
	return true
}

// deadlockLocked reports whether txn waiting for l would close a cycle.
func (t *Table) deadlockLocked(txn uint64, l *rowLock) bool {
	seen := map[*rowLock]bool{}
	var reaches func(l *rowLock) bool
	reaches = func(l *rowLock) bool {
		if seen[l] {
			return false
		}
		seen[l] = true
		for _, h := range l.holders {
			if h.txn == txn {
				continue // its own hold on the lock it asks for
			}
			w, ok := t.mu.waitsFor[h.txn]
			if !ok {
				continue
			}
			for _, hh := range w.holders {
				if hh.txn == txn {
					return true
				}
			}
			if reaches(w) {
				return true
			}
		}
		return false
	}
	return reaches(l)
}

// Acquire takes key in mode for txn, waiting up to timeout for other
// holders. It reports whether txn newly holds the key (the caller remembers
// it for Release) and whether it had to wait (the row may have changed).
func (t *Table) Acquire(txn uint64, key Key, mode Mode, timeout time.Duration) (added, waited bool, err error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	t.mu.Lock()
	for {
		l, ok := t.mu.locks[key]
		if !ok {
			l = &rowLock{changed: make(chan struct{})}
			t.mu.locks[key] = l
		}
		if l.grantable(txn, mode) {
			added = l.grant(txn, mode)
			t.mu.Unlock()
			return added, waited, nil
		}
		if t.deadlockLocked(txn, l) {
			t.deadlocks++
			t.mu.Unlock()
			return false, waited, ErrDeadlock
		}
		if !waited {
			t.waits++
		}
		waited = true
		t.mu.waitsFor[txn] = l
		l.waiters++
		ch := l.changed
		t.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(timeout)
		}
		timedOut := false
		select {
		case <-ch:
		case <-timer.C:
			timedOut = true
		}
		t.mu.Lock()
		delete(t.mu.waitsFor, txn)
		l.waiters--
		if l.waiters == 0 && len(l.holders) == 0 && t.mu.locks[key] == l {
			delete(t.mu.locks, key)
		}
		if timedOut {
			t.timeouts++
			t.mu.Unlock()
			return false, true, ErrTimeout
		}
	}
}

// Release drops txn's locks on keys and wakes their waiters.
func (t *Table) Release(txn uint64, keys []Key) {
	if len(keys) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		l, ok := t.mu.locks[k]
		if !ok {
			continue
		}
		for i, h := range l.holders {
			if h.txn == txn {
				l.holders = append(l.holders[:i], l.holders[i+1:]...)
				break
			}
		}
		if l.waiters > 0 {
			close(l.changed)
			l.changed = make(chan struct{})
		} else if len(l.holders) == 0 {
			delete(t.mu.locks, k)
		}
	}
}

// Stats reports waits, deadlocks, timeouts and current locks.
func (t *Table) Stats() (waits, deadlocks, timeouts, current uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.waits, t.deadlocks, t.timeouts, uint64(len(t.mu.locks))
}
