// Package keyspace owns the Redis databases of tandem: the sixteen (by default) numbered
// databases, every key's value, TTL, LRU/LFU clock and memory accounting, lazy and active
// expiry, SCAN cursors and maxmemory eviction.
//
// # Basics
//
// A Keyspace holds Options.Databases DBs. String values live inside the DB itself; every other
// value (list, set, zset, hash, stream) is an Object supplied by internal/redis/ds/... and
// referenced from the key's entry, except that an Object implementing Inliner (a small
// listpack hash) is stored as its bytes inside the entry like a string, and Lookup hands back
// a view of them made by its Unpacker (LookupInline: just the bytes). Lookup and Peek expire a
// key lazily when its TTL has passed; ActiveExpireCycle samples keys with a TTL under a time
// budget the way Redis' activeExpireCycle does (20 keys per loop, repeat while more than 25%
// were expired). No goroutine or timer exists per key. Evict frees memory for a maxmemory
// policy with Redis' sampling approach (maxmemory-samples keys per DB into an eviction pool of
// 16).
//
// # Layout
//
// A DB keeps no Go object per key. Keys and string values are packed into entries in 1 MB
// []byte chunks (arena.go); an open-addressing table of uint64 slots (24-bit hash tag + 40-bit
// arena offset; table.go) indexes them, so the collector marks one pointer per chunk. An entry
// carries the 24-bit LRU/LFU clock, the string encoding (int, embstr, raw), and, when the key
// has a TTL, the expiry time and its position in the expires array that active expiry and
// volatile eviction sample. Inline values are bytes like strings; other non-string values live
// in a side table of Objects referenced by index. Overwrites of the same size happen in place;
// others append a new entry and leave dead bytes that incremental compaction (compact.go)
// reclaims. UsedMemory counts live entries, index and expires slots and Objects' MemoryUsage;
// dead arena bytes are not counted (they are bounded to about a quarter of the arena).
//
// Measured on 1M keys "key:000000000123" with 3-byte values loaded with redis-cli --pipe: the
// tandem server's RSS grew by 53 bytes per key (88 with a TTL) against 115 (155) for
// redis-server 7.0; the keyspace itself holds 42 (63) bytes of heap per key. A full GC with
// 10M keys takes 1.2 ms (600 ms for a map[string][]byte). 100k hashes of five 2-byte fields
// (go run ./bench/redis -memory-collections): an Object each cost 148 bytes of live heap per
// key (Hash 32, its listpack 48, side-table slot 24 plus append slack, entry, index); inline,
// about 80 (entry with the listpack, index).
//
// # Concurrency
//
// Nothing in this package locks. Every method of Keyspace and DB must be called with the
// server's keyspace lock held (the same lock that makes a command atomic); the hooks set by
// SetHooks and SetAccessHooks are called under that lock too and must not call back into the
// keyspace.
//
// # Read lookups
//
// Redis counts keyspace_hits and keyspace_misses, and publishes keymiss, only for lookups its
// commands make to read (lookupKeyRead), not for those made to write. The server says which
// kind the running command makes with SetReadMode; Lookup, LookupInline and Peek then count
// a hit or miss (one branch when the mode is off) and report a miss to the onMiss hook. Every
// key added to a database that did not hold it is reported to the onNew hook (Redis' new
// event): from the not-found path of every set and from Rename.
//
// # Caveats
//
// Value.Str, Value.Inline (and the view Lookup makes of it) and every key handed to a callback
// alias memory owned by the DB. A Value.Str stays intact until its own key is written again or
// the server calls CommandDone: entries that are deleted, expired, compacted or relocated keep
// their bytes, and released chunks are reused only after CommandDone. A key passed to a hook
// or a Scan/ForEach callback is valid only during the call. Callbacks of Scan and ForEach must
// not modify the DB.
//
// This package must not import the RESP codec, the command table, the server or anything under
// internal/mysql; internal/redis/ds/... may import it (for Type and Object), not the reverse.
package keyspace
