package server

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// loop is one event loop: it owns a set of connections, reads those epoll
// reports ready in the order it reports them (so commands that arrive on
// different connections run in arrival order, as in Redis' single loop),
// runs their commands under Server.mu and writes the replies once per
// iteration. It parks in Go's netpoller (the epoll descriptor is itself
// pollable), so no thread blocks in epoll_wait and other goroutines keep
// their processor. There are io-threads loops; a client stays on one.
type loop struct {
	s      *Server
	epfd   int
	wakefd int      // eventfd: other goroutines wake a parked loop
	file   *os.File // epfd, registered with Go's netpoller
	raw    syscall.RawConn
	events []unix.EpollEvent

	// Owned by the loop's goroutine.
	conns map[int32]*client // by file descriptor
	dirty []*client         // clients with replies to send this iteration
	spin  spinGauge

	// Guarded by Server.mu.
	pending []*client // clients someone else changed (see Server.scheduleLocked)
	idle    bool      // parked or about to park: a schedule must wake it
}

func newLoop(s *Server) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	// Non-blocking, the epoll descriptor becomes a pollable os.File: the
	// loop parks on its readability (some event is ready) in Go's netpoller.
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	l := &loop{
		s:      s,
		epfd:   epfd,
		wakefd: wakefd,
		file:   os.NewFile(uintptr(epfd), "epoll"),
		events: make([]unix.EpollEvent, 256),
		conns:  make(map[int32]*client),
	}
	raw, err := l.file.SyscallConn()
	if err != nil {
		l.file.Close()
		unix.Close(wakefd)
		return nil, err
	}
	l.raw = raw
	return l, nil
}

// close releases the loop's descriptors.
func (l *loop) close() {
	l.file.Close()
	unix.Close(l.wakefd)
}

// wake makes a parked loop run an iteration.
func (l *loop) wake() {
	var one = [8]byte{1}
	_, _ = rawWrite(l.wakefd, one[:])
}

// run is the loop's goroutine: wait for events, serve ready connections in
// epoll's order, serve the clients others scheduled, send the replies.
// It returns once the server is closing and every connection is gone.
func (l *loop) run() {
	s := l.s
	defer s.wg.Done()
	defer l.close()
	for {
		n, err := l.wait()
		if err != nil {
			s.log.Error("event loop stopped", "err", err)
			return
		}
		for i := 0; i < n; i++ {
			ev := l.events[i]
			if ev.Fd == int32(l.wakefd) {
				var b [8]byte
				_, _ = rawRead(l.wakefd, b[:])
				continue
			}
			c := l.conns[ev.Fd]
			if c == nil {
				continue
			}
			if ev.Events&unix.EPOLLOUT != 0 {
				l.flush(c)
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR) != 0 && !c.freed {
				l.readable(c)
			}
		}
		l.servePending()
		for _, c := range l.dirty {
			c.dirty = false
			if !c.freed {
				l.flush(c)
			}
		}
		clear(l.dirty)
		l.dirty = l.dirty[:0]
		// A loop under constant load never parks: let the other goroutines
		// (the SQL server's, the cron, timers) have the processor between
		// iterations rather than only at preemption every 10 ms.
		runtime.Gosched()
		if s.closing.Load() && len(l.conns) == 0 {
			s.mu.Lock()
			done := len(l.pending) == 0
			s.mu.Unlock()
			if done {
				return
			}
		}
	}
}

// wait returns the number of ready events in l.events, parking in the
// netpoller when there are none and nobody scheduled a client; it polls a
// little before parking while l.spin says the next event tends to come
// soon.
func (l *loop) wait() (int, error) {
	n, err := l.poll()
	if n != 0 || err != nil {
		return n, err
	}
	idleSince := time.Now()
	if l.spin.spin() {
		deadline := idleSince.Add(spinBeforePark)
		for time.Now().Before(deadline) {
			// Spinning must not keep a core from the clients when they
			// share the machine: yield to other goroutines and threads.
			runtime.Gosched()
			osYield()
			n, err = l.poll()
			if n != 0 || err != nil {
				l.spin.idleEnded(time.Since(idleSince))
				return n, err
			}
		}
	}
	s := l.s
	s.mu.Lock()
	if len(l.pending) > 0 || (s.closing.Load() && len(l.conns) == 0) {
		s.mu.Unlock()
		return 0, nil
	}
	l.idle = true
	s.mu.Unlock()
	var perr error
	rerr := l.raw.Read(func(uintptr) bool {
		n, perr = l.poll()
		return n != 0 || perr != nil
	})
	l.spin.idleEnded(time.Since(idleSince))
	if perr != nil {
		return 0, perr
	}
	return n, rerr
}

// poll is epoll_wait that never blocks.
func (l *loop) poll() (int, error) {
	for {
		n, err := rawPoll(l.epfd, l.events)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// servePending takes the clients others scheduled: new connections to
// register, closed ones to free, unblocked or resumed ones to go on with,
// and ones whose output others appended to (pub/sub, MONITOR).
func (l *loop) servePending() {
	s := l.s
	s.mu.Lock()
	l.idle = false
	pending := l.pending
	l.pending = nil
	for _, c := range pending {
		c.scheduled = false
	}
	s.mu.Unlock()
	for _, c := range pending {
		if c.freed {
			continue
		}
		if !c.registered {
			c.registered = true
			l.conns[int32(c.fd)] = c
			ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(c.fd)}
			if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
				l.closeClient(c)
				continue
			}
		}
		l.resume(c)
	}
}

// resume goes on with c after someone else changed it.
func (l *loop) resume(c *client) {
	s := l.s
	s.mu.Lock()
	killed := c.closing
	if c.suspended && c.blocked == nil && !c.postponed {
		c.suspended = false
	}
	s.mu.Unlock()
	if killed {
		l.closeClient(c)
		return
	}
	if !c.suspended && !c.quitting {
		l.process(c)
		return
	}
	l.markDirty(c)
}

// process runs the commands waiting in c's query buffer and queues its
// replies for the end of the iteration.
func (l *loop) process(c *client) {
	if !c.processInput() {
		l.quit(c)
		return
	}
	if l.syncQueryBufferSize(c) {
		return
	}
	l.markDirty(c)
}

// readable reads what arrived on c's socket and runs the complete commands.
func (l *loop) readable(c *client) {
	if c.quitting {
		// Only its last replies matter now: drop input.
		var b [4096]byte
		if n, err := rawRead(c.fd, b[:]); n == 0 || (err != nil && err != unix.EAGAIN) {
			l.closeClient(c)
		}
		return
	}
	if cap(c.qbuf)-len(c.qbuf) < readChunk/4 {
		c.growQueryBuffer()
	}
	n, err := rawRead(c.fd, c.qbuf[len(c.qbuf):cap(c.qbuf)])
	if err == unix.EAGAIN || err == unix.EINTR {
		return
	}
	if n <= 0 || err != nil {
		l.closeClient(c)
		return
	}
	c.qbuf = c.qbuf[:len(c.qbuf)+n]
	c.unreadIn += int64(n)
	c.unreadOps++
	if int64(len(c.qbuf)-c.qpos) > c.qbufLimit {
		l.s.log.Warn("closing client that reached max query buffer length", "id", c.id, "qbuf", len(c.qbuf)-c.qpos)
		l.closeClient(c)
		return
	}
	if c.suspended {
		// Blocked or paused: the bytes wait in the query buffer, which
		// still counts for client eviction.
		l.syncQueryBufferSize(c)
		return
	}
	l.process(c)
}

// syncQueryBufferSize records a change of c's query buffer allocation for
// the client memory accounting: a buffer grown for a big argument that is
// still arriving counts at once for client eviction, as Redis counts its
// allocation; one released after a big command stops counting. It reports
// whether c was evicted (and closed).
func (l *loop) syncQueryBufferSize(c *client) bool {
	if int64(cap(c.qbuf)) == c.qbufCap { // only the loop writes it
		return false
	}
	s := l.s
	s.mu.Lock()
	c.qbufCap = int64(cap(c.qbuf))
	s.trackMemoryLocked(c)
	evicted := c.closing
	s.mu.Unlock()
	if evicted {
		l.closeClient(c)
	}
	return evicted
}

func (l *loop) markDirty(c *client) {
	if !c.dirty {
		c.dirty = true
		l.dirty = append(l.dirty, c)
	}
}

// quit ends c after processInput refused to go on: a killed client closes
// at once, one that asked (QUIT, a protocol error) after its last replies.
func (l *loop) quit(c *client) {
	s := l.s
	s.mu.Lock()
	killed := c.closing
	s.mu.Unlock()
	if killed {
		l.closeClient(c)
		return
	}
	c.quitting = true
	l.flush(c)
}

// flush writes c's replies without blocking; what the socket does not take
// now goes out when epoll reports it writable. A quitting client closes
// once everything is written.
func (l *loop) flush(c *client) {
	s := l.s
	for !c.freed {
		fresh := false // the replies were taken from c.out in this call
		if len(c.wbuf) == 0 {
			s.mu.Lock()
			if len(c.out.Buf) == 0 {
				s.mu.Unlock()
				l.watchWritable(c, false)
				if c.quitting {
					l.closeClient(c)
				}
				return
			}
			data := c.out.Buf
			c.out.Buf = c.spare[:0]
			c.spare = nil
			s.stats.wrote(len(data))
			s.trackMemoryLocked(c)
			s.mu.Unlock()
			c.wbuf, c.woff = data, 0
			fresh = true
		}
		for c.woff < len(c.wbuf) {
			n, err := rawWrite(c.fd, c.wbuf[c.woff:])
			if n > 0 {
				c.woff += n
			}
			if err == unix.EAGAIN {
				// What waits counts in the output buffer limits and omem.
				s.mu.Lock()
				c.unsent = int64(len(c.wbuf) - c.woff)
				s.trackMemoryLocked(c)
				s.mu.Unlock()
				l.watchWritable(c, true)
				return
			}
			if err != nil && err != unix.EINTR {
				l.closeClient(c)
				return
			}
		}
		if c.unsent != 0 { // only the loop writes it
			s.mu.Lock()
			c.unsent = 0
			s.trackMemoryLocked(c)
			s.mu.Unlock()
		}
		if cap(c.wbuf) <= maxKeepBuffer {
			c.spare = c.wbuf[:0]
		}
		c.wbuf, c.woff = nil, 0
		if fresh && !c.quitting {
			// Whoever appended output since it was taken scheduled c: the
			// loop sends it then. Only replies that waited for the socket
			// (others may have piled up behind them unsent) and a quitting
			// client's last ones call for another look now.
			l.watchWritable(c, false)
			return
		}
	}
}

// watchWritable adds or removes EPOLLOUT for c.
func (l *loop) watchWritable(c *client, on bool) {
	if c.epollOut == on {
		return
	}
	c.epollOut = on
	events := uint32(unix.EPOLLIN)
	if on {
		events |= unix.EPOLLOUT
	}
	ev := unix.EpollEvent{Events: events, Fd: int32(c.fd)}
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.fd, &ev)
}

// closeClient closes c's socket and forgets it everywhere.
func (l *loop) closeClient(c *client) {
	if c.freed {
		return
	}
	c.freed = true
	if c.registered {
		_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
		delete(l.conns, int32(c.fd))
	}
	unix.Close(c.fd)
	s := l.s
	s.mu.Lock()
	s.freeClientLocked(c)
	s.mu.Unlock()
}

// detachConn takes conn's socket out of Go's netpoller for a loop: it
// returns a non-blocking duplicate descriptor and closes conn.
func detachConn(conn syscall.Conn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	cerr := raw.Control(func(f uintptr) {
		fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0)
	})
	if cerr != nil {
		return -1, cerr
	}
	if derr != nil {
		return -1, derr
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}
