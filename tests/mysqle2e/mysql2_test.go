package mysqle2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMySQL2 runs testdata/mysql2/check.js with Node's mysql2 driver (the
// one under TypeORM) and compares its output with what it printed against
// mariadbd. mysql2 is found through TANDEM_MYSQL2_NODE_PATH, a
// node_modules directory holding it (npm install mysql2@3 in a temp dir);
// without it the test skips.
func TestMySQL2(t *testing.T) {
	node := needBinary(t, "node")
	modules := os.Getenv("TANDEM_MYSQL2_NODE_PATH")
	if modules == "" {
		t.Skip("TANDEM_MYSQL2_NODE_PATH (a node_modules with mysql2) is not set")
	}
	if _, err := os.Stat(filepath.Join(modules, "mysql2")); err != nil {
		t.Skipf("no mysql2 under %s", modules)
	}
	addr := target(t)
	_, port, _ := net.SplitHostPort(addr)
	want, err := os.ReadFile("testdata/mysql2/check.result")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "testdata/mysql2/check.js", port)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node check.js: %v\n%s", err, got)
	}
	if string(got) != string(want) {
		t.Errorf("mysql2 output differs from mariadbd's\n--- got\n%s--- want\n%s", got, want)
	}
}
