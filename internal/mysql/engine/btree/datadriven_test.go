package btree

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// expandValue turns "*N" into N bytes (an overflow value when large) and
// "key:N" into the key followed by zero-padded N, for scripts.
func expandValue(s string) []byte {
	if strings.HasPrefix(s, "*") {
		n, _ := strconv.Atoi(s[1:])
		return []byte(strings.Repeat("x", n))
	}
	return []byte(s)
}

func expandKeys(arg string) []string {
	// "a00..a99" style ranges: prefix, first, last numbers of equal width.
	if lo, hi, ok := strings.Cut(arg, ".."); ok {
		i := strings.IndexAny(lo, "0123456789")
		prefix, width := lo[:i], len(lo)-i
		a, _ := strconv.Atoi(lo[i:])
		b, _ := strconv.Atoi(hi[i:])
		var out []string
		step := 1
		if b < a {
			step = -1
		}
		for n := a; ; n += step {
			out = append(out, fmt.Sprintf("%s%0*d", prefix, width, n))
			if n == b {
				break
			}
		}
		return out
	}
	return []string{arg}
}

func TestDatadriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var tr *Tree
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			var out strings.Builder
			switch td.Cmd {
			case "new":
				pool := 64
				if td.HasArg("pool") {
					td.ScanArgs(t, "pool", &pool)
				}
				tr = newTestTree(t, 16<<10, pool)
				return "ok"
			case "insert", "update", "delete":
				for _, line := range strings.Split(strings.TrimSpace(td.Input), "\n") {
					f := strings.Fields(line)
					val := "v"
					if len(f) > 1 {
						val = f[1]
					}
					var errs []string
					for _, k := range expandKeys(f[0]) {
						var err error
						switch td.Cmd {
						case "insert":
							err = tr.Insert([]byte(k), expandValue(val), 1, 1)
						case "update":
							err = tr.Update([]byte(k), expandValue(val), 1, 1, nil)
						default:
							err = tr.Delete([]byte(k), nil)
						}
						if err != nil {
							errs = append(errs, fmt.Sprintf("%s: %v", k, err))
						}
					}
					for _, e := range errs {
						fmt.Fprintln(&out, e)
					}
				}
				if _, err := tr.Check(nil); err != nil {
					fmt.Fprintln(&out, "check:", err)
				}
				if out.Len() == 0 {
					return "ok"
				}
				return out.String()
			case "get":
				for _, k := range strings.Fields(td.Input) {
					v, _, _, ok, err := tr.Get([]byte(k), nil)
					switch {
					case err != nil:
						fmt.Fprintf(&out, "%s: %v\n", k, err)
					case !ok:
						fmt.Fprintf(&out, "%s: not found\n", k)
					case len(v) > 40:
						fmt.Fprintf(&out, "%s: %d bytes\n", k, len(v))
					default:
						fmt.Fprintf(&out, "%s: %s\n", k, v)
					}
				}
				return out.String()
			case "scan":
				var lo, hi Bound
				for _, a := range td.CmdArgs {
					switch a.Key {
					case "from", "after":
						lo = Bound{Key: []byte(a.Vals[0]), Inclusive: a.Key == "from"}
					case "to", "before":
						hi = Bound{Key: []byte(a.Vals[0]), Inclusive: a.Key == "to"}
					}
				}
				c := tr.Scan(lo, hi, td.HasArg("desc"))
				var keys []string
				for c.Next() {
					keys = append(keys, string(c.Key()))
				}
				if err := c.Err(); err != nil {
					return err.Error()
				}
				if len(keys) > 12 {
					return fmt.Sprintf("%d keys: %s ... %s\n", len(keys), strings.Join(keys[:3], " "), strings.Join(keys[len(keys)-3:], " "))
				}
				return strings.Join(keys, " ") + "\n"
			case "stats":
				st, err := tr.Check(nil)
				if err != nil {
					return err.Error()
				}
				return fmt.Sprintf("records=%d height=%d leaves=%d internal=%d overflow=%d\n", st.Records, st.Height, st.Leaves, st.Internal, st.Overflow)
			}
			t.Fatalf("unknown command %q", td.Cmd)
			return ""
		})
	})
}

var _ = errors.Is
