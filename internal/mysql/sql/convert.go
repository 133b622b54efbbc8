package sql

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// convFault is why a value does not fit a column.
type convFault uint8

const (
	faultNone      convFault = iota
	faultRange               // 1264
	faultTooLong             // 1406
	faultBadValue            // 1366 / 1292 / 1265
	faultTruncated           // 1265 Data truncated
)

// convertError is a failed conversion, rendered with the column and row number.
type convertError struct {
	fault convFault
	what  string // type name for "Incorrect %s value"
	value string
}

func (e *convertError) Error() string { return "conversion: " + e.value }

// render formats the MySQL error for column name at row (1-based).
func (e *convertError) render(col *catalog.Column, row int) *errcode.Error {
	switch e.fault {
	case faultRange:
		return errcode.OutOfRange.New(col.Name, row)
	case faultTooLong:
		return errcode.DataTooLong.New(col.Name, row)
	case faultTruncated:
		return errcode.DataTruncated.New(col.Name, row)
	}
	if col.IsTemporal() {
		return errcode.WrongDatetimeValue.New(e.what, e.value, col.Name, row)
	}
	return errcode.TruncatedWrongValue.New(e.what, e.value, col.Name, row)
}

// convertForColumn converts v for storage in column c. In non-strict mode
// it clips and returns a *convertError along with the clipped value.
func convertForColumn(c *catalog.Column, v types.Value, strict bool) (types.Value, error) {
	if v.IsNull() {
		return v, nil
	}
	switch {
	case c.Type == catalog.TypeEnum:
		var idx int
		if v.Kind() == types.KindBytes {
			idx = catalog.EnumIndex(c, v)
		} else {
			idx = int(v.Int())
			if idx < 0 || idx > len(c.Enum) {
				idx = 0
			}
		}
		if idx == 0 {
			return types.NewString(""), &convertError{fault: faultTruncated, value: v.String()}
		}
		return types.NewString(c.Enum[idx-1]), nil
	case c.IsIntegral():
		lo, hi := c.IntRange()
		var f float64
		switch v.Kind() {
		case types.KindInt:
			n := v.Int()
			if n < lo || (n > 0 && uint64(n) > hi) {
				return clipInt(c, float64(n)), &convertError{fault: faultRange}
			}
			if c.Unsigned {
				return types.NewUint(uint64(n)), nil
			}
			return types.NewInt(n), nil
		case types.KindUint:
			n := v.Uint()
			if n > hi {
				return clipInt(c, float64(n)), &convertError{fault: faultRange}
			}
			if c.Unsigned {
				return types.NewUint(n), nil
			}
			return types.NewInt(int64(n)), nil
		case types.KindDecimal:
			d := v.Decimal().Round(0)
			f = d.Float64()
			if f >= -9.2e18 && f <= 9.2e18 {
				n := d.Int64()
				return convertForColumn(c, types.NewInt(n), strict)
			}
		case types.KindBytes:
			s := strings.TrimSpace(string(v.Bytes()))
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return convertForColumn(c, types.NewInt(n), strict)
			}
			if n, err := strconv.ParseUint(s, 10, 64); err == nil {
				return convertForColumn(c, types.NewUint(n), strict)
			}
			var ok bool
			f, ok = types.ParseNumber(v.Bytes())
			if !ok {
				return clipInt(c, f), &convertError{fault: faultBadValue, what: "integer", value: v.String()}
			}
		default:
			f = v.Float()
		}
		f = math.Round(f)
		if f < float64(lo) || f > float64(hi) {
			return clipInt(c, f), &convertError{fault: faultRange}
		}
		if c.Unsigned {
			return types.NewUint(uint64(f)), nil
		}
		return types.NewInt(int64(f)), nil
	case c.Type == catalog.TypeDecimal:
		var d types.Decimal
		if v.Kind() == types.KindBytes {
			var err error
			d, err = types.ParseDecimal(string(v.Bytes()))
			if err != nil {
				return types.NewDecimal(types.DecimalFromInt(0).Round(int32(c.Scale))), &convertError{fault: faultBadValue, what: "decimal", value: v.String()}
			}
		} else {
			d = v.Decimal()
		}
		d = d.Round(int32(c.Scale))
		if d.IntDigits() > c.Precision-c.Scale || (c.Unsigned && d.Sign() < 0) {
			return maxDecimal(c, d.Sign() < 0), &convertError{fault: faultRange}
		}
		return types.NewDecimal(d), nil
	case c.Type == catalog.TypeFloat || c.Type == catalog.TypeDouble:
		var f float64
		if v.Kind() == types.KindBytes {
			var ok bool
			if f, ok = types.ParseNumber(v.Bytes()); !ok {
				return types.NewFloat(f), &convertError{fault: faultBadValue, what: "double", value: v.String()}
			}
		} else {
			f = v.Float()
		}
		if c.Type == catalog.TypeFloat {
			if math.Abs(f) > math.MaxFloat32 {
				return types.NewFloat(math.Copysign(math.MaxFloat32, f)), &convertError{fault: faultRange}
			}
			return types.NewFloat32(float32(f)), nil
		}
		if c.Unsigned && f < 0 {
			return types.NewFloat(0), &convertError{fault: faultRange}
		}
		return types.NewFloat(f), nil
	case c.IsString():
		b := v.AppendText(nil)
		if !utf8.Valid(b) && v.Kind() == types.KindBytes {
			return types.NewBytes(b), &convertError{fault: faultBadValue, what: "string", value: hexPrefix(b)}
		}
		if c.Type == catalog.TypeChar {
			b = []byte(strings.TrimRight(string(b), " "))
		}
		n := len(b)
		if c.Type != catalog.TypeText {
			n = utf8.RuneCount(b)
		}
		if n > c.Length {
			cut := b
			if c.Type == catalog.TypeText {
				cut = b[:c.Length]
			} else {
				cut = []byte(string([]rune(string(b))[:c.Length]))
			}
			return types.NewBytes(cut), &convertError{fault: faultTooLong}
		}
		return types.NewBytes(b), nil
	case c.IsBinary():
		b := v.AppendText(nil)
		if len(b) > c.Length {
			return types.NewBytes(b[:c.Length]), &convertError{fault: faultTooLong}
		}
		if c.Type == catalog.TypeBinary && len(b) < c.Length {
			b = append(b, make([]byte, c.Length-len(b))...)
		}
		return types.NewBytes(b), nil
	case c.Type == catalog.TypeYear:
		n := v.Int()
		switch {
		case n == 0:
			return types.NewInt(0), nil
		case n >= 1 && n <= 69:
			n += 2000
		case n >= 70 && n <= 99:
			n += 1900
		}
		if n < 1901 || n > 2155 {
			return types.NewInt(0), &convertError{fault: faultRange}
		}
		return types.NewInt(n), nil
	case c.Type == catalog.TypeTime:
		if v.Kind() == types.KindTime {
			return v, nil
		}
		us, ok := parseTimeOfDay(string(v.AppendText(nil)))
		if !ok {
			return types.NewDuration(0, uint8(c.Fsp)), &convertError{fault: faultBadValue, what: "time", value: v.String()}
		}
		return types.NewDuration(us, uint8(c.Fsp)), nil
	case c.IsTemporal():
		what := "datetime"
		if c.Type == catalog.TypeDate {
			what = "date"
		}
		var t types.Value
		if isTemporal(v.Kind()) {
			t = v
		} else {
			var ok bool
			text := v.AppendText(nil)
			t, ok = toTemporal(types.NewBytes(text), types.KindDatetime)
			if !ok {
				return zeroTemporal(c), &convertError{fault: faultBadValue, what: what, value: v.String()}
			}
		}
		y, mo, d, h, mi, s, us := t.DateTime()
		if y == 0 && mo == 0 && d == 0 && strict {
			return zeroTemporal(c), &convertError{fault: faultBadValue, what: what, value: v.String()}
		}
		if c.Type == catalog.TypeDate {
			return types.NewDate(y, mo, d), nil
		}
		if t.Kind() == types.KindDate {
			h, mi, s, us = 0, 0, 0, 0
		}
		if c.Type == catalog.TypeTimestamp && (y < 1970 || y > 2038) && !(y == 0 && mo == 0 && d == 0) {
			return zeroTemporal(c), &convertError{fault: faultBadValue, what: what, value: v.String()}
		}
		// round the fraction to the column's precision
		p := 1
		for i := c.Fsp; i < 6; i++ {
			p *= 10
		}
		us = (us + p/2) / p * p
		if us >= 1000000 {
			us = 1000000 - p // tandem clips instead of carrying into the seconds
		}
		return types.NewDatetime(y, mo, d, h, mi, s, us, uint8(c.Fsp)), nil
	}
	return v, nil
}

func hexPrefix(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := []byte{}
	for i, c := range b {
		if i >= 8 {
			out = append(out, "..."...)
			break
		}
		out = append(out, '\\', 'x', digits[c>>4], digits[c&15])
	}
	return string(out)
}

func parseTimeOfDay(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var total int64
	for i, p := range parts {
		frac := int64(0)
		if i == len(parts)-1 {
			if dot := strings.IndexByte(p, '.'); dot >= 0 {
				f := (p[dot+1:] + "000000")[:6]
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					return 0, false
				}
				frac = n
				p = p[:dot]
			}
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return 0, false
		}
		total = total*60 + n
		if i == len(parts)-1 {
			total = total*1e6 + frac
		}
	}
	if len(parts) == 2 {
		total *= 60
	}
	if neg {
		total = -total
	}
	return total, true
}

func zeroTemporal(c *catalog.Column) types.Value {
	if c.Type == catalog.TypeDate {
		return types.NewDate(0, 0, 0)
	}
	return types.NewDatetime(0, 0, 0, 0, 0, 0, 0, uint8(c.Fsp))
}

func clipInt(c *catalog.Column, f float64) types.Value {
	lo, hi := c.IntRange()
	if c.Unsigned {
		switch {
		case f < 0:
			return types.NewUint(0)
		case f > float64(hi):
			return types.NewUint(hi)
		}
		return types.NewUint(uint64(f))
	}
	switch {
	case f < float64(lo):
		return types.NewInt(lo)
	case f > float64(hi):
		return types.NewInt(int64(hi))
	}
	return types.NewInt(int64(f))
}

func maxDecimal(c *catalog.Column, neg bool) types.Value {
	s := strings.Repeat("9", c.Precision-c.Scale)
	if s == "" {
		s = "0"
	}
	if c.Scale > 0 {
		s += "." + strings.Repeat("9", c.Scale)
	}
	if neg && !c.Unsigned {
		s = "-" + s
	}
	if neg && c.Unsigned {
		s = "0"
		if c.Scale > 0 {
			s += "." + strings.Repeat("0", c.Scale)
		}
	}
	d, _ := types.ParseDecimal(s)
	return types.NewDecimal(d)
}
