package command

import (
	"bytes"
	"errors"
	"math"
	"sort"
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/ds/hash"
	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// SORT and SORT_RO (sort.c): sort a list, set or sorted set numerically or lexically, by its
// elements or by keys (and hash fields) named by a pattern, with LIMIT, GET and STORE.

func registerSort(t *Table) {
	t.Add(
		&Spec{Name: "sort", Arity: -2, Flags: Write | DenyOOM | MovableKeys, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "1.0.0", Summary: "Sort the elements of a list, set or sorted set, optionally storing the result",
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
			ACL:        []string{"write", "set", "sortedset", "list", "slow", "dangerous"}, Keys: sortKeys,
			Handler: func(c *Ctx) { sortGeneric(c, false) }},
		&Spec{Name: "sort_ro", Arity: -2, Flags: ReadOnly | MovableKeys, FirstKey: 1, LastKey: 1, Step: 1,
			Group: "generic", Since: "7.0.0", Summary: "Sort the elements of a list, set or sorted set (read-only variant)",
			Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
			ACL:        []string{"read", "set", "sortedset", "list", "slow", "dangerous"},
			Handler:    func(c *Ctx) { sortGeneric(c, true) }},
	)
}

// sortKeys finds SORT's keys: the sorted key and the STORE destination, as sortGetKeys does.
func sortKeys(args [][]byte) []int {
	keys := []int{1}
	skip := map[string]int{"limit": 2, "get": 1, "by": 1}
	for i := 2; i < len(args); i++ {
		lower := string(bytes.ToLower(args[i]))
		if lower == "store" && i+1 < len(args) {
			// the last STORE wins, as in Redis
			if len(keys) == 2 {
				keys = keys[:1]
			}
			keys = append(keys, i+1)
			i++
			continue
		}
		i += skip[lower]
	}
	return keys
}

// zsetRanger is what SORT needs from a sorted set (ds/zset's ZSet).
type zsetRanger interface {
	Len() int
	Range(start, stop int, rev bool, fn func(member string, score float64) bool)
}

type sortItem struct {
	elem  []byte
	score float64
	cmp   []byte // BY value for ALPHA; nil when the key is missing
}

func sortGeneric(c *Ctx, readonly bool) {
	// SORT is a write command (STORE) whose lookups, of the key and of the BY
	// and GET patterns, are all reads.
	defer c.EndReads(c.BeginReads())
	var (
		desc, alpha, dontsort bool
		limitStart, limitCnt  int64 = 0, -1
		storeKey, sortBy      []byte
		gets                  [][]byte
	)
	for j := 2; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		a := c.Args[j]
		switch {
		case argIs(a, "asc"):
			desc = false
		case argIs(a, "desc"):
			desc = true
		case argIs(a, "alpha"):
			alpha = true
		case argIs(a, "limit") && left >= 2:
			var ok1, ok2 bool
			limitStart, ok1 = ParseInt(c.Args[j+1])
			limitCnt, ok2 = ParseInt(c.Args[j+2])
			if !ok1 || !ok2 {
				c.Error(ErrNotInt)
				return
			}
			j += 2
		case !readonly && argIs(a, "store") && left >= 1:
			storeKey = c.Args[j+1]
			j++
		case argIs(a, "by") && left >= 1:
			sortBy = c.Args[j+1]
			dontsort = bytes.IndexByte(sortBy, '*') < 0
			j++
		case argIs(a, "get") && left >= 1:
			gets = append(gets, c.Args[j+1])
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	v, found := c.DB.Lookup(c.Args[1])
	if found && v.Type != keyspace.TypeList && v.Type != keyspace.TypeSet && v.Type != keyspace.TypeZSet {
		c.Error(ErrWrongType)
		return
	}
	var obj keyspace.Object
	if found {
		obj = v.Obj
	}
	if dontsort && found && v.Type == keyspace.TypeSet && storeKey != nil {
		// a set has no order of its own: force one so replicas agree
		dontsort, alpha, sortBy = false, true, nil
	}
	vectorLen := 0
	if obj != nil {
		switch o := obj.(type) {
		case *list.List:
			vectorLen = o.Len()
		case *set.Set:
			vectorLen = o.Len()
		case zsetRanger:
			vectorLen = o.Len()
		}
	}
	// LIMIT sanity as Redis 7.0.15 does it: inputs bounded by the size, so no overflow.
	start := min(max(limitStart, 0), int64(vectorLen))
	limitCnt = min(max(limitCnt, -1), int64(vectorLen))
	end := int64(vectorLen) - 1
	if limitCnt >= 0 {
		end = start + limitCnt - 1
	}
	if start >= int64(vectorLen) {
		start, end = int64(vectorLen)-1, int64(vectorLen)-2
	}
	if end >= int64(vectorLen) {
		end = int64(vectorLen) - 1
	}
	items := loadSortItems(obj, dontsort, desc, int(start), int(end))
	if dontsort && obj != nil && v.Type != keyspace.TypeSet {
		// only the range was loaded
		end -= start
		start = 0
	}
	if !dontsort {
		if err := scoreSortItems(c, items, sortBy, alpha); err != nil {
			c.Error(errSortBadNumber)
			return
		}
		sort.SliceStable(items, func(i, j int) bool {
			cmp := compareSortItems(&items[i], &items[j], alpha, sortBy != nil)
			if desc {
				return cmp > 0
			}
			return cmp < 0
		})
	}
	n := int(end - start + 1)
	if n < 0 {
		n = 0
	}
	outputLen := n
	if len(gets) > 0 {
		outputLen = n * len(gets)
	}
	var sorted []sortItem
	if n > 0 {
		sorted = items[start : start+int64(n)]
	}
	if storeKey == nil {
		c.W.Array(outputLen)
		for _, it := range sorted {
			if len(gets) == 0 {
				c.W.Bulk(it.elem)
			}
			for _, g := range gets {
				if val, ok := sortLookup(c, g, it.elem); ok {
					c.W.Bulk(val)
				} else {
					c.W.Null()
				}
			}
		}
		return
	}
	out := list.New()
	cfg := collections(c).List
	for _, it := range sorted {
		if len(gets) == 0 {
			out.Push(it.elem, true, cfg)
		}
		for _, g := range gets {
			val, _ := sortLookup(c, g, it.elem)
			out.Push(val, true, cfg)
		}
	}
	if outputLen > 0 {
		c.DB.SetObject(storeKey, out)
		c.Modified(storeKey)
		c.Notify('l', "sortstore", storeKey)
		c.Dirty(outputLen)
	} else if c.DB.Delete(storeKey) {
		c.Modified(storeKey)
		c.Notify('g', "del", storeKey)
		c.Dirty(1)
	}
	c.W.Int(int64(outputLen))
}

// loadSortItems copies the elements to sort. With dontsort, lists and sorted sets load only
// [start, end] in their own order (reversed for DESC).
func loadSortItems(obj keyspace.Object, dontsort, desc bool, start, end int) []sortItem {
	var items []sortItem
	add := func(b []byte) { items = append(items, sortItem{elem: append([]byte(nil), b...)}) }
	switch o := obj.(type) {
	case nil:
	case *list.List:
		if !dontsort {
			o.Range(0, o.Len()-1, add)
			break
		}
		if end >= start {
			from := start
			if desc {
				from = o.Len() - start - 1
			}
			it := o.IterFrom(from, desc)
			for k := start; k <= end && it.Next(); k++ {
				add(it.Value())
			}
		}
	case *set.Set:
		o.ForEach(func(m []byte) bool { add(m); return true })
	case zsetRanger:
		if !dontsort {
			o.Range(0, o.Len()-1, false, func(m string, _ float64) bool { add([]byte(m)); return true })
			break
		}
		if end >= start {
			if desc { // ranks counted from the highest score
				start, end = o.Len()-1-end, o.Len()-1-start
			}
			o.Range(start, end, desc, func(m string, _ float64) bool { add([]byte(m)); return true })
		}
	}
	return items
}

var errSortScore = errors.New("sort: score is not a double")

// scoreSortItems fills each item's sort key: its BY value (or itself), as a number or, for
// ALPHA with BY, the bytes to compare.
func scoreSortItems(c *Ctx, items []sortItem, sortBy []byte, alpha bool) error {
	var failed bool
	for i := range items {
		it := &items[i]
		by := it.elem
		if sortBy != nil {
			val, ok := sortLookup(c, sortBy, it.elem)
			if !ok {
				continue
			}
			by = val
		}
		if alpha {
			if sortBy != nil {
				it.cmp = append([]byte{}, by...)
			}
			continue
		}
		f, ok := sortStrtod(by)
		if !ok {
			failed = true
		}
		it.score = f
	}
	if failed {
		return errSortScore
	}
	return nil
}

// sortStrtod parses b as C's strtod does for SORT: leading spaces allowed, the whole string
// consumed, no overflow, no NaN; an empty string is 0.
func sortStrtod(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, true // strtod converts nothing and stops at the terminator
	}
	s := string(bytes.TrimLeft(b, " \t\n\r\v\f"))
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func compareSortItems(a, b *sortItem, alpha, byPattern bool) int {
	if !alpha {
		switch {
		case a.score > b.score:
			return 1
		case a.score < b.score:
			return -1
		}
		return bytes.Compare(a.elem, b.elem)
	}
	if byPattern {
		switch {
		case a.cmp == nil && b.cmp == nil:
			return 0
		case a.cmp == nil:
			return -1
		case b.cmp == nil:
			return 1
		}
		return bytes.Compare(a.cmp, b.cmp)
	}
	return bytes.Compare(a.elem, b.elem)
}

// sortLookup resolves a BY or GET pattern for elem: "#" is elem itself; otherwise the first '*'
// is replaced by elem and the key's string value is read, or with "->field" a hash field.
func sortLookup(c *Ctx, pattern, elem []byte) ([]byte, bool) {
	if len(pattern) == 1 && pattern[0] == '#' {
		return elem, true
	}
	star := bytes.IndexByte(pattern, '*')
	if star < 0 {
		return nil, false
	}
	keyPat, field := pattern, []byte(nil)
	if f := bytes.Index(pattern[star+1:], []byte("->")); f >= 0 && star+1+f+2 < len(pattern) {
		keyPat = pattern[:star+1+f]
		field = pattern[star+1+f+2:]
	}
	key := make([]byte, 0, len(keyPat)+len(elem))
	key = append(append(append(key, keyPat[:star]...), elem...), keyPat[star+1:]...)
	v, ok := c.DB.Lookup(key)
	if !ok {
		return nil, false
	}
	if field != nil {
		h, isHash := v.Obj.(*hash.Hash)
		if v.Type != keyspace.TypeHash || !isHash {
			return nil, false
		}
		val, ok := h.Get(field)
		return val, ok
	}
	if v.Type != keyspace.TypeString {
		return nil, false
	}
	return v.Str, true
}
