package clock

import (
	"sync"
	"time"
)

var (
	calibrateOnce sync.Once
	nsPerTick     float64
)

// calibrate measures the tick rate against the monotonic clock.
func calibrate() {
	if !haveTicks {
		nsPerTick = 1
		return
	}
	t0, c0 := time.Now(), ticks()
	time.Sleep(20 * time.Millisecond)
	t1, c1 := time.Now(), ticks()
	if c1 <= c0 {
		nsPerTick = 0
		return
	}
	nsPerTick = float64(t1.Sub(t0).Nanoseconds()) / float64(c1-c0)
}

// Ticks returns a monotonic counter for measuring short durations; convert
// a difference with Since or ToDuration.
func Ticks() int64 {
	if !haveTicks {
		return time.Now().UnixNano()
	}
	return ticks()
}

// ToDuration converts a difference of Ticks values to a duration.
func ToDuration(delta int64) time.Duration {
	calibrateOnce.Do(calibrate)
	if nsPerTick == 0 {
		return 0
	}
	return time.Duration(float64(delta) * nsPerTick)
}

// Since is the time elapsed since the Ticks value start.
func Since(start int64) time.Duration { return ToDuration(Ticks() - start) }

// Calibrate runs the calibration now (it otherwise happens on first use).
func Calibrate() { calibrateOnce.Do(calibrate) }
