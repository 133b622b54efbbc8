// Package server runs the KV server: it accepts connections, reads each
// client's query buffer, parses every complete command in it, executes the
// batch under the execution lock and writes the replies back in one write.
// It owns the per-client state and the mechanisms that span clients:
// MULTI/EXEC/WATCH, blocking operations, pub/sub and keyspace notifications,
// the gates every command passes (arity, authentication, OOM, pub/sub
// context, transactions), the propagation stream, and the server's own
// command families (connection, transactions, pub/sub, server, and the
// cluster commands a standalone node answers), and the accounting of
// client memory (client eviction, output buffer limits).
//
// # Execution model
//
// io-threads event loops on epoll own the connections: each reads the
// sockets epoll reports ready, in that order, and parses outside the lock;
// execution of a whole batch of parsed commands happens under Server.mu,
// which makes every command (and every EXEC) atomic and gives one total
// order of effects; replies go out once per loop iteration. GOMAXPROCS
// follows io-threads. See docs/ARCHITECTURE.md.
//
// It must not import anything under internal/mysql.
package server
