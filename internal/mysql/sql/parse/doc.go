// Package parse is the adapter around github.com/dolthub/vitess/go/vt/sqlparser:
// it splits multi-statement text, rewrites what the library does not accept
// (SELECT … FOR SHARE [NOWAIT|SKIP LOCKED]) before parsing, and turns the
// library's syntax errors into MySQL's ER_PARSE_ERROR text. The rest of the
// SQL layer imports the library's AST only through the Statement this returns.
// It imports sql/errcode only.
package parse
