package server

import (
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// pauseState is CLIENT PAUSE: until the deadline, clients' commands (all,
// or only those that write or may replicate) are postponed, and the
// dataset stays static (no expiry, no eviction). Guarded by Server.mu,
// except the channel.
type pauseState struct {
	ks         *keyspace.Keyspace
	until      time.Time
	writesOnly bool
	resume     chan struct{}
	waiting    int // clients postponed by the pause: INFO counts them as blocked
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

// wait blocks (without the lock) until the pause ends; the client counts
// as blocked meanwhile.
func (p *pauseState) wait(c *client) {
	s := c.srv
	s.mu.Lock()
	ch := p.resume
	until := p.until
	if ch != nil {
		p.waiting++
		c.postponed = true
	}
	s.mu.Unlock()
	if ch == nil {
		return
	}
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-s.done:
	case <-c.wake: // closed (CLIENT KILL) while waiting
	}
	s.mu.Lock()
	p.waiting--
	c.postponed = false
	s.mu.Unlock()
}

func (p *pauseState) pause(d time.Duration, writesOnly bool) {
	until := time.Now().Add(d)
	if until.After(p.until) || p.until.IsZero() {
		p.until = until
	}
	p.writesOnly = writesOnly
	if p.resume == nil {
		p.resume = make(chan struct{})
	}
	p.ks.PauseExpiry(true)
}

func (p *pauseState) unpause() {
	p.until = time.Time{}
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
	p.ks.PauseExpiry(false)
}

// release wakes c if it waits for the pause to end (it is being closed).
func (p *pauseState) release(c *client) { c.notifyWake() }
