package resp

import (
	"strings"
	"testing"
)

// FuzzParser checks that no input makes the parser panic, loop, or return
// arguments outside the buffer, and that parsing in two pieces gives the
// same commands as parsing at once.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "set a \"b\\x41\"\n", "*0\r\n", "*-1\r\n",
		"*1\r\n$-1\r\n", "*1\r\n$3\r\nab", "'a\\'b'\n", "*2\r\n$1\r\na\r\n*1\r\n",
		"*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n*1\r\n$4\r\nPING\r\n",
		"*1\r\n$03\r\nabc\r\n", "*01\r\n$1\r\na\r\n", "*1\r\n$1\ra\r\n", "*1\r\n$0\r\n\r\n",
		"*11\r\n", "*1\r\n$21\r\n012345678901234567890\r\n", "*1\r\n$1\r\nab\r", "*1\r\n$1\r\na",
	} {
		f.Add([]byte(s), uint8(3))
		f.Add([]byte(s), uint8(0xc3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		// The cut's high bits also choose the limits: unauthenticated,
		// and a small proto-max-bulk-len.
		newParser := func() *Parser {
			p := &Parser{MaxBulkLen: 1 << 20, AuthRequired: cut&0x80 != 0}
			if cut&0x40 != 0 {
				p.MaxBulkLen = 20
			}
			return p
		}
		whole := collect(newParser(), in, len(in))
		split := collect(newParser(), in, int(cut))
		if whole.err != split.err {
			t.Fatalf("error differs: %v vs %v", whole.err, split.err)
		}
		if len(whole.cmds) != len(split.cmds) {
			t.Fatalf("commands differ: %q vs %q", whole.cmds, split.cmds)
		}
		for i := range whole.cmds {
			if whole.cmds[i] != split.cmds[i] {
				t.Fatalf("command %d differs: %q vs %q", i, whole.cmds[i], split.cmds[i])
			}
		}
		// Delivered a byte at a time, no multibulk command is ever
		// complete on its first read: the incremental path parses all of
		// them, and must agree with the fast path of whole commands.
		bytewise := collectBytewise(newParser(), in)
		if whole.err != bytewise.err || strings.Join(whole.cmds, "\n") != strings.Join(bytewise.cmds, "\n") {
			t.Fatalf("whole %q (%v) vs byte by byte %q (%v)", whole.cmds, whole.err, bytewise.cmds, bytewise.err)
		}
	})
}

type parsed struct {
	cmds []string
	err  string
}

// collect parses in, delivering the first cut bytes, then the rest.
func collect(p *Parser, in []byte, cut int) parsed {
	if cut > len(in) {
		cut = len(in)
	}
	return collectPieces(p, [][]byte{in[:cut], in[cut:]})
}

// collectBytewise parses in delivered one byte at a time.
func collectBytewise(p *Parser, in []byte) parsed {
	pieces := make([][]byte, len(in))
	for i := range in {
		pieces[i] = in[i : i+1]
	}
	return collectPieces(p, pieces)
}

// collectPieces parses the concatenation of pieces, delivered one by one.
func collectPieces(p *Parser, pieces [][]byte) parsed {
	var out parsed
	var buf []byte
	for _, piece := range pieces {
		buf = append(buf, piece...)
		for len(buf) > 0 {
			args, n, err := p.Next(buf)
			if err != nil {
				out.err = err.Error()
				return out
			}
			if n == 0 {
				break
			}
			if n > len(buf) {
				panic("consumed more than the buffer")
			}
			s := ""
			for _, a := range args {
				s += string(a) + "\x00"
			}
			out.cmds = append(out.cmds, s)
			buf = buf[n:]
		}
	}
	return out
}
