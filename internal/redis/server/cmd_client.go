package server

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// The CLIENT container command: connection introspection (ID, INFO, LIST,
// GETNAME), control of other connections (KILL, PAUSE, UNPAUSE, UNBLOCK)
// and of this one (SETNAME, REPLY, NO-EVICT), as Redis 7.0's networking.c.

// Error texts of CLIENT.
const (
	errNoSuchClient     = "ERR No such client"
	errClientIDPositive = "ERR client-id should be greater than 0"
	errInvalidClientID  = "ERR Invalid client ID"
	errPauseMode        = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	errTimeoutNotInt    = "ERR timeout is not an integer or out of range"
	errTimeoutNegative  = "ERR timeout is negative"
	errUnblockReason    = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	errUnblocked        = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
	errCaching          = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	// errTrackingNotSupported is the typed error of a feature tandem does
	// not implement (docs/COMPATIBILITY.md): client-side caching.
	errTrackingNotSupported = "ERR CLIENT TRACKING is not supported by this server (client-side caching invalidation is not implemented)"
)

// Client types, as CLIENT KILL TYPE and CLIENT LIST TYPE name them.
const (
	clientTypeNormal = iota
	clientTypeReplica
	clientTypePubSub
	clientTypeMaster
)

func parseClientType(name string) (int, bool) {
	switch strings.ToLower(name) {
	case "normal":
		return clientTypeNormal, true
	case "slave", "replica":
		return clientTypeReplica, true
	case "pubsub":
		return clientTypePubSub, true
	case "master":
		return clientTypeMaster, true
	}
	return 0, false
}

// clientType is the client's class; MONITOR clients count as normal, as
// in Redis.
func (c *client) clientType() int {
	if c.subscriptionCount() > 0 {
		return clientTypePubSub
	}
	return clientTypeNormal
}

func (s *Server) registerClient() {
	sub := func(name string, arity int, flags command.Flags, since, summary string, acl []string, h command.Handler) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Group: "connection", Since: since,
			Summary: summary, Complexity: "O(1)", ACL: acl, Handler: h}
	}
	const basic = command.NoScript | command.Loading | command.Stale
	conn := []string{"slow", "connection"}
	admin := []string{"admin", "slow", "dangerous", "connection"}
	s.table.Add(&command.Spec{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
		Sub: []*command.Spec{
			sub("id", 2, basic, "5.0.0", "Returns the unique client ID of the connection.", conn,
				func(c *command.Ctx) { c.W.Int(cl(c).id) }),
			sub("info", 2, basic, "6.2.0", "Returns information about the connection.", conn, s.cmdClientInfo),
			withComplexity(sub("list", -2, command.Admin|basic, "2.4.0", "Lists open connections.", admin, s.cmdClientList),
				"O(N) where N is the number of client connections"),
			withComplexity(sub("kill", -3, command.Admin|basic, "2.4.0", "Terminates open connections.", admin, s.cmdClientKill),
				"O(N) where N is the number of client connections"),
			sub("getname", 2, basic, "2.6.9", "Returns the name of the connection.", conn, func(c *command.Ctx) {
				if n := cl(c).name; n != "" {
					c.W.BulkString(n)
				} else {
					c.W.Null()
				}
			}),
			sub("setname", 3, basic, "2.6.9", "Sets the connection name.", conn, s.cmdClientSetName),
			sub("pause", -3, command.Admin|basic, "3.0.0", "Suspends commands processing.", admin, s.cmdClientPause),
			sub("unpause", 2, command.Admin|basic, "6.2.0", "Resumes processing commands from paused clients.", admin,
				func(c *command.Ctx) { s.paused.unpause(); c.W.OK() }),
			sub("reply", 3, basic, "3.2.0", "Instructs the server whether to reply to commands.", conn, s.cmdClientReply),
			sub("no-evict", 3, command.Admin|basic, "7.0.0", "Sets the client eviction mode of the connection.", admin, s.cmdClientNoEvict),
			withComplexity(sub("unblock", -3, command.Admin|basic, "5.0.0", "Unblocks a client blocked by a blocking command from a different connection.", admin, s.cmdClientUnblock),
				"O(log N) where N is the number of client connections"),
			sub("tracking", -3, basic, "6.0.0", "Controls server-assisted client-side caching for the connection.", conn,
				func(c *command.Ctx) { c.Error(errTrackingNotSupported) }),
			sub("trackinginfo", 2, basic, "6.2.0", "Returns information about server-assisted client-side caching for the connection.", conn, cmdClientTrackingInfo),
			sub("getredir", 2, basic, "6.0.0", "Returns the client ID to which the connection's tracking notifications are redirected.", conn,
				func(c *command.Ctx) { c.W.Int(-1) }),
			sub("caching", 3, basic, "6.0.0", "Instructs the server whether to track the keys in the next request.", conn,
				func(c *command.Ctx) { c.Error(errCaching) }),
			sub("help", 2, command.Loading|command.Stale, "5.0.0", "Returns helpful text about the different subcommands.", []string{"slow"},
				func(c *command.Ctx) { helpReply(c, "CLIENT", clientHelp) }),
		}})
}

func withComplexity(s *command.Spec, complexity string) *command.Spec {
	s.Complexity = complexity
	return s
}

var clientHelp = []string{
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
}

// sortedClientsLocked returns the live clients in id order.
func (s *Server) sortedClientsLocked() []*client {
	out := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		if !c.closing {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// clientFlags renders the flags field as Redis' catClientInfoString does.
func (s *Server) clientFlags(c *client) string {
	var b []byte
	if _, ok := s.monitors[c]; ok {
		b = append(b, 'O')
	}
	if c.subscriptionCount() > 0 {
		b = append(b, 'P')
	}
	if c.multi != nil {
		b = append(b, 'x')
	}
	if c.blocked != nil || c.postponed {
		b = append(b, 'b')
	}
	if c.dirtyCAS {
		b = append(b, 'd')
	}
	if c.closeAfter {
		b = append(b, 'c')
	}
	if c.noEvict {
		b = append(b, 'e')
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}

// replyChunk is the size of Redis' static reply buffer; output beyond it
// is reported as list blocks (oll, omem) as Redis does.
const replyChunk = 16 * 1024

// appendClientInfo appends one CLIENT LIST line (without the newline).
// self is the client running the command: the query buffers of the
// clients of its event loop can be read (the running goroutine owns
// them), other loops' cannot.
func (s *Server) appendClientInfo(b []byte, c *client, self *client, now time.Time) []byte {
	str := func(name, v string) {
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, ' ')
		}
		b = append(b, name...)
		b = append(b, '=')
		b = append(b, v...)
	}
	num := func(name string, v int64) { str(name, strconv.FormatInt(v, 10)) }
	multi, multiMem := int64(-1), int64(0)
	if c.multi != nil {
		multi, multiMem = int64(len(c.multi.queue)), c.multi.mem
	}
	var qbuf, qfree, argvMem int64
	rbs := int64(readChunk)
	if self != nil && (c == self || c.loop == self.loop) {
		// The bytes not run yet: from the batch's start while it runs or
		// waits part-way, else what follows the parsed commands, less the
		// arguments already read of an incomplete one (Redis moves those
		// to argv).
		switch {
		case c == self || c.batchPos < len(c.batch):
			qbuf = int64(len(c.qbuf) - c.batchStart)
		default:
			parsed, argBytes := c.parser.Partial()
			qbuf = int64(len(c.qbuf) - c.qpos - parsed)
			argvMem = int64(argBytes)
		}
		qfree = int64(cap(c.qbuf) - len(c.qbuf))
		rbs = int64(cap(c.qbuf))
	}
	if c == self {
		argvMem = argsSize(c.ctx.Args)
	} else if c.blocked != nil {
		argvMem = argsSize(c.blocked.args)
	}
	out := int64(len(c.out.Buf)) + c.unsent
	obl, oll, omem := out, int64(0), int64(0)
	if out > replyChunk {
		obl = replyChunk
		omem = out - replyChunk
		oll = (omem + replyChunk - 1) / replyChunk
	}
	events := "r"
	if out > 0 && c != self {
		events = "rw"
	}
	cmd := "NULL"
	switch {
	case c == self && c.ctx.Spec != nil:
		cmd = c.ctx.Spec.FullName()
	case c.blocked != nil:
		cmd = c.blocked.spec.FullName()
	case c.lastCmd != "":
		cmd = c.lastCmd
	}
	num("id", c.id)
	str("addr", c.addr)
	str("laddr", c.laddr)
	num("fd", int64(c.fd))
	str("name", c.name)
	num("age", int64(now.Sub(c.created)/time.Second))
	num("idle", int64(now.Sub(c.lastActive)/time.Second))
	str("flags", s.clientFlags(c))
	num("db", int64(c.db))
	num("sub", int64(len(c.subs)))
	num("psub", int64(len(c.psubs)))
	num("ssub", int64(len(c.ssubs)))
	num("multi", multi)
	num("qbuf", qbuf)
	num("qbuf-free", qfree)
	num("argv-mem", argvMem)
	num("multi-mem", multiMem)
	num("rbs", rbs)
	num("rbp", rbs)
	num("obl", obl)
	num("oll", oll)
	num("omem", omem)
	num("tot-mem", c.memoryLocked()+argvMem)
	str("events", events)
	str("cmd", cmd)
	str("user", c.user)
	num("redir", -1)
	num("resp", int64(c.out.Proto))
	return b
}

func argsSize(args [][]byte) int64 {
	var n int64
	for _, a := range args {
		n += int64(len(a))
	}
	return n
}

func (s *Server) cmdClientInfo(c *command.Ctx) {
	self := cl(c)
	b := s.appendClientInfo(nil, self, self, time.Now())
	b = append(b, '\n')
	c.W.Verbatim("txt", b)
}

func (s *Server) cmdClientList(c *command.Ctx) {
	self := cl(c)
	clients := s.sortedClientsLocked()
	if len(c.Args) > 2 {
		switch strings.ToLower(string(c.Args[2])) {
		case "type":
			if len(c.Args) != 4 {
				c.Error(command.ErrSyntax)
				return
			}
			t, ok := parseClientType(string(c.Args[3]))
			if !ok {
				c.Error("ERR Unknown client type '" + string(c.Args[3]) + "'")
				return
			}
			kept := clients[:0]
			for _, x := range clients {
				if x.clientType() == t {
					kept = append(kept, x)
				}
			}
			clients = kept
		case "id":
			var ids []*client
			for _, a := range c.Args[3:] {
				id, ok := command.ParseInt(a)
				if !ok || id <= 0 {
					c.Error(errInvalidClientID)
					return
				}
				if x, ok := s.clients[id]; ok && !x.closing {
					ids = append(ids, x)
				}
			}
			clients = ids
		default:
			c.Error(command.ErrSyntax)
			return
		}
	}
	now := time.Now()
	var b []byte
	for _, x := range clients {
		b = s.appendClientInfo(b, x, self, now)
		b = append(b, '\n')
	}
	c.W.Verbatim("txt", b)
}

// killFilter is CLIENT KILL's set of conditions; a client must match all.
type killFilter struct {
	addr, laddr, user string
	id                int64
	typ               int
	hasType           bool
	skipMe            bool
	maxAge            int64
}

func (f *killFilter) matches(c, self *client, now time.Time) bool {
	if f.addr != "" && c.addr != f.addr {
		return false
	}
	if f.laddr != "" && c.laddr != f.laddr {
		return false
	}
	if f.hasType && c.clientType() != f.typ {
		return false
	}
	if f.id != 0 && c.id != f.id {
		return false
	}
	if f.user != "" && c.user != f.user {
		return false
	}
	if f.skipMe && c == self {
		return false
	}
	if f.maxAge != 0 && int64(now.Sub(c.created)/time.Second) < f.maxAge {
		return false
	}
	return true
}

func (s *Server) cmdClientKill(c *command.Ctx) {
	self := cl(c)
	if len(c.Args) == 3 {
		// Old form: CLIENT KILL addr:port, may kill the caller.
		for _, x := range s.sortedClientsLocked() {
			if x.addr == string(c.Args[2]) {
				s.killClientLocked(x, self)
				c.W.OK()
				return
			}
		}
		c.Error(errNoSuchClient)
		return
	}
	f := killFilter{skipMe: true}
	args := c.Args[2:]
	if len(args)%2 != 0 {
		c.Error(command.ErrSyntax)
		return
	}
	for i := 0; i < len(args); i += 2 {
		v := string(args[i+1])
		switch strings.ToLower(string(args[i])) {
		case "id":
			id, ok := command.ParseInt(args[i+1])
			if !ok || id <= 0 {
				c.Error(errClientIDPositive)
				return
			}
			f.id = id
		case "type":
			t, ok := parseClientType(v)
			if !ok {
				c.Error("ERR Unknown client type '" + v + "'")
				return
			}
			f.typ, f.hasType = t, true
		case "addr":
			f.addr = v
		case "laddr":
			f.laddr = v
		case "user":
			if v != "default" {
				c.Error("ERR No such user '" + v + "'")
				return
			}
			f.user = v
		case "skipme":
			switch strings.ToLower(v) {
			case "yes":
				f.skipMe = true
			case "no":
				f.skipMe = false
			default:
				c.Error(command.ErrSyntax)
				return
			}
		case "maxage":
			n, ok := command.ParseInt(args[i+1])
			if !ok || n <= 0 {
				c.Error(command.ErrSyntax)
				return
			}
			f.maxAge = n
		default:
			c.Error(command.ErrSyntax)
			return
		}
	}
	now := time.Now()
	killed := 0
	for _, x := range s.sortedClientsLocked() {
		if f.matches(x, self, now) {
			s.killClientLocked(x, self)
			killed++
		}
	}
	c.W.Int(int64(killed))
}

// killClientLocked closes x; the caller itself is closed after its reply.
func (s *Server) killClientLocked(x, self *client) {
	if x == self {
		x.closeAfter = true
		return
	}
	x.closeLocked()
}

func (s *Server) cmdClientSetName(c *command.Ctx) {
	if !validClientName(c.Args[2]) {
		c.Error(errClientName)
		return
	}
	cl(c).name = string(c.Args[2])
	c.W.OK()
}

func (s *Server) cmdClientPause(c *command.Ctx) {
	ms, ok := command.ParseInt(c.Args[2])
	if !ok {
		c.Error(errTimeoutNotInt)
		return
	}
	if ms < 0 {
		c.Error(errTimeoutNegative)
		return
	}
	writesOnly := false
	if len(c.Args) == 4 {
		switch strings.ToLower(string(c.Args[3])) {
		case "write":
			writesOnly = true
		case "all":
		default:
			c.Error(errPauseMode)
			return
		}
	} else if len(c.Args) > 4 {
		c.Error(command.ErrSyntax)
		return
	}
	// A pause of every command is never weakened to writes-only by a
	// later CLIENT PAUSE ... WRITE while it lasts.
	if writesOnly && !s.paused.until.IsZero() && !s.paused.writesOnly && time.Now().Before(s.paused.until) {
		writesOnly = false
	}
	s.paused.pause(time.Duration(ms)*time.Millisecond, writesOnly)
	c.W.OK()
}

func (s *Server) cmdClientReply(c *command.Ctx) {
	self := cl(c)
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		self.noReply = 0
		c.W.OK()
	case "off":
		self.noReply = 1
	case "skip":
		if self.noReply == 0 {
			self.noReply = 2
		}
	default:
		c.Error(command.ErrSyntax)
	}
}

func (s *Server) cmdClientNoEvict(c *command.Ctx) {
	switch strings.ToLower(string(c.Args[2])) {
	case "on":
		cl(c).noEvict = true
	case "off":
		cl(c).noEvict = false
	default:
		c.Error(command.ErrSyntax)
		return
	}
	c.W.OK()
}

func (s *Server) cmdClientUnblock(c *command.Ctx) {
	id, ok := command.ParseInt(c.Args[2])
	if !ok {
		c.Error(command.ErrNotInt)
		return
	}
	reason := ""
	if len(c.Args) == 4 {
		switch strings.ToLower(string(c.Args[3])) {
		case "timeout":
		case "error":
			reason = errUnblocked
		default:
			c.Error(errUnblockReason)
			return
		}
	} else if len(c.Args) > 4 {
		c.Error(command.ErrSyntax)
		return
	}
	target, ok := s.clients[id]
	if !ok || target.blocked == nil || target.closing {
		c.W.Int(0)
		return
	}
	if reason != "" {
		s.stats.addError("UNBLOCKED")
	}
	s.unblockLocked(target, reason)
	c.W.Int(1)
}

func cmdClientTrackingInfo(c *command.Ctx) {
	c.W.Map(3)
	c.W.BulkString("flags")
	c.W.Set(1)
	c.W.BulkString("off")
	c.W.BulkString("redirect")
	c.W.Int(-1)
	c.W.BulkString("prefixes")
	c.W.Array(0)
}
