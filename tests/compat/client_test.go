package compat

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// reply is one decoded RESP2/RESP3 reply.
type reply struct {
	kind  byte // '+', '-', ':', '$', '*', '%', '~', '>', ',', '#', '(', '=', '_'
	str   string
	elems []reply
	null  bool
}

// conn is a minimal RESP client, independent of tandem's own codec so that the
// transcripts check the server's bytes and not a shared parser.
type conn struct {
	nc net.Conn
	r  *bufio.Reader
}

func dial(addr string) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, r: bufio.NewReader(nc)}, nil
}

func (c *conn) close() { c.nc.Close() }

// send writes args as a RESP multibulk.
func (c *conn) send(args [][]byte) error {
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.nc.Write(b)
	return err
}

func (c *conn) read(timeout time.Duration) (reply, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	return readReply(c.r)
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("line without CRLF: %q", line)
	}
	return line[:len(line)-2], nil
}

func readReply(r *bufio.Reader) (reply, error) {
	line, err := readLine(r)
	if err != nil {
		return reply{}, err
	}
	if line == "" {
		return reply{}, fmt.Errorf("empty reply line")
	}
	kind, rest := line[0], line[1:]
	switch kind {
	case '+', '-', ':', ',', '#', '(':
		return reply{kind: kind, str: rest}, nil
	case '_':
		return reply{kind: kind, null: true}, nil
	case '$', '=', '!':
		n, err := strconv.Atoi(rest)
		if err != nil {
			return reply{}, fmt.Errorf("bad bulk length %q", rest)
		}
		if n < 0 {
			return reply{kind: '$', null: true}, nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(r, buf); err != nil {
			return reply{}, err
		}
		if kind == '!' {
			return reply{kind: '-', str: string(buf[:n])}, nil
		}
		return reply{kind: kind, str: string(buf[:n])}, nil
	case '*', '%', '~', '>', '|':
		n, err := strconv.Atoi(rest)
		if err != nil {
			return reply{}, fmt.Errorf("bad aggregate length %q", rest)
		}
		if n < 0 {
			return reply{kind: '*', null: true}, nil
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		out := reply{kind: kind, elems: make([]reply, 0, n)}
		for i := 0; i < n; i++ {
			e, err := readReply(r)
			if err != nil {
				return reply{}, err
			}
			out.elems = append(out.elems, e)
		}
		if kind == '|' { // attribute: skip it, the reply follows
			return readReply(r)
		}
		return out, nil
	}
	return reply{}, fmt.Errorf("unknown reply type %q", kind)
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// format prints a reply as redis-cli does on a terminal (cliFormatReplyTTY).
func format(r reply) string { return formatPrefixed(r, "") }

func formatPrefixed(r reply, prefix string) string {
	switch r.kind {
	case '-':
		return "(error) " + r.str + "\n"
	case '+':
		return r.str + "\n"
	case ':':
		return "(integer) " + r.str + "\n"
	case ',':
		return "(double) " + r.str + "\n"
	case '(':
		return "(big number) " + r.str + "\n"
	case '#':
		if r.str == "t" {
			return "(true)\n"
		}
		return "(false)\n"
	case '_':
		return "(nil)\n"
	case '$':
		if r.null {
			return "(nil)\n"
		}
		return quote(r.str) + "\n"
	case '=':
		if len(r.str) >= 4 {
			return r.str[4:] + "\n"
		}
		return r.str + "\n"
	}
	// Aggregates.
	if r.null {
		return "(nil)\n"
	}
	if len(r.elems) == 0 {
		switch r.kind {
		case '%':
			return "(empty hash)\n"
		case '~':
			return "(empty set)\n"
		}
		return "(empty array)\n"
	}
	n := len(r.elems)
	sep := ")"
	switch r.kind {
	case '~':
		sep = "~"
	case '%':
		sep = "#"
		n /= 2
	}
	idxlen := len(strconv.Itoa(n))
	inner := prefix + strings.Repeat(" ", idxlen+2)
	var b strings.Builder
	for i := 0; i < len(r.elems); i++ {
		human := i + 1
		if r.kind == '%' {
			human = i/2 + 1
		}
		if i > 0 {
			b.WriteString(prefix)
		}
		fmt.Fprintf(&b, "%*d%s ", idxlen, human, sep)
		b.WriteString(formatPrefixed(r.elems[i], inner))
		if r.kind == '%' {
			i++
			s := b.String()
			b.Reset()
			b.WriteString(s[:len(s)-1])
			b.WriteString(" => ")
			b.WriteString(formatPrefixed(r.elems[i], inner))
		}
	}
	return b.String()
}

// quote is sdscatrepr: the string in double quotes with C escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
