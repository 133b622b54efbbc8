package server

import (
	"github.com/tandem-db/tandem/internal/redis/glob"
)

// pubsubRegistry holds channel, pattern and shard channel subscriptions.
// A standalone server is one shard: shard channels are channels of their
// own namespace, published to with SPUBLISH.
type pubsubRegistry struct {
	channels map[string]map[*client]struct{}
	patterns map[string]map[*client]struct{}
	shard    map[string]map[*client]struct{}
}

func (r *pubsubRegistry) init() {
	r.channels = make(map[string]map[*client]struct{})
	r.patterns = make(map[string]map[*client]struct{})
	r.shard = make(map[string]map[*client]struct{})
}

func (c *client) inPubSubContext() bool {
	return c.out.Proto == 2 && c.subscriptionCount() > 0
}

// subscriptionCount counts every subscription: channels, patterns and
// shard channels (any of them puts a RESP2 client in the pub/sub context).
func (c *client) subscriptionCount() int { return len(c.subs) + len(c.psubs) + len(c.ssubs) }

// subscribeTo adds name to a client's set and the registry's; false if it
// was there.
func subscribeTo(set *map[string]struct{}, reg map[string]map[*client]struct{}, c *client, name string) bool {
	if *set == nil {
		*set = make(map[string]struct{})
	}
	if _, ok := (*set)[name]; ok {
		return false
	}
	(*set)[name] = struct{}{}
	subs := reg[name]
	if subs == nil {
		subs = make(map[*client]struct{})
		reg[name] = subs
	}
	subs[c] = struct{}{}
	return true
}

// unsubscribeFrom is subscribeTo's reverse.
func unsubscribeFrom(set map[string]struct{}, reg map[string]map[*client]struct{}, c *client, name string) bool {
	if _, ok := set[name]; !ok {
		return false
	}
	delete(set, name)
	subs := reg[name]
	delete(subs, c)
	if len(subs) == 0 {
		delete(reg, name)
	}
	return true
}

func (r *pubsubRegistry) ssubscribe(c *client, ch string) bool {
	return subscribeTo(&c.ssubs, r.shard, c, ch)
}

func (r *pubsubRegistry) sunsubscribe(c *client, ch string) bool {
	return unsubscribeFrom(c.ssubs, r.shard, c, ch)
}

// spublish delivers msg to the shard channel's subscribers.
func (r *pubsubRegistry) spublish(channel, msg []byte) int {
	return deliver(r.shard[string(channel)], "smessage", nil, channel, msg)
}

// deliver sends a kind ("message", "pmessage", "smessage") push of msg on
// channel to each of subs, with the pattern that matched for pmessage,
// returning how many received it.
func deliver(subs map[*client]struct{}, kind string, pattern, channel, msg []byte) int {
	n := 0
	for c := range subs {
		if c.closing {
			continue
		}
		if pattern != nil {
			c.out.Push(4)
			c.out.BulkString(kind)
			c.out.Bulk(pattern)
		} else {
			c.out.Push(3)
			c.out.BulkString(kind)
		}
		c.out.Bulk(channel)
		c.out.Bulk(msg)
		c.pushLocked()
		n++
	}
	return n
}

func (r *pubsubRegistry) subscribe(c *client, ch string) bool {
	return subscribeTo(&c.subs, r.channels, c, ch)
}

func (r *pubsubRegistry) unsubscribe(c *client, ch string) bool {
	return unsubscribeFrom(c.subs, r.channels, c, ch)
}

func (r *pubsubRegistry) psubscribe(c *client, pat string) bool {
	return subscribeTo(&c.psubs, r.patterns, c, pat)
}

func (r *pubsubRegistry) punsubscribe(c *client, pat string) bool {
	return unsubscribeFrom(c.psubs, r.patterns, c, pat)
}

func (r *pubsubRegistry) unsubscribeAll(c *client) {
	for ch := range c.subs {
		r.unsubscribe(c, ch)
	}
	for p := range c.psubs {
		r.punsubscribe(c, p)
	}
	for ch := range c.ssubs {
		r.sunsubscribe(c, ch)
	}
}

// publish delivers msg to the channel's subscribers and to the clients
// whose patterns match, returning how many received it.
func (r *pubsubRegistry) publish(channel, msg []byte) int {
	n := deliver(r.channels[string(channel)], "message", nil, channel, msg)
	for pat, set := range r.patterns {
		if p := []byte(pat); glob.Match(p, channel) {
			n += deliver(set, "pmessage", p, channel, msg)
		}
	}
	return n
}
