package sql

import (
	"context"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// BenchmarkPointSelectInnoDB is sysbench's oltp_point_select statement on the real engine, in process.
func BenchmarkPointSelectInnoDB(b *testing.B) {
	eng, err := engine.Open(engine.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	x, _ := NewExecutor(eng, Options{})
	s := NewSession("root", "h")
	for _, q := range []string{"CREATE DATABASE db", "USE db", "CREATE TABLE sbtest1 (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k))"} {
		mustQuery(b, x, s, q)
	}
	for i := 0; i < 1000; i++ {
		mustQuery(b, x, s, "INSERT INTO sbtest1 (k, c, pad) VALUES (1, 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 'pppp')")
	}
	ctx := context.Background()
	sel, _ := x.Prepare(ctx, s, "SELECT c FROM sbtest1 WHERE id=?")
	args := []types.Value{types.NewInt(0)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args[0] = types.NewInt(int64(i%1000 + 1))
		if _, err := x.Execute(ctx, s, sel, args); err != nil {
			b.Fatal(err)
		}
	}
}
