// Package catalog owns table definitions as the SQL layer sees them (columns,
// types, defaults, indexes), their serialized form stored in the engine's data
// dictionary (TableSpec.Meta), and the byte encodings the engine stores: rows
// as opaque records and index keys in a memcomparable form, so that
// bytes.Compare orders keys as MySQL orders the values.
// It imports internal/mysql/engine and sql/types only.
package catalog
