package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/shared/clock"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("kv server closed")

// Server is a KV server. Create it with New, run it with Serve.
type Server struct {
	cfg   *Config
	log   *slog.Logger
	table *command.Table
	start time.Time
	runID string

	// mu is the execution lock: every command, every change to shared
	// client state (pub/sub, blocking, WATCH) happens while holding it.
	mu       sync.Mutex
	nowMs    int64 // the time commands see: read once per batch (see tick)
	ks       *keyspace.Keyspace
	settings command.Settings
	clients  map[int64]*client
	nextID   int64
	pubsub   pubsubRegistry
	blocking blockRegistry
	watch    watchRegistry
	stats    stats
	slowlog  slowlog
	monitors map[*client]struct{}
	loops    []*loop // set once, by the first Serve
	// clientsMem is the sum of the clients' memory (clientmem.go); past
	// maxmemory-clients, clients are evicted.
	clientsMem int64
	admin      *admin // latency tracking, INFO, CONFIG and the other introspection state
	prop       propagation
	paused     pauseState

	listenMu  sync.Mutex
	listeners map[net.Listener]struct{}
	closing   atomic.Bool
	done      chan struct{}
	wg        sync.WaitGroup
	cronOnce  sync.Once

	// ShutdownRequested is closed when a client sends SHUTDOWN.
	ShutdownRequested chan struct{}
	shutdownOnce      sync.Once
}

// New builds a server from a configuration.
func New(cfg *Config, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{
		cfg:               cfg,
		log:               log,
		start:             time.Now(),
		runID:             newRunID(),
		clients:           make(map[int64]*client),
		listeners:         make(map[net.Listener]struct{}),
		done:              make(chan struct{}),
		monitors:          make(map[*client]struct{}),
		ShutdownRequested: make(chan struct{}),
	}
	s.nowMs = nowMillis()
	s.ks = keyspace.New(keyspace.Options{Databases: cfg.Databases, Now: func() int64 { return s.nowMs }})
	s.ks.SetHooks(s.onExpire, s.onEvict)
	// Read misses and added keys, for the m and n classes of notify-keyspace-events.
	s.ks.SetAccessHooks(s.onKeyMiss, s.onKeyNew)
	s.paused.s = s
	s.applyConfigLocked()
	clock.Calibrate()
	s.table = command.NewTable()
	s.registerFamilies()
	s.pubsub.init()
	s.blocking.init()
	s.watch.init()
	s.slowlog.init()
	if cfg.IOThreads > 0 && cfg.IOThreads < runtime.NumCPU() {
		runtime.GOMAXPROCS(cfg.IOThreads)
	}
	return s
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// tick sets the time the next commands see; called with s.mu held, once
// per batch, because reading the clock costs more than a GET here.
func (s *Server) tick(now time.Time) { s.nowMs = now.UnixMilli() }

// applyConfigLocked copies configuration into the structures that use it.
func (s *Server) applyConfigLocked() {
	s.settings.ProtoMaxBulkLen = s.cfg.ProtoMaxBulkLen
	s.settings.MaxMemory = s.cfg.MaxMemory
	s.settings.NoCompression = !s.cfg.RDBCompression
	cl := &s.settings.Collections
	cl.Hash.MaxListpackEntries = s.cfg.HashMaxListpackEntries
	cl.Hash.MaxListpackValue = s.cfg.HashMaxListpackValue
	cl.List.MaxPackSize = s.cfg.ListMaxListpackSize
	cl.Set.MaxIntsetEntries = s.cfg.SetMaxIntsetEntries
	so := &s.settings.Sorted
	so.ZSet.MaxListpackEntries = s.cfg.ZSetMaxListpackEntries
	so.ZSet.MaxListpackValue = s.cfg.ZSetMaxListpackValue
	so.HLL.SparseMaxBytes = s.cfg.HLLSparseMaxBytes
	_ = s.ks.SetMaxmemoryPolicy(s.cfg.MaxMemoryPolicy)
	s.ks.SetLFUParams(s.cfg.LFULogFactor, s.cfg.LFUDecayTime)
	s.ks.SetMaxmemorySamples(s.cfg.MaxMemorySamples)
	s.evictClientsLocked() // a lower maxmemory-clients applies at once
}

// Table is the command table (for tests and tools).
func (s *Server) Table() *command.Table { return s.table }

// Serve accepts connections on l until Shutdown. It always returns a
// non-nil error; after Shutdown, ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	s.listenMu.Lock()
	s.listeners[l] = struct{}{}
	s.listenMu.Unlock()
	defer func() {
		s.listenMu.Lock()
		delete(s.listeners, l)
		s.listenMu.Unlock()
	}()
	var startErr error
	s.cronOnce.Do(func() {
		startErr = s.startLoops()
		s.wg.Add(1)
		go s.cron()
	})
	if startErr != nil {
		return startErr
	}
	if len(s.loops) == 0 {
		return errors.New("kv server: event loops failed to start")
	}
	var backoff time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if backoff == 0 {
					backoff = 5 * time.Millisecond
				} else if backoff < time.Second {
					backoff *= 2
				}
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s.admitClient(conn)
	}
}

// startLoops starts io-threads event loops.
func (s *Server) startLoops() error {
	n := max(s.cfg.IOThreads, 1)
	loops := make([]*loop, 0, n)
	for range n {
		l, err := newLoop(s)
		if err != nil {
			for _, l := range loops {
				l.close()
			}
			return err
		}
		loops = append(loops, l)
	}
	s.mu.Lock()
	s.loops = loops
	s.mu.Unlock()
	for _, l := range loops {
		s.wg.Add(1)
		go l.run()
	}
	return nil
}

// Shutdown stops accepting, closes every client connection and waits for
// the event loops to end, or until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.closing.CompareAndSwap(false, true) {
		return nil
	}
	close(s.done)
	s.listenMu.Lock()
	for l := range s.listeners {
		l.Close()
	}
	s.listenMu.Unlock()
	s.mu.Lock()
	for _, c := range s.clients {
		c.closeLocked()
	}
	for _, l := range s.loops {
		l.wake() // a loop without clients ends
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// requestShutdown is SHUTDOWN's effect: the owner of the server (cmd/tandem
// or a test) watches ShutdownRequested and calls Shutdown.
func (s *Server) requestShutdown() {
	s.shutdownOnce.Do(func() { close(s.ShutdownRequested) })
}

// cron runs the periodic work: active expiry and client timeouts, hz
// times per second under the execution lock, each run under a budget.
func (s *Server) cron() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		hz := s.cfg.Hz
		s.mu.Unlock()
		if hz <= 0 {
			hz = 10
		}
		t := time.NewTimer(time.Second / time.Duration(hz))
		select {
		case <-s.done:
			t.Stop()
			return
		case <-t.C:
		}
		s.mu.Lock()
		s.tick(time.Now())
		s.paused.on() // a pause whose time is up ends here when no command comes
		if s.cfg.ActiveExpireEnabled {
			// Redis spends at most 25% of a cron period on active expiry.
			s.ks.ActiveExpireCycle(time.Second / time.Duration(hz) / 4)
		}
		s.clientsCronLocked()
		s.admin.trackMemoryPeak()
		s.ks.CommandDone()
		s.mu.Unlock()
	}
}

// onExpire is called by the keyspace for every key it expires.
func (s *Server) onExpire(db int, key []byte) {
	s.stats.expiredKeys++
	s.Notify(db, 'x', "expired", key)
	s.KeyModified(db, key)
	s.prop.append(db, [][]byte{[]byte("DEL"), append([]byte(nil), key...)})
}

// onEvict is called by the keyspace for every key it evicts.
func (s *Server) onEvict(db int, key []byte) {
	s.stats.evictedKeys++
	s.Notify(db, 'e', "evicted", key)
	s.KeyModified(db, key)
	s.prop.append(db, [][]byte{[]byte("DEL"), append([]byte(nil), key...)})
}

// KeyModified implements command.Hooks.
func (s *Server) KeyModified(db int, key []byte) {
	s.watch.touch(db, key)
	s.blocking.signal(db, key)
}
