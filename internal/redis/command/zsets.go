package command

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/ds/zset"
	"github.com/tandem-db/tandem/internal/redis/glob"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// The sorted set family (t_zset.c): ZADD and its options, ranks and ranges
// by rank, score and lex, removal by range, pops (blocking too), set
// algebra, random members and ZSCAN, with Redis 7.0's replies, keyspace
// events and propagation.

func registerZSets(t *Table) {
	z := func(name string, arity int, flags Flags, acl string, h Handler, since, summary string) *Spec {
		return &Spec{Name: name, Arity: arity, Flags: flags, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "sorted-set", Since: since, Summary: summary, Complexity: "O(log(N))",
			ACL: []string{acl, "sortedset", speedOf(flags)}, Handler: h}
	}
	numkeys := func(at int) func(args [][]byte) []int {
		return func(args [][]byte) []int {
			if at >= len(args) {
				return nil
			}
			n, ok := ParseInt(args[at])
			if !ok || n < 1 || int(n) > len(args)-at-1 {
				return nil
			}
			var out []int
			if at == 2 {
				out = append(out, 1)
			}
			for i := 0; i < int(n); i++ {
				out = append(out, at+1+i)
			}
			return out
		}
	}
	withKeys := func(s *Spec, keys func([][]byte) []int) *Spec {
		s.Keys = keys
		s.Flags |= MovableKeys
		return s
	}
	allButLast := func(s *Spec) *Spec { s.LastKey = -2; return s }
	store := func(s *Spec) *Spec { s.LastKey = 2; return s }
	w, wd, r := Write, Write|DenyOOM, ReadOnly
	t.Add(
		z("zadd", -4, wd|Fast, "write", zaddCommand, "1.2.0", "Add members to a sorted set, or update their scores"),
		z("zincrby", 4, wd|Fast, "write", zincrbyCommand, "1.2.0", "Increment the score of a member of a sorted set"),
		z("zrem", -3, w|Fast, "write", zremCommand, "1.2.0", "Remove members from a sorted set"),
		z("zcard", 2, r|Fast, "read", zcardCommand, "1.2.0", "Return the number of members of a sorted set"),
		z("zscore", 3, r|Fast, "read", zscoreCommand, "1.2.0", "Return the score of a member"),
		z("zmscore", -3, r|Fast, "read", zmscoreCommand, "6.2.0", "Return the scores of several members"),
		z("zrank", 3, r|Fast, "read", func(c *Ctx) { zrankCommand(c, false) }, "2.0.0", "Return the rank of a member, by ascending score"),
		z("zrevrank", 3, r|Fast, "read", func(c *Ctx) { zrankCommand(c, true) }, "2.0.0", "Return the rank of a member, by descending score"),
		z("zcount", 4, r|Fast, "read", zcountCommand, "2.0.0", "Count the members with scores in a range"),
		z("zlexcount", 4, r|Fast, "read", zlexcountCommand, "2.8.9", "Count the members in a lexicographic range"),
		z("zrange", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeAuto, dirAuto) }, "1.2.0", "Return a range of members by rank, score or lex"),
		store(z("zrangestore", -5, wd, "write", func(c *Ctx) { zrangeGeneric(c, 2, true, rangeAuto, dirAuto) }, "6.2.0", "Store a range of members of a sorted set in a key")),
		z("zrangebyscore", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeScore, dirForward) }, "1.0.5", "Return members with scores in a range"),
		z("zrevrangebyscore", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeScore, dirReverse) }, "2.2.0", "Return members with scores in a range, highest first"),
		z("zrevrange", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeRank, dirReverse) }, "1.2.0", "Return a range of members by rank, highest first"),
		z("zrangebylex", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeLex, dirForward) }, "2.8.9", "Return members in a lexicographic range"),
		z("zrevrangebylex", -4, r, "read", func(c *Ctx) { zrangeGeneric(c, 1, false, rangeLex, dirReverse) }, "2.8.9", "Return members in a lexicographic range, highest first"),
		z("zremrangebyscore", 4, w, "write", func(c *Ctx) { zremrangeGeneric(c, rangeScore) }, "1.2.0", "Remove the members with scores in a range"),
		z("zremrangebyrank", 4, w, "write", func(c *Ctx) { zremrangeGeneric(c, rangeRank) }, "2.0.0", "Remove the members in a range of ranks"),
		z("zremrangebylex", 4, w, "write", func(c *Ctx) { zremrangeGeneric(c, rangeLex) }, "2.8.9", "Remove the members in a lexicographic range"),
		z("zpopmin", -2, w|Fast, "write", func(c *Ctx) { zpopCommand(c, false) }, "5.0.0", "Remove and return the members with the lowest scores"),
		z("zpopmax", -2, w|Fast, "write", func(c *Ctx) { zpopCommand(c, true) }, "5.0.0", "Remove and return the members with the highest scores"),
		allButLast(z("bzpopmin", -3, w|Fast|Blocking, "write", func(c *Ctx) { bzpopCommand(c, false) }, "5.0.0", "Pop the lowest-scored member, blocking until one is available")),
		allButLast(z("bzpopmax", -3, w|Fast|Blocking, "write", func(c *Ctx) { bzpopCommand(c, true) }, "5.0.0", "Pop the highest-scored member, blocking until one is available")),
		withKeys(z("zmpop", -4, w, "write", func(c *Ctx) { zmpopCommand(c, 1, false) }, "7.0.0", "Pop members from the first non-empty sorted set"), numkeys(1)),
		withKeys(z("bzmpop", -5, w|Blocking, "write", func(c *Ctx) { zmpopCommand(c, 2, true) }, "7.0.0", "Pop members from the first non-empty sorted set, blocking"), numkeys(2)),
		z("zrandmember", -2, r, "read", zrandmemberCommand, "6.2.0", "Return random members of a sorted set"),
		withKeys(z("zunion", -3, r, "read", func(c *Ctx) { zsetOpCommand(c, false, opUnion, false) }, "6.2.0", "Return the union of sorted sets"), numkeys(1)),
		withKeys(z("zinter", -3, r, "read", func(c *Ctx) { zsetOpCommand(c, false, opInter, false) }, "6.2.0", "Return the intersection of sorted sets"), numkeys(1)),
		withKeys(z("zdiff", -3, r, "read", func(c *Ctx) { zsetOpCommand(c, false, opDiff, false) }, "6.2.0", "Return the difference of sorted sets"), numkeys(1)),
		withKeys(z("zunionstore", -4, wd, "write", func(c *Ctx) { zsetOpCommand(c, true, opUnion, false) }, "2.0.0", "Store the union of sorted sets"), numkeys(2)),
		withKeys(z("zinterstore", -4, wd, "write", func(c *Ctx) { zsetOpCommand(c, true, opInter, false) }, "2.0.0", "Store the intersection of sorted sets"), numkeys(2)),
		withKeys(z("zdiffstore", -4, wd, "write", func(c *Ctx) { zsetOpCommand(c, true, opDiff, false) }, "6.2.0", "Store the difference of sorted sets"), numkeys(2)),
		withKeys(z("zintercard", -3, r, "read", func(c *Ctx) { zsetOpCommand(c, false, opInter, true) }, "7.0.0", "Count the intersection of sorted sets"), numkeys(1)),
		z("zscan", -3, r, "read", zscanCommand, "2.8.0", "Iterate over the members and scores of a sorted set"),
	)
}

// bstr views an argument as a string without copying, for calls that only
// read it or copy what they keep (the sorted set does).
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// speedOf is the ACL speed category of a command's flags.
func speedOf(f Flags) string {
	if f&Fast != 0 {
		return "fast"
	}
	return "slow"
}

// lookupZSet returns key's sorted set; ok false with no reply written means
// absent, wrong true means the WRONGTYPE error was written.
func lookupZSet(c *Ctx, key []byte) (z *zset.ZSet, ok, wrong bool) {
	v, ok, wrong := c.Lookup(key, keyspace.TypeZSet)
	if !ok {
		return nil, false, wrong
	}
	return v.Obj.(*zset.ZSet), true, false
}

// zsetChanged records a change to key's set: deletion when it became empty.
func zsetChanged(c *Ctx, key []byte, z *zset.ZSet) (deleted bool) {
	if z.Len() == 0 {
		c.DB.Delete(key)
		c.Modified(key)
		return true
	}
	c.Modified(key)
	return false
}

// writeScored writes members with optional scores as ZRANGE does: flat in
// RESP2, pairs in RESP3.
func writeScored(w *resp.Writer, items []scored, withScores bool) {
	scoredHeader(w, len(items), withScores)
	for _, it := range items {
		writeScoredItem(w, it.member, it.score, withScores)
	}
}

// scoredHeader starts a reply of n members, with their scores or not.
func scoredHeader(w *resp.Writer, n int, withScores bool) {
	if withScores && w.Proto != 3 {
		n *= 2
	}
	w.Array(n)
}

// writeScoredItem writes one member of a reply scoredHeader started.
func writeScoredItem(w *resp.Writer, member string, score float64, withScores bool) {
	if withScores && w.Proto == 3 {
		w.Array(2)
	}
	w.BulkString(member)
	if withScores {
		w.Double(score)
	}
}

type scored struct {
	member string
	score  float64
}

// --- ZADD / ZINCRBY ---

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

func zaddCommand(c *Ctx)    { zaddGeneric(c, 0) }
func zincrbyCommand(c *Ctx) { zaddGeneric(c, zaddIncr) }

func zaddGeneric(c *Ctx, flags int) {
	key := c.Args[1]
	i := 2
options:
	for ; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case argIs(a, "nx"):
			flags |= zaddNX
		case argIs(a, "xx"):
			flags |= zaddXX
		case argIs(a, "ch"):
			flags |= zaddCH
		case argIs(a, "incr"):
			flags |= zaddIncr
		case argIs(a, "gt"):
			flags |= zaddGT
		case argIs(a, "lt"):
			flags |= zaddLT
		default:
			break options
		}
	}
	n := len(c.Args) - i
	if n == 0 || n%2 != 0 {
		c.Error(ErrSyntax)
		return
	}
	n /= 2
	nx, xx, gt, lt, incr := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0, flags&zaddIncr != 0
	if nx && xx {
		c.Error(errZAddXXNX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.Error(errZAddGTLTNX)
		return
	}
	if incr && n > 1 {
		c.Error(errZAddIncrPair)
		return
	}
	var scoreBuf [8]float64
	scores := scoreBuf[:0]
	if n > len(scoreBuf) {
		scores = make([]float64, 0, n)
	}
	scores = scores[:n]
	for j := range scores {
		f, ok := ParseFloat(c.Args[i+2*j])
		if !ok {
			c.Error(ErrNotFloat)
			return
		}
		scores[j] = f
	}
	z, ok, wrong := lookupZSet(c, key)
	if wrong {
		return
	}
	cfg := sortedConfig(c).ZSet
	added, updated, processed := 0, 0, 0
	var score float64
	if !ok {
		if xx {
			goto reply
		}
		z = zset.NewSized(n, len(c.Args[i+1]), cfg)
		c.DB.SetObject(key, z)
	}
	for j := 0; j < n; j++ {
		member := bstr(c.Args[i+2*j+1]) // the set copies what it keeps
		s := scores[j]
		cur, exists := z.Score(member)
		if exists {
			if nx {
				continue
			}
			if incr {
				s += cur
				if math.IsNaN(s) {
					c.Error(errZScoreNaN)
					goto done
				}
			}
			if (lt && s >= cur) || (gt && s <= cur) {
				continue
			}
			score = s
			processed++
			if s != cur {
				z.Add(member, s, cfg)
				updated++
			}
		} else if !xx {
			z.Add(member, s, cfg)
			added++
			processed++
			score = s
		}
	}
	c.Dirty(added + updated)
reply:
	if incr {
		if processed > 0 {
			c.W.Double(score)
		} else {
			c.W.Null()
		}
	} else if flags&zaddCH != 0 {
		c.W.Int(int64(added + updated))
	} else {
		c.W.Int(int64(added))
	}
done:
	if added+updated > 0 {
		zsetChanged(c, key, z)
		ev := "zadd"
		if incr {
			ev = "zincr"
		}
		c.Notify('z', ev, key)
	} else if z != nil && z.Len() == 0 {
		c.DB.Delete(key)
	}
}

// --- simple reads and ZREM ---

func zremCommand(c *Ctx) {
	key := c.Args[1]
	z, ok, wrong := lookupZSet(c, key)
	if !ok {
		if !wrong {
			c.W.Int(0)
		}
		return
	}
	deleted := 0
	for _, m := range c.Args[2:] {
		if z.Remove(bstr(m)) {
			deleted++
			if z.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		gone := zsetChanged(c, key, z)
		c.Notify('z', "zrem", key)
		if gone {
			c.Notify('g', "del", key)
		}
		c.Dirty(deleted)
	}
	c.W.Int(int64(deleted))
}

func zcardCommand(c *Ctx) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if !ok {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(z.Len()))
}

func zscoreCommand(c *Ctx) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if ok {
		if s, found := z.Score(bstr(c.Args[2])); found {
			c.W.Double(s)
			return
		}
	}
	c.W.Null()
}

func zmscoreCommand(c *Ctx) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	c.W.Array(len(c.Args) - 2)
	for _, m := range c.Args[2:] {
		if ok {
			if s, found := z.Score(bstr(m)); found {
				c.W.Double(s)
				continue
			}
		}
		c.W.Null()
	}
}

func zrankCommand(c *Ctx, rev bool) {
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if ok {
		if r, found := z.Rank(bstr(c.Args[2])); found {
			if rev {
				r = z.Len() - 1 - r
			}
			c.W.Int(int64(r))
			return
		}
	}
	c.W.Null()
}

// parseRangeScore parses one end of a score range as zslParseRange does
// (strtod: leading spaces, "inf", overflow to infinity accepted).
func parseRangeScore(b []byte) (f float64, ex bool, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	if s == "" {
		return 0, ex, len(b) == 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
			return 0, ex, false
		}
	}
	if math.IsNaN(f) {
		return 0, ex, false
	}
	return f, ex, true
}

func parseScoreRange(minArg, maxArg []byte) (zset.ScoreRange, bool) {
	var r zset.ScoreRange
	var ok1, ok2 bool
	r.Min, r.MinEx, ok1 = parseRangeScore(minArg)
	r.Max, r.MaxEx, ok2 = parseRangeScore(maxArg)
	return r, ok1 && ok2
}

func parseLexBound(b []byte) (zset.LexBound, bool) {
	if len(b) == 0 {
		return zset.LexBound{}, false
	}
	switch b[0] {
	case '+':
		return zset.LexBound{Inf: 1, Ex: true}, len(b) == 1
	case '-':
		return zset.LexBound{Inf: -1, Ex: true}, len(b) == 1
	case '(':
		return zset.LexBound{Member: string(b[1:]), Ex: true}, true
	case '[':
		return zset.LexBound{Member: string(b[1:])}, true
	}
	return zset.LexBound{}, false
}

func parseLexRange(minArg, maxArg []byte) (zset.LexRange, bool) {
	lo, ok1 := parseLexBound(minArg)
	hi, ok2 := parseLexBound(maxArg)
	return zset.LexRange{Min: lo, Max: hi}, ok1 && ok2
}

func zcountCommand(c *Ctx) {
	r, ok := parseScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZMinMaxFloat)
		return
	}
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if !ok {
		c.W.Int(0)
		return
	}
	lo, hi := z.ScoreRanks(r)
	c.W.Int(int64(hi - lo))
}

func zlexcountCommand(c *Ctx) {
	r, ok := parseLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.Error(errZMinMaxLex)
		return
	}
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	if !ok {
		c.W.Int(0)
		return
	}
	lo, hi := z.LexRanks(r)
	c.W.Int(int64(hi - lo))
}

// --- ZRANGE and friends ---

type rangeKind int

const (
	rangeAuto rangeKind = iota
	rangeRank
	rangeScore
	rangeLex
)

type rangeDir int

const (
	dirAuto rangeDir = iota
	dirForward
	dirReverse
)

// zrangeGeneric is Redis' zrangeGenericCommand: argStart is the position
// of the source key; store writes the result to Args[1].
func zrangeGeneric(c *Ctx, argStart int, store bool, kind rangeKind, dir rangeDir) {
	key := c.Args[argStart]
	minIdx, maxIdx := argStart+1, argStart+2
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := argStart + 3; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		opt := strings.ToLower(string(c.Args[j]))
		switch {
		case !store && opt == "withscores":
			withScores = true
		case opt == "limit" && left >= 2:
			o, ok1 := ParseInt(c.Args[j+1])
			if !ok1 {
				c.Error(ErrNotInt)
				return
			}
			l, ok2 := ParseInt(c.Args[j+2])
			if !ok2 {
				c.Error(ErrNotInt)
				return
			}
			offset, limit = o, l
			j += 2
		case dir == dirAuto && opt == "rev":
			dir = dirReverse
		case kind == rangeAuto && opt == "bylex":
			kind = rangeLex
		case kind == rangeAuto && opt == "byscore":
			kind = rangeScore
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if dir == dirAuto {
		dir = dirForward
	}
	if kind == rangeAuto {
		kind = rangeRank
	}
	if limit != -1 && kind == rangeRank {
		c.Error(errZLimitRank)
		return
	}
	if withScores && kind == rangeLex {
		c.Error(errZWithscoresLex)
		return
	}
	rev := dir == dirReverse
	if rev && kind != rangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr zset.ScoreRange
	var lr zset.LexRange
	switch kind {
	case rangeRank:
		var ok1, ok2 bool
		start, ok1 = ParseInt(c.Args[minIdx])
		if !ok1 {
			c.Error(ErrNotInt)
			return
		}
		end, ok2 = ParseInt(c.Args[maxIdx])
		if !ok2 {
			c.Error(ErrNotInt)
			return
		}
	case rangeScore:
		var ok bool
		if sr, ok = parseScoreRange(c.Args[minIdx], c.Args[maxIdx]); !ok {
			c.Error(errZMinMaxFloat)
			return
		}
	case rangeLex:
		var ok bool
		if lr, ok = parseLexRange(c.Args[minIdx], c.Args[maxIdx]); !ok {
			c.Error(errZMinMaxLex)
			return
		}
	}
	prev := c.BeginReads() // ZRANGESTORE reads its source
	z, ok, wrong := lookupZSet(c, key)
	c.EndReads(prev)
	if wrong {
		return
	}
	var items []scored
	knownLen := -1
	if ok {
		var lo, hi int
		switch kind {
		case rangeRank:
			lo, hi = rankWindow(start, end, z.Len())
			knownLen = hi - lo
			offset, limit = 0, -1
			if rev {
				lo, hi = z.Len()-hi, z.Len()-lo
			}
		case rangeScore:
			lo, hi = z.ScoreRanks(sr)
		case rangeLex:
			lo, hi = z.LexRanks(lr)
		}
		items = collectRange(z, lo, hi, rev, offset, limit)
	}
	if !store {
		writeScored(c.W, items, withScores)
		return
	}
	dst := c.Args[1]
	storeZSet(c, dst, items, knownLen, "zrangestore")
}

// rankWindow turns start/end ranks (negative from the end) into a
// half-open interval [lo, hi) of ascending ranks.
func rankWindow(start, end int64, n int) (int, int) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if end < 0 {
		end += l
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= l {
		return 0, 0
	}
	if end >= l {
		end = l - 1
	}
	return int(start), int(end) + 1
}

// collectRange returns the members of ranks [lo, hi), descending when rev,
// after skipping offset and keeping at most limit (negative: all) of them,
// as the LIMIT of ZRANGEBYSCORE does (a negative offset gives nothing).
func collectRange(z *zset.ZSet, lo, hi int, rev bool, offset, limit int64) []scored {
	if offset < 0 || hi <= lo || limit == 0 {
		return nil
	}
	if offset >= int64(hi-lo) {
		return nil
	}
	n := int64(hi-lo) - offset
	if limit > 0 && limit < n {
		n = limit
	}
	items := make([]scored, 0, n)
	var a, b int
	if rev {
		b = hi - 1 - int(offset)
		a = b - int(n) + 1
	} else {
		a = lo + int(offset)
		b = a + int(n) - 1
	}
	z.Range(a, b, rev, func(m string, s float64) bool {
		items = append(items, scored{strings.Clone(m), s})
		return true
	})
	return items
}

// storeZSet writes items to dst as a new sorted set (or deletes dst when
// there are none) and replies with the count, as ZRANGESTORE and the
// *STORE set operations do. sizeHint is the result length known before
// collecting (-1 when it was not, which picks the skiplist encoding as
// Redis' zsetTypeCreate does).
func storeZSet(c *Ctx, dst []byte, items []scored, sizeHint int, event string) {
	if len(items) == 0 {
		c.W.Int(0)
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify('g', "del", dst)
			c.Dirty(1)
		}
		return
	}
	cfg := sortedConfig(c).ZSet
	maxLen := 0
	for _, it := range items {
		maxLen = max(maxLen, len(it.member))
	}
	hint := sizeHint
	if hint < 0 {
		hint = math.MaxInt
	}
	z := zset.NewSized(hint, 0, cfg)
	for _, it := range items {
		z.Add(it.member, it.score, cfg)
	}
	z.Compact(cfg)
	c.DB.SetObject(dst, z)
	c.Modified(dst)
	c.W.Int(int64(len(items)))
	c.Notify('z', event, dst)
	c.Dirty(1)
}

// --- ZREMRANGEBY* ---

func zremrangeGeneric(c *Ctx, kind rangeKind) {
	key := c.Args[1]
	var start, end int64
	var sr zset.ScoreRange
	var lr zset.LexRange
	var ok bool
	event := ""
	switch kind {
	case rangeRank:
		event = "zremrangebyrank"
		var ok1, ok2 bool
		start, ok1 = ParseInt(c.Args[2])
		end, ok2 = ParseInt(c.Args[3])
		if !ok1 || !ok2 {
			c.Error(ErrNotInt)
			return
		}
	case rangeScore:
		event = "zremrangebyscore"
		if sr, ok = parseScoreRange(c.Args[2], c.Args[3]); !ok {
			c.Error(errZMinMaxFloat)
			return
		}
	case rangeLex:
		event = "zremrangebylex"
		if lr, ok = parseLexRange(c.Args[2], c.Args[3]); !ok {
			c.Error(errZMinMaxLex)
			return
		}
	}
	z, ok, wrong := lookupZSet(c, key)
	if !ok {
		if !wrong {
			c.W.Int(0)
		}
		return
	}
	var lo, hi int
	switch kind {
	case rangeRank:
		lo, hi = rankWindow(start, end, z.Len())
	case rangeScore:
		lo, hi = z.ScoreRanks(sr)
	case rangeLex:
		lo, hi = z.LexRanks(lr)
	}
	deleted := 0
	if hi > lo {
		deleted = z.RemoveRanks(lo, hi-1)
	}
	if deleted > 0 {
		gone := zsetChanged(c, key, z)
		c.Notify('z', event, key)
		if gone {
			c.Notify('g', "del", key)
		}
		c.Dirty(deleted)
	}
	c.W.Int(int64(deleted))
}

// --- pops ---

// popFrom removes up to count members from z's low (or high) end.
func popFrom(z *zset.ZSet, count int, fromMax bool) []scored {
	n := min(count, z.Len())
	if n <= 0 {
		return nil
	}
	var lo int
	if fromMax {
		lo = z.Len() - n
	}
	items := make([]scored, 0, n)
	z.Range(lo, lo+n-1, fromMax, func(m string, s float64) bool {
		items = append(items, scored{strings.Clone(m), s})
		return true
	})
	z.RemoveRanks(lo, lo+n-1)
	return items
}

// zpopGeneric is genericZpopCommand: it pops from the first non-empty key
// of keys and writes the reply in the shape the caller asks for.
// count -1 means no COUNT was given.
func zpopGeneric(c *Ctx, keys [][]byte, fromMax bool, emitKey bool, count int64, nested bool, nilWhenEmpty bool) {
	var z *zset.ZSet
	var key []byte
	for _, k := range keys {
		zz, ok, wrong := lookupZSet(c, k)
		if wrong {
			return
		}
		if ok {
			z, key = zz, k
			break
		}
	}
	if z == nil {
		if nilWhenEmpty {
			c.W.NullArray()
		} else {
			c.W.Array(0)
		}
		return
	}
	if count == 0 {
		c.W.Array(0)
		return
	}
	if count == -1 {
		count = 1
	}
	items := popFrom(z, int(min(count, int64(z.Len()))), fromMax)
	switch {
	case !nested && !emitKey:
		c.W.Array(2 * len(items))
	case nested && !emitKey:
		c.W.Array(len(items))
	case !nested && emitKey:
		c.W.Array(2*len(items) + 1)
		c.W.Bulk(key)
	default:
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(len(items))
	}
	for _, it := range items {
		if nested {
			c.W.Array(2)
		}
		c.W.BulkString(it.member)
		c.W.Double(it.score)
	}
	ev := "zpopmin"
	name := []byte("ZPOPMIN")
	if fromMax {
		ev, name = "zpopmax", []byte("ZPOPMAX")
	}
	gone := zsetChanged(c, key, z)
	c.Notify('z', ev, key)
	if gone {
		c.Notify('g', "del", key)
	}
	c.Dirty(len(items))
	c.Propagate(name, key, []byte(strconv.FormatInt(count, 10)))
}

func zpopCommand(c *Ctx, fromMax bool) {
	if len(c.Args) > 3 {
		c.Error(ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		if n < 0 {
			c.Error(ErrNotPositive)
			return
		}
		count = n
	}
	nested := c.W.Proto > 2 && count != -1
	zpopGeneric(c, c.Args[1:2], fromMax, false, count, nested, false)
	if c.DirtyCount() > 0 {
		c.Propagate(c.Args...) // ZPOPMIN/ZPOPMAX propagate as sent
	}
}

func bzpopCommand(c *Ctx, fromMax bool) {
	timeout, ok := c.Timeout(c.Args[len(c.Args)-1])
	if !ok {
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	if k, ok := readyZSetKey(c, keys); ok {
		if k != nil {
			zpopGeneric(c, [][]byte{k}, fromMax, true, -1, false, false)
		}
		return
	}
	c.Block(keys, timeout, func(w *resp.Writer) { w.NullArray() })
}

// readyZSetKey finds the first of keys holding a non-empty sorted set for
// a blocking pop. done reports that the command must not block: key is
// the one to pop from, or nil after a WRONGTYPE error was written. When the
// client was woken up, keys of another type are passed over as Redis does
// (the client stays blocked) instead of failing the command.
func readyZSetKey(c *Ctx, keys [][]byte) (key []byte, done bool) {
	for _, k := range keys {
		if c.ReadyKey != nil && !bytes.Equal(k, c.ReadyKey) {
			continue
		}
		v, found := c.DB.Lookup(k)
		if !found {
			continue
		}
		if v.Type != keyspace.TypeZSet {
			if c.Unblocked {
				continue
			}
			c.Error(ErrWrongType)
			return nil, true
		}
		if v.Obj.(*zset.ZSet).Len() > 0 {
			return k, true
		}
	}
	return nil, false
}

// zmpopCommand serves ZMPOP (numkeysAt 1) and BZMPOP (numkeysAt 2, after
// the timeout).
func zmpopCommand(c *Ctx, numkeysAt int, block bool) {
	var timeout time.Duration
	if block {
		var ok bool
		if timeout, ok = c.Timeout(c.Args[1]); !ok {
			return
		}
	}
	n, ok := ParseInt(c.Args[numkeysAt])
	if !ok || n < 1 {
		c.Error(errZNumkeys)
		return
	}
	whereAt := int64(numkeysAt) + n + 1
	if whereAt >= int64(len(c.Args)) {
		c.Error(ErrSyntax)
		return
	}
	var fromMax bool
	switch strings.ToLower(string(c.Args[whereAt])) {
	case "min":
	case "max":
		fromMax = true
	default:
		c.Error(ErrSyntax)
		return
	}
	count := int64(-1)
	for j := int(whereAt) + 1; j < len(c.Args); j++ {
		if count == -1 && strings.EqualFold(string(c.Args[j]), "count") && j+1 < len(c.Args) {
			j++
			v, ok := ParseInt(c.Args[j])
			if !ok || v < 1 {
				c.Error(errZCount)
				return
			}
			count = v
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	if count == -1 {
		count = 1
	}
	keys := c.Args[numkeysAt+1 : whereAt]
	if !block {
		zpopGeneric(c, keys, fromMax, true, count, true, true)
		return
	}
	if k, ok := readyZSetKey(c, keys); ok {
		if k != nil {
			zpopGeneric(c, [][]byte{k}, fromMax, true, count, true, false)
		}
		return
	}
	c.Block(keys, timeout, func(w *resp.Writer) { w.NullArray() })
}

// --- ZRANDMEMBER ---

func zrandmemberCommand(c *Ctx) {
	key := c.Args[1]
	if len(c.Args) == 2 {
		z, ok, wrong := lookupZSet(c, key)
		if wrong {
			return
		}
		if !ok {
			c.W.Null()
			return
		}
		m, _ := z.At(rand.IntN(z.Len()))
		c.W.BulkString(m)
		return
	}
	withScores := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !strings.EqualFold(string(c.Args[3]), "withscores")) {
		c.Error(ErrSyntax)
		return
	}
	withScores = len(c.Args) == 4
	l, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if l == math.MinInt64 {
		c.Error(errRangeLong)
		return
	}
	if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
		c.Error(errValueOutOfRange)
		return
	}
	z, ok, wrong := lookupZSet(c, key)
	if wrong {
		return
	}
	if !ok || l == 0 {
		c.W.Array(0)
		return
	}
	n := z.Len()
	var items []scored
	if l < 0 {
		// Repetitions allowed: written as drawn. A client that cannot take
		// the reply is closed by its output limit; stop drawing then.
		scoredHeader(c.W, int(-l), withScores)
		for i := int64(0); i < -l && !c.W.Full(); i++ {
			m, s := z.At(rand.IntN(n))
			writeScoredItem(c.W, m, s, withScores)
		}
		return
	}
	if l >= int64(n) {
		z.Range(0, n-1, true, func(m string, s float64) bool {
			items = append(items, scored{strings.Clone(m), s})
			return true
		})
	} else {
		seen := make(map[int]struct{}, l)
		for int64(len(items)) < l {
			r := rand.IntN(n)
			if _, dup := seen[r]; dup {
				continue
			}
			seen[r] = struct{}{}
			m, s := z.At(r)
			items = append(items, scored{m, s})
		}
	}
	writeScored(c.W, items, withScores)
}

// --- ZUNION / ZINTER / ZDIFF ---

type setOp int

const (
	opUnion setOp = iota
	opInter
	opDiff
)

// opSource is one input of a set operation: a sorted set or a plain set
// (whose members score 1).
type opSource struct {
	z      *zset.ZSet
	s      *set.Set
	weight float64
}

func (o *opSource) size() int {
	switch {
	case o.z != nil:
		return o.z.Len()
	case o.s != nil:
		return o.s.Len()
	}
	return 0
}

func (o *opSource) score(m string) (float64, bool) {
	switch {
	case o.z != nil:
		return o.z.Score(m)
	case o.s != nil:
		return 1, o.s.Has([]byte(m))
	}
	return 0, false
}

func (o *opSource) each(fn func(m string, s float64)) {
	switch {
	case o.z != nil:
		o.z.Ascend(func(m string, s float64) bool { fn(m, s); return true })
	case o.s != nil:
		o.s.ForEach(func(m []byte) bool { fn(string(m), 1); return true })
	}
}

type aggregate int

const (
	aggSum aggregate = iota
	aggMin
	aggMax
)

func (a aggregate) apply(target *float64, v float64) {
	switch a {
	case aggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggMin:
		if v < *target {
			*target = v
		}
	case aggMax:
		if v > *target {
			*target = v
		}
	}
}

func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// zsetOpCommand is zunionInterDiffGenericCommand.
func zsetOpCommand(c *Ctx, store bool, op setOp, cardOnly bool) {
	numAt := 1
	if store {
		numAt = 2
	}
	n, ok := ParseInt(c.Args[numAt])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if n < 1 {
		name := strings.ToLower(string(c.Args[0]))
		c.Error("ERR at least 1 input key is needed for '" + name + "' command")
		return
	}
	if n > int64(len(c.Args)-numAt-1) {
		c.Error(ErrSyntax)
		return
	}
	src := make([]opSource, n)
	j := numAt + 1
	for i := range src {
		src[i].weight = 1
		prev := c.BeginReads() // ZUNIONSTORE and friends read their sources
		v, found := c.DB.Lookup(c.Args[j])
		c.EndReads(prev)
		j++
		if !found {
			continue
		}
		switch v.Type {
		case keyspace.TypeZSet:
			src[i].z = v.Obj.(*zset.ZSet)
		case keyspace.TypeSet:
			src[i].s = v.Obj.(*set.Set)
		default:
			c.Error(ErrWrongType)
			return
		}
	}
	agg := aggSum
	withScores := false
	limit := int64(0)
	for j < len(c.Args) {
		remaining := len(c.Args) - j
		opt := strings.ToLower(string(c.Args[j]))
		switch {
		case op != opDiff && !cardOnly && remaining >= len(src)+1 && opt == "weights":
			j++
			for i := range src {
				f, ok := ParseFloat(c.Args[j])
				if !ok {
					c.Error(errZWeightFloat)
					return
				}
				src[i].weight = f
				j++
			}
		case op != opDiff && !cardOnly && remaining >= 2 && opt == "aggregate":
			switch strings.ToLower(string(c.Args[j+1])) {
			case "sum":
				agg = aggSum
			case "min":
				agg = aggMin
			case "max":
				agg = aggMax
			default:
				c.Error(ErrSyntax)
				return
			}
			j += 2
		case !store && !cardOnly && opt == "withscores":
			withScores = true
			j++
		case cardOnly && remaining >= 2 && opt == "limit":
			v, ok := ParseInt(c.Args[j+1])
			if !ok || v < 0 {
				c.Error(errZLimitNeg)
				return
			}
			limit = v
			j += 2
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if op != opDiff {
		sort.SliceStable(src, func(a, b int) bool { return src[a].size() < src[b].size() })
	}
	result := map[string]float64{}
	switch op {
	case opInter:
		first := &src[0]
		if first.size() > 0 {
			card := int64(0)
			first.each(func(m string, s float64) {
				if cardOnly && limit > 0 && card >= limit {
					return
				}
				score := weighted(first.weight, s)
				for k := 1; k < len(src); k++ {
					o := &src[k]
					os, found := o.score(m)
					if !found {
						return
					}
					agg.apply(&score, weighted(o.weight, os))
				}
				card++
				if !cardOnly {
					result[strings.Clone(m)] = score
				}
			})
			if cardOnly {
				c.W.Int(card)
				return
			}
		} else if cardOnly {
			c.W.Int(0)
			return
		}
	case opUnion:
		for i := range src {
			o := &src[i]
			o.each(func(m string, s float64) {
				v := weighted(o.weight, s)
				if cur, found := result[m]; found {
					agg.apply(&cur, v)
					result[m] = cur
				} else {
					result[strings.Clone(m)] = v
				}
			})
		}
	case opDiff:
		first := &src[0]
		first.each(func(m string, s float64) {
			for k := 1; k < len(src); k++ {
				if _, found := src[k].score(m); found {
					return
				}
			}
			result[strings.Clone(m)] = s
		})
	}
	items := make([]scored, 0, len(result))
	for m, s := range result {
		items = append(items, scored{m, s})
	}
	slices.SortFunc(items, func(a, b scored) int {
		if a.score != b.score {
			if a.score < b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.member, b.member)
	})
	if !store {
		writeScored(c.W, items, withScores)
		return
	}
	event := [...]string{opUnion: "zunionstore", opInter: "zinterstore", opDiff: "zdiffstore"}[op]
	storeZSet(c, c.Args[1], items, len(items), event)
}

// --- ZSCAN ---

// zscanCommand iterates a listpack-encoded set in one call (cursor 0, as
// Redis does), and a large set in the order of a 64-bit hash of each
// member: the cursor is the next hash value to visit, so a member present
// for the whole scan is returned exactly once whatever else changes.
func zscanCommand(c *Ctx) {
	cursor, err := strconv.ParseUint(string(c.Args[2]), 10, 64)
	if err != nil {
		c.Error(ErrNotValidCursor)
		return
	}
	count := 10
	var pattern []byte
	for j := 3; j < len(c.Args); j += 2 {
		if j+1 >= len(c.Args) {
			c.Error(ErrSyntax)
			return
		}
		switch strings.ToLower(string(c.Args[j])) {
		case "count":
			n, ok := ParseInt(c.Args[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n < 1 {
				c.Error(ErrSyntax)
				return
			}
			count = int(min(n, 1<<20))
		case "match":
			pattern = c.Args[j+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	z, ok, wrong := lookupZSet(c, c.Args[1])
	if wrong {
		return
	}
	var items []scored
	next := uint64(0)
	if ok {
		if z.Encoding() == "listpack" {
			z.Ascend(func(m string, s float64) bool {
				items = append(items, scored{strings.Clone(m), s})
				return true
			})
		} else {
			items, next = scanByHash(z, cursor, count)
		}
	}
	c.W.Array(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	kept := items[:0]
	for _, it := range items {
		if pattern == nil || glob.Match(pattern, []byte(it.member)) {
			kept = append(kept, it)
		}
	}
	c.W.Array(2 * len(kept))
	var buf [32]byte
	for _, it := range kept {
		c.W.BulkString(it.member)
		c.W.Bulk(resp.AppendDouble(buf[:0], it.score))
	}
}

// memberHash is FNV-1a over the member, the scan order of large sets.
func memberHash(m string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(m); i++ {
		h ^= uint64(m[i])
		h *= 1099511628211
	}
	return h
}

// scanByHash returns about count members whose hash is >= cursor, lowest
// hashes first, and the cursor to continue from (0 when done).
func scanByHash(z *zset.ZSet, cursor uint64, count int) ([]scored, uint64) {
	type hm struct {
		h uint64
		scored
	}
	var best []hm // the count lowest hashes >= cursor, kept sorted
	z.Ascend(func(m string, s float64) bool {
		h := memberHash(m)
		if h < cursor {
			return true
		}
		if len(best) == count && h > best[len(best)-1].h {
			return true
		}
		i := sort.Search(len(best), func(i int) bool { return best[i].h > h })
		best = slices.Insert(best, i, hm{h, scored{m, s}})
		// Keep whole groups of equal hashes; trim the tail beyond count.
		for len(best) > count && best[len(best)-1].h != best[count-1].h {
			best = best[:len(best)-1]
		}
		return true
	})
	items := make([]scored, len(best))
	for i, b := range best {
		items[i] = scored{strings.Clone(b.member), b.score}
	}
	if len(best) < count || best[len(best)-1].h == math.MaxUint64 {
		return items, 0
	}
	return items, best[len(best)-1].h + 1
}
