package clock

// haveTicks: on amd64 the time stamp counter is invariant on every CPU this
// project runs on (the kernel's clocksource is "tsc").
const haveTicks = true

// ticks reads the CPU's time stamp counter.
func ticks() int64
