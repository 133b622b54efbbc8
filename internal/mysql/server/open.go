package server

import (
	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql"
)

// NewWithEngine builds the executor on eng and a Server on it; the server's
// counters (Threads_connected, Questions, Uptime, ...) appear in SHOW STATUS,
// and Shutdown/Close close eng after the last connection ends.
func NewWithEngine(cfg Config, eng engine.Engine) (*Server, error) {
	var srv *Server
	exec, err := sql.NewExecutor(eng, sql.Options{Stats: func() map[string]uint64 {
		status := srv.Status()
		for k, v := range eng.Stats() {
			status[k] = v
		}
		return status
	}})
	if err != nil {
		return nil, err
	}
	srv = New(cfg, exec)
	srv.onClose = eng.Close
	return srv, nil
}
