// Package hash owns the value encodings of Redis hashes.
//
// A small hash is a list.Pack of alternating fields and values ("listpack" in OBJECT
// ENCODING); past Config.MaxListpackEntries fields (hash-max-listpack-entries) or once a field
// or value is longer than Config.MaxListpackValue bytes (hash-max-listpack-value) it becomes a
// set.Dict with values ("hashtable"), and never converts back, as in Redis 7.0.
//
// A listpack hash of at most MaxInline bytes is a keyspace.Inliner: the keyspace stores its
// bytes inside the key's arena entry (no Go object per hash) and hands back views of them
// (View, or Lookup's Unpack), which copy their bytes before the first change; the command
// stores a changed view again.
//
// MemoryUsage is O(1). Returned fields and values alias the hash's memory until its next
// change. The package imports the keyspace only for Type, and the list and set packages for
// their encodings; nothing above it.
package hash
