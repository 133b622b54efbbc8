// Package server is tandem's MySQL network server: it accepts connections,
// authenticates them, keeps one sql.Session and one prepared-statement
// registry per connection, and dispatches COM_* commands to the SQL executor,
// turning its results and errors into packets through internal/mysql/wire.
// Its lifecycle follows net/http: Serve(l), Shutdown(ctx), Close,
// ErrServerClosed.
//
// It must not import internal/redis; below the executor it knows the storage
// engine only to open it (Open) and close it.
package server
