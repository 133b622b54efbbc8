package clock

import (
	"testing"
	"time"
)

func TestTicksMeasureSleep(t *testing.T) {
	Calibrate()
	start := Ticks()
	time.Sleep(30 * time.Millisecond)
	d := Since(start)
	if d < 25*time.Millisecond || d > 500*time.Millisecond {
		t.Fatalf("measured %v for a 30ms sleep", d)
	}
}

func TestTicksMonotonic(t *testing.T) {
	prev := Ticks()
	for i := 0; i < 100000; i++ {
		now := Ticks()
		if now < prev {
			t.Fatalf("ticks went back: %d < %d", now, prev)
		}
		prev = now
	}
}

func BenchmarkTicks(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Ticks()
	}
}
