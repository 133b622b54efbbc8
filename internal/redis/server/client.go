package server

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"syscall"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

const (
	readChunk     = 16 * 1024
	maxKeepBuffer = 64 * 1024 // buffers larger than this are released after use
	bigArg        = 32 * 1024 // an argument this big gets its room at once (Redis' PROTO_MBULK_BIG_ARG)
)

// client is one connection's state. Fields below "guarded by Server.mu"
// are only touched with the execution lock held; the others belong to the
// client's event loop.
type client struct {
	srv  *Server
	loop *loop // nil for a client without a connection (benchmarks)
	fd   int
	id   int64

	// Owned by the loop.
	qbuf   []byte
	qpos   int
	parser resp.Parser
	// Limits read from the config under the lock at each batch, for the
	// read side (client-query-buffer-limit, proto-max-bulk-len).
	qbufLimit  int64
	maxBulkLen int64
	unreadIn   int64 // bytes read since the last batch, for total_net_input_bytes
	unreadOps  int64 // socket reads since the last batch, for total_reads_processed
	pauseHit   bool  // processCommand found the command held back by CLIENT PAUSE
	batch      [][][]byte
	batchPos   int      // the next command of batch to run
	batchStart int      // where the batch starts in qbuf (CLIENT LIST's qbuf counts it)
	argBuf     [][]byte // every argument of the batch, batch entries slice it
	spans      []int    // end offset in argBuf of each command of the batch
	perr       error    // protocol error after the batch: reply and close once it ran
	suspended  bool     // blocked or held by CLIENT PAUSE: input waits
	quitting   bool     // closes once its replies are written (QUIT, protocol error)
	registered bool     // in the loop's epoll set
	freed      bool     // socket closed, forgotten by the server
	dirty      bool     // in the loop's list of replies to send
	epollOut   bool     // waiting for the socket to take more output
	wbuf       []byte   // replies being written
	woff       int
	spare      []byte

	// Guarded by Server.mu.
	ctx         command.Ctx
	out         resp.Writer
	db          int
	name        string
	authed      bool
	user        string
	multi       *multiState
	watched     []watchKey
	dirtyCAS    bool
	subs        map[string]struct{}
	psubs       map[string]struct{}
	ssubs       map[string]struct{} // shard channels (SSUBSCRIBE)
	blocked     *blockState
	postponed   bool   // waiting for CLIENT PAUSE to end (a blocked client for INFO, CLIENT LIST)
	readyKey    []byte // serveReady: the key a blocked client is served from
	closing     bool
	closeAfter  bool
	scheduled   bool  // in its loop's pending list
	unsent      int64 // replies taken for the socket that it has not taken yet (set by the loop)
	qbufCap     int64 // the query buffer's allocation, as the loop last recorded it
	memUsage    int64 // what trackMemoryLocked last counted for it in Server.clientsMem
	noReply     int   // CLIENT REPLY: 0 on, 1 off, 2 skip next
	noEvict     bool
	lastCmd     string
	created     time.Time
	lastActive  time.Time
	addr        string
	laddr       string
	totalIn     int64
	obufPeak    int
	softLimitAt time.Time
}

func newRunID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// admitClient registers a new connection's client on one of the event
// loops, or refuses the connection (closing it): server closing,
// maxclients, protected mode.
func (s *Server) admitClient(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	s.mu.Lock()
	refuse := ""
	switch {
	case s.closing.Load():
	case len(s.clients) >= s.cfg.MaxClients:
		s.stats.rejectedConns++
		refuse = "-ERR max number of clients reached\r\n"
	case s.protectedModeRefuses(conn):
		refuse = protectedModeMsg
	default:
		s.mu.Unlock()
		s.attach(conn)
		return
	}
	s.mu.Unlock()
	if refuse != "" {
		_, _ = conn.Write([]byte(refuse))
	}
	conn.Close()
}

// attach hands conn's socket to an event loop.
func (s *Server) attach(conn net.Conn) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		conn.Close()
		return
	}
	addr, laddr := conn.RemoteAddr().String(), conn.LocalAddr().String()
	fd, err := detachConn(sc)
	conn.Close()
	if err != nil {
		s.log.Warn("accepting connection", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.newClientLocked(addr, laddr)
	c.fd = fd
	c.loop = s.loops[c.id%int64(len(s.loops))]
	if s.closing.Load() {
		c.closing = true
	}
	s.scheduleLocked(c) // the loop registers it
}

// newClientLocked creates and registers a client.
func (s *Server) newClientLocked(addr, laddr string) *client {
	now := time.Now()
	c := &client{
		srv:        s,
		fd:         -1,
		created:    now,
		lastActive: now,
		addr:       addr,
		laddr:      laddr,
		qbuf:       make([]byte, 0, readChunk),
	}
	s.nextID++
	c.id = s.nextID
	c.authed = s.cfg.RequirePass == ""
	c.user = "default"
	c.out.Proto = 2
	c.ctx.W = &c.out
	c.ctx.KS = s.ks
	c.ctx.Set = &s.settings
	c.ctx.Hooks = s
	c.ctx.Client = c
	c.ctx.DB = s.ks.DB(0)
	c.refreshLimitsLocked()
	c.qbufCap = int64(cap(c.qbuf))
	s.clients[c.id] = c
	s.trackMemoryLocked(c)
	s.stats.connections++
	return c
}

// scheduleLocked makes c's loop look at c: a new connection, output others
// appended (pub/sub, MONITOR), an end to its wait (served, timed out,
// unblocked, pause over) or its closing.
func (s *Server) scheduleLocked(c *client) {
	l := c.loop
	if c.scheduled || l == nil {
		return
	}
	c.scheduled = true
	l.pending = append(l.pending, c)
	if l.idle {
		l.idle = false
		l.wake()
	}
}

// refreshLimitsLocked copies the read side's limits from the config.
func (c *client) refreshLimitsLocked() {
	c.qbufLimit = c.srv.cfg.ClientQueryBufLimit
	c.maxBulkLen = c.srv.cfg.ProtoMaxBulkLen
	c.out.Limit = int(c.srv.cfg.ClientOutputLimits[c.outputClass()].Hard)
}

// growQueryBuffer makes room for the next read, sized for a big argument
// in progress so a 512 MB value is not copied at every doubling. Bytes a
// suspended batch still refers to are never moved.
func (c *client) growQueryBuffer() {
	if c.qpos > 0 && c.batchPos >= len(c.batch) {
		n := copy(c.qbuf, c.qbuf[c.qpos:])
		c.qbuf = c.qbuf[:n]
		c.qpos, c.batchStart = 0, 0
	}
	need := readChunk
	if p := c.parser.Pending(len(c.qbuf) - c.qpos); p > need {
		need = p
	}
	if cap(c.qbuf)-len(c.qbuf) >= need {
		return
	}
	nb := make([]byte, len(c.qbuf), 2*cap(c.qbuf)+need)
	copy(nb, c.qbuf)
	c.qbuf = nb
}

// processInput runs the commands waiting in the query buffer, a batch at
// a time, until only an incomplete one is left or the client is suspended
// (blocked, held by CLIENT PAUSE). It returns false when the connection
// must close (after its replies, unless it was killed).
func (c *client) processInput() bool {
	for {
		if c.batchPos < len(c.batch) {
			if !c.runBatch() {
				return false
			}
			if c.batchPos < len(c.batch) {
				return true // suspended
			}
		}
		if c.suspended {
			return true
		}
		if c.perr != nil {
			s := c.srv
			s.mu.Lock()
			s.stats.addError("ERR")
			c.out.Error("ERR " + c.perr.Error())
			c.closeAfter = true
			s.mu.Unlock()
			return false
		}
		if c.qpos == len(c.qbuf) {
			c.qbuf = c.qbuf[:0]
			c.qpos, c.batchStart = 0, 0
			if cap(c.qbuf) > maxKeepBuffer {
				c.qbuf = make([]byte, 0, readChunk)
			}
			return true
		}
		if !c.parseBatch() {
			// An incomplete command waits for more bytes. For a big
			// argument, room for all of it is made now, as Redis allocates
			// it (so it counts in the client's memory at once).
			if p := c.parser.Pending(len(c.qbuf) - c.qpos); p >= bigArg && cap(c.qbuf)-len(c.qbuf) < p {
				c.growQueryBuffer()
			}
			return true
		}
	}
}

// parseBatch parses the complete commands at the start of the query
// buffer into a new batch, consuming their bytes (the batch refers to
// them in place). It reports whether there is anything to run or report.
func (c *client) parseBatch() bool {
	c.batch = c.batch[:0]
	c.batchPos = 0
	c.argBuf = c.argBuf[:0]
	c.spans = c.spans[:0]
	buf := c.qbuf[c.qpos:]
	off := 0
	c.batchStart = c.qpos
	c.parser.MaxBulkLen = c.maxBulkLen
	c.parser.AuthRequired = !c.authed
	for off < len(buf) {
		args, n, err := c.parser.Next(buf[off:])
		if err != nil {
			c.perr = err
			break
		}
		if n == 0 {
			break
		}
		off += n
		if len(args) == 0 {
			continue
		}
		// The parser reuses its argument slice: keep our own copy of the
		// headers (the bytes stay in the query buffer).
		c.argBuf = append(c.argBuf, args...)
		c.spans = append(c.spans, len(c.argBuf))
		// A command that changes the connection's authentication or
		// protocol limits must run before the next one is parsed.
		if !c.authed {
			break
		}
	}
	start := 0
	for _, end := range c.spans {
		c.batch = append(c.batch, c.argBuf[start:end:end])
		start = end
	}
	c.qpos += off
	return len(c.batch) > 0 || c.perr != nil || off > 0
}

// runBatch runs the batch from batchPos under the execution lock, until
// its end or a command that blocks, is held back by CLIENT PAUSE (it runs
// again when the pause ends) or ends the connection. It returns false when
// the connection must close.
func (c *client) runBatch() bool {
	s := c.srv
	s.mu.Lock()
	if c.closing {
		// Killed or shut down while suspended.
		s.mu.Unlock()
		return false
	}
	now := time.Now()
	s.tick(now)
	c.refreshLimitsLocked()
	c.qbufCap = int64(cap(c.qbuf))
	s.stats.netInput += c.unreadIn
	s.stats.reads += c.unreadOps
	c.totalIn += c.unreadIn
	c.unreadIn, c.unreadOps = 0, 0
	c.lastActive = now
	for c.batchPos < len(c.batch) {
		s.processCommand(c, c.batch[c.batchPos], now)
		if c.pauseHit {
			c.pauseHit = false
			s.paused.hold(c)
			c.suspended = true
			break
		}
		c.batchPos++
		if c.enforceOutputLimitLocked(now) {
			break
		}
		if c.blocked != nil {
			c.suspended = true
			break
		}
		if c.closing || c.closeAfter {
			break
		}
	}
	if s.admin.peakStale {
		s.admin.trackMemoryPeak()
	}
	s.trackMemoryLocked(c)
	closing := c.closing || c.closeAfter
	// No value read during the batch is referenced any more: the
	// replies hold copies.
	s.ks.CommandDone()
	s.mu.Unlock()
	return !closing
}

// pushLocked is called after appending a message to another client's
// output: it enforces the output buffer limits and has the client's loop
// send it.
func (c *client) pushLocked() {
	// The largest output others piled up (INFO client_recent_max_output_buffer).
	c.obufPeak = max(c.obufPeak, len(c.out.Buf))
	if c.enforceOutputLimitLocked(time.Now()) {
		return
	}
	c.srv.trackMemoryLocked(c)
	c.srv.scheduleLocked(c)
}

// outputClass is c's client-output-buffer-limit class: pubsub for a
// subscriber, normal otherwise (MONITOR clients too, as Redis classifies
// them).
func (c *client) outputClass() int {
	if c.subscriptionCount() > 0 {
		return 2
	}
	return 0
}

// enforceOutputLimitLocked applies client-output-buffer-limit to c's
// unsent replies as Redis does: past the hard limit, or past the soft one
// for longer than its seconds, the client is closed without being sent
// anything more. It reports whether it closed c.
func (c *client) enforceOutputLimitLocked(now time.Time) bool {
	lim := c.srv.cfg.ClientOutputLimits[c.outputClass()]
	if lim.Hard <= 0 && lim.Soft <= 0 {
		return false
	}
	size := int64(len(c.out.Buf)) + c.unsent
	hard := lim.Hard > 0 && size >= lim.Hard
	soft := lim.Soft > 0 && size >= lim.Soft
	if soft {
		if c.softLimitAt.IsZero() {
			c.softLimitAt = now
			soft = false
		} else if now.Sub(c.softLimitAt) <= time.Duration(lim.SoftSecs)*time.Second {
			soft = false
		}
	} else {
		c.softLimitAt = time.Time{}
	}
	if !hard && !soft {
		return false
	}
	c.srv.log.Warn("client scheduled to be closed for overcoming of output buffer limits", "id", c.id, "omem", size)
	c.closeLocked()
	return true
}

// closeLocked marks the connection closed: it stops waiting, and its loop
// closes the socket without sending what is left.
func (c *client) closeLocked() {
	if c.closing {
		return
	}
	c.closing = true
	if c.blocked != nil {
		c.srv.blocking.remove(c)
		c.blocked = nil
	}
	c.srv.paused.release(c)
	c.srv.scheduleLocked(c)
}

// freeClientLocked forgets the client everywhere.
func (s *Server) freeClientLocked(c *client) {
	c.closeLocked()
	s.clientsMem -= c.memUsage
	c.memUsage = 0
	delete(s.clients, c.id)
	s.watch.unwatchAll(c)
	s.pubsub.unsubscribeAll(c)
	delete(s.monitors, c)
}

// clientsCronLocked closes idle clients (timeout) and those whose output
// stayed past the soft limit without new replies.
func (s *Server) clientsCronLocked() {
	s.evictClientsLocked()
	now := time.Now()
	limit := time.Duration(s.cfg.Timeout) * time.Second
	for _, c := range s.clients {
		if c.closing || c.enforceOutputLimitLocked(now) || s.cfg.Timeout <= 0 {
			continue
		}
		// Redis spares blocked, subscribed and MONITOR clients, only
		// while they are (a client that unsubscribed times out again).
		if _, monitor := s.monitors[c]; c.blocked != nil || c.subscriptionCount() > 0 || monitor {
			continue
		}
		if now.Sub(c.lastActive) > limit {
			c.closeLocked()
		}
	}
}

const protectedModeMsg = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

func (s *Server) protectedModeRefuses(conn net.Conn) bool {
	if !s.cfg.ProtectedMode || s.cfg.RequirePass != "" {
		return false
	}
	host, _, err := net.SplitHostPort(conn.RemoteAddr().String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && !ip.IsLoopback()
}
