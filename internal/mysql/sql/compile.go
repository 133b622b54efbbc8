package sql

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// source is one table of a FROM clause as the binder sees it.
type source struct {
	alias  string
	schema string
	table  *catalog.Table
	offset int // position of its first column in the joined row
	// virtual lists the rows of an information_schema view (nil for stored tables)
	virtual func(*stmtCtx) ([][]types.Value, error)
}

// scope resolves column names for one query block.
type scope struct {
	sources []*source
	width   int
	// aggregates collected while compiling (nil: aggregates not allowed here)
	aggs *[]*aggSpec
	// values, when set, resolves VALUES(col) of ON DUPLICATE KEY UPDATE
	values *catalog.Table
	// valuesAlias names the inserted row (INSERT … AS alias), resolved like VALUES(col)
	valuesAlias string
	// clause names the clause for "Unknown column … in '<clause>'"
	clause string
	params *int
	// selectAliases lets ORDER BY/HAVING name select-list columns
	aliases map[string]int
	outputs []expr
	// session resolves table names of subqueries
	session *Session
	// parent is the enclosing query block of a subquery (correlated references)
	parent *scope
	// correlated is set when a column resolved in parent
	correlated *bool
}

func (sc *scope) resolve(cn *sqlparser.ColName) (int, *source, error) {
	name := cn.Name.String()
	qual := cn.Qualifier.Name.String()
	found := -1
	var fs *source
	for _, s := range sc.sources {
		if qual != "" && !strings.EqualFold(s.alias, qual) {
			continue
		}
		if cn.Qualifier.DbQualifier.String() != "" && !strings.EqualFold(cn.Qualifier.DbQualifier.String(), s.schema) {
			continue
		}
		i, ok := s.table.Column(name)
		if !ok {
			continue
		}
		if found >= 0 {
			return 0, nil, errcode.NonUniq.New(name, clauseName(sc.clause))
		}
		found, fs = s.offset+i, s
	}
	if found < 0 {
		full := name
		if qual != "" {
			full = qual + "." + name
		}
		return 0, nil, errcode.BadField.New(full, clauseName(sc.clause))
	}
	return found, fs, nil
}

func clauseName(c string) string {
	if c == "" {
		return "field list"
	}
	return c
}

func (sc *scope) columnType(s *source, idx int) typeInfo {
	return columnTypeInfo(&s.table.Columns[idx-s.offset])
}

// columnTypeInfo is the protocol description of a table column.
func columnTypeInfo(c *catalog.Column) typeInfo {
	ti := typeInfo{charset: CharsetBinary}
	if c.NotNull {
		ti.flags |= FlagNotNull
	}
	if c.Unsigned {
		ti.flags |= FlagUnsigned
	}
	if c.AutoInc {
		ti.flags |= FlagAutoIncrement
	}
	switch c.Type {
	case catalog.TypeTinyInt, catalog.TypeBool:
		ti.typ, ti.length = TypeTiny, 4
	case catalog.TypeSmallInt:
		ti.typ, ti.length = TypeShort, 6
	case catalog.TypeMediumInt:
		ti.typ, ti.length = TypeInt24, 9
	case catalog.TypeInt:
		ti.typ, ti.length = TypeLong, 11
	case catalog.TypeBigInt:
		ti.typ, ti.length = TypeLonglong, 20
	case catalog.TypeYear:
		ti.typ, ti.length = TypeYear, 4
	case catalog.TypeDecimal:
		ti.typ, ti.decimals = TypeNewDecimal, uint8(c.Scale)
		ti.length = uint32(c.Precision + 1)
		if c.Scale > 0 {
			ti.length++
		}
	case catalog.TypeFloat:
		ti.typ, ti.length, ti.decimals = TypeFloat, 12, 31
	case catalog.TypeDouble:
		ti.typ, ti.length, ti.decimals = TypeDouble, 22, 31
	case catalog.TypeChar:
		ti.typ, ti.length, ti.charset = TypeString, uint32(c.Length*4), CharsetUTF8MB4
	case catalog.TypeVarchar:
		ti.typ, ti.length, ti.charset = TypeVarString, uint32(c.Length*4), CharsetUTF8MB4
	case catalog.TypeText:
		ti.typ, ti.length, ti.charset = TypeBlob, uint32(c.Length), CharsetUTF8MB4
		ti.flags |= FlagBlob
	case catalog.TypeBinary:
		ti.typ, ti.length = TypeString, uint32(c.Length)
		ti.flags |= FlagBinary
	case catalog.TypeVarbinary:
		ti.typ, ti.length = TypeVarString, uint32(c.Length)
		ti.flags |= FlagBinary
	case catalog.TypeBlob:
		ti.typ, ti.length = TypeBlob, uint32(c.Length)
		ti.flags |= FlagBlob | FlagBinary
	case catalog.TypeDate:
		ti.typ, ti.length = TypeDate, 10
		ti.flags |= FlagBinary
	case catalog.TypeDatetime:
		ti.typ, ti.length, ti.decimals = TypeDatetime, 19, uint8(c.Fsp)
		ti.flags |= FlagBinary
	case catalog.TypeTimestamp:
		ti.typ, ti.length, ti.decimals = TypeTimestamp, 19, uint8(c.Fsp)
		ti.flags |= FlagBinary | FlagTimestamp
		if c.OnUpdateNow {
			ti.flags |= FlagOnUpdateNow
		}
	case catalog.TypeTime:
		ti.typ, ti.length, ti.decimals = TypeTime, 10, uint8(c.Fsp)
		ti.flags |= FlagBinary
	case catalog.TypeEnum:
		ti.typ, ti.charset = TypeString, CharsetUTF8MB4
		for _, m := range c.Enum {
			ti.length = max(ti.length, uint32(len(m)*4))
		}
		ti.flags |= FlagEnum
	}
	if c.Fsp > 0 && (c.Type == catalog.TypeDatetime || c.Type == catalog.TypeTimestamp || c.Type == catalog.TypeTime) {
		ti.length += uint32(c.Fsp + 1)
	}
	if c.IsIntegral() || c.Type == catalog.TypeDecimal || c.Type == catalog.TypeFloat || c.Type == catalog.TypeDouble {
		ti.flags |= FlagNum
	}
	if c.Default == nil && !c.DefaultNow && !c.AutoInc && c.NotNull {
		ti.flags |= FlagNoDefault
	}
	return ti
}

// compile binds and compiles an expression.
func (x *Executor) compile(e sqlparser.Expr, sc *scope) (expr, typeInfo, error) {
	switch e := e.(type) {
	case *sqlparser.SQLVal:
		if e.Type == sqlparser.ValArg {
			if sc.params == nil {
				return nil, typeInfo{}, errcode.ParseError.New("?", 1)
			}
			i := *sc.params
			*sc.params++
			if n, err := strconv.Atoi(strings.TrimPrefix(string(e.Val), ":v")); err == nil && n >= 1 {
				i = n - 1 // the parser numbers placeholders in text order
				*sc.params = max(*sc.params, n)
			}
			return &paramExpr{idx: i}, tiString, nil
		}
		v, err := sqlValue(e)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &constExpr{v}, literalType(v), nil
	case *sqlparser.NullVal:
		return &constExpr{types.Null}, tiNull, nil
	case sqlparser.BoolVal:
		return &constExpr{boolValue(bool(e))}, tiInt, nil
	case *sqlparser.ColName:
		name := e.Name.String()
		if strings.HasPrefix(name, "@@") {
			n := strings.ToLower(name[2:])
			global := false
			switch {
			case strings.HasPrefix(n, "global."):
				n, global = n[7:], true
			case strings.HasPrefix(n, "session."):
				n = n[8:]
			case strings.HasPrefix(n, "local."):
				n = n[6:]
			}
			if _, ok := x.sysVarDef(n); !ok {
				return nil, typeInfo{}, errcode.UnknownSystemVar.New(n)
			}
			return &sysVarExpr{name: n, global: global}, sysVarType(n), nil
		}
		if strings.HasPrefix(name, "@") {
			return &userVarExpr{name: strings.ToLower(strings.Trim(name[1:], "`'\""))}, tiString, nil
		}
		if sc.aliases != nil && e.Qualifier.Name.String() == "" {
			if i, ok := sc.aliases[strings.ToLower(name)]; ok {
				if _, _, err := sc.resolve(e); err != nil {
					return sc.outputs[i], tiString, nil
				}
			}
		}
		if sc.valuesAlias != "" && strings.EqualFold(e.Qualifier.Name.String(), sc.valuesAlias) {
			return x.compile(&sqlparser.ValuesFuncExpr{Name: &sqlparser.ColName{Name: e.Name}}, sc)
		}
		idx, src, err := sc.resolve(e)
		if err != nil {
			var ee *errcode.Error
			if sc.parent != nil && errors.As(err, &ee) && ee.Code == errcode.BadField.Code {
				if pidx, psrc, perr := sc.parent.resolve(e); perr == nil {
					if sc.parent.correlated != nil {
						*sc.parent.correlated = true
					}
					return &outerColExpr{idx: pidx, ts: isTimestampCol(psrc, pidx)}, sc.parent.columnType(psrc, pidx), nil
				}
			}
			return nil, typeInfo{}, err
		}
		return &colExpr{idx: idx, ts: isTimestampCol(src, idx)}, sc.columnType(src, idx), nil
	case *sqlparser.ParenExpr:
		return x.compile(e.Expr, sc)
	case *sqlparser.AndExpr:
		l, _, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		r, _, err := x.compile(e.Right, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &andExpr{l, r}, tiInt, nil
	case *sqlparser.OrExpr:
		l, _, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		r, _, err := x.compile(e.Right, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &orExpr{l, r}, tiInt, nil
	case *sqlparser.XorExpr:
		l, _, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		r, _, err := x.compile(e.Right, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &cmpExpr{op: "!=", l: &notExpr{&notExpr{l}}, r: &notExpr{&notExpr{r}}}, tiInt, nil
	case *sqlparser.NotExpr:
		in, _, err := x.compile(e.Expr, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &notExpr{in}, tiInt, nil
	case *sqlparser.IsExpr:
		in, _, err := x.compile(e.Expr, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &isExpr{e: in, op: e.Operator}, tiInt, nil
	case *sqlparser.RangeCond:
		a, _, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		lo, _, err := x.compile(e.From, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		hi, _, err := x.compile(e.To, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return &betweenExpr{e: a, lo: lo, hi: hi, not: e.Operator == sqlparser.NotBetweenStr}, tiInt, nil
	case *sqlparser.ComparisonExpr:
		l, _, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		switch e.Operator {
		case sqlparser.InStr, sqlparser.NotInStr:
			if sq, ok := e.Right.(*sqlparser.Subquery); ok {
				se, _, err := x.compileSubquery(sq, sc, subIn, l)
				if err != nil {
					return nil, typeInfo{}, err
				}
				if e.Operator == sqlparser.NotInStr {
					return &notExpr{se}, tiInt, nil
				}
				return se, tiInt, nil
			}
			tuple, ok := e.Right.(sqlparser.ValTuple)
			if !ok {
				return nil, typeInfo{}, errcode.NotSupported.New("IN over " + sqlparser.String(e.Right))
			}
			in := &inExpr{l: l, not: e.Operator == sqlparser.NotInStr}
			for _, it := range tuple {
				c, _, err := x.compile(it, sc)
				if err != nil {
					return nil, typeInfo{}, err
				}
				in.list = append(in.list, c)
			}
			return in, tiInt, nil
		}
		r, _, err := x.compile(e.Right, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		switch e.Operator {
		case sqlparser.LikeStr, sqlparser.NotLikeStr:
			esc := byte('\\')
			if e.Escape != nil {
				if v, ok := e.Escape.(*sqlparser.SQLVal); ok && len(v.Val) == 1 {
					esc = v.Val[0]
				}
			}
			return &likeExpr{l: l, pat: r, not: e.Operator == sqlparser.NotLikeStr, escape: esc}, tiInt, nil
		case "=", "!=", "<>", "<", "<=", ">", ">=", "<=>":
			return &cmpExpr{op: e.Operator, l: l, r: r}, tiInt, nil
		}
		return nil, typeInfo{}, errcode.NotSupported.New("operator " + e.Operator)
	case *sqlparser.BinaryExpr:
		l, lt, err := x.compile(e.Left, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		op := strings.ToLower(e.Operator)
		if iv, ok := e.Right.(*sqlparser.IntervalExpr); ok && (op == "+" || op == "-") {
			return x.intervalArith(l, iv, op == "-", sc)
		}
		r, rt, err := x.compile(e.Right, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		switch op {
		case "+", "-", "*", "/", "div", "%", "mod":
			if op == "mod" {
				op = "%"
			}
			ti := tiInt
			switch {
			case lt.typ == TypeDouble || rt.typ == TypeDouble || lt.typ == TypeFloat || rt.typ == TypeFloat || lt.charset == CharsetUTF8MB4 || rt.charset == CharsetUTF8MB4:
				ti = tiDouble
			case op == "/" || lt.typ == TypeNewDecimal || rt.typ == TypeNewDecimal:
				ti = tiDecimal
			}
			return &arithExpr{op: op, l: l, r: r, text: exprText(e, sc)}, ti, nil
		}
		return nil, typeInfo{}, errcode.NotSupported.New("operator " + e.Operator)
	case *sqlparser.UnaryExpr:
		if strings.HasPrefix(e.Operator, "_") {
			return compileIntroducer(e)
		}
		in, ti, err := x.compile(e.Expr, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		switch e.Operator {
		case "-":
			return &negExpr{in}, ti, nil
		case "+":
			return in, ti, nil
		case "!":
			return &notExpr{in}, tiInt, nil
		case sqlparser.BinaryStr: // BINARY expr: the same value as a binary string
			return in, binaryString(ti), nil
		}
		return nil, typeInfo{}, errcode.NotSupported.New("operator " + e.Operator)
	case *sqlparser.CaseExpr:
		ce := &caseExpr{}
		var err error
		if e.Expr != nil {
			if ce.base, _, err = x.compile(e.Expr, sc); err != nil {
				return nil, typeInfo{}, err
			}
		}
		ti := tiNull
		for _, w := range e.Whens {
			c, _, err := x.compile(w.Cond, sc)
			if err != nil {
				return nil, typeInfo{}, err
			}
			v, vt, err := x.compile(w.Val, sc)
			if err != nil {
				return nil, typeInfo{}, err
			}
			ti = mergeType(ti, vt)
			ce.whens = append(ce.whens, [2]expr{c, v})
		}
		if e.Else != nil {
			var et typeInfo
			if ce.els, et, err = x.compile(e.Else, sc); err != nil {
				return nil, typeInfo{}, err
			}
			ti = mergeType(ti, et)
		}
		return ce, ti, nil
	case *sqlparser.ValuesFuncExpr:
		if sc.values == nil {
			return &constExpr{types.Null}, tiNull, nil
		}
		i, ok := sc.values.Column(e.Name.Name.String())
		if !ok {
			return nil, typeInfo{}, errcode.BadField.New(e.Name.Name.String(), "field list")
		}
		return &valuesExpr{idx: i, ts: sc.values.Columns[i].Type == catalog.TypeTimestamp}, columnTypeInfo(&sc.values.Columns[i]), nil
	case *sqlparser.FuncExpr:
		return x.compileFunc(e, sc)
	case *sqlparser.ConvertExpr:
		in, _, err := x.compile(e.Expr, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		return compileCast(in, e.Type)
	case *sqlparser.SubstrExpr:
		var str sqlparser.Expr = e.StrVal
		if e.Name != nil {
			str = e.Name
		}
		args := sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: str}, &sqlparser.AliasedExpr{Expr: e.From}}
		if e.To != nil {
			args = append(args, &sqlparser.AliasedExpr{Expr: e.To})
		}
		return x.compileFunc(&sqlparser.FuncExpr{Name: sqlparser.NewColIdent("substring"), Exprs: args}, sc)
	case *sqlparser.TrimExpr:
		return x.compileTrim(e, sc)
	case *sqlparser.TimestampFuncExpr:
		return x.compileTimestampFunc(e, sc)
	case *sqlparser.ExtractFuncExpr:
		in, _, err := x.compile(e.Expr, sc)
		if err != nil {
			return nil, typeInfo{}, err
		}
		unit := strings.ToLower(e.Unit)
		return &funcExpr{name: "extract", args: []expr{in}, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			t, ok := toTemporal(a[0], types.KindDatetime)
			if !ok {
				return types.Null, nil
			}
			y, mo, d, h, mi, s, us := t.DateTime()
			switch unit {
			case "year":
				return types.NewInt(int64(y)), nil
			case "month":
				return types.NewInt(int64(mo)), nil
			case "day":
				return types.NewInt(int64(d)), nil
			case "hour":
				return types.NewInt(int64(h)), nil
			case "minute":
				return types.NewInt(int64(mi)), nil
			case "second":
				return types.NewInt(int64(s)), nil
			case "microsecond":
				return types.NewInt(int64(us)), nil
			case "quarter":
				return types.NewInt(int64(mo+2) / 3), nil
			case "year_month":
				return types.NewInt(int64(y*100 + mo)), nil
			}
			return types.Null, errcode.NotSupported.New("EXTRACT(" + strings.ToUpper(unit) + ")")
		}}, tiInt, nil
	case *sqlparser.GroupConcatExpr:
		return x.compileGroupConcat(e, sc)
	case *sqlparser.Subquery:
		return x.compileSubquery(e, sc, subScalar, nil)
	case *sqlparser.ExistsExpr:
		return x.compileSubquery(e.Subquery, sc, subExists, nil)
	case *sqlparser.CollateExpr:
		return x.compile(e.Expr, sc)
	case *sqlparser.IntervalExpr:
		return nil, typeInfo{}, errcode.ParseError.New(sqlparser.String(e), 1)
	}
	return nil, typeInfo{}, errcode.NotSupported.New(sqlparser.String(e))
}

func mergeType(a, b typeInfo) typeInfo {
	if a.typ == TypeNull {
		return b
	}
	if b.typ == TypeNull || a.typ == b.typ {
		return a
	}
	if a.charset == CharsetUTF8MB4 || b.charset == CharsetUTF8MB4 {
		return tiString
	}
	return tiDouble
}

func literalType(v types.Value) typeInfo {
	switch v.Kind() {
	case types.KindInt, types.KindUint:
		ti := tiInt
		ti.length = uint32(len(v.String()))
		if ti.length < 1 {
			ti.length = 1
		}
		ti.flags |= FlagNotNull
		if v.Kind() == types.KindUint {
			ti.flags |= FlagUnsigned
		}
		return ti
	case types.KindDecimal:
		ti := tiDecimal
		ti.decimals = v.Frac()
		ti.length = uint32(len(v.Bytes()))
		ti.flags |= FlagNotNull
		return ti
	case types.KindFloat:
		return tiDouble
	case types.KindBytes:
		ti := tiString
		ti.length = uint32(len(v.Bytes()) * 4)
		ti.flags |= FlagNotNull
		return ti
	}
	return tiNull
}

// sourceOf returns the single-table metadata (schema, table, column) of an expression that is a plain column.
func (sc *scope) sourceOf(e sqlparser.Expr) (*source, *catalog.Column) {
	cn, ok := e.(*sqlparser.ColName)
	if !ok || strings.HasPrefix(cn.Name.String(), "@") {
		return nil, nil
	}
	idx, src, err := sc.resolve(cn)
	if err != nil {
		return nil, nil
	}
	return src, &src.table.Columns[idx-src.offset]
}

// exprText renders an expression as MySQL quotes it in error messages:
// columns fully qualified, operators parenthesized.
func exprText(e sqlparser.Expr, sc *scope) string {
	switch e := e.(type) {
	case *sqlparser.ColName:
		if _, src, err := sc.resolve(e); err == nil {
			return "`" + src.schema + "`.`" + src.alias + "`.`" + e.Name.String() + "`"
		}
	case *sqlparser.BinaryExpr:
		return "(" + exprText(e.Left, sc) + " " + strings.ToLower(e.Operator) + " " + exprText(e.Right, sc) + ")"
	case *sqlparser.ParenExpr:
		return exprText(e.Expr, sc)
	case *sqlparser.SQLVal:
		if e.Type == sqlparser.ValArg {
			return "?"
		}
	}
	return sqlparser.String(e)
}

// isTimestampCol reports whether position idx of a source is a stored TIMESTAMP column.
func isTimestampCol(src *source, idx int) bool {
	return src.virtual == nil && src.table.Columns[idx-src.offset].Type == catalog.TypeTimestamp
}

// compileIntroducer compiles a character set introducer (_binary'…',
// _utf8mb4 x'…', _latin1'…'): MySQL allows one only before a string, hex or
// bit literal, whose bytes it then reads in that character set. Results go
// to clients in utf8mb4, so a latin1 literal is converted once here.
func compileIntroducer(e *sqlparser.UnaryExpr) (expr, typeInfo, error) {
	lit, ok := e.Expr.(*sqlparser.SQLVal)
	if !ok || lit.Type == sqlparser.ValArg || lit.Type == sqlparser.IntVal || lit.Type == sqlparser.FloatVal {
		return nil, typeInfo{}, errcode.ParseError.New(sqlparser.String(e.Expr), 1)
	}
	v, err := sqlValue(lit)
	if err != nil {
		return nil, typeInfo{}, err
	}
	b := v.Bytes()
	if v.Kind() != types.KindBytes { // b'…' reads as a number until introduced
		b = bitBytes(v.Uint())
	}
	switch cs := strings.TrimSpace(e.Operator[1:]); cs {
	case "binary":
		v = types.NewBytes(b)
		return &constExpr{v}, binaryString(literalType(v)), nil
	case "utf8mb4", "utf8", "utf8mb3", "ascii":
		v = types.NewBytes(b)
		return &constExpr{v}, literalType(v), nil
	case "latin1":
		out := make([]byte, 0, len(b)*2)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		v = types.NewBytes(out)
		return &constExpr{v}, literalType(v), nil
	default:
		return nil, typeInfo{}, errcode.NotSupported.New("character set introducer _" + cs)
	}
}

// binaryString is ti as a binary string (charset 63) when ti is a string.
func binaryString(ti typeInfo) typeInfo {
	if ti.charset == CharsetUTF8MB4 {
		ti.charset = CharsetBinary
		ti.flags |= FlagBinary
		ti.length /= 4
	}
	return ti
}

// bitBytes is n as the shortest big-endian byte string (at least one byte).
func bitBytes(n uint64) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], n)
	i := 0
	for i < 7 && buf[i] == 0 {
		i++
	}
	return append([]byte(nil), buf[i:]...)
}
