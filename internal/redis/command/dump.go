package command

import (
	"errors"
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/persist/rdb"
)

// DUMP and RESTORE: a value serialized in Redis 7.0's RDB object format with a version and
// CRC-64 footer (persist/rdb), so payloads move between tandem and redis-server both ways
// (cluster.c).

// Error texts of DUMP/RESTORE.
const (
	errBusyKey        = "BUSYKEY Target key name already exists."
	errRestoreTTL     = "ERR Invalid TTL value, must be >= 0"
	errRestoreIdle    = "ERR Invalid IDLETIME value, must be >= 0"
	errRestoreFreq    = "ERR Invalid FREQ value, must be >= 0 and <= 255"
	errDumpPayload    = "ERR DUMP payload version or checksum are wrong"
	errBadDataFormat  = "ERR Bad data format"
	errRestoreNoTypes = "ERR Bad data format: streams and module values are not supported by tandem yet"
)

func registerDump(t *Table) {
	t.Add(
		&Spec{Name: "dump", Arity: 2, Flags: ReadOnly, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
			Since: "2.6.0", Summary: "Serialize a key's value in the RDB format RESTORE reads",
			Complexity: "O(1) to find the key, O(N*M) to serialize N elements of average size M",
			ACL:        []string{"keyspace", "read", "slow"}, Handler: dumpCommand},
		&Spec{Name: "restore", Arity: -4, Flags: Write | DenyOOM, FirstKey: 1, LastKey: 1, Step: 1, Group: "generic",
			Since: "2.6.0", Summary: "Create a key from a value serialized by DUMP",
			Complexity: "O(N*M) to rebuild N elements of average size M (times log(N) for sorted sets)",
			ACL:        []string{"keyspace", "write", "slow", "dangerous"}, Handler: restoreCommand},
	)
}

// rdbConfig is the codec configuration for the thresholds in force.
func rdbConfig(c *Ctx) rdb.Config {
	cfg := rdb.DefaultConfig()
	coll, sorted := collections(c), sortedConfig(c)
	cfg.Hash, cfg.List, cfg.Set, cfg.ZSet = coll.Hash, coll.List, coll.Set, sorted.ZSet
	if c.Set != nil {
		cfg.Compress = !c.Set.NoCompression
	}
	return cfg
}

func dumpCommand(c *Ctx) {
	v, ok := c.DB.Lookup(c.Args[1])
	if !ok {
		c.W.Null()
		return
	}
	p, err := rdb.Payload(v, rdbConfig(c))
	if err != nil {
		c.Error(errRestoreNoTypes)
		return
	}
	c.W.Bulk(p)
}

// restoreOptions are RESTORE's optional arguments.
type restoreOptions struct {
	replace, absTTL bool
	idle, freq      int64 // -1 when not given
}

func parseRestoreOptions(c *Ctx) (restoreOptions, bool) {
	o := restoreOptions{idle: -1, freq: -1}
	for j := 4; j < len(c.Args); j++ {
		more := len(c.Args) - j - 1
		switch arg := c.Args[j]; {
		case argIs(arg, "replace"):
			o.replace = true
		case argIs(arg, "absttl"):
			o.absTTL = true
		case argIs(arg, "idletime") && more >= 1 && o.freq == -1:
			n, ok := ParseInt(c.Args[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return o, false
			}
			if n < 0 {
				c.Error(errRestoreIdle)
				return o, false
			}
			o.idle = n
			j++
		case argIs(arg, "freq") && more >= 1 && o.idle == -1:
			n, ok := ParseInt(c.Args[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return o, false
			}
			if n < 0 || n > 255 {
				c.Error(errRestoreFreq)
				return o, false
			}
			o.freq = n
			j++
		default:
			c.Error(ErrSyntax)
			return o, false
		}
	}
	return o, true
}

// restoreCommand checks in Redis' order: options, an existing key, the TTL, the payload's
// footer, then its contents. The payload is always validated in full, whatever
// sanitize-dump-payload says: tandem never trusts a payload's structure.
func restoreCommand(c *Ctx) {
	key := c.Args[1]
	o, ok := parseRestoreOptions(c)
	if !ok {
		return
	}
	if _, exists := c.DB.Peek(key); exists && !o.replace {
		c.Error(errBusyKey)
		return
	}
	ttl, ok := ParseInt(c.Args[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if ttl < 0 {
		c.Error(errRestoreTTL)
		return
	}
	v, err := rdb.LoadPayload(c.Args[3], rdbConfig(c))
	switch {
	case errors.Is(err, rdb.ErrPayload):
		c.Error(errDumpPayload)
		return
	case errors.Is(err, rdb.ErrNotSupported):
		c.Error(errRestoreNoTypes)
		return
	case err != nil:
		c.Error(errBadDataFormat)
		return
	}
	deleted := o.replace && c.DB.Delete(key)
	if ttl != 0 && !o.absTTL {
		ttl += c.Now
	}
	if ttl != 0 && ttl <= c.Now {
		// Already expired: the key is not created; a replaced one is deleted.
		if deleted {
			c.Propagate([]byte("DEL"), key)
			c.Modified(key)
			c.Notify('g', "del", key)
			c.Dirty(1)
		}
		c.W.OK()
		return
	}
	if v.Obj == nil {
		c.DB.SetString(key, v.Str, ttl, false)
	} else {
		c.DB.SetObject(key, v.Obj)
		if ttl != 0 {
			c.DB.SetExpire(key, ttl)
		}
	}
	if ttl != 0 && !o.absTTL {
		// Propagate the TTL as an absolute time, so replicas and the AOF expire the key at
		// the same moment.
		args := append([][]byte(nil), c.Args...)
		args[2] = strconv.AppendInt(nil, ttl, 10)
		c.Propagate(append(args, []byte("ABSTTL"))...)
	}
	c.DB.SetAccess(key, int(o.freq), o.idle)
	c.Modified(key)
	c.Notify('g', "restore", key)
	c.Dirty(1)
	c.W.OK()
}
