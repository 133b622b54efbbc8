package server

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"sync"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

const (
	readChunk     = 16 * 1024
	maxKeepBuffer = 64 * 1024 // buffers larger than this are released after use
)

// client is one connection's state. Fields below "guarded by Server.mu"
// are only touched with the execution lock held.
type client struct {
	srv  *Server
	conn net.Conn
	id   int64

	// Read side, owned by the connection goroutine.
	qbuf   []byte
	qpos   int
	parser resp.Parser
	// Limits read from the config under the lock at each batch, for the
	// read side (client-query-buffer-limit, proto-max-bulk-len).
	qbufLimit  int64
	maxBulkLen int64
	unreadIn   int64  // bytes read since the last batch, for total_net_input_bytes
	unreadOps  int64  // socket reads since the last batch, for total_reads_processed
	pauseHit   bool   // processCommand found the command held back by CLIENT PAUSE
	postponed  bool   // waiting for CLIENT PAUSE to end (a blocked client for INFO, CLIENT LIST)
	stash      []byte // bytes read by the socket watcher while blocked
	batch      [][][]byte
	argBuf     [][]byte // every argument of the batch, batch entries slice it
	spans      []int    // end offset in argBuf of each command of the batch

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
	blocked     *blockState
	readyKey    []byte // serveReady: the key a blocked client is served from
	closing     bool
	closeAfter  bool
	pushMode    bool // replies go through the writer goroutine
	noReply     int  // CLIENT REPLY: 0 on, 1 off, 2 skip next
	noEvict     bool
	lastCmd     string
	created     time.Time
	lastActive  time.Time
	addr        string
	laddr       string
	totalIn     int64
	obufPeak    int
	softLimitAt time.Time

	wake    chan struct{} // blocked client: reply ready or timed out
	writeCh chan struct{} // push mode: output pending
	// push mode: closed when the writer goroutine has ended
	writerDone chan struct{}
	spare      []byte
	once       sync.Once
}

func newRunID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// admitClient registers a new connection's client, or refuses the
// connection (closing it) and returns nil: server closing, maxclients,
// protected mode.
func (s *Server) admitClient(conn net.Conn) *client {
	c := &client{
		srv:        s,
		conn:       conn,
		created:    time.Now(),
		lastActive: time.Now(),
		wake:       make(chan struct{}, 1),
		addr:       conn.RemoteAddr().String(),
		laddr:      conn.LocalAddr().String(),
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		conn.Close()
		return nil
	}
	if len(s.clients) >= s.cfg.MaxClients {
		s.stats.rejectedConns++
		s.mu.Unlock()
		_, _ = conn.Write([]byte("-ERR max number of clients reached\r\n"))
		conn.Close()
		return nil
	}
	if s.protectedModeRefuses(conn) {
		s.mu.Unlock()
		_, _ = conn.Write([]byte(protectedModeMsg))
		conn.Close()
		return nil
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
	s.clients[c.id] = c
	s.stats.connections++
	s.mu.Unlock()
	return c
}

func (s *Server) serveConn(conn net.Conn) {
	c := s.admitClient(conn)
	if c == nil {
		return
	}

	c.readLoop()

	s.mu.Lock()
	push := c.pushMode
	if push {
		// Nothing appends to the output any more: the writer sends what
		// is left (a QUIT's +OK, a protocol error), then ends.
		s.pubsub.unsubscribeAll(c)
		delete(s.monitors, c)
		c.pushMode = false // nobody signals the writer any more
	}
	s.mu.Unlock()
	if push {
		c.once.Do(func() { close(c.writeCh) })
		<-c.writerDone
	}

	s.mu.Lock()
	s.freeClientLocked(c)
	s.mu.Unlock()
	conn.Close()
}

// readLoop reads, parses and executes until the connection ends.
func (c *client) readLoop() {
	s := c.srv
	c.qbuf = make([]byte, 0, readChunk)
	for {
		if cap(c.qbuf)-len(c.qbuf) < readChunk/4 {
			c.growQueryBuffer()
		}
		var n int
		var err error
		if len(c.stash) > 0 {
			// Bytes read while the client was blocked come first.
			n = copy(c.qbuf[len(c.qbuf):cap(c.qbuf)], c.stash)
			c.stash = c.stash[n:]
		} else {
			n, err = c.conn.Read(c.qbuf[len(c.qbuf):cap(c.qbuf)])
			c.unreadOps++
		}
		if n > 0 {
			c.qbuf = c.qbuf[:len(c.qbuf)+n]
			c.unreadIn += int64(n)
			if !c.processInput() {
				return
			}
		}
		if err != nil {
			return
		}
		if int64(len(c.qbuf)) > c.qbufLimit {
			s.log.Warn("closing client that reached max query buffer length", "id", c.id, "qbuf", len(c.qbuf))
			return
		}
	}
}

// refreshLimitsLocked copies the read side's limits from the config.
func (c *client) refreshLimitsLocked() {
	c.qbufLimit = c.srv.cfg.ClientQueryBufLimit
	c.maxBulkLen = c.srv.cfg.ProtoMaxBulkLen
}

// growQueryBuffer makes room for the next read, sized for a big argument
// in progress so a 512 MB value is not copied at every doubling.
func (c *client) growQueryBuffer() {
	// Drop consumed bytes first.
	if c.qpos > 0 {
		n := copy(c.qbuf, c.qbuf[c.qpos:])
		c.qbuf = c.qbuf[:n]
		c.qpos = 0
	}
	need := readChunk
	if p := c.parser.Pending(len(c.qbuf)); p > need {
		need = p
	}
	if cap(c.qbuf)-len(c.qbuf) >= need {
		return
	}
	nb := make([]byte, len(c.qbuf), 2*cap(c.qbuf)+need)
	copy(nb, c.qbuf)
	c.qbuf = nb
}

// processInput parses every complete command in the buffer and runs them
// as one batch. It returns false when the connection must close.
func (c *client) processInput() bool {
	s := c.srv
	c.batch = c.batch[:0]
	c.argBuf = c.argBuf[:0]
	c.spans = c.spans[:0]
	var perr error
	stoppedEarly := false
	buf := c.qbuf[c.qpos:]
	off := 0
	c.parser.MaxBulkLen = c.maxBulkLen
	c.parser.AuthRequired = !c.authed
	for off < len(buf) {
		args, n, err := c.parser.Next(buf[off:])
		if err != nil {
			perr = err
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
			stoppedEarly = true
			break
		}
	}
	start := 0
	for _, end := range c.spans {
		c.batch = append(c.batch, c.argBuf[start:end:end])
		start = end
	}
	ok := c.runBatch()
	if perr != nil && ok {
		s.mu.Lock()
		s.stats.addError("ERR")
		c.out.Error("ERR " + perr.Error())
		c.closeAfter = true
		s.mu.Unlock()
		c.flush()
		return false
	}
	c.qpos += off
	if c.qpos == len(c.qbuf) {
		c.qbuf = c.qbuf[:0]
		c.qpos = 0
		if cap(c.qbuf) > maxKeepBuffer {
			c.qbuf = make([]byte, 0, readChunk)
		}
	}
	if !ok {
		return false
	}
	if stoppedEarly && len(c.qbuf) > c.qpos {
		// More complete commands may wait behind an AUTH; parse again.
		return c.processInput()
	}
	return true
}

// runBatch executes the parsed batch under the execution lock and sends
// the replies. It returns false when the connection must close.
func (c *client) runBatch() bool {
	s := c.srv
	if len(c.batch) == 0 {
		return true
	}
	i := 0
	for i < len(c.batch) {
		s.mu.Lock()
		if c.closing {
			// Killed or shut down while waiting for a pause to end.
			s.mu.Unlock()
			return false
		}
		now := time.Now()
		s.tick(now)
		c.refreshLimitsLocked()
		s.stats.netInput += c.unreadIn
		s.stats.reads += c.unreadOps
		c.totalIn += c.unreadIn
		c.unreadIn, c.unreadOps = 0, 0
		c.lastActive = now
		postponed := false
		for ; i < len(c.batch); i++ {
			s.processCommand(c, c.batch[i], now)
			if c.pauseHit {
				// CLIENT PAUSE holds this command back: send the replies so
				// far, wait for the pause to end, then run it.
				c.pauseHit, postponed = false, true
				break
			}
			if c.blocked != nil || c.closing || c.closeAfter {
				i++
				break
			}
		}
		if s.admin.peakStale {
			s.admin.trackMemoryPeak()
		}
		blocked := c.blocked != nil
		closing := c.closing || c.closeAfter
		// No value read during the batch is referenced any more: the
		// replies hold copies.
		s.ks.CommandDone()
		s.mu.Unlock()
		if !c.flush() {
			return false
		}
		if closing {
			return false
		}
		if postponed {
			s.paused.wait(c)
			continue
		}
		if blocked {
			if !c.waitUnblocked() {
				return false
			}
			if !c.flush() {
				return false
			}
		}
	}
	return true
}

// flush sends the buffered replies (or hands them to the writer goroutine
// in push mode). It returns false if the socket failed.
func (c *client) flush() bool {
	s := c.srv
	s.mu.Lock()
	if c.pushMode {
		s.mu.Unlock()
		c.signalWriter()
		return true
	}
	if len(c.out.Buf) == 0 {
		s.mu.Unlock()
		return true
	}
	data := c.out.Buf
	c.out.Buf = c.spare[:0]
	s.stats.wrote(len(data))
	s.mu.Unlock()
	_, err := c.conn.Write(data)
	if cap(data) <= maxKeepBuffer {
		c.spare = data[:0]
	} else {
		c.spare = nil
	}
	return err == nil
}

// enterPushModeLocked starts the writer goroutine: from now on other
// clients may append to this client's output at any time (pub/sub
// messages, MONITOR), so only the writer writes to the socket.
func (c *client) enterPushModeLocked() {
	if c.pushMode {
		return
	}
	c.pushMode = true
	c.writeCh = make(chan struct{}, 1)
	c.writerDone = make(chan struct{})
	c.srv.wg.Add(1)
	go c.writer()
}

func (c *client) signalWriter() {
	select {
	case c.writeCh <- struct{}{}:
	default:
	}
}

func (c *client) writer() {
	s := c.srv
	defer s.wg.Done()
	defer close(c.writerDone)
	var spare []byte
	for range c.writeCh {
		s.mu.Lock()
		data := c.out.Buf
		c.out.Buf = spare[:0]
		s.stats.wrote(len(data))
		closing := c.closing
		s.mu.Unlock()
		if len(data) > 0 {
			if _, err := c.conn.Write(data); err != nil {
				c.conn.Close()
				return
			}
		}
		spare = data
		if cap(spare) > maxKeepBuffer {
			spare = nil
		}
		if closing {
			return
		}
	}
	// The connection ended without being closed: send the last replies.
	s.mu.Lock()
	data := c.out.Buf
	c.out.Buf = nil
	s.stats.wrote(len(data))
	s.mu.Unlock()
	if len(data) > 0 {
		_, _ = c.conn.Write(data)
	}
}

// pushLocked is called after appending a message to another client's
// output: it enforces the pub/sub output buffer limits and wakes the writer.
func (c *client) pushLocked() {
	// Subscribers have the pubsub class; MONITOR clients the normal one,
	// as Redis classifies them.
	class := 0
	if c.subscriptionCount() > 0 {
		class = 2
	}
	lim := c.srv.cfg.ClientOutputLimits[class]
	size := int64(len(c.out.Buf))
	if len(c.out.Buf) > c.obufPeak {
		c.obufPeak = len(c.out.Buf)
	}
	if lim.Hard > 0 && size > lim.Hard {
		c.srv.log.Warn("client scheduled to be closed for overcoming of output buffer limits", "id", c.id)
		c.closeLocked()
		return
	}
	if lim.Soft > 0 && size > lim.Soft {
		if c.softLimitAt.IsZero() {
			c.softLimitAt = time.Now()
		} else if time.Since(c.softLimitAt) > time.Duration(lim.SoftSecs)*time.Second {
			c.closeLocked()
			return
		}
	} else {
		c.softLimitAt = time.Time{}
	}
	c.signalWriter()
}

// closeLocked closes the connection; the goroutines notice and clean up.
func (c *client) closeLocked() {
	if c.closing {
		return
	}
	c.closing = true
	c.conn.Close()
	if c.blocked != nil {
		c.srv.blocking.remove(c)
		c.blocked = nil
		c.notifyWake()
	}
	c.srv.paused.release(c)
	if c.pushMode {
		c.signalWriter()
	}
}

func (c *client) notifyWake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// freeClientLocked forgets the client everywhere.
func (s *Server) freeClientLocked(c *client) {
	c.closeLocked()
	delete(s.clients, c.id)
	s.watch.unwatchAll(c)
	s.pubsub.unsubscribeAll(c)
	delete(s.monitors, c)
}

// clientsCronLocked closes idle clients (timeout) and times out blocked ones.
func (s *Server) clientsCronLocked() {
	if s.cfg.Timeout <= 0 {
		return
	}
	limit := time.Duration(s.cfg.Timeout) * time.Second
	now := time.Now()
	for _, c := range s.clients {
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
