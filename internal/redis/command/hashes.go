package command

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/ds/hash"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The hash family (t_hash.c): HSET and friends, counters, random fields and HSCAN, with Redis
// 7.0's replies, notifications and propagation.

func registerHashes(t *Table) {
	h := func(name string, arity int, flags Flags, summary, complexity string, acl string, fn Handler, since string) *Spec {
		cat := "slow"
		if flags&Fast != 0 {
			cat = "fast"
		}
		return &Spec{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "hash", Since: since, Summary: summary, Complexity: complexity,
			ACL: []string{acl, "hash", cat}, Handler: fn}
	}
	const w, r, oom, fast = Write, ReadOnly, DenyOOM, Fast
	t.Add(
		h("hset", -4, w|oom|fast, "Set the values of one or more fields in a hash", "O(1) for each field/value pair added", "write", hsetCommand, "2.0.0"),
		h("hmset", -4, w|oom|fast, "Set the values of multiple fields (deprecated: use HSET)", "O(N) where N is the number of fields being set", "write", hsetCommand, "2.0.0"),
		h("hsetnx", 4, w|oom|fast, "Set the value of a field only if the field does not exist", "O(1)", "write", hsetnxCommand, "2.0.0"),
		h("hget", 3, r|fast, "Return the value of a field in a hash", "O(1)", "read", hgetCommand, "2.0.0"),
		h("hmget", -3, r|fast, "Return the values of several fields in a hash", "O(N) where N is the number of fields being requested", "read", hmgetCommand, "2.0.0"),
		h("hdel", -3, w|fast, "Delete one or more fields from a hash", "O(N) where N is the number of fields to be removed", "write", hdelCommand, "2.0.0"),
		h("hexists", 3, r|fast, "Determine whether a field exists in a hash", "O(1)", "read", hexistsCommand, "2.0.0"),
		h("hlen", 2, r|fast, "Return the number of fields in a hash", "O(1)", "read", hlenCommand, "2.0.0"),
		h("hstrlen", 3, r|fast, "Return the length of the value of a field", "O(1)", "read", hstrlenCommand, "3.2.0"),
		h("hkeys", 2, r, "Return all the fields of a hash", "O(N) where N is the size of the hash", "read", hkeysCommand, "2.0.0"),
		h("hvals", 2, r, "Return all the values of a hash", "O(N) where N is the size of the hash", "read", hvalsCommand, "2.0.0"),
		h("hgetall", 2, r, "Return all the fields and values of a hash", "O(N) where N is the size of the hash", "read", hgetallCommand, "2.0.0"),
		h("hincrby", 4, w|oom|fast, "Increment the integer value of a field by a number", "O(1)", "write", hincrbyCommand, "2.0.0"),
		h("hincrbyfloat", 4, w|oom|fast, "Increment the float value of a field by a number", "O(1)", "write", hincrbyfloatCommand, "2.6.0"),
		h("hrandfield", -2, r, "Return one or more random fields of a hash", "O(N) where N is the number of fields returned", "read", hrandfieldCommand, "6.2.0"),
		h("hscan", -3, r, "Iterate over the fields and values of a hash", "O(1) for every call. O(N) for a complete iteration", "read", hscanCommand, "2.8.0"),
	)
}

// A small (listpack) hash is stored inline in the keyspace arena (keyspace.Inliner): a
// reader sees it through a view of those bytes; a writer changes a copy made in the
// keyspace's scratch buffer and stores it again (SetInline), so neither allocates. A
// hashtable, or a listpack over hash.MaxInline bytes, is a keyspace Object changed in place.

// hashFrom says where the hash a command works on came from.
type hashFrom uint8

const (
	hashObject  hashFrom = iota // the stored Object, changed in place
	hashInline                  // a copy of inline bytes: store it again after a change
	hashCreated                 // new: store it
)

// lookupHash returns key's hash for reading, nil when absent; wrong is set (error written)
// for another type. An inline hash is returned as a view in *view, without allocating.
func lookupHash(c *Ctx, key []byte, view *hash.Hash) (h *hash.Hash, wrong bool) {
	v, ok := c.DB.LookupInline(key)
	if !ok {
		return nil, false
	}
	if v.Type != keyspace.TypeHash {
		c.W.Error(ErrWrongType)
		return nil, true
	}
	if v.Obj == nil {
		*view = hash.View(v.Inline)
		return view, false
	}
	return v.Obj.(*hash.Hash), false
}

// hashForWrite returns key's hash for a change of up to about extra more bytes; a new
// (not yet stored) one when absent. An inline or new hash is made in *edit, over the
// keyspace's scratch buffer; obj is the stored Object otherwise.
func hashForWrite(c *Ctx, key []byte, edit *hash.Hash, extra int) (h, obj *hash.Hash, from hashFrom, ok bool) {
	v, found := c.DB.LookupInline(key)
	switch {
	case !found:
		*edit = hash.Editable(nil, c.KS.Scratch(extra+16))
		return edit, nil, hashCreated, true
	case v.Type != keyspace.TypeHash:
		c.W.Error(ErrWrongType)
		return nil, nil, 0, false
	case v.Obj == nil:
		*edit = hash.Editable(v.Inline, c.KS.Scratch(len(v.Inline)+extra+16))
		return edit, nil, hashInline, true
	}
	obj = v.Obj.(*hash.Hash)
	return obj, obj, hashObject, true
}

// pairBytes is about how many bytes the arguments add to a listpack.
func pairBytes(args [][]byte) int {
	n := 0
	for _, a := range args {
		n += len(a) + 2
	}
	return n
}

// storeHash makes a change to h (from hashForWrite) visible: a listpack that fits is stored
// inline (keeping the TTL), an Object changed in place is re-accounted, and a hash that no
// longer fits inline is stored as an Object. It reports the change to the server.
func storeHash(c *Ctx, key []byte, h, obj *hash.Hash, from hashFrom, before int) {
	if b, u, ok := h.Inline(); ok {
		c.DB.SetInline(key, keyspace.TypeHash, b, u, true)
	} else if from == hashObject {
		written(c, key, obj, before)
		return
	} else {
		c.DB.ReplaceObject(key, h.Detach())
	}
	c.Modified(key)
}

func hsetCommand(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.Error(WrongArgs(c.Spec.Name))
		return
	}
	key := c.Args[1]
	var edit hash.Hash
	h, obj, from, ok := hashForWrite(c, key, &edit, pairBytes(c.Args[2:]))
	if !ok {
		return
	}
	cfg := collections(c).Hash
	before := h.MemoryUsage()
	added := 0
	for i := 2; i < len(c.Args); i += 2 {
		if h.Set(c.Args[i], c.Args[i+1], cfg) {
			added++
		}
	}
	storeHash(c, key, h, obj, from, before)
	c.Notify('h', "hset", key)
	c.Dirty((len(c.Args) - 2) / 2)
	if c.Spec.Name == "hmset" {
		c.W.OK()
		return
	}
	c.W.Int(int64(added))
}

func hsetnxCommand(c *Ctx) {
	key := c.Args[1]
	var edit hash.Hash
	h, obj, from, ok := hashForWrite(c, key, &edit, pairBytes(c.Args[2:]))
	if !ok {
		return
	}
	if h.Has(c.Args[2]) {
		c.W.Int(0)
		return
	}
	before := h.MemoryUsage()
	h.Set(c.Args[2], c.Args[3], collections(c).Hash)
	storeHash(c, key, h, obj, from, before)
	c.Notify('h', "hset", key)
	c.Dirty(1)
	c.W.Int(1)
}

func hgetCommand(c *Ctx) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	if h != nil {
		if v, ok := h.Get(c.Args[2]); ok {
			c.W.Bulk(v)
			return
		}
	}
	c.W.Null()
}

func hmgetCommand(c *Ctx) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		if h != nil {
			if v, ok := h.Get(f); ok {
				c.W.Bulk(v)
				continue
			}
		}
		c.W.Null()
	}
}

func hdelCommand(c *Ctx) {
	key := c.Args[1]
	var edit hash.Hash
	h, obj, from, ok := hashForWrite(c, key, &edit, 0)
	if !ok {
		return
	}
	if from == hashCreated { // absent
		c.W.Int(0)
		return
	}
	deleted, before := 0, h.MemoryUsage()
	for _, f := range c.Args[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		if h.Len() > 0 {
			storeHash(c, key, h, obj, from, before)
		} else {
			c.Modified(key) // deleted below
		}
		c.Notify('h', "hdel", key)
		removeIfEmpty(c, key, h.Len())
		c.Dirty(deleted)
	}
	c.W.Int(int64(deleted))
}

func hexistsCommand(c *Ctx) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	writeInt01(c, h != nil && h.Has(c.Args[2]))
}

func hlenCommand(c *Ctx) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	c.W.Int(int64(n))
}

func hstrlenCommand(c *Ctx) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.Get(c.Args[2])
		n = len(v)
	}
	c.W.Int(int64(n))
}

// hgetallGeneric is HKEYS, HVALS and HGETALL.
func hgetallGeneric(c *Ctx, fields, values bool) {
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.W.Map(n)
	} else {
		c.W.Array(n)
	}
	if h == nil {
		return
	}
	h.ForEach(func(f, v []byte) bool {
		if fields {
			c.W.Bulk(f)
		}
		if values {
			c.W.Bulk(v)
		}
		return true
	})
}

func hkeysCommand(c *Ctx)   { hgetallGeneric(c, true, false) }
func hvalsCommand(c *Ctx)   { hgetallGeneric(c, false, true) }
func hgetallCommand(c *Ctx) { hgetallGeneric(c, true, true) }

func hincrbyCommand(c *Ctx) {
	incr, ok := ParseInt(c.Args[3])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	key, field := c.Args[1], c.Args[2]
	var edit hash.Hash
	h, obj, from, ok := hashForWrite(c, key, &edit, pairBytes(c.Args[2:]))
	if !ok {
		return
	}
	var cur int64
	if v, found := h.Get(field); found {
		if cur, ok = ParseInt(v); !ok {
			c.Error(errHashNotInt)
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.Error(ErrOverflow)
		return
	}
	cur += incr
	var num [20]byte
	before := h.MemoryUsage()
	h.Set(field, strconv.AppendInt(num[:0], cur, 10), collections(c).Hash)
	storeHash(c, key, h, obj, from, before)
	c.Notify('h', "hincrby", key)
	c.Dirty(1)
	c.W.Int(cur)
}

func hincrbyfloatCommand(c *Ctx) {
	incr := new(big.Float).SetPrec(64)
	if !parseLongDouble(incr, c.Args[3]) {
		c.Error(ErrNotFloat)
		return
	}
	if incr.IsInf() {
		c.Error(errIncrNaNInf)
		return
	}
	key, field := c.Args[1], c.Args[2]
	var edit hash.Hash
	h, obj, from, ok := hashForWrite(c, key, &edit, pairBytes(c.Args[2:]))
	if !ok {
		return
	}
	cur := new(big.Float).SetPrec(64)
	if v, found := h.Get(field); found {
		if !parseLongDouble(cur, v) {
			c.Error(errHashNotFloat)
			return
		}
	}
	if cur.IsInf() {
		c.Error(ErrNaN)
		return
	}
	cur.Add(cur, incr)
	if cur.MantExp(nil) > maxLongDoubleExp2 {
		c.Error(ErrNaN)
		return
	}
	out := formatLongDoubleHuman(cur)
	before := h.MemoryUsage()
	h.Set(field, out, collections(c).Hash)
	storeHash(c, key, h, obj, from, before)
	c.Notify('h', "hincrbyfloat", key)
	c.Dirty(1)
	c.W.Bulk(out)
	c.Propagate([]byte("HSET"), key, field, out)
}

func hrandfieldCommand(c *Ctx) {
	if len(c.Args) == 2 {
		var buf hash.Hash
		h, wrong := lookupHash(c, c.Args[1], &buf)
		if wrong {
			return
		}
		if h == nil {
			c.W.Null()
			return
		}
		f, _ := h.Random()
		c.W.Bulk(f)
		return
	}
	withValues := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !argIs(c.Args[3], "withvalues")) {
		c.Error(ErrSyntax)
		return
	}
	withValues = len(c.Args) == 4
	l, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if (withValues && l < -math.MaxInt64/2) || l < -math.MaxInt64 {
		c.Error(errOutOfRange)
		return
	}
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	if h == nil || l == 0 {
		c.W.Array(0)
		return
	}
	writePair := func(f, v []byte) {
		if withValues && c.W.Proto >= 3 {
			c.W.Array(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	header := func(n int) {
		if withValues && c.W.Proto < 3 {
			n *= 2
		}
		c.W.Array(n)
	}
	size := h.Len()
	if l < 0 { // repetitions allowed
		n := int(-l)
		header(n)
		if size <= 128 || n > size {
			// sample from a snapshot of the fields: one walk instead of n
			pairs := hashPairs(h)
			for i := 0; i < n && !c.W.Full(); i++ {
				p := pairs[rand.IntN(len(pairs))]
				writePair(p[0], p[1])
			}
			return
		}
		// A client that cannot take the reply is closed by its output
		// limit: stop drawing then.
		for i := 0; i < n && !c.W.Full(); i++ {
			f, v := h.Random()
			writePair(f, v)
		}
		return
	}
	count := int(l)
	if int64(count) != l || count >= size {
		header(size)
		h.ForEach(func(f, v []byte) bool { writePair(f, v); return true })
		return
	}
	header(count)
	if h.Encoding() == "listpack" || count*3 > size {
		// pick count distinct positions of a snapshot (partial Fisher-Yates)
		pairs := hashPairs(h)
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(pairs)-i)
			pairs[i], pairs[j] = pairs[j], pairs[i]
			writePair(pairs[i][0], pairs[i][1])
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		f, v := h.Random()
		if _, dup := seen[string(f)]; dup {
			continue
		}
		seen[string(f)] = struct{}{}
		writePair(f, v)
	}
}

// hashPairs returns h's fields and values (aliasing h's memory).
func hashPairs(h *hash.Hash) [][2][]byte {
	pairs := make([][2][]byte, 0, h.Len())
	h.ForEach(func(f, v []byte) bool { pairs = append(pairs, [2][]byte{f, v}); return true })
	return pairs
}

func hscanCommand(c *Ctx) {
	s, ok := parseCollScan(c, c.Args[2:])
	if !ok {
		return
	}
	var buf hash.Hash
	h, wrong := lookupHash(c, c.Args[1], &buf)
	if wrong {
		return
	}
	if h == nil {
		writeScanReply(c, 0, nil)
		return
	}
	var items [][]byte
	next := h.Scan(s.cursor, s.count, func(f, v []byte) {
		if s.matches(f) {
			items = append(items, f, v)
		}
	})
	writeScanReply(c, next, items)
}
