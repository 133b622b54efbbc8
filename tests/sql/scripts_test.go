package sql

import (
	"context"
	dsql "database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
	tsql "github.com/tandem-db/tandem/internal/mysql/sql"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
)

const setup = "CREATE DATABASE sqltest"

func scripts(t *testing.T) []string {
	files, err := filepath.Glob("*.test")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	return files
}

// runExecutor runs a script in-process and renders it.
func runExecutor(t *testing.T, eng engine.Engine, stmts []string) string {
	x, err := tsql.NewExecutor(eng, tsql.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := tsql.NewSession("root", "127.0.0.1")
	defer x.EndSession(s)
	for _, q := range []string{setup, "USE sqltest"} {
		if _, err := x.Query(ctx, s, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var b strings.Builder
	for _, stmt := range stmts {
		res, err := x.Query(ctx, s, stmt)
		var o Outcome
		if err != nil {
			var ee *errcode.Error
			if !errors.As(err, &ee) {
				t.Fatalf("%s: not a client error: %v", stmt, err)
			}
			o.Err = ee.Error()
		} else if len(res.Columns) > 0 || IsQuery(stmt) {
			o.Columns = []string{}
			for _, c := range res.Columns {
				o.Columns = append(o.Columns, c.Name)
			}
			for _, r := range res.Rows {
				row := make([]string, len(r))
				for i, v := range r {
					if v.IsNull() {
						row[i] = "NULL"
					} else {
						row[i] = string(v.AppendText(nil))
					}
				}
				o.Rows = append(o.Rows, row)
			}
		} else {
			o.AffectedRows, o.LastInsertID = int64(res.AffectedRows), int64(res.LastInsertID)
		}
		Render(&b, stmt, o)
	}
	return b.String()
}

func TestScripts(t *testing.T) {
	for _, file := range scripts(t) {
		stmts, err := ReadScript(file)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(strings.TrimSuffix(file, ".test") + ".result")
		if err != nil {
			t.Fatalf("%s: no recorded result: %v", file, err)
		}
		engines := map[string]func(t *testing.T) engine.Engine{
			"memory": func(*testing.T) engine.Engine { return memory.New() },
			"innodb": func(t *testing.T) engine.Engine {
				e, err := engine.Open(engine.Options{Dir: t.TempDir(), BufferPoolSize: 8 << 20})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = e.Close() })
				return e
			},
		}
		for name, open := range engines {
			t.Run(file+"/"+name, func(t *testing.T) {
				got := runExecutor(t, open(t), stmts)
				if got != string(want) {
					t.Errorf("%s differs from the recorded result:\n%s", file, diff(string(want), got))
					if os.Getenv("TANDEM_WRITE_GOT") != "" {
						_ = os.WriteFile(file+".got", []byte(got), 0o644)
					}
				}
			})
		}
	}
}

// diff shows the first differing lines.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 12; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + a + "\n  got:  " + c + "\n")
			shown++
		}
	}
	return b.String()
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for n >= 10 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	buf[i] = byte('0' + n)
	return string(buf[i:])
}

// TestRecord rewrites the .result files from a real server
// (TANDEM_RECORD_DSN="root@tcp(127.0.0.1:33061)/", see mariadb.sh). The
// MySQL 8 lines listed in mysql8.patch-style comments of each script must be
// re-applied by hand afterwards.
func TestRecord(t *testing.T) {
	dsn := os.Getenv("TANDEM_RECORD_DSN")
	if dsn == "" {
		t.Skip("TANDEM_RECORD_DSN not set")
	}
	db, err := dsql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	only := os.Getenv("TANDEM_RECORD_ONLY")
	for _, file := range scripts(t) {
		if only != "" && !strings.Contains(file, only) {
			continue
		}
		stmts, err := ReadScript(file)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"DROP DATABASE IF EXISTS sqltest", setup, "USE sqltest"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var b strings.Builder
		for _, stmt := range stmts {
			Render(&b, stmt, recordOne(ctx, conn, stmt))
		}
		conn.Close()
		if err := os.WriteFile(strings.TrimSuffix(file, ".test")+".result", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func recordOne(ctx context.Context, conn *dsql.Conn, stmt string) Outcome {
	var o Outcome
	fail := func(err error) Outcome {
		var me *mysql.MySQLError
		if errors.As(err, &me) {
			return Outcome{Err: (&errcode.Error{Code: me.Number, State: string(me.SQLState[:]), Message: me.Message}).Error()}
		}
		return Outcome{Err: "driver: " + err.Error()}
	}
	if !IsQuery(stmt) {
		res, err := conn.ExecContext(ctx, stmt)
		if err != nil {
			return fail(err)
		}
		o.AffectedRows, _ = res.RowsAffected()
		o.LastInsertID, _ = res.LastInsertId()
		return o
	}
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	o.Columns = append([]string{}, cols...)
	for rows.Next() {
		raw := make([]dsql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fail(err)
		}
		row := make([]string, len(cols))
		for i, r := range raw {
			if r == nil {
				row[i] = "NULL"
			} else {
				row[i] = string(r)
			}
		}
		o.Rows = append(o.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return o
}
