// Package list owns the value encodings of Redis lists and the packed byte format that small
// collections share.
//
// A Pack is a flat []byte of length-prefixed entries that can be walked in both directions (the
// role Redis' listpack plays); hashes use it for their small form. A List is a quicklist: a
// doubly linked chain of Packs, each bounded by Config.MaxPackSize (list-max-listpack-size), so
// pushes and pops at both ends are O(1) and the per-element overhead is a few bytes. Redis 7.0
// reports every list as "quicklist", and so does this package.
//
// A node keeps free bytes before its entries as well as after them: a new head node fills
// towards the front and popping the first entry only moves the start, so head pushes and pops
// do not move the node's bytes as listpack inserts at the head would.
//
// MemoryUsage is kept incrementally, O(1). The package imports the keyspace only for Type and
// Object (Dup); never the command layer or anything above it: it is pure data structure.
package list
