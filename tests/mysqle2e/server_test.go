package mysqle2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/tandem-db/tandem/internal/mysql/server"
)

// target returns the address of the server under test: TANDEM_MYSQL_ADDR,
// or a tandem server started for this test on its storage engine in a temp dir.
func target(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv("TANDEM_MYSQL_ADDR"); addr != "" {
		return addr
	}
	srv, err := server.Open(server.OpenOptions{Dir: t.TempDir(), BufferPoolSize: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// openDB connects with go-sql-driver/mysql; params are DSN parameters.
func openDB(t testing.TB, addr, db, params string) *sql.DB {
	t.Helper()
	dsn := fmt.Sprintf("root@tcp(%s)/%s?parseTime=true&%s", addr, db, params)
	d, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// freshDB creates database name (dropping an old one) and returns a pool on it.
func freshDB(t testing.TB, addr, name, params string) *sql.DB {
	t.Helper()
	admin := openDB(t, addr, "", "")
	mustExec(t, admin, "DROP DATABASE IF EXISTS "+name)
	mustExec(t, admin, "CREATE DATABASE "+name)
	return openDB(t, addr, name, params)
}

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) sql.Result {
	t.Helper()
	r, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return r
}

func mysqlError(err error) *mysql.MySQLError {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me
	}
	return nil
}

const icashDDL = `CREATE TABLE icash (
no INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
user_no INT UNSIGNED UNIQUE NOT NULL,
icash INT UNSIGNED DEFAULT 0 NOT NULL,
created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP NOT NULL
)`

// TestDriver runs the same statements with server-side prepared statements
// (the driver's default for queries with arguments) and with parameters
// interpolated into COM_QUERY text.
func TestDriver(t *testing.T) {
	addr := target(t)
	for _, mode := range []struct{ name, params string }{
		{"prepared", "interpolateParams=false"},
		{"interpolated", "interpolateParams=true"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			db := freshDB(t, addr, "e2e_driver_"+mode.name, mode.params)
			mustExec(t, db, icashDDL)
			r := mustExec(t, db, "INSERT INTO icash (user_no, icash) VALUES (?, ?), (?, ?)", 10, 1000, 11, 2000)
			if n, _ := r.RowsAffected(); n != 2 {
				t.Errorf("RowsAffected = %d", n)
			}
			if id, _ := r.LastInsertId(); id != 1 {
				t.Errorf("LastInsertId = %d, want 1 (the first row of a multi-row insert)", id)
			}
			var (
				no, icash uint64
				created   time.Time
			)
			err := db.QueryRow("SELECT no, icash, created_at FROM icash WHERE user_no = ?", 11).Scan(&no, &icash, &created)
			if err != nil {
				t.Fatal(err)
			}
			if no != 2 || icash != 2000 || time.Since(created) > time.Hour || time.Since(created) < -time.Hour {
				t.Errorf("got no=%d icash=%d created=%v", no, icash, created)
			}

			_, err = db.Exec("INSERT INTO icash (user_no) VALUES (?)", 10)
			if me := mysqlError(err); me == nil || me.Number != 1062 || string(me.SQLState[:]) != "23000" ||
				!strings.HasPrefix(me.Message, "Duplicate entry '10' for key ") {
				t.Errorf("duplicate user_no: %v", err)
			}

			// NULLs, negative and unsigned extremes, text and blobs both ways.
			mustExec(t, db, "CREATE TABLE vals (id INT PRIMARY KEY, i BIGINT NULL, u BIGINT UNSIGNED NULL, s VARCHAR(20) NULL, b LONGBLOB NULL, d DATETIME(6) NULL)")
			when := time.Date(2024, 11, 27, 14, 56, 1, 123456000, time.UTC)
			big := strings.Repeat("ab", 256<<10) // a 512 KB value, as sysbench-sized packets are
			mustExec(t, db, "INSERT INTO vals VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)",
				1, int64(-9223372036854775808), uint64(18446744073709551615), "héllo", []byte(big), when,
				2, nil, nil, nil, nil, nil)
			var (
				i sql.NullInt64
				u uint64
				s sql.NullString
				b []byte
				d sql.NullTime
			)
			if err := db.QueryRow("SELECT i, u, s, b, d FROM vals WHERE id = ?", 1).Scan(&i, &u, &s, &b, &d); err != nil {
				t.Fatal(err)
			}
			if i.Int64 != -9223372036854775808 || u != 18446744073709551615 || s.String != "héllo" || string(b) != big || !d.Time.Equal(when) {
				t.Errorf("row 1: %v %v %v len(b)=%d %v", i, u, s, len(b), d)
			}
			var ui sql.NullInt64
			if err := db.QueryRow("SELECT i, s, d, u FROM vals WHERE id = ?", 2).Scan(&i, &s, &d, &ui); err != nil {
				t.Fatal(err)
			}
			if i.Valid || s.Valid || d.Valid || ui.Valid {
				t.Errorf("row 2 should be all NULL: %v %v %v %v", i, s, d, ui)
			}

			// A transaction on one connection: rolled back rows are gone.
			ctx := context.Background()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec("INSERT INTO icash (user_no) VALUES (?)", 99); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			var count int
			if err := db.QueryRow("SELECT COUNT(*) FROM icash WHERE user_no = ?", 99).Scan(&count); err != nil || count != 0 {
				t.Errorf("after rollback: count=%d err=%v", count, err)
			}
		})
	}
}

// TestMultiStatements sends several statements in one COM_QUERY and reads
// every result set.
func TestMultiStatements(t *testing.T) {
	addr := target(t)
	db := freshDB(t, addr, "e2e_multi", "multiStatements=true")
	mustExec(t, db, "CREATE TABLE t (a INT PRIMARY KEY); INSERT INTO t VALUES (1), (2); INSERT INTO t VALUES (3)")
	rows, err := db.Query("SELECT COUNT(*) FROM t; SELECT a FROM t ORDER BY a DESC; SELECT 'x'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for {
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if !rows.NextResultSet() {
			break
		}
		got = append(got, "|")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, " "); s != "3 | 3 2 1 | x" {
		t.Errorf("result sets: %q", s)
	}
	// An error in the middle stops the batch, with the error reported.
	_, err = db.Exec("INSERT INTO t VALUES (4); INSERT INTO t VALUES (1); INSERT INTO t VALUES (5)")
	if me := mysqlError(err); me == nil || me.Number != 1062 {
		t.Errorf("duplicate in a batch: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 4 {
		t.Errorf("after the failed batch: %d rows (want 4), %v", n, err)
	}
}

// TestConnectErrors checks what a driver sees for refused logins and an
// unknown database.
func TestConnectErrors(t *testing.T) {
	addr := target(t)
	d, err := sql.Open("mysql", fmt.Sprintf("nobody@tcp(%s)/", addr))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Ping()
	if me := mysqlError(err); me == nil || me.Number != 1045 || me.Message != "Access denied for user 'nobody'@'localhost' (using password: NO)" {
		t.Errorf("unknown user: %v", err)
	}
	err = openDB(t, addr, "no_such_db_e2e", "").Ping()
	if me := mysqlError(err); me == nil || me.Number != 1049 || me.Message != "Unknown database 'no_such_db_e2e'" {
		t.Errorf("unknown database: %v", err)
	}
}

// TestSessionState checks what drivers read on connect and the status flags
// that go with transactions.
func TestSessionState(t *testing.T) {
	addr := target(t)
	db := openDB(t, addr, "", "")
	db.SetMaxOpenConns(1)
	var id1, id2 uint64
	if err := db.QueryRow("SELECT CONNECTION_ID()").Scan(&id1); err != nil {
		t.Fatal(err)
	}
	db2 := openDB(t, addr, "", "")
	if err := db2.QueryRow("SELECT CONNECTION_ID()").Scan(&id2); err != nil {
		t.Fatal(err)
	}
	if id1 == 0 || id1 == id2 {
		t.Errorf("connection ids %d and %d", id1, id2)
	}
	var v string
	if err := db.QueryRow("SELECT @@version").Scan(&v); err != nil || v == "" {
		t.Errorf("@@version: %q %v", v, err)
	}
	var name string
	var threads int
	if err := db.QueryRow("SHOW GLOBAL STATUS LIKE 'Threads_connected'").Scan(&name, &threads); err != nil || threads < 2 {
		t.Errorf("Threads_connected = %d, %v", threads, err)
	}
}

// TestLongData makes go-sql-driver send a large argument with
// COM_STMT_SEND_LONG_DATA (it does so for arguments longer than
// maxAllowedPacket / (parameters + 1)), then reads it back.
func TestLongData(t *testing.T) {
	addr := target(t)
	db := freshDB(t, addr, "e2e_longdata", "maxAllowedPacket=1048576")
	mustExec(t, db, "CREATE TABLE docs (id INT PRIMARY KEY, body LONGBLOB)")
	body := []byte(strings.Repeat("0123456789abcdef", 40000)) // 640 KB > 1 MB / 2
	mustExec(t, db, "INSERT INTO docs VALUES (?, ?)", 1, body)
	var got []byte
	if err := db.QueryRow("SELECT body FROM docs WHERE id = ?", 1).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(body))
	}
}
