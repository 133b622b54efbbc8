package sql

import (
	"encoding/binary"
	"math"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// pathKind is how a table is read, named as EXPLAIN's type column names it.
type pathKind uint8

const (
	pathAll   pathKind = iota // full scan of the clustered index
	pathConst                 // primary key or unique index, every column equal to a constant
	pathEqRef                 // the same with values from an earlier table of a join
	pathRef                   // equality on a prefix of an index
	pathRange                 // a range on an index
)

func (k pathKind) String() string {
	return [...]string{"ALL", "const", "eq_ref", "ref", "range"}[k]
}

// accessPath is the planner's choice for one table.
type accessPath struct {
	kind  pathKind
	index int
	eq    []expr // values of the index's leading columns
	lo    expr   // range on the column after eq (nil: unbounded)
	hi    expr
	loInc bool
	hiInc bool
	// like is a LIKE pattern on the column after eq whose literal prefix bounds the scan
	like expr
	// desc scans the index backwards; ordered means the scan already yields
	// the rows in ORDER BY order (so LIMIT can stop the scan)
	desc    bool
	ordered bool
	// candidates are the indexes the conditions could use (EXPLAIN's possible_keys)
	candidates []int
}

// keyValue converts v to a value of column c for key encoding; exact is false
// when the conversion changed the value (then the bound is not usable).
func keyValue(c *catalog.Column, v types.Value) (types.Value, bool) {
	if v.IsNull() {
		return v, true
	}
	switch {
	case c.Type == catalog.TypeEnum:
		if v.Kind() == types.KindBytes {
			return v, catalog.EnumIndex(c, v) > 0
		}
		return types.NewInt(v.Int()), true
	case c.IsIntegral():
		switch v.Kind() {
		case types.KindInt:
			if c.Unsigned {
				if v.Int() < 0 {
					return v, false
				}
				return types.NewUint(v.Uint()), true
			}
			return v, true
		case types.KindUint:
			if !c.Unsigned {
				if v.Uint() > math.MaxInt64 {
					return v, false
				}
				return types.NewInt(v.Int()), true
			}
			return v, true
		}
		f := v.Float()
		if v.Kind() == types.KindDecimal {
			d := v.Decimal()
			if d.Cmp(d.Round(0)) != 0 {
				return v, false
			}
		}
		if f != math.Trunc(f) || math.Abs(f) > 9e18 {
			return v, false
		}
		if c.Unsigned {
			if f < 0 {
				return v, false
			}
			return types.NewUint(uint64(f)), true
		}
		return types.NewInt(int64(f)), true
	case c.Type == catalog.TypeDecimal:
		if v.Kind() == types.KindBytes {
			if _, ok := types.ParseNumber(v.Bytes()); !ok {
				return v, false
			}
		}
		return types.NewDecimal(v.Decimal()), true
	case c.Type == catalog.TypeFloat || c.Type == catalog.TypeDouble:
		return types.NewFloat(v.Float()), true
	case c.IsTemporal():
		k := types.KindDatetime
		if c.Type == catalog.TypeDate {
			k = types.KindDate
		}
		t, ok := toTemporal(v, k)
		if !ok || (c.Type == catalog.TypeDate && t.Kind() != types.KindDate) {
			return v, false
		}
		if c.Type != catalog.TypeDate && t.Kind() == types.KindDate {
			y, mo, d, _, _, _, _ := t.DateTime()
			t = types.NewDatetime(y, mo, d, 0, 0, 0, 0, 0)
		}
		return t, true
	case c.IsString() || c.IsBinary():
		if v.Kind() != types.KindBytes {
			return v, false // numbers compare with strings as doubles
		}
		return v, true
	}
	return v, false
}

// pkKey encodes the clustered key of a row (hidden row ID tables keep theirs apart).
func pkKey(dst []byte, t *catalog.Table, row []types.Value) []byte {
	for _, ci := range t.Indexes[0].Columns {
		dst = catalog.EncodeKey(dst, &t.Columns[ci], row[ci])
	}
	return dst
}

func rowIDKey(id uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	return b[2:8:8]
}

// secondaryKey encodes a secondary index entry: the indexed columns, the
// clustered key, and the clustered key's length in two bytes at the end.
func secondaryKey(dst []byte, t *catalog.Table, ix *catalog.Index, row []types.Value, pk []byte) []byte {
	for _, ci := range ix.Columns {
		dst = catalog.EncodeKey(dst, &t.Columns[ci], row[ci])
	}
	dst = append(dst, pk...)
	return binary.BigEndian.AppendUint16(dst, uint16(len(pk)))
}

// secondaryPrefix is the part of a secondary key that the unique check compares.
func secondaryPrefix(dst []byte, t *catalog.Table, ix *catalog.Index, row []types.Value) (key []byte, hasNull bool) {
	for _, ci := range ix.Columns {
		if row[ci].IsNull() {
			hasNull = true
		}
		dst = catalog.EncodeKey(dst, &t.Columns[ci], row[ci])
	}
	return dst, hasNull
}

// pkOfSecondary extracts the clustered key from a secondary index key.
func pkOfSecondary(key []byte) []byte {
	if len(key) < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(key[len(key)-2:]))
	if n > len(key)-2 {
		return nil
	}
	return key[len(key)-2-n : len(key)-2]
}

// prefixEnd returns the smallest key greater than every key starting with p (nil: none).
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// rowSource yields the rows of one table in the order of an access path.
type rowSource struct {
	st    *stmtCtx
	t     *catalog.Table
	path  *accessPath
	lock  engine.LockMode
	cur   engine.Cursor
	point bool // a single Get
	done  bool
	// the current row and its clustered key
	key []byte
	row []types.Value
	// virtual produces the rows of an information_schema view
	virtual func(*stmtCtx) ([][]types.Value, error)
	vrows   [][]types.Value
	vpos    int
	n       int // rows read, for periodic cancellation checks
	// materialize keeps the rows of an unindexed inner join table after the
	// first pass, so later outer rows rescan memory instead of the engine
	materialize bool
	cached      bool
	cache       []cachedRow
	cpos        int
}

type cachedRow struct {
	key []byte
	row []types.Value
}

// maxMaterialized bounds the rows an inner join table keeps in memory.
const maxMaterialized = 100000

// open positions the source for the current outer row (ctx.row holds earlier tables' columns).
func (rs *rowSource) open(c *evalCtx) error {
	if rs.materialize {
		if !rs.cached {
			if err := rs.fill(c); err != nil {
				return err
			}
		}
		if rs.materialize {
			rs.cpos, rs.done = 0, false
			return nil
		}
	}
	rs.close()
	rs.done, rs.point = false, false
	if rs.virtual != nil {
		if rs.vrows == nil {
			rows, err := rs.virtual(rs.st)
			if err != nil {
				return err
			}
			rs.vrows = rows
		}
		rs.vpos = 0
		return nil
	}
	p := rs.path
	t := rs.t
	ix := &t.Indexes[p.index]
	var prefix []byte
	eqCols := 0
	for i, e := range p.eq {
		v, err := e.eval(c)
		if err != nil {
			return err
		}
		col := &t.Columns[ix.Columns[i]]
		kv, exact := keyValue(col, v)
		if v.IsNull() {
			rs.done = true // col = NULL matches nothing
			return nil
		}
		if !exact {
			if col.IsIntegral() || col.Type == catalog.TypeEnum || col.Type == catalog.TypeDecimal {
				rs.done = true // an integer never equals 1.5 (nor an enum a non-member)
				return nil
			}
			break
		}
		if col.Type == catalog.TypeTimestamp {
			kv = rs.st.x.toUTC(rs.st.s, kv)
		}
		prefix = catalog.EncodeKey(prefix, col, kv)
		eqCols++
	}
	if p.index == 0 && !ix.Hidden && eqCols == len(ix.Columns) {
		rs.point = true
		rs.key = prefix
		return nil
	}
	lo := engine.Bound{Key: prefix, Inclusive: true}
	var hi engine.Bound
	if len(prefix) > 0 {
		hi = engine.Bound{Key: prefixEnd(prefix)}
	}
	if eqCols == len(p.eq) && eqCols < len(ix.Columns) && p.like != nil {
		v, err := p.like.eval(c)
		if err != nil {
			return err
		}
		if v.IsNull() {
			rs.done = true
			return nil
		}
		if lit := likePrefix(v.AppendText(nil), '\\'); len(lit) > 0 {
			k := catalog.EncodeStringPrefix(append([]byte(nil), prefix...), lit)
			lo, hi = engine.Bound{Key: k, Inclusive: true}, engine.Bound{Key: prefixEnd(k)}
		}
	}
	if eqCols == len(p.eq) && eqCols < len(ix.Columns) && (p.lo != nil || p.hi != nil) {
		col := &t.Columns[ix.Columns[eqCols]]
		if p.lo != nil {
			v, err := p.lo.eval(c)
			if err != nil {
				return err
			}
			if v.IsNull() {
				rs.done = true
				return nil
			}
			if kv, ok := keyValue(col, v); ok {
				if col.Type == catalog.TypeTimestamp {
					kv = rs.st.x.toUTC(rs.st.s, kv)
				}
				k := catalog.EncodeKey(append([]byte(nil), prefix...), col, kv)
				if p.loInc {
					lo = engine.Bound{Key: k, Inclusive: true}
				} else {
					lo = engine.Bound{Key: prefixEnd(k), Inclusive: true}
				}
			}
		}
		if lo.Key == nil || len(lo.Key) == len(prefix) {
			// skip NULLs, which sort first and never satisfy a range
			lo = engine.Bound{Key: append(append([]byte(nil), prefix...), 1), Inclusive: true}
		}
		if p.hi != nil {
			v, err := p.hi.eval(c)
			if err != nil {
				return err
			}
			if v.IsNull() {
				rs.done = true
				return nil
			}
			if kv, ok := keyValue(col, v); ok {
				if col.Type == catalog.TypeTimestamp {
					kv = rs.st.x.toUTC(rs.st.s, kv)
				}
				k := catalog.EncodeKey(append([]byte(nil), prefix...), col, kv)
				if p.hiInc {
					hi = engine.Bound{Key: prefixEnd(k)}
				} else {
					hi = engine.Bound{Key: k}
				}
			}
		}
	}
	if len(lo.Key) == 0 {
		lo.Key = nil
	}
	cur, err := rs.st.txn.Scan(t.ID, p.index, lo, hi, p.desc, rs.lock)
	if err != nil {
		return rs.st.x.engineError(rs.st.s, err)
	}
	rs.cur = cur
	return nil
}

// next advances to the next row; false at the end.
// fill reads the whole access path once into the cache (or gives up
// materializing when the table is too large).
func (rs *rowSource) fill(c *evalCtx) error {
	rs.materialize = false
	if err := rs.open(c); err != nil {
		return err
	}
	var cache []cachedRow
	for {
		ok, err := rs.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if len(cache) == maxMaterialized {
			return nil // too large: keep scanning the engine per outer row
		}
		cache = append(cache, cachedRow{key: append([]byte(nil), rs.key...), row: append([]types.Value(nil), rs.row...)})
	}
	rs.close()
	rs.cache, rs.cached, rs.materialize = cache, true, true
	return nil
}

func (rs *rowSource) next() (bool, error) {
	if rs.materialize && rs.cached {
		if rs.cpos >= len(rs.cache) {
			return false, nil
		}
		r := &rs.cache[rs.cpos]
		rs.cpos++
		rs.key = r.key
		rs.row = append(rs.row[:0], r.row...)
		return true, nil
	}
	if rs.done {
		return false, nil
	}
	if rs.virtual != nil {
		if rs.vpos >= len(rs.vrows) {
			return false, nil
		}
		rs.row = append(rs.row[:0], rs.vrows[rs.vpos]...)
		rs.vpos++
		return true, nil
	}
	t := rs.t
	if rs.point {
		rs.done = true
		val, found, err := rs.st.txn.Get(t.ID, 0, rs.key, rs.lock)
		if err != nil {
			return false, rs.st.x.engineError(rs.st.s, err)
		}
		if !found {
			return false, nil
		}
		rs.row, err = catalog.DecodeRow(rs.row[:0], val, len(t.Columns)) // val is ours (engine.Txn.Get)
		return err == nil, err
	}
	for rs.cur.Next() {
		if rs.n++; rs.n&255 == 0 {
			if err := rs.st.ctx.Err(); err != nil {
				return false, rs.st.x.engineError(rs.st.s, err)
			}
		}
		if rs.path.index == 0 {
			rs.key = append(rs.key[:0], rs.cur.Key()...)
			buf := append([]byte(nil), rs.cur.Value()...)
			var err error
			rs.row, err = catalog.DecodeRow(rs.row[:0], buf, len(t.Columns))
			return err == nil, err
		}
		pk := pkOfSecondary(rs.cur.Key())
		rs.key = append(rs.key[:0], pk...)
		val, found, err := rs.st.txn.Get(t.ID, 0, rs.key, rs.lock)
		if err != nil {
			return false, rs.st.x.engineError(rs.st.s, err)
		}
		if !found {
			continue // the row went away between the index entry and the row (engine race)
		}
		rs.row, err = catalog.DecodeRow(rs.row[:0], val, len(t.Columns))
		return err == nil, err
	}
	rs.done = true
	if err := rs.cur.Err(); err != nil {
		return false, rs.st.x.engineError(rs.st.s, err)
	}
	return false, nil
}

func (rs *rowSource) close() {
	if rs.cur != nil {
		_ = rs.cur.Close()
		rs.cur = nil
	}
}

// likePrefix returns the literal characters a LIKE pattern starts with.
func likePrefix(pat []byte, esc byte) []byte {
	var out []byte
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == esc && i+1 < len(pat):
			i++
			out = append(out, pat[i])
		case c == '%' || c == '_':
			return out
		default:
			out = append(out, c)
		}
	}
	return out
}
