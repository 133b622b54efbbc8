package server

import "github.com/tandem-db/tandem/internal/redis/command"

// errClusterDisabled is what a Redis server without cluster support
// answers to the cluster commands: tandem serves one standalone node.
const errClusterDisabled = "ERR This instance has cluster support disabled"

// registerCluster adds CLUSTER (every subcommand) and READONLY, READWRITE
// and ASKING as a standalone Redis has them: they exist, with their
// metadata in COMMAND, and answer that cluster support is disabled, so
// cluster-aware clients see what they see from a standalone Redis.
func (s *Server) registerCluster() {
	// A CLUSTER subcommand's ACL categories follow from its flags, as Redis
	// derives them: all are @slow, the admin ones @admin and @dangerous too.
	sub := func(name string, arity int, flags command.Flags, since, summary, complexity string) *command.Spec {
		acl := []string{"slow"}
		if flags&command.Admin != 0 {
			acl = []string{"admin", "slow", "dangerous"}
		}
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Since: since, Summary: summary,
			Complexity: complexity, ACL: acl, Handler: s.cmdClusterDisabled}
	}
	s.table.Add(
		&command.Spec{Name: "cluster", Arity: -2, Flags: 0, Group: "cluster", Since: "3.0.0",
			Summary: "A container for the cluster commands.", Complexity: "Depends on the subcommand.",
			ACL: []string{"slow"}, Sub: []*command.Spec{
				sub("links", 2, command.Stale, "7.0.0",
					"Lists the TCP links between this node and its cluster peers.", "O(N) with N the number of nodes in the cluster"),
				sub("nodes", 2, command.Stale, "3.0.0",
					"Returns the node's view of the cluster configuration.", "O(N) with N the number of nodes in the cluster"),
				sub("countkeysinslot", 3, command.Stale, "3.0.0",
					"Counts the node's keys in a hash slot.", "O(1)"),
				sub("meet", -4, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Makes the node handshake with another node to join it to the cluster.", "O(1)"),
				sub("reset", -2, command.Admin|command.NoScript|command.Stale, "3.0.0",
					"Resets the node's cluster state.", "O(N) with N the number of known nodes; may flush the dataset"),
				sub("addslotsrange", -4, command.Admin|command.Stale|command.NoAsyncLoading, "7.0.0",
					"Assigns ranges of hash slots to the node.", "O(N) with N the number of slots in the ranges"),
				sub("shards", 2, command.Stale, "7.0.0",
					"Returns the cluster's shards and their slots.", "O(N) with N the number of nodes in the cluster"),
				sub("myid", 2, command.Stale, "3.0.0",
					"Returns the node's ID.", "O(1)"),
				sub("flushslots", 2, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Clears the node's slot assignments.", "O(1)"),
				sub("addslots", -3, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Assigns hash slots to the node.", "O(N) with N the number of slots given"),
				sub("bumpepoch", 2, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Advances the node's configuration epoch.", "O(1)"),
				sub("failover", -2, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Makes a replica take over from its master by hand.", "O(1)"),
				sub("saveconfig", 2, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Writes the node's cluster state to disk.", "O(1)"),
				sub("setslot", -4, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Changes the state or owner of a hash slot.", "O(1)"),
				sub("slots", 2, command.Stale, "3.0.0",
					"Returns the mapping of slot ranges to nodes.", "O(N) with N the number of nodes in the cluster"),
				sub("count-failure-reports", 3, command.Admin|command.Stale, "3.0.0",
					"Counts the active failure reports about a node.", "O(N) with N the number of failure reports"),
				sub("slaves", 3, command.Admin|command.Stale, "3.0.0",
					"Lists the replicas of a master node.", "O(1)"),
				sub("getkeysinslot", 4, command.Stale, "3.0.0",
					"Returns the node's key names in a hash slot.", "O(log(N)) with N the number of keys asked for"),
				sub("help", 2, command.Loading|command.Stale, "5.0.0",
					"Returns helpful text about the different subcommands.", "O(1)"),
				sub("delslotsrange", -4, command.Admin|command.Stale|command.NoAsyncLoading, "7.0.0",
					"Unassigns ranges of hash slots from the node.", "O(N) with N the number of slots in the ranges"),
				sub("info", 2, command.Stale, "3.0.0",
					"Returns the node's cluster state.", "O(1)"),
				sub("keyslot", 3, command.Stale, "3.0.0",
					"Returns the hash slot of a key name.", "O(N) with N the length of the key name"),
				sub("delslots", -3, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Unassigns hash slots from the node.", "O(N) with N the number of slots given"),
				sub("replicas", 3, command.Admin|command.Stale, "5.0.0",
					"Lists the replicas of a master node.", "O(1)"),
				sub("forget", 3, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Removes a node from the node table.", "O(1)"),
				sub("set-config-epoch", 3, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Sets the configuration epoch of a new node.", "O(1)"),
				sub("replicate", 3, command.Admin|command.Stale|command.NoAsyncLoading, "3.0.0",
					"Makes the node a replica of a master node.", "O(1)"),
			}},
		&command.Spec{Name: "readonly", Arity: 1, Flags: command.Loading | command.Stale | command.Fast, Group: "cluster", Since: "3.0.0",
			Summary: "Allows reads on a connection to a cluster replica.", Complexity: "O(1)",
			ACL: []string{"fast", "connection"}, Handler: s.cmdClusterDisabled},
		&command.Spec{Name: "readwrite", Arity: 1, Flags: command.Loading | command.Stale | command.Fast, Group: "cluster", Since: "3.0.0",
			Summary: "Ends the reads allowed by READONLY on a connection to a cluster replica.", Complexity: "O(1)",
			ACL: []string{"fast", "connection"}, Handler: s.cmdClusterDisabled},
		&command.Spec{Name: "asking", Arity: 1, Flags: command.Fast, Group: "cluster", Since: "3.0.0",
			Summary: "Tells a cluster node that the next command follows an -ASK redirect.", Complexity: "O(1)",
			ACL: []string{"fast", "connection"}, Handler: s.cmdClusterDisabled},
	)
}

func (s *Server) cmdClusterDisabled(c *command.Ctx) { c.Error(errClusterDisabled) }
