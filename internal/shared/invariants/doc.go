// Package invariants switches expensive self-checks on in test builds: code
// guards them with `if invariants.Enabled { ... }`, which the compiler removes
// from normal builds; `go test -tags invariants` (what CI runs) turns them on.
// A failed invariant panics (storage must crash loudly, never continue on a
// broken structure). It imports nothing.
package invariants
