package server

import (
	"testing"
	"time"
)

func TestSpinGauge(t *testing.T) {
	var g spinGauge
	if g.spin() {
		t.Fatal("spins before any gap was seen")
	}
	short, long := spinBeforePark/10, 3*spinBeforePark
	g.idleEnded(short)
	if !g.spin() {
		t.Fatal("a short gap does not start spinning")
	}
	for range 100 {
		g.idleEnded(short)
	}
	for i := range 4 {
		if !g.spin() {
			t.Fatalf("stopped after %d long gaps following many short ones", i)
		}
		g.idleEnded(long)
	}
	if g.spin() {
		t.Fatal("still spins after 4 long gaps")
	}
	// One short gap in three is not enough to keep spinning; two in three is.
	for _, tc := range []struct {
		pattern []time.Duration
		spins   bool
	}{
		{[]time.Duration{short, long, long}, false},
		{[]time.Duration{short, short, long, long}, false},
		{[]time.Duration{short, short, short, long}, true},
	} {
		g = spinGauge{}
		spun := 0
		for range 30 {
			for _, gap := range tc.pattern {
				if g.spin() {
					spun++
				}
				g.idleEnded(gap)
			}
		}
		if total := 30 * len(tc.pattern); (spun > total/2) != tc.spins {
			t.Errorf("pattern %v: spun %d of %d waits", tc.pattern, spun, total)
		}
	}
}
