package command

import "testing"

func TestKeyEffects(t *testing.T) { runEffects(t, "testdata/keys_effects") }

func TestParseCursor(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"123", 123, true}, {"+5", 5, true},
		{"-1", 1<<64 - 1, true}, {"18446744073709551615", 1<<64 - 1, true},
		{"18446744073709551616", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"-", 0, false}, {"1x", 0, false},
	} {
		got, ok := parseCursor([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
