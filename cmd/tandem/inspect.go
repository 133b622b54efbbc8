package main

import (
	"os"

	"github.com/tandem-db/tandem/internal/mysql/engine/inspect"
	"github.com/tandem-db/tandem/internal/mysql/sql"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// runInspect dumps and checks the SQL engine's files offline:
// tandem inspect pages FILE | redo DIR | undo DIR | check DIR.
func runInspect(args []string) error {
	return inspect.CommandWith(os.Stdout, vfs.Default, args, sql.CheckOptions())
}
