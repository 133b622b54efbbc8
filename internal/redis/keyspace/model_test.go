package keyspace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// testObj is an Object whose memory size the test changes.
type testObj struct {
	typ  Type
	size int
}

func (o *testObj) Type() Type       { return o.typ }
func (o *testObj) Encoding() string { return "listpack" }
func (o *testObj) MemoryUsage() int { return o.size }
func (o *testObj) String() string   { return fmt.Sprintf("%v/%d", o.typ, o.size) }

// testInl is an Inliner: a byte string stored inline unless it says no.
type testInl struct {
	typ  Type
	b    []byte
	no   bool // Inline refuses: stored as an Object
	view bool // made by Unpack
}

// testUnpacker is the Unpacker of testInl.
type testUnpacker struct{}

func (o *testInl) Type() Type       { return o.typ }
func (o *testInl) Encoding() string { return "inl" }
func (o *testInl) MemoryUsage() int { return len(o.b) }
func (o *testInl) Inline() ([]byte, Unpacker, bool) {
	return o.b, testUnpacker{}, !o.no
}

func (testUnpacker) Unpack(b []byte) Object { return &testInl{typ: TypeHash, b: b, view: true} }

type modelVal struct {
	str      string
	raw      bool
	obj      Object // *testObj, or a *testInl that refused to be inline
	inl      *testInl
	expireAt int64
}

// modelRun drives two DBs and a map model with random operations and checks every result and
// the invariants after each step.
type modelRun struct {
	t     *testing.T
	rng   *rand.Rand
	ks    *Keyspace
	clk   *testClock
	model [2]map[string]modelVal
	nkeys int

	expiredByHook int
	// An ongoing scan of DB 0: keys present (without TTL) for the whole scan must be seen.
	scanning bool
	cursor   uint64
	stable   map[string]bool
	seen     map[string]bool
}

func newModelRun(t *testing.T, seed uint64, nkeys int) *modelRun {
	clk := &testClock{ms: 1_700_000_000_000}
	ks := New(Options{Databases: 2, Now: clk.now, Seed: seed})
	ks.chunkCap = 4096 // small chunks, so compaction and chunk release happen often
	for i := range ks.dbs {
		ks.dbs[i].s = newStore(ks.chunkCap)
		if seed%2 == 0 {
			ks.dbs[i].s.tagHomeBits = 6 // larger tables re-hash keys to find homes
		}
		if seed >= 3 {
			ks.dbs[i].s.growSync = 32 // larger tables grow incrementally
		}
	}
	m := &modelRun{t: t, rng: rand.New(rand.NewPCG(seed, 7)), ks: ks, clk: clk, nkeys: nkeys}
	m.model[0], m.model[1] = map[string]modelVal{}, map[string]modelVal{}
	ks.SetHooks(func(db int, key []byte) {
		v, ok := m.model[db][string(key)]
		if !ok || v.expireAt == 0 || clk.ms <= v.expireAt {
			t.Fatalf("db %d: hook expired %q (model %+v, ok %v, now %d)", db, key, v, ok, clk.ms)
		}
		delete(m.model[db], string(key))
		delete(m.stableFor(db), string(key))
		m.expiredByHook++
	}, nil)
	return m
}

func (m *modelRun) stableFor(db int) map[string]bool {
	if db == 0 && m.scanning {
		return m.stable
	}
	return nil
}

func (m *modelRun) live(db int, k string) (modelVal, bool) {
	v, ok := m.model[db][k]
	if !ok || (v.expireAt != 0 && m.clk.ms > v.expireAt) {
		return modelVal{}, false
	}
	return v, true
}

func (m *modelRun) key() string { return fmt.Sprintf("key:%06d", m.rng.IntN(m.nkeys)) }

func (m *modelRun) value() []byte {
	n := m.rng.IntN(60)
	switch m.rng.IntN(20) {
	case 0:
		n = 2000 + m.rng.IntN(3000) // bigger than a quarter test chunk: own chunk
	case 1:
		return fmt.Appendf(nil, "%d", m.rng.Int64N(1000)-500)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(m.rng.IntN(26))
	}
	return b
}

func (m *modelRun) ttl() int64 {
	if m.rng.IntN(3) == 0 {
		return m.clk.ms + 1 + m.rng.Int64N(200)
	}
	return 0
}

func (m *modelRun) check(dbi int, k string, v Value, ok bool) {
	t := m.t
	t.Helper()
	want, wok := m.live(dbi, k)
	if ok != wok {
		t.Fatalf("db %d %q: present %v, model %v (%+v)", dbi, k, ok, wok, want)
	}
	if !ok {
		return
	}
	if v.ExpireAt != want.expireAt {
		t.Fatalf("db %d %q: expireAt %d, model %d", dbi, k, v.ExpireAt, want.expireAt)
	}
	if want.obj != nil {
		if v.Obj != want.obj || v.Type != want.obj.Type() || v.Inline != nil {
			t.Fatalf("db %d %q: object %v, model %v", dbi, k, v.Obj, want.obj)
		}
		return
	}
	if want.inl != nil {
		if v.Type != TypeHash || string(v.Inline) != string(want.inl.b) || v.Encoding() != "inl" {
			t.Fatalf("db %d %q: %v %q, model inline %q", dbi, k, v.Type, v.Inline, want.inl.b)
		}
		if v.Obj != nil {
			if o, ok := v.Obj.(*testInl); !ok || !o.view || string(o.b) != string(want.inl.b) {
				t.Fatalf("db %d %q: view %v of inline %q", dbi, k, v.Obj, want.inl.b)
			}
		}
		return
	}
	if v.Type != TypeString || string(v.Str) != want.str {
		t.Fatalf("db %d %q: %q, model %q", dbi, k, v.Str, want.str)
	}
	enc := encodingNames[stringEncoding([]byte(want.str))]
	if want.raw {
		enc = "raw"
	}
	if v.Encoding() != enc {
		t.Fatalf("db %d %q: encoding %s, want %s", dbi, k, v.Encoding(), enc)
	}
}

func (m *modelRun) noTTL(dbi int, k string) {
	if s := m.stableFor(dbi); s != nil {
		delete(s, k)
	}
}

func (m *modelRun) step(verify bool) {
	t := m.t
	dbi := 0
	if m.rng.IntN(4) == 0 {
		dbi = 1
	}
	db := m.ks.DB(dbi)
	mod := m.model[dbi]
	k := m.key()
	switch op := m.rng.IntN(100); {
	case op < 30: // SET
		val := m.value()
		at, keep := m.ttl(), m.rng.IntN(10) == 0
		raw := m.rng.IntN(10) == 0
		if raw {
			db.SetStringRaw([]byte(k), val, at, keep)
		} else {
			db.SetString([]byte(k), val, at, keep)
		}
		if keep {
			at = 0
			if old, ok := m.live(dbi, k); ok {
				at = old.expireAt
			}
		}
		mod[k] = modelVal{str: string(val), raw: raw, expireAt: at}
		if at != 0 {
			m.noTTL(dbi, k)
		}
	case op < 33: // SetObject
		o := &testObj{typ: Type(1 + m.rng.IntN(5)), size: m.rng.IntN(500)}
		db.SetObject([]byte(k), o)
		mod[k] = modelVal{obj: o}
	case op < 37: // SetObject or ReplaceObject of an Inliner
		o := &testInl{typ: TypeHash, b: m.value(), no: m.rng.IntN(8) == 0}
		fromView := false
		if old, ok := m.live(dbi, k); ok && old.inl != nil && m.rng.IntN(3) == 0 {
			v, _ := db.Lookup([]byte(k))
			o = v.Obj.(*testInl) // store a view again: its bytes alias the entry
			o.view = false
			fromView = true
		}
		want := append([]byte(nil), o.b...)
		var at int64
		if m.rng.IntN(2) == 0 {
			db.SetObject([]byte(k), o)
		} else {
			db.ReplaceObject([]byte(k), o) // keeps the TTL
			if old, ok := m.live(dbi, k); ok {
				at = old.expireAt
			}
		}
		if o.no {
			mod[k] = modelVal{obj: o, expireAt: at}
		} else {
			if !fromView { // a view's bytes are the entry's until the key is written
				for i := range o.b {
					o.b[i] = '#' // stored inline: a copy, so this is not seen
				}
			}
			mod[k] = modelVal{inl: &testInl{b: want}, expireAt: at}
		}
		if at != 0 {
			m.noTTL(dbi, k)
		}
	case op < 40: // change an object in place
		if v, ok := m.live(dbi, k); ok && v.obj != nil {
			if o, ok := v.obj.(*testObj); ok {
				o.size = m.rng.IntN(1000)
				db.Modified([]byte(k))
			}
		}
	case op < 50:
		v, ok := db.Lookup([]byte(k))
		m.check(dbi, k, v, ok)
	case op < 55:
		v, ok := db.LookupInline([]byte(k))
		if ok && v.Inline != nil && v.Obj != nil {
			t.Fatalf("LookupInline %q made a view", k)
		}
		m.check(dbi, k, v, ok)
	case op < 60:
		v, ok := db.Peek([]byte(k))
		m.check(dbi, k, v, ok)
	case op < 70:
		_, want := m.live(dbi, k)
		if got := db.Delete([]byte(k)); got != want {
			t.Fatalf("Delete %q = %v, model %v", k, got, want)
		}
		delete(mod, k)
		m.noTTL(dbi, k)
	case op < 76:
		at := m.clk.ms + 1 + m.rng.Int64N(300)
		if m.rng.IntN(5) == 0 {
			at = 0
		}
		v, want := m.live(dbi, k)
		if got := db.SetExpire([]byte(k), at); got != want {
			t.Fatalf("SetExpire %q = %v, model %v", k, got, want)
		}
		if want {
			v.expireAt = at
			mod[k] = v
			m.noTTL(dbi, k)
		}
	case op < 79:
		v, ok := m.live(dbi, k)
		want := ok && v.expireAt != 0
		if got := db.Persist([]byte(k)); got != want {
			t.Fatalf("Persist %q = %v, model %v", k, got, want)
		}
		if want {
			v.expireAt = 0
			mod[k] = v
		}
	case op < 83:
		to := m.key()
		v, want := m.live(dbi, k)
		if got := db.Rename([]byte(k), []byte(to)); got != want {
			t.Fatalf("Rename %q %q = %v, model %v", k, to, got, want)
		}
		if want && k != to {
			if _, ok := mod[to]; ok {
				// The target's old value is replaced; an expired target is expired first.
				if old, live := m.live(dbi, to); !live && old.expireAt != 0 {
					_ = old
				}
			}
			delete(mod, k)
			m.noTTL(dbi, k)
			mod[to] = v
			if v.expireAt != 0 {
				m.noTTL(dbi, to)
			}
		}
	case op < 88:
		m.clk.ms += m.rng.Int64N(40)
	case op < 90:
		m.ks.ActiveExpireCycle(time.Second)
	case op < 92:
		if key, ok := db.RandomKey(); ok {
			if _, live := m.live(dbi, string(key)); !live {
				t.Fatalf("RandomKey %q not live", key)
			}
		} else if n := m.liveCount(dbi); n != 0 {
			t.Fatalf("RandomKey none, model has %d", n)
		}
	case op < 97:
		m.scanStep()
	case op < 98:
		if m.rng.IntN(20) == 0 {
			m.ks.Swap(0, 1)
			m.model[0], m.model[1] = m.model[1], m.model[0]
			m.scanning = false
		}
	case op < 99:
		if m.rng.IntN(10) == 0 { // delete most keys: the table shrinks
			for k := range mod {
				if m.rng.IntN(10) != 0 {
					_, want := m.live(dbi, k)
					if got := db.Delete([]byte(k)); got != want {
						t.Fatalf("Delete %q = %v, model %v", k, got, want)
					}
					delete(mod, k)
					m.noTTL(dbi, k)
				}
			}
		}
	default:
		if m.rng.IntN(50) == 0 {
			db.Flush()
			m.model[dbi] = map[string]modelVal{}
			if dbi == 0 {
				m.scanning = false
			}
		}
	}
	if m.rng.IntN(3) != 0 {
		m.ks.CommandDone() // sometimes not: released chunks then go to the collector
	}
	if verify {
		m.verify()
	}
}

func (m *modelRun) liveCount(dbi int) int {
	n := 0
	for k := range m.model[dbi] {
		if _, ok := m.live(dbi, k); ok {
			n++
		}
	}
	return n
}

func (m *modelRun) scanStep() {
	db := m.ks.DB(0)
	if !m.scanning {
		m.scanning, m.cursor = true, 0
		m.stable, m.seen = map[string]bool{}, map[string]bool{}
		for k, v := range m.model[0] {
			if v.expireAt == 0 {
				m.stable[k] = true
			}
		}
	}
	m.cursor = db.Scan(m.cursor, 1+m.rng.IntN(20), func(key []byte) {
		if _, ok := m.live(0, string(key)); !ok {
			m.t.Fatalf("Scan returned %q, not live", key)
		}
		m.seen[string(key)] = true
	})
	if m.cursor == 0 {
		for k := range m.stable {
			if !m.seen[k] {
				m.t.Fatalf("Scan missed %q, present for the whole scan", k)
			}
		}
		m.scanning = false
	}
}

func (m *modelRun) verify() {
	t := m.t
	t.Helper()
	for dbi := range 2 {
		db := m.ks.DB(dbi)
		if err := db.check(); err != nil {
			t.Fatalf("db %d: %v", dbi, err)
		}
		if db.Len() != len(m.model[dbi]) {
			t.Fatalf("db %d: Len %d, model %d", dbi, db.Len(), len(m.model[dbi]))
		}
		ttl := 0
		for _, v := range m.model[dbi] {
			if v.expireAt != 0 {
				ttl++
			}
		}
		if db.ExpiresLen() != ttl {
			t.Fatalf("db %d: ExpiresLen %d, model %d", dbi, db.ExpiresLen(), ttl)
		}
	}
}

// verifyAll compares every key of both DBs with the model through ForEach.
func (m *modelRun) verifyAll() {
	for dbi := range 2 {
		n := 0
		m.ks.DB(dbi).ForEach(func(key []byte, v Value) bool {
			m.check(dbi, string(key), v, true)
			n++
			return true
		})
		if want := m.liveCount(dbi); n != want {
			m.t.Fatalf("db %d: ForEach saw %d keys, model %d live", dbi, n, want)
		}
	}
}

func TestModel(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			nkeys := []int{20, 300, 3000, 20000, 300, 3000}[seed-1]
			m := newModelRun(t, seed, nkeys)
			steps := 20000
			every := max(1, nkeys/300) // check() walks everything
			for i := 0; i < steps; i++ {
				m.step(i%every == 0)
				if i%1000 == 0 {
					m.verifyAll()
				}
			}
			m.verifyAll()
		})
	}
}

// TestModelChurn overwrites keys with values of changing sizes and checks that compaction
// keeps the dead bytes bounded.
func TestModelChurn(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(0)
	val := make([]byte, 100)
	for round := 0; round < 20; round++ {
		for i := 0; i < 20000; i++ {
			db.SetString(fmt.Appendf(nil, "key:%06d", i), val[:10+(i+round)%90], 0, false)
			ks.CommandDone()
		}
		if err := db.check(); err != nil {
			t.Fatal(err)
		}
	}
	s := &db.s
	if s.dead > s.arena/4+int64(s.chunkCap) {
		t.Fatalf("dead %d of arena %d after churn", s.dead, s.arena)
	}
	if m := ks.MemoryStats(); m.ArenaCap+m.Spare > m.Entries*3/2+4*chunkSize {
		t.Fatalf("arena holds %d+%d bytes for %d live", m.ArenaCap, m.Spare, m.Entries)
	}
	for i := 0; i < 20000; i++ {
		k := fmt.Appendf(nil, "key:%06d", i)
		v, ok := db.Lookup(k)
		if !ok || !bytes.Equal(v.Str, val[:10+(i+19)%90]) {
			t.Fatalf("%s: %q", k, v.Str)
		}
	}
}

// FuzzModel runs the model test from a fuzzed seed and key-space size.
func FuzzModel(f *testing.F) {
	f.Add(uint64(1), uint16(30), uint8(0))
	f.Add(uint64(99), uint16(2000), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, nkeys uint16, knobs uint8) {
		m := newModelRun(t, seed, 1+int(nkeys)%5000)
		for i := range m.ks.dbs {
			s := &m.ks.dbs[i].s
			if knobs&1 != 0 {
				s.tagHomeBits = 5
			}
			if knobs&2 != 0 {
				s.growSync = 16
			}
		}
		for i := 0; i < 2000; i++ {
			m.step(true)
		}
		m.verifyAll()
		if err := m.ks.Check(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemoryStats(t *testing.T) {
	ks, _ := newTestKeyspace(t)
	db := ks.DB(2)
	for i := 0; i < 1000; i++ {
		db.SetString(fmt.Appendf(nil, "k%d", i), []byte("value"), 0, false)
	}
	db.SetObject([]byte("o"), &testObj{typ: TypeSet, size: 100})
	for i := 0; i < 500; i++ {
		db.Delete(fmt.Appendf(nil, "k%d", i))
	}
	m := ks.MemoryStats()
	if m.Used != ks.UsedMemory() || m.Keys != 501 || m.Dead <= 0 || m.ArenaCap < m.Entries+m.Dead || m.Objects != 100+objSlotOverhead {
		t.Fatalf("%+v (used %d)", m, ks.UsedMemory())
	}
	if err := ks.Check(); err != nil {
		t.Fatal(err)
	}
}
