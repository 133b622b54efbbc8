package crash

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

// mysqlProcess is a tandem binary serving SQL on a loopback port.
type mysqlProcess struct {
	cmd  *exec.Cmd
	addr string
	log  *strings.Builder
	mu   sync.Mutex
}

// buildBinary builds a main package of the module.
func buildBinary(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, "github.com/tandem-db/tandem/"+pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMySQL starts bin on dir and waits until SQL answers; nil means bin
// does not serve SQL (cmd/tandem before the SQL server is wired in).
func startMySQL(t *testing.T, bin, dir string, port int) *mysqlProcess {
	t.Helper()
	p := &mysqlProcess{addr: fmt.Sprintf("127.0.0.1:%d", port), log: &strings.Builder{}}
	p.cmd = exec.Command(bin, "--port", "0", "--mysql-port", fmt.Sprint(port), "--dir", dir,
		"--innodb-buffer-pool-size", "64m")
	stderr, _ := p.cmd.StderrPipe()
	p.cmd.Stdout = p.cmd.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(60 * time.Second) // recovery may take a while
	for {
		db, err := sql.Open("mysql", "root@tcp("+p.addr+")/")
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return p
		}
		p.mu.Lock()
		logText := p.log.String()
		p.mu.Unlock()
		if strings.Contains(logText, "SQL server not wired in yet") {
			p.kill()
			return nil
		}
		if time.Now().After(deadline) || p.cmd.ProcessState != nil {
			t.Fatalf("tandem did not serve SQL on %s: %v\n%s", p.addr, err, logText)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *mysqlProcess) kill() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// TestMySQLKill9 commits three-row transactions from many clients as fast
// as they can, kills the server with SIGKILL, restarts it, and checks that
// every acknowledged commit survived, that no transaction is partly there,
// and that CHECK TABLE finds the table consistent.
func TestMySQLKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tandem binary; skipped with -short")
	}
	bin := buildBinary(t, "cmd/tandem")
	dir := t.TempDir()
	port := freePort(t)
	p := startMySQL(t, bin, dir, port)
	if p == nil {
		t.Log("cmd/tandem does not serve SQL yet: using tests/crash/mysqlserverd")
		bin = buildBinary(t, "tests/crash/mysqlserverd")
		p = startMySQL(t, bin, dir, port)
	}

	db, err := sql.Open("mysql", "root@tcp("+p.addr+")/")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE DATABASE crash",
		"CREATE TABLE crash.t (client INT NOT NULL, seq INT NOT NULL, part INT NOT NULL, payload VARCHAR(200), PRIMARY KEY (client, seq, part))",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	const clients = 8
	acked := make([]int, clients) // highest seq whose COMMIT returned OK
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cdb, err := sql.Open("mysql", "root@tcp("+p.addr+")/crash")
			if err != nil {
				return
			}
			defer cdb.Close()
			cdb.SetMaxOpenConns(1)
			payload := strings.Repeat("x", 150)
			for seq := 1; ctx.Err() == nil; seq++ {
				tx, err := cdb.Begin()
				if err != nil {
					return
				}
				for part := range 3 {
					if _, err := tx.Exec("INSERT INTO t VALUES (?, ?, ?, ?)", c, seq, part, payload); err != nil {
						_ = tx.Rollback()
						return
					}
				}
				if err := tx.Commit(); err != nil {
					return
				}
				acked[c] = seq
			}
		}()
	}
	time.Sleep(2 * time.Second)
	p.kill() // SIGKILL while commits are in flight
	stop()
	wg.Wait()
	total := 0
	for _, n := range acked {
		total += n
	}
	if total == 0 {
		t.Fatalf("no commit was acknowledged before the kill:\n%s", p.log.String())
	}
	t.Logf("%d transactions acknowledged before SIGKILL", total)

	p = startMySQL(t, bin, dir, port)
	db, err = sql.Open("mysql", "root@tcp("+p.addr+")/crash")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT client, seq, COUNT(*) FROM t GROUP BY client, seq")
	if err != nil {
		t.Fatal(err)
	}
	found := make([]map[int]bool, clients)
	for i := range found {
		found[i] = map[int]bool{}
	}
	for rows.Next() {
		var c, seq, n int
		if err := rows.Scan(&c, &seq, &n); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("client %d seq %d: %d of 3 rows survived (a torn transaction)", c, seq, n)
		}
		if c < 0 || c >= clients || seq > acked[c]+1 {
			t.Errorf("client %d seq %d: never committed", c, seq)
			continue
		}
		found[c][seq] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for c := range clients {
		for seq := 1; seq <= acked[c]; seq++ {
			if !found[c][seq] {
				t.Errorf("client %d seq %d: acknowledged commit lost", c, seq)
			}
		}
	}
	var table, op, msgType, msg string
	if err := db.QueryRow("CHECK TABLE t").Scan(&table, &op, &msgType, &msg); err != nil {
		t.Fatalf("CHECK TABLE: %v", err)
	}
	if msgType != "status" || msg != "OK" {
		t.Errorf("CHECK TABLE: %s %s %s %s", table, op, msgType, msg)
	}
	if t.Failed() {
		p.mu.Lock()
		t.Logf("server log:\n%s", p.log.String())
		p.mu.Unlock()
	}
}
