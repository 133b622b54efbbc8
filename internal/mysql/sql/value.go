package sql

import (
	"bytes"
	"math"

	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

func isTemporal(k types.Kind) bool {
	return k == types.KindDate || k == types.KindDatetime || k == types.KindTime
}

// truth evaluates a value as a condition: NULL is unknown (ok=false).
func truth(v types.Value) (t bool, ok bool) {
	switch v.Kind() {
	case types.KindNull:
		return false, false
	case types.KindInt, types.KindUint:
		return v.Uint() != 0, true
	case types.KindDecimal:
		return v.Decimal().Sign() != 0, true
	}
	return v.Float() != 0, true
}

func boolValue(b bool) types.Value {
	if b {
		return types.NewInt(1)
	}
	return types.NewInt(0)
}

// compareValues compares two non-NULL values as MySQL does: numbers
// numerically, strings by the case-insensitive collation, temporal values by
// time (a string compared with a temporal value is read as one).
func compareValues(a, b types.Value) int {
	ka, kb := a.Kind(), b.Kind()
	switch {
	case ka == types.KindBytes && kb == types.KindBytes:
		return compareFolded(a.Bytes(), b.Bytes())
	case isTemporal(ka) && isTemporal(kb):
		return cmpU(a.Packed(), b.Packed())
	case isTemporal(ka) && kb == types.KindBytes:
		if bv, ok := toTemporal(b, ka); ok {
			return cmpU(a.Packed(), bv.Packed())
		}
		return compareFolded(a.Bytes(), b.Bytes())
	case ka == types.KindBytes && isTemporal(kb):
		return -compareValues(b, a)
	}
	if (ka == types.KindInt || ka == types.KindUint) && (kb == types.KindInt || kb == types.KindUint) {
		if ka == kb {
			if ka == types.KindInt {
				return cmpI(a.Int(), b.Int())
			}
			return cmpU(a.Uint(), b.Uint())
		}
		if ka == types.KindInt && a.Int() < 0 {
			return -1
		}
		if kb == types.KindInt && b.Int() < 0 {
			return 1
		}
		return cmpU(a.Uint(), b.Uint())
	}
	if ka == types.KindFloat || kb == types.KindFloat || ka == types.KindBytes || kb == types.KindBytes {
		x, y := a.Float(), b.Float()
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return a.Decimal().Cmp(b.Decimal())
}

func compareFolded(a, b []byte) int {
	// ASCII fast path: compare lower-cased bytes without building keys
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := a[i], b[i]
		if x >= 0x80 || y >= 0x80 {
			return compareFoldedSlow(a[i:], b[i:])
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return cmpI(int64(len(a)), int64(len(b)))
}

func compareFoldedSlow(a, b []byte) int {
	var fa, fb [64]byte
	return bytes.Compare(catalog.FoldString(fa[:0], a), catalog.FoldString(fb[:0], b))
}

func cmpI(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// toTemporal reads a string (or number) as a DATE or DATETIME.
func toTemporal(v types.Value, k types.Kind) (types.Value, bool) {
	if isTemporal(v.Kind()) {
		return v, true
	}
	y, mo, d, h, mi, s, us, dateOnly, err := types.ParseDatetime(string(v.Bytes()))
	if err != nil {
		return types.Null, false
	}
	if k == types.KindDate && dateOnly {
		return types.NewDate(y, mo, d), true
	}
	fsp := uint8(0)
	if us != 0 {
		fsp = 6
	}
	return types.NewDatetime(y, mo, d, h, mi, s, us, fsp), true
}

// groupKey appends a byte form of v that is equal for values SQL treats as
// equal (used by GROUP BY and DISTINCT).
func groupKey(dst []byte, v types.Value) []byte {
	switch k := v.Kind(); {
	case k == types.KindNull:
		return append(dst, 0)
	case k == types.KindBytes:
		dst = append(dst, 1)
		dst = catalog.FoldString(dst, v.Bytes())
		return append(dst, 0, 0)
	case isTemporal(k):
		dst = append(dst, 2)
		return v.AppendText(dst)
	case k == types.KindFloat:
		f := v.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1e18 {
			dst = append(dst, 3)
			return types.NewInt(int64(f)).AppendText(dst)
		}
		dst = append(dst, 4)
		return types.AppendFloat(dst, f)
	case k == types.KindDecimal:
		d := v.Decimal()
		s := d.String()
		if d.Scale() > 0 {
			s = trimDecimalZeros(s)
		}
		dst = append(dst, 3)
		return append(dst, s...)
	default:
		dst = append(dst, 3)
		return v.AppendText(dst)
	}
}

func trimDecimalZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
