package server

import (
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// pauseState is CLIENT PAUSE: until the deadline, clients' commands (all,
// or only those that write or may replicate) are postponed, and the
// dataset stays static (no expiry, no eviction). Guarded by Server.mu.
type pauseState struct {
	s          *Server
	until      time.Time
	writesOnly bool
	timer      *time.Timer
	held       []*client // clients whose next command waits for the end, in order
}

// postpones reports whether c must wait for the pause to end before
// running spec, which passed the checks that answer at once (unknown
// command, arity, authentication, pub/sub context), as Redis'
// processCommand decides: under a WRITE pause, commands that write or may
// replicate (PUBLISH, PFCOUNT...) and an EXEC that queued one.
func (p *pauseState) postpones(c *client, spec *command.Spec) bool {
	if !p.on() {
		return false
	}
	if !p.writesOnly {
		return true
	}
	const replicates = command.Write | command.MayReplicate
	if spec.Flags&replicates != 0 {
		return true
	}
	if spec.Name == "exec" && c.multi != nil {
		for _, q := range c.multi.queue {
			if q.spec.Flags&replicates != 0 {
				return true
			}
		}
	}
	return false
}

// on reports whether a pause is in force, ending it when its time is up.
func (p *pauseState) on() bool {
	if p.until.IsZero() {
		return false
	}
	if time.Now().After(p.until) {
		p.unpause()
		return false
	}
	return true
}

// hold records c as waiting for the pause to end; its loop goes on with
// it then. The client counts as blocked meanwhile.
func (p *pauseState) hold(c *client) {
	if c.postponed {
		return
	}
	c.postponed = true
	p.held = append(p.held, c)
}

func (p *pauseState) pause(d time.Duration, writesOnly bool) {
	until := time.Now().Add(d)
	if until.After(p.until) || p.until.IsZero() {
		p.until = until
		// The pause also ends when no command comes to notice its time is up.
		if p.timer != nil {
			p.timer.Stop()
		}
		s := p.s
		p.timer = time.AfterFunc(time.Until(p.until), func() {
			s.mu.Lock()
			p.on()
			s.mu.Unlock()
		})
	}
	p.writesOnly = writesOnly
	p.s.ks.PauseExpiry(true)
}

// unpause ends the pause and lets the held clients go on, in the order
// they were held.
func (p *pauseState) unpause() {
	p.until = time.Time{}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.s.ks.PauseExpiry(false)
	held := p.held
	p.held = nil
	for _, c := range held {
		c.postponed = false
		p.s.scheduleLocked(c)
	}
}

// release forgets c if it waits for the pause to end (it is being closed).
func (p *pauseState) release(c *client) {
	if !c.postponed {
		return
	}
	c.postponed = false
	for i, h := range p.held {
		if h == c {
			p.held = append(p.held[:i], p.held[i+1:]...)
			break
		}
	}
}
