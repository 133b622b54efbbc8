// Package command holds the KV command table and the handlers of the data
// command families (strings, keys, lists, hashes, sets, sorted sets, bitmaps,
// HyperLogLog, geo). Each command is declared once, as a Spec in the family
// file that registers it; COMMAND, COMMAND DOCS and the arity check read the
// table. A handler parses its arguments, works on the keyspace, and writes
// its reply through Ctx; it never touches a socket. The server package adds
// the connection, transaction, pub/sub and server families, which work on
// server state, to the same table.
//
// It imports resp and keyspace (and ds/...); never the server package.
package command
