package server

import (
	"github.com/tandem-db/tandem/internal/redis/glob"
)

// pubsubRegistry holds channel and pattern subscriptions.
type pubsubRegistry struct {
	channels map[string]map[*client]struct{}
	patterns map[string]map[*client]struct{}
}

func (r *pubsubRegistry) init() {
	r.channels = make(map[string]map[*client]struct{})
	r.patterns = make(map[string]map[*client]struct{})
}

func (c *client) inPubSubContext() bool {
	return c.out.Proto == 2 && (len(c.subs) > 0 || len(c.psubs) > 0)
}

func (c *client) subscriptionCount() int { return len(c.subs) + len(c.psubs) }

func (r *pubsubRegistry) subscribe(c *client, ch string) bool {
	if c.subs == nil {
		c.subs = make(map[string]struct{})
	}
	if _, ok := c.subs[ch]; ok {
		return false
	}
	c.subs[ch] = struct{}{}
	set := r.channels[ch]
	if set == nil {
		set = make(map[*client]struct{})
		r.channels[ch] = set
	}
	set[c] = struct{}{}
	return true
}

func (r *pubsubRegistry) unsubscribe(c *client, ch string) bool {
	if _, ok := c.subs[ch]; !ok {
		return false
	}
	delete(c.subs, ch)
	set := r.channels[ch]
	delete(set, c)
	if len(set) == 0 {
		delete(r.channels, ch)
	}
	return true
}

func (r *pubsubRegistry) psubscribe(c *client, pat string) bool {
	if c.psubs == nil {
		c.psubs = make(map[string]struct{})
	}
	if _, ok := c.psubs[pat]; ok {
		return false
	}
	c.psubs[pat] = struct{}{}
	set := r.patterns[pat]
	if set == nil {
		set = make(map[*client]struct{})
		r.patterns[pat] = set
	}
	set[c] = struct{}{}
	return true
}

func (r *pubsubRegistry) punsubscribe(c *client, pat string) bool {
	if _, ok := c.psubs[pat]; !ok {
		return false
	}
	delete(c.psubs, pat)
	set := r.patterns[pat]
	delete(set, c)
	if len(set) == 0 {
		delete(r.patterns, pat)
	}
	return true
}

func (r *pubsubRegistry) unsubscribeAll(c *client) {
	for ch := range c.subs {
		r.unsubscribe(c, ch)
	}
	for p := range c.psubs {
		r.punsubscribe(c, p)
	}
}

// publish delivers msg to the channel's subscribers and to the clients
// whose patterns match, returning how many received it.
func (r *pubsubRegistry) publish(channel, msg []byte) int {
	n := 0
	for c := range r.channels[string(channel)] {
		if c.closing {
			continue
		}
		c.out.Push(3)
		c.out.BulkString("message")
		c.out.Bulk(channel)
		c.out.Bulk(msg)
		c.pushLocked()
		n++
	}
	for pat, set := range r.patterns {
		if !glob.Match([]byte(pat), channel) {
			continue
		}
		for c := range set {
			if c.closing {
				continue
			}
			c.out.Push(4)
			c.out.BulkString("pmessage")
			c.out.BulkString(pat)
			c.out.Bulk(channel)
			c.out.Bulk(msg)
			c.pushLocked()
			n++
		}
	}
	return n
}
