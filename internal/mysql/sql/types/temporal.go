package types

import (
	"errors"
	"strconv"
	"time"
)

// ErrBadTemporal reports text that is not a date, datetime or time.
var ErrBadTemporal = errors.New("types: bad temporal value")

// Packed temporal layout in Value.n: year(14) month(4) day(5) hour(5) minute(6) second(6) micro(20).
const (
	shMicro  = 0
	shSecond = 20
	shMinute = 26
	shHour   = 32
	shDay    = 37
	shMonth  = 42
	shYear   = 46
)

func pack(y, mo, d, h, mi, s, us int) uint64 {
	return uint64(y)<<shYear | uint64(mo)<<shMonth | uint64(d)<<shDay | uint64(h)<<shHour |
		uint64(mi)<<shMinute | uint64(s)<<shSecond | uint64(us)<<shMicro
}

// NewDate returns a DATE value.
func NewDate(y, mo, d int) Value { return Value{k: KindDate, n: pack(y, mo, d, 0, 0, 0, 0)} }

// NewDatetime returns a DATETIME/TIMESTAMP value with fsp fractional digits.
func NewDatetime(y, mo, d, h, mi, s, us int, fsp uint8) Value {
	return Value{k: KindDatetime, frac: fsp, n: pack(y, mo, d, h, mi, s, us)}
}

// NewTimeValue returns a DATETIME value from a time.Time (its wall clock).
func NewTimeValue(t time.Time, fsp uint8) Value {
	us := t.Nanosecond() / 1000
	us = truncMicro(us, fsp)
	return NewDatetime(t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), us, fsp)
}

// NewDuration returns a TIME value.
func NewDuration(micros int64, fsp uint8) Value {
	return Value{k: KindTime, frac: fsp, n: uint64(micros)}
}

func truncMicro(us int, fsp uint8) int {
	p := 1
	for i := fsp; i < 6; i++ {
		p *= 10
	}
	return us / p * p
}

// DateTime returns the broken-down fields of a DATE or DATETIME value.
func (v Value) DateTime() (year, month, day, hour, minute, second, micro int) {
	n := v.n
	return int(n >> shYear), int(n >> shMonth & 15), int(n >> shDay & 31), int(n >> shHour & 31),
		int(n >> shMinute & 63), int(n >> shSecond & 63), int(n & (1<<20 - 1))
}

// Duration returns a TIME value's signed microseconds.
func (v Value) Duration() int64 { return int64(v.n) }

// Time converts a DATE/DATETIME to time.Time in loc.
func (v Value) Time(loc *time.Location) time.Time {
	y, mo, d, h, mi, s, us := v.DateTime()
	return time.Date(y, time.Month(mo), d, h, mi, s, us*1000, loc)
}

// Packed returns the ordered 64-bit packing of a temporal value (for keys and comparison).
func (v Value) Packed() uint64 { return v.n }

// FromPacked rebuilds a temporal value from Packed.
func FromPacked(k Kind, n uint64, frac uint8) Value { return Value{k: k, n: n, frac: frac} }

func (v Value) temporalNumber() float64 {
	y, mo, d, h, mi, s, us := v.DateTime()
	if v.k == KindDate {
		return float64(y*10000 + mo*100 + d)
	}
	f := float64(int64(y*10000+mo*100+d)*1000000 + int64(h*10000+mi*100+s))
	if v.frac > 0 {
		f += float64(us) / 1e6
	}
	return f
}

func appendPad(dst []byte, n, width int) []byte {
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func (v Value) appendDate(dst []byte) []byte {
	y, mo, d, _, _, _, _ := v.DateTime()
	dst = appendPad(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPad(dst, mo, 2)
	dst = append(dst, '-')
	return appendPad(dst, d, 2)
}

func appendFrac(dst []byte, us int, fsp uint8) []byte {
	if fsp == 0 {
		return dst
	}
	fsp = min(fsp, 6)
	var buf [6]byte
	for i := 5; i >= 0; i-- {
		buf[i] = byte('0' + us%10)
		us /= 10
	}
	dst = append(dst, '.')
	return append(dst, buf[:fsp]...)
}

func (v Value) appendDatetime(dst []byte) []byte {
	dst = v.appendDate(dst)
	_, _, _, h, mi, s, us := v.DateTime()
	dst = append(dst, ' ')
	dst = appendPad(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, s, 2)
	return appendFrac(dst, us, v.frac)
}

func (v Value) appendTime(dst []byte) []byte {
	t := int64(v.n)
	if t < 0 {
		dst = append(dst, '-')
		t = -t
	}
	us := int(t % 1e6)
	sec := t / 1e6
	dst = appendPad(dst, int(sec/3600), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int(sec/60%60), 2)
	dst = append(dst, ':')
	dst = appendPad(dst, int(sec%60), 2)
	return appendFrac(dst, us, v.frac)
}

// ParseDatetime parses 'YYYY-MM-DD[ hh:mm:ss[.frac]]' (also with 'T', and the
// compact YYYYMMDD[hhmmss] forms). dateOnly reports that no time part was given.
func ParseDatetime(s string) (y, mo, d, h, mi, sec, us int, dateOnly bool, err error) {
	i := 0
	num := func(maxDigits int) (int, bool) {
		start := i
		n := 0
		for i < len(s) && i-start < maxDigits && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			i++
		}
		return n, i > start
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	rest := s[i:]
	allDigits := len(rest) > 0
	for j := 0; j < len(rest); j++ {
		if rest[j] < '0' || rest[j] > '9' {
			allDigits = false
			break
		}
	}
	if allDigits && (len(rest) == 8 || len(rest) == 14) {
		y, _ = strconv.Atoi(rest[0:4])
		mo, _ = strconv.Atoi(rest[4:6])
		d, _ = strconv.Atoi(rest[6:8])
		dateOnly = len(rest) == 8
		if !dateOnly {
			h, _ = strconv.Atoi(rest[8:10])
			mi, _ = strconv.Atoi(rest[10:12])
			sec, _ = strconv.Atoi(rest[12:14])
		}
		return y, mo, d, h, mi, sec, 0, dateOnly, checkDatetime(y, mo, d, h, mi, sec)
	}
	var ok bool
	if y, ok = num(4); !ok {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	sep := func() bool {
		if i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == ':' || s[i] == '.') {
			i++
			return true
		}
		return false
	}
	if !sep() {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	if mo, ok = num(2); !ok || !sep() {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	if d, ok = num(2); !ok {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	if i >= len(s) || trimmedEmpty(s[i:]) {
		return y, mo, d, 0, 0, 0, 0, true, checkDatetime(y, mo, d, 0, 0, 0)
	}
	if s[i] != ' ' && s[i] != 'T' {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	for i < len(s) && (s[i] == ' ' || s[i] == 'T') {
		i++
	}
	if h, ok = num(2); !ok {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	if sep() {
		mi, _ = num(2)
		if sep() {
			sec, _ = num(2)
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		frac, _ := num(6)
		for k := i - start; k < 6; k++ {
			frac *= 10
		}
		us = frac
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if !trimmedEmpty(s[i:]) {
		return 0, 0, 0, 0, 0, 0, 0, false, ErrBadTemporal
	}
	return y, mo, d, h, mi, sec, us, false, checkDatetime(y, mo, d, h, mi, sec)
}

func trimmedEmpty(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			return false
		}
	}
	return true
}

func checkDatetime(y, mo, d, h, mi, s int) error {
	if y == 0 && mo == 0 && d == 0 {
		if h > 23 || mi > 59 || s > 59 {
			return ErrBadTemporal
		}
		return nil // zero date; sql_mode decides whether it is allowed
	}
	if mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo) || h > 23 || mi > 59 || s > 59 {
		return ErrBadTemporal
	}
	return nil
}

// DaysIn returns the number of days of month mo in year y.
func DaysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
