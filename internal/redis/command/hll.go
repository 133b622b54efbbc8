package command

import (
	"fmt"
	"math"
	"strings"

	"github.com/tandem-db/tandem/internal/redis/ds/hll"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// The HyperLogLog family (hyperloglog.c): PFADD, PFCOUNT, PFMERGE and the
// PFDEBUG/PFSELFTEST tools. A HyperLogLog is a string value holding Redis'
// own representation (see ds/hll), so GET, SET, DUMP and replication carry
// it unchanged.

func registerHLL(t *Table) {
	h := func(s *Spec) *Spec {
		s.Group = "hyperloglog"
		if s.FirstKey == 0 {
			s.FirstKey, s.LastKey, s.Step = 1, 1, 1
		}
		return s
	}
	t.Add(
		h(&Spec{Name: "pfadd", Arity: -2, Flags: Write | DenyOOM | Fast, Since: "2.8.9",
			Summary: "Add elements to a HyperLogLog", Complexity: "O(1) to add every element.",
			ACL: []string{"write", "hyperloglog", "fast"}, Handler: pfaddCommand}),
		h(&Spec{Name: "pfcount", Arity: -2, Flags: ReadOnly | MayReplicate, LastKey: -1, Since: "2.8.9",
			Summary:    "Return the approximated cardinality of the union of HyperLogLogs",
			Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
			ACL:        []string{"read", "hyperloglog", "slow"}, Handler: pfcountCommand}),
		h(&Spec{Name: "pfmerge", Arity: -2, Flags: Write | DenyOOM, LastKey: -1, Since: "2.8.9",
			Summary: "Merge HyperLogLogs into one", Complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
			ACL: []string{"write", "hyperloglog", "slow"}, Handler: pfmergeCommand}),
		h(&Spec{Name: "pfdebug", Arity: 3, Flags: Write | DenyOOM | Admin, FirstKey: 2, LastKey: 2, Step: 1, Since: "2.8.9",
			Summary: "Internal commands for debugging HyperLogLog values", Complexity: "N/A",
			ACL: []string{"write", "hyperloglog", "admin", "slow", "dangerous"}, Handler: pfdebugCommand}),
		h(&Spec{Name: "pfselftest", Arity: 1, Flags: Admin, FirstKey: -1, Since: "2.8.9",
			Summary: "An internal command for testing HyperLogLog values", Complexity: "N/A",
			ACL: []string{"hyperloglog", "admin", "slow", "dangerous"}, Handler: pfselftestCommand}),
	)
}

// lookupHLL returns a copy of key's HyperLogLog bytes (the caller may
// change them); ok false means absent; bad true means an error was written.
func lookupHLL(c *Ctx, key []byte) (b []byte, ok, bad bool) {
	v, ok, wrong := c.Lookup(key, keyspace.TypeString)
	if wrong {
		return nil, false, true
	}
	if !ok {
		return nil, false, false
	}
	if !hll.Valid(v.Str) {
		c.Error(errHLLWrongType)
		return nil, false, true
	}
	return append([]byte(nil), v.Str...), true, false
}

// storeHLL writes b back to key, keeping its TTL and the raw encoding.
func storeHLL(c *Ctx, key, b []byte) {
	c.DB.SetStringRaw(key, b, 0, true)
	c.Modified(key)
}

func pfaddCommand(c *Ctx) {
	key := c.Args[1]
	b, ok, bad := lookupHLL(c, key)
	if bad {
		return
	}
	updated := 0
	if !ok {
		b = hll.New()
		updated++
	}
	cfg := sortedConfig(c).HLL
	for _, e := range c.Args[2:] {
		var changed bool
		var err error
		b, changed, err = hll.Add(b, e, cfg)
		if err != nil {
			c.Error(errHLLCorrupt)
			return
		}
		if changed {
			updated++
		}
	}
	if updated > 0 {
		hll.Invalidate(b)
		storeHLL(c, key, b)
		c.Notify('$', "pfadd", key)
		c.Dirty(updated)
		c.W.Int(1)
		return
	}
	c.W.Int(0)
}

func pfcountCommand(c *Ctx) {
	if len(c.Args) > 2 {
		var regs [hll.Registers]uint8
		for _, key := range c.Args[1:] {
			b, ok, bad := lookupHLL(c, key)
			if bad {
				return
			}
			if !ok {
				continue
			}
			if err := hll.Merge(&regs, b); err != nil {
				c.Error(errHLLCorrupt)
				return
			}
		}
		c.W.Int(int64(hll.CountRegisters(&regs)))
		return
	}
	key := c.Args[1]
	b, ok, bad := lookupHLL(c, key)
	if bad {
		return
	}
	if !ok {
		c.W.Int(0)
		return
	}
	if card, valid := hll.Cached(b); valid {
		c.W.Int(int64(card))
		return
	}
	card, err := hll.Count(b)
	if err != nil {
		c.Error(errHLLCorrupt)
		return
	}
	hll.SetCached(b, card)
	storeHLL(c, key, b)
	c.Dirty(1)
	c.W.Int(int64(card))
}

func pfmergeCommand(c *Ctx) {
	var regs [hll.Registers]uint8
	dense := false
	// Redis reads every key, the destination first, before writing it.
	prev := c.BeginReads()
	for _, key := range c.Args[1:] {
		b, ok, bad := lookupHLL(c, key)
		if bad {
			c.EndReads(prev)
			return
		}
		if !ok {
			continue
		}
		if !hll.IsSparse(b) {
			dense = true
		}
		if err := hll.Merge(&regs, b); err != nil {
			c.EndReads(prev)
			c.Error(errHLLCorrupt)
			return
		}
	}
	c.EndReads(prev)
	dst := c.Args[1]
	b, ok, _ := lookupHLL(c, dst) // already checked above
	if !ok {
		b = hll.New()
	}
	var err error
	if dense {
		if b, err = hll.ToDense(b); err != nil {
			c.Error(errHLLCorrupt)
			return
		}
	}
	cfg := sortedConfig(c).HLL
	for i, v := range regs {
		if v == 0 {
			continue
		}
		if b, _, err = hll.Set(b, i, v, cfg); err != nil {
			c.Error(errHLLCorrupt)
			return
		}
	}
	hll.Invalidate(b)
	storeHLL(c, dst, b)
	c.Notify('$', "pfadd", dst)
	c.Dirty(1)
	c.W.OK()
}

func pfdebugCommand(c *Ctx) {
	sub := strings.ToLower(string(c.Args[1]))
	key := c.Args[2]
	b, ok, bad := lookupHLL(c, key)
	if bad {
		return
	}
	if !ok {
		c.Error("ERR The specified key does not exist")
		return
	}
	switch sub {
	case "getreg":
		if hll.IsSparse(b) {
			d, err := hll.ToDense(b)
			if err != nil {
				c.Error(errHLLCorrupt)
				return
			}
			b = d
			storeHLL(c, key, b)
			c.Dirty(1)
		}
		regs, _ := hll.RegistersOf(b)
		c.W.Array(len(regs))
		for _, r := range regs {
			c.W.Int(int64(r))
		}
	case "decode":
		if !hll.IsSparse(b) {
			c.Error("ERR HLL encoding is not sparse")
			return
		}
		c.W.BulkString(hll.Decode(b))
	case "encoding":
		if hll.IsSparse(b) {
			c.W.SimpleString("sparse")
		} else {
			c.W.SimpleString("dense")
		}
	case "todense":
		if !hll.IsSparse(b) {
			c.W.Int(0)
			return
		}
		d, err := hll.ToDense(b)
		if err != nil {
			c.Error(errHLLCorrupt)
			return
		}
		storeHLL(c, key, d)
		c.Dirty(1)
		c.W.Int(1)
	default:
		c.Error(fmt.Sprintf("ERR Unknown PFDEBUG subcommand '%s'", c.Args[1]))
	}
}

// pfselftestCommand checks that the sparse and dense encodings hold the
// same registers and give the same estimate while elements are added, and
// that the estimate stays within 5 standard errors of the true count.
func pfselftestCommand(c *Ctx) {
	cfg := hll.Config{SparseMaxBytes: math.MaxInt}
	sparse := hll.New()
	dense, _ := hll.ToDense(hll.New())
	relErr := 1.04 / math.Sqrt(hll.Registers)
	var elem [8]byte
	for i := 1; i <= 20000; i++ {
		for j := range elem {
			elem[j] = byte(uint64(i) >> (8 * j))
		}
		var err error
		if sparse, _, err = hll.Add(sparse, elem[:], cfg); err != nil {
			c.Error("ERR TESTFAILED sparse add: " + err.Error())
			return
		}
		dense, _, _ = hll.Add(dense, elem[:], cfg)
		if i%1000 != 0 {
			continue
		}
		a, errA := hll.Count(sparse)
		b, errB := hll.Count(dense)
		if errA != nil || errB != nil || a != b {
			c.Error(fmt.Sprintf("ERR TESTFAILED sparse/dense count mismatch at %d: %d vs %d", i, a, b))
			return
		}
		if math.Abs(float64(b)-float64(i)) > 5*relErr*float64(i) {
			c.Error(fmt.Sprintf("ERR TESTFAILED too big error. card:%d abserr:%f", i, math.Abs(float64(b)-float64(i))))
			return
		}
	}
	c.W.OK()
}
