package sql

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// evalCtx is what an expression reads while it is evaluated.
type evalCtx struct {
	row  []types.Value
	args []types.Value
	aggs []types.Value
	s    *Session
	x    *Executor
	st   *stmtCtx
	// outer is the enclosing query's current row (correlated subqueries)
	outer []types.Value
	// values is the row an INSERT … ON DUPLICATE KEY UPDATE would have inserted (VALUES(col)).
	values []types.Value
}

// expr is a compiled expression.
type expr interface {
	eval(c *evalCtx) (types.Value, error)
}

// typeInfo is what a result column of an expression reports.
type typeInfo struct {
	typ      byte
	flags    uint16
	length   uint32
	decimals uint8
	charset  uint16
}

var (
	tiInt     = typeInfo{typ: TypeLonglong, length: 21, charset: CharsetBinary, flags: FlagBinary | FlagNum}
	tiDouble  = typeInfo{typ: TypeDouble, length: 23, decimals: 31, charset: CharsetBinary, flags: FlagBinary | FlagNum}
	tiDecimal = typeInfo{typ: TypeNewDecimal, length: 66, decimals: 30, charset: CharsetBinary, flags: FlagBinary | FlagNum}
	tiString  = typeInfo{typ: TypeVarString, length: 1024, charset: CharsetUTF8MB4}
	tiDate    = typeInfo{typ: TypeDate, length: 10, charset: CharsetBinary, flags: FlagBinary}
	tiDT      = typeInfo{typ: TypeDatetime, length: 19, charset: CharsetBinary, flags: FlagBinary}
	tiNull    = typeInfo{typ: TypeNull, charset: CharsetBinary, flags: FlagBinary}
)

type constExpr struct{ v types.Value }

func (e *constExpr) eval(*evalCtx) (types.Value, error) { return e.v, nil }

type colExpr struct {
	idx int
	ts  bool // a TIMESTAMP column: stored in UTC, read in the session's time zone
}

func (e *colExpr) eval(c *evalCtx) (types.Value, error) {
	if e.ts {
		return c.x.fromUTC(c.s, c.row[e.idx]), nil
	}
	return c.row[e.idx], nil
}

type paramExpr struct{ idx int }

func (e *paramExpr) eval(c *evalCtx) (types.Value, error) {
	if e.idx >= len(c.args) {
		return types.Null, errcode.WrongArguments.New("mysqld_stmt_execute")
	}
	return c.args[e.idx], nil
}

type aggRef struct{ idx int }

func (e *aggRef) eval(c *evalCtx) (types.Value, error) { return c.aggs[e.idx], nil }

type valuesExpr struct {
	idx int
	ts  bool
}

func (e *valuesExpr) eval(c *evalCtx) (types.Value, error) {
	if c.values == nil {
		return types.Null, nil
	}
	if e.ts {
		return c.x.fromUTC(c.s, c.values[e.idx]), nil
	}
	return c.values[e.idx], nil
}

type userVarExpr struct{ name string }

func (e *userVarExpr) eval(c *evalCtx) (types.Value, error) {
	return c.s.userVars[e.name], nil
}

type sysVarExpr struct {
	name   string
	global bool
}

func (e *sysVarExpr) eval(c *evalCtx) (types.Value, error) {
	return c.x.sysVar(c.s, e.name, e.global)
}

type funcExpr struct {
	name string
	args []expr
	fn   func(c *evalCtx, args []types.Value) (types.Value, error)
	// lazy functions get unevaluated arguments (IF, IFNULL, COALESCE, CASE…)
	lazy func(c *evalCtx, args []expr) (types.Value, error)
}

func (e *funcExpr) eval(c *evalCtx) (types.Value, error) {
	if e.lazy != nil {
		return e.lazy(c, e.args)
	}
	var buf [4]types.Value
	vals := buf[:0]
	for _, a := range e.args {
		v, err := a.eval(c)
		if err != nil {
			return types.Null, err
		}
		vals = append(vals, v)
	}
	return e.fn(c, vals)
}

type andExpr struct{ l, r expr }

func (e *andExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return l, err
	}
	lt, lok := truth(l)
	if lok && !lt {
		return boolValue(false), nil
	}
	r, err := e.r.eval(c)
	if err != nil {
		return r, err
	}
	rt, rok := truth(r)
	if rok && !rt {
		return boolValue(false), nil
	}
	if !lok || !rok {
		return types.Null, nil
	}
	return boolValue(true), nil
}

type orExpr struct{ l, r expr }

func (e *orExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return l, err
	}
	lt, lok := truth(l)
	if lok && lt {
		return boolValue(true), nil
	}
	r, err := e.r.eval(c)
	if err != nil {
		return r, err
	}
	rt, rok := truth(r)
	if rok && rt {
		return boolValue(true), nil
	}
	if !lok || !rok {
		return types.Null, nil
	}
	return boolValue(false), nil
}

type notExpr struct{ e expr }

func (e *notExpr) eval(c *evalCtx) (types.Value, error) {
	v, err := e.e.eval(c)
	if err != nil {
		return v, err
	}
	t, ok := truth(v)
	if !ok {
		return types.Null, nil
	}
	return boolValue(!t), nil
}

type cmpExpr struct {
	op   string
	l, r expr
}

func (e *cmpExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return l, err
	}
	r, err := e.r.eval(c)
	if err != nil {
		return r, err
	}
	if e.op == "<=>" {
		if l.IsNull() || r.IsNull() {
			return boolValue(l.IsNull() && r.IsNull()), nil
		}
		return boolValue(compareValues(l, r) == 0), nil
	}
	if l.IsNull() || r.IsNull() {
		return types.Null, nil
	}
	k := compareValues(l, r)
	var b bool
	switch e.op {
	case "=":
		b = k == 0
	case "!=", "<>":
		b = k != 0
	case "<":
		b = k < 0
	case "<=":
		b = k <= 0
	case ">":
		b = k > 0
	case ">=":
		b = k >= 0
	}
	return boolValue(b), nil
}

type inExpr struct {
	l    expr
	list []expr
	not  bool
}

func (e *inExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil || l.IsNull() {
		return types.Null, err
	}
	sawNull := false
	for _, x := range e.list {
		v, err := x.eval(c)
		if err != nil {
			return v, err
		}
		if v.IsNull() {
			sawNull = true
			continue
		}
		if compareValues(l, v) == 0 {
			return boolValue(!e.not), nil
		}
	}
	if sawNull {
		return types.Null, nil
	}
	return boolValue(e.not), nil
}

type betweenExpr struct {
	e, lo, hi expr
	not       bool
}

func (e *betweenExpr) eval(c *evalCtx) (types.Value, error) {
	v, err := e.e.eval(c)
	if err != nil {
		return v, err
	}
	lo, err := e.lo.eval(c)
	if err != nil {
		return lo, err
	}
	hi, err := e.hi.eval(c)
	if err != nil {
		return hi, err
	}
	if v.IsNull() || lo.IsNull() || hi.IsNull() {
		return types.Null, nil
	}
	in := compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0
	return boolValue(in != e.not), nil
}

type isExpr struct {
	e  expr
	op string
}

func (e *isExpr) eval(c *evalCtx) (types.Value, error) {
	v, err := e.e.eval(c)
	if err != nil {
		return v, err
	}
	t, ok := truth(v)
	switch e.op {
	case sqlparser.IsNullStr:
		return boolValue(v.IsNull()), nil
	case sqlparser.IsNotNullStr:
		return boolValue(!v.IsNull()), nil
	case sqlparser.IsTrueStr:
		return boolValue(ok && t), nil
	case sqlparser.IsNotTrueStr:
		return boolValue(!(ok && t)), nil
	case sqlparser.IsFalseStr:
		return boolValue(ok && !t), nil
	case sqlparser.IsNotFalseStr:
		return boolValue(!(ok && !t)), nil
	}
	return types.Null, nil
}

type likeExpr struct {
	l, pat expr
	not    bool
	escape byte
}

func (e *likeExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return l, err
	}
	p, err := e.pat.eval(c)
	if err != nil {
		return p, err
	}
	if l.IsNull() || p.IsNull() {
		return types.Null, nil
	}
	var a, b [64]byte
	m := likeMatch(catalog.FoldString(a[:0], l.Bytes()), catalog.FoldString(b[:0], p.Bytes()), e.escape)
	return boolValue(m != e.not), nil
}

// likeMatch matches s against a LIKE pattern (% and _, with an escape byte).
func likeMatch(s, p []byte, esc byte) bool {
	for len(p) > 0 {
		c := p[0]
		switch {
		case c == esc && len(p) > 1:
			if len(s) == 0 || s[0] != p[1] {
				return false
			}
			s, p = s[1:], p[2:]
		case c == '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if likeMatch(s[i:], p, esc) {
					return true
				}
			}
			return false
		case c == '_':
			if len(s) == 0 {
				return false
			}
			_, n := decodeRuneLen(s)
			s, p = s[n:], p[1:]
		default:
			if len(s) == 0 || s[0] != c {
				return false
			}
			s, p = s[1:], p[1:]
		}
	}
	return len(s) == 0
}

func decodeRuneLen(s []byte) (rune, int) {
	c := s[0]
	switch {
	case c < 0x80:
		return rune(c), 1
	case c < 0xe0 && len(s) >= 2:
		return 0, 2
	case c < 0xf0 && len(s) >= 3:
		return 0, 3
	case len(s) >= 4:
		return 0, 4
	}
	return 0, 1
}

type arithExpr struct {
	op   string
	l, r expr
	text string // for ER_DATA_OUT_OF_RANGE
}

func (e *arithExpr) eval(c *evalCtx) (types.Value, error) {
	l, err := e.l.eval(c)
	if err != nil {
		return l, err
	}
	r, err := e.r.eval(c)
	if err != nil {
		return r, err
	}
	v, err := arith(c, e.op, l, r)
	var ee *errcode.Error
	if err != nil && errors.As(err, &ee) && ee.Code == errcode.OutOfRangeExpr.Code && e.text != "" {
		typ := "BIGINT"
		if strings.Contains(ee.Message, "UNSIGNED") {
			typ = "BIGINT UNSIGNED"
		}
		return v, errcode.OutOfRangeExpr.New(typ, e.text)
	}
	return v, err
}

// arith applies + - * / DIV % with MySQL's result types.
func arith(c *evalCtx, op string, l, r types.Value) (types.Value, error) {
	if l.IsNull() || r.IsNull() {
		return types.Null, nil
	}
	if isTemporal(l.Kind()) {
		l = numberOfTemporal(l)
	}
	if isTemporal(r.Kind()) {
		r = numberOfTemporal(r)
	}
	lk, rk := numKind(l), numKind(r)
	switch {
	case lk == types.KindFloat || rk == types.KindFloat:
		x, y := l.Float(), r.Float()
		var z float64
		switch op {
		case "+":
			z = x + y
		case "-":
			z = x - y
		case "*":
			z = x * y
		case "/":
			if y == 0 {
				return divZero(c)
			}
			z = x / y
		case "div":
			if y == 0 {
				return divZero(c)
			}
			return types.NewInt(int64(x / y)), nil
		case "%":
			if y == 0 {
				return divZero(c)
			}
			z = math.Mod(x, y)
		}
		return types.NewFloat(z), nil
	case lk == types.KindDecimal || rk == types.KindDecimal || op == "/":
		x, y := l.Decimal(), r.Decimal()
		switch op {
		case "+":
			return types.NewDecimal(x.Add(y)), nil
		case "-":
			return types.NewDecimal(x.Sub(y)), nil
		case "*":
			return types.NewDecimal(x.Mul(y)), nil
		case "/":
			z, ok := x.Div(y, 4)
			if !ok {
				return divZero(c)
			}
			return types.NewDecimal(z), nil
		case "div":
			if y.Sign() == 0 {
				return divZero(c)
			}
			z, _ := x.Div(y, 0)
			return types.NewInt(z.Sub(z).Add(truncDecimal(x, y)).Int64()), nil
		case "%":
			if y.Sign() == 0 {
				return divZero(c)
			}
			return types.NewFloat(math.Mod(x.Float64(), y.Float64())), nil
		}
	}
	// integers
	unsigned := lk == types.KindUint || rk == types.KindUint
	if unsigned {
		x, y := l.Uint(), r.Uint()
		switch op {
		case "+":
			z := x + y
			if z < x {
				return types.Null, errcode.OutOfRangeExpr.New("BIGINT UNSIGNED", "("+l.String()+" + "+r.String()+")")
			}
			return types.NewUint(z), nil
		case "-":
			if (lk == types.KindInt && l.Int() < 0) || y > x {
				if lk == types.KindInt || rk == types.KindInt {
					si, sj := l.Int(), r.Int()
					if lk == types.KindUint || rk == types.KindUint {
						return types.Null, errcode.OutOfRangeExpr.New("BIGINT UNSIGNED", "("+l.String()+" - "+r.String()+")")
					}
					return types.NewInt(si - sj), nil
				}
				return types.Null, errcode.OutOfRangeExpr.New("BIGINT UNSIGNED", "("+l.String()+" - "+r.String()+")")
			}
			return types.NewUint(x - y), nil
		case "*":
			return types.NewUint(x * y), nil
		case "div":
			if y == 0 {
				return divZero(c)
			}
			return types.NewUint(x / y), nil
		case "%":
			if y == 0 {
				return divZero(c)
			}
			return types.NewUint(x % y), nil
		}
	}
	x, y := l.Int(), r.Int()
	switch op {
	case "+":
		z := x + y
		if (z > x) != (y > 0) {
			return types.Null, errcode.OutOfRangeExpr.New("BIGINT", "("+l.String()+" + "+r.String()+")")
		}
		return types.NewInt(z), nil
	case "-":
		z := x - y
		if (z < x) != (y > 0) {
			return types.Null, errcode.OutOfRangeExpr.New("BIGINT", "("+l.String()+" - "+r.String()+")")
		}
		return types.NewInt(z), nil
	case "*":
		z := x * y
		if x != 0 && (z/x != y || (x == -1 && y == math.MinInt64)) {
			return types.Null, errcode.OutOfRangeExpr.New("BIGINT", "("+l.String()+" * "+r.String()+")")
		}
		return types.NewInt(z), nil
	case "div":
		if y == 0 {
			return divZero(c)
		}
		return types.NewInt(x / y), nil
	case "%":
		if y == 0 {
			return divZero(c)
		}
		return types.NewInt(x % y), nil
	}
	return types.Null, nil
}

func truncDecimal(x, y types.Decimal) types.Decimal {
	z, _ := x.Div(y, 6)
	f := z.Float64()
	return types.DecimalFromInt(int64(f))
}

func divZero(c *evalCtx) (types.Value, error) {
	if c.st != nil && c.st.write && c.x.strict(c.s) && strings.Contains(c.x.sqlMode(c.s), "ERROR_FOR_DIVISION_BY_ZERO") {
		return types.Null, errcode.DivisionByZero.New()
	}
	c.s.warn("Warning", errcode.DivisionByZero.Code, errcode.DivisionByZero.Format)
	return types.Null, nil
}

func numberOfTemporal(v types.Value) types.Value {
	if v.Frac() > 0 {
		d, _ := types.ParseDecimal(strconv.FormatFloat(v.Float(), 'f', int(v.Frac()), 64))
		return types.NewDecimal(d)
	}
	return types.NewInt(v.Int())
}

// numKind is the numeric class of a value in arithmetic (strings are doubles).
func numKind(v types.Value) types.Kind {
	switch v.Kind() {
	case types.KindInt, types.KindUint, types.KindDecimal, types.KindFloat:
		return v.Kind()
	}
	return types.KindFloat
}

type negExpr struct{ e expr }

func (e *negExpr) eval(c *evalCtx) (types.Value, error) {
	v, err := e.e.eval(c)
	if err != nil || v.IsNull() {
		return v, err
	}
	switch v.Kind() {
	case types.KindInt:
		if v.Int() == math.MinInt64 {
			return types.Null, errcode.OutOfRangeExpr.New("BIGINT", "-("+v.String()+")")
		}
		return types.NewInt(-v.Int()), nil
	case types.KindUint:
		if v.Uint() > 1<<63 {
			return types.NewDecimal(types.DecimalFromInt(0).Sub(v.Decimal())), nil
		}
		return types.NewInt(-int64(v.Uint())), nil
	case types.KindDecimal:
		return types.NewDecimal(types.DecimalFromInt(0).Sub(v.Decimal())), nil
	}
	return types.NewFloat(-v.Float()), nil
}

type caseExpr struct {
	base  expr
	whens [][2]expr
	els   expr
}

func (e *caseExpr) eval(c *evalCtx) (types.Value, error) {
	var base types.Value
	if e.base != nil {
		var err error
		if base, err = e.base.eval(c); err != nil {
			return base, err
		}
	}
	for _, w := range e.whens {
		v, err := w[0].eval(c)
		if err != nil {
			return v, err
		}
		hit := false
		if e.base != nil {
			hit = !base.IsNull() && !v.IsNull() && compareValues(base, v) == 0
		} else {
			hit, _ = truth(v)
		}
		if hit {
			return w[1].eval(c)
		}
	}
	if e.els != nil {
		return e.els.eval(c)
	}
	return types.Null, nil
}

// sqlValue converts a literal of the parser.
func sqlValue(v *sqlparser.SQLVal) (types.Value, error) {
	switch v.Type {
	case sqlparser.StrVal:
		return types.NewBytes(v.Val), nil
	case sqlparser.IntVal:
		s := string(v.Val)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return types.NewInt(n), nil
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return types.NewUint(n), nil
		}
		d, err := types.ParseDecimal(s)
		if err != nil {
			return types.Null, errcode.ParseError.New(s, 1)
		}
		return types.NewDecimal(d), nil
	case sqlparser.FloatVal:
		s := string(v.Val)
		if strings.ContainsAny(s, "eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return types.Null, errcode.ParseError.New(s, 1)
			}
			return types.NewFloat(f), nil
		}
		d, err := types.ParseDecimal(s)
		if err != nil {
			return types.Null, errcode.ParseError.New(s, 1)
		}
		return types.NewDecimal(d), nil
	case sqlparser.HexNum:
		s := string(v.Val)[2:]
		return types.NewBytes(hexDecode(s)), nil
	case sqlparser.HexVal:
		return types.NewBytes(hexDecode(string(v.Val))), nil
	case sqlparser.BitVal:
		n, _ := strconv.ParseUint(string(v.Val), 2, 64)
		return types.NewUint(n), nil
	}
	return types.NewBytes(v.Val), nil
}

func hexDecode(s string) []byte {
	if len(s)%2 == 1 {
		s = "0" + s
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		n, _ := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		out[i] = byte(n)
	}
	return out
}

// clock is the statement's NOW().
func (c *evalCtx) clock() time.Time {
	if c.st != nil {
		return c.st.clock()
	}
	return time.Now()
}
