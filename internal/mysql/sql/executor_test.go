package sql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

func newTestExecutor(t testing.TB) (*Executor, *Session) {
	x, err := NewExecutor(memory.New(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession("root", "127.0.0.1")
	for _, q := range []string{"CREATE DATABASE db", "USE db",
		"CREATE TABLE sbtest1 (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', PRIMARY KEY (id), KEY k_1 (k))"} {
		if _, err := x.Query(context.Background(), s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return x, s
}

func mustQuery(t testing.TB, x *Executor, s *Session, q string) *Result {
	t.Helper()
	res, err := x.Query(context.Background(), s, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

func TestPreparedPointSelect(t *testing.T) {
	x, s := newTestExecutor(t)
	ctx := context.Background()
	ins, err := x.Prepare(ctx, s, "INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	if ins.ParamCount != 4 {
		t.Fatalf("ParamCount %d", ins.ParamCount)
	}
	for i := 1; i <= 20; i++ {
		if _, err := x.Execute(ctx, s, ins, []types.Value{types.NewInt(int64(i)), types.NewInt(int64(i % 3)), types.NewString("c" + types.NewInt(int64(i)).String()), types.NewString("p")}); err != nil {
			t.Fatal(err)
		}
	}
	sel, err := x.Prepare(ctx, s, "SELECT c FROM sbtest1 WHERE id=?")
	if err != nil {
		t.Fatal(err)
	}
	if sel.ParamCount != 1 || len(sel.Columns) != 1 || sel.Columns[0].Name != "c" || sel.Columns[0].Type != TypeString {
		t.Fatalf("prepared metadata: %+v", sel)
	}
	for _, id := range []int64{1, 7, 20} {
		res, err := x.Execute(ctx, s, sel, []types.Value{types.NewInt(id)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 1 || res.Rows[0][0].String() != "c"+types.NewInt(id).String() {
			t.Fatalf("id %d: %v", id, res.Rows)
		}
	}
	// a string argument compares with the integer key
	res, err := x.Execute(ctx, s, sel, []types.Value{types.NewString("7")})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("string arg: %v %v", res, err)
	}
	if _, err := x.Execute(ctx, s, sel, nil); err == nil {
		t.Fatal("missing argument accepted")
	}
	rng, err := x.Prepare(ctx, s, "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?")
	if err != nil {
		t.Fatal(err)
	}
	res, err = x.Execute(ctx, s, rng, []types.Value{types.NewInt(1), types.NewInt(6)})
	if err != nil || res.Rows[0][0].String() != "6" {
		t.Fatalf("sum: %v %v", res, err)
	}
	// the plan is rebuilt after DDL
	mustQuery(t, x, s, "CREATE INDEX c_1 ON sbtest1 (c)")
	res, err = x.Execute(ctx, s, sel, []types.Value{types.NewInt(1)})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("after DDL: %v %v", res, err)
	}
}

func TestStatementAtomicity(t *testing.T) {
	x, s := newTestExecutor(t)
	mustQuery(t, x, s, "INSERT INTO sbtest1 (id) VALUES (1)")
	mustQuery(t, x, s, "BEGIN")
	mustQuery(t, x, s, "INSERT INTO sbtest1 (id) VALUES (2)")
	_, err := x.Query(context.Background(), s, "INSERT INTO sbtest1 (id) VALUES (3), (1)")
	var ee *errcode.Error
	if !errors.As(err, &ee) || ee.Code != 1062 || ee.Message != "Duplicate entry '1' for key 'sbtest1.PRIMARY'" {
		t.Fatalf("got %v", err)
	}
	if !s.InTransaction() {
		t.Fatal("a failed statement ended the transaction")
	}
	res := mustQuery(t, x, s, "SELECT id FROM sbtest1 ORDER BY id")
	if len(res.Rows) != 2 {
		t.Fatalf("statement rollback: %v", res.Rows)
	}
	x.EndSession(s)
	s2 := NewSession("root", "h")
	s2.DB = "db"
	if n := len(mustQuery(t, x, s2, "SELECT id FROM sbtest1").Rows); n != 1 {
		t.Fatalf("EndSession did not roll back: %d rows", n)
	}
}

func TestShowWarningsAndLastInsertID(t *testing.T) {
	x, s := newTestExecutor(t)
	res := mustQuery(t, x, s, "INSERT INTO sbtest1 (k) VALUES (1), (2)")
	if res.LastInsertID != 1 || res.Info != "Records: 2  Duplicates: 0  Warnings: 0" {
		t.Fatalf("%+v", res)
	}
	mustQuery(t, x, s, "SET sql_mode = ''")
	res = mustQuery(t, x, s, "INSERT INTO sbtest1 (k) VALUES ('12abc')")
	if res.Warnings != 1 {
		t.Fatalf("warnings %d", res.Warnings)
	}
	w := mustQuery(t, x, s, "SHOW WARNINGS")
	if len(w.Rows) != 1 || w.Rows[0][1].Int() != 1366 {
		t.Fatalf("%v", w.Rows)
	}
	if got := mustQuery(t, x, s, "SELECT LAST_INSERT_ID()").Rows[0][0].Uint(); got != 3 {
		t.Fatalf("LAST_INSERT_ID %d", got)
	}
	up := mustQuery(t, x, s, "UPDATE sbtest1 SET k = 5 WHERE id <= 2")
	if up.AffectedRows != 2 || up.Info != "Rows matched: 2  Changed: 2  Warnings: 0" {
		t.Fatalf("%+v", up)
	}
}

func TestSplitStatementsAPI(t *testing.T) {
	got, err := SplitStatements("select 1; select ';'")
	if err != nil || len(got) != 2 || got[1] != "select ';'" {
		t.Fatalf("%q %v", got, err)
	}
}

func BenchmarkPointSelect(b *testing.B) {
	x, s := newTestExecutor(b)
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		mustQuery(b, x, s, "INSERT INTO sbtest1 (k, c, pad) VALUES (1, 'cccccccccccccccccccccccccccccccccccccccccccccccccccc', 'pppp')")
	}
	sel, err := x.Prepare(ctx, s, "SELECT c FROM sbtest1 WHERE id=?")
	if err != nil {
		b.Fatal(err)
	}
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

func TestCompareFolded(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{{"abc", "ABC", 0}, {"abc", "abd", -1}, {"ab", "abc", -1}, {"Zeta", "alpha", 1}, {"é", "É", 0}, {"aé", "aÉb", -1}, {"_", "a", -1}}
	for _, c := range cases {
		if got := compareFolded([]byte(c.a), []byte(c.b)); got != c.want {
			t.Errorf("compareFolded(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestConcurrentSessions runs sessions in parallel (with -race it checks the
// executor's shared state: catalog, globals, prepared plans).
func TestConcurrentSessions(t *testing.T) {
	x, s := newTestExecutor(t)
	ctx := context.Background()
	sel, err := x.Prepare(ctx, s, "SELECT c FROM sbtest1 WHERE id=?")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			s := NewSession("root", "h")
			s.DB = "db"
			for i := 0; i < 50; i++ {
				id := int64(g*1000 + i + 1)
				if _, err := x.Query(ctx, s, "INSERT INTO sbtest1 (id, k, c) VALUES ("+types.NewInt(id).String()+", 1, 'x')"); err != nil {
					done <- err
					return
				}
				if _, err := x.Execute(ctx, s, sel, []types.Value{types.NewInt(id)}); err != nil {
					done <- err
					return
				}
				if g == 0 && i%10 == 0 {
					if _, err := x.Query(ctx, s, "SET GLOBAL max_connections = 200"); err != nil {
						done <- err
						return
					}
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := mustQuery(t, x, s, "SELECT COUNT(*) FROM sbtest1").Rows[0][0].Int(); n != 200 {
		t.Fatalf("%d rows", n)
	}
}

func TestSetTransactionWithAutocommitOff(t *testing.T) {
	x, s := newTestExecutor(t)
	mustQuery(t, x, s, "SET autocommit = 0")
	mustQuery(t, x, s, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
	mustQuery(t, x, s, "SELECT COUNT(*) FROM sbtest1")
	if !s.InTransaction() || s.txnOpts.Isolation != 3 {
		t.Fatalf("in txn %v, isolation %d", s.InTransaction(), s.txnOpts.Isolation)
	}
	if _, err := x.Query(context.Background(), s, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); err == nil {
		t.Fatal("SET TRANSACTION inside a transaction accepted")
	}
	mustQuery(t, x, s, "COMMIT")
	mustQuery(t, x, s, "SET @v = (SELECT COUNT(*) FROM sbtest1)")
	if got := mustQuery(t, x, s, "SELECT @v").Rows[0][0].String(); got != "0" {
		t.Fatalf("@v = %s", got)
	}
}

func TestProcesslistAndKill(t *testing.T) {
	var killed []uint64
	x, err := NewExecutor(memory.New(), Options{
		Processes: func() []Process {
			return []Process{{ID: 7, User: "root", Host: "127.0.0.1:5000", Command: "Query", Info: "SHOW PROCESSLIST"}}
		},
		Kill: func(id uint64, query bool) bool {
			killed = append(killed, id)
			return id == 7
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession("root", "h")
	res := mustQuery(t, x, s, "SHOW FULL PROCESSLIST")
	if len(res.Rows) != 1 || res.Rows[0][0].Uint() != 7 || !res.Rows[0][3].IsNull() || res.Rows[0][7].String() != "SHOW PROCESSLIST" {
		t.Fatalf("%v", res.Rows)
	}
	mustQuery(t, x, s, "KILL QUERY 7")
	_, err = x.Query(context.Background(), s, "KILL 8")
	var ee *errcode.Error
	if !errors.As(err, &ee) || ee.Code != 1094 || ee.Message != "Unknown thread id: 8" {
		t.Fatalf("%v", err)
	}
	if len(killed) != 2 {
		t.Fatalf("%v", killed)
	}
}

func TestInsertRowAlias(t *testing.T) {
	x, s := newTestExecutor(t)
	mustQuery(t, x, s, "INSERT INTO sbtest1 (id, k, c) VALUES (1, 5, 'a')")
	res := mustQuery(t, x, s, "INSERT INTO sbtest1 (id, k, c) VALUES (1, 7, 'b') AS new ON DUPLICATE KEY UPDATE k = sbtest1.k + new.k, c = new.c")
	if res.AffectedRows != 2 {
		t.Fatalf("affected %d", res.AffectedRows)
	}
	row := mustQuery(t, x, s, "SELECT k, c FROM sbtest1 WHERE id = 1").Rows[0]
	if row[0].Int() != 12 || row[1].String() != "b" {
		t.Fatalf("%v", row)
	}
}

func TestForeignKeyIndexes(t *testing.T) {
	x, s := newTestExecutor(t)
	mustQuery(t, x, s, "CREATE TABLE par (id INT PRIMARY KEY)")
	mustQuery(t, x, s, "CREATE TABLE ch (id INT PRIMARY KEY, p INT, q INT, CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES par(id) ON DELETE CASCADE)")
	mustQuery(t, x, s, "ALTER TABLE `ch` ADD CONSTRAINT `FK_q` FOREIGN KEY (`q`) REFERENCES `par`(`id`) ON DELETE NO ACTION ON UPDATE NO ACTION")
	mustQuery(t, x, s, "ALTER TABLE ch ADD CONSTRAINT fk_id FOREIGN KEY (id) REFERENCES par(id)")
	res := mustQuery(t, x, s, "SHOW INDEX FROM ch")
	var names []string
	for _, r := range res.Rows {
		names = append(names, r[2].String())
	}
	if strings.Join(names, ",") != "PRIMARY,fk_p,FK_q" {
		t.Fatalf("indexes %v", names)
	}
	mustQuery(t, x, s, "ALTER TABLE ch DROP FOREIGN KEY fk_p")
	if _, err := x.Query(context.Background(), s, "CREATE TABLE bad (a INT, CHECK (a > 0))"); err == nil {
		t.Fatal("CHECK constraint silently accepted")
	}
}

func TestCalcFoundRows(t *testing.T) {
	x, s := newTestExecutor(t)
	mustQuery(t, x, s, "INSERT INTO sbtest1 (k) VALUES (1), (2), (3), (4)")
	if n := len(mustQuery(t, x, s, "SELECT SQL_CALC_FOUND_ROWS id FROM sbtest1 ORDER BY id LIMIT 2").Rows); n != 2 {
		t.Fatalf("%d rows", n)
	}
	if got := mustQuery(t, x, s, "SELECT FOUND_ROWS()").Rows[0][0].Int(); got != 4 {
		t.Fatalf("FOUND_ROWS() = %d", got)
	}
	mustQuery(t, x, s, "SELECT id FROM sbtest1 LIMIT 3")
	if got := mustQuery(t, x, s, "SELECT FOUND_ROWS()").Rows[0][0].Int(); got != 3 {
		t.Fatalf("FOUND_ROWS() after a plain query = %d", got)
	}
}
