package sql

import (
	"strconv"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// selectPlan is a compiled SELECT block; prepared statements keep it.
type selectPlan struct {
	sources  []*source
	paths    []*accessPath
	leftJoin []bool
	onConds  [][]expr // per source: ON conditions of a LEFT JOIN
	levels   [][]expr // per source: conditions checked once its row is set
	width    int
	outputs  []expr
	columns  []Column
	aggs     []*aggSpec
	grouped  bool
	groupBy  []expr
	having   expr
	order    []orderItem
	distinct bool
	limit    expr
	offset   expr
	lock     engine.LockMode
	version  uint64
	// calcFoundRows (SQL_CALC_FOUND_ROWS) makes FOUND_ROWS() count the rows before LIMIT
	calcFoundRows bool
	// onRow, when set, receives each joined row instead of the result (multi-table UPDATE/DELETE)
	onRow func(srcs []*rowSource, out []types.Value) error
	// union: the other blocks, and whether duplicates are removed
	union     []*selectPlan
	unionDist []bool
}

type orderItem struct {
	e    expr
	desc bool
}

// compileSelect binds a SELECT statement.
func (x *Executor) compileSelect(s *Session, stmt sqlparser.SelectStatement, p parse.Parsed, params *int, parent *scope) (*selectPlan, error) {
	switch st := stmt.(type) {
	case *sqlparser.ParenSelect:
		return x.compileSelect(s, st.Select, p, params, parent)
	case *sqlparser.SetOp:
		left, err := x.compileSelect(s, st.Left, p, params, parent)
		if err != nil {
			return nil, err
		}
		right, err := x.compileSelect(s, st.Right, p, params, parent)
		if err != nil {
			return nil, err
		}
		if len(left.columns) != len(right.columns) {
			return nil, errcode.WrongNumberOfColumnsInSelect.New()
		}
		top := &selectPlan{columns: left.columns, version: left.version}
		top.union = append([]*selectPlan{left}, right)
		top.unionDist = []bool{false, st.Type != sqlparser.UnionAllStr}
		if right.union != nil && len(right.order) == 0 && right.limit == nil {
			top.union = append([]*selectPlan{left}, right.union...)
			top.unionDist = append([]bool{false}, right.unionDist...)
			top.unionDist[1] = st.Type != sqlparser.UnionAllStr
		}
		if st.Type != sqlparser.UnionStr && st.Type != sqlparser.UnionAllStr && st.Type != sqlparser.UnionDistinctStr {
			return nil, errcode.NotSupported.New(strings.ToUpper(st.Type))
		}
		// ORDER BY / LIMIT of a union name output columns
		sc := &scope{clause: "order clause", params: params, aliases: map[string]int{}}
		for i, c := range top.columns {
			sc.aliases[strings.ToLower(c.Name)] = i
			sc.outputs = append(sc.outputs, &colExpr{idx: i})
		}
		for _, o := range st.OrderBy {
			e, err := x.compileOrder(o.Expr, sc, top.columns)
			if err != nil {
				return nil, err
			}
			top.order = append(top.order, orderItem{e: e, desc: o.Direction == sqlparser.DescScr})
		}
		if err := x.compileLimit(top, st.Limit, sc); err != nil {
			return nil, err
		}
		return top, nil
	case *sqlparser.Select:
		return x.compileSelectBlock(s, st, p, params, parent)
	}
	return nil, errcode.NotSupported.New(sqlparser.String(stmt))
}

func (x *Executor) compileLimit(pl *selectPlan, l *sqlparser.Limit, sc *scope) error {
	if l == nil {
		return nil
	}
	var err error
	if l.Rowcount != nil {
		if pl.limit, _, err = x.compile(l.Rowcount, sc); err != nil {
			return err
		}
	}
	if l.Offset != nil {
		if pl.offset, _, err = x.compile(l.Offset, sc); err != nil {
			return err
		}
	}
	return nil
}

// compileOrder resolves an ORDER BY item: a position, a select-list alias, or an expression.
func (x *Executor) compileOrder(e sqlparser.Expr, sc *scope, cols []Column) (expr, error) {
	if v, ok := e.(*sqlparser.SQLVal); ok && v.Type == sqlparser.IntVal {
		n, _ := strconv.Atoi(string(v.Val))
		if n < 1 || n > len(sc.outputs) {
			return nil, errcode.BadField.New(string(v.Val), "order clause")
		}
		return sc.outputs[n-1], nil
	}
	if cn, ok := e.(*sqlparser.ColName); ok && cn.Qualifier.Name.String() == "" {
		if i, ok := sc.aliases[strings.ToLower(cn.Name.String())]; ok {
			if _, _, err := sc.resolve(cn); err != nil || len(sc.sources) == 0 {
				return sc.outputs[i], nil
			}
		}
	}
	saved := sc.aliases
	sc.aliases = nil
	c, _, err := x.compile(e, sc)
	sc.aliases = saved
	if err == nil {
		if _, col := sc.sourceOf(e); col != nil && col.Type == catalog.TypeEnum {
			c = &enumOrder{e: c, col: col} // ENUMs sort by member position
		}
	}
	return c, err
}

// enumOrder turns an ENUM value into its member position for sorting.
type enumOrder struct {
	e   expr
	col *catalog.Column
}

func (o *enumOrder) eval(c *evalCtx) (types.Value, error) {
	v, err := o.e.eval(c)
	if err != nil || v.IsNull() {
		return v, err
	}
	return types.NewInt(int64(catalog.EnumIndex(o.col, v))), nil
}

func (x *Executor) addSources(s *Session, te sqlparser.TableExpr, sc *scope, pl *selectPlan, on *[]sqlparser.Expr) error {
	switch te := te.(type) {
	case *sqlparser.AliasedTableExpr:
		var virtual func(*stmtCtx) ([][]types.Value, error)
		var t *catalog.Table
		var err error
		tn, ok := te.Expr.(sqlparser.TableName)
		if sq, isSub := te.Expr.(*sqlparser.Subquery); isSub {
			if te.As.String() == "" {
				return errcode.DerivedMustHaveAlias.New()
			}
			if t, virtual, err = x.derivedTable(s, sq, te.As.String(), sc.params); err != nil {
				return err
			}
		} else if !ok {
			return errcode.NotSupported.New(sqlparser.String(te.Expr))
		}
		schema := tn.DbQualifier.String()
		if schema == "" {
			schema = s.DB
		}
		if t != nil {
			// a derived table
		} else if strings.EqualFold(schema, infoSchemaName) {
			var ok bool
			if t, virtual, ok = x.infoSchemaTable(tn.Name.String()); !ok {
				return errcode.UnknownInfoSchemaTable.New(tn.Name.String(), infoSchemaName)
			}
		} else if t, err = x.resolveTable(s, tn); err != nil {
			return err
		}
		alias := te.As.String()
		if alias == "" {
			alias = t.Name
		}
		for _, o := range sc.sources {
			if strings.EqualFold(o.alias, alias) {
				return errcode.NotUniqTable.New(alias)
			}
		}
		src := &source{alias: alias, schema: t.Schema, table: t, offset: sc.width, virtual: virtual}
		sc.sources = append(sc.sources, src)
		sc.width += len(t.Columns)
		pl.leftJoin = append(pl.leftJoin, false)
		pl.onConds = append(pl.onConds, nil)
		return nil
	case *sqlparser.ParenTableExpr:
		for _, e := range te.Exprs {
			if err := x.addSources(s, e, sc, pl, on); err != nil {
				return err
			}
		}
		return nil
	case *sqlparser.JoinTableExpr:
		if err := x.addSources(s, te.LeftExpr, sc, pl, on); err != nil {
			return err
		}
		first := len(sc.sources)
		if err := x.addSources(s, te.RightExpr, sc, pl, on); err != nil {
			return err
		}
		switch te.Join {
		case sqlparser.JoinStr, sqlparser.StraightJoinStr, "inner join", "cross join":
			if te.Condition.On != nil {
				*on = append(*on, te.Condition.On)
			}
		case sqlparser.LeftJoinStr, "left outer join":
			if len(sc.sources)-first != 1 {
				return errcode.NotSupported.New("LEFT JOIN of a join")
			}
			pl.leftJoin[first] = true
			if te.Condition.On != nil {
				c, _, err := x.compile(te.Condition.On, &scope{sources: sc.sources, width: sc.width, clause: "on clause", params: sc.params, parent: sc.parent, session: sc.session})
				if err != nil {
					return err
				}
				pl.onConds[first] = conjuncts(c, nil)
			}
		default:
			return errcode.NotSupported.New(strings.ToUpper(te.Join))
		}
		if len(te.Condition.Using) > 0 {
			return errcode.NotSupported.New("JOIN … USING")
		}
		return nil
	}
	return errcode.NotSupported.New(sqlparser.String(te))
}

func (x *Executor) compileSelectBlock(s *Session, sel *sqlparser.Select, p parse.Parsed, params *int, parent *scope) (*selectPlan, error) {
	pl := &selectPlan{version: x.catalogVersion()}
	var aggs []*aggSpec
	sc := &scope{params: params, parent: parent, session: s}
	var on []sqlparser.Expr
	for _, te := range sel.From {
		if at, ok := te.(*sqlparser.AliasedTableExpr); ok {
			if tn, ok := at.Expr.(sqlparser.TableName); ok && strings.EqualFold(tn.Name.String(), "dual") && tn.DbQualifier.String() == "" {
				continue
			}
		}
		if err := x.addSources(s, te, sc, pl, &on); err != nil {
			return nil, err
		}
	}
	pl.sources, pl.width = sc.sources, sc.width
	// select list
	sc.aggs = &aggs
	sc.clause = "field list"
	for _, se := range sel.SelectExprs {
		switch se := se.(type) {
		case *sqlparser.StarExpr:
			matched := false
			for _, src := range sc.sources {
				q := se.TableName.Name.String()
				if q != "" && !strings.EqualFold(q, src.alias) {
					continue
				}
				matched = true
				for i := range src.table.Columns {
					c := &src.table.Columns[i]
					pl.outputs = append(pl.outputs, &colExpr{idx: src.offset + i, ts: isTimestampCol(src, src.offset+i)})
					pl.columns = append(pl.columns, tableColumn(src, c, c.Name))
				}
			}
			if !matched {
				if se.TableName.Name.String() == "" {
					return nil, errcode.NoTablesUsed.New()
				}
				return nil, errcode.BadTable.New(se.TableName.Name.String())
			}
		case *sqlparser.AliasedExpr:
			e, ti, err := x.compile(se.Expr, sc)
			if err != nil {
				return nil, err
			}
			name := se.As.String()
			var col Column
			if src, c := sc.sourceOf(se.Expr); c != nil {
				if name == "" {
					name = se.Expr.(*sqlparser.ColName).Name.String()
				}
				col = tableColumn(src, c, name)
			} else {
				if name == "" {
					name = exprName(se)
				}
				col = Column{Name: name, Type: ti.typ, Flags: ti.flags, Length: ti.length, Decimals: ti.decimals, Charset: ti.charset}
			}
			pl.outputs = append(pl.outputs, e)
			pl.columns = append(pl.columns, col)
		default:
			return nil, errcode.NotSupported.New(sqlparser.String(se))
		}
	}
	// WHERE and inner-join ON (no aggregates)
	wsc := &scope{sources: sc.sources, width: sc.width, clause: "where clause", params: params, parent: parent, session: s}
	var conds []expr
	for _, o := range on {
		wsc.clause = "on clause"
		c, _, err := x.compile(o, wsc)
		if err != nil {
			return nil, err
		}
		conds = conjuncts(c, conds)
	}
	wsc.clause = "where clause"
	if sel.Where != nil {
		c, _, err := x.compile(sel.Where.Expr, wsc)
		if err != nil {
			return nil, err
		}
		conds = conjuncts(c, conds)
	}
	// assign conditions to levels and choose access paths
	pl.levels = make([][]expr, max(len(pl.sources), 1))
	for _, c := range conds {
		m := maxColumn(c)
		lvl := 0
		for i, src := range pl.sources {
			if m >= src.offset {
				lvl = i
			}
		}
		pl.levels[lvl] = append(pl.levels[lvl], c)
	}
	for i, src := range pl.sources {
		usable := pl.onConds[i]
		if !pl.leftJoin[i] {
			usable = nil
			for lvl := 0; lvl <= i; lvl++ {
				usable = append(usable, pl.levels[lvl]...)
			}
		}
		pl.paths = append(pl.paths, choosePath(src.table, src.offset, usable))
	}
	// GROUP BY, HAVING, ORDER BY, LIMIT
	gsc := &scope{sources: sc.sources, width: sc.width, clause: "group statement", params: params, aggs: &aggs, aliases: map[string]int{}, outputs: pl.outputs, parent: parent, session: s}
	for i, se := range sel.SelectExprs {
		if ae, ok := se.(*sqlparser.AliasedExpr); ok && ae.As.String() != "" && i < len(pl.outputs) {
			gsc.aliases[strings.ToLower(ae.As.String())] = i
		}
	}
	for _, g := range sel.GroupBy {
		gsc.aggs = nil
		e, err := x.compileOrder(g, gsc, pl.columns)
		if err != nil {
			return nil, err
		}
		pl.groupBy = append(pl.groupBy, e)
	}
	gsc.aggs = &aggs
	if sel.Having != nil {
		gsc.clause = "having clause"
		c, _, err := x.compile(sel.Having.Expr, gsc)
		if err != nil {
			return nil, err
		}
		pl.having = c
	}
	gsc.clause = "order clause"
	for _, o := range sel.OrderBy {
		e, err := x.compileOrder(o.Expr, gsc, pl.columns)
		if err != nil {
			return nil, err
		}
		pl.order = append(pl.order, orderItem{e: e, desc: o.Direction == sqlparser.DescScr})
	}
	if err := x.compileLimit(pl, sel.Limit, &scope{params: params, clause: "limit"}); err != nil {
		return nil, err
	}
	pl.aggs = aggs
	pl.grouped = len(aggs) > 0 || len(pl.groupBy) > 0
	if pl.grouped && strings.Contains(x.sqlMode(s), "ONLY_FULL_GROUP_BY") {
		if err := checkFullGroupBy(pl); err != nil {
			return nil, err
		}
	}
	if len(pl.sources) == 1 && !pl.grouped && len(pl.order) > 0 {
		orderByIndex(pl)
	}
	pl.distinct = sel.QueryOpts.Distinct
	pl.calcFoundRows = sel.QueryOpts.SQLCalcFoundRows
	// locking
	if sel.Lock != nil {
		lt := strings.ToLower(sel.Lock.Type)
		switch {
		case strings.Contains(lt, "for update"):
			pl.lock = engine.LockExclusive
		case strings.Contains(lt, "share"):
			pl.lock = engine.LockShared
		}
	}
	if p.ForShare {
		pl.lock = engine.LockShared
	}
	return pl, nil
}

// exprName is the column name MySQL gives an unaliased expression: its text as written.
func exprName(ae *sqlparser.AliasedExpr) string {
	if v, ok := ae.Expr.(*sqlparser.SQLVal); ok && v.Type == sqlparser.StrVal {
		return string(v.Val) // a string literal is named by its value
	}
	if u, ok := ae.Expr.(*sqlparser.UnaryExpr); ok && strings.HasPrefix(u.Operator, "_") {
		if v, ok := u.Expr.(*sqlparser.SQLVal); ok && v.Type == sqlparser.StrVal {
			return string(v.Val) // so is an introduced one
		}
	}
	if ae.InputExpression != "" {
		return ae.InputExpression
	}
	if cn, ok := ae.Expr.(*sqlparser.ColName); ok {
		return cn.Name.String()
	}
	return sqlparser.String(ae.Expr)
}

// orderByIndex lets the scan deliver ORDER BY order when the ORDER BY columns
// continue the access path's index after its equality columns (or are the
// primary key of a full scan), all in one direction; LIMIT then stops early.
func orderByIndex(pl *selectPlan) {
	p := pl.paths[0]
	t := pl.sources[0].table
	ix := &t.Indexes[p.index]
	if ix.Hidden || pl.sources[0].virtual != nil {
		return
	}
	rest := ix.Columns[len(p.eq):]
	if p.kind == pathConst || p.kind == pathEqRef {
		return
	}
	if len(pl.order) > len(rest) {
		return
	}
	desc := pl.order[0].desc
	for i, o := range pl.order {
		c, ok := o.e.(*colExpr)
		if !ok || c.idx != rest[i] || o.desc != desc {
			return
		}
	}
	p.desc, p.ordered = desc, true
}

// checkFullGroupBy rejects select-list columns that are neither grouped nor
// functionally dependent on the grouped columns (ONLY_FULL_GROUP_BY): a
// column is dependent when GROUP BY holds it or its table's whole primary key.
func checkFullGroupBy(pl *selectPlan) error {
	grouped := map[int]bool{}
	for _, g := range pl.groupBy {
		if eo, ok := g.(*enumOrder); ok {
			g = eo.e
		}
		if c, ok := g.(*colExpr); ok {
			grouped[c.idx] = true
		}
	}
	dependent := func(idx int) bool {
		if grouped[idx] {
			return true
		}
		for _, src := range pl.sources {
			if idx < src.offset || idx >= src.offset+len(src.table.Columns) {
				continue
			}
			pk := src.table.PKColumns()
			if len(pk) == 0 {
				return false
			}
			for _, ci := range pk {
				if !grouped[src.offset+ci] {
					return false
				}
			}
			return true
		}
		return false
	}
	for i, out := range pl.outputs {
		if bad := firstColumn(out, dependent); bad >= 0 {
			name := pl.columnName(bad)
			if len(pl.groupBy) == 0 {
				return errcode.MixOfGroupFunc.New(i+1, name)
			}
			return errcode.WrongFieldWithGroup.New(i+1, name)
		}
	}
	return nil
}

// firstColumn returns the first column position e reads outside aggregates
// for which ok is false (-1 if none).
func firstColumn(e expr, ok func(int) bool) int {
	switch e := e.(type) {
	case *colExpr:
		if !ok(e.idx) {
			return e.idx
		}
		return -1
	case *aggRef, *subqueryExpr:
		return -1
	case *enumOrder:
		return firstColumn(e.e, ok)
	}
	for _, c := range children(e) {
		if bad := firstColumn(c, ok); bad >= 0 {
			return bad
		}
	}
	return -1
}

// columnName renders a joined-row position as 'schema.table.column'.
func (pl *selectPlan) columnName(idx int) string {
	for _, src := range pl.sources {
		if idx >= src.offset && idx < src.offset+len(src.table.Columns) {
			return src.schema + "." + src.alias + "." + src.table.Columns[idx-src.offset].Name
		}
	}
	return "?"
}
