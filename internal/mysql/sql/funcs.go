package sql

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// aggSpec is one aggregate call of a query block.
type aggSpec struct {
	name     string // count, sum, min, max, avg, group_concat
	arg      expr   // nil for COUNT(*)
	distinct bool
	ti       typeInfo
	// GROUP_CONCAT
	args  []expr
	sep   string
	order []orderItem
}

// aggState accumulates one aggregate over a group.
type aggState struct {
	count int64
	sum   types.Decimal
	fsum  float64
	float bool
	best  types.Value
	seen  map[string]bool
	parts []sortRow // GROUP_CONCAT pieces and their ORDER BY keys
}

func (a *aggState) add(spec *aggSpec, c *evalCtx) error {
	if spec.name == "group_concat" {
		var piece []byte
		for _, e := range spec.args {
			v, err := e.eval(c)
			if err != nil || v.IsNull() {
				return err // a NULL argument skips the row
			}
			piece = v.AppendText(piece)
		}
		if spec.distinct {
			if a.seen == nil {
				a.seen = map[string]bool{}
			}
			k := string(groupKey(nil, types.NewBytes(piece)))
			if a.seen[k] {
				return nil
			}
			a.seen[k] = true
		}
		r := sortRow{out: []types.Value{types.NewBytes(piece)}}
		for _, o := range spec.order {
			v, err := o.e.eval(c)
			if err != nil {
				return err
			}
			r.keys = append(r.keys, cloneValue(v))
		}
		a.parts = append(a.parts, r)
		a.count++
		return nil
	}
	if spec.arg == nil {
		a.count++
		return nil
	}
	v, err := spec.arg.eval(c)
	if err != nil || v.IsNull() {
		return err
	}
	if spec.distinct {
		if a.seen == nil {
			a.seen = map[string]bool{}
		}
		k := string(groupKey(nil, v))
		if a.seen[k] {
			return nil
		}
		a.seen[k] = true
	}
	a.count++
	switch spec.name {
	case "sum", "avg":
		if v.Kind() == types.KindFloat || v.Kind() == types.KindBytes {
			a.float = true
		}
		a.fsum += v.Float()
		if !a.float {
			a.sum = a.sum.Add(v.Decimal())
		}
	case "min":
		if a.count == 1 || compareValues(v, a.best) < 0 {
			a.best = cloneValue(v)
		}
	case "max":
		if a.count == 1 || compareValues(v, a.best) > 0 {
			a.best = cloneValue(v)
		}
	}
	return nil
}

func (a *aggState) result(spec *aggSpec) types.Value {
	switch spec.name {
	case "group_concat":
		if a.count == 0 {
			return types.Null
		}
		if len(spec.order) > 0 {
			slices.SortStableFunc(a.parts, func(x, y sortRow) int { return cmpKeys(x.keys, y.keys, spec.order) })
		}
		var out []byte
		for i, p := range a.parts {
			if i > 0 {
				out = append(out, spec.sep...)
			}
			out = append(out, p.out[0].Bytes()...)
		}
		if len(out) > 1024 { // group_concat_max_len
			out = out[:1024]
		}
		return types.NewBytes(out)
	case "count":
		return types.NewInt(a.count)
	case "sum":
		if a.count == 0 {
			return types.Null
		}
		if a.float {
			return types.NewFloat(a.fsum)
		}
		return types.NewDecimal(a.sum)
	case "avg":
		if a.count == 0 {
			return types.Null
		}
		if a.float {
			return types.NewFloat(a.fsum / float64(a.count))
		}
		d, _ := a.sum.Div(types.DecimalFromInt(a.count), 4)
		return types.NewDecimal(d)
	}
	if a.count == 0 {
		return types.Null
	}
	return a.best
}

func cloneValue(v types.Value) types.Value {
	if v.Kind() == types.KindBytes {
		return types.NewBytes(append([]byte(nil), v.Bytes()...))
	}
	return v
}

func (x *Executor) compileArgs(exprs sqlparser.SelectExprs, sc *scope) ([]expr, []typeInfo, error) {
	var out []expr
	var tis []typeInfo
	for _, se := range exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return nil, nil, errcode.ParseError.New(sqlparser.String(se), 1)
		}
		e, ti, err := x.compile(ae.Expr, sc)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, e)
		tis = append(tis, ti)
	}
	return out, tis, nil
}

func (x *Executor) compileFunc(f *sqlparser.FuncExpr, sc *scope) (expr, typeInfo, error) {
	name := f.Name.Lowered()
	switch name {
	case "count", "sum", "min", "max", "avg":
		if sc.aggs == nil {
			return nil, typeInfo{}, errcode.InvalidGroupFunc.New()
		}
		spec := &aggSpec{name: name, distinct: f.Distinct}
		if len(f.Exprs) != 1 {
			return nil, typeInfo{}, errcode.ParseError.New(sqlparser.String(f), 1)
		}
		if _, star := f.Exprs[0].(*sqlparser.StarExpr); star {
			if name != "count" {
				return nil, typeInfo{}, errcode.ParseError.New("*)", 1)
			}
		} else {
			inner := sc.aggs
			sc.aggs = nil // no nested aggregates
			args, tis, err := x.compileArgs(f.Exprs, sc)
			sc.aggs = inner
			if err != nil {
				return nil, typeInfo{}, err
			}
			spec.arg = args[0]
			spec.ti = tis[0]
		}
		ti := tiInt
		switch name {
		case "sum", "avg":
			ti = tiDecimal
			if spec.ti.typ == TypeDouble || spec.ti.typ == TypeFloat || spec.ti.charset == CharsetUTF8MB4 {
				ti = tiDouble
			} else if name == "avg" {
				ti.decimals = spec.ti.decimals + 4
			} else {
				ti.decimals = spec.ti.decimals
			}
		case "min", "max":
			ti = spec.ti
			ti.flags &^= FlagNotNull
		}
		if name == "count" {
			ti.flags |= FlagNotNull
		}
		*sc.aggs = append(*sc.aggs, spec)
		return &aggRef{idx: len(*sc.aggs) - 1}, ti, nil
	}
	switch name {
	case "date_add", "date_sub", "adddate", "subdate":
		if len(f.Exprs) != 2 {
			return nil, typeInfo{}, errcode.WrongParamCount.New(strings.ToUpper(name))
		}
		base, _, err := x.compileArgs(f.Exprs[:1], sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		ae, _ := f.Exprs[1].(*sqlparser.AliasedExpr)
		if ae == nil {
			return nil, typeInfo{}, errcode.ParseError.New(sqlparser.String(f), 1)
		}
		iv, ok := ae.Expr.(*sqlparser.IntervalExpr)
		if !ok {
			iv = &sqlparser.IntervalExpr{Expr: ae.Expr, Unit: "day"}
		}
		return x.intervalArith(base[0], iv, name == "date_sub" || name == "subdate", sc)
	}
	args, tis, err := x.compileArgs(f.Exprs, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	fe := &funcExpr{name: name, args: args}
	nargs := func(lo, hi int) error {
		if len(args) < lo || (hi >= 0 && len(args) > hi) {
			return errcode.WrongParamCount.New(strings.ToUpper(name))
		}
		return nil
	}
	ti := tiString
	switch name {
	case "now", "current_timestamp", "localtime", "localtimestamp", "sysdate":
		if err := nargs(0, 1); err != nil {
			return nil, ti, err
		}
		fsp := uint8(0)
		if len(f.Exprs) == 1 {
			if ae, ok := f.Exprs[0].(*sqlparser.AliasedExpr); ok {
				if v, ok := ae.Expr.(*sqlparser.SQLVal); ok {
					n, _ := strconv.Atoi(string(v.Val))
					fsp = uint8(n)
				}
			}
		}
		fe.args = nil
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) {
			t := c.clock()
			if name == "sysdate" {
				t = time.Now()
			}
			return types.NewTimeValue(t.In(c.x.location(c.s)), fsp), nil
		}
		ti = tiDT
		ti.decimals = fsp
	case "curdate", "current_date":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) {
			t := c.clock().In(c.x.location(c.s))
			return types.NewDate(t.Year(), int(t.Month()), t.Day()), nil
		}
		ti = tiDate
	case "unix_timestamp":
		if err := nargs(0, 1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if len(a) == 0 {
				return types.NewInt(c.clock().Unix()), nil
			}
			v, ok := toTemporal(a[0], types.KindDatetime)
			if !ok {
				return types.Null, nil
			}
			return types.NewInt(v.Time(c.x.location(c.s)).Unix()), nil
		}
		ti = tiInt
	case "version":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) { return types.NewString(c.x.opts.Version), nil }
		ti.length = 96
	case "database", "schema":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) {
			if c.s.DB == "" {
				return types.Null, nil
			}
			return types.NewString(c.s.DB), nil
		}
		ti.length = 136
	case "user", "current_user", "session_user", "system_user":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) {
			return types.NewString(c.s.User + "@" + c.s.Host), nil
		}
		ti.length = 288
	case "connection_id":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) { return types.NewUint(c.s.ConnectionID), nil }
		ti = tiInt
	case "last_insert_id":
		if err := nargs(0, 1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if len(a) == 1 {
				c.s.lastInsertID = a[0].Uint()
				return a[0], nil
			}
			return types.NewUint(c.s.lastInsertID), nil
		}
		ti = tiInt
		ti.flags |= FlagUnsigned | FlagNotNull
	case "found_rows":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) { return types.NewUint(c.s.foundRows), nil }
		ti = tiInt
	case "row_count":
		fe.fn = func(c *evalCtx, _ []types.Value) (types.Value, error) { return types.NewInt(c.s.rowCount), nil }
		ti = tiInt
	case "concat":
		if err := nargs(1, -1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			var out []byte
			for _, v := range a {
				if v.IsNull() {
					return types.Null, nil
				}
				out = v.AppendText(out)
			}
			return types.NewBytes(out), nil
		}
	case "concat_ws":
		if err := nargs(2, -1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			var out []byte
			first := true
			for _, v := range a[1:] {
				if v.IsNull() {
					continue
				}
				if !first {
					out = append(out, a[0].Bytes()...)
				}
				first = false
				out = v.AppendText(out)
			}
			return types.NewBytes(out), nil
		}
	case "ifnull", "coalesce", "nullif", "if":
		switch name {
		case "ifnull", "nullif":
			if err := nargs(2, 2); err != nil {
				return nil, ti, err
			}
		case "if":
			if err := nargs(3, 3); err != nil {
				return nil, ti, err
			}
		default:
			if err := nargs(1, -1); err != nil {
				return nil, ti, err
			}
		}
		ti = tiNull
		for i, t := range tis {
			if name == "if" && i == 0 || name == "nullif" && i == 1 {
				continue
			}
			ti = mergeType(ti, t)
		}
		ti.flags &^= FlagNotNull
		fe.lazy = func(c *evalCtx, a []expr) (types.Value, error) {
			switch name {
			case "if":
				v, err := a[0].eval(c)
				if err != nil {
					return v, err
				}
				if t, _ := truth(v); t {
					return a[1].eval(c)
				}
				return a[2].eval(c)
			case "nullif":
				l, err := a[0].eval(c)
				if err != nil {
					return l, err
				}
				r, err := a[1].eval(c)
				if err != nil {
					return r, err
				}
				if !l.IsNull() && !r.IsNull() && compareValues(l, r) == 0 {
					return types.Null, nil
				}
				return l, nil
			}
			for _, e := range a {
				v, err := e.eval(c)
				if err != nil || !v.IsNull() {
					return v, err
				}
			}
			return types.Null, nil
		}
	case "lower", "lcase", "upper", "ucase":
		if err := nargs(1, 1); err != nil {
			return nil, ti, err
		}
		up := name == "upper" || name == "ucase"
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			if up {
				return types.NewString(strings.ToUpper(string(a[0].Bytes()))), nil
			}
			return types.NewString(strings.ToLower(string(a[0].Bytes()))), nil
		}
	case "length", "octet_length", "char_length", "character_length":
		if err := nargs(1, 1); err != nil {
			return nil, ti, err
		}
		chars := strings.HasPrefix(name, "char")
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			b := a[0].AppendText(nil)
			if chars {
				return types.NewInt(int64(len([]rune(string(b))))), nil
			}
			return types.NewInt(int64(len(b))), nil
		}
		ti = tiInt
	case "abs":
		if err := nargs(1, 1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			if compareValues(a[0], types.NewInt(0)) < 0 {
				return (&negExpr{&constExpr{a[0]}}).eval(c)
			}
			return a[0], nil
		}
		ti = tis[0]
	case "date_format":
		if err := nargs(2, 2); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() || a[1].IsNull() {
				return types.Null, nil
			}
			t, ok := toTemporal(a[0], types.KindDatetime)
			if !ok {
				c.s.warn("Warning", 1292, "Incorrect datetime value: '"+a[0].String()+"'")
				return types.Null, nil
			}
			return types.NewBytes(dateFormat(t, string(a[1].Bytes()))), nil
		}
	case "date":
		if err := nargs(1, 1); err != nil {
			return nil, ti, err
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			t, ok := toTemporal(a[0], types.KindDatetime)
			if !ok {
				return types.Null, nil
			}
			y, mo, d, _, _, _, _ := t.DateTime()
			return types.NewDate(y, mo, d), nil
		}
		ti = tiDate
	default:
		if alias, ok := scalarAliases[name]; ok {
			name = alias
		}
		sf, ok := scalarFuncs[name]
		if !ok {
			return nil, typeInfo{}, errcode.FuncNotExist.New(x.funcQualifier(sc) + f.Name.String())
		}
		if err := nargs(sf.min, sf.max); err != nil {
			return nil, ti, err
		}
		fn := sf.fn
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if !sf.nullOK {
				for _, v := range a {
					if v.IsNull() {
						return types.Null, nil
					}
				}
			}
			return fn(c, a)
		}
		ti = sf.ti
		if sf.argType {
			ti = tis[0]
		}
	}
	return fe, ti, nil
}

func (x *Executor) funcQualifier(sc *scope) string {
	if sc.session != nil && sc.session.DB != "" {
		return sc.session.DB + "."
	}
	return ""
}

// intervalArith compiles temporal ± INTERVAL n unit.
func (x *Executor) intervalArith(base expr, iv *sqlparser.IntervalExpr, sub bool, sc *scope) (expr, typeInfo, error) {
	n, _, err := x.compile(iv.Expr, sc)
	if err != nil {
		return nil, typeInfo{}, err
	}
	unit := strings.ToLower(iv.Unit)
	fe := &funcExpr{name: "date_add", args: []expr{base, n}}
	fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
		if a[0].IsNull() || a[1].IsNull() {
			return types.Null, nil
		}
		t, ok := toTemporal(a[0], types.KindDate)
		if !ok {
			return types.Null, nil
		}
		amount := a[1].Int()
		if sub {
			amount = -amount
		}
		tt := t.Time(time.UTC)
		switch unit {
		case "microsecond":
			tt = tt.Add(time.Duration(amount) * time.Microsecond)
		case "second":
			tt = tt.Add(time.Duration(amount) * time.Second)
		case "minute":
			tt = tt.Add(time.Duration(amount) * time.Minute)
		case "hour":
			tt = tt.Add(time.Duration(amount) * time.Hour)
		case "day":
			tt = tt.AddDate(0, 0, int(amount))
		case "week":
			tt = tt.AddDate(0, 0, 7*int(amount))
		case "month", "quarter", "year":
			months := int(amount)
			if unit == "quarter" {
				months *= 3
			} else if unit == "year" {
				months *= 12
			}
			y, mo, d := tt.Date()
			total := y*12 + int(mo) - 1 + months
			ny, nm := total/12, total%12+1
			if dm := types.DaysIn(ny, nm); d > dm {
				d = dm
			}
			tt = time.Date(ny, time.Month(nm), d, tt.Hour(), tt.Minute(), tt.Second(), tt.Nanosecond(), time.UTC)
		default:
			return types.Null, errcode.NotSupported.New("INTERVAL unit " + unit)
		}
		if t.Kind() == types.KindDate && (unit == "day" || unit == "week" || unit == "month" || unit == "quarter" || unit == "year") {
			return types.NewDate(tt.Year(), int(tt.Month()), tt.Day()), nil
		}
		return types.NewTimeValue(tt, t.Frac()), nil
	}
	return fe, tiDT, nil
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// dateFormat implements DATE_FORMAT's specifiers.
func dateFormat(v types.Value, f string) []byte {
	y, mo, d, h, mi, s, us := v.DateTime()
	t := time.Date(y, time.Month(max(mo, 1)), max(d, 1), h, mi, s, us*1000, time.UTC)
	var out []byte
	pad := func(n, w int) {
		s := strconv.Itoa(n)
		for i := len(s); i < w; i++ {
			out = append(out, '0')
		}
		out = append(out, s...)
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			out = append(out, f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			pad(y, 4)
		case 'y':
			pad(y%100, 2)
		case 'm':
			pad(mo, 2)
		case 'c':
			pad(mo, 1)
		case 'd':
			pad(d, 2)
		case 'e':
			pad(d, 1)
		case 'H':
			pad(h, 2)
		case 'k':
			pad(h, 1)
		case 'h', 'I':
			pad((h+11)%12+1, 2)
		case 'l':
			pad((h+11)%12+1, 1)
		case 'i':
			pad(mi, 2)
		case 's', 'S':
			pad(s, 2)
		case 'f':
			pad(us, 6)
		case 'p':
			if h < 12 {
				out = append(out, "AM"...)
			} else {
				out = append(out, "PM"...)
			}
		case 'M':
			if mo >= 1 {
				out = append(out, monthNames[mo-1]...)
			}
		case 'b':
			if mo >= 1 {
				out = append(out, monthNames[mo-1][:3]...)
			}
		case 'W':
			out = append(out, dayNames[t.Weekday()]...)
		case 'a':
			out = append(out, dayNames[t.Weekday()][:3]...)
		case 'w':
			pad(int(t.Weekday()), 1)
		case 'j':
			pad(t.YearDay(), 3)
		case 'T':
			pad(h, 2)
			out = append(out, ':')
			pad(mi, 2)
			out = append(out, ':')
			pad(s, 2)
		case 'r':
			pad((h+11)%12+1, 2)
			out = append(out, ':')
			pad(mi, 2)
			out = append(out, ':')
			pad(s, 2)
			if h < 12 {
				out = append(out, " AM"...)
			} else {
				out = append(out, " PM"...)
			}
		case '%':
			out = append(out, '%')
		default:
			out = append(out, f[i])
		}
	}
	return out
}

// compileCast compiles CAST(e AS type) / CONVERT(e, type).
func compileCast(in expr, ct *sqlparser.ConvertType) (expr, typeInfo, error) {
	t := strings.ToLower(ct.Type)
	fe := &funcExpr{name: "cast", args: []expr{in}}
	ti := tiString
	switch t {
	case "char", "nchar", "binary":
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return a[0], nil
			}
			return types.NewBytes(a[0].AppendText(nil)), nil
		}
	case "signed", "signed integer", "integer":
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return a[0], nil
			}
			return types.NewInt(a[0].Int()), nil
		}
		ti = tiInt
	case "unsigned", "unsigned integer":
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return a[0], nil
			}
			return types.NewUint(a[0].Uint()), nil
		}
		ti = tiInt
		ti.flags |= FlagUnsigned
	case "decimal":
		scale := 0
		if ct.Scale != nil {
			scale, _ = strconv.Atoi(string(ct.Scale.Val))
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return a[0], nil
			}
			return types.NewDecimal(a[0].Decimal().Round(int32(scale))), nil
		}
		ti = tiDecimal
		ti.decimals = uint8(scale)
	case "double", "float", "real":
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return a[0], nil
			}
			return types.NewFloat(a[0].Float()), nil
		}
		ti = tiDouble
	case "date", "datetime":
		k := types.KindDate
		ti = tiDate
		if t == "datetime" {
			k, ti = types.KindDatetime, tiDT
		}
		fe.fn = func(c *evalCtx, a []types.Value) (types.Value, error) {
			v, ok := toTemporal(a[0], k)
			if !ok {
				return types.Null, nil
			}
			y, mo, d, h, mi, s, _ := v.DateTime()
			if k == types.KindDate {
				return types.NewDate(y, mo, d), nil
			}
			return types.NewDatetime(y, mo, d, h, mi, s, 0, 0), nil
		}
	default:
		return nil, ti, errcode.NotSupported.New("CAST AS " + t)
	}
	return fe, ti, nil
}
