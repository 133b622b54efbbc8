package keyspace

import "bytes"

// Eviction for maxmemory, as Redis' performEvictions: for the LRU, LFU and TTL policies every
// database contributes maxmemory-samples sampled keys to a pool of the evictionPoolSize best
// candidates, and the best candidate still present is removed; the random policies remove a
// random key of the next database in turn. Eviction repeats until enough memory was freed.

const evictionPoolSize = 16

type policy uint8

const (
	policyNoEviction policy = iota
	policyAllKeysLRU
	policyAllKeysLFU
	policyAllKeysRandom
	policyVolatileLRU
	policyVolatileLFU
	policyVolatileRandom
	policyVolatileTTL
)

var policyNames = [...]string{
	policyNoEviction:     "noeviction",
	policyAllKeysLRU:     "allkeys-lru",
	policyAllKeysLFU:     "allkeys-lfu",
	policyAllKeysRandom:  "allkeys-random",
	policyVolatileLRU:    "volatile-lru",
	policyVolatileLFU:    "volatile-lfu",
	policyVolatileRandom: "volatile-random",
	policyVolatileTTL:    "volatile-ttl",
}

func (p policy) lfu() bool      { return p == policyAllKeysLFU || p == policyVolatileLFU }
func (p policy) volatile() bool { return p >= policyVolatileLRU }
func (p policy) random() bool   { return p == policyAllKeysRandom || p == policyVolatileRandom }

// SetMaxmemoryPolicy selects the maxmemory-policy by its Redis name. Switching between an LRU
// and an LFU policy does not rewrite existing clock fields, as in Redis.
func (ks *Keyspace) SetMaxmemoryPolicy(name string) error {
	for p, n := range policyNames {
		if n == name {
			ks.policy = policy(p)
			ks.pool.n = 0
			return nil
		}
	}
	return ErrUnknownPolicy
}

// MaxmemoryPolicy is the name of the selected policy.
func (ks *Keyspace) MaxmemoryPolicy() string { return policyNames[ks.policy] }

type poolEntry struct {
	score uint64 // higher = better candidate
	db    int
	key   []byte // owned by the pool entry, reused
}

// evictionPool keeps the best candidates sorted by ascending score.
type evictionPool struct {
	n       int
	entries [evictionPoolSize]poolEntry

	nextDB    int    // database the random policies take a key from next
	randomKey []byte // the candidate returned by evictionCandidate
}

func (p *evictionPool) insert(score uint64, db int, key []byte) {
	for i := 0; i < p.n; i++ {
		if p.entries[i].db == db && bytes.Equal(p.entries[i].key, key) {
			return
		}
	}
	// Position: first entry with a higher score.
	k := 0
	for k < p.n && p.entries[k].score < score {
		k++
	}
	if p.n == evictionPoolSize {
		if k == 0 {
			return // worse than everything in a full pool
		}
		// Drop the worst (index 0) and shift left to make room at k-1.
		spare := p.entries[0].key
		copy(p.entries[:k-1], p.entries[1:k])
		k--
		p.entries[k] = poolEntry{key: spare}
	} else {
		spare := p.entries[p.n].key
		copy(p.entries[k+1:p.n+1], p.entries[k:p.n])
		p.entries[k] = poolEntry{key: spare}
		p.n++
	}
	e := &p.entries[k]
	e.score, e.db, e.key = score, db, append(e.key[:0], key...)
}

// Evict removes keys chosen by the maxmemory policy until at least need bytes of UsedMemory
// were freed, calling the onEvict hook for each. It returns the bytes freed and
// ErrNoEvictable when the policy is noeviction or no candidate key is left before need was
// reached. The server calls it before a command flagged DenyOOM when UsedMemory exceeds
// maxmemory, with need = UsedMemory - maxmemory, and answers OOM on error. While expiry is
// paused (PauseExpiry) it frees nothing and reports no error.
func (ks *Keyspace) Evict(need int64) (freed int64, err error) {
	if ks.static {
		return 0, nil // paused: the dataset stays as it is, as Redis' performEvictions
	}
	if ks.policy == policyNoEviction {
		if need <= 0 {
			return 0, nil
		}
		return 0, ErrNoEvictable
	}
	for freed < need {
		db, key, ok := ks.evictionCandidate()
		if !ok {
			return freed, ErrNoEvictable
		}
		d := ks.dbs[db]
		before := d.usedMemory()
		deleted := d.Delete(key) // false: it had expired (and the expire hook ran)
		freed += before - d.usedMemory()
		if deleted {
			ks.callHook(ks.onEvict, db, key)
		}
	}
	return freed, nil
}

// evictionCandidate picks the next key to evict. The returned key may alias pool memory or
// DB memory; it is valid until the next call.
func (ks *Keyspace) evictionCandidate() (int, []byte, bool) {
	if ks.policy.random() {
		n := len(ks.dbs)
		for i := 0; i < n; i++ {
			dbi := ks.pool.nextDB % n
			ks.pool.nextDB++
			db := ks.dbs[dbi]
			if key, ok := db.sampleKey(ks.policy.volatile()); ok {
				ks.pool.randomKey = append(ks.pool.randomKey[:0], key...)
				return dbi, ks.pool.randomKey, true
			}
		}
		return 0, nil, false
	}
	now := ks.now()
	for {
		any := false
		for i, db := range ks.dbs {
			n := db.Len()
			if ks.policy.volatile() {
				n = db.ExpiresLen()
			}
			if n == 0 {
				continue
			}
			any = true
			for s := 0; s < ks.samples; s++ {
				key, clock, expireAt, ok := db.sampleEntry(ks.policy.volatile())
				if !ok {
					break
				}
				ks.pool.insert(ks.evictionScore(now, clock, expireAt), i, key)
			}
		}
		if !any {
			return 0, nil, false
		}
		// Best candidates are at the end; skip those that no longer exist.
		for ks.pool.n > 0 {
			ks.pool.n--
			e := &ks.pool.entries[ks.pool.n]
			db := ks.dbs[e.db]
			if db.exists(e.key) && (!ks.policy.volatile() || db.hasExpire(e.key)) {
				ks.pool.randomKey = append(ks.pool.randomKey[:0], e.key...)
				return e.db, ks.pool.randomKey, true
			}
		}
	}
}

func (ks *Keyspace) evictionScore(now int64, clock uint32, expireAt int64) uint64 {
	switch ks.policy {
	case policyAllKeysLFU, policyVolatileLFU:
		return 255 - uint64(lfuDecayed(now, clock, ks.lfuDecayTime))
	case policyVolatileTTL:
		return ^uint64(expireAt)
	default:
		return uint64(idleMillis(now, clock))
	}
}
