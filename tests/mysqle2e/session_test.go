package mysqle2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTrailingSemicolon: one statement ended by ';' runs without
// multi-statements, as text and as a prepared statement; a second
// statement after it is a syntax error.
func TestTrailingSemicolon(t *testing.T) {
	addr := target(t)
	for _, params := range []string{"interpolateParams=false", "interpolateParams=true"} {
		db := openDB(t, addr, "", params)
		for _, q := range []string{"SELECT 1;", "SELECT 1 ; -- done\n", "SELECT ';' = ';';"} {
			var n int
			if err := db.QueryRow(q).Scan(&n); err != nil || n != 1 {
				t.Errorf("%s %q: n=%d err=%v", params, q, n, err)
			}
		}
		var n int
		if err := db.QueryRow("SELECT ? + 1;", 1).Scan(&n); err != nil || n != 2 {
			t.Errorf("%s prepared with ';': n=%d err=%v", params, n, err)
		}
		_, err := db.Exec("SELECT 1; SELECT 2")
		if me := mysqlError(err); me == nil || me.Number != 1064 || !strings.Contains(me.Message, "near 'SELECT 2'") {
			t.Errorf("%s two statements without multiStatements: %v", params, err)
		}
	}
}

// lockTable creates t(id, v) with rows 1..4 (v = id*10) and returns the pool.
func lockTable(t *testing.T, name string) *sql.DB {
	t.Helper()
	db := freshDB(t, target(t), name, "")
	mustExec(t, db, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	mustExec(t, db, "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30), (4, 40)")
	return db
}

func conn(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func cexec(t *testing.T, c *sql.Conn, q string) {
	t.Helper()
	if _, err := c.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func values(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT v FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return strings.Join(out, ",")
}

// TestDeadlock: two transactions lock rows 1 and 2 with SELECT … FOR UPDATE,
// then each updates the other's row. One gets 1213 and its whole
// transaction is rolled back (its earlier change too, and its locks are
// released), the other proceeds and commits.
func TestDeadlock(t *testing.T) {
	db := lockTable(t, "e2e_deadlock")
	c1, c2 := conn(t, db), conn(t, db)
	ctx := context.Background()
	cexec(t, c1, "BEGIN")
	cexec(t, c1, "SELECT * FROM t WHERE id = 1 FOR UPDATE")
	cexec(t, c2, "BEGIN")
	cexec(t, c2, "UPDATE t SET v = v + 1 WHERE id = 3")
	cexec(t, c2, "SELECT * FROM t WHERE id = 2 FOR UPDATE")
	errs := make(chan error, 2)
	go func() {
		_, err := c1.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE id = 2")
		errs <- err
	}()
	time.Sleep(200 * time.Millisecond) // let c1 wait for row 2
	_, err2 := c2.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE id = 1")
	var err1 error
	select {
	case err1 = <-errs:
	case <-time.After(10 * time.Second):
		t.Fatal("no deadlock detected within 10 s")
	}
	victim, survivor := c2, c1
	verr, serr := err2, err1
	if mysqlError(err1) != nil {
		victim, survivor, verr, serr = c1, c2, err1, err2
	}
	if me := mysqlError(verr); me == nil || me.Number != 1213 || string(me.SQLState[:]) != "40001" ||
		me.Message != "Deadlock found when trying to get lock; try restarting transaction" {
		t.Fatalf("victim: %v (other: %v)", verr, serr)
	}
	if serr != nil {
		t.Fatalf("survivor: %v", serr)
	}
	cexec(t, survivor, "COMMIT")
	// The victim's transaction is gone: COMMIT has nothing to commit, and
	// its update of row 3 was undone when c2 was the victim.
	cexec(t, victim, "COMMIT")
	want := "10,21,30,40" // c1 survived: row 2 updated, c2's row 3 change undone
	if victim == c1 {
		want = "11,20,31,40"
	}
	if got := values(t, db); got != want {
		t.Errorf("rows after deadlock = %s, want %s", got, want)
	}
}

// TestLockWaitTimeout: with innodb_lock_wait_timeout=1 a blocked UPDATE
// fails with 1205 after about a second; only the statement is rolled back
// (InnoDB's innodb_rollback_on_timeout=OFF), the transaction stays open.
func TestLockWaitTimeout(t *testing.T) {
	db := lockTable(t, "e2e_lockwait")
	c1, c2 := conn(t, db), conn(t, db)
	ctx := context.Background()
	var def int
	if err := c2.QueryRowContext(ctx, "SELECT @@innodb_lock_wait_timeout").Scan(&def); err != nil || def != 50 {
		t.Fatalf("default innodb_lock_wait_timeout = %d, %v", def, err)
	}
	cexec(t, c1, "BEGIN")
	cexec(t, c1, "UPDATE t SET v = 11 WHERE id = 1")
	cexec(t, c2, "SET innodb_lock_wait_timeout = 1")
	cexec(t, c2, "BEGIN")
	cexec(t, c2, "UPDATE t SET v = 33 WHERE id = 3")
	start := time.Now()
	// rows 4, 3 and 2 change before the statement waits for row 1
	_, err := c2.ExecContext(ctx, "UPDATE t SET v = v + 1000 ORDER BY id DESC")
	waited := time.Since(start)
	if me := mysqlError(err); me == nil || me.Number != 1205 || string(me.SQLState[:]) != "HY000" ||
		me.Message != "Lock wait timeout exceeded; try restarting transaction" {
		t.Fatalf("blocked UPDATE: %v", err)
	}
	if waited < 900*time.Millisecond || waited > 5*time.Second {
		t.Errorf("1205 after %v, want about 1 s", waited)
	}
	var v3 int
	if err := c2.QueryRowContext(ctx, "SELECT v FROM t WHERE id = 3").Scan(&v3); err != nil || v3 != 33 {
		t.Errorf("c2's earlier change after the timeout: v=%d err=%v (want 33: the transaction stays)", v3, err)
	}
	cexec(t, c2, "COMMIT")
	cexec(t, c1, "COMMIT")
	if got, want := values(t, db), "11,20,33,40"; got != want {
		t.Errorf("rows = %s, want %s (the timed-out statement undone, the rest committed)", got, want)
	}
}

// TestProcesslistAndKill: SHOW PROCESSLIST lists the server's connections
// (the caller running its own statement, another one sleeping in its
// database), KILL QUERY interrupts a running statement with 1317 and keeps
// the connection, KILL ends one, and an unknown id is 1094.
func TestProcesslistAndKill(t *testing.T) {
	db := freshDB(t, target(t), "e2e_kill", "")
	mustExec(t, db, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, k INT, KEY kk (k))")
	mustExec(t, db, "INSERT INTO t (k) VALUES (0)")
	for i := 0; i < 11; i++ {
		mustExec(t, db, "INSERT INTO t (k) SELECT k FROM t")
	}
	admin, victim := conn(t, db), conn(t, db)
	ctx := context.Background()
	var adminID, victimID uint64
	if err := admin.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	if err := victim.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&victimID); err != nil {
		t.Fatal(err)
	}
	type proc struct {
		user, host, command, state string
		db, info                   sql.NullString
		secs                       int64
	}
	list := func() map[uint64]proc {
		rows, err := admin.QueryContext(ctx, "SHOW FULL PROCESSLIST")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[uint64]proc{}
		cols, _ := rows.Columns() // MySQL 8 has 8 columns; MariaDB adds Progress
		for rows.Next() {
			var id uint64
			var p proc
			dest := []any{&id, &p.user, &p.host, &p.db, &p.command, &p.secs, &p.state, &p.info}
			for len(dest) < len(cols) {
				dest = append(dest, new(sql.RawBytes))
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			out[id] = p
		}
		return out
	}
	ps := list()
	for i := 0; i < 100 && ps[victimID].command != "Sleep"; i++ { // a server may still be finishing the last reply
		time.Sleep(10 * time.Millisecond)
		ps = list()
	}
	if p := ps[adminID]; p.command != "Query" || p.info.String != "SHOW FULL PROCESSLIST" || p.user != "root" || !strings.HasPrefix(p.host, "localhost") {
		t.Errorf("own row: %+v", p)
	}
	if p := ps[victimID]; p.command != "Sleep" || p.db.String != "e2e_kill" || p.info.Valid {
		t.Errorf("idle connection's row: %+v", p)
	}

	// KILL QUERY of an idle connection changes nothing; of a running
	// statement, it fails with 1317 and the connection stays.
	cexec(t, admin, fmt.Sprintf("KILL QUERY %d", victimID))
	cexec(t, victim, "SELECT 1")
	errc := make(chan error, 1)
	go func() {
		var n int64
		errc <- victim.QueryRowContext(ctx, "SELECT COUNT(*) FROM t a JOIN t b ON b.k = a.k JOIN t c ON c.k = b.k").Scan(&n)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for p := list()[victimID]; p.command != "Query" || !strings.HasPrefix(p.info.String, "SELECT COUNT(*)"); p = list()[victimID] {
		if time.Now().After(deadline) {
			t.Fatal("the long query never showed in the process list")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if p := list()[victimID]; !strings.HasPrefix(p.info.String, "SELECT COUNT(*) FROM t a") || p.state == "" {
		t.Errorf("running connection's row: %+v", p)
	}
	cexec(t, admin, fmt.Sprintf("KILL QUERY %d", victimID))
	select {
	case err := <-errc:
		if me := mysqlError(err); me == nil || me.Number != 1317 || me.Message != "Query execution was interrupted" {
			t.Fatalf("killed query: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("KILL QUERY did not stop the query")
	}
	var one int
	if err := victim.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("connection after KILL QUERY: %v", err)
	}

	cexec(t, admin, fmt.Sprintf("KILL %d", victimID))
	if err := victim.QueryRowContext(ctx, "SELECT 1").Scan(&one); err == nil {
		t.Error("killed connection still answers")
	}
	for i := 0; ; i++ {
		if _, ok := list()[victimID]; !ok {
			break
		}
		if i == 100 {
			t.Fatal("killed connection still listed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := admin.ExecContext(ctx, "KILL 4000000000")
	if me := mysqlError(err); me == nil || me.Number != 1094 || me.Message != "Unknown thread id: 4000000000" {
		t.Errorf("KILL of an unknown id: %v", err)
	}
}

// TestSessionVariablesTakeEffect: sql_mode and innodb_lock_wait_timeout,
// which sessions cache, follow SET and SET … = DEFAULT.
func TestSessionVariablesTakeEffect(t *testing.T) {
	db := lockTable(t, "e2e_vars")
	c := conn(t, db)
	ctx := context.Background()
	mustExec(t, db, "CREATE TABLE s (v VARCHAR(2))")
	insert := func() error { _, err := c.ExecContext(ctx, "INSERT INTO s VALUES ('abc')"); return err }
	if me := mysqlError(insert()); me == nil || me.Number != 1406 {
		t.Errorf("strict insert of a long value: %v", me)
	}
	cexec(t, c, "SET sql_mode = ''")
	if err := insert(); err != nil {
		t.Errorf("non-strict insert: %v", err)
	}
	cexec(t, c, "SET sql_mode = DEFAULT")
	if me := mysqlError(insert()); me == nil || me.Number != 1406 {
		t.Errorf("strict again after SET sql_mode = DEFAULT: %v", me)
	}
	var n int
	for _, step := range []struct {
		set  string
		want int
	}{{"SET innodb_lock_wait_timeout = 7", 7}, {"SET SESSION innodb_lock_wait_timeout = DEFAULT", 50}} {
		cexec(t, c, step.set)
		if err := c.QueryRowContext(ctx, "SELECT @@innodb_lock_wait_timeout").Scan(&n); err != nil || n != step.want {
			t.Errorf("after %s: %d, %v", step.set, n, err)
		}
	}
}
