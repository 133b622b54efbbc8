package server

import (
	"bytes"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// stats are the counters INFO reports. Guarded by Server.mu.
type stats struct {
	commands      int64
	connections   int64
	rejectedConns int64
	expiredKeys   int64
	evictedKeys   int64
	dirty         int64
	perCommand    map[*command.Spec]*cmdStats
	errors        map[string]int64
	totalErrors   int64
	netInput      int64
	netOutput     int64
}

// cmdStats is one command's line in INFO commandstats.
type cmdStats struct {
	calls, usec, rejected, failed int64
}

func (st *stats) cmd(spec *command.Spec) *cmdStats {
	if st.perCommand == nil {
		st.perCommand = make(map[*command.Spec]*cmdStats)
	}
	cs := st.perCommand[spec]
	if cs == nil {
		cs = &cmdStats{}
		st.perCommand[spec] = cs
	}
	return cs
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
