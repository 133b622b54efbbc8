// Package clock gives the servers cheap time: a monotonic cycle counter for
// measuring how long a command ran (commandstats, the slow log, latency
// monitoring) without a system call, calibrated against the wall clock once.
// On this project's virtual machines time.Now costs about 250 ns (no vDSO
// fast path), more than executing a GET, so hot paths read the clock once per
// batch and measure durations with Ticks.
//
// It imports nothing of tandem.
package clock
