package keyspace

// Every value carries a 24-bit field that is, as in Redis, either an LRU clock (seconds,
// modulo 2^24) or, when an LFU maxmemory policy is selected, 16 bits of "last decrement
// time" in minutes followed by an 8-bit logarithmic access counter.

const (
	lruBits       = 24
	lruClockMax   = 1<<lruBits - 1
	lruResolution = 1000 // ms per LRU clock tick
	lfuInitVal    = 5    // counter of a new key, so it is not evicted before it had a chance
)

// lruClock is the LRU clock at now (unix ms).
func lruClock(now int64) uint32 {
	return uint32(now/lruResolution) & lruClockMax
}

// idleMillis estimates how long ago (ms) a value with LRU field lru was last accessed.
func idleMillis(now int64, lru uint32) int64 {
	c := lruClock(now)
	if c >= lru {
		return int64(c-lru) * lruResolution
	}
	return int64(c+(lruClockMax-lru)) * lruResolution
}

// lfuMinutes is the 16-bit minute clock used for LFU decay.
func lfuMinutes(now int64) uint32 {
	return uint32(now/60000) & 0xffff
}

// lfuElapsed is the number of minutes since ldt, handling wrap-around of the 16-bit clock.
func lfuElapsed(now int64, ldt uint32) uint32 {
	m := lfuMinutes(now)
	if m >= ldt {
		return m - ldt
	}
	return 65535 - ldt + m
}

// lfuDecayed returns the LFU counter of field after decay (decayTime minutes per step; 0 =
// never decay), without changing it.
func lfuDecayed(now int64, field uint32, decayTime int) uint32 {
	ldt := field >> 8
	counter := field & 0xff
	if decayTime <= 0 {
		return counter
	}
	periods := lfuElapsed(now, ldt) / uint32(decayTime)
	if periods >= counter {
		return 0
	}
	return counter - periods
}

// lfuLogIncr increments counter with probability 1/((counter-lfuInitVal)*factor+1).
// r is a uniformly distributed random number in [0, 2^53).
func lfuLogIncr(counter uint32, factor int, r uint64) uint32 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	p := 1.0 / (base*float64(factor) + 1)
	if float64(r)/(1<<53) < p {
		counter++
	}
	return counter
}

// lfuTouch is the LFU field after one access.
func lfuTouch(now int64, field uint32, factor, decayTime int, r uint64) uint32 {
	c := lfuDecayed(now, field, decayTime)
	c = lfuLogIncr(c, factor, r)
	return lfuMinutes(now)<<8 | c
}
