package inspect

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// Usage describes Command's arguments.
const Usage = `usage:
  inspect pages FILE [PAGE_SIZE]   pages of a tablespace file (.ibd, ibdata1, .dblwr)
  inspect redo DIR [FROM_LSN]      redo log blocks (DIR: the data root or its mysql/#innodb_redo)
  inspect undo DIR                 undo records of active transactions (DIR: the data root)
  inspect check DIR                full consistency check of a stopped server's data root`

// ErrUsage is returned for arguments Command does not understand.
var ErrUsage = errors.New("inspect: bad arguments\n" + Usage)

// Command runs one inspector command (what `tandem inspect ...` hands over
// for the SQL engine's files). Its check cannot match secondary entries to
// rows without the SQL layer's key decoder: CommandWith takes one.
func Command(w io.Writer, fs vfs.FS, args []string) error {
	return CommandWith(w, fs, args, engine.CheckOptions{})
}

// CommandWith is Command whose check uses opts (sql.CheckOptions() gives the
// SQL layer's PrimaryKeyOf).
func CommandWith(w io.Writer, fs vfs.FS, args []string, opts engine.CheckOptions) error {
	if len(args) < 2 {
		return ErrUsage
	}
	arg := func(i int) (uint64, error) {
		if len(args) <= i {
			return 0, nil
		}
		return strconv.ParseUint(args[i], 10, 64)
	}
	switch args[0] {
	case "pages":
		ps, err := arg(2)
		if err != nil {
			return ErrUsage
		}
		return Dump(w, fs, args[1], int(ps))
	case "redo":
		from, err := arg(2)
		if err != nil {
			return ErrUsage
		}
		dir := args[1]
		if _, err := fs.Stat(filepath.Join(dir, "mysql", engine.RedoDir)); err == nil {
			dir = filepath.Join(dir, "mysql", engine.RedoDir)
		}
		return DumpRedo(w, fs, dir, from)
	case "undo":
		return DumpUndo(w, fs, filepath.Join(args[1], "mysql", engine.SystemFile))
	case "check":
		return Check(w, fs, args[1], opts)
	}
	return fmt.Errorf("%w (unknown command %q)", ErrUsage, args[0])
}
