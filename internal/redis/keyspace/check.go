package keyspace

import (
	"fmt"
	"hash/maphash"
)

// check verifies every invariant of the DB's structures and recomputes its accounting. It
// walks everything: tests call it after operations; the server may call it from DEBUG.
func (db *DB) check() error {
	s := &db.s
	if (s.slots == nil) != (s.count == 0) && s.slots == nil {
		return fmt.Errorf("count %d without a table", s.count)
	}
	var n int
	var live, objBytes int64
	withTTL, objects := 0, 0
	seen := make(map[string]bool)
	objSeen := make(map[uint32]bool)
	for r := 0; r < len(s.slots)+len(s.old); r++ {
		v := s.slotAt(r)
		if v == 0 {
			continue
		}
		tab, bits, i := s.slots, s.bits, r
		if r >= len(s.slots) {
			tab, bits, i = s.old, s.oldBits, r-len(s.slots)
		}
		mask := len(tab) - 1
		n++
		off := slotOff(v)
		ci := int(off >> chunkBits)
		if ci >= len(s.chunks) || int(off&(chunkSize-1)) >= len(s.chunks[ci].buf) {
			return fmt.Errorf("slot %d: offset %x outside the arena", i, off)
		}
		e := s.at(off)
		if e.flags()&flagDead != 0 {
			return fmt.Errorf("slot %d: dead entry", i)
		}
		k := string(e.key())
		if seen[k] {
			return fmt.Errorf("key %q indexed twice", k)
		}
		seen[k] = true
		h := maphash.Bytes(db.seed, e.key())
		if slotValue(h, off) != v {
			return fmt.Errorf("key %q: tag mismatch", k)
		}
		home := int(h >> (64 - bits))
		if home != s.homeIn(v, bits, db.seed) {
			return fmt.Errorf("key %q: home from tag wrong", k)
		}
		if r >= len(s.slots) && home < s.mig {
			return fmt.Errorf("key %q: in the old table's migrated part", k)
		}
		for j := home; j != i; j = (j + 1) & mask {
			if tab[j] == 0 {
				return fmt.Errorf("key %q: empty slot between home and slot", k)
			}
		}
		live += int64(e.size())
		if at := e.expireAt(); at != 0 {
			withTTL++
			x := e.expIdx()
			if x >= len(s.expires) || s.expires[x] != off {
				return fmt.Errorf("key %q: expires index %d wrong", k, x)
			}
		}
		if e.isInline() && (e.isObj() || db.ks.unpackers[e.inlineType()] == nil) {
			return fmt.Errorf("key %q: inline value without an unpacker", k)
		}
		if e.isObj() {
			objects++
			x := e.objIndex()
			if int(x) >= len(s.objs) || s.objs[x] == nil || objSeen[x] {
				return fmt.Errorf("key %q: object index %d wrong", k, x)
			}
			objSeen[x] = true
			objBytes += s.objMem[x]
		}
	}
	if n != s.count {
		return fmt.Errorf("count %d, %d slots used", s.count, n)
	}
	if withTTL != len(s.expires) {
		return fmt.Errorf("%d keys with TTL, expires holds %d", withTTL, len(s.expires))
	}
	if live != s.live {
		return fmt.Errorf("live bytes %d, recomputed %d", s.live, live)
	}
	if objects != len(s.objs)-len(s.objFree) || objBytes != s.objBytes {
		return fmt.Errorf("objects %d/%d bytes %d/%d", objects, len(s.objs)-len(s.objFree), objBytes, s.objBytes)
	}
	var dead, arena int64
	for ci := range s.chunks {
		c := &s.chunks[ci]
		var cd, cl int
		for p := 0; p < len(c.buf); {
			e := parseEntry(c.buf, p)
			if e.flags()&flagDead != 0 {
				cd += e.size()
			} else {
				cl += e.size()
			}
			p += e.size()
		}
		if cd != c.dead || cd+cl != len(c.buf) {
			return fmt.Errorf("chunk %d: dead %d/%d, live %d, len %d", ci, cd, c.dead, cl, len(c.buf))
		}
		if len(c.buf) > 0 && cl == 0 && ci != s.cur {
			return fmt.Errorf("chunk %d: nothing live but not released", ci)
		}
		dead += int64(cd)
		arena += int64(len(c.buf))
	}
	if dead != s.dead || arena != s.arena || arena != live+dead {
		return fmt.Errorf("dead %d/%d arena %d/%d live %d", dead, s.dead, arena, s.arena, live)
	}
	if m := db.usedMemory(); m < 0 {
		return fmt.Errorf("used memory %d", m)
	}
	return nil
}
