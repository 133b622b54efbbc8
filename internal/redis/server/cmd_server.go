package server

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// registerServerCommands adds the server family. Each further file of the
// family (CLIENT, INFO, CONFIG, COMMAND, SLOWLOG, …) has its own register
// function called from here.
func (s *Server) registerServerCommands() {
	kw := []string{"keyspace", "write", "slow", "dangerous"}
	s.table.Add(
		&command.Spec{Name: "flushdb", Arity: -1, Flags: command.Write, Group: "server", Since: "1.0.0",
			Summary: "Remove all keys from the current database.", Complexity: "O(N) where N is the number of keys in the selected database", ACL: kw,
			Handler: s.cmdFlushDB},
		&command.Spec{Name: "flushall", Arity: -1, Flags: command.Write, Group: "server", Since: "1.0.0",
			Summary: "Remove all keys from all databases.", Complexity: "O(N) where N is the total number of keys in all databases", ACL: kw,
			Handler: s.cmdFlushAll},
		&command.Spec{Name: "swapdb", Arity: 3, Flags: command.Write | command.Fast, Group: "server", Since: "4.0.0",
			Summary: "Swaps two Redis databases.", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.", ACL: []string{"keyspace", "write", "fast", "dangerous"},
			Handler: s.cmdSwapDB},
		&command.Spec{Name: "shutdown", Arity: -1, Flags: command.Admin | command.NoScript | command.Loading | command.Stale | command.NoMulti | command.Sentinel | command.AllowBusy,
			Group: "server", Since: "1.0.0", Summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)", ACL: []string{"admin", "slow", "dangerous"},
			Handler: s.cmdShutdown},
	)
	s.registerClient()
	// INFO, CONFIG, COMMAND and the other introspection commands.
	s.registerAdmin()
}

func flushMode(c *command.Ctx) bool {
	if len(c.Args) > 2 {
		c.Error(command.ErrSyntax)
		return false
	}
	if len(c.Args) == 2 {
		switch strings.ToLower(string(c.Args[1])) {
		case "async", "sync":
		default:
			c.Error(command.ErrSyntax)
			return false
		}
	}
	return true
}

func (s *Server) cmdFlushDB(c *command.Ctx) {
	if !flushMode(c) {
		return
	}
	db := c.DB
	s.watch.touchDB(db.Index(), func(k string) bool { _, ok := db.Peek([]byte(k)); return ok })
	n := db.Len()
	db.Flush()
	c.Dirty(n + 1)
	c.W.OK()
}

func (s *Server) cmdFlushAll(c *command.Ctx) {
	if !flushMode(c) {
		return
	}
	n := 0
	for i := 0; i < s.ks.Len(); i++ {
		db := s.ks.DB(i)
		s.watch.touchDB(i, func(k string) bool { _, ok := db.Peek([]byte(k)); return ok })
		n += db.Len()
	}
	s.ks.FlushAll()
	c.Dirty(n + 1)
	c.W.OK()
}

func (s *Server) cmdSwapDB(c *command.Ctx) {
	a, ok1 := command.ParseInt(c.Args[1])
	b, ok2 := command.ParseInt(c.Args[2])
	if !ok1 {
		c.Error("ERR invalid first DB index")
		return
	}
	if !ok2 {
		c.Error("ERR invalid second DB index")
		return
	}
	if a < 0 || b < 0 || a >= int64(s.ks.Len()) || b >= int64(s.ks.Len()) {
		c.Error(command.ErrDBIndex)
		return
	}
	if a != b {
		s.ks.Swap(int(a), int(b))
		// Redis 7.0 touches a watched key only if it exists in one of
		// the two databases (before or after the swap).
		da, db := s.ks.DB(int(a)), s.ks.DB(int(b))
		inEither := func(k string) bool {
			_, okA := da.Peek([]byte(k))
			_, okB := db.Peek([]byte(k))
			return okA || okB
		}
		s.watch.touchDB(int(a), inEither)
		s.watch.touchDB(int(b), inEither)
		s.blocking.signalDB(int(a))
		s.blocking.signalDB(int(b))
	}
	c.DB = s.ks.DB(cl(c).db)
	c.Dirty(1)
	c.W.OK()
}

func (s *Server) cmdShutdown(c *command.Ctx) {
	for _, a := range c.Args[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave", "save", "now", "force", "abort":
		default:
			c.Error(command.ErrSyntax)
			return
		}
	}
	if len(c.Args) == 2 && strings.EqualFold(string(c.Args[1]), "abort") {
		c.Error("ERR No shutdown in progress.")
		return
	}
	s.log.Info("User requested shutdown...")
	s.requestShutdown()
	// Redis closes the connection without a reply when it shuts down.
	cl(c).closeAfter = true
}

// feedMonitors sends a command to every MONITOR client as Redis formats it:
// +<unix time with micros> [<db> <addr>] "arg" "arg"...
func (s *Server) feedMonitors(c *client, args [][]byte, now time.Time) {
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, fmt.Sprintf(".%06d [%d %s]", now.Nanosecond()/1000, c.db, c.addr)...)
	for i, a := range args {
		line = append(line, ' ')
		if isRedacted(args, i) {
			line = append(line, `"(redacted)"`...)
			continue
		}
		line = appendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	for m := range s.monitors {
		if m.closing {
			continue
		}
		m.out.Raw(line)
		m.pushLocked()
	}
}

// isRedacted reports whether args[i] is a secret that MONITOR and the slow
// log must not show: AUTH's credentials, HELLO's AUTH pair, and the values
// of sensitive configs in CONFIG SET, as Redis 7.0 redacts them.
func isRedacted(args [][]byte, i int) bool {
	switch {
	case strings.EqualFold(string(args[0]), "auth"):
		return i >= 1
	case strings.EqualFold(string(args[0]), "hello"):
		for j := 1; j < i; j++ {
			if strings.EqualFold(string(args[j]), "auth") {
				return i <= j+2
			}
		}
	case strings.EqualFold(string(args[0]), "config") && len(args) > 1 && strings.EqualFold(string(args[1]), "set"):
		if i >= 3 && (i-3)%2 == 0 {
			name := strings.ToLower(string(args[i-1]))
			return name == "masterauth" || name == "requirepass"
		}
	}
	return false
}

// appendRepr quotes b as Redis' sdscatrepr does.
func appendRepr(dst, b []byte) []byte {
	dst = append(dst, '"')
	for _, ch := range b {
		switch ch {
		case '\\', '"':
			dst = append(dst, '\\', ch)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if ch >= 0x20 && ch < 0x7f {
				dst = append(dst, ch)
			} else {
				dst = append(dst, fmt.Sprintf("\\x%02x", ch)...)
			}
		}
	}
	return append(dst, '"')
}
