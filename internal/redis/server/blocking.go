package server

import (
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// blockState is a blocked client's wait: the keys, the command to re-run
// and what to reply on timeout.
type blockState struct {
	keys      []dbKey
	spec      *command.Spec
	args      [][]byte
	db        int
	deadline  time.Time // zero: forever
	onTimeout func(w *resp.Writer)
	seq       uint64
	timer     *time.Timer // ends the wait at deadline
}

type dbKey struct {
	db  int
	key string
}

// blockRegistry maps keys to the clients blocked on them, in arrival order,
// and collects the keys that became ready during a command.
type blockRegistry struct {
	waiting map[dbKey][]*client
	ready   []dbKey
	isReady map[dbKey]bool
	count   int
	seq     uint64
}

func (r *blockRegistry) init() {
	r.waiting = make(map[dbKey][]*client)
	r.isReady = make(map[dbKey]bool)
}

// Block implements command.Hooks.
func (s *Server) Block(ctx *command.Ctx, keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	c := ctx.Client.(*client)
	if c.blocked != nil {
		// A re-run that found nothing again keeps its place in line.
		return
	}
	// The arguments are copied: the query buffer they sit in is reused
	// while the client waits.
	args := make([][]byte, len(ctx.Args))
	for i, a := range ctx.Args {
		args[i] = append([]byte(nil), a...)
	}
	b := &blockState{spec: ctx.Spec, args: args, db: c.db, onTimeout: onTimeout}
	if timeout > 0 {
		b.deadline = time.Now().Add(timeout)
		b.timer = time.AfterFunc(timeout, func() {
			s.mu.Lock()
			if c.blocked == b {
				s.unblockLocked(c, "")
			}
			s.mu.Unlock()
		})
	}
	s.blocking.seq++
	b.seq = s.blocking.seq
	for _, k := range keys {
		dk := dbKey{c.db, string(k)}
		b.keys = append(b.keys, dk)
		s.blocking.waiting[dk] = append(s.blocking.waiting[dk], c)
	}
	s.blocking.count++
	c.blocked = b
}

// signal marks key ready if clients wait on it.
func (r *blockRegistry) signal(db int, key []byte) {
	if len(r.waiting) == 0 {
		return
	}
	dk := dbKey{db, string(key)}
	if _, ok := r.waiting[dk]; !ok || r.isReady[dk] {
		return
	}
	r.isReady[dk] = true
	r.ready = append(r.ready, dk)
}

// signalDB marks every waited-on key of db ready (FLUSHDB, SWAPDB).
func (r *blockRegistry) signalDB(db int) {
	for dk := range r.waiting {
		if dk.db == db && !r.isReady[dk] {
			r.isReady[dk] = true
			r.ready = append(r.ready, dk)
		}
	}
}

// remove takes c out of every wait list.
func (r *blockRegistry) remove(c *client) {
	b := c.blocked
	if b == nil {
		return
	}
	if b.timer != nil {
		b.timer.Stop()
	}
	for _, dk := range b.keys {
		list := r.waiting[dk]
		for i, w := range list {
			if w == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(r.waiting, dk)
		} else {
			r.waiting[dk] = list
		}
	}
	r.count--
}

// serveReady re-runs, in arrival order, the commands of clients blocked on
// keys that became ready, until no key is ready (a served command may
// make other keys ready). Called with s.mu held after every command.
func (r *blockRegistry) serveReady(s *Server) {
	for len(r.ready) > 0 {
		ready := r.ready
		r.ready = nil
		for _, dk := range ready {
			delete(r.isReady, dk)
			waiters := append([]*client(nil), r.waiting[dk]...)
			for _, c := range waiters {
				b := c.blocked
				if b == nil {
					continue
				}
				// Stop once the key is gone: later waiters keep waiting.
				if _, ok := s.ks.DB(dk.db).Peek([]byte(dk.key)); !ok {
					break
				}
				saved := c.db
				c.db = b.db
				c.readyKey = []byte(dk.key)
				s.call(c, b.spec, b.args, time.UnixMilli(s.nowMs), false)
				c.readyKey = nil
				c.db = saved
				if c.ctx.Blocked() {
					continue
				}
				r.remove(c)
				c.blocked = nil
				s.scheduleLocked(c)
			}
		}
	}
}

// unblockLocked ends c's wait with its timeout reply, or with err.
func (s *Server) unblockLocked(c *client, err string) {
	b := c.blocked
	if b == nil {
		return
	}
	s.blocking.remove(c)
	c.blocked = nil
	// The command counts now, as Redis counts it when it unblocks: a call,
	// failed when ended by an error.
	st := s.stats.cmd(b.spec)
	st.calls++
	if err != "" {
		c.out.Error(err)
		st.failed++
	} else {
		b.onTimeout(&c.out)
	}
	s.scheduleLocked(c)
}
