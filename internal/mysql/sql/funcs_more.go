package sql

import (
	"strings"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// compileTrim compiles TRIM([BOTH|LEADING|TRAILING] [pattern] FROM str).
func (x *Executor) compileTrim(e *sqlparser.TrimExpr, sc *scope) (expr, typeInfo, error) {
	str, _, err := x.compile(e.Str, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	args := []expr{str}
	if e.Pattern != nil {
		p, _, err := x.compile(e.Pattern, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		args = append(args, p)
	}
	dir := strings.ToLower(e.Dir)
	return &funcExpr{name: "trim", args: args, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		for _, v := range a {
			if v.IsNull() {
				return types.Null, nil
			}
		}
		s, p := a[0].String(), " "
		if len(a) == 2 {
			p = a[1].String()
		}
		if p == "" {
			return types.NewString(s), nil
		}
		if dir != sqlparser.Trailing {
			for strings.HasPrefix(s, p) {
				s = s[len(p):]
			}
		}
		if dir != sqlparser.Leading {
			for strings.HasSuffix(s, p) {
				s = s[:len(s)-len(p)]
			}
		}
		return types.NewString(s), nil
	}}, tiString, nil
}

// compileTimestampFunc compiles TIMESTAMPDIFF(unit, a, b) and TIMESTAMPADD(unit, n, t).
func (x *Executor) compileTimestampFunc(e *sqlparser.TimestampFuncExpr, sc *scope) (expr, typeInfo, error) {
	unit := strings.ToLower(e.Unit)
	name := strings.ToLower(e.Name)
	if name == "timestampadd" {
		t, _, err := x.compile(e.Expr2, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return x.intervalArith(t, &sqlparser.IntervalExpr{Expr: e.Expr1, Unit: unit}, false, sc)
	}
	a, _, err := x.compile(e.Expr1, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	b, _, err := x.compile(e.Expr2, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	return &funcExpr{name: name, args: []expr{a, b}, fn: func(c *evalCtx, v []types.Value) (types.Value, error) {
		if v[0].IsNull() || v[1].IsNull() {
			return types.Null, nil
		}
		ta, ok1 := toTemporal(v[0], types.KindDatetime)
		tb, ok2 := toTemporal(v[1], types.KindDatetime)
		if !ok1 || !ok2 {
			return types.Null, nil
		}
		from, to := ta.Time(time.UTC), tb.Time(time.UTC)
		d := to.Sub(from)
		switch unit {
		case "microsecond":
			return types.NewInt(d.Microseconds()), nil
		case "second":
			return types.NewInt(int64(d / time.Second)), nil
		case "minute":
			return types.NewInt(int64(d / time.Minute)), nil
		case "hour":
			return types.NewInt(int64(d / time.Hour)), nil
		case "day":
			return types.NewInt(int64(d / (24 * time.Hour))), nil
		case "week":
			return types.NewInt(int64(d / (7 * 24 * time.Hour))), nil
		case "month", "quarter", "year":
			m := monthsBetween(from, to)
			switch unit {
			case "quarter":
				m /= 3
			case "year":
				m /= 12
			}
			return types.NewInt(m), nil
		}
		return types.Null, errcode.NotSupported.New("TIMESTAMPDIFF(" + strings.ToUpper(unit) + ")")
	}}, tiInt, nil
}

// monthsBetween counts whole months from a to b (negative when b is earlier).
func monthsBetween(a, b time.Time) int64 {
	if b.Before(a) {
		return -monthsBetween(b, a)
	}
	m := int64(b.Year()-a.Year())*12 + int64(b.Month()-a.Month())
	if m > 0 && b.AddDate(0, -int(m), 0).Before(a) {
		m--
	}
	return m
}

// compileGroupConcat compiles GROUP_CONCAT([DISTINCT] exprs [ORDER BY …] [SEPARATOR s]).
func (x *Executor) compileGroupConcat(e *sqlparser.GroupConcatExpr, sc *scope) (expr, typeInfo, error) {
	if sc.aggs == nil {
		return nil, typeInfo{}, errcode.InvalidGroupFunc.New()
	}
	inner := sc.aggs
	sc.aggs = nil
	defer func() { sc.aggs = inner }()
	args, _, err := x.compileArgs(e.Exprs, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	spec := &aggSpec{name: "group_concat", distinct: e.Distinct != "", args: args, sep: ","}
	if !e.Separator.DefaultSeparator {
		spec.sep = e.Separator.SeparatorString
	}
	for _, o := range e.OrderBy {
		oe, err := x.compileOrder(o.Expr, sc, nil)
		if err != nil {
			return nil, typeInfo{}, err
		}
		spec.order = append(spec.order, orderItem{e: oe, desc: o.Direction == sqlparser.DescScr})
	}
	*inner = append(*inner, spec)
	return &aggRef{idx: len(*inner) - 1}, tiString, nil
}
