package resp

import (
	"testing"
)

// FuzzParser checks that no input makes the parser panic, loop, or return
// arguments outside the buffer, and that parsing in two pieces gives the
// same commands as parsing at once.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n", "set a \"b\\x41\"\n", "*0\r\n", "*-1\r\n",
		"*1\r\n$-1\r\n", "*1\r\n$3\r\nab", "'a\\'b'\n", "*2\r\n$1\r\na\r\n*1\r\n",
	} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8) {
		whole := collect(in, len(in))
		split := collect(in, int(cut))
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
	})
}

type parsed struct {
	cmds []string
	err  string
}

// collect parses in, delivering the first cut bytes, then the rest.
func collect(in []byte, cut int) parsed {
	if cut > len(in) {
		cut = len(in)
	}
	p := &Parser{MaxBulkLen: 1 << 20}
	var out parsed
	buf := append([]byte(nil), in[:cut]...)
	feed := [][]byte{in[cut:]}
	for {
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
		if len(feed) == 0 {
			return out
		}
		buf = append(buf, feed[0]...)
		feed = feed[1:]
	}
}
