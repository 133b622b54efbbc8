package keyspace

// DB is one numbered database. All methods must be called under the server lock.
type DB struct {
	ks    *Keyspace
	index int

	m       map[string]*mapEntry
	expires int
	mem     int64
}

type mapEntry struct {
	str      []byte
	obj      Object
	objMem   int64
	expireAt int64
	clock    uint32
	enc      uint8
}

const mapEntryOverhead = 64

func newDB(ks *Keyspace, i int) *DB {
	return &DB{ks: ks, index: i, m: make(map[string]*mapEntry)}
}

func (db *DB) swapContents(o *DB) {
	db.m, o.m = o.m, db.m
	db.expires, o.expires = o.expires, db.expires
	db.mem, o.mem = o.mem, db.mem
}

func (db *DB) usedMemory() int64 { return db.mem }

func entrySize(key []byte, e *mapEntry) int64 {
	return int64(len(key)+len(e.str)) + e.objMem + mapEntryOverhead
}

// Index is the database number.
func (db *DB) Index() int { return db.index }

// get returns the live entry of key, expiring it lazily.
func (db *DB) get(key []byte, now int64) *mapEntry {
	e := db.m[string(key)]
	if e == nil {
		return nil
	}
	if e.expireAt != 0 && now > e.expireAt {
		db.remove(key, e)
		db.ks.callHook(db.ks.onExpire, db.index, key)
		return nil
	}
	return e
}

func (db *DB) remove(key []byte, e *mapEntry) {
	db.mem -= entrySize(key, e)
	if e.expireAt != 0 {
		db.expires--
	}
	delete(db.m, string(key))
}

func (e *mapEntry) value() Value {
	if e.obj != nil {
		return Value{Type: e.obj.Type(), Obj: e.obj, ExpireAt: e.expireAt}
	}
	return Value{Type: TypeString, Str: e.str, ExpireAt: e.expireAt, enc: e.enc}
}

// Lookup returns the value of key, expiring it lazily, and records the access in its LRU/LFU
// clock.
func (db *DB) Lookup(key []byte) (Value, bool) {
	now := db.ks.now()
	e := db.get(key, now)
	if e == nil {
		return Value{}, false
	}
	e.clock = db.ks.touchClock(now, e.clock)
	return e.value(), true
}

// Peek is Lookup without touching the LRU/LFU clock (OBJECT, TTL, TYPE...).
func (db *DB) Peek(key []byte) (Value, bool) {
	e := db.get(key, db.ks.now())
	if e == nil {
		return Value{}, false
	}
	return e.value(), true
}

func (db *DB) put(key []byte, ne *mapEntry, keepTTL bool) {
	now := db.ks.now()
	ne.clock = db.ks.newClock(now)
	if old := db.get(key, now); old != nil {
		if keepTTL {
			ne.expireAt = old.expireAt
		}
		if db.ks.policy.lfu() {
			ne.clock = old.clock
		}
		db.remove(key, old)
	}
	db.m[string(key)] = ne
	db.mem += entrySize(key, ne)
	if ne.expireAt != 0 {
		db.expires++
	}
}

// SetString sets key to the string val. expireAt is the new TTL (unix ms, 0 = none), ignored
// when keepTTL is set, which keeps the TTL of the old value.
func (db *DB) SetString(key, val []byte, expireAt int64, keepTTL bool) {
	db.put(key, &mapEntry{str: append([]byte(nil), val...), expireAt: expireAt, enc: stringEncoding(val)}, keepTTL)
}

// SetObject sets key to obj, clearing any TTL.
func (db *DB) SetObject(key []byte, obj Object) {
	db.put(key, &mapEntry{obj: obj, objMem: int64(obj.MemoryUsage())}, false)
}

// Modified re-accounts the memory of key's Object after it was changed in place.
func (db *DB) Modified(key []byte) {
	e := db.m[string(key)]
	if e == nil || e.obj == nil {
		return
	}
	m := int64(e.obj.MemoryUsage())
	db.mem += m - e.objMem
	e.objMem = m
}

// Delete removes key; false if it did not exist (an expired key counts as absent).
func (db *DB) Delete(key []byte) bool {
	e := db.get(key, db.ks.now())
	if e == nil {
		return false
	}
	db.remove(key, e)
	return true
}

// SetExpire sets key's TTL to at (unix ms); false if key is absent.
func (db *DB) SetExpire(key []byte, at int64) bool {
	e := db.get(key, db.ks.now())
	if e == nil {
		return false
	}
	if e.expireAt == 0 && at != 0 {
		db.expires++
	} else if e.expireAt != 0 && at == 0 {
		db.expires--
	}
	e.expireAt = at
	return true
}

// Persist removes key's TTL; false if key is absent or had none.
func (db *DB) Persist(key []byte) bool {
	e := db.get(key, db.ks.now())
	if e == nil || e.expireAt == 0 {
		return false
	}
	e.expireAt = 0
	db.expires--
	return true
}

// Rename moves from's value (with its TTL) to to, overwriting to; false if from is absent.
func (db *DB) Rename(from, to []byte) bool {
	now := db.ks.now()
	e := db.get(from, now)
	if e == nil {
		return false
	}
	if string(from) == string(to) {
		return true
	}
	db.remove(from, e)
	if old := db.get(to, now); old != nil {
		db.remove(to, old)
	}
	db.m[string(to)] = e
	db.mem += entrySize(to, e)
	if e.expireAt != 0 {
		db.expires++
	}
	return true
}

// Len is the number of keys, including expired keys not yet removed (as DBSIZE).
func (db *DB) Len() int { return len(db.m) }

// ExpiresLen is the number of keys with a TTL (INFO keyspace "expires").
func (db *DB) ExpiresLen() int { return db.expires }

// AvgTTL estimates the average TTL in ms of keys with one (INFO keyspace "avg_ttl").
func (db *DB) AvgTTL() int64 {
	now := db.ks.now()
	var sum, n int64
	for _, e := range db.m {
		if e.expireAt != 0 && e.expireAt > now {
			sum += e.expireAt - now
			n++
		}
		if n >= 1000 {
			break
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// Flush removes every key.
func (db *DB) Flush() {
	db.m = make(map[string]*mapEntry)
	db.expires = 0
	db.mem = 0
}

// RandomKey returns a random live key.
func (db *DB) RandomKey() ([]byte, bool) {
	now := db.ks.now()
	for range 100 {
		if len(db.m) == 0 {
			return nil, false
		}
		for k, e := range db.m {
			if e.expireAt != 0 && now > e.expireAt {
				db.remove([]byte(k), e)
				db.ks.callHook(db.ks.onExpire, db.index, []byte(k))
				break
			}
			return []byte(k), true
		}
	}
	for k := range db.m {
		return []byte(k), true
	}
	return nil, false
}

// Scan calls fn for keys from cursor on (0 starts) and returns the next cursor, 0 when done.
// A key present for the whole scan is returned at least once. count is a hint.
func (db *DB) Scan(cursor uint64, count int, fn func(key []byte)) uint64 {
	for k := range db.m {
		fn([]byte(k))
	}
	return 0
}

// ForEach calls fn for every live key until fn returns false.
func (db *DB) ForEach(fn func(key []byte, v Value) bool) {
	now := db.ks.now()
	for k, e := range db.m {
		if e.expireAt != 0 && now > e.expireAt {
			continue
		}
		if !fn([]byte(k), e.value()) {
			return
		}
	}
}

// IdleTime is OBJECT IDLETIME in ms (seconds resolution, as Redis). Meaningless under an LFU
// policy (the server answers an error then).
func (db *DB) IdleTime(key []byte) (int64, bool) {
	now := db.ks.now()
	e := db.get(key, now)
	if e == nil {
		return 0, false
	}
	return idleMillis(now, e.clock), true
}

// Freq is OBJECT FREQ: the LFU counter after decay. Meaningful only under an LFU policy.
func (db *DB) Freq(key []byte) (int, bool) {
	now := db.ks.now()
	e := db.get(key, now)
	if e == nil {
		return 0, false
	}
	return int(lfuDecayed(now, e.clock, db.ks.lfuDecayTime)), true
}

// MemoryUsage is MEMORY USAGE: the bytes accounted to key (entry, index share, Object).
func (db *DB) MemoryUsage(key []byte) (int64, bool) {
	e := db.get(key, db.ks.now())
	if e == nil {
		return 0, false
	}
	return entrySize(key, e), true
}

func (db *DB) expireRandomIfDue(now int64) bool {
	for k, e := range db.m {
		if e.expireAt != 0 {
			if now > e.expireAt {
				db.remove([]byte(k), e)
				db.ks.callHook(db.ks.onExpire, db.index, []byte(k))
				return true
			}
			return false
		}
	}
	return false
}

func (db *DB) sampleKey(volatile bool) ([]byte, bool) {
	for k, e := range db.m {
		if volatile && e.expireAt == 0 {
			continue
		}
		return []byte(k), true
	}
	return nil, false
}

func (db *DB) sampleEntry(volatile bool) ([]byte, uint32, int64, bool) {
	for k, e := range db.m {
		if volatile && e.expireAt == 0 {
			continue
		}
		return []byte(k), e.clock, e.expireAt, true
	}
	return nil, 0, 0, false
}

func (db *DB) exists(key []byte) bool {
	_, ok := db.m[string(key)]
	return ok
}

func (db *DB) hasExpire(key []byte) bool {
	e := db.m[string(key)]
	return e != nil && e.expireAt != 0
}
