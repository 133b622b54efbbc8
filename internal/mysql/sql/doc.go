// Package sql is tandem's SQL front end as the wire server sees it: an
// Executor bound to one storage engine, a Session per connection, Query,
// Prepare/Execute and SplitStatements. Statements are parsed by sql/parse,
// resolved against sql/catalog, planned (primary key, secondary index range or
// full scan) and run by iterators against the engine interface.
// It must not import internal/mysql/server or anything of internal/redis; of
// internal/mysql/wire it uses only the protocol's column definition and its
// type, flag and charset constants (defined once there); the engine is
// reached only through internal/mysql/engine.
package sql
