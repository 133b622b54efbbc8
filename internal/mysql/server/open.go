package server

import (
	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql"
)

// OpenOptions are what cmd/tandem hands the SQL server: its network and
// session settings, and the storage engine's (--dir, --innodb-page-size,
// --innodb-buffer-pool-size).
type OpenOptions struct {
	Config
	Dir            string // data root; the engine keeps its files under Dir/mysql
	PageSize       int    // 0 means 16 KB
	BufferPoolSize int64  // 0 means 128 MB
	// FlushLogAtTrxCommit is innodb_flush_log_at_trx_commit (1, the
	// default: every commit is on disk when acknowledged; 0 and 2 as MySQL).
	FlushLogAtTrxCommit int
}

// Open opens (or creates, or recovers) the storage engine under opts.Dir
// and returns a Server on it. Serve or ListenAndServe starts it; Shutdown
// or Close also closes the engine.
func Open(opts OpenOptions) (*Server, error) {
	eng, err := engine.Open(engine.Options{Dir: opts.Dir, PageSize: opts.PageSize, BufferPoolSize: opts.BufferPoolSize,
		FlushLogAtTrxCommit: engine.FlushPolicyFor(opts.FlushLogAtTrxCommit)})
	if err != nil {
		return nil, err
	}
	srv, err := NewWithEngine(opts.Config, eng)
	if err != nil {
		eng.Close()
		return nil, err
	}
	return srv, nil
}

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
	},
		Processes: func() []sql.Process { return srv.Processes() },
		Kill:      func(id uint64, query bool) bool { return srv.Kill(id, query) },
	})
	if err != nil {
		return nil, err
	}
	srv = New(cfg, exec)
	srv.onClose = eng.Close
	return srv, nil
}
