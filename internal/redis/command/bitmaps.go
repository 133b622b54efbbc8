package command

import (
	"math"
	"math/bits"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The bitmap family (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD and BITFIELD_RO over string values, bit 0 being the most
// significant bit of the first byte.

func registerBitmaps(t *Table) {
	b := func(s *Spec) *Spec {
		s.Group = "bitmap"
		if s.FirstKey == 0 {
			s.FirstKey, s.LastKey, s.Step = 1, 1, 1
		}
		return s
	}
	t.Add(
		b(&Spec{Name: "setbit", Arity: 4, Flags: Write | DenyOOM, Since: "2.2.0",
			Summary: "Set or clear the bit at an offset of a string value", Complexity: "O(1)",
			ACL: []string{"write", "bitmap", "slow"}, Handler: setbitCommand}),
		b(&Spec{Name: "getbit", Arity: 3, Flags: ReadOnly | Fast, Since: "2.2.0",
			Summary: "Return the bit at an offset of a string value", Complexity: "O(1)",
			ACL: []string{"read", "bitmap", "fast"}, Handler: getbitCommand}),
		b(&Spec{Name: "bitcount", Arity: -2, Flags: ReadOnly, Since: "2.6.0",
			Summary: "Count the set bits of a string value", Complexity: "O(N)",
			ACL: []string{"read", "bitmap", "slow"}, Handler: bitcountCommand}),
		b(&Spec{Name: "bitpos", Arity: -3, Flags: ReadOnly, Since: "2.8.7",
			Summary: "Find the first set or clear bit of a string value", Complexity: "O(N)",
			ACL: []string{"read", "bitmap", "slow"}, Handler: bitposCommand}),
		b(&Spec{Name: "bitop", Arity: -4, Flags: Write | DenyOOM, FirstKey: 2, LastKey: -1, Step: 1, Since: "2.6.0",
			Summary: "Combine string values bitwise into a key", Complexity: "O(N)",
			ACL: []string{"write", "bitmap", "slow"}, Handler: bitopCommand}),
		b(&Spec{Name: "bitfield", Arity: -2, Flags: Write | DenyOOM, Since: "3.2.0",
			Summary: "Read and write integer fields of a string value", Complexity: "O(1) for each subcommand specified",
			ACL: []string{"write", "bitmap", "slow"}, Handler: func(c *Ctx) { bitfieldCommand(c, false) }}),
		b(&Spec{Name: "bitfield_ro", Arity: -2, Flags: ReadOnly | Fast, Since: "6.0.0",
			Summary: "Read integer fields of a string value", Complexity: "O(1) for each subcommand specified",
			ACL: []string{"read", "bitmap", "fast"}, Handler: func(c *Ctx) { bitfieldCommand(c, true) }}),
	)
}

// bitOffset parses a bit offset as getBitOffsetFromArgument does; with
// hashBits > 0 a "#N" offset means N*hashBits.
func bitOffset(c *Ctx, arg []byte, hashBits int) (uint64, bool) {
	useHash := len(arg) > 0 && arg[0] == '#' && hashBits > 0
	if useHash {
		arg = arg[1:]
	}
	n, ok := ParseInt(arg)
	if ok && useHash {
		if n > math.MaxInt64/int64(hashBits) || n < math.MinInt64/int64(hashBits) {
			ok = false
		} else {
			n *= int64(hashBits)
		}
	}
	limit := int64(512 << 20)
	if c.Set != nil && c.Set.ProtoMaxBulkLen > 0 {
		limit = c.Set.ProtoMaxBulkLen
	}
	if !ok || n < 0 || n>>3 >= limit {
		c.Error(errBitOffset)
		return 0, false
	}
	return uint64(n), true
}

// stringForBits returns a copy of key's string grown to hold bit maxBit
// (lookupStringForBitCommand); grown reports a new or longer value.
func stringForBits(c *Ctx, key []byte, maxBit uint64) (b []byte, grown, ok bool) {
	v, found, wrong := c.Lookup(key, keyspace.TypeString)
	if wrong {
		return nil, false, false
	}
	need := int(maxBit>>3) + 1
	if !found {
		return make([]byte, need), true, true
	}
	b = make([]byte, max(need, len(v.Str)))
	copy(b, v.Str)
	return b, need > len(v.Str), true
}

func setbitCommand(c *Ctx) {
	key := c.Args[1]
	off, ok := bitOffset(c, c.Args[2], 0)
	if !ok {
		return
	}
	on, ok := ParseInt(c.Args[3])
	if !ok || on&^1 != 0 {
		c.Error(errBitNotInt)
		return
	}
	b, grown, ok := stringForBits(c, key, off)
	if !ok {
		return
	}
	i, mask := off>>3, byte(1)<<(7-off&7)
	old := b[i]&mask != 0
	if grown || old != (on == 1) {
		if on == 1 {
			b[i] |= mask
		} else {
			b[i] &^= mask
		}
		c.DB.SetStringRaw(key, b, 0, true)
		c.Modified(key)
		c.Notify('$', "setbit", key)
		c.Dirty(1)
	}
	if old {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}

func getbitCommand(c *Ctx) {
	off, ok := bitOffset(c, c.Args[2], 0)
	if !ok {
		return
	}
	v, found, wrong := c.Lookup(c.Args[1], keyspace.TypeString)
	if wrong {
		return
	}
	if !found || off>>3 >= uint64(len(v.Str)) {
		c.W.Int(0)
		return
	}
	c.W.Int(int64(v.Str[off>>3] >> (7 - off&7) & 1))
}

// bitRange turns BITCOUNT/BITPOS start/end arguments into an inclusive bit
// interval of a string of n bytes; empty reports start > end.
func bitRange(start, end int64, isBit bool, n int) (lo, hi int64, empty bool) {
	total := int64(n)
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, true
	}
	if isBit {
		return start, end, false
	}
	return start * 8, end*8 + 7, false
}

// countBits counts the set bits of b in the inclusive bit interval [lo, hi].
func countBits(b []byte, lo, hi int64) int64 {
	var n int64
	for lo <= hi && lo&7 != 0 {
		n += int64(b[lo>>3] >> (7 - lo&7) & 1)
		lo++
	}
	for lo+7 <= hi {
		n += int64(bits.OnesCount8(b[lo>>3]))
		lo += 8
	}
	for ; lo <= hi; lo++ {
		n += int64(b[lo>>3] >> (7 - lo&7) & 1)
	}
	return n
}

func bitUnit(arg []byte) (isBit, ok bool) {
	switch strings.ToLower(string(arg)) {
	case "bit":
		return true, true
	case "byte":
		return false, true
	}
	return false, false
}

func bitcountCommand(c *Ctx) {
	v, found, wrong := c.Lookup(c.Args[1], keyspace.TypeString)
	if wrong {
		return
	}
	if !found {
		c.W.Int(0)
		return
	}
	s := v.Str
	switch len(c.Args) {
	case 2:
		c.W.Int(countBits(s, 0, int64(len(s))*8-1))
	case 4, 5:
		start, ok1 := ParseInt(c.Args[2])
		if !ok1 {
			c.Error(ErrNotInt)
			return
		}
		end, ok2 := ParseInt(c.Args[3])
		if !ok2 {
			c.Error(ErrNotInt)
			return
		}
		if start < 0 && end < 0 && start > end {
			c.W.Int(0)
			return
		}
		isBit := false
		if len(c.Args) == 5 {
			var ok bool
			if isBit, ok = bitUnit(c.Args[4]); !ok {
				c.Error(ErrSyntax)
				return
			}
		}
		lo, hi, empty := bitRange(start, end, isBit, len(s))
		if empty {
			c.W.Int(0)
			return
		}
		c.W.Int(countBits(s, lo, hi))
	default:
		c.Error(ErrSyntax)
	}
}

func bitposCommand(c *Ctx) {
	bit, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		c.Error(errBitArg)
		return
	}
	v, found, wrong := c.Lookup(c.Args[1], keyspace.TypeString)
	if wrong {
		return
	}
	if !found {
		if bit == 1 {
			c.W.Int(-1) // an absent key is an infinite run of zeros
		} else {
			c.W.Int(0)
		}
		return
	}
	s := v.Str
	var lo, hi int64
	empty := false
	endGiven := false
	switch len(c.Args) {
	case 3:
		lo, hi, empty = 0, int64(len(s))*8-1, len(s) == 0
	case 4, 5, 6:
		start, ok := ParseInt(c.Args[3])
		if !ok {
			c.Error(ErrNotInt)
			return
		}
		isBit := false
		if len(c.Args) == 6 {
			if isBit, ok = bitUnit(c.Args[5]); !ok {
				c.Error(ErrSyntax)
				return
			}
		}
		var end int64
		if len(c.Args) >= 5 {
			if end, ok = ParseInt(c.Args[4]); !ok {
				c.Error(ErrNotInt)
				return
			}
			endGiven = true
		} else if isBit {
			end = int64(len(s))<<3 + 7
		} else {
			end = int64(len(s)) - 1
		}
		lo, hi, empty = bitRange(start, end, isBit, len(s))
	default:
		c.Error(ErrSyntax)
		return
	}
	if empty {
		c.W.Int(-1)
		return
	}
	want := byte(bit)
	for p := lo; p <= hi; {
		if p&7 == 0 && p+7 <= hi {
			by := s[p>>3]
			if (want == 1 && by == 0) || (want == 0 && by == 0xff) {
				p += 8
				continue
			}
		}
		if s[p>>3]>>(7-p&7)&1 == want {
			c.W.Int(p)
			return
		}
		p++
	}
	if bit == 1 || endGiven {
		c.W.Int(-1)
		return
	}
	c.W.Int(hi + 1)
}

func bitopCommand(c *Ctx) {
	op := strings.ToLower(string(c.Args[1]))
	switch op {
	case "and", "or", "xor", "not":
	default:
		c.Error(ErrSyntax)
		return
	}
	if op == "not" && len(c.Args) != 4 {
		c.Error(errBitOpNot)
		return
	}
	dst := c.Args[2]
	srcs := make([][]byte, 0, len(c.Args)-3)
	maxLen := 0
	for _, k := range c.Args[3:] {
		v, found, wrong := c.LookupRead(k, keyspace.TypeString)
		if wrong {
			return
		}
		var s []byte
		if found {
			s = append([]byte(nil), v.Str...)
		}
		srcs = append(srcs, s)
		maxLen = max(maxLen, len(s))
	}
	if maxLen == 0 {
		if c.DB.Delete(dst) {
			c.Modified(dst)
			c.Notify('g', "del", dst)
			c.Dirty(1)
		}
		c.W.Int(0)
		return
	}
	res := make([]byte, maxLen)
	at := func(s []byte, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for i := range res {
		out := at(srcs[0], i)
		switch op {
		case "not":
			out = ^out
		case "and":
			for _, s := range srcs[1:] {
				out &= at(s, i)
			}
		case "or":
			for _, s := range srcs[1:] {
				out |= at(s, i)
			}
		case "xor":
			for _, s := range srcs[1:] {
				out ^= at(s, i)
			}
		}
		res[i] = out
	}
	c.DB.SetStringRaw(dst, res, 0, false)
	c.Modified(dst)
	c.Notify('$', "set", dst)
	c.Dirty(1)
	c.W.Int(int64(maxLen))
}

// --- BITFIELD ---

const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	ovfWrap = iota
	ovfSat
	ovfFail
)

type bitfieldOp struct {
	offset uint64
	value  int64
	op     int
	ovf    int
	bits   int
	signed bool
}

func bitfieldType(arg []byte) (signed bool, nbits int, ok bool) {
	if len(arg) == 0 {
		return false, 0, false
	}
	switch arg[0] {
	case 'i':
		signed = true
	case 'u':
	default:
		return false, 0, false
	}
	n, ok := ParseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		return false, 0, false
	}
	return signed, int(n), true
}

func getUnsignedField(b []byte, off uint64, nbits int) uint64 {
	var v uint64
	for j := 0; j < nbits; j++ {
		var bit uint64
		if i := off >> 3; i < uint64(len(b)) {
			bit = uint64(b[i]>>(7-off&7)) & 1
		}
		v = v<<1 | bit
		off++
	}
	return v
}

func getSignedField(b []byte, off uint64, nbits int) int64 {
	v := int64(getUnsignedField(b, off, nbits))
	if nbits < 64 && v&(1<<(nbits-1)) != 0 {
		v |= -1 << nbits
	}
	return v
}

func setField(b []byte, off uint64, nbits int, v uint64) {
	for j := 0; j < nbits; j++ {
		bit := v >> (nbits - 1 - j) & 1
		i, mask := off>>3, byte(1)<<(7-off&7)
		if bit == 1 {
			b[i] |= mask
		} else {
			b[i] &^= mask
		}
		off++
	}
}

// unsignedOverflow is checkUnsignedBitfieldOverflow.
func unsignedOverflow(value uint64, incr int64, nbits int, ovf int) (limit uint64, overflow bool) {
	maxV := uint64(1)<<nbits - 1
	maxIncr := int64(maxV - value)
	minIncr := -int64(value)
	wrap := func() uint64 { return (value + uint64(incr)) &^ (math.MaxUint64 << nbits) }
	if value > maxV || (incr > 0 && incr > maxIncr) {
		switch ovf {
		case ovfWrap:
			return wrap(), true
		case ovfSat:
			return maxV, true
		}
		return 0, true
	}
	if incr < 0 && incr < minIncr {
		switch ovf {
		case ovfWrap:
			return wrap(), true
		case ovfSat:
			return 0, true
		}
		return 0, true
	}
	return 0, false
}

// signedOverflow is checkSignedBitfieldOverflow.
func signedOverflow(value, incr int64, nbits int, ovf int) (limit int64, overflow bool) {
	maxV := int64(math.MaxInt64)
	if nbits != 64 {
		maxV = 1<<(nbits-1) - 1
	}
	minV := -maxV - 1
	maxIncr := int64(uint64(maxV) - uint64(value))
	minIncr := minV - value
	wrap := func() int64 {
		cv := uint64(value) + uint64(incr)
		if nbits < 64 {
			mask := uint64(math.MaxUint64) << nbits
			if cv&(1<<(nbits-1)) != 0 {
				cv |= mask
			} else {
				cv &^= mask
			}
		}
		return int64(cv)
	}
	if value > maxV || (nbits != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr) {
		switch ovf {
		case ovfWrap:
			return wrap(), true
		case ovfSat:
			return maxV, true
		}
		return 0, true
	}
	if value < minV || (nbits != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr) {
		switch ovf {
		case ovfWrap:
			return wrap(), true
		case ovfSat:
			return minV, true
		}
		return 0, true
	}
	return 0, false
}

func bitfieldCommand(c *Ctx, readOnlyCmd bool) {
	key := c.Args[1]
	var ops []bitfieldOp
	ovf := ovfWrap
	readOnly := true
	var highest uint64
	for j := 2; j < len(c.Args); j++ {
		rem := len(c.Args) - j - 1
		var op int
		switch sub := strings.ToLower(string(c.Args[j])); {
		case sub == "get" && rem >= 2:
			op = bfGet
		case sub == "set" && rem >= 3:
			op = bfSet
		case sub == "incrby" && rem >= 3:
			op = bfIncrBy
		case sub == "overflow" && rem >= 1:
			j++
			switch strings.ToLower(string(c.Args[j])) {
			case "wrap":
				ovf = ovfWrap
			case "sat":
				ovf = ovfSat
			case "fail":
				ovf = ovfFail
			default:
				c.Error(errBitfieldOvf)
				return
			}
			continue
		default:
			c.Error(ErrSyntax)
			return
		}
		signed, nbits, ok := bitfieldType(c.Args[j+1])
		if !ok {
			c.Error(errBitfieldType)
			return
		}
		off, ok := bitOffset(c, c.Args[j+2], nbits)
		if !ok {
			return
		}
		var v int64
		if op != bfGet {
			readOnly = false
			highest = max(highest, off+uint64(nbits)-1)
			if v, ok = ParseInt(c.Args[j+3]); !ok {
				c.Error(ErrNotInt)
				return
			}
			j++
		}
		ops = append(ops, bitfieldOp{offset: off, value: v, op: op, ovf: ovf, bits: nbits, signed: signed})
		j += 2
	}
	var b []byte
	grown := false
	if readOnly {
		// Only GETs: Redis reads the key (BITFIELD too, though a write command).
		v, found, wrong := c.LookupRead(key, keyspace.TypeString)
		if wrong {
			return
		}
		if found {
			b = v.Str
		}
	} else {
		if readOnlyCmd {
			c.Error(errBitfieldROWrite)
			return
		}
		var ok bool
		if b, grown, ok = stringForBits(c, key, highest); !ok {
			return
		}
	}
	c.W.Array(len(ops))
	changes := 0
	for _, o := range ops {
		if o.op == bfGet {
			if o.signed {
				c.W.Int(getSignedField(b, o.offset, o.bits))
			} else {
				c.W.Int(int64(getUnsignedField(b, o.offset, o.bits)))
			}
			continue
		}
		if o.signed {
			old := getSignedField(b, o.offset, o.bits)
			var newV, ret int64
			var overflow bool
			if o.op == bfIncrBy {
				var wrapped int64
				wrapped, overflow = signedOverflow(old, o.value, o.bits, o.ovf)
				newV = old + o.value
				if overflow {
					newV = wrapped
				}
				ret = newV
			} else {
				var wrapped int64
				newV = o.value
				wrapped, overflow = signedOverflow(newV, 0, o.bits, o.ovf)
				if overflow {
					newV = wrapped
				}
				ret = old
			}
			if overflow && o.ovf == ovfFail {
				c.W.Null()
				continue
			}
			c.W.Int(ret)
			setField(b, o.offset, o.bits, uint64(newV))
			if grown || old != newV {
				changes++
			}
		} else {
			old := getUnsignedField(b, o.offset, o.bits)
			var newV, ret uint64
			var overflow bool
			if o.op == bfIncrBy {
				var wrapped uint64
				newV = old + uint64(o.value)
				wrapped, overflow = unsignedOverflow(old, o.value, o.bits, o.ovf)
				if overflow {
					newV = wrapped
				}
				ret = newV
			} else {
				var wrapped uint64
				newV = uint64(o.value)
				wrapped, overflow = unsignedOverflow(newV, 0, o.bits, o.ovf)
				if overflow {
					newV = wrapped
				}
				ret = old
			}
			if overflow && o.ovf == ovfFail {
				c.W.Null()
				continue
			}
			c.W.Int(int64(ret))
			setField(b, o.offset, o.bits, newV)
			if grown || old != newV {
				changes++
			}
		}
	}
	// Redis counts a change only for a new or grown value or a field
	// whose value differs; a new key is kept even when every write failed.
	if !readOnly && (grown || changes > 0) {
		c.DB.SetStringRaw(key, b, 0, true)
		c.Modified(key)
		if changes > 0 {
			c.Notify('$', "setbit", key)
			c.Dirty(changes)
		}
	}
}
