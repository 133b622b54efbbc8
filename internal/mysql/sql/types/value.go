package types

import (
	"math"
	"strconv"
)

// Kind says which of Value's representations is in use.
type Kind uint8

// The kinds of Value.
const (
	KindNull Kind = iota
	KindInt
	KindUint
	KindFloat
	KindDecimal  // canonical decimal text in b (e.g. "-12.50"), scale in frac
	KindBytes    // strings and binary strings
	KindDate     // packed temporal in n
	KindDatetime // DATETIME and TIMESTAMP; fractional digits in frac
	KindTime     // TIME as signed microseconds in n
)

// Value is one SQL value. The zero Value is NULL.
type Value struct {
	k    Kind
	frac uint8
	n    uint64
	b    []byte
}

// Null is the SQL NULL.
var Null = Value{}

// NewInt returns a signed integer value.
func NewInt(v int64) Value { return Value{k: KindInt, n: uint64(v)} }

// NewUint returns an unsigned integer value.
func NewUint(v uint64) Value { return Value{k: KindUint, n: v} }

// NewFloat returns a DOUBLE value.
func NewFloat(v float64) Value { return Value{k: KindFloat, n: math.Float64bits(v)} }

// NewFloat32 returns a FLOAT value (rendered with single precision).
func NewFloat32(v float32) Value {
	return Value{k: KindFloat, frac: 32, n: math.Float64bits(float64(v))}
}

// NewBytes returns a string value that aliases b.
func NewBytes(b []byte) Value { return Value{k: KindBytes, b: b} }

// NewString returns a string value.
func NewString(s string) Value { return Value{k: KindBytes, b: []byte(s)} }

// Kind reports the value's kind.
func (v Value) Kind() Kind { return v.k }

// IsNull reports whether v is NULL.
func (v Value) IsNull() bool { return v.k == KindNull }

// Int returns the value as int64 (integers as is, others converted).
func (v Value) Int() int64 {
	switch v.k {
	case KindInt, KindUint:
		return int64(v.n)
	case KindFloat:
		return int64(math.Round(v.Float()))
	case KindDecimal:
		d, _ := ParseDecimal(string(v.b))
		return d.Int64()
	case KindBytes:
		f, _ := parseNumericPrefix(v.b)
		return int64(math.Round(f))
	case KindDate, KindDatetime:
		return int64(v.temporalNumber())
	case KindTime:
		return int64(v.n) / 1e6
	}
	return 0
}

// Uint returns the value as uint64.
func (v Value) Uint() uint64 {
	if v.k == KindUint || v.k == KindInt {
		return v.n
	}
	return uint64(v.Int())
}

// Float returns the value as float64.
func (v Value) Float() float64 {
	switch v.k {
	case KindInt:
		return float64(int64(v.n))
	case KindUint:
		return float64(v.n)
	case KindFloat:
		return math.Float64frombits(v.n)
	case KindDecimal:
		f, _ := strconv.ParseFloat(string(v.b), 64)
		return f
	case KindBytes:
		f, _ := parseNumericPrefix(v.b)
		return f
	case KindDate, KindDatetime:
		return v.temporalNumber()
	case KindTime:
		return float64(int64(v.n)) / 1e6
	}
	return 0
}

// Bytes returns the text of a string or decimal value (nil for others; use AppendText).
func (v Value) Bytes() []byte {
	if v.k == KindBytes || v.k == KindDecimal {
		return v.b
	}
	if v.k == KindNull {
		return nil
	}
	return v.AppendText(nil)
}

// String returns the text rendering ("NULL" for NULL).
func (v Value) String() string {
	if v.k == KindNull {
		return "NULL"
	}
	return string(v.AppendText(nil))
}

// Frac returns the fractional digits of a DECIMAL or DATETIME value.
func (v Value) Frac() uint8 { return v.frac }

// AppendText appends MySQL's text-protocol rendering of v.
func (v Value) AppendText(dst []byte) []byte {
	switch v.k {
	case KindNull:
		return dst
	case KindInt:
		return strconv.AppendInt(dst, int64(v.n), 10)
	case KindUint:
		return strconv.AppendUint(dst, v.n, 10)
	case KindFloat:
		if v.frac == 32 {
			return appendFloatBits(dst, math.Float64frombits(v.n), 32)
		}
		return AppendFloat(dst, math.Float64frombits(v.n))
	case KindDecimal, KindBytes:
		return append(dst, v.b...)
	case KindDate:
		return v.appendDate(dst)
	case KindDatetime:
		return v.appendDatetime(dst)
	case KindTime:
		return v.appendTime(dst)
	}
	return dst
}

// AppendFloat renders a DOUBLE as MySQL does (shortest repr; exponent form for
// very large or small magnitudes).
func AppendFloat(dst []byte, f float64) []byte { return appendFloatBits(dst, f, 64) }

func appendFloatBits(dst []byte, f float64, bits int) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "NULL"...)
	}
	a := math.Abs(f)
	if a != 0 && (a >= 1e15 || a < 1e-4) {
		b := strconv.AppendFloat(nil, f, 'e', -1, bits)
		// MySQL prints 1e15 as 1e15 and 1.5e-5 as 1.5e-5: strip "+" and leading exponent zeros.
		out := dst
		for i := 0; i < len(b); i++ {
			c := b[i]
			if c == 'e' {
				out = append(out, 'e')
				i++
				if b[i] == '-' {
					out = append(out, '-')
				}
				i++
				for i < len(b)-1 && b[i] == '0' {
					i++
				}
				out = append(out, b[i:]...)
				return out
			}
			out = append(out, c)
		}
		return out
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits)
}

// parseNumericPrefix converts the longest numeric prefix of b as MySQL does
// for strings in numeric context; ok is false when b is not wholly numeric.
func parseNumericPrefix(b []byte) (float64, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n') {
		i++
	}
	start := i
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			digits++
		}
	}
	if digits > 0 && i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			i = j
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b[start:i]), 64)
	if err != nil {
		return f, false
	}
	rest := i
	for rest < len(b) && (b[rest] == ' ' || b[rest] == '\t' || b[rest] == '\n') {
		rest++
	}
	return f, rest == len(b)
}

// ParseNumber converts a string as MySQL does in numeric context; ok is false
// when it is not wholly numeric (MySQL then warns "Truncated incorrect ...").
func ParseNumber(b []byte) (float64, bool) { return parseNumericPrefix(b) }
