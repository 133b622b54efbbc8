// Package keyspace owns the Redis databases of tandem: the sixteen (by default) numbered
// databases, every key's value, TTL, LRU/LFU clock and memory accounting, lazy and active
// expiry, SCAN cursors and maxmemory eviction.
//
// # Basics
//
// A Keyspace holds Options.Databases DBs. String values live inside the DB itself; every
// other value (list, set, zset, hash, stream) is an Object supplied by internal/redis/ds/...
// and referenced from the key's entry. Lookup and Peek expire a key lazily when its TTL has
// passed; ActiveExpireCycle samples keys with a TTL under a time budget the way Redis'
// activeExpireCycle does (20 keys per loop, repeat while more than 25% were expired). No
// goroutine or timer exists per key. Evict frees memory for a maxmemory policy with Redis'
// sampling approach (maxmemory-samples keys per DB into an eviction pool of 16).
//
// # Concurrency
//
// Nothing in this package locks. Every method of Keyspace and DB must be called with the
// server's keyspace lock held (the same lock that makes a command atomic); the hooks set by
// SetHooks are called under that lock too and must not call back into the keyspace.
//
// # Caveats
//
// Value.Str and every key handed to a callback alias memory owned by the DB: they are valid
// only until the next write to the same DB (a key passed to a hook or a Scan/ForEach
// callback only during the call). Copy them before mutating anything. Callbacks of Scan and
// ForEach must not modify the DB.
//
// This package must not import the RESP codec, the command table, the server or anything
// under internal/mysql; internal/redis/ds/... may import it (for Type and Object), not the
// reverse.
package keyspace
