package server

import (
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// pauseState is CLIENT PAUSE: until the deadline, clients' commands (all,
// or only writes) wait. Guarded by Server.mu, except the channel.
type pauseState struct {
	until      time.Time
	writesOnly bool
	resume     chan struct{}
}

// active reports whether c must wait before running the command args.
func (p *pauseState) active(c *client, args [][]byte) bool {
	if p.until.IsZero() {
		return false
	}
	if time.Now().After(p.until) {
		p.unpause()
		return false
	}
	if p.writesOnly {
		spec := c.srv.table.Lookup(args[0])
		if spec == nil || spec.Flags&(command.Write|command.MayReplicate) == 0 {
			return false
		}
	}
	return true
}

// wait blocks (without the lock) until the pause ends.
func (p *pauseState) wait(c *client) {
	c.srv.mu.Lock()
	ch := p.resume
	until := p.until
	c.srv.mu.Unlock()
	if ch == nil {
		return
	}
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-c.srv.done:
	case <-c.wake: // closed (CLIENT KILL) while waiting
	}
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
}

func (p *pauseState) unpause() {
	p.until = time.Time{}
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
}

// release wakes c if it waits for the pause to end (it is being closed).
func (p *pauseState) release(c *client) { c.notifyWake() }
