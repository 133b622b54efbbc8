package rdb

import (
	"errors"
	"math"
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/ds/hash"
	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/ds/zset"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// Config holds what encoding and decoding depend on: the encoding thresholds in force (a
// decoded value gets the encoding they call for) and rdbcompression.
type Config struct {
	Hash hash.Config
	List list.Config
	Set  set.Config
	ZSet zset.Config
	// Compress is rdbcompression: strings longer than 20 bytes (and compact blobs) are
	// written LZF-compressed when that saves space.
	Compress bool
}

// DefaultConfig is Redis 7.0's defaults.
func DefaultConfig() Config {
	return Config{Hash: hash.DefaultConfig(), List: list.DefaultConfig(), Set: set.DefaultConfig(),
		ZSet: zset.DefaultConfig(), Compress: true}
}

// Value is a decoded value: Str for a string, Obj (a ds value) for the other types.
type Value struct {
	Type keyspace.Type
	Str  []byte
	Obj  keyspace.Object
}

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
const (
	containerPlain  = 1
	containerPacked = 2
)

// packedThreshold is quicklist's packed_threshold: an element this large gets a plain node.
const packedThreshold = 1 << 30

// AppendObject appends v's type byte and serialization, in the encoding Redis 7.0 writes for
// the value's current encoding.
func AppendObject(dst []byte, v keyspace.Value, cfg Config) ([]byte, error) {
	if v.Type == keyspace.TypeString {
		dst = append(dst, byte(TypeString))
		return appendString(dst, v.Str, cfg.Compress), nil
	}
	switch o := v.Obj.(type) {
	case *list.List:
		return appendList(dst, o, cfg), nil
	case *set.Set:
		if is, ok := o.Intset(); ok {
			dst = append(dst, byte(TypeSetIntset))
			return appendString(dst, appendIntset(nil, is), cfg.Compress), nil
		}
		dst = append(dst, byte(TypeSet))
		dst = appendLen(dst, uint64(o.Len()))
		o.ForEach(func(m []byte) bool {
			dst = appendString(dst, m, cfg.Compress)
			return true
		})
		return dst, nil
	case *zset.ZSet:
		if o.Encoding() == "listpack" {
			lp := newListpackBuilder()
			var buf []byte
			o.Ascend(func(m string, s float64) bool {
				lp.add([]byte(m))
				buf = appendScore(buf[:0], s)
				lp.add(buf)
				return true
			})
			dst = append(dst, byte(TypeZSetListpack))
			return appendString(dst, lp.finish(), cfg.Compress), nil
		}
		// Redis writes a skiplist from the greatest member down, so loading inserts at the
		// head.
		dst = append(dst, byte(TypeZSet2))
		dst = appendLen(dst, uint64(o.Len()))
		o.Range(0, o.Len()-1, true, func(m string, s float64) bool {
			dst = appendString(dst, []byte(m), cfg.Compress)
			dst = appendBinaryDouble(dst, s)
			return true
		})
		return dst, nil
	case *hash.Hash:
		if _, packed := o.Packed(); packed {
			lp := newListpackBuilder()
			o.ForEach(func(f, val []byte) bool {
				lp.add(f)
				lp.add(val)
				return true
			})
			dst = append(dst, byte(TypeHashListpack))
			return appendString(dst, lp.finish(), cfg.Compress), nil
		}
		dst = append(dst, byte(TypeHash))
		dst = appendLen(dst, uint64(o.Len()))
		o.ForEach(func(f, val []byte) bool {
			dst = appendString(dst, f, cfg.Compress)
			dst = appendString(dst, val, cfg.Compress)
			return true
		})
		return dst, nil
	}
	return dst, ErrNotSupported
}

// appendList writes a list as a quicklist of listpack nodes (RDB_TYPE_LIST_QUICKLIST_2),
// cutting nodes where Redis' quicklist would for list-max-listpack-size, and giving elements
// of packedThreshold bytes or more plain nodes of their own.
func appendList(dst []byte, l *list.List, cfg Config) []byte {
	type node struct {
		plain []byte
		lp    []byte
	}
	var nodes []node
	cur := newListpackBuilder()
	l.Range(0, l.Len()-1, func(v []byte) {
		if len(v) >= packedThreshold {
			if cur.n > 0 {
				nodes = append(nodes, node{lp: cur.finish()})
				cur = newListpackBuilder()
			}
			nodes = append(nodes, node{plain: v})
			return
		}
		if cur.n > 0 && !nodeAllowsInsert(cur.size(), cur.n, len(v), cfg.List.MaxPackSize) {
			nodes = append(nodes, node{lp: cur.finish()})
			cur = newListpackBuilder()
		}
		cur.add(v)
	})
	if cur.n > 0 {
		nodes = append(nodes, node{lp: cur.finish()})
	}
	dst = append(dst, byte(TypeListQuicklist2))
	dst = appendLen(dst, uint64(len(nodes)))
	for _, n := range nodes {
		if n.plain != nil {
			dst = appendLen(dst, containerPlain)
			dst = appendString(dst, n.plain, cfg.Compress)
		} else {
			dst = appendLen(dst, containerPacked)
			dst = appendString(dst, n.lp, cfg.Compress)
		}
	}
	return dst
}

// nodeAllowsInsert is quicklist's rule for adding an element of sz bytes to a node of
// nodeSize bytes and count entries under list-max-listpack-size fill.
func nodeAllowsInsert(nodeSize, count, sz, fill int) bool {
	const sizeEstimateOverhead, safetyLimit = 8, 8192
	levels := [...]int{4096, 8192, 16384, 32768, 65536}
	newSize := nodeSize + sz + sizeEstimateOverhead
	if fill < 0 && -fill-1 < len(levels) && newSize <= levels[-fill-1] {
		return true
	}
	if newSize > safetyLimit {
		return false
	}
	return count < fill
}

// appendScore appends a score as Redis' d2string renders it in a listpack.
func appendScore(dst []byte, s float64) []byte {
	switch {
	case math.IsInf(s, 1):
		return append(dst, "inf"...)
	case math.IsInf(s, -1):
		return append(dst, "-inf"...)
	case s == 0 && math.Signbit(s):
		return append(dst, "-0"...)
	case s > -4503599627370495 && s < 4503599627370496 && s == math.Trunc(s):
		return strconv.AppendInt(dst, int64(s), 10)
	}
	return strconv.AppendFloat(dst, s, 'g', 17, 64)
}

func appendBinaryDouble(dst []byte, s float64) []byte {
	u := math.Float64bits(s)
	for i := 0; i < 8; i++ {
		dst = append(dst, byte(u>>(8*i)))
	}
	return dst
}

// DecodeObject decodes a type byte and its object from the start of b and returns the value
// and the bytes after it.
func DecodeObject(b []byte, cfg Config) (Value, []byte, error) {
	r := &reader{b: b}
	t, err := r.readByte()
	if err != nil {
		return Value{}, nil, err
	}
	v, err := decodeObject(r, Type(t), cfg)
	if err != nil {
		return Value{}, nil, err
	}
	return v, b[r.off:], nil
}

func decodeObject(r *reader, t Type, cfg Config) (Value, error) {
	switch t {
	case TypeString:
		s, err := r.string()
		if err != nil {
			return Value{}, err
		}
		return Value{Type: keyspace.TypeString, Str: append([]byte(nil), s...)}, nil
	case TypeList:
		items, err := r.strings(1)
		if err != nil {
			return Value{}, err
		}
		return listValue(cfg, items), nil
	case TypeListZiplist:
		items, err := r.blob(ziplistEntries)
		if err != nil {
			return Value{}, err
		}
		if len(items) == 0 {
			return Value{}, corrupt("empty list")
		}
		return listValue(cfg, items), nil
	case TypeListQuicklist, TypeListQuicklist2:
		return decodeQuicklist(r, t, cfg)
	case TypeSet:
		items, err := r.strings(1)
		if err != nil {
			return Value{}, err
		}
		return setValue(cfg, items)
	case TypeSetIntset:
		blob, err := r.string()
		if err != nil {
			return Value{}, err
		}
		is, err := intsetDecode(blob)
		if err != nil {
			return Value{}, err
		}
		if is.Len() <= cfg.Set.MaxIntsetEntries {
			return Value{Type: keyspace.TypeSet, Obj: set.FromIntset(is)}, nil
		}
		items := make([][]byte, is.Len())
		for i := range items {
			items[i] = strconv.AppendInt(nil, is.At(i), 10)
		}
		return setValue(cfg, items)
	case TypeZSet, TypeZSet2:
		n, err := r.count(2)
		if err != nil {
			return Value{}, err
		}
		members := make([][]byte, 0, min(n, 1024))
		scores := make([]float64, 0, min(n, 1024))
		for i := 0; i < n; i++ {
			m, err := r.string()
			if err != nil {
				return Value{}, err
			}
			var s float64
			if t == TypeZSet {
				s, err = r.doubleText()
			} else {
				s, err = r.doubleBinary()
			}
			if err != nil {
				return Value{}, err
			}
			members, scores = append(members, m), append(scores, s)
		}
		return zsetValue(cfg, members, scores, false)
	case TypeZSetZiplist, TypeZSetListpack:
		dec := listpackEntries
		if t == TypeZSetZiplist {
			dec = ziplistEntries
		}
		items, err := r.blob(dec)
		if err != nil {
			return Value{}, err
		}
		if len(items)%2 != 0 {
			return Value{}, corrupt("sorted set with an odd number of entries")
		}
		members := make([][]byte, 0, len(items)/2)
		scores := make([]float64, 0, len(items)/2)
		for i := 0; i < len(items); i += 2 {
			members, scores = append(members, items[i]), append(scores, scoreText(items[i+1]))
		}
		return zsetValue(cfg, members, scores, true)
	case TypeHash:
		n, err := r.count(2)
		if err != nil {
			return Value{}, err
		}
		items := make([][]byte, 0, 2*min(n, 1024))
		for i := 0; i < 2*n; i++ {
			s, err := r.string()
			if err != nil {
				return Value{}, err
			}
			items = append(items, s)
		}
		return hashValue(cfg, items, false)
	case TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		dec := listpackEntries
		switch t {
		case TypeHashZipmap:
			dec = zipmapEntries
		case TypeHashZiplist:
			dec = ziplistEntries
		}
		items, err := r.blob(dec)
		if err != nil {
			return Value{}, err
		}
		return hashValue(cfg, items, t != TypeHashZipmap)
	case TypeStreamListpacks, TypeStreamListpack2, TypeModule, TypeModule2:
		return Value{}, ErrNotSupported
	}
	return Value{}, corrupt("unknown object type %d", t)
}

// strings reads a count (at least one) and that many strings.
func (r *reader) strings(minBytes int) ([][]byte, error) {
	n, err := r.count(minBytes)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, min(n, 1024))
	for i := 0; i < n; i++ {
		s, err := r.string()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// blob reads a string holding a compact encoding and decodes it with dec.
func (r *reader) blob(dec func([]byte) ([][]byte, error)) ([][]byte, error) {
	s, err := r.string()
	if err != nil {
		return nil, err
	}
	return dec(s)
}

func decodeQuicklist(r *reader, t Type, cfg Config) (Value, error) {
	nodes, err := r.count(2)
	if err != nil {
		return Value{}, err
	}
	l := list.New()
	for i := 0; i < nodes; i++ {
		container := uint64(containerPacked)
		if t == TypeListQuicklist2 {
			c, err := r.plainLength()
			if err != nil {
				return Value{}, err
			}
			if c != containerPlain && c != containerPacked {
				return Value{}, corrupt("quicklist node container %d", c)
			}
			container = c
		}
		s, err := r.string()
		if err != nil {
			return Value{}, err
		}
		if len(s) == 0 {
			return Value{}, corrupt("quicklist node of zero bytes")
		}
		if container == containerPlain {
			l.Push(append([]byte(nil), s...), true, cfg.List)
			continue
		}
		dec := listpackEntries
		if t == TypeListQuicklist {
			dec = ziplistEntries
		}
		items, err := dec(s)
		if err != nil {
			return Value{}, err
		}
		// Redis skips empty nodes.
		for _, v := range items {
			l.Push(v, true, cfg.List)
		}
	}
	if l.Len() == 0 {
		return Value{}, corrupt("empty list")
	}
	return Value{Type: keyspace.TypeList, Obj: l}, nil
}

func listValue(cfg Config, items [][]byte) Value {
	l := list.New()
	for _, v := range items {
		l.Push(v, true, cfg.List)
	}
	return Value{Type: keyspace.TypeList, Obj: l}
}

func setValue(cfg Config, items [][]byte) (Value, error) {
	s := set.New()
	for _, m := range items {
		if !s.Add(m, cfg.Set) {
			return Value{}, corrupt("duplicate set member")
		}
	}
	return Value{Type: keyspace.TypeSet, Obj: s}, nil
}

// zsetValue builds a sorted set. countOnly (a set that arrives as a listpack or ziplist)
// converts it to a skiplist only past the entry threshold, as Redis 7.0 does, not for long
// members.
func zsetValue(cfg Config, members [][]byte, scores []float64, countOnly bool) (Value, error) {
	if len(members) == 0 {
		return Value{}, corrupt("empty sorted set")
	}
	maxLen := 0
	for _, m := range members {
		maxLen = max(maxLen, len(m))
	}
	if countOnly {
		cfg.ZSet.MaxListpackValue = max(cfg.ZSet.MaxListpackValue, maxLen)
		maxLen = 0
	}
	z := zset.NewSized(len(members), maxLen, cfg.ZSet)
	for i, m := range members {
		if math.IsNaN(scores[i]) {
			return Value{}, corrupt("sorted set score is NaN")
		}
		if !z.Add(string(m), scores[i], cfg.ZSet) {
			return Value{}, corrupt("duplicate sorted set member")
		}
	}
	return Value{Type: keyspace.TypeZSet, Obj: z}, nil
}

// hashValue builds a hash from alternating fields and values. countOnly (a hash that arrives
// as a listpack or ziplist) converts it to a hashtable only past the entry threshold, as Redis
// 7.0 does, not for long values.
func hashValue(cfg Config, items [][]byte, countOnly bool) (Value, error) {
	if len(items) == 0 || len(items)%2 != 0 {
		return Value{}, corrupt("hash with %d entries", len(items))
	}
	if countOnly {
		for _, b := range items {
			cfg.Hash.MaxListpackValue = max(cfg.Hash.MaxListpackValue, len(b))
		}
	}
	h := hash.New()
	for i := 0; i < len(items); i += 2 {
		if !h.Set(items[i], items[i+1], cfg.Hash) {
			return Value{}, corrupt("duplicate hash field")
		}
	}
	return Value{Type: keyspace.TypeHash, Obj: h}, nil
}

// scoreText reads a score stored as text in a listpack or ziplist as Redis' zzlStrtod does
// with strtod: the longest prefix (of at most 127 bytes) that is a number, 0 if none.
func scoreText(b []byte) float64 {
	b = b[:min(len(b), 127)]
	for n := len(b); n > 0; n-- {
		f, err := strconv.ParseFloat(string(b[:n]), 64)
		if err == nil || errors.Is(err, strconv.ErrRange) {
			return f
		}
	}
	return 0
}
