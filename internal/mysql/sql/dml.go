package sql

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// dupError reports a duplicate key found while writing a row.
type dupError struct {
	index int
	err   *errcode.Error
}

func (e *dupError) Error() string { return e.err.Error() }

// dupText renders the key values of a duplicate the way MySQL prints them.
func dupText(t *catalog.Table, ix *catalog.Index, row []types.Value) string {
	parts := make([]string, len(ix.Columns))
	for i, ci := range ix.Columns {
		parts[i] = row[ci].String()
	}
	s := strings.Join(parts, "-")
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

func dupErr(t *catalog.Table, index int, row []types.Value) *dupError {
	ix := &t.Indexes[index]
	return &dupError{index: index, err: errcode.DupEntry.New(dupText(t, ix, row), t.Name+"."+ix.Name)}
}

// uniqueConflict finds the clustered key of a row holding the same unique
// secondary key as row (nil if none, or if the match is the row itself).
func (st *stmtCtx) uniqueConflict(t *catalog.Table, index int, row []types.Value, self []byte) ([]byte, error) {
	prefix, hasNull := secondaryPrefix(nil, t, &t.Indexes[index], row)
	if hasNull {
		return nil, nil // NULLs never collide in a unique index
	}
	cur, err := st.txn.Scan(t.ID, index, engine.Bound{Key: prefix, Inclusive: true}, engine.Bound{Key: prefixEnd(prefix)}, false, engine.LockExclusive)
	if err != nil {
		return nil, st.x.engineError(st.s, err)
	}
	defer cur.Close()
	for cur.Next() {
		pk := pkOfSecondary(cur.Key())
		if self != nil && bytes.Equal(pk, self) {
			continue
		}
		return append([]byte(nil), pk...), nil
	}
	if err := cur.Err(); err != nil {
		return nil, st.x.engineError(st.s, err)
	}
	return nil, nil
}

// insertRow writes a new row and its index entries.
func (st *stmtCtx) insertRow(t *catalog.Table, row []types.Value) error {
	var key []byte
	if t.HiddenPK() {
		id, err := st.x.eng.NextRowID(t.ID)
		if err != nil {
			return st.x.engineError(st.s, err)
		}
		key = rowIDKey(id)
	} else {
		key = pkKey(nil, t, row)
		if _, found, err := st.txn.Get(t.ID, 0, key, engine.LockExclusive); err != nil {
			return st.x.engineError(st.s, err)
		} else if found {
			return dupErr(t, 0, row)
		}
	}
	for i := 1; i < len(t.Indexes); i++ {
		if !t.Indexes[i].Unique {
			continue
		}
		other, err := st.uniqueConflict(t, i, row, nil)
		if err != nil {
			return err
		}
		if other != nil {
			return dupErr(t, i, row)
		}
	}
	if err := st.txn.Insert(t.ID, 0, key, catalog.EncodeRow(nil, row)); err != nil {
		if errors.Is(err, engine.ErrDuplicateKey) {
			return dupErr(t, 0, row)
		}
		return st.x.engineError(st.s, err)
	}
	for i := 1; i < len(t.Indexes); i++ {
		if err := st.txn.Insert(t.ID, i, secondaryKey(nil, t, &t.Indexes[i], row, key), nil); err != nil {
			if errors.Is(err, engine.ErrDuplicateKey) {
				return dupErr(t, i, row)
			}
			return st.x.engineError(st.s, err)
		}
	}
	return nil
}

// updateRow replaces old (stored under key) with row, maintaining indexes.
func (st *stmtCtx) updateRow(t *catalog.Table, key []byte, old, row []types.Value) error {
	newKey := key
	if !t.HiddenPK() {
		newKey = pkKey(nil, t, row)
	}
	pkChanged := !bytes.Equal(newKey, key)
	for i := 1; i < len(t.Indexes); i++ {
		ix := &t.Indexes[i]
		if !ix.Unique {
			continue
		}
		a, _ := secondaryPrefix(nil, t, ix, old)
		b, _ := secondaryPrefix(nil, t, ix, row)
		if bytes.Equal(a, b) {
			continue
		}
		other, err := st.uniqueConflict(t, i, row, key)
		if err != nil {
			return err
		}
		if other != nil {
			return dupErr(t, i, row)
		}
	}
	if pkChanged {
		if _, found, err := st.txn.Get(t.ID, 0, newKey, engine.LockExclusive); err != nil {
			return st.x.engineError(st.s, err)
		} else if found {
			return dupErr(t, 0, row)
		}
		if err := st.txn.Delete(t.ID, 0, key); err != nil {
			return st.x.engineError(st.s, err)
		}
		if err := st.txn.Insert(t.ID, 0, newKey, catalog.EncodeRow(nil, row)); err != nil {
			return st.x.engineError(st.s, err)
		}
	} else if err := st.txn.Update(t.ID, 0, key, catalog.EncodeRow(nil, row)); err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			return errRowGone
		}
		return st.x.engineError(st.s, err)
	}
	for i := 1; i < len(t.Indexes); i++ {
		ix := &t.Indexes[i]
		a := secondaryKey(nil, t, ix, old, key)
		b := secondaryKey(nil, t, ix, row, newKey)
		if bytes.Equal(a, b) {
			continue
		}
		if err := st.txn.Delete(t.ID, i, a); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return st.x.engineError(st.s, err)
		}
		if err := st.txn.Insert(t.ID, i, b, nil); err != nil {
			if errors.Is(err, engine.ErrDuplicateKey) {
				return dupErr(t, i, row)
			}
			return st.x.engineError(st.s, err)
		}
	}
	return nil
}

func (st *stmtCtx) deleteRow(t *catalog.Table, key []byte, row []types.Value) error {
	for i := 1; i < len(t.Indexes); i++ {
		if err := st.txn.Delete(t.ID, i, secondaryKey(nil, t, &t.Indexes[i], row, key)); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return st.x.engineError(st.s, err)
		}
	}
	if err := st.txn.Delete(t.ID, 0, key); err != nil {
		if errors.Is(err, engine.ErrNotFound) {
			return errRowGone
		}
		return st.x.engineError(st.s, err)
	}
	return nil
}

// errRowGone reports that a row read by this statement was deleted by another
// transaction before the write (possible until the engine has row locks); the
// statement then skips it.
var errRowGone = errors.New("sql: row deleted concurrently")

// defaultValue is a column's value when an INSERT does not give one.
func (st *stmtCtx) defaultValue(c *catalog.Column, row int, explicit bool) (types.Value, error) {
	switch {
	case c.DefaultNow:
		return st.nowFor(c), nil
	case c.Default != nil:
		v, err := convertForColumn(c, types.NewString(*c.Default), false)
		if err == nil && c.Type == catalog.TypeTimestamp {
			v = st.x.toUTC(st.s, v)
		}
		return v, err
	case !c.NotNull || c.AutoInc:
		return types.Null, nil
	}
	if st.x.strict(st.s) {
		return types.Null, errcode.NoDefault.New(c.Name)
	}
	st.s.warn("Warning", errcode.NoDefault.Code, errcode.NoDefault.New(c.Name).Message)
	return implicitDefault(c), nil
}

func implicitDefault(c *catalog.Column) types.Value {
	switch {
	case c.Type == catalog.TypeEnum:
		return types.NewString(c.Enum[0])
	case c.IsIntegral():
		if c.Unsigned {
			return types.NewUint(0)
		}
		return types.NewInt(0)
	case c.Type == catalog.TypeDecimal:
		return types.NewDecimal(types.DecimalFromInt(0).Round(int32(c.Scale)))
	case c.Type == catalog.TypeFloat || c.Type == catalog.TypeDouble:
		return types.NewFloat(0)
	case c.IsTemporal():
		return zeroTemporal(c)
	}
	return types.NewString("")
}

// storeValue converts v (in the session's terms) for column c of row n,
// applying strict mode; TIMESTAMP values are stored in UTC.
func (st *stmtCtx) storeValue(c *catalog.Column, v types.Value, n int) (types.Value, error) {
	out, err := st.storeValueRaw(c, v, n)
	if err == nil && c.Type == catalog.TypeTimestamp {
		out = st.x.toUTC(st.s, out)
	}
	return out, err
}

// nowFor is CURRENT_TIMESTAMP as column c stores it.
func (st *stmtCtx) nowFor(c *catalog.Column) types.Value {
	if c.Type == catalog.TypeTimestamp {
		return types.NewTimeValue(st.clock().UTC(), uint8(c.Fsp))
	}
	return types.NewTimeValue(st.clock().In(st.x.location(st.s)), uint8(c.Fsp))
}

// storeValueRaw is storeValue without the time zone conversion (for values already stored).
func (st *stmtCtx) storeValueRaw(c *catalog.Column, v types.Value, n int) (types.Value, error) {
	strict := st.x.strict(st.s)
	out, err := convertForColumn(c, v, strict)
	if err != nil {
		var ce *convertError
		if !errors.As(err, &ce) {
			return out, err
		}
		e := ce.render(c, n)
		if strict {
			return out, e
		}
		st.s.warn("Warning", e.Code, e.Message)
	}
	return out, nil
}

func (x *Executor) runInsert(st *stmtCtx, ins *sqlparser.Insert) (*Result, error) {
	t, err := x.resolveTable(st.s, ins.Table)
	if err != nil {
		return nil, err
	}
	// target columns
	var cols []int
	if len(ins.Columns) == 0 {
		for i := range t.Columns {
			cols = append(cols, i)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range ins.Columns {
			i, ok := t.Column(c.String())
			if !ok {
				return nil, errcode.BadField.New(c.String(), "field list")
			}
			if seen[i] {
				return nil, errcode.FieldSpecifiedTwice.New(c.String())
			}
			seen[i] = true
			cols = append(cols, i)
		}
	}
	params := 0
	emptyScope := &scope{params: &params, session: st.s}
	// source rows: VALUES lists or a SELECT
	var rowExprs [][]expr
	var selRows [][]types.Value
	switch rows := ins.Rows.(type) {
	case *sqlparser.AliasedValues:
		for _, tuple := range rows.Values {
			var es []expr
			for _, e := range tuple {
				if _, ok := e.(*sqlparser.Default); ok {
					es = append(es, nil)
					continue
				}
				c, _, err := x.compile(e, emptyScope)
				if err != nil {
					return nil, err
				}
				es = append(es, c)
			}
			if len(es) != len(cols) && !(len(es) == 0 && len(ins.Columns) == 0) {
				return nil, errcode.WrongValueCount.New(len(rowExprs) + 1)
			}
			rowExprs = append(rowExprs, es)
		}
	case sqlparser.SelectStatement:
		pl, err := x.compileSelect(st.s, rows, parse.Parsed{}, &params, nil)
		if err != nil {
			return nil, err
		}
		if len(pl.columns) != len(cols) {
			return nil, errcode.WrongValueCount.New(1)
		}
		if selRows, err = x.execSelect(st, pl); err != nil {
			return nil, err
		}
	default:
		return nil, errcode.NotSupported.New("INSERT form")
	}
	// ON DUPLICATE KEY UPDATE assignments
	type assign struct {
		col int
		e   expr
	}
	var onDup []assign
	if len(ins.OnDup) > 0 {
		sc := &scope{sources: []*source{{alias: t.Name, schema: t.Schema, table: t}}, width: len(t.Columns), values: t, params: &params, session: st.s}
		if av, ok := ins.Rows.(*sqlparser.AliasedValues); ok && !av.As.IsEmpty() {
			if len(av.Columns) > 0 {
				return nil, errcode.NotSupported.New("column aliases of an inserted row")
			}
			sc.valuesAlias = av.As.String() // INSERT … AS new ON DUPLICATE KEY UPDATE c = new.c
		}
		for _, a := range ins.OnDup {
			ci, ok := t.Column(a.Name.Name.String())
			if !ok {
				return nil, errcode.BadField.New(a.Name.Name.String(), "field list")
			}
			e, _, err := x.compile(a.Expr, sc)
			if err != nil {
				return nil, err
			}
			onDup = append(onDup, assign{ci, e})
		}
	}
	ignore := ins.Ignore != ""
	replace := strings.EqualFold(ins.Action, "replace")
	ec := st.evalCtx(nil)
	var affected, dups uint64
	var firstID, okID uint64 // LAST_INSERT_ID() takes generated values only; the OK packet any
	n := len(rowExprs) + len(selRows)
	for r := 0; r < n; r++ {
		row := make([]types.Value, len(t.Columns))
		given := make([]bool, len(t.Columns))
		for k, ci := range cols {
			var v types.Value
			if r < len(rowExprs) {
				if len(rowExprs[r]) == 0 || rowExprs[r][k] == nil {
					continue
				}
				if v, err = rowExprs[r][k].eval(ec); err != nil {
					return nil, err
				}
			} else {
				v = selRows[r-len(rowExprs)][k]
			}
			given[ci] = true
			c := &t.Columns[ci]
			if v.IsNull() {
				if c.NotNull && !c.AutoInc {
					if n > 1 && !st.x.strict(st.s) || ignore {
						st.s.warn("Warning", errcode.BadNull.Code, errcode.BadNull.New(c.Name).Message)
						row[ci] = implicitDefault(c)
						continue
					}
					return nil, errcode.BadNull.New(c.Name)
				}
				row[ci] = v
				continue
			}
			if row[ci], err = st.storeValue(c, v, r+1); err != nil {
				return nil, err
			}
		}
		for ci := range t.Columns {
			if !given[ci] {
				if row[ci], err = st.defaultValue(&t.Columns[ci], r+1, false); err != nil {
					return nil, err
				}
			}
		}
		// AUTO_INCREMENT: NULL or 0 takes the next value
		if ai := t.AutoIncCol; ai >= 0 {
			v := row[ai]
			if v.IsNull() || (v.Kind() != types.KindBytes && v.Int() == 0 && !strings.Contains(x.sqlMode(st.s), "NO_AUTO_VALUE_ON_ZERO")) {
				id, err := x.eng.AutoIncrement(t.ID, 1)
				if err != nil {
					return nil, x.engineError(st.s, err)
				}
				if row[ai], err = st.storeValue(&t.Columns[ai], types.NewUint(id), r+1); err != nil {
					return nil, err
				}
				if firstID == 0 {
					firstID = id
				}
			} else if v.Int() > 0 || v.Kind() == types.KindUint {
				if err := x.eng.BumpAutoIncrement(t.ID, v.Uint()+1); err != nil {
					return nil, x.engineError(st.s, err)
				}
			}
		}
		err := st.insertRow(t, row)
		var de *dupError
		if err != nil && errors.As(err, &de) {
			switch {
			case len(onDup) > 0 || replace:
				var dupRowID uint64
				changed, err := x.resolveDup(st, t, de, row, func(old []types.Value) ([]types.Value, error) {
					if t.AutoIncCol >= 0 {
						dupRowID = old[t.AutoIncCol].Uint()
					}
					if replace {
						return row, nil
					}
					nr := append([]types.Value(nil), old...)
					c := st.evalCtx(nr)
					c.values = row
					for _, a := range onDup {
						v, err := a.e.eval(c)
						if err != nil {
							return nil, err
						}
						col := &t.Columns[a.col]
						if v.IsNull() && col.NotNull {
							return nil, errcode.BadNull.New(col.Name)
						}
						if nr[a.col], err = st.storeValue(col, v, r+1); err != nil {
							return nil, err
						}
					}
					return nr, nil
				})
				if err != nil {
					return nil, err
				}
				if changed {
					if t.AutoIncCol >= 0 && firstID == 0 {
						okID = dupRowID
					}
					affected += 2
					if replace {
						dups++
					}
				}
				continue
			case ignore:
				st.s.warn("Warning", de.err.Code, de.err.Message)
				dups++
				continue
			}
			return nil, de.err
		}
		if err != nil {
			return nil, err
		}
		if okID == 0 && t.AutoIncCol >= 0 {
			okID = row[t.AutoIncCol].Uint()
		}
		affected++
	}
	if firstID != 0 {
		st.s.lastInsertID = firstID
	}
	st.s.rowCount = int64(affected)
	if firstID != 0 {
		okID = firstID
	}
	res := &Result{AffectedRows: affected, LastInsertID: okID}
	if n > 1 || selRows != nil {
		res.Info = fmt.Sprintf("Records: %d  Duplicates: %d  Warnings: %d", n, dups, len(st.s.stmtWarnings))
	}
	return res, nil
}

// resolveDup applies ON DUPLICATE KEY UPDATE (or REPLACE) to the row that
// holds the duplicate key; it reports whether the row changed.
func (x *Executor) resolveDup(st *stmtCtx, t *catalog.Table, de *dupError, row []types.Value, update func(old []types.Value) ([]types.Value, error)) (bool, error) {
	var key []byte
	if de.index == 0 {
		key = pkKey(nil, t, row)
	} else {
		k, err := st.uniqueConflict(t, de.index, row, nil)
		if err != nil {
			return false, err
		}
		key = k
	}
	val, found, err := st.txn.Get(t.ID, 0, key, engine.LockExclusive)
	if err != nil {
		return false, x.engineError(st.s, err)
	}
	if !found {
		return false, de.err
	}
	old, err := catalog.DecodeRow(nil, append([]byte(nil), val...), len(t.Columns))
	if err != nil {
		return false, err
	}
	nr, err := update(old)
	if err != nil {
		return false, err
	}
	if !rowChanged(old, nr) {
		return false, nil
	}
	for i := range t.Columns {
		if t.Columns[i].OnUpdateNow && sameValue(old[i], nr[i]) {
			nr[i] = st.nowFor(&t.Columns[i])
		}
	}
	if err := st.updateRow(t, key, old, nr); err != nil {
		var d2 *dupError
		if errors.As(err, &d2) {
			return false, d2.err
		}
		return false, err
	}
	return true, nil
}

func sameValue(a, b types.Value) bool {
	if a.IsNull() || b.IsNull() {
		return a.IsNull() == b.IsNull()
	}
	if a.Kind() == types.KindBytes && b.Kind() == types.KindBytes {
		return bytes.Equal(a.Bytes(), b.Bytes())
	}
	return compareValues(a, b) == 0 && a.Kind() == b.Kind()
}

func rowChanged(a, b []types.Value) bool {
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return true
		}
	}
	return false
}

// dmlTarget binds the single table of UPDATE/DELETE.
func (x *Executor) dmlTarget(s *Session, tes sqlparser.TableExprs) (*catalog.Table, *source, error) {
	if len(tes) != 1 {
		return nil, nil, errcode.NotSupported.New("multi-table UPDATE/DELETE")
	}
	at, ok := tes[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, nil, errcode.NotSupported.New("multi-table UPDATE/DELETE")
	}
	tn, ok := at.Expr.(sqlparser.TableName)
	if !ok {
		return nil, nil, errcode.NotSupported.New("UPDATE/DELETE of a derived table")
	}
	t, err := x.resolveTable(s, tn)
	if err != nil {
		return nil, nil, err
	}
	alias := at.As.String()
	if alias == "" {
		alias = t.Name
	}
	return t, &source{alias: alias, schema: t.Schema, table: t}, nil
}

type matchedRow struct {
	key  []byte
	row  []types.Value
	sort []types.Value
}

// collectRows reads the rows of t matching where, in ORDER BY order, up to LIMIT.
func (x *Executor) collectRows(st *stmtCtx, t *catalog.Table, sc *scope, where *sqlparser.Where, orderBy sqlparser.OrderBy, limit *sqlparser.Limit) ([]matchedRow, error) {
	var conds []expr
	sc.clause = "where clause"
	if where != nil {
		c, _, err := x.compile(where.Expr, sc)
		if err != nil {
			return nil, err
		}
		conds = conjuncts(c, nil)
	}
	var order []orderItem
	sc.clause = "order clause"
	for _, o := range orderBy {
		e, _, err := x.compile(o.Expr, sc)
		if err != nil {
			return nil, err
		}
		order = append(order, orderItem{e: e, desc: o.Direction == sqlparser.DescScr})
	}
	pl := &selectPlan{}
	if err := x.compileLimit(pl, limit, &scope{params: sc.params}); err != nil {
		return nil, err
	}
	c := st.evalCtx(nil)
	lim, _, err := pl.limits(c)
	if err != nil {
		return nil, err
	}
	rs := &rowSource{st: st, t: t, path: choosePath(t, 0, conds), lock: engine.LockExclusive}
	defer rs.close()
	if err := rs.open(c); err != nil {
		return nil, err
	}
	var out []matchedRow
	for {
		ok, err := rs.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		c.row = rs.row
		pass, err := all(c, conds)
		if err != nil {
			return nil, err
		}
		if !pass {
			continue
		}
		m := matchedRow{key: append([]byte(nil), rs.key...), row: append([]types.Value(nil), rs.row...)}
		for _, o := range order {
			v, err := o.e.eval(c)
			if err != nil {
				return nil, err
			}
			m.sort = append(m.sort, v)
		}
		rs.row = nil // the matched row keeps the decoded values
		out = append(out, m)
		if len(order) == 0 && lim >= 0 && int64(len(out)) >= lim {
			break
		}
	}
	if len(order) > 0 {
		slices.SortStableFunc(out, func(a, b matchedRow) int { return cmpKeys(a.sort, b.sort, order) })
		if lim >= 0 && int64(len(out)) > lim {
			out = out[:lim]
		}
	}
	return out, nil
}

func (x *Executor) runUpdate(st *stmtCtx, up *sqlparser.Update) (*Result, error) {
	if isMultiTable(up.TableExprs) {
		return x.runMultiUpdate(st, up)
	}
	t, src, err := x.dmlTarget(st.s, up.TableExprs)
	if err != nil {
		return nil, err
	}
	params := 0
	sc := &scope{sources: []*source{src}, width: len(t.Columns), params: &params, clause: "field list", session: st.s}
	type assign struct {
		col int
		e   expr
	}
	var assigns []assign
	explicit := make([]bool, len(t.Columns))
	for _, a := range up.Exprs {
		cn := a.Name
		ci, ok := t.Column(cn.Name.String())
		if !ok || (cn.Qualifier.Name.String() != "" && !strings.EqualFold(cn.Qualifier.Name.String(), src.alias)) {
			return nil, errcode.BadField.New(sqlparser.String(cn), "field list")
		}
		var e expr
		if _, isDef := a.Expr.(*sqlparser.Default); !isDef {
			if e, _, err = x.compile(a.Expr, sc); err != nil {
				return nil, err
			}
		}
		assigns = append(assigns, assign{ci, e})
		explicit[ci] = true
	}
	rows, err := x.collectRows(st, t, sc, up.Where, up.OrderBy, up.Limit)
	if err != nil {
		return nil, err
	}
	var changed uint64
	for n, m := range rows {
		nr := append([]types.Value(nil), m.row...)
		c := st.evalCtx(nr)
		for _, a := range assigns {
			col := &t.Columns[a.col]
			var v types.Value
			if a.e == nil {
				if v, err = st.defaultValue(col, n+1, true); err != nil {
					return nil, err
				}
			} else if v, err = a.e.eval(c); err != nil {
				return nil, err
			}
			if v.IsNull() && col.NotNull {
				if !st.x.strict(st.s) {
					st.s.warn("Warning", errcode.BadNull.Code, errcode.BadNull.New(col.Name).Message)
					nr[a.col] = implicitDefault(col)
					continue
				}
				return nil, errcode.BadNull.New(col.Name)
			}
			if v.IsNull() {
				nr[a.col] = v
				continue
			}
			if nr[a.col], err = st.storeValue(col, v, n+1); err != nil {
				return nil, err
			}
		}
		if !rowChanged(m.row, nr) {
			continue
		}
		for i := range t.Columns {
			if t.Columns[i].OnUpdateNow && !explicit[i] {
				nr[i] = st.nowFor(&t.Columns[i])
			}
		}
		if ai := t.AutoIncCol; ai >= 0 && explicit[ai] && !nr[ai].IsNull() && nr[ai].Uint() > 0 {
			if err := x.eng.BumpAutoIncrement(t.ID, nr[ai].Uint()+1); err != nil {
				return nil, x.engineError(st.s, err)
			}
		}
		if err := st.updateRow(t, m.key, m.row, nr); err != nil {
			var de *dupError
			if errors.As(err, &de) {
				return nil, de.err
			}
			if errors.Is(err, errRowGone) {
				continue
			}
			return nil, err
		}
		changed++
	}
	st.s.rowCount = int64(changed)
	return &Result{AffectedRows: changed, Info: fmt.Sprintf("Rows matched: %d  Changed: %d  Warnings: %d", len(rows), changed, len(st.s.stmtWarnings))}, nil
}

func (x *Executor) runDelete(st *stmtCtx, del *sqlparser.Delete) (*Result, error) {
	if len(del.Targets) > 0 || isMultiTable(del.TableExprs) {
		return x.runMultiDelete(st, del)
	}
	t, src, err := x.dmlTarget(st.s, del.TableExprs)
	if err != nil {
		return nil, err
	}
	params := 0
	sc := &scope{sources: []*source{src}, width: len(t.Columns), params: &params, session: st.s}
	rows, err := x.collectRows(st, t, sc, del.Where, del.OrderBy, del.Limit)
	if err != nil {
		return nil, err
	}
	deleted := 0
	for _, m := range rows {
		if err := st.deleteRow(t, m.key, m.row); err != nil {
			if errors.Is(err, errRowGone) {
				continue
			}
			return nil, err
		}
		deleted++
	}
	st.s.rowCount = int64(deleted)
	return &Result{AffectedRows: uint64(deleted)}, nil
}
