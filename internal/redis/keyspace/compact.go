package keyspace

import "hash/maphash"

// Compaction reclaims the dead bytes that overwrites and deletes leave in the arena. It runs
// incrementally after writes: once more than a quarter of a DB's arena is dead (and at least
// a quarter chunk), each write pays for moving up to compactFactor times the dead bytes
// it produced. A step copies the live entries of the chunk with the highest share of dead
// bytes (the victim) to the end of the arena, repointing their index slot and expires entry;
// a chunk left with no live entry is released (kept as a spare for reuse, up to keepSpare).

const (
	compactFactor   = 4
	compactMinStep  = 1 << 10
	victimMinDead16 = 2 // a victim must be at least 2/16 dead
)

func (s *store) needsCompaction() bool {
	return s.dead > s.compactMinDead && s.dead*4 > s.arena
}

// maybeCompact runs a compaction step sized by the debt of recent writes.
func (s *store) maybeCompact(seed maphash.Seed) {
	if s.debt == 0 {
		return
	}
	if !s.needsCompaction() {
		s.debt = 0
		return
	}
	budget := max(s.debt*compactFactor, compactMinStep)
	s.debt = 0
	s.compactStep(budget, seed)
}

// compactStep moves up to budget bytes of entries out of victim chunks.
func (s *store) compactStep(budget int64, seed maphash.Seed) {
	for budget > 0 {
		if s.victim < 0 {
			if !s.needsCompaction() || !s.pickVictim() {
				return
			}
		}
		c := &s.chunks[s.victim]
		if s.victimPos >= len(c.buf) {
			// Every entry was moved; the last kill released it unless it was empty.
			s.victim = -1
			continue
		}
		e := parseEntry(c.buf, s.victimPos)
		size := e.size()
		s.victimPos += size
		budget -= int64(size)
		if e.flags()&flagDead != 0 {
			continue
		}
		s.relocate(e, uint64(s.victim)<<chunkBits|uint64(e.p), seed)
	}
}

func (s *store) pickVictim() bool {
	best, bestDead16 := -1, int64(victimMinDead16)
	for i := range s.chunks {
		c := &s.chunks[i]
		if i == s.cur || len(c.buf) == 0 || c.dead == 0 {
			continue
		}
		if d := int64(c.dead) * 16 / int64(len(c.buf)); d >= bestDead16 {
			best, bestDead16 = i, d
		}
	}
	if best < 0 {
		return false
	}
	s.victim, s.victimPos = best, 0
	return true
}

// relocate copies the live entry e at off to the end of the arena and repoints the index and
// the expires array to the copy, then kills the original.
func (s *store) relocate(e entry, off uint64, seed maphash.Seed) uint64 {
	h := maphash.Bytes(seed, e.key())
	i := s.findSlot(h, slotValue(h, off))
	noff := s.copyEntry(e)
	s.setSlot(i, slotValue(h, noff))
	if ne := s.at(noff); ne.expireAt() != 0 {
		s.expires[ne.expIdx()] = noff
	}
	debt := s.debt
	s.kill(off)
	s.debt = debt // moving an entry is not a write that must pay for compaction
	return noff
}
