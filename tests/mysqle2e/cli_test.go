package mysqle2e

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// cliArgs are the mariadb client's connection flags for addr.
func cliArgs(t *testing.T, addr string) []string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--no-defaults", "-h" + host, "-P" + port, "-uroot"}
}

func needBinary(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed", name)
	}
	return path
}

// TestMariadbCLI feeds the seeds' schema and DML to the mariadb client in
// batch mode and compares its output with what it printed against mariadbd
// (testdata/seeds.result).
func TestMariadbCLI(t *testing.T) {
	bin := needBinary(t, "mariadb")
	addr := target(t)
	script, err := os.ReadFile("testdata/seeds.sql")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/seeds.result")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(cliArgs(t, addr), "--batch")...)
	cmd.Stdin = bytes.NewReader(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("mariadb: %v\n%s\noutput so far:\n%s", err, stderr.String(), got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from mariadbd's\n--- got\n%s\n--- want\n%s", got, want)
	}
}

// TestMariadbAdmin uses COM_PING and COM_STATISTICS as mariadb-admin does,
// and the CLI's status command, which adds COM_STATISTICS to its queries.
func TestMariadbAdmin(t *testing.T) {
	bin := needBinary(t, "mariadb-admin")
	addr := target(t)
	out, err := exec.Command(bin, append(cliArgs(t, addr), "ping", "status")...).CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb-admin: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "mysqld is alive") || !strings.Contains(s, "Uptime: ") || !strings.Contains(s, "  Threads: ") {
		t.Errorf("mariadb-admin ping status:\n%s", s)
	}
	cli := needBinary(t, "mariadb")
	out, err = exec.Command(cli, append(cliArgs(t, addr), "-e", "status")...).CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb -e status: %v\n%s", err, out)
	}
	if s := string(out); !strings.Contains(s, "Current user:\t\troot@localhost") || !strings.Contains(s, "Threads: ") {
		t.Errorf("mariadb -e status:\n%s", s)
	}
	// Refused logins print MySQL's messages.
	out, err = exec.Command(cli, "--no-defaults", "-h127.0.0.1", "-P"+strings.Split(addr, ":")[1], "-ubob", "-e", "SELECT 1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ERROR 1045 (28000): Access denied for user 'bob'@'localhost' (using password: NO)") {
		t.Errorf("bob: %v\n%s", err, out)
	}
}
