package command

import (
	"sort"
	"strings"
)

// Flags are a command's properties, as COMMAND INFO reports them.
type Flags uint32

// The flags, in the order COMMAND INFO lists them.
const (
	Write Flags = 1 << iota
	ReadOnly
	DenyOOM
	Module
	Admin
	PubSub
	NoScript
	Blocking
	Loading
	Stale
	SkipMonitor
	SkipSlowlog
	Asking
	Fast
	NoAuth
	MayReplicate
	Sentinel
	OnlySentinel
	NoMandatoryKeys
	Protected
	NoAsyncLoading
	NoMulti
	MovableKeys
	AllowBusy
)

var flagNames = []string{"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
	"may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
	"no_async_loading", "no_multi", "movablekeys", "allow_busy"}

// Names lists the flags' COMMAND INFO names. Sentinel and OnlySentinel
// only choose the commands of Sentinel mode; Redis does not list them.
func (f Flags) Names() []string {
	var out []string
	f &^= Sentinel | OnlySentinel
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// Handler runs one command.
type Handler func(c *Ctx)

// Spec declares a command (or a subcommand) once.
type Spec struct {
	Name       string // lower case; "config|get" style for subcommands is derived
	Arity      int    // N: exactly N arguments incl. the name; -N: at least N
	Flags      Flags
	FirstKey   int // position of the first key, 0 if none
	LastKey    int // position of the last key; -1 for the last argument
	Step       int
	Group      string // "string", "list", "generic", "server", ...
	Since      string
	Summary    string
	Complexity string
	ACL        []string // categories, without '@'
	Sub        []*Spec
	Handler    Handler
	// Keys, when set, finds the key positions of commands whose keys the
	// first/last/step triple cannot describe (numkeys arguments, STREAMS).
	Keys func(args [][]byte) []int

	parent *Spec
	id     int
}

// ID is a small dense number the table gave the spec (and each subcommand) when it was added,
// for per-command state kept in a slice instead of a map (statistics, latency histograms).
func (s *Spec) ID() int { return s.id }

// FullName is "parent|sub" for subcommands.
func (s *Spec) FullName() string {
	if s.parent != nil {
		return s.parent.Name + "|" + s.Name
	}
	return s.Name
}

// Parent is the container command of a subcommand, or nil.
func (s *Spec) Parent() *Spec { return s.parent }

// CheckArity reports whether argc arguments fit the spec.
func (s *Spec) CheckArity(argc int) bool {
	if s.Arity >= 0 {
		return argc == s.Arity
	}
	return argc >= -s.Arity
}

// KeyPositions returns the positions of the keys in args.
func (s *Spec) KeyPositions(args [][]byte) []int {
	if s.Keys != nil {
		return s.Keys(args)
	}
	if s.FirstKey <= 0 || s.FirstKey >= len(args) {
		return nil
	}
	last := s.LastKey
	if last < 0 {
		last = len(args) + last
	}
	if last >= len(args) {
		last = len(args) - 1
	}
	step := s.Step
	if step <= 0 {
		step = 1
	}
	var out []int
	for i := s.FirstKey; i <= last; i += step {
		out = append(out, i)
	}
	return out
}

// Table maps command names to specs.
type Table struct {
	byName map[string]*Spec
	// index is an open-addressed hash table over the same specs, hashed
	// case-insensitively, so Lookup neither lowers a copy of the name nor
	// hashes it twice. Its size is a power of two at least four times the
	// number of commands, so probe sequences stay short.
	index []*Spec
	ids   int // IDs given so far
}

// IDs is the number of spec IDs given: every Spec.ID is below it.
func (t *Table) IDs() int { return t.ids }

// NewTable returns a table with every data family registered.
func NewTable() *Table {
	t := &Table{byName: make(map[string]*Spec)}
	registerStrings(t)
	registerKeys(t)
	registerHashes(t)
	registerLists(t)
	registerSets(t)
	registerZSets(t)
	registerBitmaps(t)
	registerHLL(t)
	registerGeo(t)
	registerSort(t)
	registerDump(t)
	return t
}

// Add registers specs. A duplicate name is a programming error.
func (t *Table) Add(specs ...*Spec) {
	for _, s := range specs {
		name := strings.ToLower(s.Name)
		if _, dup := t.byName[name]; dup {
			panic("command: duplicate command " + name)
		}
		s.Name = name
		s.id = t.ids
		t.ids++
		for _, sub := range s.Sub {
			sub.Name = strings.ToLower(sub.Name)
			sub.parent = s
			sub.id = t.ids
			t.ids++
		}
		t.byName[name] = s
		if len(t.byName)*4 > len(t.index) {
			t.rebuildIndex()
		} else {
			t.insertIndex(s)
		}
	}
}

// foldHash hashes name with ASCII letters folded to lower case (FNV-1a).
// Folding sets bit 0x20 of every byte, which also merges a few non-letters
// with others; Lookup compares the name exactly afterwards.
func foldHash(name []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range name {
		h = (h ^ uint32(c|0x20)) * 16777619
	}
	return h
}

func (t *Table) rebuildIndex() {
	size := 64
	for size < 8*len(t.byName) {
		size *= 2
	}
	t.index = make([]*Spec, size)
	for _, s := range t.byName {
		t.insertIndex(s)
	}
}

func (t *Table) insertIndex(s *Spec) {
	mask := uint32(len(t.index) - 1)
	i := foldHash([]byte(s.Name)) & mask
	for t.index[i] != nil {
		i = (i + 1) & mask
	}
	t.index[i] = s
}

// equalFold reports whether name equals the lower-case spec name ignoring
// the case of ASCII letters.
func equalFold(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Lookup finds a command by name, case-insensitively, without allocating.
func (t *Table) Lookup(name []byte) *Spec {
	if len(t.index) == 0 {
		return nil
	}
	mask := uint32(len(t.index) - 1)
	for i := foldHash(name) & mask; ; i = (i + 1) & mask {
		s := t.index[i]
		if s == nil {
			return nil
		}
		if equalFold(name, s.Name) {
			return s
		}
	}
}

// LookupSub finds a subcommand of s by name.
func (s *Spec) LookupSub(name []byte) *Spec {
	for _, sub := range s.Sub {
		if equalFold(name, sub.Name) {
			return sub
		}
	}
	return nil
}

// All returns every top-level spec sorted by name.
func (t *Table) All() []*Spec {
	out := make([]*Spec, 0, len(t.byName))
	for _, s := range t.byName {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of top-level commands (COMMAND COUNT).
func (t *Table) Len() int { return len(t.byName) }
