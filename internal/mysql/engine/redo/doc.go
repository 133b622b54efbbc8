// Package redo owns the write-ahead log: an append-only stream of
// mini-transaction blocks addressed by LSN (the byte position in the stream),
// stored in segment files "#ib_redo<start LSN>" under the log directory, with
// the last checkpoint LSN in "#ib_checkpoint" (two checksummed slots written
// alternately). Commit durability comes from FlushUpTo: concurrent committers
// share one write and one fsync (group commit) — a caller that finds a flush in
// progress waits for it and the next leader flushes everything appended
// meanwhile. Each block is [payload length u32][crc32c u32][lsn u64][payload];
// recovery stops at the first block whose checksum or LSN does not match (a torn
// tail) and truncates it away. A payload is a list of page operations
// (space, page, page.OpKind, body); redo imports page for the operation kinds
// only and knows nothing of buffers, trees or transactions.
package redo
