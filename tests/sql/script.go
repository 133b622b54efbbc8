package sql

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// ReadScript splits a .test file into statements: lines are joined until one
// ends with ';'. Lines starting with '#' or '--' (outside a statement) are comments.
func ReadScript(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	var cur []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if len(cur) == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "--")) {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSpace(strings.Join(cur, "\n"))
			out = append(out, strings.TrimSuffix(stmt, ";"))
			cur = nil
		}
	}
	if len(cur) > 0 {
		return nil, fmt.Errorf("%s: statement without a final ';': %q", path, strings.Join(cur, "\n"))
	}
	return out, sc.Err()
}

// Outcome is one statement's result in a server-neutral form.
type Outcome struct {
	Columns      []string
	Rows         [][]string // "NULL" for NULL
	AffectedRows int64
	LastInsertID int64
	Err          string // "Error 1062 (23000): …"
}

// IsQuery reports whether a statement is run as a query (result set) rather than an exec.
func IsQuery(stmt string) bool {
	w := strings.ToLower(strings.Fields(stmt)[0])
	switch w {
	case "select", "show", "explain", "describe", "desc", "with", "values", "(select", "analyze", "check":
		return true
	}
	return false
}

// Render writes the outcome as the .result file shows it.
func Render(b *strings.Builder, stmt string, o Outcome) {
	b.WriteString("> ")
	b.WriteString(strings.ReplaceAll(stmt, "\n", "\n> "))
	b.WriteString("\n")
	switch {
	case o.Err != "":
		b.WriteString(o.Err + "\n")
	case o.Columns != nil:
		b.WriteString(strings.Join(o.Columns, "\t") + "\n")
		for _, r := range o.Rows {
			b.WriteString(strings.ReplaceAll(strings.Join(r, "\t"), "\n", "\\n") + "\n")
		}
	default:
		fmt.Fprintf(b, "affected rows: %d", o.AffectedRows)
		if o.LastInsertID != 0 {
			fmt.Fprintf(b, ", last insert id: %d", o.LastInsertID)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}
