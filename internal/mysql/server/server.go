package server

import (
	"cmp"
	"context"
	"crypto/rsa"
	"errors"
	"log/slog"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/sql"
	"github.com/tandem-db/tandem/internal/mysql/wire"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("mysql server: Server closed")

// Config configures a Server. The zero value is usable: MySQL's defaults.
type Config struct {
	// Addr is where ListenAndServe listens ("127.0.0.1:3306" when empty).
	Addr string
	// RootPassword is root's password; empty means root logs in without one,
	// and then only from loopback addresses.
	RootPassword string
	// AuthPlugin is the plugin the greeting proposes: mysql_native_password
	// (the default) or caching_sha2_password (MySQL 8's default). With
	// caching_sha2_password the first login after start is a full
	// authentication: the password in clear on a unix socket, RSA-encrypted
	// on TCP (tandem has no TLS; the key pair is generated on first need);
	// later logins take the fast path against the cached digest.
	AuthPlugin string
	// MaxConnections is max_connections (151 when zero).
	MaxConnections int
	// MaxAllowedPacket is max_allowed_packet (64 MB when zero).
	MaxAllowedPacket int
	// Logger receives connection-level errors (slog.Default() when nil).
	Logger *slog.Logger
}

// Server serves the MySQL protocol on listeners, running statements on one
// Executor.
type Server struct {
	cfg     Config
	exec    *sql.Executor
	log     *slog.Logger
	started time.Time

	baseCtx    context.Context
	cancelBase context.CancelFunc

	nextConnID  atomic.Uint32
	connections atomic.Uint64 // Connections: attempts since start
	questions   atomic.Uint64 // Questions: statements received
	aborted     atomic.Uint64 // Aborted_connects
	running     atomic.Int64  // Threads_running
	maxUsed     atomic.Int64  // Max_used_connections

	// onClose runs once after the last connection ends in Shutdown/Close
	// (Open uses it to close the engine).
	onClose func() error

	mu struct {
		sync.Mutex
		closed    bool
		listeners map[net.Listener]struct{}
		conns     map[*conn]struct{}
		// sha2Digests is caching_sha2_password's cache: SHA256(SHA256(pw))
		// per user, filled by full authentications since start.
		sha2Digests map[string][32]byte
	}
	// sha2RSA is the key pair for caching_sha2_password's full
	// authentication on TCP, generated on first need.
	sha2RSA struct {
		once sync.Once
		key  *rsa.PrivateKey
		pem  []byte
		err  error
	}
	connsDone sync.WaitGroup
}

// New returns a Server that runs statements on exec.
func New(cfg Config, exec *sql.Executor) *Server {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:3306"
	}
	if cfg.AuthPlugin != wire.CachingSHA2Password {
		cfg.AuthPlugin = wire.NativePassword
	}
	if cfg.MaxConnections == 0 {
		cfg.MaxConnections = 151
	}
	if cfg.MaxAllowedPacket == 0 {
		cfg.MaxAllowedPacket = wire.DefaultMaxAllowedPacket
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, exec: exec, log: cfg.Logger, started: time.Now()}
	s.baseCtx, s.cancelBase = context.WithCancel(context.Background())
	s.mu.listeners = make(map[net.Listener]struct{})
	s.mu.conns = make(map[*conn]struct{})
	s.mu.sha2Digests = make(map[string][32]byte)
	return s
}

// sha2Cached returns the caching_sha2_password digest cached for user.
func (s *Server) sha2Cached(user string) ([32]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.mu.sha2Digests[user]
	return d, ok
}

// sha2Cache caches user's digest after a successful full authentication.
func (s *Server) sha2Cache(user string, digest [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.sha2Digests[user] = digest
}

// sha2Keys returns the RSA key pair (and the public key in PEM) for
// caching_sha2_password on insecure transports, generating it once.
func (s *Server) sha2Keys() (*rsa.PrivateKey, []byte, error) {
	k := &s.sha2RSA
	k.once.Do(func() { k.key, k.pem, k.err = wire.NewSHA2KeyPair() })
	return k.key, k.pem, k.err
}

// ListenAndServe listens on cfg.Addr and serves.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l until Shutdown or Close, and then returns
// ErrServerClosed. It closes l.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.mu.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.mu.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(true)
		}
		c := s.newConn(nc)
		if c == nil {
			continue
		}
		go c.serve()
	}
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.closed
}

// newConn registers a connection; it returns nil (and closes nc) when the
// server is closing.
func (s *Server) newConn(nc net.Conn) *conn {
	s.connections.Add(1)
	c := &conn{srv: s, pc: wire.NewConn(nc), id: s.nextConnID.Add(1)}
	c.ctx, c.cancel = context.WithCancel(s.baseCtx)
	if _, port, err := net.SplitHostPort(nc.RemoteAddr().String()); err == nil {
		c.port = port
	}
	c.pc.MaxAllowedPacket = s.cfg.MaxAllowedPacket
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		nc.Close()
		return nil
	}
	c.tooMany = len(s.mu.conns) >= s.cfg.MaxConnections
	s.mu.conns[c] = struct{}{}
	if n := int64(len(s.mu.conns)); n > s.maxUsed.Load() {
		s.maxUsed.Store(n)
	}
	s.connsDone.Add(1)
	return c
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.mu.conns, c)
	s.mu.Unlock()
	s.connsDone.Done()
}

// closeListenersLocked marks the server closed and stops accepting.
func (s *Server) closeListenersLocked() {
	s.mu.closed = true
	for l := range s.mu.listeners {
		l.Close()
	}
}

// Shutdown stops accepting, closes connections as soon as they are idle
// (between commands), and returns when all are gone, or with ctx's error
// when it ends first (Close then ends the rest).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closeListenersLocked()
	s.mu.Unlock()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() == 0 {
			s.connsDone.Wait()
			return s.finish()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// closeIdle closes idle connections and reports how many remain.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.mu.conns {
		if c.state.Load() == stateIdle {
			c.pc.Close()
		}
	}
	return len(s.mu.conns)
}

// Close closes listeners and every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closeListenersLocked()
	for c := range s.mu.conns {
		c.pc.Close()
	}
	s.mu.Unlock()
	s.cancelBase()
	s.connsDone.Wait()
	return s.finish()
}

func (s *Server) finish() error {
	s.cancelBase()
	s.mu.Lock()
	f := s.onClose
	s.onClose = nil
	s.mu.Unlock()
	if f != nil {
		return f()
	}
	return nil
}

// kill closes connection id (COM_PROCESS_KILL); false when there is none.
func (s *Server) kill(id uint32) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.mu.conns {
		if c.id == id {
			c.cancel()
			c.pc.Close()
			return true
		}
	}
	return false
}

// Processes lists the connections for SHOW PROCESSLIST (sql.Options.Processes).
func (s *Server) Processes() []sql.Process {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.mu.conns))
	for c := range s.mu.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	now := time.Now()
	out := make([]sql.Process, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.process(now))
	}
	slices.SortFunc(out, func(a, b sql.Process) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Kill ends connection id, or only its running statement when query is set
// (KILL [CONNECTION | QUERY] id, sql.Options.Kill); false: no such connection.
func (s *Server) Kill(id uint64, query bool) bool {
	if id > math.MaxUint32 {
		return false
	}
	if !query {
		return s.kill(uint32(id))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.mu.conns {
		if c.id == uint32(id) {
			c.killQuery()
			return true
		}
	}
	return false
}

// Status returns the server's own SHOW STATUS counters (Threads_connected,
// Connections, Uptime, Questions, ...); pass it as sql.Options.Stats.
func (s *Server) Status() map[string]uint64 {
	s.mu.Lock()
	n := len(s.mu.conns)
	s.mu.Unlock()
	return map[string]uint64{
		"Threads_connected":    uint64(n),
		"Threads_running":      uint64(max(s.running.Load(), 0)),
		"Connections":          s.connections.Load(),
		"Questions":            s.questions.Load(),
		"Aborted_connects":     s.aborted.Load(),
		"Uptime":               uint64(time.Since(s.started).Seconds()),
		"Max_used_connections": uint64(s.maxUsed.Load()),
	}
}
