package keyspace

import "time"

// Active expiry, as Redis' activeExpireCycle: every database with keys that have a TTL is
// sampled, expireSamplesPerLoop keys at a time, and sampling repeats while more than
// expireRepeatPercent of a sample had expired; the whole cycle stops when budget is spent.

const (
	expireSamplesPerLoop = 20
	expireRepeatPercent  = 25
	migratePerCycle      = 1024 // old index buckets moved per step of the cycle
)

// ActiveExpireCycle removes expired keys found by sampling until few expired keys remain or
// budget (measured on the wall clock) is spent, and returns how many it removed. The next
// cycle starts at the database where this one stopped. Call it from the server cron (Redis
// runs it 10 times a second with a 25 ms budget) under the server lock.
func (ks *Keyspace) ActiveExpireCycle(budget time.Duration) (expired int) {
	if ks.static {
		return 0
	}
	start := time.Now()
	now := ks.now()
	n := len(ks.dbs)
	for _, db := range ks.dbs {
		// A resizing index also advances without writes, for up to a quarter of the budget
		// (Redis' databasesCron rehashes for 1 ms).
		for db.s.old != nil && time.Since(start) < budget/4 {
			db.s.migrate(migratePerCycle, db.seed)
		}
	}
	expireStart := time.Now()
	next := (ks.expireDB + 1) % n
	sampledTotal, timedOut := 0, false
dbs:
	for i := 0; i < n; i++ {
		dbi := (ks.expireDB + i) % n
		db := ks.dbs[dbi]
		for db.ExpiresLen() > 0 {
			sampled, hit := 0, 0
			for s := 0; s < expireSamplesPerLoop && db.ExpiresLen() > 0; s++ {
				sampled++
				if db.expireRandomIfDue(now) {
					hit++
				}
			}
			expired += hit
			sampledTotal += sampled
			if time.Since(start) >= budget {
				next = dbi // resume here: this database may have more
				timedOut = true
				break dbs
			}
			if hit*100 <= sampled*expireRepeatPercent {
				break
			}
		}
	}
	ks.expireDB = next
	st := &ks.expireStats
	if timedOut {
		st.TimeCapReached++
	}
	perc := 0.0
	if sampledTotal > 0 {
		perc = float64(expired) / float64(sampledTotal)
	}
	st.StaleRatio = perc*0.05 + st.StaleRatio*0.95
	st.CycleTime += time.Since(expireStart)
	return expired
}

// ExpireStats are the active expiry counters INFO stats reports, kept as Redis keeps them.
type ExpireStats struct {
	// StaleRatio estimates the share of keys with a TTL that are expired but not yet
	// removed: each cycle's expired/sampled ratio averaged with a weight of 5%
	// (expired_stale_perc, as a percentage).
	StaleRatio float64
	// TimeCapReached counts the cycles that stopped because their budget was spent
	// (expired_time_cap_reached_count).
	TimeCapReached int64
	// CycleTime is the wall time spent sampling and expiring in the cycles
	// (expire_cycle_cpu_milliseconds).
	CycleTime time.Duration
}

// ExpireStats returns the active expiry counters since New or ResetStats.
func (ks *Keyspace) ExpireStats() ExpireStats { return ks.expireStats }
