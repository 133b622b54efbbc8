package catalog

import (
	"encoding/binary"
	"errors"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// ErrCorruptRow reports a record that does not decode.
var ErrCorruptRow = errors.New("catalog: corrupt row record")

// kindFloat32 tags a FLOAT (single precision) in a record.
const kindFloat32 = 0x7f

// EncodeRow appends the record of a row (one value per column).
func EncodeRow(dst []byte, row []types.Value) []byte {
	for _, v := range row {
		k := v.Kind()
		dst = append(dst, byte(k))
		switch k {
		case types.KindNull:
		case types.KindInt:
			dst = binary.AppendVarint(dst, v.Int())
		case types.KindUint:
			dst = binary.AppendUvarint(dst, v.Uint())
		case types.KindFloat:
			if v.Frac() == 32 {
				dst[len(dst)-1] = kindFloat32
				dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(v.Float())))
				continue
			}
			dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(v.Float()))
		case types.KindDecimal, types.KindBytes:
			b := v.Bytes()
			if k == types.KindDecimal {
				dst = append(dst, v.Frac())
			}
			dst = binary.AppendUvarint(dst, uint64(len(b)))
			dst = append(dst, b...)
		case types.KindDate, types.KindDatetime, types.KindTime:
			dst = append(dst, v.Frac())
			dst = binary.AppendUvarint(dst, v.Packed())
		}
	}
	return dst
}

// DecodeRow decodes a record into dst (grown to n columns). Byte values alias rec.
func DecodeRow(dst []types.Value, rec []byte, n int) ([]types.Value, error) {
	dst = dst[:0]
	for len(dst) < n {
		if len(rec) == 0 {
			// a column added after the row was written
			dst = append(dst, types.Null)
			continue
		}
		k := types.Kind(rec[0])
		rec = rec[1:]
		var v types.Value
		switch k {
		case types.KindNull:
		case types.KindInt:
			x, m := binary.Varint(rec)
			if m <= 0 {
				return nil, ErrCorruptRow
			}
			rec = rec[m:]
			v = types.NewInt(x)
		case types.KindUint:
			x, m := binary.Uvarint(rec)
			if m <= 0 {
				return nil, ErrCorruptRow
			}
			rec = rec[m:]
			v = types.NewUint(x)
		case kindFloat32:
			if len(rec) < 4 {
				return nil, ErrCorruptRow
			}
			v = types.NewFloat32(math.Float32frombits(binary.BigEndian.Uint32(rec)))
			rec = rec[4:]
		case types.KindFloat:
			if len(rec) < 8 {
				return nil, ErrCorruptRow
			}
			v = types.NewFloat(math.Float64frombits(binary.BigEndian.Uint64(rec)))
			rec = rec[8:]
		case types.KindDecimal, types.KindBytes:
			var frac byte
			if k == types.KindDecimal {
				if len(rec) < 1 {
					return nil, ErrCorruptRow
				}
				frac = rec[0]
				rec = rec[1:]
			}
			l, m := binary.Uvarint(rec)
			if m <= 0 || uint64(len(rec)-m) < l {
				return nil, ErrCorruptRow
			}
			b := rec[m : m+int(l) : m+int(l)]
			rec = rec[m+int(l):]
			if k == types.KindDecimal {
				v = types.DecimalText(b, frac)
			} else {
				v = types.NewBytes(b)
			}
		case types.KindDate, types.KindDatetime, types.KindTime:
			if len(rec) < 1 {
				return nil, ErrCorruptRow
			}
			frac := rec[0]
			x, m := binary.Uvarint(rec[1:])
			if m <= 0 || frac > 6 {
				return nil, ErrCorruptRow
			}
			rec = rec[1+m:]
			v = types.FromPacked(k, x, frac)
		default:
			return nil, ErrCorruptRow
		}
		dst = append(dst, v)
	}
	return dst, nil
}

// Key encoding: each value starts with 0x00 for NULL (sorting first, as in
// MySQL) or 0x01 followed by the type's memcomparable form.

// EncodeKey appends the memcomparable form of v as a value of column c.
func EncodeKey(dst []byte, c *Column, v types.Value) []byte {
	if v.IsNull() {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	switch {
	case c.Type == TypeEnum:
		return binary.BigEndian.AppendUint16(dst, uint16(EnumIndex(c, v)))
	case c.IsIntegral():
		if c.Unsigned {
			return binary.BigEndian.AppendUint64(dst, v.Uint())
		}
		return binary.BigEndian.AppendUint64(dst, uint64(v.Int())^(1<<63))
	case c.Type == TypeFloat || c.Type == TypeDouble:
		f := v.Float()
		if f == 0 {
			f = 0 // -0 == 0
		}
		b := math.Float64bits(f)
		if f < 0 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		return binary.BigEndian.AppendUint64(dst, b)
	case c.Type == TypeDecimal:
		return appendDecimalKey(dst, v.Decimal())
	case c.IsTemporal() || c.Type == TypeYear:
		return binary.BigEndian.AppendUint64(dst, v.Packed())
	case c.IsString():
		return appendEscaped(dst, FoldString(nil, v.Bytes()))
	default:
		return appendEscaped(dst, v.Bytes())
	}
}

// EnumIndex returns v's 1-based position among c's members (0 if none).
func EnumIndex(c *Column, v types.Value) int {
	if v.Kind() == types.KindInt || v.Kind() == types.KindUint {
		return int(v.Int())
	}
	b := v.Bytes()
	var f [64]byte
	fb := FoldString(f[:0], b)
	for i, m := range c.Enum {
		if string(FoldString(nil, []byte(m))) == string(fb) {
			return i + 1
		}
	}
	return 0
}

// appendEscaped writes b with 0x00 escaped as 0x00 0xff and ends it with 0x00 0x01,
// so that a prefix sorts before its extensions.
func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			dst = append(dst, 0, 0xff)
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, 0, 1)
}

// FoldString appends the collation key of a utf8mb4 string: simple lower-case
// folding (utf8mb4_0900_ai_ci also ignores accents; tandem does not yet).
func FoldString(dst, b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		for _, c := range b {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

func appendDecimalKey(dst []byte, d types.Decimal) []byte {
	s := d.Round(d.Scale()).String()
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	// digits without the point, and the exponent = digits before the point
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
		}
	}
	digits := []byte(intPart + frac)
	exp := len(intPart)
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
		exp--
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		return append(dst, 1) // zero
	}
	e := uint16(exp + 32768)
	if !neg {
		dst = append(dst, 2)
		dst = binary.BigEndian.AppendUint16(dst, e)
		for _, c := range digits {
			dst = append(dst, c-'0'+1)
		}
		return append(dst, 0)
	}
	dst = append(dst, 0)
	dst = binary.BigEndian.AppendUint16(dst, ^e)
	for _, c := range digits {
		dst = append(dst, ^(c - '0' + 1))
	}
	return append(dst, 0xff)
}

// EncodeStringPrefix appends the key bytes shared by every value of string
// column c that starts with prefix (for LIKE 'prefix%' ranges): the non-NULL
// marker and the escaped, folded prefix without the terminator.
func EncodeStringPrefix(dst []byte, prefix []byte) []byte {
	dst = append(dst, 1)
	for _, b := range FoldString(nil, prefix) {
		if b == 0 {
			dst = append(dst, 0, 0xff)
			continue
		}
		dst = append(dst, b)
	}
	return dst
}
