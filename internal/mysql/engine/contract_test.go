package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// harness opens an engine; reopen (nil when the engine is not durable)
// closes it and opens it again on the same data.
type harness struct {
	open   func(t *testing.T) engine.Engine
	reopen func(t *testing.T, e engine.Engine) engine.Engine
}

func innodbHarness(fs vfs.FS, dir string, pageSize int) harness {
	opts := engine.Options{Dir: dir, FS: fs, BufferPoolSize: 32 * int64(max(pageSize, 16384)), PageSize: pageSize}
	return harness{
		open: func(t *testing.T) engine.Engine {
			e, err := engine.Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			return e
		},
		reopen: func(t *testing.T, e engine.Engine) engine.Engine {
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			e, err := engine.Open(opts)
			if err != nil {
				t.Fatal(err)
			}
			return e
		},
	}
}

func TestContract(t *testing.T) {
	t.Run("innodb-mem", func(t *testing.T) { runContract(t, innodbHarness(vfs.NewMem(), "/data", 0)) })
	t.Run("innodb-mem-32k", func(t *testing.T) { runContract(t, innodbHarness(vfs.NewMem(), "/data", 32<<10)) })
	t.Run("innodb-mem-64k", func(t *testing.T) { runContract(t, innodbHarness(vfs.NewMem(), "/data", 64<<10)) })
	t.Run("innodb-os", func(t *testing.T) { runContract(t, innodbHarness(vfs.Default, t.TempDir(), 0)) })
	t.Run("memory", func(t *testing.T) {
		runContract(t, harness{open: func(*testing.T) engine.Engine { return memory.New() }})
	})
}

func k(i int) []byte { return []byte(fmt.Sprintf("key%05d", i)) }

func mustBegin(t *testing.T, e engine.Engine) engine.Txn {
	t.Helper()
	tx, err := e.Begin(context.Background(), engine.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func scanKeys(t *testing.T, tx engine.Txn, id engine.TableID, index int, lo, hi engine.Bound, desc bool) []string {
	t.Helper()
	c, err := tx.Scan(id, index, lo, hi, desc, engine.LockNone)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []string
	for c.Next() {
		out = append(out, string(c.Key())+"="+string(c.Value()))
	}
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func runContract(t *testing.T, h harness) {
	e := h.open(t)
	defer func() { e.Close() }()
	if err := e.CreateSchema("db"); err != nil {
		t.Fatal(err)
	}
	info, err := e.CreateTable(engine.TableSpec{Schema: "db", Name: "t", Meta: []byte("meta1"),
		Indexes: []engine.IndexSpec{{Name: "PRIMARY", Unique: true}, {Name: "k"}}})
	if err != nil {
		t.Fatal(err)
	}
	if info.AutoIncrement != 1 {
		t.Fatalf("new table AUTO_INCREMENT = %d", info.AutoIncrement)
	}
	if _, err := e.CreateTable(engine.TableSpec{Schema: "db", Name: "t"}); !errors.Is(err, engine.ErrTableExists) {
		t.Fatalf("second create: %v", err)
	}
	id := info.ID

	tx := mustBegin(t, e)
	for i := 0; i < 200; i++ {
		if err := tx.Insert(id, 0, k(i), []byte(fmt.Sprint("v", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Insert(id, 0, k(5), []byte("dup")); !errors.Is(err, engine.ErrDuplicateKey) {
		t.Fatalf("duplicate insert: %v", err)
	}
	if err := tx.Update(id, 0, k(999), []byte("x")); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if err := tx.Delete(id, 0, k(999)); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, engine.ErrTxnDone) {
		t.Fatalf("second commit: %v", err)
	}

	tx = mustBegin(t, e)
	v, ok, err := tx.Get(id, 0, k(7), engine.LockNone)
	if err != nil || !ok || string(v) != "v7" {
		t.Fatalf("get: %q %v %v", v, ok, err)
	}
	if _, ok, _ := tx.Get(id, 0, k(1000), engine.LockNone); ok {
		t.Fatal("get of a missing key found it")
	}
	got := scanKeys(t, tx, id, 0, engine.Bound{Key: k(10), Inclusive: true}, engine.Bound{Key: k(13)}, false)
	if fmt.Sprint(got) != "[key00010=v10 key00011=v11 key00012=v12]" {
		t.Fatalf("asc scan: %v", got)
	}
	got = scanKeys(t, tx, id, 0, engine.Bound{Key: k(10)}, engine.Bound{Key: k(13), Inclusive: true}, true)
	if fmt.Sprint(got) != "[key00013=v13 key00012=v12 key00011=v11]" {
		t.Fatalf("desc scan: %v", got)
	}
	if n := len(scanKeys(t, tx, id, 0, engine.Bound{}, engine.Bound{}, false)); n != 200 {
		t.Fatalf("full scan: %d rows", n)
	}
	// Savepoints: changes after the savepoint go, earlier ones stay.
	if err := tx.Update(id, 0, k(1), []byte("one")); err != nil {
		t.Fatal(err)
	}
	sp := tx.Savepoint()
	if err := tx.Update(id, 0, k(2), []byte("two")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Delete(id, 0, k(3)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Insert(id, 0, k(500), []byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Insert(id, 1, []byte("idx1"), nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.RollbackTo(sp); err != nil {
		t.Fatal(err)
	}
	check := func(tx engine.Txn, key []byte, want string) {
		t.Helper()
		v, ok, err := tx.Get(id, 0, key, engine.LockNone)
		if err != nil {
			t.Fatal(err)
		}
		if want == "" && ok {
			t.Fatalf("%s: found %q, want absent", key, v)
		}
		if want != "" && string(v) != want {
			t.Fatalf("%s: %q (found %v), want %q", key, v, ok, want)
		}
	}
	check(tx, k(1), "one")
	check(tx, k(2), "v2")
	check(tx, k(3), "v3")
	check(tx, k(500), "")
	if got := scanKeys(t, tx, id, 1, engine.Bound{}, engine.Bound{}, false); len(got) != 0 {
		t.Fatalf("secondary index after rollback to savepoint: %v", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Rollback of a whole transaction, including a large value.
	big := bytes.Repeat([]byte("B"), 100000)
	tx = mustBegin(t, e)
	if err := tx.Update(id, 0, k(4), big); err != nil {
		t.Fatal(err)
	}
	v, _, _ = tx.Get(id, 0, k(4), engine.LockNone)
	if !bytes.Equal(v, big) {
		t.Fatalf("large value read back %d bytes", len(v))
	}
	if err := tx.Delete(id, 0, k(6)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, e)
	check(tx, k(4), "v4")
	check(tx, k(6), "v6")
	if err := tx.Update(id, 0, k(8), big); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Counters.
	if v, err := e.AutoIncrement(id, 5); err != nil || v != 1 {
		t.Fatalf("AutoIncrement: %d %v", v, err)
	}
	if err := e.BumpAutoIncrement(id, 100); err != nil {
		t.Fatal(err)
	}
	if v, _ := e.AutoIncrement(id, 1); v != 100 {
		t.Fatalf("after bump: %d", v)
	}
	if r, _ := e.NextRowID(id); r != 1 {
		t.Fatalf("first row id %d", r)
	}
	if err := e.AlterTableMeta(id, []byte("meta2")); err != nil {
		t.Fatal(err)
	}

	if h.reopen != nil {
		e = h.reopen(t, e)
		info, ok := e.Table("db", "t")
		if !ok || info.ID != id || string(info.Meta) != "meta2" || len(info.Indexes) != 2 || info.AutoIncrement != 101 {
			t.Fatalf("after reopen: %+v %v", info, ok)
		}
		if r, _ := e.NextRowID(id); r <= 1 {
			t.Fatalf("row id after reopen %d", r)
		}
		tx = mustBegin(t, e)
		check(tx, k(1), "one")
		check(tx, k(2), "v2")
		check(tx, k(500), "")
		v, _, _ := tx.Get(id, 0, k(8), engine.LockNone)
		if !bytes.Equal(v, big) {
			t.Fatalf("large value after reopen: %d bytes", len(v))
		}
		if n := len(scanKeys(t, tx, id, 0, engine.Bound{}, engine.Bound{}, true)); n != 200 {
			t.Fatalf("rows after reopen: %d", n)
		}
		tx.Commit()
	}

	// AddIndex / DropIndex.
	n, err := e.AddIndex(id, engine.IndexSpec{Name: "v"}, []byte("meta3"), func(tx engine.Txn, n int) error {
		return tx.Insert(id, n, []byte("v1|key00001"), nil)
	})
	if err != nil || n != 2 {
		t.Fatalf("AddIndex: %d %v", n, err)
	}
	tx = mustBegin(t, e)
	if got := scanKeys(t, tx, id, 2, engine.Bound{}, engine.Bound{}, false); len(got) != 1 {
		t.Fatalf("new index: %v", got)
	}
	tx.Commit()
	if err := e.DropIndex(id, 1, []byte("meta4")); err != nil {
		t.Fatal(err)
	}
	if info, _ := e.Table("db", "t"); len(info.Indexes) != 2 || info.Indexes[1].Name != "v" {
		t.Fatalf("after DropIndex: %+v", info.Indexes)
	}

	// TRUNCATE empties and resets AUTO_INCREMENT; DROP removes.
	if err := e.TruncateTable(id); err != nil {
		t.Fatal(err)
	}
	tx = mustBegin(t, e)
	if got := scanKeys(t, tx, id, 0, engine.Bound{}, engine.Bound{}, false); len(got) != 0 {
		t.Fatalf("after truncate: %d rows", len(got))
	}
	if err := tx.Insert(id, 0, k(1), []byte("again")); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	if info, _ := e.Table("db", "t"); info.AutoIncrement != 1 {
		t.Fatalf("AUTO_INCREMENT after truncate: %d", info.AutoIncrement)
	}
	if h.reopen != nil {
		e = h.reopen(t, e)
		tx = mustBegin(t, e)
		check(tx, k(1), "again")
		tx.Commit()
	}
	if err := e.DropTable(id); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Table("db", "t"); ok {
		t.Fatal("table still there after drop")
	}
	tx = mustBegin(t, e)
	if _, _, err := tx.Get(id, 0, k(1), engine.LockNone); !errors.Is(err, engine.ErrNoSuchTable) {
		t.Fatalf("get on dropped table: %v", err)
	}
	tx.Rollback()
	if h.reopen != nil {
		e = h.reopen(t, e)
		if len(e.Tables()) != 0 {
			t.Fatalf("tables after drop and reopen: %v", e.Tables())
		}
	}
	if err := e.DropSchema("db"); err != nil {
		t.Fatal(err)
	}
	if len(e.Schemas()) != 0 {
		t.Fatalf("schemas: %v", e.Schemas())
	}
}
