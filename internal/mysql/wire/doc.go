// Package wire is tandem's MySQL client/server protocol, server side: packet
// framing (sequence ids, 16 MB splitting, max_allowed_packet), the v10
// handshake with mysql_native_password and caching_sha2_password (fast path,
// and full authentication: cleartext or RSA-encrypted password),
// decoding of COM_* payloads (COM_STMT_EXECUTE's binary parameters above all),
// and encoding of OK, ERR, EOF, column definitions and text/binary rows.
//
// It knows nothing about sessions or SQL: internal/mysql/server drives it.
// It may import only internal/mysql/sql/types and internal/mysql/sql/errcode
// (leaf packages), never the executor, the engine or internal/redis.
//
// Why not dolthub/vitess/go/mysql, which DESIGN.md named: its command loop
// answers every command it does not know (COM_STATISTICS, COM_CHANGE_USER)
// with "not implemented" and offers no hook to add them, it parses prepared
// statements with its own parser inside the protocol layer, and it speaks
// sqltypes.Result, so every row would be converted twice. Framing and
// encoding are small; owning them keeps the hot path at one buffered write
// per result set with no per-row allocations.
package wire
