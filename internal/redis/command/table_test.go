package command

import (
	"strings"
	"testing"
)

// TestTableLookup finds every command and subcommand whatever the case of
// its name, and no command for names that differ only in a non-letter the
// case-folding hash merges.
func TestTableLookup(t *testing.T) {
	tab := NewTable()
	if tab.Len() == 0 {
		t.Fatal("empty table")
	}
	for _, s := range tab.All() {
		for _, name := range []string{s.Name, strings.ToUpper(s.Name), mixedCase(s.Name)} {
			if got := tab.Lookup([]byte(name)); got != s {
				t.Errorf("Lookup(%q) = %v, want %q", name, got, s.Name)
			}
		}
		for _, sub := range s.Sub {
			if got := s.LookupSub([]byte(strings.ToUpper(sub.Name))); got != sub {
				t.Errorf("%s LookupSub(%q) = %v", s.Name, sub.Name, got)
			}
		}
	}
	for _, name := range []string{"", "ge", "gett", "get\x00", "GE\x14", "g\x05t", "bitfield_ro\x7f", "zrangestorex",
		"\u212aeys", strings.Repeat("a", 100)} {
		if got := tab.Lookup([]byte(name)); got != nil {
			t.Errorf("Lookup(%q) = %q, want none", name, got.Name)
		}
	}
	if got := tab.Lookup([]byte("BITFIELD_RO")); got == nil || got.Name != "bitfield_ro" {
		t.Errorf("BITFIELD_RO: %v", got)
	}
	// A table grows its index as commands are added.
	small := &Table{byName: map[string]*Spec{}}
	for i := 0; i < 300; i++ {
		small.Add(&Spec{Name: "CMD" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	for _, s := range small.All() {
		if small.Lookup([]byte(strings.ToUpper(s.Name))) != s {
			t.Fatalf("grown table misses %q", s.Name)
		}
	}
}

func mixedCase(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); i += 2 {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

func BenchmarkTableLookup(b *testing.B) {
	tab := NewTable()
	names := [][]byte{[]byte("GET"), []byte("set"), []byte("LPUSH"), []byte("zadd"), []byte("LRANGE"), []byte("spop")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, n := range names {
			if tab.Lookup(n) == nil {
				b.Fatal("missing")
			}
		}
	}
}

// TestSpecIDs checks that commands and subcommands have distinct IDs
// below Table.IDs.
func TestSpecIDs(t *testing.T) {
	tab := NewTable()
	seen := map[int]string{}
	check := func(s *Spec) {
		if s.ID() < 0 || s.ID() >= tab.IDs() {
			t.Fatalf("%s: ID %d outside [0,%d)", s.FullName(), s.ID(), tab.IDs())
		}
		if other, dup := seen[s.ID()]; dup {
			t.Fatalf("%s and %s share ID %d", s.FullName(), other, s.ID())
		}
		seen[s.ID()] = s.FullName()
	}
	for _, s := range tab.All() {
		check(s)
		for _, sub := range s.Sub {
			check(sub)
		}
	}
}
