package server

import (
	"strings"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/shared/clock"
)

// multiState is a client's open MULTI: the queued commands and whether a
// queueing error makes EXEC abort.
type multiState struct {
	queue     []queued
	execAbort bool
	mem       int64 // bytes of the queued arguments (CLIENT LIST multi-mem, client eviction)
}

type queued struct {
	spec *command.Spec
	args [][]byte
}

const (
	errNoAuth       = "NOAUTH Authentication required."
	errOOM          = "OOM command not allowed when used memory > 'maxmemory'."
	errExecAbort    = "EXECABORT Transaction discarded because of previous errors."
	errNotInMulti   = "ERR Command not allowed inside a transaction"
	errPubSubCtx    = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	errMultiNested  = "ERR MULTI calls can not be nested"
	errExecNoMulti  = "ERR EXEC without MULTI"
	errDiscardNoMul = "ERR DISCARD without MULTI"
	errWatchInMulti = "ERR WATCH inside MULTI is not allowed"
)

// lookupCommand resolves a command and, for container commands, its
// subcommand. It writes the error and returns nil when there is none.
func (s *Server) lookupCommand(c *client, args [][]byte) *command.Spec {
	spec := s.table.Lookup(args[0])
	if spec == nil {
		c.out.Error(command.UnknownCommand(args))
		return nil
	}
	if len(spec.Sub) > 0 && len(args) >= 2 {
		sub := spec.LookupSub(args[1])
		if sub == nil {
			c.out.Error(command.UnknownSubcommand(spec.Name, args[1]))
			return nil
		}
		return sub
	}
	return spec
}

// processCommand runs the gates Redis' processCommand runs, then the
// command (or queues it inside MULTI). Called with s.mu held.
func (s *Server) processCommand(c *client, args [][]byte, now time.Time) {
	s.stats.commands++
	noReply := c.noReply
	// CLIENT REPLY SKIP sets 2; the next command turns it into 3 (its
	// reply is dropped by call) and the one after that clears it.
	switch c.noReply {
	case 3:
		c.noReply = 0
	case 2:
		c.noReply = 3
	}
	mark := len(c.out.Buf)
	spec := s.lookupCommand(c, args)
	if spec == nil {
		s.rejectLocked(c, nil, mark)
		return
	}
	if !spec.CheckArity(len(args)) {
		if spec.Name == "exec" && c.multi != nil {
			s.execAbortLocked(c, command.WrongArgs(spec.FullName()))
		} else {
			c.out.Error(command.WrongArgs(spec.FullName()))
		}
		s.rejectLocked(c, spec, mark)
		return
	}
	if !c.authed && spec.Flags&command.NoAuth == 0 {
		c.out.Error(errNoAuth)
		s.rejectLocked(c, spec, mark)
		return
	}
	if c.inPubSubContext() && !allowedInPubSub(spec) {
		c.out.Error(strings.Replace(errPubSubCtx, "%s", spec.FullName(), 1))
		s.rejectLocked(c, spec, mark)
		return
	}
	if s.paused.postpones(c, spec) {
		// Not run yet: it comes here again when the pause ends.
		s.stats.commands--
		c.noReply = noReply
		c.pauseHit = true
		c.lastCmd = spec.FullName() // CLIENT LIST names it, as Redis does
		return
	}
	top := spec
	if p := spec.Parent(); p != nil {
		top = p
	}
	if c.multi != nil && !isTxControl(top.Name) {
		if spec.Flags&command.NoMulti != 0 {
			c.out.Error(errNotInMulti)
			s.rejectLocked(c, spec, mark)
			return
		}
		if s.oomRejects(c, spec) {
			c.out.Error(errOOM)
			s.rejectLocked(c, spec, mark)
			return
		}
		cp := make([][]byte, len(args))
		for i, a := range args {
			cp[i] = append([]byte(nil), a...)
		}
		c.multi.queue = append(c.multi.queue, queued{spec, cp})
		c.multi.mem += argsSize(cp)
		c.out.SimpleString("QUEUED")
		return
	}
	if s.oomRejects(c, spec) {
		if spec.Name == "exec" && c.multi != nil {
			s.execAbortLocked(c, errOOM)
		} else {
			c.out.Error(errOOM)
		}
		s.rejectLocked(c, spec, mark)
		return
	}
	s.call(c, spec, args, now, false)
	s.blocking.serveReady(s)
}

// execAbortLocked discards c's transaction because EXEC itself was
// refused (Redis' execCommandAbort): the reason loses its ERR prefix.
func (s *Server) execAbortLocked(c *client, reason string) {
	c.multi = nil
	s.watch.unwatchAll(c)
	c.out.Error("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(reason, "ERR "))
}

// rejectLocked counts a command refused before it ran; inside MULTI it
// also makes EXEC abort. The error reply is already written after mark.
func (s *Server) rejectLocked(c *client, spec *command.Spec, mark int) {
	if c.multi != nil {
		c.multi.execAbort = true
	}
	if spec != nil {
		s.stats.cmd(spec).rejected++
	}
	s.stats.countErrorReply(c.out.Buf[mark:])
}

func isTxControl(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// isSubscribeFamily: commands whose replies are push messages, which
// CLIENT REPLY OFF/SKIP does not silence (in RESP2 as in RESP3).
func isSubscribeFamily(spec *command.Spec) bool {
	switch spec.Name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return spec.Parent() == nil
	}
	return false
}

func allowedInPubSub(spec *command.Spec) bool {
	name := spec.Name
	if p := spec.Parent(); p != nil {
		name = p.Name
	}
	switch name {
	case "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// oomRejects applies maxmemory: evict if a policy allows, else refuse
// commands that may grow memory.
func (s *Server) oomRejects(c *client, spec *command.Spec) bool {
	if s.cfg.MaxMemory <= 0 {
		return false
	}
	if s.evictLocked() {
		return false
	}
	deny := spec.Flags&command.DenyOOM != 0
	if p := spec.Parent(); p != nil && p.Flags&command.DenyOOM != 0 {
		deny = true
	}
	return deny || (c.multi != nil && spec.Name == "exec" && c.multi.hasDenyOOM())
}

// evictLocked frees memory down to maxmemory (set) as the policy allows, as
// Redis' performEvictions, and reports whether used memory is now under it.
func (s *Server) evictLocked() bool {
	// As in Redis, the clients' buffers count against maxmemory too (a
	// flood of replies nobody reads evicts keys or refuses writes).
	used := s.ks.UsedMemory() + s.clientsMem
	under := used <= s.cfg.MaxMemory
	if !under {
		_, err := s.ks.Evict(used - s.cfg.MaxMemory)
		under = err == nil
	}
	s.stats.evictionPass(under, s.nowMs)
	return under
}

func (m *multiState) hasDenyOOM() bool {
	for _, q := range m.queue {
		if q.spec.Flags&command.DenyOOM != 0 {
			return true
		}
	}
	return false
}

// call runs one command and does its bookkeeping: statistics, slow log,
// propagation, MONITOR. inExec is set for commands run by EXEC.
func (s *Server) call(c *client, spec *command.Spec, args [][]byte, now time.Time, inExec bool) {
	ctx := &c.ctx
	ctx.Reset(args, spec)
	ctx.Unblocked = c.blocked != nil
	ctx.ReadyKey = c.readyKey
	ctx.DB = s.ks.DB(c.db)
	ctx.Now = now.UnixMilli()
	ctx.InMulti = inExec
	mark := len(c.out.Buf)
	start := clock.Ticks()
	// A read-only command's lookups are reads: counted in keyspace_hits/misses and
	// published as keymiss when they miss. Write commands mark their read lookups
	// themselves. A blocked command served later does not count again: Redis 7.0
	// serves it with a write lookup.
	if spec.Flags&command.ReadOnly != 0 && !ctx.Unblocked {
		s.ks.SetReadMode(s.readMode())
	}
	spec.Handler(ctx)
	s.ks.SetReadMode(0) // whatever a handler left (Ctx.LookupRead, BeginReads restore it)
	dur := clock.Since(start)
	st := s.stats.cmd(spec)
	st.calls++
	st.usec += dur.Microseconds()
	if n := s.stats.countErrorReply(c.out.Buf[mark:]); n {
		st.failed++
	}
	if spec.Flags&command.SkipSlowlog == 0 {
		s.slowlog.record(c, args, now, dur, s.cfg)
	}
	if ctx.Blocked() {
		// Statistics count a blocked command once, when it is served.
		st.calls--
		return
	}
	s.admin.observe(spec, st, now, dur)
	if len(s.monitors) > 0 && spec.Flags&(command.SkipMonitor|command.Admin) == 0 {
		s.feedMonitors(c, args, now)
	}
	if p := ctx.Propagated(); p != nil {
		s.stats.dirty += int64(ctx.DirtyCount())
		s.prop.append(c.db, p)
	}
	c.lastCmd = spec.FullName()
	if c.noReply != 0 && !inExec && !isSubscribeFamily(spec) {
		c.out.Buf = c.out.Buf[:mark]
	}
}
