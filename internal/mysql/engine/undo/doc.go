// Package undo owns undo logs: for every change a transaction makes, a record
// that says how to reverse it (the key, and for updates and deletes the old
// value with its transaction ID and roll pointer), appended before the change
// itself. A transaction's undo log is a byte stream across a chain of undo
// pages of the system tablespace; the first page holds the transaction ID and
// the stream length, and the transaction-system page (page 1 of ibdata1) holds
// one slot per active transaction pointing at that first page. A roll pointer
// is (first undo page << 32 | offset of the record in the stream).
//
// Rollback reads records backwards and the caller applies their inverse; each
// step then truncates the log, so a crash during rollback resumes where it
// stopped. Commit clears the slot and frees the pages in one mini-transaction
// (there is no MVCC purge yet, so nothing else needs them). After a crash every
// slot still set names a transaction to roll back. It imports page, mtr, space
// and bufpool.
package undo
