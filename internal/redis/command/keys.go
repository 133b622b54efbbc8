package command

import (
	"math"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/glob"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The generic key family: deletion, existence, TTLs, renaming, copying and
// moving, enumeration (KEYS, SCAN, RANDOMKEY) and OBJECT, with Redis 7.0's
// replies, notifications and propagation (db.c, expire.c, object.c).

// Error texts of the key family.
const (
	errExpireNXAndOthers = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errExpireGTAndLT     = "ERR GT and LT options at the same time are not compatible"
	errLFUSelected       = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFUNotSelected    = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errUnknownTypeObject = "ERR unknown type object"
)

// sharedRefcount is what OBJECT REFCOUNT reports for the small integers
// Redis shares between keys (0..9999) when no LRU/LFU policy forbids it.
const (
	sharedRefcount    = math.MaxInt32
	sharedIntegersMax = 10000
)

// Duplicator is implemented by Objects that COPY can duplicate: Dup returns
// a deep copy with the same contents and encoding.
type Duplicator interface {
	Dup() keyspace.Object
}

func registerKeys(t *Table) {
	gen := func(s *Spec) *Spec {
		s.Group = "generic"
		switch s.FirstKey {
		case -1: // declared keyless
			s.FirstKey = 0
		case 0: // the usual single key at position 1
			s.FirstKey, s.LastKey, s.Step = 1, 1, 1
		}
		return s
	}
	expire := func(name, since, summary string, h Handler) *Spec {
		return gen(&Spec{Name: name, Arity: -3, Flags: Write | Fast, Since: since, Summary: summary,
			Complexity: "O(1)", ACL: []string{"keyspace", "write", "fast"}, Handler: h})
	}
	ttl := func(name, since, summary string, h Handler) *Spec {
		return gen(&Spec{Name: name, Arity: 2, Flags: ReadOnly | Fast, Since: since, Summary: summary,
			Complexity: "O(1)", ACL: []string{"keyspace", "read", "fast"}, Handler: h})
	}
	objectSub := func(name, summary string, h Handler) *Spec {
		return &Spec{Name: name, Arity: 3, Flags: ReadOnly, FirstKey: 2, LastKey: 2, Step: 1,
			Group: "generic", Since: "2.2.3", Summary: summary, Complexity: "O(1)",
			ACL: []string{"keyspace", "read", "slow"}, Handler: h}
	}
	t.Add(
		gen(&Spec{Name: "del", Arity: -2, Flags: Write, FirstKey: 1, LastKey: -1, Step: 1, Since: "1.0.0",
			Summary: "Delete keys", Complexity: "O(N) where N is the number of keys that will be removed",
			ACL: []string{"keyspace", "write", "slow"}, Handler: delCommand}),
		gen(&Spec{Name: "unlink", Arity: -2, Flags: Write | Fast, FirstKey: 1, LastKey: -1, Step: 1, Since: "4.0.0",
			Summary: "Delete keys, reclaiming memory in the background in Redis", Complexity: "O(1) for each key removed",
			ACL: []string{"keyspace", "write", "fast"}, Handler: delCommand}),
		gen(&Spec{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Since: "1.0.0",
			Summary: "Count how many of the given keys exist", Complexity: "O(N) where N is the number of keys to check",
			ACL: []string{"keyspace", "read", "fast"}, Handler: existsCommand}),
		gen(&Spec{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Since: "3.2.1",
			Summary: "Update the last access time of keys; count those that exist", Complexity: "O(N) where N is the number of keys that will be touched",
			ACL: []string{"keyspace", "read", "fast"}, Handler: touchCommand}),
		gen(&Spec{Name: "type", Arity: 2, Flags: ReadOnly | Fast, Since: "1.0.0",
			Summary: "Return the type of a key's value", Complexity: "O(1)",
			ACL: []string{"keyspace", "read", "fast"}, Handler: typeCommand}),
		expire("expire", "1.0.0", "Set a key's time to live in seconds", func(c *Ctx) { expireGeneric(c, c.Now, true) }),
		expire("pexpire", "2.6.0", "Set a key's time to live in milliseconds", func(c *Ctx) { expireGeneric(c, c.Now, false) }),
		expire("expireat", "1.2.0", "Set a key's expiry as a unix time in seconds", func(c *Ctx) { expireGeneric(c, 0, true) }),
		expire("pexpireat", "2.6.0", "Set a key's expiry as a unix time in milliseconds", func(c *Ctx) { expireGeneric(c, 0, false) }),
		ttl("ttl", "1.0.0", "Return a key's time to live in seconds", func(c *Ctx) { ttlGeneric(c, false, false) }),
		ttl("pttl", "2.6.0", "Return a key's time to live in milliseconds", func(c *Ctx) { ttlGeneric(c, true, false) }),
		ttl("expiretime", "7.0.0", "Return a key's expiry as a unix time in seconds", func(c *Ctx) { ttlGeneric(c, false, true) }),
		ttl("pexpiretime", "7.0.0", "Return a key's expiry as a unix time in milliseconds", func(c *Ctx) { ttlGeneric(c, true, true) }),
		gen(&Spec{Name: "persist", Arity: 2, Flags: Write | Fast, Since: "2.2.0",
			Summary: "Remove a key's expiry", Complexity: "O(1)",
			ACL: []string{"keyspace", "write", "fast"}, Handler: persistCommand}),
		gen(&Spec{Name: "rename", Arity: 3, Flags: Write, FirstKey: 1, LastKey: 2, Step: 1, Since: "1.0.0",
			Summary: "Rename a key, overwriting the destination", Complexity: "O(1)",
			ACL: []string{"keyspace", "write", "slow"}, Handler: func(c *Ctx) { renameGeneric(c, false) }}),
		gen(&Spec{Name: "renamenx", Arity: 3, Flags: Write | Fast, FirstKey: 1, LastKey: 2, Step: 1, Since: "1.0.0",
			Summary: "Rename a key only if the destination does not exist", Complexity: "O(1)",
			ACL: []string{"keyspace", "write", "fast"}, Handler: func(c *Ctx) { renameGeneric(c, true) }}),
		gen(&Spec{Name: "copy", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 2, Step: 1, Since: "6.2.0",
			Summary: "Copy a key's value to another key", Complexity: "O(N) worst case for collections, where N is the number of nested items",
			ACL: []string{"keyspace", "write", "slow"}, Handler: copyCommand}),
		gen(&Spec{Name: "move", Arity: 3, Flags: Write | Fast, Since: "1.0.0",
			Summary: "Move a key to another database", Complexity: "O(1)",
			ACL: []string{"keyspace", "write", "fast"}, Handler: moveCommand}),
		gen(&Spec{Name: "keys", Arity: 2, Flags: ReadOnly, FirstKey: -1, Since: "1.0.0",
			Summary: "Return the keys matching a pattern", Complexity: "O(N) with N being the number of keys in the database",
			ACL: []string{"keyspace", "read", "slow", "dangerous"}, Handler: keysCommand}),
		gen(&Spec{Name: "scan", Arity: -2, Flags: ReadOnly, FirstKey: -1, Since: "2.8.0",
			Summary: "Iterate over the keys of the database", Complexity: "O(1) for every call. O(N) for a complete iteration",
			ACL: []string{"keyspace", "read", "slow"}, Handler: scanCommand}),
		gen(&Spec{Name: "randomkey", Arity: 1, Flags: ReadOnly, FirstKey: -1, Since: "1.0.0",
			Summary: "Return a random key of the database", Complexity: "O(1)",
			ACL: []string{"keyspace", "read", "slow"}, Handler: randomkeyCommand}),
		&Spec{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast, Group: "server", Since: "1.0.0",
			Summary: "Return the number of keys in the database", Complexity: "O(1)",
			ACL: []string{"keyspace", "read", "fast"}, Handler: func(c *Ctx) { c.W.Int(int64(c.DB.Len())) }},
		&Spec{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3",
			Summary: "A container for object introspection commands", Complexity: "Depends on subcommand.",
			ACL: []string{"slow"}, Sub: []*Spec{
				objectSub("encoding", "Return the internal encoding of a key's value", objectEncoding),
				objectSub("freq", "Return the logarithmic access frequency counter of a key's value", objectFreq),
				objectSub("idletime", "Return the seconds since the last access to a key's value", objectIdletime),
				objectSub("refcount", "Return the reference count of a key's value", objectRefcount),
				{Name: "help", Arity: 2, Flags: Loading | Stale, Group: "generic", Since: "6.2.0",
					Summary: "Show helpful text about the different subcommands", Complexity: "O(1)",
					ACL: []string{"keyspace", "slow"}, Handler: objectHelp},
			}},
	)
}

func delCommand(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if c.DB.Delete(key) {
			c.Modified(key)
			c.Notify('g', "del", key)
			c.Dirty(1)
			n++
		}
	}
	c.W.Int(n)
}

func existsCommand(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if _, ok := c.DB.Peek(key); ok {
			n++
		}
	}
	c.W.Int(n)
}

func touchCommand(c *Ctx) {
	var n int64
	for _, key := range c.Args[1:] {
		if _, ok := c.DB.Lookup(key); ok {
			n++
		}
	}
	c.W.Int(n)
}

func typeCommand(c *Ctx) {
	v, ok := c.DB.Peek(c.Args[1])
	if !ok {
		c.W.SimpleString("none")
		return
	}
	c.W.SimpleString(v.Type.String())
}

type expireCond uint8

const (
	expireNX expireCond = 1 << iota
	expireXX
	expireGT
	expireLT
)

// expireGeneric is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: basetime is
// added to the (possibly seconds) argument.
func expireGeneric(c *Ctx, basetime int64, seconds bool) {
	key := c.Args[1]
	var cond expireCond
	for _, opt := range c.Args[3:] {
		switch {
		case argIs(opt, "nx"):
			cond |= expireNX
		case argIs(opt, "xx"):
			cond |= expireXX
		case argIs(opt, "gt"):
			cond |= expireGT
		case argIs(opt, "lt"):
			cond |= expireLT
		default:
			c.Error("ERR Unsupported option " + string(opt))
			return
		}
	}
	if cond&expireNX != 0 && cond&(expireXX|expireGT|expireLT) != 0 {
		c.Error(errExpireNXAndOthers)
		return
	}
	if cond&expireGT != 0 && cond&expireLT != 0 {
		c.Error(errExpireGTAndLT)
		return
	}
	when, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(InvalidExpire(c.Spec.FullName()))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-basetime {
		c.Error(InvalidExpire(c.Spec.FullName()))
		return
	}
	when += basetime
	v, found := c.DB.Lookup(key)
	if !found {
		c.W.Int(0)
		return
	}
	if cond != 0 {
		cur := v.ExpireAt
		switch {
		case cond&expireNX != 0 && cur != 0,
			cond&expireXX != 0 && cur == 0,
			cond&expireGT != 0 && (cur == 0 || when <= cur),
			cond&expireLT != 0 && cur != 0 && when >= cur:
			c.W.Int(0)
			return
		}
	}
	if when <= c.Now {
		c.DB.Delete(key)
		c.Dirty(1)
		c.Propagate([]byte("DEL"), key)
		c.Modified(key)
		c.Notify('g', "del", key)
		c.W.Int(1)
		return
	}
	c.DB.SetExpire(key, when)
	c.W.Int(1)
	if basetime != 0 || seconds {
		args := append([][]byte{[]byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10)}, c.Args[3:]...)
		c.Propagate(args...)
	}
	c.Modified(key)
	c.Notify('g', "expire", key)
	c.Dirty(1)
}

// ttlGeneric is TTL, PTTL, EXPIRETIME and PEXPIRETIME.
func ttlGeneric(c *Ctx, millis, absolute bool) {
	v, ok := c.DB.Peek(c.Args[1])
	if !ok {
		c.W.Int(-2)
		return
	}
	if v.ExpireAt == 0 {
		c.W.Int(-1)
		return
	}
	t := v.ExpireAt
	if !absolute {
		t -= c.Now
	}
	t = max(t, 0)
	if !millis {
		t = (t + 500) / 1000
	}
	c.W.Int(t)
}

func persistCommand(c *Ctx) {
	key := c.Args[1]
	if _, ok := c.DB.Lookup(key); ok && c.DB.Persist(key) {
		c.Modified(key)
		c.Notify('g', "persist", key)
		c.Dirty(1)
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func renameGeneric(c *Ctx, nx bool) {
	from, to := c.Args[1], c.Args[2]
	if _, ok := c.DB.Lookup(from); !ok {
		c.Error(ErrNoSuchKey)
		return
	}
	if string(from) == string(to) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return
	}
	if _, exists := c.DB.Lookup(to); exists && nx {
		c.W.Int(0)
		return
	}
	c.DB.Rename(from, to)
	c.Modified(from)
	c.Modified(to)
	c.Notify('g', "rename_from", from)
	c.Notify('g', "rename_to", to)
	c.Dirty(1)
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

// dbIndexArg parses a database number argument; ok false when the error
// was written.
func dbIndexArg(c *Ctx, arg []byte) (*keyspace.DB, bool) {
	n, ok := ParseInt(arg)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		c.Error(ErrNotInt)
		return nil, false
	}
	if n < 0 || n >= int64(c.KS.Len()) {
		c.Error(ErrDBIndex)
		return nil, false
	}
	return c.KS.DB(int(n)), true
}

// putValue stores v (a string or an Object) under key in db with expireAt,
// keeping a string's raw encoding as Redis' dupStringObject does.
func putValue(db *keyspace.DB, key []byte, v keyspace.Value, obj keyspace.Object, expireAt int64) {
	if v.Type == keyspace.TypeString {
		if v.Encoding() == "raw" {
			db.SetStringRaw(key, v.Str, expireAt, false)
		} else {
			db.SetString(key, v.Str, expireAt, false)
		}
		return
	}
	db.SetObject(key, obj)
	if expireAt != 0 {
		db.SetExpire(key, expireAt)
	}
}

func moveCommand(c *Ctx) {
	key := c.Args[1]
	dst, ok := dbIndexArg(c, c.Args[2])
	if !ok {
		return
	}
	if dst == c.DB {
		c.Error(ErrSameObject)
		return
	}
	v, found := c.DB.Lookup(key)
	if !found {
		c.W.Int(0)
		return
	}
	if _, exists := dst.Lookup(key); exists {
		c.W.Int(0)
		return
	}
	putValue(dst, key, v, v.Obj, v.ExpireAt)
	c.DB.Delete(key)
	c.Modified(key)
	c.Hooks.KeyModified(dst.Index(), key)
	c.Notify('g', "move_from", key)
	c.Hooks.Notify(dst.Index(), 'g', "move_to", key)
	c.Dirty(1)
	c.W.Int(1)
}

func copyCommand(c *Ctx) {
	src, dstKey := c.Args[1], c.Args[2]
	dst := c.DB
	replace := false
	for j := 3; j < len(c.Args); j++ {
		switch {
		case argIs(c.Args[j], "replace"):
			replace = true
		case argIs(c.Args[j], "db") && j+1 < len(c.Args):
			db, ok := dbIndexArg(c, c.Args[j+1])
			if !ok {
				return
			}
			dst = db
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if dst == c.DB && string(src) == string(dstKey) {
		c.Error(ErrSameObject)
		return
	}
	prev := c.BeginReads() // the source is read, the destination looked up to write
	v, found := c.DB.Lookup(src)
	c.EndReads(prev)
	if !found {
		c.W.Int(0)
		return
	}
	// v.Str aliases the DB, and the lookup or deletion of the destination
	// may write to the same DB: copy it first.
	v.Str = append([]byte(nil), v.Str...)
	_, exists := dst.Lookup(dstKey)
	if exists && !replace {
		c.W.Int(0)
		return
	}
	var obj keyspace.Object
	if v.Type != keyspace.TypeString {
		d, ok := v.Obj.(Duplicator)
		if !ok {
			c.Error(errUnknownTypeObject)
			return
		}
		obj = d.Dup()
	}
	if exists {
		dst.Delete(dstKey)
	}
	putValue(dst, dstKey, v, obj, v.ExpireAt)
	c.Hooks.KeyModified(dst.Index(), dstKey)
	c.Hooks.Notify(dst.Index(), 'g', "copy_to", dstKey) // as redis-server 7.0.15 does
	c.Dirty(1)
	c.W.Int(1)
}

func keysCommand(c *Ctx) {
	pattern := c.Args[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	var out [][]byte
	c.DB.ForEach(func(key []byte, _ keyspace.Value) bool {
		if all || glob.Match(pattern, key) {
			out = append(out, append([]byte(nil), key...))
		}
		return true
	})
	c.W.Array(len(out))
	for _, k := range out {
		if c.W.Full() {
			return // the output limit closes the client: stop, as Redis does
		}
		c.W.Bulk(k)
	}
}

// parseCursor parses a SCAN cursor as Redis does with strtoul: an optional
// sign (a negative cursor wraps), decimal digits, nothing else; the empty
// string is cursor 0.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isSpace(b[0]) {
		return 0, false
	}
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i++
	}
	if i == len(b) {
		return 0, i == 0 // "" is 0; a lone sign is left unparsed
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d-'0'))/10 {
			return 0, false // ERANGE
		}
		v = v*10 + uint64(d-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

func scanCommand(c *Ctx) {
	cursor, ok := parseCursor(c.Args[1])
	if !ok {
		c.Error(ErrNotValidCursor)
		return
	}
	count := int64(10)
	var pattern, typeName []byte
	usePattern := false
	for i := 2; i < len(c.Args); {
		more := len(c.Args) - i
		switch {
		case argIs(c.Args[i], "count") && more >= 2:
			n, ok := ParseInt(c.Args[i+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return
			}
			count = n
		case argIs(c.Args[i], "match") && more >= 2:
			pattern = c.Args[i+1]
			usePattern = !(len(pattern) == 1 && pattern[0] == '*')
		case argIs(c.Args[i], "type") && more >= 2:
			typeName = c.Args[i+1]
		default:
			c.Error(ErrSyntax)
			return
		}
		i += 2
	}
	var keys [][]byte
	next := c.DB.Scan(cursor, int(min(count, math.MaxInt32)), func(key []byte) {
		if usePattern && !glob.Match(pattern, key) {
			return
		}
		keys = append(keys, append([]byte(nil), key...))
	})
	out := keys[:0]
	// Checking a key's TYPE is a read lookup in Redis; dropping expired keys
	// is not.
	mode := c.KS.SetReadMode(0)
	if typeName != nil {
		c.KS.SetReadMode(mode)
	}
	for _, k := range keys {
		v, ok := c.DB.Peek(k) // also drops keys that expired
		if !ok {
			continue
		}
		if typeName != nil && !argIs(typeName, v.Type.String()) {
			continue
		}
		out = append(out, k)
	}
	c.KS.SetReadMode(mode)
	c.W.Array(2)
	var tmp [24]byte
	c.W.Bulk(strconv.AppendUint(tmp[:0], next, 10))
	c.W.Array(len(out))
	for _, k := range out {
		if c.W.Full() {
			return // the output limit closes the client: stop, as Redis does
		}
		c.W.Bulk(k)
	}
}

func randomkeyCommand(c *Ctx) {
	key, ok := c.DB.RandomKey()
	if !ok {
		c.W.Null()
		return
	}
	c.W.Bulk(key)
}

// objectLookup finds OBJECT's key without touching its access clock;
// absent keys get the null reply.
func objectLookup(c *Ctx) (keyspace.Value, bool) {
	// Counted in keyspace_hits/misses, but a miss publishes no keymiss
	// (LOOKUP_NONOTIFY).
	prev := c.KS.SetReadMode(keyspace.ReadsCount)
	v, ok := c.DB.Peek(c.Args[2])
	c.KS.SetReadMode(prev)
	if !ok {
		c.W.Null()
	}
	return v, ok
}

func objectEncoding(c *Ctx) {
	if v, ok := objectLookup(c); ok {
		c.W.BulkString(v.Encoding())
	}
}

func objectRefcount(c *Ctx) {
	v, ok := objectLookup(c)
	if !ok {
		return
	}
	// Redis shares the integers 0..9999 unless maxmemory is set with an
	// LRU/LFU policy (each key then needs its own access clock).
	policy := c.KS.MaxmemoryPolicy()
	shared := c.Set.MaxMemory == 0 || !(strings.Contains(policy, "lru") || strings.Contains(policy, "lfu"))
	if shared && v.Type == keyspace.TypeString && v.Encoding() == "int" {
		if n, _ := ParseInt(v.Str); n >= 0 && n < sharedIntegersMax {
			c.W.Int(sharedRefcount)
			return
		}
	}
	c.W.Int(1)
}

func objectIdletime(c *Ctx) {
	if _, ok := objectLookup(c); !ok {
		return
	}
	if c.KS.LFU() {
		c.Error(errLFUSelected)
		return
	}
	ms, _ := c.DB.IdleTime(c.Args[2])
	c.W.Int(ms / 1000)
}

func objectFreq(c *Ctx) {
	if _, ok := objectLookup(c); !ok {
		return
	}
	if !c.KS.LFU() {
		c.Error(errLFUNotSelected)
		return
	}
	n, _ := c.DB.Freq(c.Args[2])
	c.W.Int(int64(n))
}

var objectHelpLines = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

func objectHelp(c *Ctx) {
	c.W.Array(len(objectHelpLines))
	for _, l := range objectHelpLines {
		c.W.SimpleString(l)
	}
}
