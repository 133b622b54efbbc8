package sql

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// scalarFunc is a built-in function declared once in scalarFuncs: its
// arity, result type, and body (called with NULL-free arguments unless nullOK).
type scalarFunc struct {
	min, max int // max -1: variadic
	ti       typeInfo
	argType  bool // the result has the first argument's type
	nullOK   bool
	fn       func(c *evalCtx, a []types.Value) (types.Value, error)
}

func runes(v types.Value) []rune { return []rune(string(v.AppendText(nil))) }

func strVal(s string) (types.Value, error) { return types.NewString(s), nil }

// substr implements SUBSTRING(s, pos[, len]) with 1-based, negative-from-end positions.
func substr(s []rune, pos, n int64, hasLen bool) string {
	l := int64(len(s))
	switch {
	case pos > 0:
		pos--
	case pos < 0:
		pos += l
		if pos < 0 {
			return ""
		}
	default:
		return ""
	}
	if pos >= l {
		return ""
	}
	end := l
	if hasLen {
		if n <= 0 {
			return ""
		}
		end = min(l, pos+n)
	}
	return string(s[pos:end])
}

func datePart(c *evalCtx, v types.Value) (time.Time, bool) {
	t, ok := toTemporal(v, types.KindDate)
	if !ok {
		return time.Time{}, false
	}
	y, mo, d, _, _, _, _ := t.DateTime()
	if y == 0 || mo == 0 || d == 0 {
		return time.Time{}, false
	}
	return t.Time(time.UTC), true
}

func datePartFunc(part func(t time.Time, v types.Value) int64) scalarFunc {
	return scalarFunc{min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		t, ok := toTemporal(a[0], types.KindDate)
		if !ok {
			return types.Null, nil
		}
		return types.NewInt(part(t.Time(time.UTC), t)), nil
	}}
}

// scalarFuncs lists the built-in functions beyond those compileFunc handles itself.
var scalarFuncs = map[string]scalarFunc{
	"substring": {min: 2, max: 3, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		n := int64(0)
		if len(a) == 3 {
			n = a[2].Int()
		}
		return strVal(substr(runes(a[0]), a[1].Int(), n, len(a) == 3))
	}},
	"left": {min: 2, max: 2, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		r := runes(a[0])
		return strVal(string(r[:max(0, min(int64(len(r)), a[1].Int()))]))
	}},
	"right": {min: 2, max: 2, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		r := runes(a[0])
		n := max(0, min(int64(len(r)), a[1].Int()))
		return strVal(string(r[int64(len(r))-n:]))
	}},
	"trim": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return strVal(strings.Trim(a[0].String(), " "))
	}},
	"ltrim": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return strVal(strings.TrimLeft(a[0].String(), " "))
	}},
	"rtrim": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return strVal(strings.TrimRight(a[0].String(), " "))
	}},
	"replace": {min: 3, max: 3, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return strVal(strings.ReplaceAll(a[0].String(), a[1].String(), a[2].String()))
	}},
	"repeat": {min: 2, max: 2, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		n := a[1].Int()
		if n <= 0 {
			return strVal("")
		}
		if int64(len(a[0].Bytes()))*n > 64<<20 {
			return types.Null, nil // beyond max_allowed_packet MySQL returns NULL
		}
		return strVal(strings.Repeat(a[0].String(), int(n)))
	}},
	"reverse": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		r := runes(a[0])
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return strVal(string(r))
	}},
	"lpad": {min: 3, max: 3, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) { return pad(a, true) }},
	"rpad": {min: 3, max: 3, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) { return pad(a, false) }},
	"locate": {min: 2, max: 3, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		start := int64(1)
		if len(a) == 3 {
			start = a[2].Int()
		}
		return types.NewInt(locate(runes(a[0]), runes(a[1]), start)), nil
	}},
	"instr": {min: 2, max: 2, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewInt(locate(runes(a[1]), runes(a[0]), 1)), nil
	}},
	"round": {min: 1, max: 2, argType: true, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		d := int64(0)
		if len(a) == 2 {
			d = a[1].Int()
		}
		switch a[0].Kind() {
		case types.KindInt, types.KindUint:
			if d >= 0 {
				return a[0], nil
			}
			p := math.Pow(10, float64(-d))
			return types.NewInt(int64(math.Round(a[0].Float()/p) * p)), nil
		case types.KindDecimal:
			return types.NewDecimal(a[0].Decimal().Round(int32(max(d, 0)))), nil
		}
		p := math.Pow(10, float64(d))
		return types.NewFloat(math.RoundToEven(a[0].Float()*p) / p), nil
	}},
	"floor": {min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewInt(int64(math.Floor(a[0].Float()))), nil
	}},
	"ceil": {min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewInt(int64(math.Ceil(a[0].Float()))), nil
	}},
	"ceiling": {min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewInt(int64(math.Ceil(a[0].Float()))), nil
	}},
	"mod": {min: 2, max: 2, argType: true, fn: func(c *evalCtx, a []types.Value) (types.Value, error) { return arith(c, "%", a[0], a[1]) }},
	"pow": {min: 2, max: 2, ti: tiDouble, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewFloat(math.Pow(a[0].Float(), a[1].Float())), nil
	}},
	"power": {min: 2, max: 2, ti: tiDouble, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewFloat(math.Pow(a[0].Float(), a[1].Float())), nil
	}},
	"sqrt": {min: 1, max: 1, ti: tiDouble, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		if a[0].Float() < 0 {
			return types.Null, nil
		}
		return types.NewFloat(math.Sqrt(a[0].Float())), nil
	}},
	"sign": {min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		return types.NewInt(int64(compareValues(a[0], types.NewInt(0)))), nil
	}},
	"greatest": {min: 2, max: -1, argType: true, fn: func(c *evalCtx, a []types.Value) (types.Value, error) { return extreme(a, 1), nil }},
	"least":    {min: 2, max: -1, argType: true, fn: func(c *evalCtx, a []types.Value) (types.Value, error) { return extreme(a, -1), nil }},
	"datediff": {min: 2, max: 2, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		x, ok1 := datePart(c, a[0])
		y, ok2 := datePart(c, a[1])
		if !ok1 || !ok2 {
			return types.Null, nil
		}
		x = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		y = time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, time.UTC)
		return types.NewInt(int64(x.Sub(y).Hours() / 24)), nil
	}},
	"year":       datePartFunc(func(t time.Time, v types.Value) int64 { y, _, _, _, _, _, _ := v.DateTime(); return int64(y) }),
	"month":      datePartFunc(func(t time.Time, v types.Value) int64 { _, m, _, _, _, _, _ := v.DateTime(); return int64(m) }),
	"day":        datePartFunc(func(t time.Time, v types.Value) int64 { _, _, d, _, _, _, _ := v.DateTime(); return int64(d) }),
	"dayofmonth": datePartFunc(func(t time.Time, v types.Value) int64 { _, _, d, _, _, _, _ := v.DateTime(); return int64(d) }),
	"hour":       datePartFunc(func(t time.Time, v types.Value) int64 { _, _, _, h, _, _, _ := v.DateTime(); return int64(h) }),
	"minute":     datePartFunc(func(t time.Time, v types.Value) int64 { _, _, _, _, m, _, _ := v.DateTime(); return int64(m) }),
	"second":     datePartFunc(func(t time.Time, v types.Value) int64 { _, _, _, _, _, s, _ := v.DateTime(); return int64(s) }),
	"dayofweek":  datePartFunc(func(t time.Time, v types.Value) int64 { return int64(t.Weekday()) + 1 }),
	"weekday":    datePartFunc(func(t time.Time, v types.Value) int64 { return (int64(t.Weekday()) + 6) % 7 }),
	"dayofyear":  datePartFunc(func(t time.Time, v types.Value) int64 { return int64(t.YearDay()) }),
	"quarter":    datePartFunc(func(t time.Time, v types.Value) int64 { return int64(t.Month()+2) / 3 }),
	"last_day": {min: 1, max: 1, ti: tiDate, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		t, ok := datePart(c, a[0])
		if !ok {
			return types.Null, nil
		}
		return types.NewDate(t.Year(), int(t.Month()), types.DaysIn(t.Year(), int(t.Month()))), nil
	}},
	"from_unixtime": {min: 1, max: 1, ti: tiDT, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		f := a[0].Float()
		sec := math.Floor(f)
		t := time.Unix(int64(sec), int64((f-sec)*1e9)).In(c.x.location(c.s))
		fsp := uint8(0)
		if a[0].Kind() == types.KindDecimal || a[0].Kind() == types.KindFloat {
			fsp = 6
		}
		return types.NewTimeValue(t, fsp), nil
	}},
	"uuid": {min: 0, max: 0, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x10 // version 1 layout as MySQL prints it
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		return strVal(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
	}},
	"rand": {min: 0, max: 1, ti: tiDouble, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		u := uint64(b[0])<<45 | uint64(b[1])<<37 | uint64(b[2])<<29 | uint64(b[3])<<21 | uint64(b[4])<<13 | uint64(b[5])<<5 | uint64(b[6])>>3
		return types.NewFloat(float64(u) / (1 << 53)), nil
	}},
	"md5": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		s := md5.Sum(a[0].AppendText(nil))
		return strVal(hex.EncodeToString(s[:]))
	}},
	"sha1": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		s := sha1.Sum(a[0].AppendText(nil))
		return strVal(hex.EncodeToString(s[:]))
	}},
	"hex": {min: 1, max: 1, ti: tiString, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		if a[0].Kind() == types.KindInt || a[0].Kind() == types.KindUint {
			return strVal(strings.ToUpper(strconvFormatUint(a[0].Uint())))
		}
		return strVal(strings.ToUpper(hex.EncodeToString(a[0].AppendText(nil))))
	}},
	"ascii": {min: 1, max: 1, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		b := a[0].AppendText(nil)
		if len(b) == 0 {
			return types.NewInt(0), nil
		}
		return types.NewInt(int64(b[0])), nil
	}},
	"field": {min: 2, max: -1, ti: tiInt, nullOK: true, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		if a[0].IsNull() {
			return types.NewInt(0), nil
		}
		for i, v := range a[1:] {
			if !v.IsNull() && compareValues(a[0], v) == 0 {
				return types.NewInt(int64(i + 1)), nil
			}
		}
		return types.NewInt(0), nil
	}},
	"find_in_set": {min: 2, max: 2, ti: tiInt, fn: func(c *evalCtx, a []types.Value) (types.Value, error) {
		for i, p := range strings.Split(a[1].String(), ",") {
			if compareFolded([]byte(p), a[0].AppendText(nil)) == 0 {
				return types.NewInt(int64(i + 1)), nil
			}
		}
		return types.NewInt(0), nil
	}},
}

// scalarAliases are other names of scalarFuncs entries.
var scalarAliases = map[string]string{"substr": "substring", "mid": "substring", "sha": "sha1"}

func strconvFormatUint(u uint64) string {
	const digits = "0123456789abcdef"
	if u == 0 {
		return "0"
	}
	var b [16]byte
	i := len(b)
	for u > 0 {
		i--
		b[i] = digits[u&15]
		u >>= 4
	}
	return string(b[i:])
}

func pad(a []types.Value, left bool) (types.Value, error) {
	s, n, p := runes(a[0]), a[1].Int(), runes(a[2])
	if n < 0 {
		return types.Null, nil
	}
	if int64(len(s)) >= n {
		return strVal(string(s[:n]))
	}
	if len(p) == 0 {
		return types.Null, nil
	}
	var fill []rune
	for int64(len(fill)) < n-int64(len(s)) {
		fill = append(fill, p...)
	}
	fill = fill[:n-int64(len(s))]
	if left {
		return strVal(string(fill) + string(s))
	}
	return strVal(string(s) + string(fill))
}

func locate(sub, s []rune, start int64) int64 {
	if start < 1 || start > int64(len(s))+1 {
		return 0
	}
	if len(sub) == 0 {
		return start
	}
	ls := strings.ToLower(string(s[start-1:]))
	i := strings.Index(ls, strings.ToLower(string(sub)))
	if i < 0 {
		return 0
	}
	return start + int64(utf8.RuneCountInString(ls[:i]))
}

func extreme(a []types.Value, dir int) types.Value {
	best := a[0]
	for _, v := range a[1:] {
		if compareValues(v, best)*dir > 0 {
			best = v
		}
	}
	return best
}
