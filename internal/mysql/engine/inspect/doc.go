// Package inspect is the offline inspector behind `tandem inspect`: Dump
// prints a tablespace file page by page (type, LSN, checksum, records,
// sibling links, undo headers), DumpRedo prints the redo log's blocks and page
// operations without changing it, and Check verifies a whole data directory
// (every page checksum of every file, then, after opening the engine — which
// runs crash recovery — every B+tree, the dictionary and the secondary
// entries). It imports the engine and its subpackages; nothing imports it
// except the command.
package inspect
