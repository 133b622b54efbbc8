package parse

// skipQuoted returns the index just after the quoted run starting at s[i]
// (a string, a quoted identifier or a comment), or i when s[i] starts none.
// An unterminated run ends at len(s).
func skipQuoted(s string, i int) int {
	c := s[i]
	switch c {
	case '\'', '"', '`':
		j := i + 1
		for j < len(s) {
			switch {
			case s[j] == '\\' && c != '`':
				j += 2
				continue
			case s[j] == c:
				if j+1 < len(s) && s[j+1] == c { // doubled quote
					j += 2
					continue
				}
				return j + 1
			}
			j++
		}
		return len(s)
	case '#':
		return lineEnd(s, i)
	case '-':
		if i+2 < len(s) && s[i+1] == '-' && (s[i+2] == ' ' || s[i+2] == '\t' || s[i+2] == '\n' || s[i+2] == '\r') {
			return lineEnd(s, i)
		}
		if i+2 == len(s) && s[i+1] == '-' {
			return len(s)
		}
	case '/':
		if i+1 < len(s) && s[i+1] == '*' {
			if i+2 < len(s) && s[i+2] == '!' {
				return i // executable comment: its content is SQL
			}
			for j := i + 2; j+1 < len(s); j++ {
				if s[j] == '*' && s[j+1] == '/' {
					return j + 2
				}
			}
			return len(s)
		}
	}
	return i
}

func lineEnd(s string, i int) int {
	for i < len(s) && s[i] != '\n' {
		i++
	}
	return i
}

// SplitStatements splits text at top-level semicolons, skipping strings,
// quoted identifiers and comments. Empty statements are dropped; each piece
// is trimmed of surrounding white space.
func SplitStatements(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		if j := skipQuoted(text, i); j != i {
			i = j
			continue
		}
		if text[i] == ';' {
			if p := trimSpace(text[start:i]); p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
		i++
	}
	if p := trimSpace(text[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// words returns the top-level bare words of s with their byte spans.
type word struct {
	start, end int
}

func scanWords(s string) []word {
	var out []word
	for i := 0; i < len(s); {
		if j := skipQuoted(s, i); j != i {
			i = j
			continue
		}
		if isIdentByte(s[i]) && (i == 0 || !isIdentByte(s[i-1])) {
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, word{i, j})
			i = j
			continue
		}
		i++
	}
	return out
}
