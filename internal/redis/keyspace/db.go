package keyspace

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"strconv"
)

// DB is one numbered database: an index (table.go) over an arena of entries (arena.go), an
// array of the entries with a TTL for expiry sampling, and a side table of Objects. All
// methods must be called under the server lock.
type DB struct {
	ks    *Keyspace
	index int
	seed  maphash.Seed
	s     store

	// lastStr is the key most recently set to a value that is not an Object (a
	// string or an inline value). Modified, which re-accounts Objects changed in
	// place, returns for it without a lookup: every such write is a set followed
	// by the command's Modified call, and a key changes to an Object only through
	// set or removal, both of which update this.
	lastStr   []byte
	lastStrOK bool

	// hint is the slot where lookup last found a key, -1 none: a write of the same key
	// right after (a command's read-modify-write, as HSET on an inline hash) finds it
	// there without hashing and probing again. It is only a hint, checked against the key.
	hint int
}

func newDB(ks *Keyspace, i int) *DB {
	return &DB{ks: ks, index: i, seed: ks.seed, s: newStore(ks.chunkCap), hint: -1}
}

func (db *DB) swapContents(o *DB) {
	db.s, o.s = o.s, db.s
	db.lastStrOK, o.lastStrOK = false, false
}

// objSlotOverhead is what a side-table slot costs (interface + accounted size).
const objSlotOverhead = 24

func (db *DB) usedMemory() int64 {
	s := &db.s
	return s.live + s.objBytes + 8*int64(len(s.slots)+len(s.old)) + 8*int64(len(s.expires)) +
		objSlotOverhead*int64(len(s.objs))
}

// Index is the database number.
func (db *DB) Index() int { return db.index }

func (db *DB) hash(key []byte) uint64 { return maphash.Bytes(db.seed, key) }

// lookup finds key's live entry, expiring it lazily (calling the onExpire hook).
func (db *DB) lookup(key []byte, now int64) (entry, int, bool) {
	h := db.hash(key)
	i, ok := db.s.find(key, h)
	if !ok {
		return entry{}, 0, false
	}
	e := db.s.at(slotOff(db.s.slotAt(i)))
	if at := e.expireAt(); at != 0 && now > at {
		if db.ks.static {
			return entry{}, 0, false
		}
		db.expireAt(i, e)
		db.s.maybeShrink(db.seed)
		db.s.maybeCompact(db.seed)
		return entry{}, 0, false
	}
	db.hint = i
	return e, i, true
}

// findHinted returns key's slot like find, trying the hint first. h is key's hash when
// found is false; when found, only its tag bits (all slotValue needs) are set.
func (db *DB) findHinted(key []byte) (i int, h uint64, found bool) {
	s := &db.s
	if i := db.hint; i >= 0 && i < len(s.slots)+len(s.old) {
		// Keys are unique in the index: a slot holding this key is its slot.
		if v := s.slotAt(i); v != 0 && string(s.at(slotOff(v)).key()) == string(key) {
			return i, v >> tagShift << tagShift, true
		}
	}
	h = db.hash(key)
	i, found = s.find(key, h)
	return i, h, found
}

// expireAt removes the expired entry e in slot i and calls the onExpire hook. It neither
// shrinks the table nor compacts: callers do when no slot index or offset is held.
func (db *DB) expireAt(i int, e entry) {
	ks := db.ks
	ks.hookKey = append(ks.hookKey[:0], e.key()...)
	db.removeAt(i, e, true)
	if ks.onExpire != nil {
		ks.onExpire(db.index, ks.hookKey)
	}
}

// removeAt removes the entry e in slot i; freeObj frees its Object slot (false when the
// Object moves to another entry).
func (db *DB) removeAt(i int, e entry, freeObj bool) {
	db.lastStrOK = false
	s := &db.s
	off := slotOff(s.slotAt(i))
	s.removeSlot(i, db.seed)
	if e.expireAt() != 0 {
		s.expiresRemove(e.expIdx())
	}
	if freeObj && e.isObj() {
		s.freeObject(e.objIndex())
	}
	s.kill(off)
}

func (s *store) expiresAdd(off uint64) {
	s.at(off).setExpIdx(len(s.expires))
	s.expires = append(s.expires, off)
}

func (s *store) expiresRemove(idx int) {
	last := len(s.expires) - 1
	if idx != last {
		moved := s.expires[last]
		s.expires[idx] = moved
		s.at(moved).setExpIdx(idx)
	}
	s.expires = s.expires[:last]
	if c := cap(s.expires); c > 1024 && len(s.expires) < c/4 {
		s.expires = append(make([]uint64, 0, c/2), s.expires...)
	}
}

func (s *store) newObject(obj Object) uint32 {
	m := int64(obj.MemoryUsage())
	s.objBytes += m
	if n := len(s.objFree); n > 0 {
		i := s.objFree[n-1]
		s.objFree = s.objFree[:n-1]
		s.objs[i], s.objMem[i] = obj, m
		return i
	}
	s.objs = append(s.objs, obj)
	s.objMem = append(s.objMem, m)
	return uint32(len(s.objs) - 1)
}

func (s *store) freeObject(i uint32) {
	s.objBytes -= s.objMem[i]
	s.objs[i], s.objMem[i] = nil, 0
	s.objFree = append(s.objFree, i)
}

// value returns e's value; unpack makes the Obj view of an inline value.
func (db *DB) value(e entry, unpack bool) Value {
	if e.isObj() {
		obj := db.s.objs[e.objIndex()]
		return Value{Type: obj.Type(), Obj: obj, ExpireAt: e.expireAt()}
	}
	if e.isInline() {
		t := e.inlineType()
		v := Value{Type: t, Inline: e.val(), ExpireAt: e.expireAt(), unp: db.ks.unpackers[t]}
		if unpack {
			v.Obj = v.unp.Unpack(v.Inline)
		}
		return v
	}
	return Value{Type: TypeString, Str: e.val(), ExpireAt: e.expireAt(), enc: e.enc()}
}

// Lookup returns the value of key, expiring it lazily, and records the access in its LRU/LFU
// clock.
func (db *DB) Lookup(key []byte) (Value, bool) { return db.lookupTouch(key, true) }

// LookupInline is Lookup for a caller that reads an inline value's bytes (Value.Inline)
// itself: Obj is left nil for an inline value instead of allocating a view.
func (db *DB) LookupInline(key []byte) (Value, bool) { return db.lookupTouch(key, false) }

func (db *DB) lookupTouch(key []byte, unpack bool) (Value, bool) {
	ks := db.ks
	now := ks.now()
	e, _, ok := db.lookup(key, now)
	if ks.reads != 0 {
		ks.countRead(db.index, key, ok)
	}
	if !ok {
		return Value{}, false
	}
	e.setClock(ks.touchClock(now, e.clock()))
	return db.value(e, unpack), true
}

// Peek is Lookup without touching the LRU/LFU clock (OBJECT, TTL, TYPE...). It counts as a
// read lookup like Lookup.
func (db *DB) Peek(key []byte) (Value, bool) {
	ks := db.ks
	e, _, ok := db.lookup(key, ks.now())
	if ks.reads != 0 {
		ks.countRead(db.index, key, ok)
	}
	if !ok {
		return Value{}, false
	}
	return db.value(e, true), true
}

// SetString sets key to the string val. expireAt is the new TTL (unix ms, 0 = none), ignored
// when keepTTL is set, which keeps the TTL of the old value. OBJECT ENCODING of the value is
// int, embstr or raw as Redis chooses for SET.
func (db *DB) SetString(key, val []byte, expireAt int64, keepTTL bool) {
	db.set(key, val, nil, stringEncoding(val), expireAt, keepTTL)
}

// IncrStatus is the outcome of IncrBy.
type IncrStatus uint8

// IncrBy outcomes; on any but IncrOK the key is left unchanged.
const (
	IncrOK        IncrStatus = iota
	IncrWrongType            // the key holds another type than string
	IncrNotInt               // the string is not a canonical int64
	IncrOverflow             // the sum does not fit an int64
)

// IncrBy adds delta to the integer string at key (a missing key counts as 0), keeping its
// TTL, as INCR and friends do: the key is found once and a sum of the same length is
// written in place. It returns the sum's decimal digits, appended to buf[:0].
func (db *DB) IncrBy(key []byte, delta int64, buf []byte) ([]byte, IncrStatus) {
	ks := db.ks
	now := ks.now()
	e, _, found := db.lookup(key, now)
	var old int64
	if found {
		if e.isObj() || e.isInline() {
			return nil, IncrWrongType
		}
		var ok bool
		if old, ok = parseCanonicalInt64(e.val()); !ok {
			return nil, IncrNotInt
		}
		if (delta < 0 && old < 0 && delta < math.MinInt64-old) ||
			(delta > 0 && old > 0 && delta > math.MaxInt64-old) {
			return nil, IncrOverflow
		}
	}
	digits := strconv.AppendInt(buf[:0], old+delta, 10)
	if found && e.vlen == len(digits) {
		copy(e.val(), digits)
		e.buf[e.p] = e.buf[e.p]&^flagKind | encInt
		if ks.policy.lfu() {
			e.setClock(ks.touchClock(now, e.clock()))
		} else {
			e.setClock(ks.newClock(now))
		}
		db.lastStr = append(db.lastStr[:0], key...)
		db.lastStrOK = true
		return digits, IncrOK
	}
	if found && ks.policy.lfu() {
		e.setClock(ks.touchClock(now, e.clock())) // the new entry keeps the touched counter
	}
	db.set(key, digits, nil, encInt, 0, true)
	return digits, IncrOK
}

// SetStringRaw is SetString for a value that Redis leaves with the raw encoding whatever its
// content (a string changed by APPEND, SETRANGE or SETBIT).
func (db *DB) SetStringRaw(key, val []byte, expireAt int64, keepTTL bool) {
	db.set(key, val, nil, encRaw, expireAt, keepTTL)
}

// SetObject sets key to obj, clearing any TTL. An Inliner whose Inline reports ok is copied
// into the arena: later changes to obj are not seen unless it is stored again.
func (db *DB) SetObject(key []byte, obj Object) {
	db.setObject(key, obj, false)
}

// ReplaceObject sets key to obj keeping key's TTL: a command stores with it a collection it
// changed when the value was inline (a view from Lookup) or may have become inline-sized.
// For an Object changed in place that stays an Object, Modified is enough.
func (db *DB) ReplaceObject(key []byte, obj Object) {
	db.setObject(key, obj, true)
}

// SetInline sets key to the inline value b of type t (list, set, zset or hash) made by an
// Inliner whose Unpacker is u, keeping key's TTL if keepTTL (else clearing it). b is copied.
// It is SetObject or ReplaceObject for a caller that holds the bytes without an Object.
func (db *DB) SetInline(key []byte, t Type, b []byte, u Unpacker, keepTTL bool) {
	db.ks.unpackers[t] = u
	db.set(key, b, nil, inlineKind(t), 0, keepTTL)
}

func (db *DB) setObject(key []byte, obj Object, keepTTL bool) {
	if in, ok := obj.(Inliner); ok {
		if t := obj.Type(); t >= TypeList && t <= TypeHash {
			if b, u, ok := in.Inline(); ok {
				db.SetInline(key, t, b, u, keepTTL)
				return
			}
		}
	}
	db.set(key, nil, obj, 0, 0, keepTTL)
}

// set writes key's new value: val with the flag bits kind (a string encoding or an inline
// kind) when obj is nil.
func (db *DB) set(key, val []byte, obj Object, kind byte, expireAt int64, keepTTL bool) {
	db.setEntry(key, val, obj, kind, expireAt, keepTTL)
	if obj == nil {
		db.lastStr = append(db.lastStr[:0], key...)
		db.lastStrOK = true
	} else {
		db.lastStrOK = false
	}
}

func (db *DB) setEntry(key, val []byte, obj Object, kind byte, expireAt int64, keepTTL bool) {
	s := &db.s
	ks := db.ks
	now := ks.now()
	clock := ks.newClock(now)
	if keepTTL {
		expireAt = 0 // unless an old value has one
	}
	i, h, found := db.findHinted(key)
	if found {
		e := s.at(slotOff(s.slotAt(i)))
		if at := e.expireAt(); at != 0 && now > at {
			db.expireAt(i, e)
			found = false
			h = db.hash(key) // the hinted h was only a tag
		} else {
			if keepTTL {
				expireAt = at
			}
			if ks.policy.lfu() {
				clock = e.clock()
			}
			if obj == nil && !e.isObj() && e.vlen == len(val) && (expireAt == 0 || e.hasTTLf()) {
				// Same size: overwrite in place.
				copy(e.val(), val)
				e.buf[e.p] = e.buf[e.p]&^flagKind | kind
				e.setClock(clock)
				if expireAt != 0 || e.hasTTLf() {
					db.setTTL(e, slotOff(s.slotAt(i)), expireAt)
				}
				s.maybeCompact(db.seed)
				return
			}
			// Write the new entry before killing the old one: val may alias it.
			noff := db.writeValue(key, val, obj, kind, clock, expireAt)
			oldOff := slotOff(s.slotAt(i))
			if at != 0 {
				s.expiresRemove(e.expIdx())
			}
			if e.isObj() {
				s.freeObject(e.objIndex())
			}
			s.setSlot(i, slotValue(h, noff))
			s.kill(oldOff)
			s.maybeCompact(db.seed)
			return
		}
	}
	noff := db.writeValue(key, val, obj, kind, clock, expireAt)
	s.insertSlot(h, slotValue(h, noff), db.seed)
	s.maybeCompact(db.seed)
	if ks.onNew != nil {
		ks.onNew(db.index, key)
	}
}

// writeValue appends a new entry for key (with an expires entry when expireAt != 0).
func (db *DB) writeValue(key, val []byte, obj Object, kind byte, clock uint32, expireAt int64) uint64 {
	s := &db.s
	flags := kind
	if expireAt != 0 {
		flags |= flagTTL
	}
	var off uint64
	if obj != nil {
		var idx [4]byte
		binary.LittleEndian.PutUint32(idx[:], s.newObject(obj))
		off = s.writeEntry(flags|flagObj, clock, key, idx[:], expireAt)
	} else {
		off = s.writeEntry(flags, clock, key, val, expireAt)
	}
	if expireAt != 0 {
		s.expiresAdd(off)
	}
	return off
}

// setTTL sets the TTL of entry e (at off), which has TTL fields if at != 0.
func (db *DB) setTTL(e entry, off uint64, at int64) {
	s := &db.s
	old := e.expireAt()
	switch {
	case old == 0 && at != 0:
		e.setExpireAtField(at)
		s.expiresAdd(off)
	case old != 0 && at == 0:
		s.expiresRemove(e.expIdx())
		e.setExpireAtField(0)
	case old != 0:
		e.setExpireAtField(at)
	}
}

// Modified re-accounts the memory of key's Object after it was changed in place.
func (db *DB) Modified(key []byte) {
	if db.lastStrOK && string(db.lastStr) == string(key) {
		return // a string: set accounted it
	}
	s := &db.s
	i, _, ok := db.findHinted(key)
	if !ok {
		return
	}
	e := s.at(slotOff(s.slotAt(i)))
	if !e.isObj() {
		return
	}
	idx := e.objIndex()
	m := int64(s.objs[idx].MemoryUsage())
	s.objBytes += m - s.objMem[idx]
	s.objMem[idx] = m
}

// Delete removes key; false if it did not exist (an expired key counts as absent and is
// expired, calling the onExpire hook).
func (db *DB) Delete(key []byte) bool {
	e, i, ok := db.lookup(key, db.ks.now())
	if !ok {
		return false
	}
	db.removeAt(i, e, true)
	db.s.maybeShrink(db.seed)
	db.s.maybeCompact(db.seed)
	return true
}

// SetExpire sets key's TTL to at (unix ms; 0 removes it); false if key is absent.
func (db *DB) SetExpire(key []byte, at int64) bool {
	e, i, ok := db.lookup(key, db.ks.now())
	if !ok {
		return false
	}
	s := &db.s
	off := slotOff(s.slotAt(i))
	if at == 0 || e.hasTTLf() {
		db.setTTL(e, off, at)
		return true
	}
	// The entry has no room for a TTL: rewrite it with one (an Object's entry keeps its
	// side-table index).
	noff := s.writeEntry(e.flags()|flagTTL, e.clock(), e.key(), e.val(), at)
	s.expiresAdd(noff)
	s.setSlot(i, slotValue(db.hash(key), noff))
	s.kill(off)
	s.maybeCompact(db.seed)
	return true
}

// Persist removes key's TTL; false if key is absent or had none.
func (db *DB) Persist(key []byte) bool {
	e, i, ok := db.lookup(key, db.ks.now())
	if !ok || e.expireAt() == 0 {
		return false
	}
	db.setTTL(e, slotOff(db.s.slotAt(i)), 0)
	return true
}

// Rename moves from's value, TTL and LRU/LFU clock to to, overwriting to; false if from is
// absent. to counts as added (the onNew hook) even when it existed, as in Redis' RENAME.
func (db *DB) Rename(from, to []byte) bool {
	s := &db.s
	now := db.ks.now()
	e, i, ok := db.lookup(from, now)
	if !ok {
		return false
	}
	if string(from) == string(to) {
		return true
	}
	at := e.expireAt()
	flags := e.flags()
	if at == 0 {
		flags &^= flagTTL
	}
	noff := s.writeEntry(flags, e.clock(), to, e.val(), at)
	if at != 0 {
		s.expiresAdd(noff)
	}
	// Remove from (keeping its Object, now referenced by the new entry), then to.
	db.removeAt(i, s.at(slotOff(s.slotAt(i))), false)
	h := db.hash(to)
	if j, found := s.find(to, h); found {
		old := s.at(slotOff(s.slotAt(j)))
		if oat := old.expireAt(); oat != 0 && now > oat {
			db.expireAt(j, old)
		} else {
			db.removeAt(j, old, true)
		}
	}
	s.insertSlot(h, slotValue(h, noff), db.seed)
	s.maybeShrink(db.seed)
	s.maybeCompact(db.seed)
	if db.ks.onNew != nil {
		db.ks.onNew(db.index, to)
	}
	return true
}

// Len is the number of keys, including expired keys not yet removed (as DBSIZE).
func (db *DB) Len() int { return db.s.count }

// ExpiresLen is the number of keys with a TTL (INFO keyspace "expires").
func (db *DB) ExpiresLen() int { return len(db.s.expires) }

// AvgTTL estimates the average remaining TTL in ms of keys with one (INFO keyspace avg_ttl)
// from a sample of them.
func (db *DB) AvgTTL() int64 {
	s := &db.s
	n := len(s.expires)
	if n == 0 {
		return 0
	}
	now := db.ks.now()
	samples := min(n, 64)
	var sum, k int64
	for j := 0; j < samples; j++ {
		off := s.expires[db.ks.rng.IntN(n)]
		if at := s.at(off).expireAt(); at > now {
			sum += at - now
			k++
		}
	}
	if k == 0 {
		return 0
	}
	return sum / k
}

// Flush removes every key.
func (db *DB) Flush() {
	db.lastStrOK = false
	old := db.s
	db.s = newStore(old.chunkCap)
	db.s.spare, db.s.quarantine = old.spare, old.quarantine
	db.s.tagHomeBits, db.s.growSync = old.tagHomeBits, old.growSync
}

// randomSlot returns a random occupied slot; the table must not be empty.
func (db *DB) randomSlot() int {
	s := &db.s
	n := uint64(len(s.slots) + len(s.old)) // refs cover both tables while growing
	i := int(db.ks.rng.Uint64() % n)
	for s.slotAt(i) == 0 {
		if i++; i == int(n) {
			i = 0
		}
	}
	return i
}

// randomKeyMaxTries bounds RandomKey's search while expired keys cannot be removed.
const randomKeyMaxTries = 100

// RandomKey returns a random live key (expiring the expired keys it meets).
func (db *DB) RandomKey() ([]byte, bool) {
	now := db.ks.now()
	for tries := 0; db.s.count > 0; tries++ {
		i := db.randomSlot()
		e := db.s.at(slotOff(db.s.slotAt(i)))
		if at := e.expireAt(); at != 0 && now > at {
			if db.ks.static {
				// Expired keys stay during a pause: after enough of them, one is returned
				// rather than looping (as Redis does where it cannot expire keys).
				if tries >= randomKeyMaxTries {
					return e.key(), true
				}
				continue
			}
			db.expireAt(i, e)
			db.s.maybeShrink(db.seed)
			db.s.maybeCompact(db.seed)
			continue
		}
		return e.key(), true
	}
	return nil, false
}

// Scan calls fn for the live keys of the next buckets from cursor on (0 starts a scan) and
// returns the next cursor, 0 when the scan is complete. count is a hint (10 when < 1): Scan
// stops after the bucket where count keys were reached or 10*count buckets were visited.
//
// The cursor is a hash prefix with its bits reversed (so it stays small, like Redis'
// reverse-binary cursor): every key whose hash is below the prefix was returned before. A key
// present for the whole scan is returned at least once whatever the table's resizes;
// a key may be returned more than once after the table shrank. fn must not modify the DB.
func (db *DB) Scan(cursor uint64, count int, fn func(key []byte)) uint64 {
	s := &db.s
	if s.count == 0 {
		return 0
	}
	if count < 1 {
		count = 10
	}
	now := db.ks.now()
	shift := 64 - s.bits
	b := int(bits.Reverse64(cursor) >> shift)
	emitted, visited := 0, 0
	emit := func(tab []uint64, from int) {
		mask := len(tab) - 1
		for i := from; tab[i] != 0; i = (i + 1) & mask {
			v := tab[i]
			if s.homeIn(v, s.bits, db.seed) != b {
				continue
			}
			e := s.at(slotOff(v))
			if at := e.expireAt(); at != 0 && now > at {
				continue
			}
			fn(e.key())
			emitted++
		}
	}
	for {
		emit(s.slots, b)
		if s.old != nil {
			// Keys of bucket b not yet moved are in the old table's buckets covering the
			// same hash prefix: b/2 while growing, b<<k..(b+1)<<k-1 while shrinking.
			lo, hi := b>>(s.bits-s.oldBits), b>>(s.bits-s.oldBits)
			if s.oldBits > s.bits {
				k := s.oldBits - s.bits
				lo, hi = b<<k, (b+1)<<k-1
			}
			for ob := max(lo, s.mig); ob <= hi; ob++ {
				emit(s.old, ob)
			}
		}
		visited++
		b++
		if b == len(s.slots) {
			return 0
		}
		if emitted >= count || visited >= count*10 {
			return bits.Reverse64(uint64(b) << shift)
		}
	}
}

// ForEach calls fn for every live key until fn returns false. fn must not modify the DB.
func (db *DB) ForEach(fn func(key []byte, v Value) bool) {
	s := &db.s
	now := db.ks.now()
	for _, tab := range [2][]uint64{s.slots, s.old} {
		for _, v := range tab {
			if v == 0 {
				continue
			}
			e := s.at(slotOff(v))
			if at := e.expireAt(); at != 0 && now > at {
				continue
			}
			if !fn(e.key(), db.value(e, true)) {
				return
			}
		}
	}
}

// IdleTime is OBJECT IDLETIME in ms (seconds resolution, as Redis). Meaningless under an LFU
// policy (the server answers an error then).
func (db *DB) IdleTime(key []byte) (int64, bool) {
	now := db.ks.now()
	e, _, ok := db.lookup(key, now)
	if !ok {
		return 0, false
	}
	return idleMillis(now, e.clock()), true
}

// Freq is OBJECT FREQ: the LFU counter after decay. Meaningful only under an LFU policy.
func (db *DB) Freq(key []byte) (int, bool) {
	now := db.ks.now()
	e, _, ok := db.lookup(key, now)
	if !ok {
		return 0, false
	}
	return int(lfuDecayed(now, e.clock(), db.ks.lfuDecayTime)), true
}

// MemoryUsage is MEMORY USAGE: the bytes accounted to key (its entry, which holds an inline
// value, an index slot, an expires slot, and its Object's MemoryUsage).
func (db *DB) MemoryUsage(key []byte) (int64, bool) {
	e, _, ok := db.lookup(key, db.ks.now())
	if !ok {
		return 0, false
	}
	n := int64(e.size()) + 8
	if e.expireAt() != 0 {
		n += 8
	}
	if e.isObj() {
		n += db.s.objMem[e.objIndex()] + objSlotOverhead
	}
	return n, true
}

// expireRandomIfDue samples one key with a TTL and expires it if its time has passed.
func (db *DB) expireRandomIfDue(now int64) bool {
	s := &db.s
	off := s.expires[db.ks.rng.IntN(len(s.expires))]
	e := s.at(off)
	if now <= e.expireAt() {
		return false
	}
	h := db.hash(e.key())
	db.expireAt(s.findSlot(h, slotValue(h, off)), e)
	s.maybeShrink(db.seed)
	s.maybeCompact(db.seed)
	return true
}

// sampleKey returns a random key (one with a TTL if volatile).
func (db *DB) sampleKey(volatile bool) ([]byte, bool) {
	k, _, _, ok := db.sampleEntry(volatile)
	return k, ok
}

// sampleEntry returns a random key (one with a TTL if volatile) with its clock and TTL.
func (db *DB) sampleEntry(volatile bool) ([]byte, uint32, int64, bool) {
	s := &db.s
	var e entry
	if volatile {
		if len(s.expires) == 0 {
			return nil, 0, 0, false
		}
		e = s.at(s.expires[db.ks.rng.IntN(len(s.expires))])
	} else {
		if s.count == 0 {
			return nil, 0, 0, false
		}
		e = s.at(slotOff(s.slotAt(db.randomSlot())))
	}
	return e.key(), e.clock(), e.expireAt(), true
}

func (db *DB) exists(key []byte) bool {
	_, ok := db.s.find(key, db.hash(key))
	return ok
}

func (db *DB) hasExpire(key []byte) bool {
	s := &db.s
	i, ok := s.find(key, db.hash(key))
	return ok && s.at(slotOff(s.slotAt(i))).expireAt() != 0
}

// SetAccess sets key's LRU/LFU field as RESTORE's IDLETIME and FREQ do (objectSetLRUOrLFU):
// under an LFU policy freq (0..255; -1 leaves it) becomes the access counter; otherwise
// idleSec (-1 leaves it) makes the key look idle for that many seconds. False if key is absent.
func (db *DB) SetAccess(key []byte, freq int, idleSec int64) bool {
	now := db.ks.now()
	e, _, ok := db.lookup(key, now)
	if !ok {
		return false
	}
	switch {
	case db.ks.policy.lfu() && freq >= 0:
		e.setClock(lfuMinutes(now)<<8 | uint32(freq))
	case !db.ks.policy.lfu() && idleSec >= 0:
		c := int64(lruClock(now)) - idleSec*1000/lruResolution
		if c < 0 {
			c = c%lruClockMax + lruClockMax
		}
		e.setClock(uint32(c) & lruClockMax)
	}
	return true
}
