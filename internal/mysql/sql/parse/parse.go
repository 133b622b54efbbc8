package parse

import (
	"errors"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"
	"github.com/dolthub/vitess/go/vt/vterrors"

	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
)

// LockWait is how a locking read waits for a lock.
type LockWait uint8

// The lock wait options of FOR UPDATE / FOR SHARE.
const (
	Wait LockWait = iota
	NoWait
	SkipLocked
)

// Parsed is one parsed statement and what the rewriter took out of it.
type Parsed struct {
	Stmt sqlparser.Statement
	// ForShare is set when the text said FOR SHARE (rewritten to LOCK IN SHARE MODE).
	ForShare bool
	// LockWait is NOWAIT or SKIP LOCKED of a FOR SHARE clause.
	LockWait LockWait
	// CheckTable is set for CHECK TABLE (parsed as ANALYZE TABLE, which the
	// library knows, with CHECK's options taken off).
	CheckTable bool
}

// Parse parses one statement.
func Parse(query string) (Parsed, error) {
	text, p := Rewrite(query)
	stmt, err := sqlparser.Parse(text)
	if err != nil {
		return Parsed{}, syntaxError(text, err)
	}
	p.Stmt = stmt
	return p, nil
}

// Rewrite turns "FOR SHARE [NOWAIT | SKIP LOCKED]" into "LOCK IN SHARE MODE"
// (the library has no FOR SHARE); the library's tokenizer says whether the
// statement has such a clause at all, so most statements return unchanged.
func Rewrite(query string) (string, Parsed) {
	var p Parsed
	query = keepLikeEscapes(query)
	if q, ok := rewriteCheckTable(query); ok {
		p.CheckTable = true
		return q, p
	}
	if !hasForShare(query) {
		return query, p
	}
	ws := scanWords(query)
	for i := 0; i+1 < len(ws); i++ {
		w1, w2 := ws[i], ws[i+1]
		if !asciiEqualFold(query[w1.start:w1.end], "for") || !strings.EqualFold(query[w2.start:w2.end], "share") {
			continue
		}
		end := w2.end
		if i+2 < len(ws) {
			w3 := query[ws[i+2].start:ws[i+2].end]
			switch {
			case strings.EqualFold(w3, "nowait"):
				p.LockWait, end = NoWait, ws[i+2].end
			case strings.EqualFold(w3, "skip") && i+3 < len(ws) && strings.EqualFold(query[ws[i+3].start:ws[i+3].end], "locked"):
				p.LockWait, end = SkipLocked, ws[i+3].end
			}
		}
		p.ForShare = true
		return query[:w1.start] + "LOCK IN SHARE MODE" + query[end:], p
	}
	return query, p
}

func hasForShare(query string) bool {
	if !containsFold(query, "share") {
		return false
	}
	tk := sqlparser.NewStringTokenizer(query)
	prevFor := false
	for {
		typ, _ := tk.Scan()
		if typ == 0 || typ == sqlparser.LEX_ERROR {
			return false
		}
		if prevFor && typ == sqlparser.SHARE {
			return true
		}
		prevFor = typ == sqlparser.FOR
	}
}

func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// syntaxError renders the library's error as MySQL's 1064: the text from the
// offending token on, and the line it is on.
func syntaxError(text string, err error) error {
	var se vterrors.SyntaxError
	pos := -1
	if errors.As(err, &se) {
		pos = se.Position
	} else if i := strings.Index(err.Error(), "at position "); i >= 0 {
		n := 0
		for _, c := range err.Error()[i+len("at position "):] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		pos = n
	}
	near := ""
	if pos >= 0 {
		near = nearText(text, pos, err.Error())
	}
	line := 1 + strings.Count(text[:len(text)-len(near)], "\n")
	if len(near) > 80 {
		near = near[:80]
	}
	return errcode.ParseError.New(near, line)
}

// nearText finds the start of the offending token: the last occurrence of
// the "near 'tok'" text of the library's message at or before pos.
func nearText(text string, pos int, msg string) string {
	if pos > len(text) {
		pos = len(text)
	}
	if i := strings.Index(msg, "near '"); i >= 0 {
		tok := msg[i+len("near '"):]
		if j := strings.LastIndex(tok, "'"); j >= 0 {
			tok = tok[:j]
		}
		if tok != "" {
			if k := lastIndexFold(text[:pos], tok); k >= 0 {
				return text[k:]
			}
		}
	}
	if pos == len(text) {
		return ""
	}
	start := pos
	for start > 0 && !isSpace(text[start-1]) {
		start--
	}
	return text[start:]
}

// lastIndexFold is strings.LastIndex ignoring ASCII case (byte offsets stay valid for any input).
func lastIndexFold(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if asciiEqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// keepLikeEscapes doubles the backslash of \% and \_ inside string literals:
// MySQL keeps those two escapes in the string (for LIKE), while the library's
// tokenizer drops the backslash.
func keepLikeEscapes(query string) string {
	if !strings.Contains(query, `\%`) && !strings.Contains(query, `\_`) {
		return query
	}
	var b strings.Builder
	for i := 0; i < len(query); {
		c := query[i]
		if c != '\'' && c != '"' {
			if j := skipQuoted(query, i); j != i { // comments and quoted identifiers stay as they are
				b.WriteString(query[i:j])
				i = j
				continue
			}
			b.WriteByte(c)
			i++
			continue
		}
		end := skipQuoted(query, i)
		lit := query[i:end]
		for k := 0; k < len(lit); k++ {
			if lit[k] == '\\' && k+1 < len(lit) {
				if lit[k+1] == '%' || lit[k+1] == '_' {
					b.WriteString(`\\`)
				} else {
					b.WriteByte('\\')
				}
				b.WriteByte(lit[k+1])
				k++
				continue
			}
			b.WriteByte(lit[k])
		}
		i = end
	}
	return b.String()
}

// rewriteCheckTable turns "CHECK TABLE t1, t2 [FOR UPGRADE | QUICK | FAST |
// MEDIUM | EXTENDED | CHANGED]..." into "ANALYZE TABLE t1, t2".
func rewriteCheckTable(query string) (string, bool) {
	ws := scanWords(query)
	if len(ws) < 3 || !asciiEqualFold(query[ws[0].start:ws[0].end], "check") ||
		!asciiEqualFold(query[ws[1].start:ws[1].end], "table") {
		return query, false
	}
	for i := 0; i < ws[0].start; i++ { // only white space and comments before CHECK
		if j := skipQuoted(query, i); j != i {
			i = j - 1
			continue
		}
		if !isSpace(query[i]) {
			return query, false
		}
	}
	end := len(query)
	for k := len(ws) - 1; k >= 2; k-- {
		w := query[ws[k].start:ws[k].end]
		opt := false
		for _, o := range []string{"quick", "fast", "medium", "extended", "changed", "upgrade"} {
			opt = opt || asciiEqualFold(w, o)
		}
		if asciiEqualFold(w, "for") && k+1 < len(ws) && asciiEqualFold(query[ws[k+1].start:ws[k+1].end], "upgrade") {
			opt = true
		}
		before := trimSpace(query[ws[1].end:ws[k].start]) // the table list so far
		if !opt || trimSpace(query[ws[k].end:end]) != "" || before == "" || strings.HasSuffix(before, ",") {
			break
		}
		end = ws[k].start
	}
	return "ANALYZE" + query[ws[0].end:ws[1].start] + "TABLE " + trimSpace(query[ws[1].end:end]), true
}
