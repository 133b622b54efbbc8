// Package btree owns B+trees over byte keys (ordered by bytes.Compare) stored
// in tablespace pages: the clustered index of a table (leaf records carry the
// key, the last writer's transaction ID, a roll pointer to its undo record and
// the row) and secondary indexes (same format, empty value). Leaves at each
// level are linked both ways; internal records are (key, child) where slot 0
// covers everything below the next key. The root page never moves: a root
// split moves its records into two new children. A full page splits (half and
// half, or "all old records left, the new one right" when appending at the end
// so ascending inserts fill pages); a page under a quarter full merges with a
// sibling under the same parent when both fit in one page; a root left with one
// child absorbs it. Values that would make a record larger than a third of a
// page go to a chain of overflow pages, the record keeping a reference.
//
// Concurrency: each Tree has a tree latch (RWMutex). Readers hold it shared and
// only pin pages: no writer of this tree can run, and the flusher never changes
// page contents. Writers hold it exclusively and latch the pages they change
// inside a mini-transaction, so the flusher sees whole mini-transactions. This
// is coarser than InnoDB's latch coupling (one writer per index at a time) and
// is documented as such. It imports page, bufpool, mtr and space.
package btree
