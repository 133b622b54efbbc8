package glob

import "testing"

// Cases checked against redis-server 7.0.15 (KEYS over a db holding str).
var cases = []struct {
	pat, str string
	want     bool
}{
	{"*", "", false}, // the empty string matches only the empty pattern (KEYS * is special-cased)
	{"", "", true},
	{"", "a", false},
	{"*", "anything", true},
	{"h?llo", "hello", true},
	{"h?llo", "hllo", false},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hbllo", true},
	{"h[b-a]llo", "hbllo", true}, // reversed range
	{"h[a-b]llo", "hcllo", false},
	{`h\*llo`, "h*llo", true},
	{`h\*llo`, "hello", false},
	{`h[\]]llo`, "h]llo", true},
	{`h[\-]llo`, "h-llo", true},
	{"a[", "a", false},
	{"a[b", "ab", true},  // unterminated class matches what it has
	{"a[^b", "ac", true}, //
	{"a[bc", "abx", false},
	{`a\`, `a\`, true}, // trailing backslash is literal
	{"a**b", "ab", true},
	{"a*", "a", true},
	{"a*b*", "ab", true},
	{"*a", "", false},
	{"?", "", false},
	{"[a-]", "-", false}, // a range from ']' to 'a'
	{"[a-]", "^", true},
	{"[-a]", "-", true},
	{"a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"foo*", "foobar", true},
	{"*bar", "foobar", true},
	{"f[o]o", "foo", true},
}

func TestMatch(t *testing.T) {
	for _, c := range cases {
		if got := MatchString(c.pat, c.str); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pat, c.str, got, c.want)
		}
		if got := reference([]byte(c.pat), []byte(c.str), false); got != c.want {
			t.Errorf("reference(%q, %q) = %v, want %v", c.pat, c.str, got, c.want)
		}
	}
}

func TestMatchFold(t *testing.T) {
	for _, c := range []struct {
		pat, str string
		want     bool
	}{{"MAXMEMORY*", "maxmemory-policy", true}, {"[A-C]x", "bx", true}, {`\Ax`, "ax", true}, {"[\\A]x", "ax", false}} {
		if got := MatchFold([]byte(c.pat), []byte(c.str)); got != c.want {
			t.Errorf("MatchFold(%q, %q) = %v, want %v", c.pat, c.str, got, c.want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, c := range cases {
		f.Add(c.pat, c.str, false)
	}
	f.Fuzz(func(t *testing.T, pat, str string, fold bool) {
		if len(pat) > 24 || len(str) > 24 {
			return
		}
		var got bool
		if fold {
			got = MatchFold([]byte(pat), []byte(str))
		} else {
			got = Match([]byte(pat), []byte(str))
		}
		if want := reference([]byte(pat), []byte(str), fold); got != want {
			t.Fatalf("Match(%q, %q, fold=%v) = %v, reference says %v", pat, str, fold, got, want)
		}
	})
}

// reference is an independent matcher: it tokenises the pattern with
// stringmatchlen's parsing rules, then matches by dynamic programming.
func reference(pat, str []byte, fold bool) bool {
	type token struct {
		star bool
		one  func(c byte) bool
	}
	low := func(c byte) byte {
		if fold {
			return lower(c)
		}
		return c
	}
	if len(str) == 0 {
		return len(pat) == 0
	}
	var toks []token
	for i := 0; i < len(pat); i++ {
		switch pat[i] {
		case '*':
			toks = append(toks, token{star: true})
		case '?':
			toks = append(toks, token{one: func(byte) bool { return true }})
		case '[':
			i++
			not := i < len(pat) && pat[i] == '^'
			if not {
				i++
			}
			var set [256]bool
			for ; i < len(pat) && pat[i] != ']'; i++ {
				switch {
				case pat[i] == '\\' && len(pat)-i >= 2:
					i++
					set[pat[i]] = true
				case len(pat)-i >= 3 && pat[i+1] == '-':
					lo, hi := pat[i], pat[i+2]
					if lo > hi {
						lo, hi = hi, lo
					}
					for c := 0; c < 256; c++ {
						if low(byte(c)) >= low(lo) && low(byte(c)) <= low(hi) {
							set[c] = true
						}
					}
					i += 2
				default:
					for c := 0; c < 256; c++ {
						if low(byte(c)) == low(pat[i]) {
							set[c] = true
						}
					}
				}
			}
			toks = append(toks, token{one: func(c byte) bool { return set[c] != not }})
		case '\\':
			if len(pat)-i >= 2 {
				i++
			}
			fallthrough
		default:
			lit := pat[i]
			toks = append(toks, token{one: func(c byte) bool { return low(c) == low(lit) }})
		}
	}
	// ok[j] after processing k tokens: tokens[:k] match str[:j].
	ok := make([]bool, len(str)+1)
	ok[0] = true
	for _, tk := range toks {
		next := make([]bool, len(str)+1)
		for j := range ok {
			if !ok[j] {
				continue
			}
			if tk.star {
				for k := j; k <= len(str); k++ {
					next[k] = true
				}
			} else if j < len(str) && tk.one(str[j]) {
				next[j+1] = true
			}
		}
		ok = next
	}
	return ok[len(str)]
}
