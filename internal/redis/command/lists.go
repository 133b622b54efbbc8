package command

import (
	"bytes"
	"math"
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// The list family (t_list.c): pushes and pops at both ends, ranges, LPOS, moves between lists
// and the blocking variants, which park the client through c.Block and are re-run by the server
// when one of their keys is written.

func registerLists(t *Table) {
	l := func(name string, arity int, flags Flags, first, last int, summary, complexity, since string, fn Handler) *Spec {
		acl := []string{"read", "list"}
		if flags&Write != 0 {
			acl[0] = "write"
		}
		if flags&Fast != 0 {
			acl = append(acl, "fast")
		} else {
			acl = append(acl, "slow")
		}
		if flags&Blocking != 0 {
			acl = append(acl, "blocking")
		}
		return &Spec{Name: name, Arity: arity, Flags: flags, FirstKey: first, LastKey: last, Step: 1,
			Group: "list", Since: since, Summary: summary, Complexity: complexity, ACL: acl, Handler: fn}
	}
	const w, r, oom, fast, blk, ns = Write, ReadOnly, DenyOOM, Fast, Blocking, NoScript
	lmpop := l("lmpop", -4, w, 0, 0, "Pop elements from the first non-empty of several lists", "O(N+M) where N is the number of provided keys and M is the number of elements returned", "7.0.0", lmpopCommand)
	lmpop.Keys = numKeysAt(1)
	lmpop.Flags |= MovableKeys
	blmpop := l("blmpop", -5, w|blk, 0, 0, "Pop elements from the first non-empty of several lists, or block", "O(N+M) where N is the number of provided keys and M is the number of elements returned", "7.0.0", blmpopCommand)
	blmpop.Keys = numKeysAt(2)
	blmpop.Flags |= MovableKeys
	t.Add(
		l("lpush", -3, w|oom|fast, 1, 1, "Prepend one or more elements to a list", "O(1) for each element added", "1.0.0", lpushCommand),
		l("rpush", -3, w|oom|fast, 1, 1, "Append one or more elements to a list", "O(1) for each element added", "1.0.0", rpushCommand),
		l("lpushx", -3, w|oom|fast, 1, 1, "Prepend elements to a list only when it exists", "O(1) for each element added", "2.2.0", lpushxCommand),
		l("rpushx", -3, w|oom|fast, 1, 1, "Append elements to a list only when it exists", "O(1) for each element added", "2.2.0", rpushxCommand),
		l("linsert", 5, w|oom, 1, 1, "Insert an element before or after another element", "O(N) where N is the number of elements to traverse before seeing the value pivot", "2.2.0", linsertCommand),
		l("llen", 2, r|fast, 1, 1, "Return the length of a list", "O(1)", "1.0.0", llenCommand),
		l("lindex", 3, r, 1, 1, "Return an element of a list by its index", "O(N) where N is the number of elements to traverse to get to the element at index", "1.0.0", lindexCommand),
		l("lset", 4, w|oom, 1, 1, "Set the value of an element of a list by its index", "O(N) where N is the length of the list", "1.0.0", lsetCommand),
		l("lpop", -2, w|fast, 1, 1, "Remove and return the first elements of a list", "O(N) where N is the number of elements returned", "1.0.0", lpopCommand),
		l("rpop", -2, w|fast, 1, 1, "Remove and return the last elements of a list", "O(N) where N is the number of elements returned", "1.0.0", rpopCommand),
		l("lrange", 4, r, 1, 1, "Return a range of elements of a list", "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.", "1.0.0", lrangeCommand),
		l("ltrim", 4, w, 1, 1, "Trim a list to the specified range", "O(N) where N is the number of elements to be removed by the operation.", "1.0.0", ltrimCommand),
		l("lrem", 4, w, 1, 1, "Remove elements equal to a value", "O(N+M) where N is the length of the list and M is the number of elements removed.", "1.0.0", lremCommand),
		l("lpos", -3, r, 1, 1, "Return the indexes of matching elements", "O(N) where N is the number of elements in the list, for the average case.", "6.0.6", lposCommand),
		l("lmove", 5, w|oom, 1, 2, "Pop an element from a list, push it to another list and return it", "O(1)", "6.2.0", lmoveCommand),
		l("rpoplpush", 3, w|oom, 1, 2, "Pop the last element of a list and push it to another list (deprecated: use LMOVE)", "O(1)", "1.2.0", rpoplpushCommand),
		lmpop,
		l("blpop", -3, w|blk|ns, 1, -2, "Remove and return the first element of the first non-empty list, or block", "O(N) where N is the number of provided keys.", "2.0.0", blpopCommand),
		l("brpop", -3, w|blk|ns, 1, -2, "Remove and return the last element of the first non-empty list, or block", "O(N) where N is the number of provided keys.", "2.0.0", brpopCommand),
		l("blmove", 6, w|oom|blk|ns, 1, 2, "Pop an element from a list, push it to another list and return it, or block", "O(1)", "6.2.0", blmoveCommand),
		l("brpoplpush", 4, w|oom|blk|ns, 1, 2, "Pop from a list, push to another and return the element, or block (deprecated: use BLMOVE)", "O(1)", "2.2.0", brpoplpushCommand),
		blmpop,
	)
}

// numKeysAt finds the keys of a command whose numkeys argument is at position i.
func numKeysAt(i int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		if i >= len(args) {
			return nil
		}
		n, ok := ParseInt(args[i])
		if !ok || n <= 0 || n > int64(len(args)-i-1) {
			return nil
		}
		out := make([]int, n)
		for k := range out {
			out[k] = i + 1 + k
		}
		return out
	}
}

// lookupList returns key's list, nil when absent; wrong is set (error written) for another type.
func lookupList(c *Ctx, key []byte) (l *list.List, wrong bool) {
	obj, wrong := lookupObject(c, key, keyspace.TypeList)
	if obj == nil {
		return nil, wrong
	}
	return obj.(*list.List), false
}

var pushEvents = [2]string{"lpush", "rpush"}
var popEvents = [2]string{"lpop", "rpop"}

func side(tail bool) int {
	if tail {
		return 1
	}
	return 0
}

// pushGeneric is LPUSH, RPUSH and their X forms.
func pushGeneric(c *Ctx, tail, onlyExisting bool) {
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		if onlyExisting {
			c.W.Int(0)
			return
		}
		l = list.New()
		c.DB.SetObject(key, l)
	}
	cfg := collections(c).List
	before := l.MemoryUsage()
	for _, v := range c.Args[2:] {
		l.Push(v, tail, cfg)
	}
	written(c, key, l, before)
	c.Notify('l', pushEvents[side(tail)], key)
	c.Dirty(len(c.Args) - 2)
	c.W.Int(int64(l.Len()))
}

func lpushCommand(c *Ctx)  { pushGeneric(c, false, false) }
func rpushCommand(c *Ctx)  { pushGeneric(c, true, false) }
func lpushxCommand(c *Ctx) { pushGeneric(c, false, true) }
func rpushxCommand(c *Ctx) { pushGeneric(c, true, true) }

func linsertCommand(c *Ctx) {
	var after bool
	switch {
	case argIs(c.Args[2], "after"):
		after = true
	case argIs(c.Args[2], "before"):
	default:
		c.Error(ErrSyntax)
		return
	}
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	pivot := c.Args[3]
	it := l.IterFrom(0, false)
	for it.Next() {
		if string(it.Value()) == string(pivot) {
			before := l.MemoryUsage()
			it.Insert(c.Args[4], after, collections(c).List)
			written(c, key, l, before)
			c.Notify('l', "linsert", key)
			c.Dirty(1)
			c.W.Int(int64(l.Len()))
			return
		}
	}
	c.W.Int(-1)
}

func llenCommand(c *Ctx) {
	l, wrong := lookupList(c, c.Args[1])
	if wrong {
		return
	}
	n := 0
	if l != nil {
		n = l.Len()
	}
	c.W.Int(int64(n))
}

// listIndex resolves a possibly negative index; ok is false when it is out of range.
func listIndex(l *list.List, i int64) (int, bool) {
	n := int64(l.Len())
	if i < 0 {
		i += n
	}
	return int(i), i >= 0 && i < n
}

func lindexCommand(c *Ctx) {
	idx, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	l, wrong := lookupList(c, c.Args[1])
	if wrong {
		return
	}
	if l != nil {
		if i, ok := listIndex(l, idx); ok {
			c.W.Bulk(l.Index(i))
			return
		}
	}
	c.W.Null()
}

func lsetCommand(c *Ctx) {
	idx, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		c.Error(ErrNoSuchKey)
		return
	}
	i, ok := listIndex(l, idx)
	if !ok {
		c.Error(ErrIndexRange)
		return
	}
	before := l.MemoryUsage()
	l.Set(i, c.Args[3], collections(c).List)
	written(c, key, l, before)
	c.Notify('l', "lset", key)
	c.Dirty(1)
	c.W.OK()
}

// popped reports n elements removed from key's list l (whose MemoryUsage was before):
// notifications, deletion when empty.
func popped(c *Ctx, key []byte, l *list.List, before int, tail bool, n int) {
	written(c, key, l, before)
	c.Notify('l', popEvents[side(tail)], key)
	removeIfEmpty(c, key, l.Len())
	c.Dirty(n)
}

// popReply pops the head or tail element of the non-empty l and writes it as a bulk string,
// straight from the list's memory.
func popReply(c *Ctx, l *list.List, tail bool) {
	v, _ := l.Peek(tail)
	c.W.Bulk(v)
	l.Drop(tail)
}

// popRangeReply pops up to count elements of l and writes them as an array.
func popRangeReply(c *Ctx, key []byte, l *list.List, tail bool, count int) int {
	if count > l.Len() {
		count = l.Len()
	}
	before := l.MemoryUsage()
	c.W.Array(count)
	for i := 0; i < count; i++ {
		popReply(c, l, tail)
	}
	popped(c, key, l, before, tail, count)
	return count
}

func popGeneric(c *Ctx, tail bool) {
	if len(c.Args) > 3 {
		c.Error(WrongArgs(c.Spec.Name))
		return
	}
	hasCount := len(c.Args) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = parsePositive(c, c.Args[2], ""); !ok {
			return
		}
	}
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		if hasCount {
			c.W.NullArray()
		} else {
			c.W.Null()
		}
		return
	}
	if !hasCount {
		before := l.MemoryUsage()
		popReply(c, l, tail)
		popped(c, key, l, before, tail, 1)
		return
	}
	if count == 0 {
		c.W.Array(0)
		return
	}
	popRangeReply(c, key, l, tail, int(min(count, int64(l.Len()))))
}

func lpopCommand(c *Ctx) { popGeneric(c, false) }
func rpopCommand(c *Ctx) { popGeneric(c, true) }

// listRange clamps start and stop as LRANGE and LTRIM do; empty is set when nothing is in range.
func listRange(n int, start, stop int64) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if stop < 0 {
		stop += ln
	}
	if start < 0 {
		start = 0
	}
	if start > stop || start >= ln {
		return 0, 0, true
	}
	if stop >= ln {
		stop = ln - 1
	}
	return int(start), int(stop), false
}

func lrangeCommand(c *Ctx) {
	start, ok1 := ParseInt(c.Args[2])
	stop, ok2 := ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.Error(ErrNotInt)
		return
	}
	l, wrong := lookupList(c, c.Args[1])
	if wrong {
		return
	}
	if l == nil {
		c.W.Array(0)
		return
	}
	s, e, empty := listRange(l.Len(), start, stop)
	if empty {
		c.W.Array(0)
		return
	}
	c.W.Array(e - s + 1)
	l.Range(s, e, func(v []byte) { c.W.Bulk(v) })
}

func ltrimCommand(c *Ctx) {
	start, ok1 := ParseInt(c.Args[2])
	stop, ok2 := ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.Error(ErrNotInt)
		return
	}
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		c.W.OK()
		return
	}
	n := l.Len()
	s, e, empty := listRange(n, start, stop)
	ltrim, rtrim := s, n-1-e
	if empty {
		ltrim, rtrim = n, 0
	}
	before := l.MemoryUsage()
	l.DeleteRange(0, ltrim)
	l.DeleteRange(l.Len()-rtrim, rtrim)
	written(c, key, l, before)
	c.Notify('l', "ltrim", key)
	removeIfEmpty(c, key, l.Len())
	c.Dirty(ltrim + rtrim)
	c.W.OK()
}

func lremCommand(c *Ctx) {
	toRemove, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	key := c.Args[1]
	l, wrong := lookupList(c, key)
	if wrong {
		return
	}
	if l == nil {
		c.W.Int(0)
		return
	}
	rev := toRemove < 0
	if rev {
		toRemove = -toRemove
	}
	start := 0
	if rev {
		start = l.Len() - 1
	}
	removed, before := int64(0), l.MemoryUsage()
	it := l.IterFrom(start, rev)
	for it.Next() {
		if string(it.Value()) == string(c.Args[3]) {
			it.Delete()
			removed++
			if removed == toRemove {
				break
			}
		}
	}
	if removed > 0 {
		written(c, key, l, before)
		c.Notify('l', "lrem", key)
		removeIfEmpty(c, key, l.Len())
		c.Dirty(int(removed))
	}
	c.W.Int(removed)
}

func lposCommand(c *Ctx) {
	var rank, count, maxlen int64 = 1, -1, 0
	for j := 3; j < len(c.Args); j++ {
		more := j+1 < len(c.Args)
		var ok bool
		switch {
		case argIs(c.Args[j], "rank") && more:
			j++
			if rank, ok = ParseInt(c.Args[j]); !ok {
				c.Error(ErrNotInt)
				return
			}
			if rank == 0 {
				c.Error(errLposRankZero)
				return
			}
		case argIs(c.Args[j], "count") && more:
			j++
			if count, ok = parsePositive(c, c.Args[j], errLposCountNeg); !ok {
				return
			}
		case argIs(c.Args[j], "maxlen") && more:
			j++
			if maxlen, ok = parsePositive(c, c.Args[j], errLposMaxlenNeg); !ok {
				return
			}
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	l, wrong := lookupList(c, c.Args[1])
	if wrong {
		return
	}
	if l == nil {
		if count != -1 {
			c.W.Array(0)
		} else {
			c.W.Null()
		}
		return
	}
	rev := rank < 0
	skip := rank - 1
	start := 0
	if rev {
		skip = -rank - 1
		start = l.Len() - 1
	}
	// Redis 7.0 negates the rank in a long: LONG_MIN stays negative, every match counts and
	// COUNT's arithmetic overflows into "no limit".
	unlimited := rank == math.MinInt64
	if unlimited {
		skip = 0
	}
	var found []int64
	it := l.IterFrom(start, rev)
	for index, seen := int64(0), int64(0); it.Next() && (maxlen == 0 || seen < maxlen); index, seen = index+1, seen+1 {
		if string(it.Value()) != string(c.Args[2]) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		pos := index
		if rev {
			pos = int64(l.Len()) - 1 - index
		}
		found = append(found, pos)
		if count == -1 || (count > 0 && !unlimited && int64(len(found)) >= count) {
			break
		}
	}
	if count == -1 {
		if len(found) == 0 {
			c.W.Null()
		} else {
			c.W.Int(found[0])
		}
		return
	}
	c.W.Array(len(found))
	for _, p := range found {
		c.W.Int(p)
	}
}

// parseSide parses LEFT or RIGHT (tail is true for RIGHT), writing a syntax error otherwise.
func parseSide(c *Ctx, arg []byte) (tail, ok bool) {
	switch {
	case argIs(arg, "left"):
		return false, true
	case argIs(arg, "right"):
		return true, true
	}
	c.Error(ErrSyntax)
	return false, false
}

// moveGeneric pops from src's fromTail side and pushes on dst's toTail side, replying with the
// element, or writes null (nullReply) when src is absent. It reports whether src was absent so
// a blocking caller can wait.
func moveGeneric(c *Ctx, src, dst []byte, fromTail, toTail bool) (absent bool) {
	sl, wrong := lookupList(c, src)
	if wrong {
		return false
	}
	if sl == nil {
		return true
	}
	dl, wrong := lookupList(c, dst)
	if wrong {
		return false
	}
	srcBefore, dstBefore := sl.MemoryUsage(), -1
	if dl != nil {
		dstBefore = dl.MemoryUsage()
	}
	v, _ := sl.Pop(fromTail) // when src is dst, dl is sl and gets v back
	if dl == nil {
		dl = list.New()
		c.DB.SetObject(dst, dl)
	}
	dl.Push(v, toTail, collections(c).List)
	written(c, dst, dl, dstBefore)
	c.Notify('l', pushEvents[side(toTail)], dst)
	c.W.Bulk(v)
	c.Notify('l', popEvents[side(fromTail)], src)
	if sl.Len() == 0 {
		c.DB.Delete(src)
		c.Notify('g', "del", src)
		c.Modified(src)
	} else if string(src) != string(dst) {
		written(c, src, sl, srcBefore)
	}
	c.Dirty(1)
	return false
}

func lmoveCommand(c *Ctx) {
	from, ok := parseSide(c, c.Args[3])
	if !ok {
		return
	}
	to, ok := parseSide(c, c.Args[4])
	if !ok {
		return
	}
	if moveGeneric(c, c.Args[1], c.Args[2], from, to) {
		c.W.Null()
	}
}

func rpoplpushCommand(c *Ctx) {
	if moveGeneric(c, c.Args[1], c.Args[2], true, false) {
		c.W.Null()
	}
}

// blockingMove is BLMOVE and BRPOPLPUSH: a move, or a wait on src. Inside MULTI it replies
// null; on timeout a null array, as Redis 7.0 does. It propagates as the non-blocking form.
func blockingMove(c *Ctx, fromTail, toTail bool, timeoutArg []byte, prop [][]byte) {
	timeout, ok := c.Timeout(timeoutArg)
	if !ok {
		return
	}
	src, dst := c.Args[1], c.Args[2]
	if c.Unblocked {
		// re-run after src was written: a src of another type keeps the client waiting
		if v, ok := c.DB.Peek(src); ok && v.Type != keyspace.TypeList {
			c.Block([][]byte{src}, timeout, replyNullArray)
			return
		}
	}
	if !moveGeneric(c, src, dst, fromTail, toTail) {
		c.Propagate(prop...)
		return
	}
	if c.InMulti {
		c.W.Null()
		return
	}
	c.Block([][]byte{src}, timeout, replyNullArray)
}

func replyNullArray(w *resp.Writer) { w.NullArray() }

func blmoveCommand(c *Ctx) {
	from, ok := parseSide(c, c.Args[3])
	if !ok {
		return
	}
	to, ok := parseSide(c, c.Args[4])
	if !ok {
		return
	}
	blockingMove(c, from, to, c.Args[5], [][]byte{[]byte("LMOVE"), c.Args[1], c.Args[2], c.Args[3], c.Args[4]})
}

func brpoplpushCommand(c *Ctx) {
	blockingMove(c, true, false, c.Args[3], [][]byte{[]byte("RPOPLPUSH"), c.Args[1], c.Args[2]})
}

// mpopArgs parses LMPOP/BLMPOP's numkeys keys... LEFT|RIGHT [COUNT count] starting at
// args[i]; count is -1 when not given.
func mpopArgs(c *Ctx, i int) (keys [][]byte, tail bool, count int64, ok bool) {
	numKeys, ok := parseRangeLong(c, c.Args[i], 1, 1<<63-1, ErrNumKeysZero)
	if !ok {
		return nil, false, 0, false
	}
	whereIdx := int64(i) + numKeys + 1
	if whereIdx >= int64(len(c.Args)) {
		c.Error(ErrSyntax)
		return nil, false, 0, false
	}
	if tail, ok = parseSide(c, c.Args[whereIdx]); !ok {
		return nil, false, 0, false
	}
	count = -1
	for j := int(whereIdx) + 1; j < len(c.Args); j++ {
		if count == -1 && argIs(c.Args[j], "count") && j+1 < len(c.Args) {
			j++
			if count, ok = parseRangeLong(c, c.Args[j], 1, 1<<63-1, ErrCountNegative); !ok {
				return nil, false, 0, false
			}
			continue
		}
		c.Error(ErrSyntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Args[i+1 : whereIdx], tail, count, true
}

var popNames = [2][]byte{[]byte("LPOP"), []byte("RPOP")}

// popFirstNonEmpty pops from the first non-empty list of keys. single selects BLPOP's reply
// ([key, element]); otherwise [key, [elements...]] with up to count elements. It reports
// done when it replied (data or an error). skipWrongType ignores keys of other types (a
// blocked client's re-run).
func popFirstNonEmpty(c *Ctx, keys [][]byte, tail, single bool, count int64, skipWrongType bool) (done bool) {
	for _, key := range keys {
		if c.ReadyKey != nil && !bytes.Equal(key, c.ReadyKey) {
			continue
		}
		v, ok := c.DB.Lookup(key)
		if !ok {
			continue
		}
		if v.Type != keyspace.TypeList {
			if skipWrongType {
				continue
			}
			c.Error(ErrWrongType)
			return true
		}
		l := v.Obj.(*list.List)
		if single {
			before := l.MemoryUsage()
			c.W.Array(2)
			c.W.Bulk(key)
			popReply(c, l, tail)
			popped(c, key, l, before, tail, 1)
			c.Propagate(popNames[side(tail)], key)
			return true
		}
		c.W.Array(2)
		c.W.Bulk(key)
		n := popRangeReply(c, key, l, tail, int(min(count, int64(l.Len()))))
		c.Propagate(popNames[side(tail)], key, strconv.AppendInt(nil, int64(n), 10))
		return true
	}
	return false
}

func lmpopCommand(c *Ctx) {
	keys, tail, count, ok := mpopArgs(c, 1)
	if !ok {
		return
	}
	if !popFirstNonEmpty(c, keys, tail, false, count, false) {
		c.W.NullArray()
	}
}

func blmpopCommand(c *Ctx) {
	keys, tail, count, ok := mpopArgs(c, 2)
	if !ok {
		return
	}
	blockingPop(c, keys, c.Args[1], tail, false, count)
}

func blockingPop(c *Ctx, keys [][]byte, timeoutArg []byte, tail, single bool, count int64) {
	timeout, ok := c.Timeout(timeoutArg)
	if !ok {
		return
	}
	if popFirstNonEmpty(c, keys, tail, single, count, c.Unblocked) {
		return
	}
	c.Block(keys, timeout, replyNullArray)
}

func blpopCommand(c *Ctx) {
	blockingPop(c, c.Args[1:len(c.Args)-1], c.Args[len(c.Args)-1], false, true, 1)
}

func brpopCommand(c *Ctx) {
	blockingPop(c, c.Args[1:len(c.Args)-1], c.Args[len(c.Args)-1], true, true, 1)
}
