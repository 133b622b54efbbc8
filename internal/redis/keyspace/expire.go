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
			if time.Since(start) >= budget {
				ks.expireDB = dbi // resume here: this database may have more
				return expired
			}
			if hit*100 <= sampled*expireRepeatPercent {
				break
			}
		}
	}
	ks.expireDB = (ks.expireDB + 1) % n
	return expired
}
