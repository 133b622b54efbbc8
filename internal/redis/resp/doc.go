// Package resp reads and writes the Redis serialization protocol: RESP2 and
// RESP3 replies, multibulk and inline requests. The Parser turns a client's
// query buffer into commands incrementally (a command split over many reads
// is parsed once its last byte arrives) and enforces Redis' protocol limits
// with Redis' exact error texts. The Writer appends replies to a byte slice
// that the server sends in one write per batch.
//
// It must not import anything of tandem besides the standard library.
package resp
