package command

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tandem-db/tandem/internal/redis/ds/zset"
)

func TestParseRangeScore(t *testing.T) {
	for _, tc := range []struct {
		in     string
		f      float64
		ex, ok bool
	}{
		{"1.5", 1.5, false, true},
		{"(1.5", 1.5, true, true},
		{"-inf", math.Inf(-1), false, true},
		{"(+inf", math.Inf(1), true, true},
		{"", 0, false, true},   // strtod of "" converts nothing and ends at the terminator
		{"(", 0, true, true},   // likewise
		{" 2", 2, false, true}, // strtod skips leading spaces
		{"1e400", math.Inf(1), false, true},
		{"abc", 0, false, false},
		{"nan", 0, false, false},
		{"1 ", 0, false, false},
	} {
		f, ex, ok := parseRangeScore([]byte(tc.in))
		if ok != tc.ok || (ok && (f != tc.f || ex != tc.ex)) {
			t.Errorf("%q: got %v %v %v, want %v %v %v", tc.in, f, ex, ok, tc.f, tc.ex, tc.ok)
		}
	}
}

func TestRankWindow(t *testing.T) {
	for _, tc := range []struct {
		start, end int64
		n, lo, hi  int
	}{
		{0, -1, 5, 0, 5}, {-2, -1, 5, 3, 5}, {3, 1, 5, 0, 0}, {-100, 100, 5, 0, 5}, {5, 10, 5, 0, 0}, {0, 0, 0, 0, 0},
	} {
		lo, hi := rankWindow(tc.start, tc.end, tc.n)
		if hi-lo != tc.hi-tc.lo || (hi > lo && lo != tc.lo) {
			t.Errorf("%+v: got [%d,%d)", tc, lo, hi)
		}
	}
}

func TestCollectRangeLimit(t *testing.T) {
	z := zset.New()
	cfg := zset.DefaultConfig()
	for i := 0; i < 10; i++ {
		z.Add(fmt.Sprint(i), float64(i), cfg)
	}
	got := func(items []scored) string {
		s := ""
		for _, it := range items {
			s += it.member
		}
		return s
	}
	for _, tc := range []struct {
		rev           bool
		offset, limit int64
		want          string
	}{
		{false, 0, -1, "0123456789"}, {false, 2, 3, "234"}, {true, 2, 3, "765"}, {false, -1, 3, ""},
		{false, 0, 0, ""}, {false, 12, 1, ""}, {true, 8, 5, "10"},
	} {
		if s := got(collectRange(z, 0, 10, tc.rev, tc.offset, tc.limit)); s != tc.want {
			t.Errorf("%+v: got %q", tc, s)
		}
	}
}

// TestScanByHashGuarantee scans a large set while members come and go: every
// member present for the whole scan must be returned.
func TestScanByHashGuarantee(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	cfg := zset.DefaultConfig()
	z := zset.New()
	for i := 0; i < 3000; i++ {
		z.Add(fmt.Sprintf("stable:%d", i), float64(i), cfg)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for calls := 0; ; calls++ {
		items, next := scanByHash(z, cursor, 1+rng.IntN(50))
		for _, it := range items {
			seen[it.member] = true
		}
		for k := 0; k < 20; k++ {
			m := fmt.Sprintf("churn:%d", rng.IntN(2000))
			if rng.IntN(2) == 0 {
				z.Add(m, rng.Float64(), cfg)
			} else {
				z.Remove(m)
			}
		}
		if next == 0 {
			break
		}
		if next <= cursor || calls > 100000 {
			t.Fatalf("cursor did not advance: %d -> %d", cursor, next)
		}
		cursor = next
	}
	for i := 0; i < 3000; i++ {
		if !seen[fmt.Sprintf("stable:%d", i)] {
			t.Fatalf("stable:%d never returned", i)
		}
	}
}
