package command

import (
	"fmt"
	"strings"
)

// Error replies shared by several families, with Redis 7.0's exact texts.
// Family-specific texts live at the top of the family's file.
const (
	ErrWrongType      = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax         = "ERR syntax error"
	ErrNotInt         = "ERR value is not an integer or out of range"
	ErrNotFloat       = "ERR value is not a valid float"
	ErrOverflow       = "ERR increment or decrement would overflow"
	ErrNoSuchKey      = "ERR no such key"
	ErrStringTooLong  = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange    = "ERR offset is out of range"
	ErrIndexRange     = "ERR index out of range"
	ErrDBIndex        = "ERR DB index is out of range"
	ErrSameObject     = "ERR source and destination objects are the same"
	ErrNotPositive    = "ERR value is out of range, must be positive"
	ErrNaN            = "ERR increment would produce NaN or Infinity"
	ErrTimeoutNotNum  = "ERR timeout is not a float or out of range"
	ErrTimeoutNeg     = "ERR timeout is negative"
	ErrNumKeysZero    = "ERR numkeys should be greater than 0"
	ErrCountNegative  = "ERR count should be greater than 0"
	ErrNotValidCursor = "ERR invalid cursor"
)

// WrongArgs is the arity error for a command or subcommand.
func WrongArgs(name string) string {
	return fmt.Sprintf("ERR wrong number of arguments for '%s' command", name)
}

// InvalidExpire is the error of SET/GETEX/EXPIRE with a bad time.
func InvalidExpire(cmd string) string {
	return fmt.Sprintf("ERR invalid expire time in '%s' command", cmd)
}

// UnknownCommand is the error for a name the table does not have.
func UnknownCommand(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(clip(args[0]))
	b.WriteString("', with args beginning with: ")
	for _, a := range args[1:] {
		if b.Len() >= 128*4 {
			break
		}
		b.WriteString("'")
		b.WriteString(clip(a))
		b.WriteString("' ")
	}
	return b.String()
}

// UnknownSubcommand is the error for a container command's unknown subcommand.
func UnknownSubcommand(cmd string, sub []byte) string {
	return fmt.Sprintf("ERR unknown subcommand '%s'. Try %s HELP.", clip(sub), strings.ToUpper(cmd))
}

func clip(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}
