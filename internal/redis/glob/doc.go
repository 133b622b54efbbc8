// Package glob matches Redis glob-style patterns (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET)
// with exactly the semantics of Redis' stringmatchlen: '*', '?', '[...]' classes with '^'
// negation and 'a-z' ranges (reversed ranges allowed), and '\' escapes inside and outside
// classes. An unterminated class matches what it has read so far, as in Redis.
//
// It imports nothing from tandem.
package glob
