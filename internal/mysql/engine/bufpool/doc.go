// Package bufpool owns the buffer pool: a fixed number of page-sized frames
// caching tablespace pages, looked up by (space, page). A frame is pinned
// while used (Fix/Unfix) and latched (Frame.Latch, a RWMutex) while read or
// changed; an unpinned clean frame can be evicted.
//
// Replacement is an LRU list split at a midpoint like InnoDB's: a page read
// from disk enters the head of the "old" sublist (the last 3/8 of the list)
// and moves to the head of the "young" sublist only when it is accessed again
// while old, so one scan over a large table cycles through the old sublist
// without evicting the hot pages. Dirty frames carry the LSN of their oldest
// unflushed change; Flush writes them back in batches through the doublewrite
// file (torn-page protection: a batch is written and fsynced there before the
// pages are written in place, and RestoreTorn repairs a torn page from it at
// start-up), after forcing the redo log up to each page's LSN (write-ahead rule).
//
// It imports page and vfs only; tablespace files are reached through Files.
package bufpool
