package resp

import (
	"math"
	"strconv"
)

// Writer appends replies to Buf. Proto is 2 or 3; RESP3-only types are
// downgraded for RESP2 clients as Redis does (maps become flat arrays,
// doubles bulk strings, null the nil bulk or nil array, booleans integers).
type Writer struct {
	Buf   []byte
	Proto int
	// Limit, when positive, is the size past which a reply that can grow
	// without bound (KEYS, a random-member command with a huge negative
	// count) stops early, see Full: the client's output buffer hard
	// limit, which makes the server close the connection anyway.
	Limit int
}

// Full reports whether the buffer reached Limit.
func (w *Writer) Full() bool { return w.Limit > 0 && len(w.Buf) >= w.Limit }

// Len is the number of buffered bytes.
func (w *Writer) Len() int { return len(w.Buf) }

// Reset empties the buffer, keeping its memory.
func (w *Writer) Reset() { w.Buf = w.Buf[:0] }

// SimpleString writes +s.
func (w *Writer) SimpleString(s string) {
	w.Buf = append(w.Buf, '+')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// OK writes +OK.
func (w *Writer) OK() { w.Buf = append(w.Buf, "+OK\r\n"...) }

// Error writes -msg. msg must start with an error code ("ERR ...",
// "WRONGTYPE ..."); newlines are replaced so the reply stays one line.
func (w *Writer) Error(msg string) {
	w.Buf = append(w.Buf, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.Buf = append(w.Buf, c)
	}
	w.Buf = append(w.Buf, '\r', '\n')
}

// Int writes :n.
func (w *Writer) Int(n int64) {
	if n >= 0 && n < 10 {
		w.Buf = append(w.Buf, ':', byte('0'+n), '\r', '\n')
		return
	}
	w.Buf = append(w.Buf, ':')
	w.Buf = strconv.AppendInt(w.Buf, n, 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// IntDigits writes :digits for an integer the caller already formatted
// in decimal (INCR stores the same text it replies with).
func (w *Writer) IntDigits(digits []byte) {
	w.Buf = append(w.Buf, ':')
	w.Buf = append(w.Buf, digits...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', len(b))
	w.Buf = append(w.Buf, b...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', len(s))
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BulkInt writes n as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [24]byte
	w.Bulk(strconv.AppendInt(tmp[:0], n, 10))
}

// Null writes the null bulk string ($-1, or _ in RESP3).
func (w *Writer) Null() {
	if w.Proto == 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "$-1\r\n"...)
}

// NullArray writes the null array (*-1, or _ in RESP3).
func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.Buf = append(w.Buf, "_\r\n"...)
		return
	}
	w.Buf = append(w.Buf, "*-1\r\n"...)
}

// Array starts an array of n elements.
func (w *Writer) Array(n int) { w.header('*', n) }

// Map starts a map of n key/value pairs (a flat array of 2n in RESP2).
func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.header('%', n)
		return
	}
	w.header('*', 2*n)
}

// Set starts a set of n elements (an array in RESP2).
func (w *Writer) Set(n int) {
	if w.Proto == 3 {
		w.header('~', n)
		return
	}
	w.header('*', n)
}

// Push starts a push message of n elements (an array in RESP2).
func (w *Writer) Push(n int) {
	if w.Proto == 3 {
		w.header('>', n)
		return
	}
	w.header('*', n)
}

// Double writes a double as Redis 7.0 does: %.17g, inf and -inf; a bulk
// string in RESP2.
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	s := AppendDouble(tmp[:0], f)
	if w.Proto == 3 {
		w.Buf = append(w.Buf, ',')
		w.Buf = append(w.Buf, s...)
		w.Buf = append(w.Buf, '\r', '\n')
		return
	}
	w.Bulk(s)
}

// Bool writes #t/#f in RESP3 and :1/:0 in RESP2.
func (w *Writer) Bool(b bool) {
	if w.Proto == 3 {
		if b {
			w.Buf = append(w.Buf, "#t\r\n"...)
		} else {
			w.Buf = append(w.Buf, "#f\r\n"...)
		}
		return
	}
	if b {
		w.Int(1)
	} else {
		w.Int(0)
	}
}

// Verbatim writes a verbatim string with a three-letter format ("txt")
// in RESP3 and a plain bulk string in RESP2.
func (w *Writer) Verbatim(format string, s []byte) {
	if w.Proto != 3 {
		w.Bulk(s)
		return
	}
	w.header('=', len(s)+4)
	w.Buf = append(w.Buf, format...)
	w.Buf = append(w.Buf, ':')
	w.Buf = append(w.Buf, s...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// BigNumber writes a RESP3 big number (a bulk string in RESP2).
func (w *Writer) BigNumber(digits string) {
	if w.Proto != 3 {
		w.BulkString(digits)
		return
	}
	w.Buf = append(w.Buf, '(')
	w.Buf = append(w.Buf, digits...)
	w.Buf = append(w.Buf, '\r', '\n')
}

// Raw appends already encoded protocol.
func (w *Writer) Raw(b []byte) { w.Buf = append(w.Buf, b...) }

func (w *Writer) header(kind byte, n int) {
	w.Buf = append(w.Buf, kind)
	if n >= 0 && n < 10 {
		w.Buf = append(w.Buf, byte('0'+n), '\r', '\n')
		return
	}
	w.Buf = strconv.AppendInt(w.Buf, int64(n), 10)
	w.Buf = append(w.Buf, '\r', '\n')
}

// AppendDouble formats f as Redis 7.0 prints doubles in replies ("%.17g",
// "inf", "-inf").
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// AppendHumanDouble formats f as INCRBYFLOAT and HINCRBYFLOAT print their
// result: fixed notation without exponent and without trailing zeros. Redis
// computes in long double and prints 17 digits; the shortest float64 form
// that round-trips gives the same text for the values clients use.
func AppendHumanDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}
