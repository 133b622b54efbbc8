package keyspace

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"time"
)

// Type is the type of a value as TYPE and SCAN TYPE name it.
type Type uint8

// Value types.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{
	TypeString: "string",
	TypeList:   "list",
	TypeSet:    "set",
	TypeZSet:   "zset",
	TypeHash:   "hash",
	TypeStream: "stream",
}

// String returns the name TYPE replies with.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "none"
}

// Object is a non-string value: a list, set, zset, hash or stream from internal/redis/ds/....
// MemoryUsage must be O(1) (kept incrementally by the structure).
type Object interface {
	Type() Type
	Encoding() string
	MemoryUsage() int
}

// Inliner is an Object that can be stored as bytes inside the arena instead of as an Object
// in the side table, so a small collection costs no Go object and no side-table slot.
// SetObject and ReplaceObject store it inline when Inline reports ok; Lookup then returns a
// view made by the Unpacker. Only lists, sets, zsets and hashes can be inline.
type Inliner interface {
	Object
	// Inline returns the bytes to store (copied by the keyspace) and the Unpacker that turns
	// them back into an Object; ok is false when the object must stay an Object (too large, or
	// an encoding that is not a byte string). The Unpacker must not depend on the receiver:
	// the keyspace keeps the last one per Type for every inline value of that Type.
	Inline() (b []byte, u Unpacker, ok bool)
}

// Unpacker turns the bytes of an inline value back into an Object.
type Unpacker interface {
	// Unpack returns an Object viewing b. b aliases keyspace memory with the lifetime of
	// Value.Str: the view must copy before any change, and a changed view must be stored
	// again (ReplaceObject) for the change to be seen.
	Unpack(b []byte) Object
}

// Value is what Lookup returns. Str aliases keyspace memory. It stays intact until the same
// key is written again or the server calls CommandDone (other writes to the DB, even ones
// that expire, delete, compact or relocate entries, never overwrite it before then); keep a
// copy if it must live longer.
type Value struct {
	Type Type
	Str  []byte
	Obj  Object
	// Inline holds the bytes of a value stored inline (see Inliner), aliasing keyspace memory
	// like Str; Obj is then a view of them made by its Unpacker, or nil from LookupInline.
	Inline   []byte
	ExpireAt int64 // unix ms, 0 = none

	enc uint8    // string encoding (encInt, encEmbstr, encRaw)
	unp Unpacker // of an inline value
}

// Encoding is the name OBJECT ENCODING replies with.
func (v Value) Encoding() string {
	if v.Type != TypeString {
		if v.Obj == nil && v.unp != nil {
			return v.unp.Unpack(v.Inline).Encoding()
		}
		return v.Obj.Encoding()
	}
	return encodingNames[v.enc]
}

// Options configure a Keyspace.
type Options struct {
	// Databases is the number of databases (16 when zero).
	Databases int
	// Now returns the current time in unix ms (time.Now when nil). Tests inject a clock; the
	// server may return the time fixed for the running command.
	Now func() int64
	// Seed seeds the random numbers used for sampling (expiry, eviction, RANDOMKEY, the LFU
	// counter). Zero picks a random seed.
	Seed uint64
}

// Errors.
var (
	// ErrNoEvictable: the policy is noeviction, or no key is a candidate for it, and memory
	// could not be freed. The server answers with its OOM error.
	ErrNoEvictable = errors.New("keyspace: no key can be evicted")
	// ErrUnknownPolicy: SetMaxmemoryPolicy got a name Redis does not know.
	ErrUnknownPolicy = errors.New("keyspace: unknown maxmemory policy")
)

// Keyspace is the set of numbered databases. See the package documentation for locking.
type Keyspace struct {
	dbs []*DB
	now func() int64
	// reads says how Lookup, LookupInline and Peek account the running command's lookups
	// (see ReadMode); hits and misses are INFO's keyspace_hits and keyspace_misses. Next to
	// now, which every lookup reads: the same cache line.
	reads        ReadMode
	hits, misses int64
	// static is set during CLIENT PAUSE: expired keys read as missing but stay in place,
	// and neither active expiry nor eviction removes anything (PauseExpiry).
	static bool

	rng  *rand.Rand
	seed maphash.Seed

	unpackers [TypeHash + 1]Unpacker // per Type of inline values, learnt from their Inliners

	onExpire, onEvict func(db int, key []byte)
	onMiss, onNew     func(db int, key []byte)
	hookKey           []byte // copy of the key handed to a hook
	scratch           []byte // Scratch's buffer

	policy       policy
	lfuLogFactor int
	lfuDecayTime int
	samples      int
	pool         evictionPool

	expireDB    int // database the next active expire cycle starts at
	expireStats ExpireStats
	chunkCap    int // arena chunk capacity (chunkSize; tests use less to exercise compaction)
}

// New returns a keyspace with empty databases.
func New(opts Options) *Keyspace {
	n := opts.Databases
	if n <= 0 {
		n = 16
	}
	now := opts.Now
	if now == nil {
		now = func() int64 { return time.Now().UnixMilli() }
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	ks := &Keyspace{
		now:          now,
		seed:         maphash.MakeSeed(),
		rng:          rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		lfuLogFactor: 10,
		lfuDecayTime: 1,
		samples:      5,
		chunkCap:     chunkSize,
	}
	ks.dbs = make([]*DB, n)
	for i := range ks.dbs {
		ks.dbs[i] = newDB(ks, i)
	}
	return ks
}

// DB returns database i (0 <= i < Len()). The pointer stays valid across Swap: it keeps
// naming database number i, whose contents Swap exchanges.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// Len is the number of databases.
func (ks *Keyspace) Len() int { return len(ks.dbs) }

// Swap exchanges the contents of databases a and b (SWAPDB).
func (ks *Keyspace) Swap(a, b int) {
	if a == b {
		return
	}
	da, db := ks.dbs[a], ks.dbs[b]
	da.swapContents(db)
}

// FlushAll empties every database.
func (ks *Keyspace) FlushAll() {
	for _, db := range ks.dbs {
		db.Flush()
	}
}

// UsedMemory is the memory of the dataset as accounted: live entries, index tables, TTL
// sampling arrays and the MemoryUsage of every Object. It is what maxmemory is compared with.
func (ks *Keyspace) UsedMemory() int64 {
	var n int64
	for _, db := range ks.dbs {
		n += db.usedMemory()
	}
	return n
}

// SetHooks sets the functions called, under the server lock, for every key removed by expiry
// (lazy or active) or by eviction, after it was removed. The key is valid only during the
// call. Hooks must not call into the keyspace.
func (ks *Keyspace) SetHooks(onExpire, onEvict func(db int, key []byte)) {
	ks.onExpire, ks.onEvict = onExpire, onEvict
}

// SetAccessHooks sets the functions called, under the server lock, for a read lookup that
// misses while the read mode has ReadsNotify (Redis' keymiss event) and for every key added
// to a database that did not hold it (Redis' dbAdd: the new event), after it was added.
// An overwrite is not an addition; a key replaced by Rename is (Redis deletes the target and
// adds it again). The key is valid only during the call; hooks must not call into the
// keyspace.
func (ks *Keyspace) SetAccessHooks(onMiss, onNew func(db int, key []byte)) {
	ks.onMiss, ks.onNew = onMiss, onNew
}

// PauseExpiry keeps the dataset static while on, as Redis does during CLIENT PAUSE: a key
// past its TTL reads as missing but is not removed (no expired hook, no DEL to propagate),
// ActiveExpireCycle and Evict remove nothing. Writes (which a pause holds back) still
// replace an expired key. Off again, expired keys go at their next lookup or cycle.
func (ks *Keyspace) PauseExpiry(on bool) { ks.static = on }

// ReadMode says what Lookup, LookupInline and Peek do besides looking up: Redis counts a
// hit or miss, and publishes keymiss on a miss, for the lookups its commands make with
// lookupKeyRead, not for those made with lookupKeyWrite. The server sets the mode for each
// command; every other method (Delete, SetExpire, IdleTime, MemoryUsage...) never counts.
type ReadMode uint8

// Read modes.
const (
	// ReadsCount counts each lookup as a keyspace hit or miss.
	ReadsCount ReadMode = 1 << iota
	// ReadsNotify calls the onMiss hook on a miss.
	ReadsNotify
	// Reads is a read command's lookup (lookupKeyRead).
	Reads = ReadsCount | ReadsNotify
)

// SetReadMode sets the read mode of the lookups that follow and returns the previous one.
func (ks *Keyspace) SetReadMode(m ReadMode) ReadMode {
	prev := ks.reads
	ks.reads = m
	return prev
}

// ReadStats returns the hits and misses counted since New or ResetStats.
func (ks *Keyspace) ReadStats() (hits, misses int64) { return ks.hits, ks.misses }

// ResetStats zeroes the hit and miss counters and the ExpireStats (CONFIG RESETSTAT).
func (ks *Keyspace) ResetStats() {
	ks.hits, ks.misses = 0, 0
	ks.expireStats = ExpireStats{}
}

// countRead accounts a lookup of key in db as the read mode says: a hit or a miss, and a
// miss reported to the onMiss hook. Callers skip it when the mode is 0.
func (ks *Keyspace) countRead(db int, key []byte, found bool) {
	if ks.reads&ReadsCount != 0 {
		if found {
			ks.hits++
		} else {
			ks.misses++
		}
	}
	if !found && ks.reads&ReadsNotify != 0 && ks.onMiss != nil {
		ks.onMiss(db, key)
	}
}

// SetLFUParams sets lfu-log-factor and lfu-decay-time (minutes).
func (ks *Keyspace) SetLFUParams(logFactor, decayTime int) {
	ks.lfuLogFactor, ks.lfuDecayTime = logFactor, decayTime
}

// SetMaxmemorySamples sets maxmemory-samples (keys sampled per database per eviction round).
func (ks *Keyspace) SetMaxmemorySamples(n int) {
	if n < 1 {
		n = 1
	}
	ks.samples = n
}

// LFU reports whether an LFU maxmemory policy is selected: then the 24-bit clock field of
// every value holds an LFU counter (OBJECT FREQ) instead of an LRU clock (OBJECT IDLETIME).
func (ks *Keyspace) LFU() bool { return ks.policy.lfu() }

// newClock is the 24-bit clock field of a value created now.
func (ks *Keyspace) newClock(now int64) uint32 {
	if ks.policy.lfu() {
		return lfuMinutes(now)<<8 | lfuInitVal
	}
	return lruClock(now)
}

// touchClock is the clock field after an access.
func (ks *Keyspace) touchClock(now int64, field uint32) uint32 {
	if ks.policy.lfu() {
		return lfuTouch(now, field, ks.lfuLogFactor, ks.lfuDecayTime, ks.rng.Uint64()>>11)
	}
	return lruClock(now)
}

// Scratch returns an empty buffer with room for at least n bytes, owned by the keyspace and
// reused by the next call: a command builds a new inline value in it before SetInline copies
// it into the arena, so a write allocates nothing. It must not be kept past the command.
func (ks *Keyspace) Scratch(n int) []byte {
	if cap(ks.scratch) < n {
		ks.scratch = make([]byte, 0, max(n, 2*cap(ks.scratch), 256))
	}
	return ks.scratch[:0]
}

// callHook calls fn with a private copy of key.
func (ks *Keyspace) callHook(fn func(int, []byte), db int, key []byte) {
	if fn == nil {
		return
	}
	ks.hookKey = append(ks.hookKey[:0], key...)
	fn(db, ks.hookKey)
}

// CommandDone tells the keyspace that no Value.Str from before is still in use, so arena
// chunks released since the last call may be reused. The server calls it after each command
// (after the whole transaction for MULTI/EXEC); without it released chunks are left to the
// garbage collector, which is safe but costs more memory under overwrite churn.
func (ks *Keyspace) CommandDone() {
	for _, db := range ks.dbs {
		s := &db.s
		if len(s.quarantine) > 0 {
			s.spare = append(s.spare, s.quarantine...)
			clear(s.quarantine)
			s.quarantine = s.quarantine[:0]
		}
	}
}

// MemoryStats break UsedMemory down, and add what it leaves out, for INFO memory and MEMORY
// STATS.
type MemoryStats struct {
	Keys      int64 // keys in all databases
	Entries   int64 // bytes of live arena entries (keys, string values, headers, TTLs)
	Index     int64 // bytes of index slots (both tables while one grows)
	Expires   int64 // bytes of the TTL sampling arrays
	Objects   int64 // MemoryUsage of all Objects plus their side-table slots
	Dead      int64 // arena bytes of overwritten or deleted entries not yet compacted
	ArenaCap  int64 // bytes allocated for arena chunks (used, dead and free)
	Spare     int64 // bytes of released chunks kept for reuse
	Used      int64 // UsedMemory: Entries + Index + Expires + Objects
	Fragments int64 // ArenaCap + Spare - Entries: arena memory held but not live
}

// MemoryStats returns the accounting of every database.
func (ks *Keyspace) MemoryStats() MemoryStats {
	var m MemoryStats
	for _, db := range ks.dbs {
		s := &db.s
		m.Keys += int64(s.count)
		m.Entries += s.live
		m.Index += 8 * int64(len(s.slots)+len(s.old))
		m.Expires += 8 * int64(len(s.expires))
		m.Objects += s.objBytes + objSlotOverhead*int64(len(s.objs))
		m.Dead += s.dead
		for i := range s.chunks {
			m.ArenaCap += int64(cap(s.chunks[i].buf))
		}
		for _, b := range s.spare {
			m.Spare += int64(cap(b))
		}
		for _, b := range s.quarantine {
			m.Spare += int64(cap(b))
		}
	}
	m.Used = m.Entries + m.Index + m.Expires + m.Objects
	m.Fragments = m.ArenaCap + m.Spare - m.Entries
	return m
}

// Check walks every database and verifies the index, the arena, the TTL array, the object
// table and the memory accounting against a recomputation. It is slow (O(keys + arena));
// tests, DEBUG and an invariants build call it.
func (ks *Keyspace) Check() error {
	for _, db := range ks.dbs {
		if err := db.check(); err != nil {
			return fmt.Errorf("db %d: %w", db.index, err)
		}
	}
	return nil
}
