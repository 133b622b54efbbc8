package command

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCountBitsModel compares countBits with a bit-by-bit count.
func TestCountBitsModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for i := 0; i < 2000; i++ {
		b := make([]byte, 1+rng.IntN(20))
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		lo := int64(rng.IntN(len(b) * 8))
		hi := lo + int64(rng.IntN(len(b)*8-int(lo)))
		var want int64
		for p := lo; p <= hi; p++ {
			want += int64(b[p/8] >> (7 - p%8) & 1)
		}
		if got := countBits(b, lo, hi); got != want {
			t.Fatalf("%x [%d,%d]: %d want %d", b, lo, hi, got, want)
		}
	}
}

func TestBitRange(t *testing.T) {
	for _, tc := range []struct {
		start, end int64
		isBit      bool
		n          int
		lo, hi     int64
		empty      bool
	}{
		{0, -1, false, 3, 0, 23, false},
		{1, 1, false, 3, 8, 15, false},
		{5, 30, true, 3, 5, 23, false},
		{-1, -2, false, 3, 0, 0, true},
		{3, 2, false, 3, 0, 0, true},
		{-100, 100, true, 1, 0, 7, false},
	} {
		lo, hi, empty := bitRange(tc.start, tc.end, tc.isBit, tc.n)
		if empty != tc.empty || (!empty && (lo != tc.lo || hi != tc.hi)) {
			t.Errorf("%+v: got %d %d %v", tc, lo, hi, empty)
		}
	}
}

func TestBitfieldOverflow(t *testing.T) {
	for _, tc := range []struct {
		v, incr int64
		bits    int
		ovf     int
		limit   uint64
		over    bool
	}{
		{255, 1, 8, ovfWrap, 0, true},
		{255, 1, 8, ovfSat, 255, true},
		{0, -1, 8, ovfSat, 0, true},
		{0, -1, 8, ovfWrap, 255, true},
		{100, 10, 8, ovfFail, 0, false},
	} {
		l, o := unsignedOverflow(uint64(tc.v), tc.incr, tc.bits, tc.ovf)
		if o != tc.over || (o && tc.ovf != ovfFail && l != tc.limit) {
			t.Errorf("unsigned %+v: got %d %v", tc, l, o)
		}
	}
	for _, tc := range []struct {
		v, incr int64
		bits    int
		ovf     int
		limit   int64
		over    bool
	}{
		{127, 1, 8, ovfWrap, -128, true},
		{127, 1, 8, ovfSat, 127, true},
		{-128, -1, 8, ovfSat, -128, true},
		{-100, -100, 8, ovfWrap, 56, true},
		{math.MaxInt64, 1, 64, ovfSat, math.MaxInt64, true},
		{math.MaxInt64, 1, 64, ovfWrap, math.MinInt64, true},
		{math.MinInt64, -1, 64, ovfSat, math.MinInt64, true},
		{5, -3, 4, ovfFail, 0, false},
	} {
		l, o := signedOverflow(tc.v, tc.incr, tc.bits, tc.ovf)
		if o != tc.over || (o && tc.ovf != ovfFail && l != tc.limit) {
			t.Errorf("signed %+v: got %d %v", tc, l, o)
		}
	}
}

func TestBitfieldFieldsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 2000; i++ {
		b := make([]byte, 20)
		bits := 1 + rng.IntN(64)
		off := uint64(rng.IntN(80))
		v := rng.Uint64()
		if bits < 64 {
			v &= 1<<bits - 1
		}
		setField(b, off, bits, v)
		if got := getUnsignedField(b, off, bits); got != v {
			t.Fatalf("u%d at %d: %x want %x", bits, off, got, v)
		}
		s := getSignedField(b, off, bits)
		if bits < 64 && uint64(s)&(1<<bits-1) != v {
			t.Fatalf("i%d at %d: %d from %x", bits, off, s, v)
		}
	}
}
