package command

import (
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/ds/hash"
	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/glob"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// Error texts of the hash, list, set and sort families (Redis 7.0's, checked against
// redis-server 7.0), and the helpers those families share.
const (
	errHashNotInt     = "ERR hash value is not an integer"
	errHashNotFloat   = "ERR hash value is not a float"
	errIncrNaNInf     = "ERR value is NaN or Infinity"
	errOutOfRange     = "ERR value is out of range"
	errRangeLong      = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errLposRankZero   = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errLposCountNeg   = "ERR COUNT can't be negative"
	errLposMaxlenNeg  = "ERR MAXLEN can't be negative"
	errNumKeysTooMany = "ERR Number of keys can't be greater than number of args"
	errLimitNegative  = "ERR LIMIT can't be negative"
	errSortBadNumber  = "ERR One or more scores can't be converted into double"
)

// CollectionConfig holds the encoding thresholds of hashes, lists and sets, which CONFIG SET
// changes at run time (hash-max-listpack-*, list-max-listpack-size, set-max-intset-entries and
// their ziplist aliases).
type CollectionConfig struct {
	Hash hash.Config
	List list.Config
	Set  set.Config
}

// DefaultCollectionConfig returns Redis 7.0's defaults.
func DefaultCollectionConfig() CollectionConfig {
	return CollectionConfig{Hash: hash.DefaultConfig(), List: list.DefaultConfig(), Set: set.DefaultConfig()}
}

// collections returns the thresholds in force (CONFIG SET fills Settings.Collections).
func collections(c *Ctx) CollectionConfig {
	if c.Set == nil {
		return DefaultCollectionConfig()
	}
	return c.Set.Collections
}

// written records an in-place change of obj, key's value, whose MemoryUsage was before: the
// keyspace re-accounts its memory only when it changed (that costs a second lookup), then WATCH
// and blocked clients hear of it through the server.
func written(c *Ctx, key []byte, obj keyspace.Object, before int) {
	if obj.MemoryUsage() != before {
		c.Modified(key)
		return
	}
	c.Hooks.KeyModified(c.DB.Index(), key)
}

// removeIfEmpty deletes key once its collection is empty, with the "del" notification.
func removeIfEmpty(c *Ctx, key []byte, n int) {
	if n == 0 {
		c.DB.Delete(key)
		c.Notify('g', "del", key)
	}
}

// parseRangeLong parses a long in [min, max] as getRangeLongFromObjectOrReply does: msg (when
// not empty) replaces both the not-an-integer and the out-of-range error.
func parseRangeLong(c *Ctx, arg []byte, min, max int64, msg string) (int64, bool) {
	v, ok := ParseInt(arg)
	if !ok {
		if msg == "" {
			msg = ErrNotInt
		}
		c.Error(msg)
		return 0, false
	}
	if v < min || v > max {
		if msg == "" {
			msg = "ERR value is out of range, value must between " + strconv.FormatInt(min, 10) +
				" and " + strconv.FormatInt(max, 10)
		}
		c.Error(msg)
		return 0, false
	}
	return v, true
}

// parsePositive is getPositiveLongFromObjectOrReply: msg (ErrNotPositive when empty) answers
// both a non-integer and a negative value.
func parsePositive(c *Ctx, arg []byte, msg string) (int64, bool) {
	if msg == "" {
		msg = ErrNotPositive
	}
	return parseRangeLong(c, arg, 0, 1<<63-1, msg)
}

// collScan is the parsed tail of HSCAN/SSCAN: cursor [MATCH pattern] [COUNT count].
type collScan struct {
	cursor  uint64
	pattern []byte
	count   int
}

// parseCollScan parses a scan's cursor and options (args[0] is the cursor), writing the error
// on failure, as Redis' scanGenericCommand does.
func parseCollScan(c *Ctx, args [][]byte) (collScan, bool) {
	s := collScan{count: 10}
	cur, err := strconv.ParseUint(string(args[0]), 10, 64)
	if err != nil {
		c.Error(ErrNotValidCursor)
		return s, false
	}
	s.cursor = cur
	for i := 1; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.Error(ErrSyntax)
			return s, false
		}
		switch {
		case argIs(args[i], "count"):
			n, ok := ParseInt(args[i+1])
			if !ok {
				c.Error(ErrNotInt)
				return s, false
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return s, false
			}
			if n > 1<<30 {
				n = 1 << 30
			}
			s.count = int(n)
		case argIs(args[i], "match"):
			s.pattern = args[i+1]
			if len(s.pattern) == 1 && s.pattern[0] == '*' {
				s.pattern = nil
			}
		default:
			c.Error(ErrSyntax)
			return s, false
		}
	}
	return s, true
}

func (s *collScan) matches(b []byte) bool { return s.pattern == nil || glob.Match(s.pattern, b) }

// writeScanReply writes [cursor, items].
func writeScanReply(c *Ctx, next uint64, items [][]byte) {
	c.W.Array(2)
	c.W.Bulk(strconv.AppendUint(nil, next, 10))
	c.W.Array(len(items))
	for _, it := range items {
		c.W.Bulk(it)
	}
}

// lookupObject finds key's value for a command of type want: nil when absent; wrong set (and
// the error written) for another type.
func lookupObject(c *Ctx, key []byte, want keyspace.Type) (obj keyspace.Object, wrong bool) {
	v, ok, wrong := c.Lookup(key, want)
	if !ok {
		return nil, wrong
	}
	return v.Obj, false
}

// writeInt01 writes :1 or :0 (the replies of HEXISTS, SISMEMBER and the like, integers in
// RESP3 too).
func writeInt01(c *Ctx, b bool) {
	if b {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}
