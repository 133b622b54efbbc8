package server

import (
	"time"
)

// slowlogEntry is one SLOWLOG GET entry.
type slowlogEntry struct {
	id       int64
	at       int64 // unix seconds
	micros   int64
	args     [][]byte
	addr     string
	name     string
	argCount int
}

// slowlog keeps the slowest recent commands, newest first. Guarded by Server.mu.
type slowlog struct {
	entries []slowlogEntry
	nextID  int64
}

func (l *slowlog) init() {}

const (
	slowlogMaxArgs   = 32
	slowlogMaxArgLen = 128
)

func (l *slowlog) record(c *client, args [][]byte, at time.Time, dur time.Duration, cfg *Config) {
	if cfg.SlowlogSlowerThan < 0 || dur.Microseconds() < cfg.SlowlogSlowerThan {
		return
	}
	n := len(args)
	if n > slowlogMaxArgs {
		n = slowlogMaxArgs
	}
	e := slowlogEntry{id: l.nextID, at: at.Unix(), micros: dur.Microseconds(), addr: c.addr, name: c.name, argCount: len(args)}
	l.nextID++
	for i := 0; i < n; i++ {
		a := args[i]
		if isRedacted(args, i) {
			e.args = append(e.args, []byte("(redacted)"))
			continue
		}
		if i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs {
			e.args = append(e.args, []byte("... ("+itoa(int64(len(args)-slowlogMaxArgs+1))+" more arguments)"))
			break
		}
		if len(a) > slowlogMaxArgLen {
			cp := append([]byte(nil), a[:slowlogMaxArgLen]...)
			cp = append(cp, "... ("+itoa(int64(len(a)-slowlogMaxArgLen))+" more bytes)"...)
			e.args = append(e.args, cp)
		} else {
			e.args = append(e.args, append([]byte(nil), a...))
		}
	}
	l.entries = append([]slowlogEntry{e}, l.entries...)
	if int64(len(l.entries)) > cfg.SlowlogMaxLen {
		l.entries = l.entries[:cfg.SlowlogMaxLen]
	}
}
