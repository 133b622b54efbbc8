package command

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The string family: SET and its variants, GET and its variants, ranges,
// counters and LCS, with Redis 7.0's replies, notifications and
// propagation (t_string.c).

// Error texts of the string family.
const (
	errLCSType        = "ERR The specified keys must contain string values"
	errLCSLenAndIdx   = "ERR If you want both the length and indexes, please just use IDX."
	errLCSTooLong     = "ERR String too long for LCS"
	errLCSMemory      = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	errDecrOverflow   = "ERR decrement would overflow"
	maxLongDoubleExp2 = 16384 // binary exponent beyond which an x87 long double is infinite
)

func registerStrings(t *Table) {
	str := func(s *Spec) *Spec {
		s.Group = "string"
		if s.FirstKey == 0 {
			s.FirstKey, s.LastKey, s.Step = 1, 1, 1
		}
		return s
	}
	t.Add(
		str(&Spec{Name: "get", Arity: 2, Flags: ReadOnly | Fast, Since: "1.0.0",
			Summary: "Return the string value of a key", Complexity: "O(1)",
			ACL: []string{"read", "string", "fast"}, Handler: getCommand}),
		str(&Spec{Name: "set", Arity: -3, Flags: Write | DenyOOM, Since: "1.0.0",
			Summary: "Set a key to a string value, with an optional expiry and condition", Complexity: "O(1)",
			ACL: []string{"write", "string", "slow"}, Handler: setCommand}),
		str(&Spec{Name: "setnx", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Set a key only if it does not exist", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: setnxCommand}),
		str(&Spec{Name: "setex", Arity: 4, Flags: Write | DenyOOM, Since: "2.0.0",
			Summary: "Set a key with a time to live in seconds", Complexity: "O(1)",
			ACL: []string{"write", "string", "slow"}, Handler: setexCommand}),
		str(&Spec{Name: "psetex", Arity: 4, Flags: Write | DenyOOM, Since: "2.6.0",
			Summary: "Set a key with a time to live in milliseconds", Complexity: "O(1)",
			ACL: []string{"write", "string", "slow"}, Handler: psetexCommand}),
		str(&Spec{Name: "getex", Arity: -2, Flags: Write | Fast, Since: "6.2.0",
			Summary: "Return a key's value and change or remove its expiry", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: getexCommand}),
		str(&Spec{Name: "getdel", Arity: 2, Flags: Write | Fast, Since: "6.2.0",
			Summary: "Return a key's value and delete the key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: getdelCommand}),
		str(&Spec{Name: "getset", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Set a key and return its previous value", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: getsetCommand}),
		str(&Spec{Name: "setrange", Arity: 4, Flags: Write | DenyOOM, Since: "2.2.0",
			Summary: "Overwrite part of a string from an offset", Complexity: "O(1), not counting the time to copy the new string",
			ACL: []string{"write", "string", "slow"}, Handler: setrangeCommand}),
		str(&Spec{Name: "getrange", Arity: 4, Flags: ReadOnly, Since: "2.4.0",
			Summary: "Return a substring of a string value", Complexity: "O(N) where N is the length of the returned string",
			ACL: []string{"read", "string", "slow"}, Handler: getrangeCommand}),
		str(&Spec{Name: "substr", Arity: 4, Flags: ReadOnly, Since: "1.0.0",
			Summary: "Return a substring of a string value (old name of GETRANGE)", Complexity: "O(N) where N is the length of the returned string",
			ACL: []string{"read", "string", "slow"}, Handler: getrangeCommand}),
		str(&Spec{Name: "append", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "2.0.0",
			Summary: "Append to a string value, creating the key if needed", Complexity: "O(1) amortized",
			ACL: []string{"write", "string", "fast"}, Handler: appendCommand}),
		str(&Spec{Name: "strlen", Arity: 2, Flags: ReadOnly | Fast, Since: "2.2.0",
			Summary: "Return the length of a string value", Complexity: "O(1)",
			ACL: []string{"read", "string", "fast"}, Handler: strlenCommand}),
		str(&Spec{Name: "incr", Arity: 2, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Add one to the integer value of a key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: func(c *Ctx) { incrDecr(c, 1) }}),
		str(&Spec{Name: "decr", Arity: 2, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Subtract one from the integer value of a key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: func(c *Ctx) { incrDecr(c, -1) }}),
		str(&Spec{Name: "incrby", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Add an integer to the integer value of a key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: incrbyCommand}),
		str(&Spec{Name: "decrby", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "1.0.0",
			Summary: "Subtract an integer from the integer value of a key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: decrbyCommand}),
		str(&Spec{Name: "incrbyfloat", Arity: 3, Flags: Write | DenyOOM | Fast, Since: "2.6.0",
			Summary: "Add a floating point number to the numeric value of a key", Complexity: "O(1)",
			ACL: []string{"write", "string", "fast"}, Handler: incrbyfloatCommand}),
		str(&Spec{Name: "mget", Arity: -2, Flags: ReadOnly | Fast, FirstKey: 1, LastKey: -1, Step: 1, Since: "1.0.0",
			Summary: "Return the values of several keys", Complexity: "O(N) where N is the number of keys to retrieve",
			ACL: []string{"read", "string", "fast"}, Handler: mgetCommand}),
		str(&Spec{Name: "mset", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Since: "1.0.1",
			Summary: "Set several keys to string values", Complexity: "O(N) where N is the number of keys to set",
			ACL: []string{"write", "string", "slow"}, Handler: msetCommand}),
		str(&Spec{Name: "msetnx", Arity: -3, Flags: Write | DenyOOM, FirstKey: 1, LastKey: -1, Step: 2, Since: "1.0.1",
			Summary: "Set several keys only if none of them exists", Complexity: "O(N) where N is the number of keys to set",
			ACL: []string{"write", "string", "slow"}, Handler: msetnxCommand}),
		str(&Spec{Name: "lcs", Arity: -3, Flags: ReadOnly, FirstKey: 1, LastKey: 2, Step: 1, Since: "7.0.0",
			Summary: "Find the longest common subsequence of two string values", Complexity: "O(N*M) where N and M are the lengths of s1 and s2",
			ACL: []string{"read", "string", "slow"}, Handler: lcsCommand}),
	)
}

// argIs reports whether arg equals the lower-case word opt, ignoring case.
func argIs(arg []byte, opt string) bool {
	if len(arg) != len(opt) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != opt[i] {
			return false
		}
	}
	return true
}

// lookupString finds key for a string command: ok false when absent;
// wrongType set (and the error written) when it holds another type.
func lookupString(c *Ctx, key []byte) (keyspace.Value, bool, bool) {
	return c.Lookup(key, keyspace.TypeString)
}

func getCommand(c *Ctx) {
	v, ok, wrong := lookupString(c, c.Args[1])
	if wrong {
		return
	}
	if !ok {
		c.W.Null()
		return
	}
	c.W.Bulk(v.Str)
}

// setFlags are the options of SET and GETEX (parseExtendedStringArgumentsOrReply).
type setFlags uint16

const (
	setNX setFlags = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT

	setAnyExpire = setEX | setPX | setEXAT | setPXAT
)

// parseSetOptions parses args (after key, or after key and value) into
// flags and the raw expire argument. forSet selects SET's options (NX, XX,
// GET, KEEPTTL) or GETEX's (PERSIST). On a syntax error it writes the error.
func parseSetOptions(c *Ctx, args [][]byte, forSet bool) (setFlags, []byte, bool) {
	var f setFlags
	var expire []byte
	for j := 0; j < len(args); j++ {
		opt := args[j]
		hasNext := j+1 < len(args)
		switch {
		case forSet && argIs(opt, "nx") && f&setXX == 0:
			f |= setNX
		case forSet && argIs(opt, "xx") && f&setNX == 0:
			f |= setXX
		case forSet && argIs(opt, "get"):
			f |= setGet
		case forSet && argIs(opt, "keepttl") && f&(setPersist|setAnyExpire) == 0:
			f |= setKeepTTL
		case !forSet && argIs(opt, "persist") && f&(setKeepTTL|setAnyExpire) == 0:
			f |= setPersist
		case hasNext && expireOpt(opt) != 0 && f&(setKeepTTL|setPersist|setAnyExpire&^expireOpt(opt)) == 0:
			// Redis lets an expire option repeat (the last value wins)
			// but refuses two different ones.
			f |= expireOpt(opt)
			expire = args[j+1]
			j++
		default:
			c.Error(ErrSyntax)
			return 0, nil, false
		}
	}
	return f, expire, true
}

// expireOpt maps EX, PX, EXAT and PXAT to their flag, anything else to 0.
func expireOpt(opt []byte) setFlags {
	switch {
	case argIs(opt, "ex"):
		return setEX
	case argIs(opt, "px"):
		return setPX
	case argIs(opt, "exat"):
		return setEXAT
	case argIs(opt, "pxat"):
		return setPXAT
	}
	return 0
}

// expireMillis converts an expire argument to an absolute unix ms time as
// Redis' getExpireMillisecondsOrReply does, writing the error on failure.
func expireMillis(c *Ctx, arg []byte, seconds, relative bool) (int64, bool) {
	ms, ok := ParseInt(arg)
	if !ok {
		c.Error(ErrNotInt)
		return 0, false
	}
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		c.Error(InvalidExpire(c.Spec.FullName()))
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if relative {
		ms += c.Now // wraps on overflow, caught below as in Redis
	}
	if ms <= 0 {
		c.Error(InvalidExpire(c.Spec.FullName()))
		return 0, false
	}
	return ms, true
}

func setCommand(c *Ctx) {
	f, expire, ok := parseSetOptions(c, c.Args[3:], true)
	if !ok {
		return
	}
	setGeneric(c, f, c.Args[1], c.Args[2], expire, false)
}

// setGeneric is SET and its variants. intReply selects SETNX's 1/0 replies.
func setGeneric(c *Ctx, f setFlags, key, val, expire []byte, intReply bool) {
	var at int64
	if expire != nil {
		var ok bool
		at, ok = expireMillis(c, expire, f&(setEX|setEXAT) != 0, f&(setEX|setPX) != 0)
		if !ok {
			return
		}
	}
	if f&setGet != 0 {
		old, found, wrong := c.LookupRead(key, keyspace.TypeString)
		if wrong {
			return
		}
		if found {
			c.W.Bulk(old.Str)
		} else {
			c.W.Null()
		}
	}
	if f&(setNX|setXX) != 0 {
		_, found := c.DB.Lookup(key)
		if (f&setNX != 0 && found) || (f&setXX != 0 && !found) {
			if intReply {
				c.W.Int(0)
			} else if f&setGet == 0 {
				c.W.Null()
			}
			c.Propagate()
			return
		}
	}
	c.DB.SetString(key, val, at, f&setKeepTTL != 0)
	c.Modified(key)
	c.Dirty(1)
	c.Notify('$', "set", key)
	if expire != nil {
		c.Propagate([]byte("SET"), key, val, []byte("PXAT"), strconv.AppendInt(nil, at, 10))
		c.Notify('g', "expire", key)
	} else if f&setGet != 0 {
		args := make([][]byte, 0, len(c.Args)-1)
		for i, a := range c.Args {
			if i >= 3 && argIs(a, "get") {
				continue
			}
			args = append(args, a)
		}
		c.Propagate(args...)
	}
	switch {
	case intReply:
		c.W.Int(1)
	case f&setGet == 0:
		c.W.OK()
	}
}

func setnxCommand(c *Ctx) { setGeneric(c, setNX, c.Args[1], c.Args[2], nil, true) }

func setexCommand(c *Ctx) { setGeneric(c, setEX, c.Args[1], c.Args[3], c.Args[2], false) }

func psetexCommand(c *Ctx) { setGeneric(c, setPX, c.Args[1], c.Args[3], c.Args[2], false) }

func getexCommand(c *Ctx) {
	f, expire, ok := parseSetOptions(c, c.Args[2:], false)
	if !ok {
		return
	}
	key := c.Args[1]
	v, found, wrong := c.LookupRead(key, keyspace.TypeString)
	if wrong {
		return
	}
	if !found {
		c.W.Null()
		return
	}
	var at int64
	if expire != nil {
		at, ok = expireMillis(c, expire, f&(setEX|setEXAT) != 0, f&(setEX|setPX) != 0)
		if !ok {
			return
		}
	}
	c.W.Bulk(v.Str)
	switch {
	case f&(setEXAT|setPXAT) != 0 && at <= c.Now:
		c.DB.Delete(key)
		c.Propagate([]byte("DEL"), key)
		c.Modified(key)
		c.Notify('g', "del", key)
		c.Dirty(1)
	case expire != nil:
		c.DB.SetExpire(key, at)
		c.Propagate([]byte("PEXPIREAT"), key, strconv.AppendInt(nil, at, 10))
		c.Modified(key)
		c.Notify('g', "expire", key)
		c.Dirty(1)
	case f&setPersist != 0:
		if c.DB.Persist(key) {
			c.Modified(key)
			c.Propagate([]byte("PERSIST"), key)
			c.Notify('g', "persist", key)
			c.Dirty(1)
		}
	}
}

func getdelCommand(c *Ctx) {
	key := c.Args[1]
	v, found, wrong := c.LookupRead(key, keyspace.TypeString)
	if wrong {
		return
	}
	if !found {
		c.W.Null()
		return
	}
	c.W.Bulk(v.Str)
	c.DB.Delete(key)
	c.Propagate([]byte("DEL"), key)
	c.Modified(key)
	c.Notify('g', "del", key)
	c.Dirty(1)
}

func getsetCommand(c *Ctx) {
	key := c.Args[1]
	v, found, wrong := c.LookupRead(key, keyspace.TypeString)
	if wrong {
		return
	}
	if found {
		c.W.Bulk(v.Str)
	} else {
		c.W.Null()
	}
	c.DB.SetString(key, c.Args[2], 0, false)
	c.Notify('$', "set", key)
	c.Modified(key)
	c.Dirty(1)
	c.Propagate([]byte("SET"), key, c.Args[2])
}

// checkStringLength writes the proto-max-bulk-len error when a string of
// size bytes, extended by add bytes, would grow beyond the limit or
// overflow.
func checkStringLength(c *Ctx, size, add int64) bool {
	total := int64(uint64(size) + uint64(add))
	if total > c.Set.ProtoMaxBulkLen || total < size || total < add {
		c.Error(ErrStringTooLong)
		return false
	}
	return true
}

func setrangeCommand(c *Ctx) {
	key, val := c.Args[1], c.Args[3]
	offset, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if offset < 0 {
		c.Error(ErrOffsetRange)
		return
	}
	v, found, wrong := lookupString(c, key)
	if wrong {
		return
	}
	if len(val) == 0 {
		c.W.Int(int64(len(v.Str)))
		return
	}
	if !checkStringLength(c, offset, int64(len(val))) {
		return
	}
	size := max(int64(len(v.Str)), offset+int64(len(val)))
	buf := make([]byte, size)
	copy(buf, v.Str)
	copy(buf[offset:], val)
	c.DB.SetStringRaw(key, buf, 0, found) // Redis leaves a string changed in place raw
	c.Modified(key)
	c.Notify('$', "setrange", key)
	c.Dirty(1)
	c.W.Int(size)
}

func getrangeCommand(c *Ctx) {
	start, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	end, ok := ParseInt(c.Args[3])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	v, found, wrong := lookupString(c, c.Args[1])
	if wrong {
		return
	}
	if !found {
		c.W.Bulk(nil)
		return
	}
	n := int64(len(v.Str))
	if start < 0 && end < 0 && start > end {
		c.W.Bulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.Bulk(nil)
		return
	}
	c.W.Bulk(v.Str[start : end+1])
}

func appendCommand(c *Ctx) {
	key, add := c.Args[1], c.Args[2]
	v, found, wrong := lookupString(c, key)
	if wrong {
		return
	}
	if found && !checkStringLength(c, int64(len(v.Str)), int64(len(add))) {
		return
	}
	buf := make([]byte, 0, len(v.Str)+len(add))
	buf = append(append(buf, v.Str...), add...)
	if found {
		c.DB.SetStringRaw(key, buf, 0, true) // appended in place: raw, as in Redis
	} else {
		c.DB.SetString(key, buf, 0, false)
	}
	c.Modified(key)
	c.Notify('$', "append", key)
	c.Dirty(1)
	c.W.Int(int64(len(buf)))
}

func strlenCommand(c *Ctx) {
	v, _, wrong := lookupString(c, c.Args[1])
	if wrong {
		return
	}
	c.W.Int(int64(len(v.Str)))
}

func incrbyCommand(c *Ctx) {
	n, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	incrDecr(c, n)
}

func decrbyCommand(c *Ctx) {
	n, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if n == math.MinInt64 {
		c.Error(errDecrOverflow)
		return
	}
	incrDecr(c, -n)
}

func incrDecr(c *Ctx, incr int64) {
	key := c.Args[1]
	var tmp [24]byte
	digits, st := c.DB.IncrBy(key, incr, tmp[:0])
	switch st {
	case keyspace.IncrWrongType:
		c.Error(ErrWrongType)
		return
	case keyspace.IncrNotInt:
		c.Error(ErrNotInt)
		return
	case keyspace.IncrOverflow:
		c.Error(ErrOverflow)
		return
	}
	c.Modified(key)
	c.Notify('$', "incrby", key)
	c.Dirty(1)
	c.W.IntDigits(digits)
}

func incrbyfloatCommand(c *Ctx) {
	key := c.Args[1]
	v, found, wrong := lookupString(c, key)
	if wrong {
		return
	}
	cur := newLongDouble()
	if found {
		if !parseLongDouble(cur, v.Str) {
			c.Error(ErrNotFloat)
			return
		}
	}
	incr := newLongDouble()
	if !parseLongDouble(incr, c.Args[2]) {
		c.Error(ErrNotFloat)
		return
	}
	if cur.IsInf() || incr.IsInf() {
		c.Error(ErrNaN) // inf + x is inf, and inf - inf is NaN
		return
	}
	cur.Add(cur, incr)
	if cur.MantExp(nil) > maxLongDoubleExp2 {
		c.Error(ErrNaN)
		return
	}
	out := formatLongDoubleHuman(cur)
	c.DB.SetString(key, out, 0, found)
	c.Modified(key)
	c.Notify('$', "incrbyfloat", key)
	c.Dirty(1)
	c.W.Bulk(out)
	c.Propagate([]byte("SET"), key, out, []byte("KEEPTTL"))
}

// newLongDouble is a float with the 64-bit mantissa of an x87 long double,
// the type Redis computes INCRBYFLOAT in.
func newLongDouble() *big.Float { return new(big.Float).SetPrec(64) }

// parseLongDouble parses b into f (precision 64, like an x87 long double)
// with the rules of Redis' string2ld: no surrounding spaces, no NaN, no
// overflow of the long double range.
func parseLongDouble(f *big.Float, b []byte) bool {
	if len(b) == 0 || len(b) > 5000 || isSpace(b[0]) || isSpace(b[len(b)-1]) {
		return false
	}
	s := string(b)
	// strtold knows decimal and hexadecimal forms only; big.Float would
	// also take binary and octal prefixes and digit separators.
	body := strings.TrimLeft(s, "+-")
	if strings.ContainsRune(s, '_') || (len(body) > 1 && body[0] == '0' && strings.ContainsRune("bBoO", rune(body[1]))) {
		return false
	}
	if g, ok := ParseFloat(b); ok && math.IsInf(g, 0) {
		f.SetInf(g < 0)
		return true
	}
	if _, ok := f.SetString(s); !ok {
		return false
	}
	return f.IsInf() || f.MantExp(nil) <= maxLongDoubleExp2
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// formatLongDoubleHuman prints f as Redis' ld2string in human mode:
// "%.17Lf" without trailing zeros (and without a trailing dot).
func formatLongDoubleHuman(f *big.Float) []byte {
	out := f.Append(nil, 'f', 17)
	for i := len(out) - 1; i > 0; i-- {
		if out[i] == '.' {
			out = out[:i]
			break
		}
		if out[i] != '0' {
			out = out[:i+1]
			break
		}
	}
	if string(out) == "-0" {
		out = out[:0]
		out = append(out, '0')
	}
	return out
}

func mgetCommand(c *Ctx) {
	c.W.Array(len(c.Args) - 1)
	for _, key := range c.Args[1:] {
		v, ok := c.DB.Lookup(key)
		if !ok || v.Type != keyspace.TypeString {
			c.W.Null()
			continue
		}
		c.W.Bulk(v.Str)
	}
}

func msetCommand(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.Error(WrongArgs(c.Spec.FullName()))
		return
	}
	msetPairs(c)
	c.W.OK()
}

func msetPairs(c *Ctx) {
	for i := 1; i < len(c.Args); i += 2 {
		c.DB.SetString(c.Args[i], c.Args[i+1], 0, false)
		c.Modified(c.Args[i])
		c.Notify('$', "set", c.Args[i])
	}
	c.Dirty((len(c.Args) - 1) / 2)
}

func msetnxCommand(c *Ctx) {
	if len(c.Args)%2 == 0 {
		c.Error(WrongArgs(c.Spec.FullName()))
		return
	}
	for i := 1; i < len(c.Args); i += 2 {
		if _, ok := c.DB.Lookup(c.Args[i]); ok {
			c.W.Int(0)
			return
		}
	}
	msetPairs(c)
	c.W.Int(1)
}

func lcsCommand(c *Ctx) {
	va, oka := c.DB.Lookup(c.Args[1])
	if oka && va.Type != keyspace.TypeString {
		c.Error(errLCSType)
		return
	}
	a := append([]byte(nil), va.Str...) // the next lookup may expire a key: a write
	vb, okb := c.DB.Lookup(c.Args[2])
	if okb && vb.Type != keyspace.TypeString {
		c.Error(errLCSType)
		return
	}
	b := vb.Str
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		more := len(c.Args) - 1 - j
		switch {
		case argIs(opt, "idx"):
			getIdx = true
		case argIs(opt, "len"):
			getLen = true
		case argIs(opt, "withmatchlen"):
			withMatchLen = true
		case argIs(opt, "minmatchlen") && more > 0:
			n, ok := ParseInt(c.Args[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.Error(errLCSLenAndIdx)
		return
	}
	if int64(len(a)) >= math.MaxUint32-1 || int64(len(b)) >= math.MaxUint32-1 {
		c.Error(errLCSTooLong)
		return
	}
	alen, blen := len(a), len(b)
	if int64(alen+1)*int64(blen+1)*4 > c.Set.ProtoMaxBulkLen {
		c.Error(errLCSMemory)
		return
	}
	// lcs[i*(blen+1)+j] is the LCS length of a[:i] and b[:j].
	w := blen + 1
	lcs := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			if a[i-1] == b[j-1] {
				lcs[i*w+j] = lcs[(i-1)*w+j-1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i-1)*w+j], lcs[i*w+j-1])
			}
		}
	}
	total := lcs[alen*w+blen]
	if getLen {
		c.W.Int(int64(total))
		return
	}
	// Walk back from the end, collecting the LCS and its matching ranges.
	result := make([]byte, total)
	idx := total
	type match struct{ a0, a1, b0, b1 int }
	var ranges []match
	aStart, aEnd, bStart, bEnd := alen, 0, 0, 0 // aStart == alen: no range open
	for i, j := alen, blen; i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == alen {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if lcs[(i-1)*w+j] > lcs[i*w+j-1] {
				i--
			} else {
				j--
			}
			if aStart != alen {
				emit = true
			}
		}
		if emit {
			if n := int64(aEnd - aStart + 1); minMatchLen == 0 || n >= minMatchLen {
				ranges = append(ranges, match{aStart, aEnd, bStart, bEnd})
			}
			aStart = alen
		}
	}
	if !getIdx {
		c.W.Bulk(result)
		return
	}
	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(ranges))
	for _, r := range ranges {
		if withMatchLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(r.a0))
		c.W.Int(int64(r.a1))
		c.W.Array(2)
		c.W.Int(int64(r.b0))
		c.W.Int(int64(r.b1))
		if withMatchLen {
			c.W.Int(int64(r.a1 - r.a0 + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(total))
}
