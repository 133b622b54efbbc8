// Package rdb is the codec of Redis' RDB object format, version 10 (Redis 7.0): one value as a
// type byte followed by its serialization, which DUMP/RESTORE exchange (with a two-byte
// version and a CRC-64 trailer, see Payload) and RDB files will store key by key.
//
// # Basics
//
// AppendObject writes a tandem value with the encoding Redis 7.0 itself would write for it:
// listpack types for the small encodings (hash and sorted-set listpacks, intsets, quicklist
// nodes), plain types for the large ones, integer-encoded and LZF-compressed strings as with
// rdbcompression yes. DecodeObject reads every type Redis 7.0 can load from a payload —
// strings in all their encodings, quicklist and quicklist2 lists (listpack and plain nodes),
// legacy linked lists and ziplists, sets and intsets, zsets (text and binary scores) and their
// ziplist/listpack forms, hashes and their zipmap/ziplist/listpack forms — and builds the
// tandem value in the encoding the given thresholds call for, so a big hash that arrives as a
// listpack becomes a hashtable as in Redis. Streams and module values are refused with
// ErrNotSupported.
//
// # Caveats
//
// Decoding never trusts its input: every length is checked against the bytes left, every
// compact blob (listpack, ziplist, intset, zipmap) is validated in full, empty collections and
// duplicate members are refused (Redis' deep sanitization, done always because it costs little
// here), and it never panics; fuzz tests cover each decoder. Where Redis is lenient on a
// payload whose checksum is right (an object reading into the footer, an encoded-value byte
// where a length belongs, a text score with trailing garbage) this package is lenient the same
// way: it accepts exactly the payloads redis-server 7.0 accepts with sanitize-dump-payload yes
// (TestMutatedPayloadsAgainstRedisServer). Compact blobs are copied into
// tandem's own encodings, never aliased. Byte-for-byte equality with redis-server's DUMP is not
// promised (LZF output and quicklist node boundaries may differ); what is promised is that each
// side restores the other's payloads with equal contents.
//
// It imports keyspace (types) and the ds packages (values); never command, server or anything
// under internal/mysql.
package rdb
