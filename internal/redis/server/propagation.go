package server

import (
	"strconv"

	"github.com/tandem-db/tandem/internal/redis/resp"
)

// propagation is the single ordered stream of effects that the AOF and
// replicas consume: every write command's propagated form, preceded by a
// SELECT when the database changes, encoded as RESP multibulk. Consumers
// register with subscribe; the offset counts every byte appended while a
// consumer exists (master_repl_offset). Guarded by Server.mu.
type propagation struct {
	offset    int64
	lastDB    int
	consumers []func(b []byte)
	w         resp.Writer
}

func (p *propagation) subscribe(fn func(b []byte)) {
	p.consumers = append(p.consumers, fn)
	// The new consumer does not know the stream's database: the next
	// write starts with a SELECT (Redis resets slaveseldb the same way).
	p.lastDB = -1
}

func (p *propagation) append(db int, args [][]byte) {
	if len(p.consumers) == 0 {
		// Like Redis without a replication backlog: nothing to feed, and
		// the offset only counts what consumers could see.
		return
	}
	p.w.Reset()
	if db != p.lastDB {
		p.w.Array(2)
		p.w.BulkString("SELECT")
		p.w.BulkString(strconv.Itoa(db))
		p.lastDB = db
	}
	p.w.Array(len(args))
	for _, a := range args {
		p.w.Bulk(a)
	}
	p.offset += int64(len(p.w.Buf))
	for _, fn := range p.consumers {
		fn(p.w.Buf)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
