package mysqle2e

import (
	"strings"
	"testing"
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
