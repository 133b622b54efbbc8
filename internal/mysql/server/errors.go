package server

import "github.com/tandem-db/tandem/internal/mysql/sql/errcode"

// Protocol-level errors, with MySQL 8's numbers, SQLSTATEs and messages.
// (They belong in internal/mysql/sql/errcode; they live here until that
// package's owner moves them.)
var (
	errUnknownCommand    = errcode.Kind{Code: 1047, State: "08S01", Format: "Unknown command"}
	errPacketTooLarge    = errcode.Kind{Code: 1153, State: "08S01", Format: "Got a packet bigger than 'max_allowed_packet' bytes"}
	errHostNotPrivileged = errcode.Kind{Code: 1130, State: "HY000", Format: "Host '%s' is not allowed to connect to this MySQL server"}
	errMalformedPacket   = errcode.Kind{Code: 1835, State: "HY000", Format: "Malformed communication packet."}
	errWrongArguments    = errcode.Kind{Code: 1210, State: "HY000", Format: "Incorrect arguments to %s"}
	errNotSupportedAuth  = errcode.Kind{Code: 1251, State: "08004", Format: "Client does not support authentication protocol requested by server; consider upgrading MySQL client"}
	errBadHandshake      = errcode.Kind{Code: 1043, State: "08S01", Format: "Bad handshake"}
	errEmptyQuery        = errcode.Kind{Code: 1065, State: "42000", Format: "Query was empty"}
	errTooManyConns      = errcode.Kind{Code: 1040, State: "08004", Format: "Too many connections"}
	errNoOpenCursor      = errcode.Kind{Code: 1421, State: "HY000", Format: "The statement (%d) has no open cursor."}
	errUnknownError      = errcode.Kind{Code: 1105, State: "HY000", Format: "%s"}
	errUnknownThread     = errcode.Kind{Code: 1094, State: "HY000", Format: "Unknown thread id: %d"}
)
