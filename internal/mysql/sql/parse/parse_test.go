package parse

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
)

func TestSplitStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"select 1; select 2", []string{"select 1", "select 2"}},
		{"select ';'; select \"a;b\"", []string{"select ';'", "select \"a;b\""}},
		{"select `a;b` from t;;", []string{"select `a;b` from t"}},
		{"select 1 -- c;\n; select 2 # x;\n", []string{"select 1 -- c;", "select 2 # x;"}},
		{"select /* ; */ 1; /*!40101 SET x=1 */;", []string{"select /* ; */ 1", "/*!40101 SET x=1 */"}},
		{"select 'it''s;'; select 'a\\';'", []string{"select 'it''s;'", "select 'a\\';'"}},
		{"  ;  ", nil},
	}
	for _, c := range cases {
		if got := SplitStatements(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitStatements(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRewriteForShare(t *testing.T) {
	cases := []struct {
		in, out string
		wait    LockWait
	}{
		{"SELECT * FROM t WHERE id = 1 FOR SHARE", "SELECT * FROM t WHERE id = 1 LOCK IN SHARE MODE", Wait},
		{"select * from t for share nowait", "select * from t LOCK IN SHARE MODE", NoWait},
		{"select * from t FOR SHARE SKIP LOCKED", "select * from t LOCK IN SHARE MODE", SkipLocked},
		{"select 'for share' from t", "select 'for share' from t", Wait},
		{"select `for` , share from t", "select `for` , share from t", Wait},
		{"select * from t for update", "select * from t for update", Wait},
	}
	for _, c := range cases {
		out, p := Rewrite(c.in)
		if out != c.out || p.LockWait != c.wait || p.ForShare != (out != c.in) {
			t.Errorf("Rewrite(%q) = %q %+v, want %q wait %d", c.in, out, p, c.out, c.wait)
		}
		if _, err := Parse(c.in); err != nil && !strings.Contains(c.in, "`for`") {
			t.Errorf("Parse(%q): %v", c.in, err)
		}
	}
}

func TestParseVersionComment(t *testing.T) {
	if _, err := Parse("CREATE TABLE t (a int) /*!50100 ENGINE = InnoDB */"); err != nil {
		t.Fatal(err)
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := Parse("SELEC 1")
	e, ok := err.(*errcode.Error)
	if !ok || e.Code != 1064 || !strings.Contains(e.Message, "near 'SELEC 1' at line 1") {
		t.Fatalf("got %v", err)
	}
	_, err = Parse("select *\nfrom t wher x")
	if e, ok := err.(*errcode.Error); !ok || !strings.HasSuffix(e.Message, "at line 2") {
		t.Fatalf("got %v", err)
	}
}

// FuzzSplitRewrite checks that splitting never loses or invents text outside
// separators and that the rewriter only ever replaces a FOR SHARE clause.
func FuzzSplitRewrite(f *testing.F) {
	for _, s := range []string{"select 1; select 2", "select 'a;b' for share", "/*!40101 x */;", "select `x` -- c\n;", "select \"\\\";\" ; b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := SplitStatements(s)
		for _, p := range parts {
			if p == "" || !strings.Contains(s, p) {
				t.Fatalf("piece %q not in %q", p, s)
			}
		}
		if !strings.Contains(s, ";") && strings.TrimSpace(s) != "" && (len(parts) != 1 || parts[0] != trimSpace(s)) {
			t.Fatalf("no separator but split into %q", parts)
		}
		out, p := Rewrite(s)
		if !p.ForShare && out != s && !strings.Contains(s, `\\%`) && !strings.Contains(s, `\\_`) {
			t.Fatalf("rewrote without FOR SHARE: %q -> %q", s, out)
		}
		if p.ForShare && !strings.Contains(out, "LOCK IN SHARE MODE") {
			t.Fatalf("FOR SHARE not replaced: %q", out)
		}
		_, _ = Parse(s)
	})
}

func TestKeepLikeEscapes(t *testing.T) {
	cases := map[string]string{
		`select 'a\%b', 'x\_y', 'n\\%', "q\%"`: `select 'a\\%b', 'x\\_y', 'n\\%', "q\\%"`,
		"select `a\\%` from t":                 "select `a\\%` from t",
		`select 1`:                             `select 1`,
	}
	for in, want := range cases {
		if got := keepLikeEscapes(in); got != want {
			t.Errorf("keepLikeEscapes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRewriteCheckTable(t *testing.T) {
	cases := []struct {
		in, out string
		check   bool
	}{
		{"CHECK TABLE t", "ANALYZE TABLE t", true},
		{"check  table db.t1, t2 QUICK EXTENDED", "ANALYZE  TABLE db.t1, t2", true},
		{"/* c */ CHECK TABLE `quick` FOR UPGRADE", "ANALYZE TABLE `quick`", true},
		{"CHECK TABLE quick", "ANALYZE TABLE quick", true},
		{"CHECK TABLE a, fast", "ANALYZE TABLE a, fast", true},
		{"SELECT 1 CHECK TABLE", "SELECT 1 CHECK TABLE", false},
		{"x CHECK TABLE t", "x CHECK TABLE t", false},
	}
	for _, c := range cases {
		out, p := Rewrite(c.in)
		if out != c.out || p.CheckTable != c.check {
			t.Errorf("Rewrite(%q) = %q, %v; want %q, %v", c.in, out, p.CheckTable, c.out, c.check)
		}
	}
}
