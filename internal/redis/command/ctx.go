package command

import (
	"math"
	"strconv"
	"time"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
	"github.com/tandem-db/tandem/internal/redis/resp"
)

// Hooks is what the server provides to handlers for effects beyond the
// keyspace. All calls happen under the server's execution lock.
type Hooks interface {
	// KeyModified invalidates WATCH, re-accounts memory and marks blocked
	// clients waiting on the key as ready.
	KeyModified(db int, key []byte)
	// Notify sends a keyspace/keyevent notification if enabled.
	Notify(db int, class byte, event string, key []byte)
	// Block parks the client until a key is ready or the timeout passes.
	Block(c *Ctx, keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer))
}

// Settings are the configuration values data handlers read.
type Settings struct {
	ProtoMaxBulkLen int64
	MaxMemory       int64 // maxmemory; 0 = no limit
	NoCompression   bool  // rdbcompression no: DUMP payloads carry strings uncompressed
	Collections     CollectionConfig
	Sorted          SortedConfig
}

// DefaultSettings are Redis 7.0's defaults.
func DefaultSettings() Settings {
	return Settings{
		ProtoMaxBulkLen: 512 << 20,
		Collections:     DefaultCollectionConfig(),
		Sorted:          DefaultSortedConfig(),
	}
}

// Ctx is one command's execution context. The server reuses one per client.
type Ctx struct {
	Args   [][]byte
	Spec   *Spec
	DB     *keyspace.DB
	KS     *keyspace.Keyspace
	W      *resp.Writer
	Now    int64 // unix milliseconds, fixed for the command (and a whole EXEC)
	Set    *Settings
	Hooks  Hooks
	Client any // the server's client, for the server's own families

	InMulti   bool // running inside EXEC: blocking commands do not block
	Unblocked bool // re-run of a blocked command after one of its keys became ready
	// ReadyKey, on such a re-run, is the key that became ready: Redis 7.0
	// serves a client blocked on several keys from that key only.
	ReadyKey []byte

	dirty     int
	propagate [][]byte
	noProp    bool
	blocked   bool
}

// Reset prepares the context for the next command.
func (c *Ctx) Reset(args [][]byte, spec *Spec) {
	c.Args = args
	c.Spec = spec
	c.dirty = 0
	c.propagate = c.propagate[:0]
	c.noProp = false
	c.blocked = false
	c.Unblocked = false
	c.ReadyKey = nil
}

// Modified reports that key of the current database was written.
func (c *Ctx) Modified(key []byte) {
	c.DB.Modified(key)
	c.Hooks.KeyModified(c.DB.Index(), key)
}

// Notify sends a keyspace notification for key in the current database.
func (c *Ctx) Notify(class byte, event string, key []byte) {
	c.Hooks.Notify(c.DB.Index(), class, event, key)
}

// Dirty counts n changes to the dataset (save points, INFO, propagation).
func (c *Ctx) Dirty(n int) { c.dirty += n }

// DirtyCount is the number of changes the command made.
func (c *Ctx) DirtyCount() int { return c.dirty }

// Propagate replaces what the command propagates to the AOF and replicas.
// Calling it with no arguments propagates nothing.
func (c *Ctx) Propagate(args ...[]byte) {
	if len(args) == 0 {
		c.noProp = true
		return
	}
	c.propagate = append(c.propagate[:0], args...)
}

// Propagated returns the command's effect to propagate, or nil for none:
// the command as sent when it changed data and did not say otherwise.
func (c *Ctx) Propagated() [][]byte {
	if c.noProp || c.dirty == 0 {
		return nil
	}
	if len(c.propagate) > 0 {
		return c.propagate
	}
	return c.Args
}

// Block parks the client (see Hooks.Block). Inside MULTI the handler must
// reply as on timeout instead; Block then calls onTimeout at once.
func (c *Ctx) Block(keys [][]byte, timeout time.Duration, onTimeout func(w *resp.Writer)) {
	if c.InMulti {
		onTimeout(c.W)
		return
	}
	c.blocked = true
	c.Hooks.Block(c, keys, timeout, onTimeout)
}

// Blocked reports whether the handler parked the client.
func (c *Ctx) Blocked() bool { return c.blocked }

// Error writes an error reply.
func (c *Ctx) Error(msg string) { c.W.Error(msg) }

// Lookup returns key's value in the current database; ok is false if the
// key is absent. wrongType is set (and the WRONGTYPE error written) when the
// key holds another type than want.
func (c *Ctx) Lookup(key []byte, want keyspace.Type) (v keyspace.Value, ok bool, wrongType bool) {
	v, ok = c.DB.Lookup(key)
	if ok && v.Type != want {
		c.W.Error(ErrWrongType)
		return v, false, true
	}
	return v, ok, false
}

// LookupRead is Lookup for a write command that reads key the way Redis'
// lookupKeyRead does (GETDEL, SET ... GET, the sources of SUNIONSTORE...):
// the lookup counts in keyspace_hits/misses and a miss publishes keymiss. A
// read-only command needs nothing: the server makes all its lookups reads.
func (c *Ctx) LookupRead(key []byte, want keyspace.Type) (v keyspace.Value, ok bool, wrongType bool) {
	prev := c.KS.SetReadMode(keyspace.Reads)
	v, ok, wrongType = c.Lookup(key, want)
	c.KS.SetReadMode(prev)
	return v, ok, wrongType
}

// BeginReads makes the lookups that follow reads, as LookupRead, until
// EndReads(prev) restores the mode it returned: for a write command whose
// helper looks up several source keys.
func (c *Ctx) BeginReads() (prev keyspace.ReadMode) { return c.KS.SetReadMode(keyspace.Reads) }

// EndReads ends what BeginReads began.
func (c *Ctx) EndReads(prev keyspace.ReadMode) { c.KS.SetReadMode(prev) }

// ParseInt parses an integer argument as Redis' string2ll does.
func ParseInt(b []byte) (int64, bool) { return resp.ParseInt(b) }

// ParseFloat parses a float argument as Redis' string2ld/strtold do: no
// spaces, "inf"/"-inf" allowed, NaN refused.
func ParseFloat(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 5000 {
		return 0, false
	}
	// Integer scores and increments are the common case: a canonical
	// integer below 2^53 is exactly the double strtold gives.
	if v, ok := resp.ParseInt(b); ok && v > -1<<53 && v < 1<<53 {
		return float64(v), true
	}
	if b[0] == ' ' || b[len(b)-1] == ' ' || b[0] == '\t' || b[len(b)-1] == '\t' {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			// strtold accepts overflow to inf only for long double ranges;
			// Redis refuses values that overflow a double.
			return 0, false
		}
		return 0, false
	}
	if math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// Timeout parses a blocking command's timeout in seconds (fractions
// allowed) as Redis 7.0 does. ok false means the error was written.
func (c *Ctx) Timeout(arg []byte) (time.Duration, bool) {
	f, ok := ParseFloat(arg)
	if !ok || math.IsInf(f, 0) {
		c.W.Error(ErrTimeoutNotNum)
		return 0, false
	}
	if f < 0 {
		c.W.Error(ErrTimeoutNeg)
		return 0, false
	}
	ms := f * 1000
	if ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		c.W.Error(ErrTimeoutNotNum)
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}
