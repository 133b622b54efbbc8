package keyspace

// String encodings reported by OBJECT ENCODING, chosen as Redis' tryObjectEncoding does for a
// value written by SET and friends.
const (
	encInt    = 0
	encEmbstr = 1
	encRaw    = 2

	embstrMaxLen = 44
)

var encodingNames = [...]string{encInt: "int", encEmbstr: "embstr", encRaw: "raw"}

// stringEncoding is the encoding Redis gives a freshly set string value.
func stringEncoding(b []byte) uint8 {
	if isCanonicalInt64(b) {
		return encInt
	}
	if len(b) <= embstrMaxLen {
		return encEmbstr
	}
	return encRaw
}

// isCanonicalInt64 reports whether b is the shortest decimal form of an int64 (what
// Redis' string2ll accepts: no sign '+', no leading zeros, no "-0", no spaces).
func isCanonicalInt64(b []byte) bool {
	_, ok := parseCanonicalInt64(b)
	return ok
}

// parseCanonicalInt64 parses b when isCanonicalInt64 holds.
func parseCanonicalInt64(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	i := 0
	neg := false
	if b[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] == '0' {
		return 0, n == 1 // "0" only; "-0", "01" are not canonical
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		return -int64(v), v <= 1<<63
	}
	return int64(v), v <= 1<<63-1
}
