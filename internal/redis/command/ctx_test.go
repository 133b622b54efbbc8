package command

import (
	"math"
	"strconv"
	"testing"
)

// TestParseFloat checks the integer fast path against the general one:
// every input parses to the same double, or fails in both.
func TestParseFloat(t *testing.T) {
	for _, in := range []string{"0", "-0", "1", "-1", "007", "+1", "1.5", "1e3", "inf", "-inf", "nan", " 1", "1 ",
		"9007199254740991", "9007199254740992", "9007199254740993", "-9007199254740993", "18446744073709551616",
		"9223372036854775807", "-9223372036854775808", "12345678901234567890123", "0x10", ""} {
		got, ok := ParseFloat([]byte(in))
		want, err := strconv.ParseFloat(in, 64)
		wantOK := err == nil && !math.IsNaN(want) && in != "" && in[0] != ' ' && in[len(in)-1] != ' '
		if ok != wantOK || (ok && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", in, got, ok, want, wantOK)
		}
	}
}
