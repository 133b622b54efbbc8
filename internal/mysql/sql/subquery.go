package sql

import (
	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// subMode is how an expression uses a subquery's rows.
type subMode uint8

const (
	subScalar subMode = iota // (SELECT x …): one value or NULL
	subExists                // EXISTS (SELECT …)
	subIn                    // e IN (SELECT x …)
)

// subqueryExpr runs a nested SELECT; a correlated one reruns for every outer
// row (reading it through outerColExpr), an uncorrelated one runs once per statement.
type subqueryExpr struct {
	plan       *selectPlan
	mode       subMode
	in         expr // the left operand of IN
	correlated bool
}

// outerColExpr reads a column of the enclosing query's current row.
type outerColExpr struct {
	idx int
	ts  bool
}

func (e *outerColExpr) eval(c *evalCtx) (types.Value, error) {
	if e.ts {
		return c.x.fromUTC(c.s, c.outer[e.idx]), nil
	}
	return c.outer[e.idx], nil
}

func (x *Executor) compileSubquery(sq *sqlparser.Subquery, sc *scope, mode subMode, in expr) (expr, typeInfo, error) {
	correlated := false
	parent := *sc
	parent.correlated = &correlated
	inner := &parent
	pl, err := x.compileSelectCorrelated(sq.Select, inner)
	if err != nil {
		return nil, typeInfo{}, err
	}
	if mode != subExists && len(pl.columns) != 1 {
		return nil, typeInfo{}, errcode.OperandColumns.New(1)
	}
	ti := tiInt
	if mode == subScalar {
		c := pl.columns[0]
		ti = typeInfo{typ: c.Type, flags: c.Flags &^ FlagNotNull, length: c.Length, decimals: c.Decimals, charset: c.Charset}
	}
	return &subqueryExpr{plan: pl, mode: mode, in: in, correlated: correlated}, ti, nil
}

// compileSelectCorrelated compiles a subquery whose unresolved columns bind to parent.
func (x *Executor) compileSelectCorrelated(stmt sqlparser.SelectStatement, parent *scope) (*selectPlan, error) {
	s := parent.session
	if s == nil {
		return nil, errcode.NotSupported.New("a subquery here")
	}
	return x.compileSelect(s, stmt, parse.Parsed{}, parent.params, parent)
}

func (e *subqueryExpr) rows(c *evalCtx) ([][]types.Value, error) {
	st := c.st
	if st == nil {
		return nil, errcode.NotSupported.New("a subquery here")
	}
	if !e.correlated {
		if r, ok := st.subCache[e]; ok {
			return r, nil
		}
	}
	saved := st.outer
	st.outer = c.row
	rows, err := st.x.execSelect(st, e.plan)
	st.outer = saved
	if err != nil {
		return nil, err
	}
	if !e.correlated {
		if st.subCache == nil {
			st.subCache = map[*subqueryExpr][][]types.Value{}
		}
		st.subCache[e] = rows
	}
	return rows, nil
}

func (e *subqueryExpr) eval(c *evalCtx) (types.Value, error) {
	var left types.Value
	if e.mode == subIn {
		var err error
		if left, err = e.in.eval(c); err != nil {
			return left, err
		}
	}
	rows, err := e.rows(c)
	if err != nil {
		return types.Null, err
	}
	switch e.mode {
	case subExists:
		return boolValue(len(rows) > 0), nil
	case subScalar:
		switch len(rows) {
		case 0:
			return types.Null, nil
		case 1:
			return rows[0][0], nil
		}
		return types.Null, errcode.SubqueryRows.New()
	}
	if left.IsNull() {
		if len(rows) == 0 {
			return boolValue(false), nil
		}
		return types.Null, nil
	}
	sawNull := false
	for _, r := range rows {
		if r[0].IsNull() {
			sawNull = true
			continue
		}
		if compareValues(left, r[0]) == 0 {
			return boolValue(true), nil
		}
	}
	if sawNull {
		return types.Null, nil
	}
	return boolValue(false), nil
}
