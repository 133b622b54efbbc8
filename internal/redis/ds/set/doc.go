// Package set owns the value encodings of Redis sets and the arena dictionary that the large
// forms of sets and hashes share.
//
// A small set whose members are all integers in canonical form is an intset: a sorted packed
// array of 16-, 32- or 64-bit integers, converted to a Dict past Config.MaxIntsetEntries
// (set-max-intset-entries) or when a non-integer member arrives, as in Redis 7.0 (which has no
// listpack sets). A Dict keeps every key (and, for hashes, its value) in one byte arena behind an
// open-addressing index of 8-byte slots (32-bit hash, 32-bit offset), so a member costs its bytes
// plus about 12 bytes, with nothing for the garbage collector to trace. Slots sit at the home
// position given by the top bits of the hash, which makes scan cursors positions in hash space:
// stable when the table grows or shrinks.
//
// Caveats: one Dict's arena is limited to 4 GB. Values returned alias the arena until the next
// change. The package imports keyspace only for Type and Object (Dup); nothing above it.
package set
