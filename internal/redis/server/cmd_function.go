package server

import (
	"strings"

	"github.com/tandem-db/tandem/internal/redis/command"
)

// errNoScripting is the typed "not supported" reply of the scripting
// commands until a Lua engine arrives (docs/COMPATIBILITY.md).
const errNoScripting = "ERR scripting is not supported by this server yet (no Lua engine)"

// registerFunction adds FUNCTION. The function library registry is always
// empty, because no library can be loaded yet: FLUSH, LIST, STATS and DUMP
// report that truthfully, LOAD and RESTORE refuse.
func (s *Server) registerFunction() {
	sc := []string{"slow", "scripting"}
	sub := func(name string, arity int, flags command.Flags, summary string, h command.Handler) *command.Spec {
		return &command.Spec{Name: name, Arity: arity, Flags: flags, Group: "scripting", Since: "7.0.0",
			Summary: summary, Complexity: "O(N) where N is the number of functions", ACL: sc, Handler: h}
	}
	s.table.Add(&command.Spec{Name: "function", Arity: -2, Group: "scripting", Since: "7.0.0",
		Summary: "A container for function commands.", Complexity: "Depends on subcommand.", ACL: []string{"slow"},
		Sub: []*command.Spec{
			sub("flush", -2, command.Write|command.NoScript, "Deletes all libraries and functions.", func(c *command.Ctx) {
				if len(c.Args) > 3 {
					c.Error(command.WrongArgs("function|flush"))
					return
				}
				if len(c.Args) == 3 {
					if m := strings.ToLower(string(c.Args[2])); m != "async" && m != "sync" {
						c.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
						return
					}
				}
				c.Propagate()
				c.W.OK()
			}),
			sub("list", -2, command.NoScript, "Returns information about all libraries.", func(c *command.Ctx) {
				for i := 2; i < len(c.Args); i++ {
					switch opt := strings.ToLower(string(c.Args[i])); {
					case opt == "withcode":
					case opt == "libraryname" && i+1 < len(c.Args):
						i++
					default:
						c.Error("ERR Unknown argument " + string(c.Args[i]))
						return
					}
				}
				c.W.Array(0)
			}),
			sub("stats", 2, command.NoScript|command.AllowBusy, "Returns information about a function during execution.", func(c *command.Ctx) {
				c.W.Map(2)
				c.W.BulkString("running_script")
				c.W.Null()
				c.W.BulkString("engines")
				c.W.Map(0)
			}),
			sub("kill", 2, command.NoScript|command.AllowBusy, "Terminates a function during execution.", func(c *command.Ctx) {
				c.Error("NOTBUSY No scripts in execution right now.")
			}),
			sub("load", -3, command.Write|command.DenyOOM|command.NoScript, "Creates a library.", func(c *command.Ctx) {
				c.Error(errNoScripting)
			}),
			sub("delete", 3, command.Write|command.NoScript, "Deletes a library and its functions.", func(c *command.Ctx) {
				c.Error("ERR Library not found")
			}),
			sub("restore", -3, command.Write|command.DenyOOM|command.NoScript, "Restores all libraries from a payload.", func(c *command.Ctx) {
				c.Error(errNoScripting)
			}),
			sub("dump", 2, command.NoScript, "Dumps all libraries into a serialized binary payload.", func(c *command.Ctx) {
				c.Error(errNoScripting)
			}),
			sub("help", 2, command.Loading|command.Stale, "Returns helpful text about the different subcommands.", func(c *command.Ctx) {
				helpReply(c, "FUNCTION", []string{
					"LIST [LIBRARYNAME <pattern>] [WITHCODE]",
					"    Return general information on all the libraries.",
					"FLUSH [ASYNC|SYNC]",
					"    Delete all the libraries.",
					"STATS",
					"    Return information about the current function running.",
				})
			}),
		}})
}
