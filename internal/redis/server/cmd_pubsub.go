package server

import (
	"sort"

	"github.com/tandem-db/tandem/internal/redis/command"
	"github.com/tandem-db/tandem/internal/redis/glob"
)

func (s *Server) registerPubSub() {
	ps := []string{"pubsub", "slow"}
	flags := command.PubSub | command.NoScript | command.Loading | command.Stale
	s.table.Add(
		&command.Spec{Name: "subscribe", Arity: -2, Flags: flags, Group: "pubsub", Since: "2.0.0",
			Summary: "Listens for messages published to channels.", Complexity: "O(N) where N is the number of channels to subscribe to.", ACL: ps,
			Handler: s.cmdSubscribe},
		&command.Spec{Name: "psubscribe", Arity: -2, Flags: flags, Group: "pubsub", Since: "2.0.0",
			Summary: "Listens for messages published to channels that match one or more patterns.", Complexity: "O(N) where N is the number of patterns to subscribe to.", ACL: ps,
			Handler: s.cmdPSubscribe},
		&command.Spec{Name: "unsubscribe", Arity: -1, Flags: flags, Group: "pubsub", Since: "2.0.0",
			Summary: "Stops listening to messages posted to channels.", Complexity: "O(N) where N is the number of channels to unsubscribe.", ACL: ps,
			Handler: s.cmdUnsubscribe},
		&command.Spec{Name: "punsubscribe", Arity: -1, Flags: flags, Group: "pubsub", Since: "2.0.0",
			Summary: "Stops listening to messages published to channels that match one or more patterns.", Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).", ACL: ps,
			Handler: s.cmdPUnsubscribe},
		&command.Spec{Name: "ssubscribe", Arity: -2, Flags: flags, Group: "pubsub", Since: "7.0.0", FirstKey: 1, LastKey: -1, Step: 1,
			Summary: "Listens for messages published to shard channels.", Complexity: "O(N) where N is the number of shard channels to subscribe to.", ACL: ps,
			Handler: s.cmdSSubscribe},
		&command.Spec{Name: "sunsubscribe", Arity: -1, Flags: flags, Group: "pubsub", Since: "7.0.0", FirstKey: 1, LastKey: -1, Step: 1,
			Summary: "Stops listening to messages published to shard channels.", Complexity: "O(N) where N is the number of shard channels to unsubscribe.", ACL: ps,
			Handler: func(c *command.Ctx) {
				s.unsubscribeGeneric(c, "sunsubscribe", cl(c).ssubs, s.pubsub.sunsubscribe, shardSubscriptions)
			}},
		&command.Spec{Name: "spublish", Arity: 3, Flags: command.PubSub | command.Loading | command.Stale | command.Fast, Group: "pubsub", Since: "7.0.0", FirstKey: 1, LastKey: 1, Step: 1,
			Summary: "Posts a message to a shard channel.", Complexity: "O(N) where N is the number of clients subscribed to the shard channel.", ACL: []string{"pubsub", "fast"},
			Handler: func(c *command.Ctx) { c.W.Int(int64(s.pubsub.spublish(c.Args[1], c.Args[2]))) }},
		&command.Spec{Name: "publish", Arity: 3, Flags: command.PubSub | command.Loading | command.Stale | command.Fast | command.MayReplicate, Group: "pubsub", Since: "2.0.0",
			Summary: "Posts a message to a channel.", Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).", ACL: []string{"pubsub", "fast"},
			Handler: func(c *command.Ctx) { c.W.Int(int64(s.pubsub.publish(c.Args[1], c.Args[2]))) }},
		&command.Spec{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0", Summary: "A container for Pub/Sub commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
			Sub: []*command.Spec{
				{Name: "channels", Arity: -2, Flags: command.PubSub | command.Loading | command.Stale, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns the active channels.", Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)", ACL: ps,
					Handler: s.cmdPubsubChannels},
				{Name: "numsub", Arity: -2, Flags: command.PubSub | command.Loading | command.Stale, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns a count of subscribers to channels.", Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels", ACL: ps,
					Handler: s.cmdPubsubNumsub},
				{Name: "numpat", Arity: 2, Flags: command.PubSub | command.Loading | command.Stale, Group: "pubsub", Since: "2.8.0",
					Summary: "Returns a count of unique pattern subscriptions.", Complexity: "O(1)", ACL: ps,
					Handler: func(c *command.Ctx) { c.W.Int(int64(len(s.pubsub.patterns))) }},
				{Name: "shardchannels", Arity: -2, Flags: command.PubSub | command.Loading | command.Stale, Group: "pubsub", Since: "7.0.0",
					Summary: "Returns the active shard channels.", Complexity: "O(N)", ACL: ps,
					Handler: func(c *command.Ctx) { s.pubsubChannels(c, s.pubsub.shard) }},
				{Name: "shardnumsub", Arity: -2, Flags: command.PubSub | command.Loading | command.Stale, Group: "pubsub", Since: "7.0.0",
					Summary: "Returns the count of subscribers of shard channels.", Complexity: "O(N)", ACL: ps,
					Handler: func(c *command.Ctx) { pubsubNumsub(c, s.pubsub.shard) }},
				{Name: "help", Arity: 2, Flags: command.Loading | command.Stale, Group: "pubsub", Since: "6.2.0",
					Summary: "Returns helpful text about the different subcommands.", Complexity: "O(1)", ACL: []string{"slow"},
					Handler: func(c *command.Ctx) {
						helpReply(c, "PUBSUB", []string{
							"CHANNELS [<pattern>]",
							"    Return the currently active channels matching a <pattern> (default: '*').",
							"NUMPAT",
							"    Return number of subscriptions to patterns.",
							"NUMSUB [<channel> ...]",
							"    Return the number of subscribers for the specified channels, excluding",
							"    pattern subscriptions(default: no channels).",
							"SHARDCHANNELS [<pattern>]",
							"    Return the currently active shard level channels matching a <pattern> (default: '*').",
							"SHARDNUMSUB [<shardchannel> ...]",
							"    Return the number of subscribers for the specified shard level channel(s)",
						})
					}},
			}},
	)
}

func (s *Server) subReply(c *command.Ctx, kind string, name []byte, count int) {
	c.W.Push(3)
	c.W.BulkString(kind)
	if name == nil {
		c.W.Null()
	} else {
		c.W.Bulk(name)
	}
	c.W.Int(int64(count))
}

func (s *Server) cmdSubscribe(c *command.Ctx) {
	s.subscribeGeneric(c, "subscribe", s.pubsub.subscribe, plainSubscriptions)
}

func (s *Server) cmdPSubscribe(c *command.Ctx) {
	s.subscribeGeneric(c, "psubscribe", s.pubsub.psubscribe, plainSubscriptions)
}

func (s *Server) cmdUnsubscribe(c *command.Ctx) {
	s.unsubscribeGeneric(c, "unsubscribe", cl(c).subs, s.pubsub.unsubscribe, plainSubscriptions)
}

func (s *Server) cmdPUnsubscribe(c *command.Ctx) {
	s.unsubscribeGeneric(c, "punsubscribe", cl(c).psubs, s.pubsub.punsubscribe, plainSubscriptions)
}

// cmdSSubscribe is SSUBSCRIBE. Unlike SUBSCRIBE, Redis 7.0 refuses it in a
// transaction (a client there expects one reply per command).
func (s *Server) cmdSSubscribe(c *command.Ctx) {
	if c.InMulti {
		c.Error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		return
	}
	s.subscribeGeneric(c, "ssubscribe", s.pubsub.ssubscribe, shardSubscriptions)
}

// The counts the confirmations carry: channels and patterns together, or
// shard channels alone, as Redis counts them.
func plainSubscriptions(c *client) int { return len(c.subs) + len(c.psubs) }
func shardSubscriptions(c *client) int { return len(c.ssubs) }

// subscribeGeneric is the (P|S)SUBSCRIBE commands: one confirmation per name.
func (s *Server) subscribeGeneric(c *command.Ctx, kind string, add func(*client, string) bool, count func(*client) int) {
	cli := cl(c)
	for _, name := range c.Args[1:] {
		add(cli, string(name))
		s.subReply(c, kind, name, count(cli))
	}
}

// unsubscribeGeneric is the (P|S)UNSUBSCRIBE commands: the names given, or
// every current one (sorted), or a single reply with a null name if none.
func (s *Server) unsubscribeGeneric(c *command.Ctx, kind string, current map[string]struct{}, remove func(*client, string) bool, count func(*client) int) {
	cli := cl(c)
	if len(c.Args) > 1 {
		for _, name := range c.Args[1:] {
			remove(cli, string(name))
			s.subReply(c, kind, name, count(cli))
		}
		return
	}
	if len(current) == 0 {
		s.subReply(c, kind, nil, count(cli))
		return
	}
	for _, name := range sortedKeys(current) {
		remove(cli, name)
		s.subReply(c, kind, []byte(name), count(cli))
	}
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) cmdPubsubChannels(c *command.Ctx) { s.pubsubChannels(c, s.pubsub.channels) }

// pubsubChannels is PUBSUB CHANNELS and SHARDCHANNELS: the channels of reg
// with a subscriber, matching the optional pattern.
func (s *Server) pubsubChannels(c *command.Ctx, reg map[string]map[*client]struct{}) {
	var pat []byte
	if len(c.Args) > 3 {
		c.Error("ERR unknown subcommand or wrong number of arguments for '" + string(c.Args[1]) + "'. Try PUBSUB HELP.")
		return
	}
	if len(c.Args) == 3 {
		pat = c.Args[2]
	}
	var out []string
	for ch := range reg {
		if pat == nil || glob.Match(pat, []byte(ch)) {
			out = append(out, ch)
		}
	}
	sort.Strings(out)
	c.W.Array(len(out))
	for _, ch := range out {
		c.W.BulkString(ch)
	}
}

func (s *Server) cmdPubsubNumsub(c *command.Ctx) { pubsubNumsub(c, s.pubsub.channels) }

// pubsubNumsub is PUBSUB NUMSUB and SHARDNUMSUB.
func pubsubNumsub(c *command.Ctx, reg map[string]map[*client]struct{}) {
	c.W.Array(2 * (len(c.Args) - 2)) // a flat array in RESP3 too (Redis 7.0)
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(reg[string(ch)])))
	}
}
