// Package mtr owns mini-transactions: the unit in which pages change
// atomically. A Mtr fixes and latches the pages it touches, applies each
// change through page.Apply while appending the same operation to its redo
// payload, and at Commit appends the payload to the redo log as one block,
// stamps every changed page with the block's end LSN, marks it dirty, and
// only then releases the latches (so no flush can see half a mini-transaction
// and no page reaches disk before its redo). Latch order, to stay free of
// deadlocks: a transaction's own undo pages, then the transaction-system page,
// then page 0 of the system tablespace, then B+tree pages top-down and left to
// right, then page 0 of the tree's tablespace; a freshly allocated page may be
// latched at any point. It imports page, bufpool and redo.
package mtr
