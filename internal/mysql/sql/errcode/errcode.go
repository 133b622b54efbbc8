// Package errcode defines the SQL errors tandem returns, each once, with its
// MySQL error number, SQLSTATE and message template as MySQL 8 prints them.
// It imports nothing of tandem.
package errcode

import "fmt"

// Kind is one MySQL error: its number, SQLSTATE and message format.
type Kind struct {
	Code   uint16
	State  string
	Format string
}

// Error is an error to send to the client in an ERR packet.
type Error struct {
	Code    uint16
	State   string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("Error %d (%s): %s", e.Code, e.State, e.Message) }

// New renders the kind's message with args.
func (k Kind) New(args ...any) *Error {
	return &Error{Code: k.Code, State: k.State, Message: fmt.Sprintf(k.Format, args...)}
}

// The errors. Add new ones here, checked against MySQL 8's messages.
var (
	ParseError          = Kind{1064, "42000", "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '%s' at line %d"}
	NoDatabaseSelected  = Kind{1046, "3D000", "No database selected"}
	BadDatabase         = Kind{1049, "42000", "Unknown database '%s'"}
	DatabaseExists      = Kind{1007, "HY000", "Can't create database '%s'; database exists"}
	DropDatabaseMissing = Kind{1008, "HY000", "Can't drop database '%s'; database doesn't exist"}
	TableExists         = Kind{1050, "42S01", "Table '%s' already exists"}
	NoSuchTable         = Kind{1146, "42S02", "Table '%s.%s' doesn't exist"}
	BadTable            = Kind{1051, "42S02", "Unknown table '%s'"}
	BadField            = Kind{1054, "42S22", "Unknown column '%s' in '%s'"}
	DupEntry            = Kind{1062, "23000", "Duplicate entry '%s' for key '%s'"}
	BadNull             = Kind{1048, "23000", "Column '%s' cannot be null"}
	NoDefault           = Kind{1364, "HY000", "Field '%s' doesn't have a default value"}
	OutOfRange          = Kind{1264, "22003", "Out of range value for column '%s' at row %d"}
	DataTooLong         = Kind{1406, "22001", "Data too long for column '%s' at row %d"}
	TruncatedWrongValue = Kind{1366, "HY000", "Incorrect %s value: '%s' for column '%s' at row %d"}
	WrongValueCount     = Kind{1136, "21S01", "Column count doesn't match value count at row %d"}
	NonUniq             = Kind{1052, "23000", "Column '%s' in %s is ambiguous"}
	UnknownSystemVar    = Kind{1193, "HY000", "Unknown system variable '%s'"}
	LockWaitTimeout     = Kind{1205, "HY000", "Lock wait timeout exceeded; try restarting transaction"}
	LockDeadlock        = Kind{1213, "40001", "Deadlock found when trying to get lock; try restarting transaction"}
	NotSupported        = Kind{1235, "42000", "This version of MySQL doesn't yet support '%s'"}
	AccessDenied        = Kind{1045, "28000", "Access denied for user '%s'@'%s' (using password: %s)"}
	UnknownStmtHandler  = Kind{1243, "HY000", "Unknown prepared statement handler (%s) given to %s"}
	SavepointMissing    = Kind{1305, "42000", "%s %s does not exist"}
)
