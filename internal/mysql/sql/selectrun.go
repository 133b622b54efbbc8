package sql

import (
	"context"
	"slices"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// tableColumn describes a result column that is a table column.
func tableColumn(src *source, c *catalog.Column, name string) Column {
	ti := columnTypeInfo(c)
	pri, uni, mul := false, false, false
	for i := range src.table.Columns {
		if &src.table.Columns[i] == c {
			pri, uni, mul = src.table.ColumnFlagsKey(i)
		}
	}
	if pri {
		ti.flags |= FlagPriKey
	}
	if uni {
		ti.flags |= FlagUniqueKey
	}
	if mul {
		ti.flags |= FlagMultipleKey
	}
	return Column{Schema: src.schema, Table: src.alias, OrgTable: src.table.Name, Name: name, OrgName: c.Name,
		Type: ti.typ, Flags: ti.flags, Length: ti.length, Decimals: ti.decimals, Charset: ti.charset}
}

// preparedStmt is what Prepare keeps: the parsed statement and, for a
// SELECT, its compiled plan.
type preparedStmt struct {
	parsed parse.Parsed
	plan   *selectPlan
}

func countParams(stmt sqlparser.Statement) int {
	n := 0
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if v, ok := node.(*sqlparser.SQLVal); ok && v.Type == sqlparser.ValArg {
			n++
		}
		return true, nil
	}, stmt)
	return n
}

func (x *Executor) prepare(ctx context.Context, s *Session, query string) (*Prepared, error) {
	p, err := parse.Parse(query)
	if err != nil {
		return nil, err
	}
	pp := &preparedStmt{parsed: p}
	out := &Prepared{ParamCount: countParams(p.Stmt), query: query, stmt: pp}
	if sel, ok := p.Stmt.(sqlparser.SelectStatement); ok {
		params := 0
		pl, err := x.compileSelect(s, sel, p, &params, nil)
		if err != nil {
			return nil, err
		}
		pp.plan = pl
		out.Columns = pl.columns
		out.ParamCount = params
	}
	return out, nil
}

func (x *Executor) execute(ctx context.Context, s *Session, p *Prepared, args []types.Value) (*Result, error) {
	if len(args) != p.ParamCount {
		return nil, errcode.WrongArguments.New("mysqld_stmt_execute")
	}
	return x.run(ctx, s, p.stmt.parsed, args, p.stmt)
}

// runSelect runs a SELECT with the prepared plan when it is still valid.
func (x *Executor) runSelect(st *stmtCtx, stmt sqlparser.SelectStatement, p parse.Parsed, pp *preparedStmt, args []types.Value) (*Result, error) {
	st.args = args
	var pl *selectPlan
	if pp != nil && pp.plan != nil && pp.plan.version == x.catalogVersion() {
		pl = pp.plan
	} else {
		params := 0
		var err error
		if pl, err = x.compileSelect(st.s, stmt, p, &params, nil); err != nil {
			return nil, err
		}
		if pp != nil {
			pp.plan = pl
		}
	}
	rows, err := x.execSelect(st, pl)
	if err != nil {
		return nil, err
	}
	st.s.foundRows = uint64(len(rows))
	if pl.calcFoundRows {
		st.s.foundRows = st.foundRows
	}
	st.s.rowCount = -1
	if sel, ok := stmt.(*sqlparser.Select); ok && sel.Into != nil {
		return selectInto(st.s, sel.Into, pl, rows)
	}
	return &Result{Columns: pl.columns, Rows: rows}, nil
}

// selectInto stores a one-row result into user variables (SELECT … INTO @a, @b).
func selectInto(s *Session, into *sqlparser.Into, pl *selectPlan, rows [][]types.Value) (*Result, error) {
	if into.Outfile != "" || into.Dumpfile != "" || len(into.Variables) == 0 {
		return nil, errcode.NotSupported.New("SELECT … INTO OUTFILE/DUMPFILE")
	}
	if len(into.Variables) != len(pl.columns) {
		return nil, errcode.WrongNumberOfColumnsInSelect.New()
	}
	switch len(rows) {
	case 0:
		s.warn("Warning", errcode.NoDataFetched.Code, errcode.NoDataFetched.Format)
		return &Result{}, nil
	case 1:
	default:
		return nil, errcode.TooManyRows.New()
	}
	for i, v := range into.Variables {
		name := strings.ToLower(strings.TrimPrefix(v.String(), "@"))
		s.userVars[name] = cloneValue(rows[0][i])
	}
	return &Result{AffectedRows: 1}, nil
}

type sortRow struct {
	out  []types.Value
	keys []types.Value
}

type groupState struct {
	row    []types.Value
	states []aggState
}

// limits evaluates LIMIT and OFFSET (-1: no limit).
func (pl *selectPlan) limits(c *evalCtx) (limit, offset int64, err error) {
	limit = -1
	if pl.limit != nil {
		v, err := pl.limit.eval(c)
		if err != nil {
			return 0, 0, err
		}
		limit = v.Int()
		if v.Kind() == types.KindUint && v.Uint() > 1<<62 {
			limit = 1 << 62
		}
	}
	if pl.offset != nil {
		v, err := pl.offset.eval(c)
		if err != nil {
			return 0, 0, err
		}
		offset = v.Int()
	}
	return limit, offset, nil
}

// execSelect produces a SELECT's rows.
func (x *Executor) execSelect(st *stmtCtx, pl *selectPlan) ([][]types.Value, error) {
	c := st.evalCtx(nil)
	limit, offset, err := pl.limits(c)
	if err != nil {
		return nil, err
	}
	var rows []sortRow
	if pl.union != nil {
		dist := false
		for i, b := range pl.union {
			r, err := x.execSelect(st, b)
			if err != nil {
				return nil, err
			}
			dist = dist || pl.unionDist[i]
			for _, o := range r {
				rows = append(rows, sortRow{out: o})
			}
		}
		if dist {
			rows = dedupe(rows)
		}
		for i := range rows {
			c.row = rows[i].out
			for _, o := range pl.order {
				v, err := o.e.eval(c)
				if err != nil {
					return nil, err
				}
				rows[i].keys = append(rows[i].keys, v)
			}
		}
	} else {
		rows, err = x.execBlock(st, pl, limit, offset)
		if err != nil {
			return nil, err
		}
	}
	if len(pl.order) > 0 {
		slices.SortStableFunc(rows, func(a, b sortRow) int { return cmpKeys(a.keys, b.keys, pl.order) })
	}
	if pl.calcFoundRows {
		st.foundRows = uint64(len(rows))
	}
	if offset > 0 {
		if offset >= int64(len(rows)) {
			rows = nil
		} else {
			rows = rows[offset:]
		}
	}
	if limit >= 0 && int64(len(rows)) > limit {
		rows = rows[:limit]
	}
	out := make([][]types.Value, len(rows))
	for i := range rows {
		out[i] = rows[i].out
	}
	return out, nil
}

func dedupe(rows []sortRow) []sortRow {
	seen := map[string]bool{}
	out := rows[:0]
	var k []byte
	for _, r := range rows {
		k = k[:0]
		for _, v := range r.out {
			k = groupKey(k, v)
		}
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		out = append(out, r)
	}
	return out
}

func (pl *selectPlan) lockMode(st *stmtCtx) engine.LockMode {
	if pl.lock != engine.LockNone {
		return pl.lock
	}
	if st.lock != engine.LockNone {
		return st.lock
	}
	if st.s.txnOpts.Isolation == engine.Serializable && st.s.inTxn {
		return engine.LockShared // SERIALIZABLE reads are FOR SHARE inside a transaction
	}
	return engine.LockNone
}

// execBlock runs one SELECT block: nested-loop join, filter, group, project.
func (x *Executor) execBlock(st *stmtCtx, pl *selectPlan, limit, offset int64) ([]sortRow, error) {
	if len(pl.sources) == 1 && !pl.grouped && pl.onRow == nil && !pl.leftJoin[0] {
		return x.execSingle(st, pl, limit, offset)
	}
	row := make([]types.Value, pl.width)
	c := st.evalCtx(row)
	lock := pl.lockMode(st)
	srcs := make([]*rowSource, len(pl.sources))
	for i, s := range pl.sources {
		srcs[i] = &rowSource{st: st, t: s.table, path: pl.paths[i], lock: lock, virtual: s.virtual, row: make([]types.Value, 0, len(s.table.Columns)),
			materialize: i > 0 && s.virtual == nil && pl.paths[i].kind == pathAll && maxOuter(pl.paths[i]) < 0}
	}
	defer func() {
		for _, s := range srcs {
			s.close()
		}
	}()
	ordered := len(pl.order) == 0 || (len(pl.paths) > 0 && pl.paths[0].ordered)
	streaming := !pl.grouped && ordered && !pl.distinct && limit >= 0 && !pl.calcFoundRows
	var rows []sortRow
	var groups map[string]*groupState
	var groupOrder []*groupState
	if pl.grouped {
		groups = map[string]*groupState{}
	}
	var gk []byte
	emit := func() (bool, error) {
		if pl.grouped {
			gk = gk[:0]
			for _, g := range pl.groupBy {
				v, err := g.eval(c)
				if err != nil {
					return false, err
				}
				gk = groupKey(gk, v)
			}
			gs, ok := groups[string(gk)]
			if !ok {
				gs = &groupState{row: append([]types.Value(nil), row...), states: make([]aggState, len(pl.aggs))}
				groups[string(gk)] = gs
				groupOrder = append(groupOrder, gs)
			}
			for i, a := range pl.aggs {
				if err := gs.states[i].add(a, c); err != nil {
					return false, err
				}
			}
			return false, nil
		}
		r, err := pl.project(c)
		if err != nil {
			return false, err
		}
		if pl.onRow != nil {
			return false, pl.onRow(srcs, r.out)
		}
		rows = append(rows, r)
		return streaming && int64(len(rows)) >= offset+limit, nil
	}
	var loop func(level int) (bool, error)
	loop = func(level int) (bool, error) {
		if level == len(srcs) {
			return emit()
		}
		rs := srcs[level]
		src := pl.sources[level]
		if err := rs.open(c); err != nil {
			return false, err
		}
		matched := false
		for {
			ok, err := rs.next()
			if err != nil {
				return false, err
			}
			if !ok {
				break
			}
			copy(row[src.offset:], rs.row)
			if pl.leftJoin[level] {
				if pass, err := all(c, pl.onConds[level]); err != nil || !pass {
					if err != nil {
						return false, err
					}
					continue
				}
			}
			matched = true
			pass, err := all(c, pl.levels[level])
			if err != nil {
				return false, err
			}
			if !pass {
				continue
			}
			if stop, err := loop(level + 1); err != nil || stop {
				return stop, err
			}
		}
		if pl.leftJoin[level] && !matched {
			for i := range src.table.Columns {
				row[src.offset+i] = types.Null
			}
			rs.key = nil // no row of this table (multi-table DML must skip it)
			pass, err := all(c, pl.levels[level])
			if err != nil || !pass {
				return false, err
			}
			return loop(level + 1)
		}
		return false, nil
	}
	if len(srcs) == 0 {
		pass, err := all(c, pl.levels[0])
		if err != nil {
			return nil, err
		}
		if pass {
			if _, err := emit(); err != nil {
				return nil, err
			}
		}
	} else if _, err := loop(0); err != nil {
		return nil, err
	}
	if pl.grouped {
		if len(groupOrder) == 0 && len(pl.groupBy) == 0 {
			for i := range row {
				row[i] = types.Null
			}
			groupOrder = append(groupOrder, &groupState{row: row, states: make([]aggState, len(pl.aggs))})
		}
		c.aggs = make([]types.Value, len(pl.aggs))
		for _, g := range groupOrder {
			for i, a := range pl.aggs {
				c.aggs[i] = g.states[i].result(a)
			}
			c.row = g.row
			if pl.having != nil {
				v, err := pl.having.eval(c)
				if err != nil {
					return nil, err
				}
				if t, _ := truth(v); !t {
					continue
				}
			}
			r, err := pl.project(c)
			if err != nil {
				return nil, err
			}
			rows = append(rows, r)
			c.aggs = make([]types.Value, len(pl.aggs))
		}
	}
	if pl.distinct {
		rows = dedupe(rows)
	}
	return rows, nil
}

// project evaluates the select list and the ORDER BY keys of the current row.
func (pl *selectPlan) project(c *evalCtx) (sortRow, error) {
	out := make([]types.Value, len(pl.outputs)+len(pl.order))
	for i, e := range pl.outputs {
		v, err := e.eval(c)
		if err != nil {
			return sortRow{}, err
		}
		out[i] = v
	}
	keys := out[len(pl.outputs):]
	for i, o := range pl.order {
		v, err := o.e.eval(c)
		if err != nil {
			return sortRow{}, err
		}
		keys[i] = v
	}
	return sortRow{out: out[:len(pl.outputs):len(pl.outputs)], keys: keys}, nil
}

func all(c *evalCtx, conds []expr) (bool, error) {
	for _, e := range conds {
		v, err := e.eval(c)
		if err != nil {
			return false, err
		}
		if t, _ := truth(v); !t {
			return false, nil
		}
	}
	return true, nil
}

// cmpKeys orders two rows by their ORDER BY keys (NULLs first, as MySQL sorts them).
func cmpKeys(a, b []types.Value, order []orderItem) int {
	for k, o := range order {
		x, y := a[k], b[k]
		var r int
		switch {
		case x.IsNull() && y.IsNull():
		case x.IsNull():
			r = -1
		case y.IsNull():
			r = 1
		default:
			r = compareValues(x, y)
		}
		if o.desc {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

// execSingle is execBlock for one table without grouping: the point-select
// and range-scan path, kept free of the join machinery's closures.
func (x *Executor) execSingle(st *stmtCtx, pl *selectPlan, limit, offset int64) ([]sortRow, error) {
	src := pl.sources[0]
	rs := rowSource{st: st, t: src.table, path: pl.paths[0], lock: pl.lockMode(st), virtual: src.virtual, row: make([]types.Value, 0, len(src.table.Columns))}
	defer rs.close()
	c := st.evalCtx(nil)
	if err := rs.open(c); err != nil {
		return nil, err
	}
	ordered := len(pl.order) == 0 || pl.paths[0].ordered
	streaming := ordered && !pl.distinct && limit >= 0 && !pl.calcFoundRows
	var rows []sortRow
	for {
		ok, err := rs.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		c.row = rs.row
		pass, err := all(c, pl.levels[0])
		if err != nil {
			return nil, err
		}
		if !pass {
			continue
		}
		r, err := pl.project(c)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
		if streaming && int64(len(rows)) >= offset+limit {
			break
		}
	}
	if pl.distinct {
		rows = dedupe(rows)
	}
	return rows, nil
}
