package server

import (
	"crypto/subtle"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/command"
)

const (
	errNoPasswordSet = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errWrongPass     = "WRONGPASS invalid username-password pair or user is disabled."
	errNoProto       = "NOPROTO unsupported protocol version"
	errClientName    = "ERR Client names cannot contain spaces, newlines or special characters."
)

// serverVersion is the Redis version tandem reports.
const serverVersion = "7.0.15"

func cl(c *command.Ctx) *client { return c.Client.(*client) }

// registerFamilies adds the server's own command families to the table.
func (s *Server) registerFamilies() {
	s.registerConnection()
	s.registerTx()
	s.registerPubSub()
	s.registerServerCommands()
	s.registerFunction()
	s.registerCluster()
}

func (s *Server) registerConnection() {
	s.table.Add(
		&command.Spec{Name: "ping", Arity: -1, Flags: command.Fast | command.Sentinel, Group: "connection", Since: "1.0.0",
			Summary: "Returns the server's liveliness response.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: s.cmdPing},
		&command.Spec{Name: "echo", Arity: 2, Flags: command.Fast, Group: "connection", Since: "1.0.0",
			Summary: "Returns the given string.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: func(c *command.Ctx) { c.W.Bulk(c.Args[1]) }},
		&command.Spec{Name: "quit", Arity: -1, Flags: command.AllowBusy | command.NoAuth | command.Fast | command.Loading | command.Stale | command.NoScript,
			Group: "connection", Since: "1.0.0", Summary: "Closes the connection.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: func(c *command.Ctx) { c.W.OK(); cl(c).closeAfter = true }},
		&command.Spec{Name: "reset", Arity: 1, Flags: command.NoScript | command.Loading | command.Stale | command.NoAuth | command.Fast | command.AllowBusy,
			Group: "connection", Since: "6.2.0", Summary: "Resets the connection.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: s.cmdReset},
		&command.Spec{Name: "select", Arity: 2, Flags: command.Loading | command.Stale | command.Fast, Group: "connection", Since: "1.0.0",
			Summary: "Changes the selected database.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: s.cmdSelect},
		&command.Spec{Name: "auth", Arity: -2, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.NoAuth | command.Sentinel | command.AllowBusy,
			Group: "connection", Since: "1.0.0", Summary: "Authenticates the connection.", Complexity: "O(N) where N is the number of passwords defined for the user", ACL: []string{"fast", "connection"},
			Handler: s.cmdAuth},
		&command.Spec{Name: "hello", Arity: -1, Flags: command.NoScript | command.Loading | command.Stale | command.Fast | command.NoAuth | command.Sentinel | command.AllowBusy,
			Group: "connection", Since: "6.0.0", Summary: "Handshakes with the Redis server.", Complexity: "O(1)", ACL: []string{"fast", "connection"},
			Handler: s.cmdHello},
	)
}

func (s *Server) cmdPing(c *command.Ctx) {
	if len(c.Args) > 2 {
		c.Error(command.WrongArgs("ping"))
		return
	}
	if cl(c).inPubSubContext() {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(c.Args) == 2 {
			c.W.Bulk(c.Args[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(c.Args) == 2 {
		c.W.Bulk(c.Args[1])
		return
	}
	c.W.SimpleString("PONG")
}

func (s *Server) cmdSelect(c *command.Ctx) {
	n, ok := command.ParseInt(c.Args[1])
	if !ok {
		c.Error(command.ErrNotInt)
		return
	}
	if n < 0 || n >= int64(s.ks.Len()) {
		c.Error(command.ErrDBIndex)
		return
	}
	cl(c).db = int(n)
	c.DB = s.ks.DB(int(n))
	c.W.OK()
}

func (s *Server) cmdReset(c *command.Ctx) {
	cli := cl(c)
	cli.multi = nil
	s.watch.unwatchAll(cli)
	s.pubsub.unsubscribeAll(cli)
	delete(s.monitors, cli)
	cli.db = 0
	c.DB = s.ks.DB(0)
	cli.out.Proto = 2
	cli.noReply = 0
	cli.noEvict = false
	cli.name = ""
	cli.authed = s.cfg.RequirePass == ""
	c.W.SimpleString("RESET")
}

func (s *Server) checkPassword(user, pass []byte) bool {
	if !strings.EqualFold(string(user), "default") {
		return false
	}
	if s.cfg.RequirePass == "" {
		return true
	}
	return subtle.ConstantTimeCompare(pass, []byte(s.cfg.RequirePass)) == 1
}

func (s *Server) cmdAuth(c *command.Ctx) {
	if len(c.Args) > 3 {
		c.Error(command.ErrSyntax)
		return
	}
	user, pass := []byte("default"), c.Args[1]
	if len(c.Args) == 3 {
		user, pass = c.Args[1], c.Args[2]
	} else if s.cfg.RequirePass == "" {
		c.Error(errNoPasswordSet)
		return
	}
	if !s.checkPassword(user, pass) {
		c.Error(errWrongPass)
		return
	}
	cl(c).authed = true
	c.W.OK()
}

// validClientName reports whether a name has no spaces or special characters.
func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func (s *Server) cmdHello(c *command.Ctx) {
	cli := cl(c)
	proto := cli.out.Proto
	i := 1
	if len(c.Args) > 1 {
		v, ok := command.ParseInt(c.Args[1])
		if !ok {
			c.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.Error(errNoProto)
			return
		}
		proto = int(v)
		i = 2
	}
	var name []byte
	setName := false
	for ; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch opt := strings.ToLower(string(c.Args[i])); {
		case opt == "auth" && more >= 2:
			if !s.checkPassword(c.Args[i+1], c.Args[i+2]) {
				c.Error(errWrongPass)
				return
			}
			cli.authed = true
			i += 2
		case opt == "setname" && more >= 1:
			name = c.Args[i+1]
			if !validClientName(name) {
				c.Error(errClientName)
				return
			}
			setName = true
			i++
		default:
			c.Error("ERR Syntax error in HELLO option '" + string(c.Args[i]) + "'")
			return
		}
	}
	if !cli.authed {
		c.Error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if setName {
		cli.name = string(name)
	}
	cli.out.Proto = proto
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(serverVersion)
	c.W.BulkString("proto")
	c.W.Int(int64(proto))
	c.W.BulkString("id")
	c.W.Int(cli.id)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.Array(0)
}
