package server

import (
	"bytes"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// stats are the counters INFO reports. Guarded by Server.mu.
type stats struct {
	commands       int64
	connections    int64
	rejectedConns  int64
	expiredKeys    int64
	evictedKeys    int64
	evictedClients int64 // closed by maxmemory-clients
	dirty          int64
	perCommand     []*cmdStats // by command.Spec.ID
	errors         map[string]int64
	totalErrors    int64
	netInput       int64
	netOutput      int64
	reads          int64 // socket reads (total_reads_processed)
	writes         int64 // socket writes (total_writes_processed)

	// evictExceededSince is when used memory was last found above maxmemory
	// after an eviction pass (unix ms, 0 while under it); evictExceeded sums
	// the ms of the periods that ended (INFO *_eviction_exceeded_time).
	evictExceededSince int64
	evictExceeded      int64
}

// wrote counts a socket write of n bytes; nothing is written when n is 0.
func (st *stats) wrote(n int) {
	if n > 0 {
		st.netOutput += int64(n)
		st.writes++
	}
}

// evictionPass records the outcome of a maxmemory check at now (unix ms), as
// Redis' performEvictions updates its metrics: a period over the limit starts
// at the first pass that could not get under it and ends at the first that
// finds memory under it.
func (st *stats) evictionPass(underLimit bool, now int64) {
	switch {
	case !underLimit && st.evictExceededSince == 0:
		st.evictExceededSince = now
	case underLimit && st.evictExceededSince != 0:
		st.evictExceeded += now - st.evictExceededSince
		st.evictExceededSince = 0
	}
}

// evictionExceeded returns the total and the current time (ms) spent over
// maxmemory, the current period included in the total.
func (st *stats) evictionExceeded(now int64) (total, current int64) {
	if st.evictExceededSince != 0 {
		current = now - st.evictExceededSince
	}
	return st.evictExceeded + current, current
}

// cmdStats is one command's line in INFO commandstats.
type cmdStats struct {
	spec                          *command.Spec
	calls, usec, rejected, failed int64
	// hist is the latency histogram (latency-tracking), nil before the
	// first tracked call.
	hist *latencyHistogram
}

// cmd is spec's counters, indexed by its dense ID: no map lookup per call.
func (st *stats) cmd(spec *command.Spec) *cmdStats {
	id := spec.ID()
	if id >= len(st.perCommand) {
		st.perCommand = append(st.perCommand, make([]*cmdStats, id+1-len(st.perCommand))...)
	}
	cs := st.perCommand[id]
	if cs == nil {
		cs = &cmdStats{spec: spec}
		st.perCommand[id] = cs
	}
	return cs
}

// hist is spec's latency histogram, nil if none was recorded.
func (st *stats) hist(spec *command.Spec) *latencyHistogram {
	if id := spec.ID(); id < len(st.perCommand) && st.perCommand[id] != nil {
		return st.perCommand[id].hist
	}
	return nil
}

// histSpecs lists the commands that have a latency histogram.
func (st *stats) histSpecs() []*command.Spec {
	var out []*command.Spec
	for _, cs := range st.perCommand {
		if cs != nil && cs.hist != nil {
			out = append(out, cs.spec)
		}
	}
	return out
}

func (st *stats) addError(code string) {
	if st.errors == nil {
		st.errors = make(map[string]int64)
	}
	st.errors[code]++
	st.totalErrors++
}

// countErrorReply counts an error reply found at the start of out (the
// reply a command just wrote) by its code, as INFO errorstats does.
func (st *stats) countErrorReply(out []byte) bool {
	if len(out) == 0 || out[0] != '-' {
		return false
	}
	end := bytes.IndexAny(out, " \r")
	if end < 0 {
		end = len(out)
	}
	code := string(out[1:end])
	st.addError(code)
	return true
}

func (st *stats) reset() {
	*st = stats{connections: st.connections}
}
