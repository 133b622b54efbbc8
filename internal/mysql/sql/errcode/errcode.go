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

// More errors used by the executor.
var (
	WrongArguments               = Kind{1210, "HY000", "Incorrect arguments to %s"}
	CantDropKey                  = Kind{1091, "42000", "Can't DROP '%s'; check that column/key exists"}
	DupKeyName                   = Kind{1061, "42000", "Duplicate key name '%s'"}
	DupFieldName                 = Kind{1060, "42S21", "Duplicate column name '%s'"}
	MultiplePriKey               = Kind{1068, "42000", "Multiple primary key defined"}
	KeyColumnMissing             = Kind{1072, "42000", "Key column '%s' doesn't exist in table"}
	WrongAutoKey                 = Kind{1075, "42000", "Incorrect table definition; there can be only one auto column and it must be defined as a key"}
	InvalidDefault               = Kind{1067, "42000", "Invalid default value for '%s'"}
	TooBigDisplayWidth           = Kind{1439, "42000", "Display width out of range for column '%s' (max = %d)"}
	TooBigPrecision              = Kind{1426, "42000", "Too-big precision %d specified for '%s'. Maximum is %d."}
	TooBigFieldLength            = Kind{1074, "42000", "Column length too big for column '%s' (max = %d); use BLOB or TEXT instead"}
	WrongValueForVar             = Kind{1231, "42000", "Variable '%s' can't be set to the value of '%s'"}
	GlobalVariable               = Kind{1229, "HY000", "Variable '%s' is a GLOBAL variable and should be set with SET GLOBAL"}
	IncorrectGlobalLocal         = Kind{1238, "HY000", "Variable '%s' is a %s variable"}
	InvalidGroupFunc             = Kind{1111, "HY000", "Invalid use of group function"}
	WrongFieldWithGroup          = Kind{1055, "42000", "Expression #%d of SELECT list is not in GROUP BY clause and contains nonaggregated column '%s' which is not functionally dependent on columns in GROUP BY clause; this is incompatible with sql_mode=only_full_group_by"}
	FuncNotExist                 = Kind{1305, "42000", "FUNCTION %s does not exist"}
	WrongParamCount              = Kind{1582, "42000", "Incorrect parameter count in the call to native function '%s'"}
	OperandColumns               = Kind{1241, "21000", "Operand should contain %d column(s)"}
	DivisionByZero               = Kind{1365, "22012", "Division by 0"}
	TruncatedValue               = Kind{1292, "22007", "Truncated incorrect %s value: '%s'"}
	WrongDatetimeValue           = Kind{1292, "22007", "Incorrect %s value: '%s' for column '%s' at row %d"}
	LockNowait                   = Kind{3572, "HY000", "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set."}
	TooBigRowSize                = Kind{1118, "42000", "Row size too large. The maximum row size for the used table type, not counting BLOBs, is 8126. This includes storage overhead, check the manual. You have to change some columns to TEXT or BLOBs"}
	NonUpdatableTable            = Kind{1288, "HY000", "The target table %s of the %s is not updatable"}
	FieldSpecifiedTwice          = Kind{1110, "42000", "Column '%s' specified twice"}
	ReadOnlyTransaction          = Kind{1792, "25006", "Cannot execute statement in a READ ONLY transaction."}
	BadFieldNoTable              = Kind{1054, "42S22", "Unknown column '%s' in '%s'"}
	NotUniqTable                 = Kind{1066, "42000", "Not unique table/alias: '%s'"}
	BlobKeyWithoutLength         = Kind{1170, "42000", "BLOB/TEXT column '%s' used in key specification without a key length"}
	InternalError                = Kind{1815, "HY000", "Internal error: %s"}
	WrongUsage                   = Kind{1221, "HY000", "Incorrect usage of %s and %s"}
	WrongNumberOfColumnsInSelect = Kind{1222, "21000", "The used SELECT statements have a different number of columns"}
	UnknownTimeZone              = Kind{1298, "HY000", "Unknown or incorrect time zone: '%s'"}
	NoSuchIndex                  = Kind{1176, "42000", "Key '%s' doesn't exist in table '%s'"}
	UnknownCharset               = Kind{1115, "42000", "Unknown character set: '%s'"}
	NoSuchThread                 = Kind{1094, "HY000", "Unknown thread id: %d"}
	QueryInterrupted             = Kind{1317, "70100", "Query execution was interrupted"}
	EmptyQuery                   = Kind{1065, "42000", "Query was empty"}
)

// OutOfRangeExpr is ER_DATA_OUT_OF_RANGE for an expression.
var OutOfRangeExpr = Kind{1690, "22003", "%s value is out of range in '%s'"}

// Variable errors.
var (
	ReadOnlyVariable = Kind{1238, "HY000", "Variable '%s' is a read only variable"}
	WrongTypeForVar  = Kind{1232, "42000", "Incorrect argument type to variable '%s'"}
)

// NoTablesUsed is ER_NO_TABLES_USED.
var NoTablesUsed = Kind{1096, "HY000", "No tables used"}

// Column definition errors.
var (
	TooBigScale        = Kind{1425, "42000", "Too big scale %d specified for column '%s'. Maximum is %d."}
	TooBigPrecisionFsp = Kind{1426, "42000", "Too-big precision %d specified for '%s'. Maximum is %d."}
)

// DataTruncated is WARN_DATA_TRUNCATED (an error in strict mode).
var DataTruncated = Kind{1265, "01000", "Data truncated for column '%s' at row %d"}

// CantChangeTxCharacteristics is ER_CANT_CHANGE_TX_CHARACTERISTICS.
var CantChangeTxCharacteristics = Kind{1568, "25001", "Transaction characteristics can't be changed while a transaction is in progress"}

// SubqueryRows is ER_SUBQUERY_NO_1_ROW.
var SubqueryRows = Kind{1242, "21000", "Subquery returns more than 1 row"}

// DBAccessDenied is ER_DBACCESS_DENIED_ERROR.
var DBAccessDenied = Kind{1044, "42000", "Access denied for user '%s'@'%s' to database '%s'"}

// UnknownInfoSchemaTable is ER_UNKNOWN_TABLE.
var UnknownInfoSchemaTable = Kind{1109, "42S02", "Unknown table '%s' in %s"}

// ALTER TABLE errors.
var (
	CantRemoveAllFields = Kind{1090, "42000", "You can't delete all columns with ALTER TABLE; use DROP TABLE instead"}
	InvalidUseOfNull    = Kind{1138, "22004", "Invalid use of NULL value"}
)

// DerivedMustHaveAlias is ER_DERIVED_MUST_HAVE_ALIAS.
var DerivedMustHaveAlias = Kind{1248, "42000", "Every derived table must have its own alias"}

// MixOfGroupFunc is ER_MIX_OF_GROUP_FUNC_AND_FIELDS (ONLY_FULL_GROUP_BY without GROUP BY).
var MixOfGroupFunc = Kind{1140, "42000", "In aggregated query without GROUP BY, expression #%d of SELECT list contains nonaggregated column '%s'; this is incompatible with sql_mode=only_full_group_by"}

// UnknownTableInMulti is ER_UNKNOWN_TABLE for a multi-table statement's target.
var UnknownTableInMulti = Kind{1109, "42S02", "Unknown table '%s' in %s"}

// SELECT … INTO errors.
var (
	NoDataFetched = Kind{1329, "02000", "No data - zero rows fetched, selected, or processed"}
	TooManyRows   = Kind{1172, "42000", "Result consisted of more than one row"}
)

// KeyTooLong is ER_TOO_LONG_KEY.
var KeyTooLong = Kind{1071, "42000", "Specified key was too long; max key length is %d bytes"}

// Protocol-level errors the server sends, outside any statement.
var (
	UnknownCommand     = Kind{1047, "08S01", "Unknown command"}
	PacketTooLarge     = Kind{1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes"}
	HostNotPrivileged  = Kind{1130, "HY000", "Host '%s' is not allowed to connect to this MySQL server"}
	MalformedPacket    = Kind{1835, "HY000", "Malformed communication packet."}
	NotSupportedAuth   = Kind{1251, "08004", "Client does not support authentication protocol requested by server; consider upgrading MySQL client"}
	BadHandshake       = Kind{1043, "08S01", "Bad handshake"}
	TooManyConnections = Kind{1040, "08004", "Too many connections"}
	NoOpenCursor       = Kind{1421, "HY000", "The statement (%d) has no open cursor."}
	UnknownError       = Kind{1105, "HY000", "%s"}
)
