package command

import (
	"math/rand/v2"
	"sort"

	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The set family (t_set.c): membership, random members, moves, SSCAN and the algebra of
// unions, intersections and differences with their STORE forms.

func registerSets(t *Table) {
	s := func(name string, arity int, flags Flags, first, last int, summary, complexity, since string, fn Handler) *Spec {
		acl := []string{"read", "set", "slow"}
		if flags&Write != 0 {
			acl[0] = "write"
		}
		if flags&Fast != 0 {
			acl[2] = "fast"
		}
		return &Spec{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: 1,
			Group: "set", Since: since, Summary: summary, Complexity: complexity, ACL: acl, Handler: fn}
	}
	const w, r, oom, fast = Write, ReadOnly, DenyOOM, Fast
	sintercard := s("sintercard", -3, r, 0, 0, "Return the number of members of the intersection of sets", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "7.0.0", sintercardCommand)
	sintercard.Keys = numKeysAt(1)
	sintercard.Flags |= MovableKeys
	t.Add(
		s("sadd", -3, w|oom|fast, 1, 1, "Add one or more members to a set", "O(1) for each element added", "1.0.0", saddCommand),
		s("srem", -3, w|fast, 1, 1, "Remove one or more members from a set", "O(N) where N is the number of members to be removed.", "1.0.0", sremCommand),
		s("smove", 4, w|fast, 1, 2, "Move a member from one set to another", "O(1)", "1.0.0", smoveCommand),
		s("sismember", 3, r|fast, 1, 1, "Determine whether a member belongs to a set", "O(1)", "1.0.0", sismemberCommand),
		s("smismember", -3, r|fast, 1, 1, "Determine whether several members belong to a set", "O(N) where N is the number of elements being checked for membership", "6.2.0", smismemberCommand),
		s("scard", 2, r|fast, 1, 1, "Return the number of members of a set", "O(1)", "1.0.0", scardCommand),
		s("smembers", 2, r, 1, 1, "Return all members of a set", "O(N) where N is the set cardinality.", "1.0.0", smembersCommand),
		s("spop", -2, w|fast, 1, 1, "Remove and return one or more random members of a set", "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", "1.0.0", spopCommand),
		s("srandmember", -2, r, 1, 1, "Return one or more random members of a set", "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", "1.0.0", srandmemberCommand),
		s("sscan", -3, r, 1, 1, "Iterate over the members of a set", "O(1) for every call. O(N) for a complete iteration", "2.8.0", sscanCommand),
		s("sinter", -2, r, 1, -1, "Return the intersection of sets", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "1.0.0", sinterCommand),
		s("sinterstore", -3, w|oom, 1, -1, "Store the intersection of sets in a key", "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "1.0.0", sinterstoreCommand),
		sintercard,
		s("sunion", -2, r, 1, -1, "Return the union of sets", "O(N) where N is the total number of elements in all given sets.", "1.0.0", sunionCommand),
		s("sunionstore", -3, w|oom, 1, -1, "Store the union of sets in a key", "O(N) where N is the total number of elements in all given sets.", "1.0.0", sunionstoreCommand),
		s("sdiff", -2, r, 1, -1, "Return the difference of sets", "O(N) where N is the total number of elements in all given sets.", "1.0.0", sdiffCommand),
		s("sdiffstore", -3, w|oom, 1, -1, "Store the difference of sets in a key", "O(N) where N is the total number of elements in all given sets.", "1.0.0", sdiffstoreCommand),
	)
}

// lookupSet returns key's set, nil when absent; wrong is set (error written) for another type.
func lookupSet(c *Ctx, key []byte) (s *set.Set, wrong bool) {
	obj, wrong := lookupObject(c, key, keyspace.TypeSet)
	if obj == nil {
		return nil, wrong
	}
	return obj.(*set.Set), false
}

func saddCommand(c *Ctx) {
	key := c.Args[1]
	s, wrong := lookupSet(c, key)
	if wrong {
		return
	}
	created := s == nil
	if created {
		s = set.NewFor(c.Args[2], len(c.Args)-2)
	}
	cfg := collections(c).Set
	added, before := 0, s.MemoryUsage()
	for _, m := range c.Args[2:] {
		if s.Add(m, cfg) {
			added++
		}
	}
	if created {
		c.DB.SetObject(key, s)
	}
	if added > 0 {
		written(c, key, s, before)
		c.Notify('s', "sadd", key)
	}
	c.Dirty(added)
	c.W.Int(int64(added))
}

func sremCommand(c *Ctx) {
	key := c.Args[1]
	s, wrong := lookupSet(c, key)
	if wrong {
		return
	}
	if s == nil {
		c.W.Int(0)
		return
	}
	removed, before := 0, s.MemoryUsage()
	for _, m := range c.Args[2:] {
		if s.Remove(m) {
			removed++
			if s.Len() == 0 {
				break
			}
		}
	}
	if removed > 0 {
		written(c, key, s, before)
		c.Notify('s', "srem", key)
		removeIfEmpty(c, key, s.Len())
		c.Dirty(removed)
	}
	c.W.Int(int64(removed))
}

func smoveCommand(c *Ctx) {
	src, dst, m := c.Args[1], c.Args[2], c.Args[3]
	ss, wrong := lookupSet(c, src)
	if wrong {
		return
	}
	if ss == nil {
		c.W.Int(0)
		return
	}
	ds, wrong := lookupSet(c, dst)
	if wrong {
		return
	}
	if ss == ds {
		writeInt01(c, ss.Has(m))
		return
	}
	srcBefore, dstBefore := ss.MemoryUsage(), -1
	if ds != nil {
		dstBefore = ds.MemoryUsage()
	}
	if !ss.Remove(m) {
		c.W.Int(0)
		return
	}
	c.Notify('s', "srem", src)
	if ss.Len() == 0 {
		c.DB.Delete(src)
		c.Notify('g', "del", src)
		c.Modified(src)
	} else {
		written(c, src, ss, srcBefore)
	}
	c.Dirty(1)
	if ds == nil {
		ds = set.NewFor(m, 1)
		c.DB.SetObject(dst, ds)
	}
	if ds.Add(m, collections(c).Set) {
		c.Dirty(1)
		written(c, dst, ds, dstBefore)
		c.Notify('s', "sadd", dst)
	}
	c.W.Int(1)
}

func sismemberCommand(c *Ctx) {
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	writeInt01(c, s != nil && s.Has(c.Args[2]))
}

func smismemberCommand(c *Ctx) {
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		writeInt01(c, s != nil && s.Has(m))
	}
}

func scardCommand(c *Ctx) {
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	n := 0
	if s != nil {
		n = s.Len()
	}
	c.W.Int(int64(n))
}

func smembersCommand(c *Ctx) {
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	if s == nil {
		c.W.Set(0)
		return
	}
	c.W.Set(s.Len())
	s.ForEach(func(m []byte) bool { c.W.Bulk(m); return true })
}

func spopCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(ErrSyntax)
		return
	}
	key := c.Args[1]
	if len(c.Args) == 2 {
		s, wrong := lookupSet(c, key)
		if wrong {
			return
		}
		if s == nil {
			c.W.Null()
			return
		}
		before := s.MemoryUsage()
		m := s.Pop()
		c.W.Bulk(m)
		c.Notify('s', "spop", key)
		c.Propagate([]byte("SREM"), key, m)
		written(c, key, s, before)
		removeIfEmpty(c, key, s.Len())
		c.Dirty(1)
		return
	}
	count, ok := parsePositive(c, c.Args[2], "")
	if !ok {
		return
	}
	s, wrong := lookupSet(c, key)
	if wrong {
		return
	}
	if s == nil || count == 0 {
		c.W.Set(0)
		c.Propagate()
		return
	}
	size := s.Len()
	if count >= int64(size) {
		c.W.Set(size)
		s.ForEach(func(m []byte) bool { c.W.Bulk(m); return true })
		c.DB.Delete(key)
		c.Modified(key)
		c.Notify('s', "spop", key)
		c.Notify('g', "del", key)
		c.Propagate([]byte("DEL"), key)
		c.Dirty(size)
		return
	}
	n := int(count)
	prop := make([][]byte, 0, n+2)
	prop = append(prop, []byte("SREM"), key)
	c.W.Set(n)
	before := s.MemoryUsage()
	for i := 0; i < n; i++ {
		m := s.Pop()
		c.W.Bulk(m)
		prop = append(prop, m)
	}
	written(c, key, s, before)
	c.Notify('s', "spop", key)
	c.Propagate(prop...)
	c.Dirty(n)
}

func srandmemberCommand(c *Ctx) {
	if len(c.Args) > 3 {
		c.Error(ErrSyntax)
		return
	}
	if len(c.Args) == 2 {
		s, wrong := lookupSet(c, c.Args[1])
		if wrong {
			return
		}
		if s == nil {
			c.W.Null()
			return
		}
		c.W.Bulk(s.Random())
		return
	}
	l, ok := parseRangeLong(c, c.Args[2], -1<<63+1, 1<<63-1, "")
	if !ok {
		return
	}
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	if s == nil || l == 0 {
		c.W.Array(0)
		return
	}
	size := s.Len()
	if l < 0 {
		n := int(-l)
		c.W.Array(n)
		if size <= 128 || n > size {
			members := setMembers(s)
			for i := 0; i < n && !c.W.Full(); i++ {
				c.W.Bulk(members[rand.IntN(len(members))])
			}
			return
		}
		// A client that cannot take the reply is closed by its output
		// limit: stop drawing then.
		for i := 0; i < n && !c.W.Full(); i++ {
			c.W.Bulk(s.Random())
		}
		return
	}
	if l >= int64(size) {
		c.W.Array(size)
		s.ForEach(func(m []byte) bool { c.W.Bulk(m); return true })
		return
	}
	count := int(l)
	c.W.Array(count)
	if count*3 > size || s.Encoding() == "intset" {
		members := setMembers(s)
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(members)-i)
			members[i], members[j] = members[j], members[i]
			c.W.Bulk(members[i])
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		m := s.Random()
		if _, dup := seen[string(m)]; dup {
			continue
		}
		seen[string(m)] = struct{}{}
		c.W.Bulk(m)
	}
}

// setMembers returns copies of s's members.
func setMembers(s *set.Set) [][]byte {
	out := make([][]byte, 0, s.Len())
	s.ForEach(func(m []byte) bool { out = append(out, append([]byte(nil), m...)); return true })
	return out
}

func sscanCommand(c *Ctx) {
	sc, ok := parseCollScan(c, c.Args[2:])
	if !ok {
		return
	}
	s, wrong := lookupSet(c, c.Args[1])
	if wrong {
		return
	}
	if s == nil {
		writeScanReply(c, 0, nil)
		return
	}
	var items [][]byte
	next := s.Scan(sc.cursor, sc.count, func(m []byte) {
		if sc.matches(m) {
			items = append(items, append([]byte(nil), m...))
		}
	})
	writeScanReply(c, next, items)
}

// lookupSets returns the sets of keys (nil for absent keys); ok is false (error written) when
// one holds another type.
func lookupSets(c *Ctx, keys [][]byte) ([]*set.Set, bool) {
	sets := make([]*set.Set, len(keys))
	for i, k := range keys {
		s, wrong := lookupSet(c, k)
		if wrong {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// intersect calls fn for each member of the intersection of sets (none nil) until fn returns
// false, walking the smallest set.
func intersect(sets []*set.Set, fn func(m []byte) bool) {
	sorted := append([]*set.Set(nil), sets...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Len() < sorted[j].Len() })
	sorted[0].ForEach(func(m []byte) bool {
		for _, o := range sorted[1:] {
			if o != sorted[0] && !o.Has(m) {
				return true
			}
		}
		return fn(m)
	})
}

// setAlgebra computes SINTER (op 'i'), SUNION ('u') or SDIFF ('d') of keys and replies with
// the members, or stores them in dst (when not nil) and replies with their number.
func setAlgebra(c *Ctx, op byte, dst []byte, keys [][]byte) {
	prev := c.BeginReads() // the STORE variants read their sources too
	sets, ok := lookupSets(c, keys)
	c.EndReads(prev)
	if !ok {
		return
	}
	var members [][]byte
	hasNil := false
	for _, s := range sets {
		hasNil = hasNil || s == nil
	}
	switch op {
	case 'i':
		if !hasNil {
			intersect(sets, func(m []byte) bool {
				members = append(members, append([]byte(nil), m...))
				return true
			})
		}
	case 'u':
		if len(sets) == 1 && sets[0] != nil {
			members = setMembers(sets[0])
			break
		}
		seen := map[string]struct{}{}
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.ForEach(func(m []byte) bool {
				if _, dup := seen[string(m)]; !dup {
					seen[string(m)] = struct{}{}
					members = append(members, append([]byte(nil), m...))
				}
				return true
			})
		}
	case 'd':
		if sets[0] == nil {
			break
		}
		sets[0].ForEach(func(m []byte) bool {
			for _, o := range sets[1:] {
				if o != nil && (o == sets[0] || o.Has(m)) {
					return true
				}
			}
			members = append(members, append([]byte(nil), m...))
			return true
		})
	}
	if dst == nil {
		c.W.Set(len(members))
		for _, m := range members {
			c.W.Bulk(m)
		}
		return
	}
	if len(members) == 0 {
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify('g', "del", dst)
			c.Dirty(1)
		}
		c.W.Int(0)
		return
	}
	out := set.New()
	cfg := collections(c).Set
	for _, m := range members {
		out.Add(m, cfg)
	}
	c.DB.SetObject(dst, out)
	c.Modified(dst)
	event := "sinterstore"
	if op == 'u' {
		event = "sunionstore"
	} else if op == 'd' {
		event = "sdiffstore"
	}
	c.Notify('s', event, dst)
	c.Dirty(1)
	c.W.Int(int64(out.Len()))
}

func sinterCommand(c *Ctx)      { setAlgebra(c, 'i', nil, c.Args[1:]) }
func sinterstoreCommand(c *Ctx) { setAlgebra(c, 'i', c.Args[1], c.Args[2:]) }
func sunionCommand(c *Ctx)      { setAlgebra(c, 'u', nil, c.Args[1:]) }
func sunionstoreCommand(c *Ctx) { setAlgebra(c, 'u', c.Args[1], c.Args[2:]) }
func sdiffCommand(c *Ctx)       { setAlgebra(c, 'd', nil, c.Args[1:]) }
func sdiffstoreCommand(c *Ctx)  { setAlgebra(c, 'd', c.Args[1], c.Args[2:]) }

func sintercardCommand(c *Ctx) {
	numKeys, ok := parseRangeLong(c, c.Args[1], 1, 1<<63-1, ErrNumKeysZero)
	if !ok {
		return
	}
	if numKeys > int64(len(c.Args)-2) {
		c.Error(errNumKeysTooMany)
		return
	}
	keys := c.Args[2 : 2+numKeys]
	var limit int64
	for j := 2 + int(numKeys); j < len(c.Args); j++ {
		if argIs(c.Args[j], "limit") && j+1 < len(c.Args) {
			j++
			if limit, ok = parsePositive(c, c.Args[j], errLimitNegative); !ok {
				return
			}
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	sets, ok := lookupSets(c, keys)
	if !ok {
		return
	}
	for _, s := range sets {
		if s == nil {
			c.W.Int(0)
			return
		}
	}
	var n int64
	intersect(sets, func([]byte) bool {
		n++
		return limit == 0 || n < limit
	})
	c.W.Int(n)
}
