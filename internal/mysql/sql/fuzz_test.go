package sql

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine/memory"
)

// FuzzQuery runs arbitrary statement text against a small schema: the
// executor must answer with a result or an error, never panic. The seeds are
// the statements of tests/sql/*.test.
func FuzzQuery(f *testing.F) {
	files, _ := filepath.Glob("../../../tests/sql/*.test")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, stmt := range strings.Split(string(b), ";\n") {
			if s := strings.TrimSpace(stmt); s != "" && !strings.HasPrefix(s, "#") {
				f.Add(s)
			}
		}
	}
	f.Fuzz(func(t *testing.T, q string) {
		x, err := NewExecutor(memory.New(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := NewSession("root", "127.0.0.1")
		ctx := context.Background()
		for _, setup := range []string{"CREATE DATABASE sqltest", "USE sqltest",
			"CREATE TABLE t (id INT PRIMARY KEY, k INT NOT NULL, c VARCHAR(20), d DECIMAL(10,2), KEY k_idx (k))",
			"INSERT INTO t VALUES (1, 10, 'apple', 1.50), (2, 20, 'Banana', 2.25), (3, 10, NULL, NULL)"} {
			if _, err := x.Query(ctx, s, setup); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = x.Query(ctx, s, q)
		x.EndSession(s)
	})
}
