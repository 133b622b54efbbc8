package types

import (
	"errors"
	"math/big"
	"strings"
)

// Decimal is an exact decimal number: coef × 10^-scale.
type Decimal struct {
	coef  big.Int
	scale int32
}

// ErrBadDecimal reports text that is not a decimal number.
var ErrBadDecimal = errors.New("types: bad decimal")

var bigTen = big.NewInt(10)

func pow10(n int32) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// ParseDecimal parses "[-+]digits[.digits][e[-+]digits]".
func ParseDecimal(s string) (Decimal, error) {
	var d Decimal
	s = strings.TrimSpace(s)
	exp := int32(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		var e int64
		neg := false
		t := s[i+1:]
		if t != "" && (t[0] == '-' || t[0] == '+') {
			neg = t[0] == '-'
			t = t[1:]
		}
		if t == "" {
			return d, ErrBadDecimal
		}
		for _, c := range t {
			if c < '0' || c > '9' {
				return d, ErrBadDecimal
			}
			e = e*10 + int64(c-'0')
			if e > 1000 {
				return d, ErrBadDecimal
			}
		}
		if neg {
			e = -e
		}
		exp = int32(e)
		s = s[:i]
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	digits := make([]byte, 0, len(s))
	scale := int32(0)
	seenDot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			if seenDot {
				scale++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return d, ErrBadDecimal
		}
	}
	if len(digits) == 0 {
		return d, ErrBadDecimal
	}
	d.coef.SetString(string(digits), 10)
	if neg {
		d.coef.Neg(&d.coef)
	}
	d.scale = scale - exp
	if d.scale < 0 {
		d.coef.Mul(&d.coef, pow10(-d.scale))
		d.scale = 0
	}
	return d, nil
}

// DecimalFromInt converts an integer.
func DecimalFromInt(v int64) Decimal {
	var d Decimal
	d.coef.SetInt64(v)
	return d
}

// DecimalFromUint converts an unsigned integer.
func DecimalFromUint(v uint64) Decimal {
	var d Decimal
	d.coef.SetUint64(v)
	return d
}

// Scale returns the number of fractional digits.
func (d Decimal) Scale() int32 { return d.scale }

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int { return d.coef.Sign() }

func (d Decimal) rescaled(scale int32) *big.Int {
	if scale == d.scale {
		return new(big.Int).Set(&d.coef)
	}
	return new(big.Int).Mul(&d.coef, pow10(scale-d.scale))
}

// Add returns d+e.
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	var r Decimal
	r.coef.Add(d.rescaled(s), e.rescaled(s))
	r.scale = s
	return r
}

// Sub returns d-e.
func (d Decimal) Sub(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	var r Decimal
	r.coef.Sub(d.rescaled(s), e.rescaled(s))
	r.scale = s
	return r
}

// Mul returns d×e.
func (d Decimal) Mul(e Decimal) Decimal {
	var r Decimal
	r.coef.Mul(&d.coef, &e.coef)
	r.scale = d.scale + e.scale
	return r
}

// Div returns d/e with extra fractional digits (MySQL's div_precision_increment, 4);
// ok is false for division by zero.
func (d Decimal) Div(e Decimal, extra int32) (Decimal, bool) {
	if e.coef.Sign() == 0 {
		return Decimal{}, false
	}
	scale := d.scale + extra
	// result = d.coef*10^(scale+e.scale-d.scale+1) / e.coef, then round one digit.
	num := new(big.Int).Mul(&d.coef, pow10(scale+e.scale-d.scale+1))
	q := new(big.Int).Quo(num, &e.coef)
	var r Decimal
	r.coef.Set(q)
	r.scale = scale + 1
	return r.Round(scale), true
}

// Cmp compares d and e.
func (d Decimal) Cmp(e Decimal) int {
	s := max(d.scale, e.scale)
	return d.rescaled(s).Cmp(e.rescaled(s))
}

// Round rounds half away from zero to scale fractional digits.
func (d Decimal) Round(scale int32) Decimal {
	var r Decimal
	if scale >= d.scale {
		r.coef.Set(d.rescaled(scale))
		r.scale = scale
		return r
	}
	p := pow10(d.scale - scale)
	q, m := new(big.Int).QuoRem(&d.coef, p, new(big.Int))
	m.Abs(m)
	m.Mul(m, big.NewInt(2))
	if m.Cmp(p) >= 0 {
		if d.coef.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	r.coef.Set(q)
	r.scale = scale
	return r
}

// IntDigits returns the number of digits before the decimal point.
func (d Decimal) IntDigits() int {
	a := new(big.Int).Abs(&d.coef)
	s := a.String()
	n := len(s) - int(d.scale)
	if n <= 0 || (n == 1 && s[0] == '0') {
		return 0
	}
	return n
}

// Int64 returns d rounded to an integer.
func (d Decimal) Int64() int64 {
	r := d.Round(0)
	return r.coef.Int64()
}

// Float64 returns d as a float.
func (d Decimal) Float64() float64 {
	f, _ := new(big.Rat).SetFrac(&d.coef, pow10(d.scale)).Float64()
	return f
}

// String renders d with exactly Scale() fractional digits.
func (d Decimal) String() string {
	neg := d.coef.Sign() < 0
	s := new(big.Int).Abs(&d.coef).String()
	if d.scale > 0 {
		for int32(len(s)) <= d.scale {
			s = "0" + s
		}
		s = s[:int32(len(s))-d.scale] + "." + s[int32(len(s))-d.scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// NewDecimal returns a DECIMAL value.
func NewDecimal(d Decimal) Value {
	return Value{k: KindDecimal, frac: uint8(d.scale), b: []byte(d.String())}
}

// Decimal returns the value as a Decimal.
func (v Value) Decimal() Decimal {
	switch v.k {
	case KindInt:
		return DecimalFromInt(int64(v.n))
	case KindUint:
		return DecimalFromUint(v.n)
	case KindDecimal:
		d, _ := ParseDecimal(string(v.b))
		return d
	case KindFloat:
		d, err := ParseDecimal(string(AppendFloat(nil, v.Float())))
		if err != nil {
			return Decimal{}
		}
		return d
	case KindBytes:
		d, err := ParseDecimal(string(v.b))
		if err != nil {
			f, _ := parseNumericPrefix(v.b)
			d, _ = ParseDecimal(string(AppendFloat(nil, f)))
		}
		return d
	}
	d, _ := ParseDecimal(v.String())
	return d
}

// DecimalText returns a DECIMAL value from its canonical text (aliasing b).
func DecimalText(b []byte, scale uint8) Value { return Value{k: KindDecimal, frac: scale, b: b} }
