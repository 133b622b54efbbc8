// Package zset is the sorted-set value: members ordered by (score, member)
// with O(1) member lookup and O(log N) rank and range operations.
//
// Basics: a small set is kept in one packed byte slice, the "listpack"
// encoding (uvarint member length, member bytes, 8-byte little-endian score,
// entries sorted); it turns into the "skiplist" encoding — an order-statistic
// B+tree of (score, member) plus a map from member to score — when it grows
// past Config.MaxListpackEntries members or gets a member longer than
// Config.MaxListpackValue bytes, as Redis' zset-max-listpack-* settings do.
// The encoding names are Redis' (OBJECT ENCODING); the large form is a
// counted B+tree rather than a skip list because it measured smaller and
// keeps the collector's work to one pointer per member.
//
// Caveats: scores are never NaN (callers reject NaN before calling Add).
// MemoryUsage is an estimate kept incrementally, O(1).
//
// It imports keyspace only for the Type constant; never command or server.
package zset
