package sql

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/engine/inspect"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// TestCheckTableFindsOrphanEntry removes a row from the clustered index
// behind the SQL layer's back: CHECK TABLE then reports the secondary entry
// that points at no row, and so does the offline check given CheckOptions.
func TestCheckTableFindsOrphanEntry(t *testing.T) {
	dir := t.TempDir()
	eng, err := engine.Open(engine.Options{Dir: dir, BufferPoolSize: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	x, err := NewExecutor(eng, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := NewSession("root", "127.0.0.1")
	for _, q := range []string{"CREATE DATABASE d", "USE d",
		"CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10), KEY ks (s))",
		"INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"} {
		if _, err := x.Query(ctx, s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	check := func() [][]string {
		res, err := x.Query(ctx, s, "CHECK TABLE t")
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for _, r := range res.Rows {
			out = append(out, []string{string(r[0].Bytes()), string(r[2].Bytes()), string(r[3].Bytes())})
		}
		return out
	}
	if got := check(); len(got) != 1 || got[0][1] != "status" || got[0][2] != "OK" {
		t.Fatalf("healthy table: %q", got)
	}
	info, _ := eng.Table("d", "t")
	txn, err := eng.Begin(ctx, engine.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, _, ok := x.lookupTable("d", "t")
	if !ok {
		t.Fatal("no table d.t")
	}
	if err := txn.Delete(info.ID, 0, pkKey(nil, tbl, []types.Value{types.NewInt(2), types.Null})); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	got := check()
	if len(got) != 2 || got[0][1] != "error" || !strings.Contains(got[0][2], "missing row") || got[1][2] != "Corrupt" {
		t.Fatalf("orphan secondary entry: %q", got)
	}
	x.EndSession(s)
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := inspect.CommandWith(&b, vfs.Default, []string{"check", dir}, CheckOptions()); err == nil || !strings.Contains(err.Error(), "missing row") {
		t.Errorf("inspect check with CheckOptions: %v", err)
	}
	if err := inspect.Command(&b, vfs.Default, []string{"check", dir}); err != nil {
		t.Errorf("inspect check without a key decoder: %v", err)
	}
}
