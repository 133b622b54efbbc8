package glob

// Match reports whether str matches pattern, byte-wise and case-sensitively.
func Match(pattern, str []byte) bool {
	m := matcher{pat: pattern, str: str}
	return m.match(0, 0)
}

// MatchFold is Match ignoring ASCII case (CONFIG GET).
func MatchFold(pattern, str []byte) bool {
	m := matcher{pat: pattern, str: str, fold: true}
	return m.match(0, 0)
}

// MatchString is Match for strings.
func MatchString(pattern, str string) bool { return Match([]byte(pattern), []byte(str)) }

type matcher struct {
	pat, str []byte
	fold     bool
	// skipLonger is set once the rest of the pattern after a '*' matched
	// no suffix of the string: earlier stars cannot help either, which
	// keeps patterns like "a*a*a*a*b" polynomial instead of exponential.
	skipLonger bool
}

// at is pat[i], or 0 past the end (Redis reads the terminating NUL there).
func (m *matcher) at(i int) byte {
	if i < len(m.pat) {
		return m.pat[i]
	}
	return 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (m *matcher) eq(a, b byte) bool {
	if m.fold {
		return lower(a) == lower(b)
	}
	return a == b
}

// match matches pat[p:] against str[s:].
func (m *matcher) match(p, s int) bool {
	pend, send := len(m.pat), len(m.str)
	for p < pend && s < send {
		switch m.pat[p] {
		case '*':
			for m.at(p+1) == '*' {
				p++
			}
			if pend-p == 1 {
				return true
			}
			for s < send {
				if m.match(p+1, s) {
					return true
				}
				if m.skipLonger {
					return false
				}
				s++
			}
			m.skipLonger = true
			return false
		case '?':
			s++
		case '[':
			p = m.class(p+1, m.str[s])
			if p < 0 {
				return false
			}
			s++
		case '\\':
			if pend-p >= 2 {
				p++
			}
			fallthrough
		default:
			if !m.eq(m.pat[p], m.str[s]) {
				return false
			}
			s++
		}
		p++
		if s == send {
			for m.at(p) == '*' {
				p++
			}
		}
	}
	return p >= pend && s == send
}

// class matches c against the class whose body starts at pat[p] (after
// '['). It returns the position of the closing ']' (or of the last byte of
// an unterminated class), or -1 when c does not match.
func (m *matcher) class(p int, c byte) int {
	pend := len(m.pat)
	not := m.at(p) == '^'
	if not {
		p++
	}
	matched := false
	for {
		if m.at(p) == '\\' && pend-p >= 2 {
			p++
			if m.pat[p] == c {
				matched = true
			}
		} else if p < pend && m.pat[p] == ']' {
			break
		} else if p >= pend {
			p-- // unterminated: the caller's p++ ends the pattern
			break
		} else if pend-p >= 3 && m.pat[p+1] == '-' {
			lo, hi, cc := m.pat[p], m.pat[p+2], c
			if lo > hi {
				lo, hi = hi, lo
			}
			if m.fold {
				lo, hi, cc = lower(lo), lower(hi), lower(cc)
			}
			p += 2
			if cc >= lo && cc <= hi {
				matched = true
			}
		} else if m.eq(m.pat[p], c) {
			matched = true
		}
		p++
	}
	if matched == not {
		return -1
	}
	return p
}
