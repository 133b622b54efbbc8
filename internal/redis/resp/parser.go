package resp

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// Limits that Redis hard-codes.
const (
	// InlineMaxSize is the longest inline request, or count line, accepted
	// before a newline (PROTO_INLINE_MAX_SIZE).
	InlineMaxSize = 64 * 1024
	// unauthMultibulkMax and unauthBulkMax bound what a client that has not
	// authenticated yet may send.
	unauthMultibulkMax = 10
	unauthBulkMax      = 16384
)

// ProtocolError is a malformed request. The server replies with "-ERR " +
// Error() and closes the connection, as Redis does.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

var (
	errTooBigInline    = &ProtocolError{"too big inline request"}
	errUnbalanced      = &ProtocolError{"unbalanced quotes in request"}
	errTooBigMbulk     = &ProtocolError{"too big mbulk count string"}
	errInvalidMbulk    = &ProtocolError{"invalid multibulk length"}
	errUnauthMbulk     = &ProtocolError{"unauthenticated multibulk length"}
	errTooBigBulkCount = &ProtocolError{"too big bulk count string"}
	errInvalidBulk     = &ProtocolError{"invalid bulk length"}
	errUnauthBulk      = &ProtocolError{"unauthenticated bulk length"}
)

// Parser extracts commands from a query buffer. It keeps the state of a
// partially received multibulk command between calls, so a huge command
// arriving in small pieces is scanned once, not once per piece.
type Parser struct {
	// MaxBulkLen is proto-max-bulk-len.
	MaxBulkLen int64
	// AuthRequired applies the tighter limits of unauthenticated clients.
	AuthRequired bool

	// State of a multibulk command in progress. Offsets are relative to
	// the start of the command in the buffer.
	inCommand bool
	remaining int   // arguments still to read
	bulkLen   int64 // length of the argument being read, -1 if its header is not read yet
	pos       int   // parse position relative to the command start
	spans     []span
	args      [][]byte
}

type span struct{ off, len int }

// Next parses one command at the start of buf. It returns the arguments
// (aliasing buf, valid until buf changes), and how many bytes the command
// took. n == 0 with a nil error means the command is incomplete. An empty
// args with n > 0 is an empty request (a blank inline line or "*0") to skip.
func (p *Parser) Next(buf []byte) (args [][]byte, n int, err error) {
	if len(buf) == 0 {
		return nil, 0, nil
	}
	if !p.inCommand && buf[0] != '*' {
		return p.inline(buf)
	}
	return p.multibulk(buf)
}

// Partial describes a multibulk command in progress: how many of its
// bytes are parsed, and the total length of the arguments read so far
// (what Redis has moved out of its query buffer into argv by then).
func (p *Parser) Partial() (parsed, argBytes int) {
	if !p.inCommand {
		return 0, 0
	}
	for _, s := range p.spans {
		argBytes += s.len
	}
	return p.pos, argBytes
}

// Reset forgets a partially parsed command (after the buffer was dropped).
func (p *Parser) Reset() {
	p.inCommand = false
	p.spans = p.spans[:0]
}

func (p *Parser) inline(buf []byte) ([][]byte, int, error) {
	nl := bytes.IndexByte(buf, '\n')
	if nl < 0 {
		if len(buf) > InlineMaxSize {
			return nil, 0, errTooBigInline
		}
		return nil, 0, nil
	}
	line := buf[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := SplitArgs(line, p.args[:0])
	if !ok {
		return nil, 0, errUnbalanced
	}
	p.args = args
	return args, nl + 1, nil
}

// readLine finds the "\r\n"-terminated line starting at buf[from]. It
// returns the line's end (index of '\r') or -1 if the line is incomplete.
func readLine(buf []byte, from int) int {
	i := bytes.IndexByte(buf[from:], '\r')
	if i < 0 {
		return -1
	}
	end := from + i
	if end+1 >= len(buf) {
		return -1
	}
	return end
}

// fastMultibulk parses a whole multibulk command that is complete in buf
// and written the plain way (every length canonical and within limits),
// the common case of a pipelined batch. ok is false for anything else: an
// incomplete command, an odd length or an error, which multibulk then
// handles from the start. It keeps no state between calls.
func (p *Parser) fastMultibulk(buf []byte) (args [][]byte, n int, ok bool) {
	count, pos, ok := fastLen(buf, 1)
	if !ok || count == 0 || count > math.MaxInt32 || (p.AuthRequired && count > unauthMultibulkMax) {
		return nil, 0, false
	}
	maxLen := p.MaxBulkLen
	if p.AuthRequired && maxLen > unauthBulkMax {
		maxLen = unauthBulkMax
	}
	args = p.args[:0]
	for ; count > 0; count-- {
		if pos >= len(buf) || buf[pos] != '$' {
			return nil, 0, false
		}
		l, start, ok := fastLen(buf, pos+1)
		if !ok || l > maxLen || l > int64(len(buf)-start-2) {
			return nil, 0, false
		}
		end := start + int(l)
		args = append(args, buf[start:end:end])
		pos = end + 2
	}
	p.args = args
	return args, pos, true
}

// fastLen reads the canonical non-negative decimal at buf[i:] ending in a
// '\r' with one more byte buffered after it (as readLine requires): it
// returns the value and the position after the line. ok is false for
// anything else, including over 18 digits.
func fastLen(buf []byte, i int) (v int64, next int, ok bool) {
	start := i
	for ; i < len(buf); i++ {
		c := buf[i]
		if c < '0' || c > '9' {
			break
		}
		v = v*10 + int64(c-'0')
	}
	digits := i - start
	if digits == 0 || digits > 18 || (digits > 1 && buf[start] == '0') || i+1 >= len(buf) || buf[i] != '\r' {
		return 0, 0, false
	}
	return v, i + 2, true
}

func (p *Parser) multibulk(buf []byte) ([][]byte, int, error) {
	if !p.inCommand {
		if args, n, ok := p.fastMultibulk(buf); ok {
			return args, n, nil
		}
		end := readLine(buf, 0)
		if end < 0 {
			if len(buf) > InlineMaxSize && bytes.IndexByte(buf, '\r') < 0 {
				return nil, 0, errTooBigMbulk
			}
			return nil, 0, nil
		}
		count, ok := ParseInt(buf[1:end])
		if !ok || count > math.MaxInt32 {
			return nil, 0, errInvalidMbulk
		}
		if count > unauthMultibulkMax && p.AuthRequired {
			return nil, 0, errUnauthMbulk
		}
		if count <= 0 {
			return p.args[:0], end + 2, nil
		}
		p.inCommand = true
		p.remaining = int(count)
		p.bulkLen = -1
		p.pos = end + 2
		p.spans = p.spans[:0]
	}
	for p.remaining > 0 {
		if p.bulkLen < 0 {
			if p.pos >= len(buf) {
				return nil, 0, nil
			}
			end := readLine(buf, p.pos)
			if end < 0 {
				if len(buf)-p.pos > InlineMaxSize && bytes.IndexByte(buf[p.pos:], '\r') < 0 {
					return nil, 0, p.fail(errTooBigBulkCount)
				}
				return nil, 0, nil
			}
			if buf[p.pos] != '$' {
				return nil, 0, p.fail(&ProtocolError{"expected '$', got '" + string(buf[p.pos]) + "'"})
			}
			l, ok := ParseInt(buf[p.pos+1 : end])
			if !ok || l < 0 || l > p.MaxBulkLen {
				return nil, 0, p.fail(errInvalidBulk)
			}
			if l > unauthBulkMax && p.AuthRequired {
				return nil, 0, p.fail(errUnauthBulk)
			}
			p.bulkLen = l
			p.pos = end + 2
		}
		if int64(len(buf)-p.pos) < p.bulkLen+2 {
			return nil, 0, nil
		}
		p.spans = append(p.spans, span{p.pos, int(p.bulkLen)})
		p.pos += int(p.bulkLen) + 2
		p.bulkLen = -1
		p.remaining--
	}
	p.inCommand = false
	args := p.args[:0]
	for _, s := range p.spans {
		args = append(args, buf[s.off:s.off+s.len:s.off+s.len])
	}
	p.args = args
	return args, p.pos, nil
}

func (p *Parser) fail(err error) error {
	p.inCommand = false
	return err
}

// Pending reports how many more bytes the command in progress needs at
// least, or 0 when unknown (used to size the next read of a big argument).
func (p *Parser) Pending(buffered int) int {
	if !p.inCommand || p.bulkLen < 0 {
		return 0
	}
	need := p.pos + int(p.bulkLen) + 2 - buffered
	if need < 0 {
		return 0
	}
	return need
}

// ParseInt parses a signed decimal (a RESP length or a Redis integer
// argument) with Redis' string2ll strictness: no spaces, no leading '+',
// no leading zeros except "0" itself.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ErrIncomplete is returned by ReadReply when buf holds only part of a reply.
var ErrIncomplete = errors.New("resp: incomplete reply")

// itoa is strconv.AppendInt, named for the writer's use.
func itoa(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
