package server

import (
	"strings"
	"testing"
)

// A standalone node answers the cluster commands as Redis without cluster
// support does, and lists them in COMMAND (Redis' introspection-2 unit
// looks for cluster|help).
func TestClusterCommandsStandalone(t *testing.T) {
	_, addr := startServer(t)
	rc := dial(t, addr)
	disabled := "-" + errClusterDisabled + "\r\n"
	rc.do(disabled, "CLUSTER", "INFO")
	rc.do(disabled, "CLUSTER", "KEYSLOT", "foo")
	rc.do(disabled, "CLUSTER", "HELP")
	rc.do(disabled, "READONLY")
	rc.do(disabled, "READWRITE")
	rc.do(disabled, "ASKING")
	rc.do("-ERR unknown subcommand 'FOO'. Try CLUSTER HELP.\r\n", "CLUSTER", "FOO")
	rc.do("-ERR wrong number of arguments for 'cluster' command\r\n", "CLUSTER")
	rc.do("-ERR wrong number of arguments for 'cluster|keyslot' command\r\n", "CLUSTER", "KEYSLOT")
	rc.send(cmd("COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*help"))
	if got := rc.reply(); !strings.Contains(got, "cluster|help") || !strings.Contains(got, "client|help") {
		t.Fatalf("COMMAND LIST FILTERBY PATTERN cl*help: %q", got)
	}
}
