// Package hll is Redis' HyperLogLog, byte for byte: a value is a string that
// starts with the 16-byte header ("HYLL", encoding, 3 unused bytes, the
// cached cardinality little-endian with bit 63 meaning "stale") followed by
// either the sparse opcodes (ZERO, XZERO, VAL run lengths) or the dense
// array of 16384 6-bit registers. Elements are hashed with MurmurHash64A
// (seed 0xadc83b19); the estimate is Ertl's improved estimator that Redis
// uses, so a key written here reads back as the same bytes and the same
// count in Redis, and the other way round.
//
// Caveats: the sparse form is edited in place with Redis' own split and
// merge rules (not re-encoded canonically) because byte equality with Redis
// depends on them. Decoders tolerate any input and report corruption.
//
// It imports only the standard library.
package hll
