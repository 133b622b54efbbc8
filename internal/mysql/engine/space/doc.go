// Package space owns tablespace files: one "<schema>/<table>.ibd" per table
// and the system tablespace "ibdata1" (space 0). Page 0 of every tablespace is
// its header: magic, page size, the number of pages in use and a free list of
// released pages threaded through their next links; Alloc and Free change it
// inside a mini-transaction. The system tablespace's header also holds the
// engine-wide counters (next transaction, table and tablespace IDs) and the
// root of the data dictionary tree. Registry maps tablespace IDs to open files
// for the buffer pool. It imports page, mtr and vfs.
package space
