package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// TestDifferentialAgainstMemory runs one random sequence of transactions
// (inserts, updates, deletes, savepoints, partial and full rollbacks, large
// values, scans both ways) on the InnoDB-like engine and on the in-memory
// one, and requires identical results; the InnoDB-like engine is closed and
// reopened along the way.
func TestDifferentialAgainstMemory(t *testing.T) {
	opts := engine.Options{Dir: "/diff", FS: vfs.NewMem(), BufferPoolSize: 40 * 16384}
	inno, err := engine.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { inno.Close() }()
	mem := memory.New()
	engines := func() []engine.Engine { return []engine.Engine{inno, mem} }
	var ids []engine.TableID
	for _, e := range engines() {
		info, err := e.CreateTable(engine.TableSpec{Schema: "s", Name: "t", Indexes: []engine.IndexSpec{{Name: "PRIMARY"}, {Name: "i"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
	}
	rng := rand.New(rand.NewPCG(42, 42))
	errText := func(err error) string {
		for _, k := range []error{engine.ErrDuplicateKey, engine.ErrNotFound} {
			if errors.Is(err, k) {
				return k.Error()
			}
		}
		if err != nil {
			return "other: " + err.Error()
		}
		return "ok"
	}
	val := func() []byte {
		if rng.IntN(15) == 0 {
			return bytes.Repeat([]byte{byte('A' + rng.IntN(26))}, 9000+rng.IntN(60000))
		}
		return []byte(fmt.Sprintf("v%d", rng.IntN(1000000)))
	}
	dump := func(e engine.Engine, id engine.TableID, index int, desc bool) string {
		tx, _ := e.Begin(context.Background(), engine.TxnOptions{})
		defer tx.Rollback()
		c, err := tx.Scan(id, index, engine.Bound{}, engine.Bound{}, desc, engine.LockNone)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		var b bytes.Buffer
		for c.Next() {
			fmt.Fprintf(&b, "%s=%x;", c.Key(), bytes.TrimRight(c.Value(), "\x00")[:min(len(c.Value()), 32)])
			fmt.Fprintf(&b, "%d|", len(c.Value()))
		}
		return b.String()
	}
	for round := 0; round < 60; round++ {
		txs := make([]engine.Txn, 2)
		for i, e := range engines() {
			txs[i], _ = e.Begin(context.Background(), engine.TxnOptions{})
		}
		var sps []engine.Savepoint
		var spsMem []engine.Savepoint
		for op := 0; op < 25; op++ {
			key := []byte(fmt.Sprintf("k%03d", rng.IntN(150)))
			v := val()
			kind := rng.IntN(10)
			idx := 0
			if rng.IntN(5) == 0 {
				idx = 1
			}
			var res [2]string
			for i := range txs {
				var err error
				switch {
				case kind < 4:
					err = txs[i].Insert(ids[i], idx, key, v)
				case kind < 6:
					err = txs[i].Update(ids[i], idx, key, v)
				case kind < 8:
					err = txs[i].Delete(ids[i], idx, key)
				case kind == 8:
					sp := txs[i].Savepoint()
					if i == 0 {
						sps = append(sps, sp)
					} else {
						spsMem = append(spsMem, sp)
					}
				default:
					if len(sps) > 0 {
						j := len(sps) - 1
						if i == 0 {
							err = txs[i].RollbackTo(sps[j])
						} else {
							err = txs[i].RollbackTo(spsMem[j])
							sps, spsMem = sps[:j], spsMem[:j]
						}
					}
				}
				res[i] = errText(err)
			}
			if res[0] != res[1] {
				t.Fatalf("round %d op %d (%d on %s): innodb %s, memory %s", round, op, kind, key, res[0], res[1])
			}
		}
		commit := rng.IntN(3) != 0
		for _, tx := range txs {
			var err error
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, desc := range []bool{false, true} {
			for index := 0; index < 2; index++ {
				if a, b := dump(inno, ids[0], index, desc), dump(mem, ids[1], index, desc); a != b {
					t.Fatalf("round %d: index %d desc=%v differs:\ninnodb %.300s\nmemory %.300s", round, index, desc, a, b)
				}
			}
		}
		if round%20 == 19 {
			if err := inno.Close(); err != nil {
				t.Fatal(err)
			}
			if inno, err = engine.Open(opts); err != nil {
				t.Fatal(err)
			}
			if err := engine.Check(inno, engine.CheckOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
