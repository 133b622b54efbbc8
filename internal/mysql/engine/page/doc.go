// Package page owns the on-disk format of one page: a 48-byte header (page
// number, type, LSN, crc32c checksum, sibling links, tablespace ID) and, for
// B+tree pages, a slotted record area (records grow up from the header, a
// slot array of 2-byte offsets grows down from the end, kept in key order).
// It also defines the page operations (OpKind) that redo records carry: every
// change to a page goes through Apply, at run time and at recovery alike.
//
// Page sizes are 16, 32 or 64 KB, fixed when the data directory is created.
// It imports nothing of tandem.
package page
