// Package lock owns row locks: shared and exclusive locks on (table, key)
// pairs held by transactions until they end, lock waits with a timeout, and
// deadlock detection on the wait-for graph (the transaction whose request
// would close a cycle is refused with ErrDeadlock, and its caller rolls it
// back). It is the first step of InnoDB's record locks: there are no gap,
// next-key or insert-intention locks yet, so a locking range read does not
// stop phantoms. It imports nothing of tandem.
package lock
