package keyspace

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// testClock is an injectable clock in unix ms.
type testClock struct{ ms int64 }

func (c *testClock) now() int64 { return c.ms }

func newTestKeyspace(t testing.TB) (*Keyspace, *testClock) {
	t.Helper()
	c := &testClock{ms: 1_700_000_000_000}
	return New(Options{Now: c.now, Seed: 1}), c
}

func mustString(t *testing.T, db *DB, key, want string) {
	t.Helper()
	v, ok := db.Lookup([]byte(key))
	if !ok {
		t.Fatalf("%q: missing, want %q", key, want)
	}
	if v.Type != TypeString || string(v.Str) != want {
		t.Fatalf("%q: got %v %q, want %q", key, v.Type, v.Str, want)
	}
}

func mustAbsent(t *testing.T, db *DB, key string) {
	t.Helper()
	if v, ok := db.Lookup([]byte(key)); ok {
		t.Fatalf("%q: got %q, want absent", key, v.Str)
	}
}

func TestSetLookupDelete(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(0)
	if ks.Len() != 16 {
		t.Fatalf("Len = %d", ks.Len())
	}
	mustAbsent(t, db, "a")
	db.SetString([]byte("a"), []byte("1"), 0, false)
	mustString(t, db, "a", "1")
	db.SetString([]byte("a"), []byte("hello world"), 0, false)
	mustString(t, db, "a", "hello world")
	if db.Len() != 1 {
		t.Fatalf("Len = %d", db.Len())
	}
	if !db.Delete([]byte("a")) || db.Delete([]byte("a")) {
		t.Fatal("Delete")
	}
	mustAbsent(t, db, "a")
	if db.Len() != 0 || ks.UsedMemory() != 0 {
		t.Fatalf("after delete: len %d mem %d", db.Len(), ks.UsedMemory())
	}
	mustAbsent(t, ks.DB(1), "a")
}

func TestExpiry(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	var expired []string
	ks.SetHooks(func(db int, key []byte) { expired = append(expired, fmt.Sprintf("%d %s", db, key)) }, nil)
	db := ks.DB(3)
	db.SetString([]byte("k"), []byte("v"), clk.ms+1000, false)
	if db.ExpiresLen() != 1 {
		t.Fatalf("ExpiresLen = %d", db.ExpiresLen())
	}
	clk.ms += 1000 // expired only when now > expireAt
	mustString(t, db, "k", "v")
	clk.ms++
	mustAbsent(t, db, "k")
	if len(expired) != 1 || expired[0] != "3 k" {
		t.Fatalf("hook calls %v", expired)
	}
	if db.Len() != 0 || db.ExpiresLen() != 0 {
		t.Fatalf("len %d expires %d", db.Len(), db.ExpiresLen())
	}

	// KEEPTTL and overwrite clearing the TTL.
	db.SetString([]byte("k"), []byte("v"), clk.ms+5000, false)
	db.SetString([]byte("k"), []byte("w"), 0, true)
	if v, _ := db.Peek([]byte("k")); v.ExpireAt != clk.ms+5000 {
		t.Fatalf("KEEPTTL lost: %d", v.ExpireAt)
	}
	db.SetString([]byte("k"), []byte("x"), 0, false)
	if v, _ := db.Peek([]byte("k")); v.ExpireAt != 0 || db.ExpiresLen() != 0 {
		t.Fatalf("TTL kept: %d", v.ExpireAt)
	}
	if !db.SetExpire([]byte("k"), clk.ms+10) || db.ExpiresLen() != 1 {
		t.Fatal("SetExpire")
	}
	if !db.Persist([]byte("k")) || db.Persist([]byte("k")) || db.ExpiresLen() != 0 {
		t.Fatal("Persist")
	}
	if db.SetExpire([]byte("nope"), 1) {
		t.Fatal("SetExpire on absent key")
	}
}

func TestActiveExpireCycle(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	n := 0
	ks.SetHooks(func(int, []byte) { n++ }, nil)
	for d := 0; d < 3; d++ {
		db := ks.DB(d)
		for i := 0; i < 1000; i++ {
			ttl := int64(0)
			if i%2 == 0 {
				ttl = clk.ms + 100
			}
			db.SetString(fmt.Appendf(nil, "k%d", i), []byte("v"), ttl, false)
		}
	}
	if got := ks.ActiveExpireCycle(time.Second); got != 0 {
		t.Fatalf("expired %d before the TTL passed", got)
	}
	clk.ms += 101
	got := ks.ActiveExpireCycle(time.Second)
	if got != n || got < 1400 {
		// All volatile keys are expired: sampling repeats until a sample is <= 25% expired,
		// which with every sampled key expired means until the DB has no TTL keys left.
		t.Fatalf("expired %d (hook %d), want about 1500", got, n)
	}
	for d := 0; d < 3; d++ {
		if e := ks.DB(d).ExpiresLen(); e != 0 {
			t.Fatalf("db %d: %d keys with TTL left", d, e)
		}
		if l := ks.DB(d).Len(); l != 500 {
			t.Fatalf("db %d: %d keys left", d, l)
		}
	}
}

func TestRenameSwapFlush(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	db.SetString([]byte("a"), []byte("1"), clk.ms+1000, false)
	db.SetString([]byte("b"), []byte("2"), 0, false)
	if !db.Rename([]byte("a"), []byte("b")) {
		t.Fatal("Rename")
	}
	mustAbsent(t, db, "a")
	mustString(t, db, "b", "1")
	if v, _ := db.Peek([]byte("b")); v.ExpireAt != clk.ms+1000 || db.ExpiresLen() != 1 || db.Len() != 1 {
		t.Fatalf("rename lost TTL: %+v", v)
	}
	if db.Rename([]byte("a"), []byte("c")) {
		t.Fatal("Rename of an absent key")
	}
	if !db.Rename([]byte("b"), []byte("b")) {
		t.Fatal("Rename to itself")
	}
	d1 := ks.DB(1)
	d1.SetString([]byte("x"), []byte("y"), 0, false)
	ks.Swap(0, 1)
	if ks.DB(0) != db || db.Index() != 0 || d1.Index() != 1 {
		t.Fatal("Swap moved the DB handles")
	}
	mustString(t, db, "x", "y")
	mustString(t, d1, "b", "1")
	mustAbsent(t, db, "b")
	ks.FlushAll()
	if db.Len()+d1.Len() != 0 || ks.UsedMemory() != 0 {
		t.Fatal("FlushAll")
	}
}

func TestStringEncoding(t *testing.T) {
	for _, c := range []struct{ v, enc string }{
		{"0", "int"}, {"123", "int"}, {"-5", "int"}, {"9223372036854775807", "int"},
		{"-9223372036854775808", "int"}, {"9223372036854775808", "embstr"}, {"-0", "embstr"},
		{"01", "embstr"}, {"+1", "embstr"}, {" 1", "embstr"}, {"", "embstr"}, {"abc", "embstr"},
		{string(make([]byte, 44)), "embstr"}, {string(make([]byte, 45)), "raw"},
	} {
		ks, _ := newTestKeyspace(t)
		db := ks.DB(0)
		db.SetString([]byte("k"), []byte(c.v), 0, false)
		v, _ := db.Peek([]byte("k"))
		if got := v.Encoding(); got != c.enc {
			t.Errorf("%q: encoding %s, want %s", c.v, got, c.enc)
		}
	}
}

func TestLRUIdleTime(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	db.SetString([]byte("k"), []byte("v"), 0, false)
	clk.ms += 10_500
	if ms, ok := db.IdleTime([]byte("k")); !ok || ms < 10_000 || ms > 11_000 {
		t.Fatalf("idle %d", ms)
	}
	db.Peek([]byte("k"))
	if ms, _ := db.IdleTime([]byte("k")); ms < 10_000 {
		t.Fatalf("Peek touched the clock: idle %d", ms)
	}
	db.Lookup([]byte("k"))
	if ms, _ := db.IdleTime([]byte("k")); ms != 0 {
		t.Fatalf("Lookup did not touch the clock: idle %d", ms)
	}
}

func TestLFUFreq(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	if err := ks.SetMaxmemoryPolicy("allkeys-lfu"); err != nil {
		t.Fatal(err)
	}
	db := ks.DB(0)
	db.SetString([]byte("k"), []byte("v"), 0, false)
	if f, _ := db.Freq([]byte("k")); f != lfuInitVal {
		t.Fatalf("new key freq %d", f)
	}
	for range 1000 {
		db.Lookup([]byte("k"))
	}
	f, _ := db.Freq([]byte("k"))
	// With lfu-log-factor 10, 1000 hits give a counter of about 18 (Redis' table: 100 hits
	// -> ~10, 1000 -> ~18).
	if f < 12 || f > 25 {
		t.Fatalf("freq after 1000 hits: %d", f)
	}
	clk.ms += 3 * 60_000 // decay: one step per minute
	if g, _ := db.Freq([]byte("k")); g != f-3 {
		t.Fatalf("freq after 3 minutes: %d, want %d", g, f-3)
	}
	// Overwrite keeps the LFU counter under an LFU policy.
	db.SetString([]byte("k"), []byte("w"), 0, false)
	if g, _ := db.Freq([]byte("k")); g != f-3 {
		t.Fatalf("freq after overwrite: %d, want %d", g, f-3)
	}
}

func TestEvict(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	var evicted []string
	ks.SetHooks(nil, func(db int, key []byte) { evicted = append(evicted, string(key)) })
	db := ks.DB(0)
	for i := 0; i < 100; i++ {
		db.SetString(fmt.Appendf(nil, "k%03d", i), []byte("v"), 0, false)
		clk.ms += 1000
	}
	if _, err := ks.Evict(1); err != ErrNoEvictable {
		t.Fatalf("noeviction: %v", err)
	}
	if err := ks.SetMaxmemoryPolicy("volatile-lru"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Evict(1); err != ErrNoEvictable {
		t.Fatalf("volatile-lru without TTL keys: %v", err)
	}
	if err := ks.SetMaxmemoryPolicy("allkeys-lru"); err != nil {
		t.Fatal(err)
	}
	before := ks.UsedMemory()
	freed, err := ks.Evict(before / 2)
	if err != nil || freed < before/2 || ks.UsedMemory() != before-freed {
		t.Fatalf("freed %d of %d: %v (used %d)", freed, before, err, ks.UsedMemory())
	}
	if len(evicted) == 0 || db.Len() != 100-len(evicted) {
		t.Fatalf("evicted %d, len %d", len(evicted), db.Len())
	}
	// Sampling prefers old keys: the average evicted key is older than the average key.
	sum := 0
	for _, k := range evicted {
		var i int
		fmt.Sscanf(k, "k%d", &i)
		sum += i
	}
	if avg := sum / len(evicted); avg >= 50 {
		t.Fatalf("allkeys-lru evicted keys of average age index %d", avg)
	}
	if err := ks.SetMaxmemoryPolicy("bogus"); err != ErrUnknownPolicy {
		t.Fatal(err)
	}
}

func TestEvictPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-lfu", "volatile-lfu", "volatile-ttl", "volatile-lru", "allkeys-random", "volatile-random"} {
		t.Run(policy, func(t *testing.T) {
			ks, clk := newTestKeyspace(t)
			if err := ks.SetMaxmemoryPolicy(policy); err != nil {
				t.Fatal(err)
			}
			var evicted []int
			ks.SetHooks(nil, func(db int, key []byte) {
				var i int
				fmt.Sscanf(string(key), "k%d", &i)
				evicted = append(evicted, i)
			})
			// Keys 0..199 in two DBs; even keys have a TTL that grows with i; key i was
			// read i times, so low numbers are the least frequently used.
			for d := 0; d < 2; d++ {
				db := ks.DB(d)
				for i := 0; i < 200; i++ {
					ttl := int64(0)
					if i%2 == 0 {
						ttl = clk.ms + 1_000_000 + int64(i)*1000
					}
					k := fmt.Appendf(nil, "k%03d", i)
					db.SetString(k, []byte("value"), ttl, false)
					for j := 0; j < i; j++ {
						db.Lookup(k)
					}
				}
			}
			clk.ms += 1000
			used := ks.UsedMemory()
			freed, err := ks.Evict(used / 4)
			if err != nil || freed < used/4 || ks.UsedMemory() != used-freed {
				t.Fatalf("freed %d of %d: %v", freed, used, err)
			}
			sum := 0
			for j, i := range evicted {
				if j < 20 {
					sum += i
				}
				if strings.HasPrefix(policy, "volatile") && i%2 != 0 {
					t.Fatalf("%s evicted k%d without a TTL", policy, i)
				}
			}
			avg := sum / 20 // of the first 20 evicted; random choice averages about 100
			if policy != "allkeys-random" && policy != "volatile-random" && policy != "volatile-lru" && avg > 60 {
				// LFU evicts rarely read keys, TTL the soonest to expire: low numbers.
				t.Fatalf("%s evicted keys averaging %d: %v", policy, avg, evicted)
			}
			for d := 0; d < 2; d++ {
				if err := ks.DB(d).check(); err != nil {
					t.Fatal(err)
				}
			}
			if strings.HasPrefix(policy, "volatile") {
				// Evicting all the volatile keys, then nothing is left to evict.
				_, err := ks.Evict(1 << 40)
				if err != ErrNoEvictable || ks.DB(0).ExpiresLen()+ks.DB(1).ExpiresLen() != 0 {
					t.Fatalf("err %v, %d volatile keys left", err, ks.DB(0).ExpiresLen())
				}
				if ks.DB(0).Len() != 100 {
					t.Fatalf("%d keys left, want the 100 without TTL", ks.DB(0).Len())
				}
			}
		})
	}
}

func TestMemoryUsageAndHooks(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	var expired []string
	ks.SetHooks(func(_ int, key []byte) { expired = append(expired, string(key)) }, nil)
	db.SetString([]byte("k"), []byte("v"), 0, false)
	m1, ok := db.MemoryUsage([]byte("k"))
	if !ok || m1 <= 0 {
		t.Fatal(m1, ok)
	}
	db.SetString([]byte("k"), make([]byte, 1000), 0, false)
	if m2, _ := db.MemoryUsage([]byte("k")); m2 < m1+990 {
		t.Fatalf("MemoryUsage %d after a 1000-byte value (was %d)", m2, m1)
	}
	o := &testObj{typ: TypeHash, size: 500}
	db.SetObject([]byte("h"), o)
	used := ks.UsedMemory()
	o.size = 5000
	db.Modified([]byte("h"))
	if d := ks.UsedMemory() - used; d != 4500 {
		t.Fatalf("Modified changed used memory by %d", d)
	}
	if v, ok := db.Lookup([]byte("h")); !ok || v.Type != TypeHash || v.Encoding() != "listpack" || v.Type.String() != "hash" {
		t.Fatalf("%+v", v)
	}
	// An expired key is absent for every accessor and expires once.
	db.SetExpire([]byte("h"), clk.ms+1)
	clk.ms += 2
	if _, ok := db.MemoryUsage([]byte("h")); ok {
		t.Fatal("expired key has a memory usage")
	}
	if _, ok := db.IdleTime([]byte("h")); ok || db.Delete([]byte("h")) || len(expired) != 1 {
		t.Fatalf("expired key still visible, hooks %v", expired)
	}
	if k, ok := db.RandomKey(); !ok || string(k) != "k" {
		t.Fatalf("RandomKey %q", k)
	}
}

// TestStrStableUntilCommandDone: a Value.Str survives writes to other keys that compact and
// release the chunk it points into; reuse of released chunks waits for CommandDone.
func TestStrStableUntilCommandDone(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	ks.chunkCap = 4096
	db := ks.DB(0)
	db.s = newStore(ks.chunkCap)
	want := []byte("the value of key a, long enough to matter")
	db.SetString([]byte("a"), want, 0, false)
	v, _ := db.Lookup([]byte("a"))
	released := 0
	for round := 0; round < 50; round++ {
		for i := 0; i < 200; i++ {
			db.SetString(fmt.Appendf(nil, "k%d", i), fmt.Appendf(nil, "%0*d", 10+round%7, i), 0, false)
		}
		db.Delete([]byte("a")) // kill a's entry too; round 0 only
		released = max(released, len(db.s.quarantine))
		if string(v.Str) != string(want) {
			t.Fatalf("round %d: Str changed to %q", round, v.Str)
		}
	}
	if released == 0 || len(db.s.spare) != 0 {
		t.Fatalf("no chunk released (%d) or reused before CommandDone (%d spare)", released, len(db.s.spare))
	}
	ks.CommandDone()
	if len(db.s.spare) == 0 || len(db.s.quarantine) != 0 {
		t.Fatal("CommandDone did not make the released chunks reusable")
	}
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestCycleFinishesResize: without further writes, the cron's expire cycle completes an
// incremental resize of the index.
func TestCycleFinishesResize(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(0)
	db.s.growSync = 16
	for i := 0; db.s.old == nil || i < 100; i++ {
		db.SetString(fmt.Appendf(nil, "k%d", i), []byte("v"), 0, false)
		if i > 100000 {
			t.Fatal("no incremental resize started")
		}
	}
	if db.s.old == nil {
		t.Fatal("resize finished by inserts alone; test needs a bigger table")
	}
	ks.ActiveExpireCycle(time.Second)
	if db.s.old != nil {
		t.Fatal("resize still in progress after a cycle")
	}
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestScratchAndSetInline builds an inline value in the scratch buffer and stores it: the
// arena holds a copy, so reusing the buffer changes nothing stored.
func TestScratchAndSetInline(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	b := append(ks.Scratch(3), "abc"...)
	if c := ks.Scratch(1000); cap(c) < 1000 || len(c) != 0 {
		t.Fatalf("Scratch(1000): len %d cap %d", len(c), cap(c))
	}
	db.SetInline([]byte("k"), TypeHash, b, testUnpacker{}, false)
	db.SetExpire([]byte("k"), clk.ms+100)
	s := append(ks.Scratch(3), "xyzw"...)
	db.SetInline([]byte("k"), TypeHash, s, testUnpacker{}, true)
	copy(s, "####")
	v, ok := db.Lookup([]byte("k"))
	if !ok || string(v.Inline) != "xyzw" || v.ExpireAt != clk.ms+100 || v.Type != TypeHash {
		t.Fatalf("%+v %v", v, ok)
	}
	db.SetInline([]byte("k"), TypeHash, []byte("q"), testUnpacker{}, false)
	if v, _ := db.Peek([]byte("k")); v.ExpireAt != 0 || string(v.Inline) != "q" {
		t.Fatalf("%+v", v)
	}
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteHint: the slot remembered from a lookup is only a hint. After the key moved
// or another key took its slot (delete, swap, flush, resize), a write finds the right one.
func TestWriteHint(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(0)
	db.SetString([]byte("a"), []byte("1"), 0, false)
	db.Lookup([]byte("a"))
	db.Delete([]byte("a"))
	db.SetString([]byte("b"), []byte("2"), 0, false) // may take a's old slot
	db.SetString([]byte("a"), []byte("3"), 0, false)
	for i := 0; i < 2000; i++ { // grows the table: slots move
		db.SetString(fmt.Appendf(nil, "k%d", i), []byte("x"), 0, false)
		if i%100 == 0 {
			db.Lookup([]byte("a"))
		}
	}
	db.SetString([]byte("a"), []byte("4"), 0, false)
	ks.DB(1).SetString([]byte("a"), []byte("other"), 0, false)
	db.Lookup([]byte("a"))
	ks.Swap(0, 1)
	db.SetString([]byte("a"), []byte("5"), 0, false) // db 0 now holds db 1's contents
	for k, want := range map[string]string{"a": "5", "b": ""} {
		v, ok := db.Peek([]byte(k))
		if string(v.Str) != want || ok != (want != "") {
			t.Fatalf("db 0 %s = %q %v, want %q", k, v.Str, ok, want)
		}
	}
	if v, _ := ks.DB(1).Peek([]byte("a")); string(v.Str) != "4" {
		t.Fatalf("db 1 a = %q", v.Str)
	}
	if v, _ := ks.DB(1).Peek([]byte("b")); string(v.Str) != "2" {
		t.Fatalf("db 1 b = %q", v.Str)
	}
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestIncrBy(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	k := []byte("n")
	incr := func(d int64) (string, IncrStatus) {
		b, st := db.IncrBy(k, d, nil)
		return string(b), st
	}
	for _, c := range []struct {
		delta int64
		want  string
	}{{1, "1"}, {8, "9"}, {1, "10"}, {-20, "-10"}, {10, "0"}, {-1, "-1"}, {1, "0"}} {
		if got, st := incr(c.delta); st != IncrOK || got != c.want {
			t.Fatalf("IncrBy(%d) = %q %d, want %q", c.delta, got, st, c.want)
		}
		mustString(t, db, "n", c.want)
		if v, _ := db.Peek(k); v.Encoding() != "int" {
			t.Fatalf("%q: encoding %s", c.want, v.Encoding())
		}
	}
	if db.Len() != 1 {
		t.Fatalf("Len = %d", db.Len())
	}

	// The TTL is kept, in place and when the length changes; an expired key counts as 0.
	at := clk.ms + 1000
	db.SetString(k, []byte("98"), at, false)
	for _, want := range []string{"99", "100"} {
		if got, st := incr(1); st != IncrOK || got != want {
			t.Fatalf("got %q %d, want %q", got, st, want)
		}
		if v, _ := db.Peek(k); v.ExpireAt != at {
			t.Fatalf("%s: expireAt %d, want %d", want, v.ExpireAt, at)
		}
	}
	clk.ms = at + 1
	if got, st := incr(5); st != IncrOK || got != "5" {
		t.Fatalf("after expiry: %q %d", got, st)
	}
	if v, _ := db.Peek(k); v.ExpireAt != 0 || db.ExpiresLen() != 0 {
		t.Fatalf("expireAt %d, expires %d", v.ExpireAt, db.ExpiresLen())
	}

	// Failures leave the value alone.
	for _, c := range []struct {
		val   string
		delta int64
		st    IncrStatus
	}{
		{"9223372036854775807", 1, IncrOverflow}, {"-9223372036854775808", -1, IncrOverflow},
		{"abc", 1, IncrNotInt}, {"01", 1, IncrNotInt}, {"-0", 1, IncrNotInt}, {" 1", 1, IncrNotInt},
		{"", 1, IncrNotInt}, {"9223372036854775808", 0, IncrNotInt},
	} {
		db.SetString(k, []byte(c.val), 0, false)
		if got, st := incr(c.delta); st != c.st {
			t.Fatalf("%q + %d: %q %d, want status %d", c.val, c.delta, got, st, c.st)
		}
		mustString(t, db, "n", c.val)
	}
	db.SetString(k, []byte("9223372036854775806"), 0, false)
	if got, st := incr(1); st != IncrOK || got != "9223372036854775807" {
		t.Fatalf("to max: %q %d", got, st)
	}
	db.SetString(k, []byte("-9223372036854775807"), 0, false)
	if got, st := incr(-1); st != IncrOK || got != "-9223372036854775808" {
		t.Fatalf("to min: %q %d", got, st)
	}
	db.SetInline(k, TypeHash, []byte("x"), testUnpacker{}, false)
	if _, st := incr(1); st != IncrWrongType {
		t.Fatalf("inline hash: status %d", st)
	}
	db.SetObject(k, &testObj{typ: TypeSet, size: 10})
	if _, st := incr(1); st != IncrWrongType {
		t.Fatalf("set: status %d", st)
	}
	if err := db.check(); err != nil {
		t.Fatal(err)
	}
}

func TestReadModeCountsHitsAndMisses(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(3)
	var missed []string
	ks.SetAccessHooks(func(db int, key []byte) { missed = append(missed, fmt.Sprintf("%d %s", db, key)) }, nil)
	db.SetString([]byte("a"), []byte("1"), 0, false)
	db.SetString([]byte("e"), []byte("1"), clk.ms+10, false)

	// Off: nothing counts.
	db.Lookup([]byte("a"))
	db.Lookup([]byte("nokey"))
	if h, m := ks.ReadStats(); h != 0 || m != 0 || len(missed) != 0 {
		t.Fatalf("mode off: hits %d misses %d missed %v", h, m, missed)
	}

	if prev := ks.SetReadMode(Reads); prev != 0 {
		t.Fatalf("previous mode %d", prev)
	}
	db.Lookup([]byte("a"))
	db.LookupInline([]byte("a"))
	db.Peek([]byte("a"))
	db.Lookup([]byte("b"))
	db.Peek([]byte("c"))
	clk.ms += 20
	db.LookupInline([]byte("e")) // expired lazily: a miss
	// Other lookups never count.
	db.IdleTime([]byte("a"))
	db.MemoryUsage([]byte("zz"))
	db.Delete([]byte("zz"))
	if h, m := ks.ReadStats(); h != 3 || m != 3 {
		t.Fatalf("hits %d misses %d, want 3 3", h, m)
	}
	if got := strings.Join(missed, ","); got != "3 b,3 c,3 e" {
		t.Fatalf("missed %q", got)
	}

	// Counting without notifying (OBJECT's lookups).
	ks.SetReadMode(ReadsCount)
	db.Peek([]byte("d"))
	db.Peek([]byte("a"))
	if h, m := ks.ReadStats(); h != 4 || m != 4 || len(missed) != 3 {
		t.Fatalf("ReadsCount: hits %d misses %d missed %v", h, m, missed)
	}
	ks.SetReadMode(0)
	ks.ResetStats()
	if h, m := ks.ReadStats(); h != 0 || m != 0 {
		t.Fatalf("after reset: %d %d", h, m)
	}
}

func TestNewKeyHook(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(1)
	var added []string
	ks.SetAccessHooks(nil, func(db int, key []byte) { added = append(added, fmt.Sprintf("%d %s", db, key)) })
	expect := func(want string) {
		t.Helper()
		if got := strings.Join(added, ","); got != want {
			t.Fatalf("new keys %q, want %q", got, want)
		}
		added = added[:0]
	}
	db.SetString([]byte("s"), []byte("1"), 0, false)
	expect("1 s")
	db.SetString([]byte("s"), []byte("2"), 0, false)            // in place
	db.SetString([]byte("s"), []byte("longer"), 0, false)       // new entry, same key
	db.SetStringRaw([]byte("s"), []byte("x"), 0, true)          // overwrite
	db.SetObject([]byte("s"), &testObj{typ: TypeList, size: 8}) // overwrite with an Object
	db.IncrBy([]byte("s2"), 1, nil)                             // added
	db.IncrBy([]byte("s2"), 1, nil)                             // in place
	db.IncrBy([]byte("s2"), 1000, nil)                          // longer: rewritten
	db.SetInline([]byte("h"), TypeHash, []byte("x"), testUnpacker{}, false)
	expect("1 s2,1 h")

	db.SetString([]byte("e"), []byte("1"), clk.ms+10, false)
	expect("1 e")
	clk.ms += 20
	db.SetString([]byte("e"), []byte("2"), 0, false) // the old one expired: added again
	expect("1 e")

	db.Rename([]byte("e"), []byte("f")) // to was absent
	db.Rename([]byte("f"), []byte("s")) // to existed: Redis deletes it and adds it again
	db.Rename([]byte("s"), []byte("s")) // same key: nothing
	db.Rename([]byte("nokey"), []byte("x"))
	expect("1 f,1 s")

	db.SetExpire([]byte("s"), clk.ms+1000) // rewrites the entry with a TTL: not an addition
	db.Delete([]byte("s"))
	expect("")
}

func TestExpireStats(t *testing.T) {
	ks, clk := newTestKeyspace(t)
	db := ks.DB(0)
	for i := 0; i < 100; i++ {
		db.SetString(fmt.Appendf(nil, "k%d", i), []byte("v"), clk.ms+100, false)
	}
	ks.ActiveExpireCycle(time.Second) // nothing due: 0% stale
	if st := ks.ExpireStats(); st.StaleRatio != 0 || st.TimeCapReached != 0 {
		t.Fatalf("before expiry: %+v", st)
	}
	clk.ms += 101
	// Every sampled key is expired: this cycle's ratio is 1, averaged in at 5%.
	if got := ks.ActiveExpireCycle(time.Second); got != 100 {
		t.Fatalf("expired %d", got)
	}
	st := ks.ExpireStats()
	if st.StaleRatio < 0.0499 || st.StaleRatio > 0.0501 || st.TimeCapReached != 0 || st.CycleTime <= 0 {
		t.Fatalf("after expiry: %+v", st)
	}
	ks.ActiveExpireCycle(time.Second) // nothing left: the estimate decays
	if r := ks.ExpireStats().StaleRatio; r < 0.0474 || r > 0.0476 {
		t.Fatalf("decayed ratio %v, want 0.0475", r)
	}

	// A cycle out of budget counts as reaching the time cap and resumes at the same DB.
	for i := 0; i < 1000; i++ {
		db.SetString(fmt.Appendf(nil, "t%d", i), []byte("v"), clk.ms+1, false)
	}
	clk.ms += 2
	ks.ActiveExpireCycle(0)
	if st := ks.ExpireStats(); st.TimeCapReached != 1 {
		t.Fatalf("time cap: %+v", st)
	}
	ks.ResetStats()
	if st := ks.ExpireStats(); st != (ExpireStats{}) {
		t.Fatalf("after ResetStats: %+v", st)
	}
}
