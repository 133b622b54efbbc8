package server

import (
	"sort"
	"time"
)

// Client memory: what each connection's buffers and state take, summed
// for INFO and maxmemory-clients (client eviction), as Redis' client
// memory usage tracking does.

const (
	// clientStructSize approximates the fixed memory of one connection (the
	// client struct, parser and small buffers), as Redis counts its client
	// struct in tot-mem.
	clientStructSize = 8 * 1024
	// Per watched key and per subscription: the entry in the client's list
	// or map and in the server's registry (the names are shared).
	watchedKeyOverhead   = 64
	subscriptionOverhead = 64
)

// memoryLocked is c's memory: its query buffer's allocation (as its loop
// last recorded it), its unsent replies, the arguments it queued in a
// transaction, its watched keys and subscriptions, and the fixed part.
func (c *client) memoryLocked() int64 {
	m := c.qbufCap + int64(cap(c.out.Buf)) + c.unsent + clientStructSize
	if c.multi != nil {
		m += c.multi.mem
	}
	m += int64(len(c.watched)) * watchedKeyOverhead
	m += int64(c.subscriptionCount()) * subscriptionOverhead
	return m
}

// trackMemoryLocked records c's memory in the clients' total and evicts
// clients when the total passes maxmemory-clients. A closing client no
// longer counts.
func (s *Server) trackMemoryLocked(c *client) {
	m := int64(0)
	if !c.closing {
		m = c.memoryLocked()
	}
	s.clientsMem += m - c.memUsage
	c.memUsage = m
	s.evictClientsLocked()
}

// evictClientsLocked closes the clients using the most memory, largest
// first, until the clients' total is under maxmemory-clients, as Redis'
// client eviction does. CLIENT NO-EVICT clients are spared (their memory
// still counts).
func (s *Server) evictClientsLocked() {
	limit := s.cfg.ClientEvictionLimit()
	if limit == 0 || s.clientsMem < limit {
		return
	}
	var victims []*client
	for _, c := range s.clients {
		if !c.noEvict && !c.closing && c.memUsage > 0 {
			victims = append(victims, c)
		}
	}
	sort.Slice(victims, func(i, j int) bool { return victims[i].memUsage > victims[j].memUsage })
	for _, c := range victims {
		if s.clientsMem < limit {
			return
		}
		s.log.Info("Evicting client", "client", string(s.appendClientInfo(nil, c, nil, time.Now())))
		s.stats.evictedClients++
		c.closeLocked()
		s.clientsMem -= c.memUsage
		c.memUsage = 0
	}
	if s.clientsMem >= limit {
		s.log.Warn("Over client maxmemory after evicting all evictable clients")
	}
}
