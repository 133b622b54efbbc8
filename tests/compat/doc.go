// Package compat runs RESP transcripts against tandem's KV server, started in-process, and,
// when TANDEM_COMPAT_REDIS=1, against a real redis-server started by the test on a free
// loopback port: the same files must pass against both. Differences that are intended are
// listed in docs/COMPATIBILITY.md, never papered over in a transcript.
//
// # Transcripts
//
// Every file under testdata/<family>/ is a cockroachdb/datadriven file run on a fresh server.
// A block's input lines are commands, split as redis-cli splits a line (quotes and \x escapes);
// the expected output is each reply printed as redis-cli prints it on a terminal:
//
//	do
//	SET greeting "hello world"
//	GET greeting
//	----
//	OK
//	"hello world"
//
// Directives:
//
//	do [conn=NAME] [sort] [regexp] [hide]
//	                                 run the commands on connection NAME (default "main",
//	                                 opened on first use); sort orders every array of
//	                                 scalars and every map by key (KEYS, SCAN); regexp treats the
//	                                 expected text as a regular expression (TTLs, idle times);
//	                                 hide prints nothing but fails on an error reply (HELLO 3,
//	                                 whose server fields differ)
//	send [conn=NAME]                 send the commands without reading replies (blocking
//	                                 commands)
//	recv [conn=NAME] [n=N]           read N replies (default 1) previously sent
//	sleep ms=N                       wait N milliseconds (expiry)
//	require                          skip the rest of the file unless the server knows
//	                                 every command named in the input (one per line)
//
// To add a family, drop files into testdata/<family>/; nothing else is needed. Record
// expectations from the real server with
//
//	TANDEM_COMPAT_REDIS=1 go test ./tests/compat -run 'TestTranscripts/redis' -rewrite
//
// then check that tandem passes: go test ./tests/compat -run TestTranscripts.
//
// It imports the KV server package only to start it in-process.
package compat
