package resp

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func parseAll(t *testing.T, p *Parser, in string) ([]string, error) {
	t.Helper()
	var out []string
	buf := []byte(in)
	for len(buf) > 0 {
		args, n, err := p.Next(buf)
		if err != nil {
			return out, err
		}
		if n == 0 {
			break
		}
		var parts []string
		for _, a := range args {
			parts = append(parts, string(a))
		}
		out = append(out, strings.Join(parts, "|"))
		buf = buf[n:]
	}
	return out, nil
}

func TestParserCommands(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET|k"}, ""},
		{"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", []string{"PING", "PING"}, ""},
		{"PING\r\n", []string{"PING"}, ""},
		{"set a \"b c\"\n", []string{"set|a|b c"}, ""},
		{"\r\n", []string{""}, ""},
		{"*0\r\n", []string{""}, ""},
		{"*-1\r\n", []string{""}, ""},
		{"*1\r\n$0\r\n\r\n", []string{""}, ""},
		{"*2\r\n$3\r\nGET\r\n", nil, ""}, // incomplete
		{"*x\r\n", nil, "Protocol error: invalid multibulk length"},
		{"*1\r\n+x\r\n", nil, "Protocol error: expected '$', got '+'"},
		{"*1\r\n$-1\r\n", nil, "Protocol error: invalid bulk length"},
		{"*1\r\n$01\r\nx\r\n", nil, "Protocol error: invalid bulk length"},
		{"*3000000000\r\n", nil, "Protocol error: invalid multibulk length"},
		{"set a \"b\n", nil, "Protocol error: unbalanced quotes in request"},
		{"set a \"b\"c\n", nil, "Protocol error: unbalanced quotes in request"},
	}
	for _, tc := range cases {
		p := &Parser{MaxBulkLen: 512 << 20}
		got, err := parseAll(t, p, tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
	}
}

func TestParserUnauthenticatedLimits(t *testing.T) {
	p := &Parser{MaxBulkLen: 512 << 20, AuthRequired: true}
	if _, err := parseAll(t, p, "*11\r\n"); err == nil || err.Error() != "Protocol error: unauthenticated multibulk length" {
		t.Fatalf("got %v", err)
	}
	p = &Parser{MaxBulkLen: 512 << 20, AuthRequired: true}
	if _, err := parseAll(t, p, "*1\r\n$16385\r\n"); err == nil || err.Error() != "Protocol error: unauthenticated bulk length" {
		t.Fatalf("got %v", err)
	}
}

func TestParserTooBigInline(t *testing.T) {
	p := &Parser{MaxBulkLen: 512 << 20}
	_, err := parseAll(t, p, strings.Repeat("a", InlineMaxSize+1))
	if err == nil || err.Error() != "Protocol error: too big inline request" {
		t.Fatalf("got %v", err)
	}
	p = &Parser{MaxBulkLen: 512 << 20}
	_, err = parseAll(t, p, "*"+strings.Repeat("1", InlineMaxSize+1))
	if err == nil || err.Error() != "Protocol error: too big mbulk count string" {
		t.Fatalf("got %v", err)
	}
}

// TestParserByteByByte feeds a pipeline one byte at a time: every command
// must come out exactly once, in order, whatever the packet boundaries.
func TestParserByteByByte(t *testing.T) {
	var in bytes.Buffer
	var want []string
	for i := 0; i < 50; i++ {
		val := strings.Repeat("v", i*37)
		in.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + itoaStr(len(val)) + "\r\n" + val + "\r\n")
		want = append(want, "SET|k|"+val)
		in.WriteString("GET k\r\n")
		want = append(want, "GET|k")
	}
	p := &Parser{MaxBulkLen: 512 << 20}
	var buf []byte
	var got []string
	for _, b := range in.Bytes() {
		buf = append(buf, b)
		for {
			args, n, err := p.Next(buf)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			var parts []string
			for _, a := range args {
				parts = append(parts, string(a))
			}
			got = append(got, strings.Join(parts, "|"))
			buf = buf[n:]
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d commands, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("command %d: got %.40q want %.40q", i, got[i], want[i])
		}
	}
}

func itoaStr(n int) string { return string(itoa(nil, int64(n))) }

func TestSplitArgs(t *testing.T) {
	cases := map[string]string{
		`a b  c`:            "a|b|c",
		`"a\x41\n" 'b\'c'`:  "aA\n|b'c",
		`""`:                "",
		`set "" x`:          "set||x",
		"  \t lead trail  ": "lead|trail",
		`"\q"`:              "q",
	}
	for in, want := range cases {
		args, ok := SplitArgs([]byte(in), nil)
		if !ok {
			t.Errorf("%q: not ok", in)
			continue
		}
		var parts []string
		for _, a := range args {
			parts = append(parts, string(a))
		}
		if got := strings.Join(parts, "|"); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func TestParseInt(t *testing.T) {
	good := map[string]int64{"0": 0, "-1": -1, "9223372036854775807": 9223372036854775807, "-9223372036854775808": -9223372036854775808}
	for s, want := range good {
		if v, ok := ParseInt([]byte(s)); !ok || v != want {
			t.Errorf("%s: %d %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "-", "01", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1a", "-0"} {
		if _, ok := ParseInt([]byte(s)); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestWriterRESP2AndRESP3(t *testing.T) {
	w := &Writer{Proto: 2}
	w.Map(1)
	w.BulkString("k")
	w.Double(1.5)
	w.Null()
	w.Bool(true)
	if got := string(w.Buf); got != "*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n$-1\r\n:1\r\n" {
		t.Fatalf("resp2: %q", got)
	}
	w = &Writer{Proto: 3}
	w.Map(1)
	w.BulkString("k")
	w.Double(1.5)
	w.Null()
	w.Bool(true)
	if got := string(w.Buf); got != "%1\r\n$1\r\nk\r\n,1.5\r\n_\r\n#t\r\n" {
		t.Fatalf("resp3: %q", got)
	}
}

// BenchmarkParserPipeline parses 16 pipelined SETs as redis-benchmark -P 16
// sends them.
func BenchmarkParserPipeline(b *testing.B) {
	var buf []byte
	for i := 0; i < 16; i++ {
		buf = append(buf, "*3\r\n$3\r\nSET\r\n$16\r\nkey:__rand_int__\r\n$3\r\nxxx\r\n"...)
	}
	p := &Parser{MaxBulkLen: 512 << 20}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		for off := 0; off < len(buf); {
			args, n, err := p.Next(buf[off:])
			if err != nil || n == 0 || len(args) != 3 {
				b.Fatal("bad parse")
			}
			off += n
		}
	}
}

// TestWriterIntDigits checks that IntDigits writes what Int does.
func TestWriterIntDigits(t *testing.T) {
	for _, n := range []int64{0, 7, 10, -1, 123456789, -9223372036854775808, 9223372036854775807} {
		a, b := &Writer{Proto: 2}, &Writer{Proto: 3}
		a.Int(n)
		b.IntDigits([]byte(strconv.FormatInt(n, 10)))
		if string(a.Buf) != string(b.Buf) {
			t.Errorf("%d: Int %q, IntDigits %q", n, a.Buf, b.Buf)
		}
	}
}
