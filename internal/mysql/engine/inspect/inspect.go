package inspect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/redo"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// ErrBadPages is returned when a file has pages that fail their checksum.
var ErrBadPages = errors.New("inspect: pages fail their checksum")

// Dump prints every page of the tablespace file at path. pageSize 0 reads it
// from the file's header page.
func Dump(w io.Writer, fs vfs.FS, path string, pageSize int) error {
	if pageSize == 0 {
		_, ps, err := space.ReadHeader(fs, path)
		if err != nil {
			return err
		}
		pageSize = ps
	}
	bad, err := walkPages(fs, path, pageSize, func(no int, p []byte, ok bool) {
		t := page.PageType(p)
		fmt.Fprintf(w, "page %d: type=%s lsn=%d checksum=%s", no, t, page.LSN(p), okText(ok))
		switch t {
		case page.TypeLeaf, page.TypeInternal:
			fmt.Fprintf(w, " level=%d records=%d free=%d prev=%d next=%d", page.Level(p), page.NumSlots(p), page.FreeSpace(p), page.Prev(p), page.Next(p))
		case page.TypeSpace:
			fmt.Fprintf(w, " space=%d pages=%d free_head=%d", space.U32(p, space.OffSpaceID), space.U32(p, space.OffNumPages), space.U32(p, space.OffFreeHead))
			if space.U32(p, space.OffSpaceID) == space.SystemSpace {
				fmt.Fprintf(w, " next_txn=%d next_table=%d next_space=%d", space.U64(p, space.OffNextTxnID), space.U64(p, space.OffNextTableID), space.U32(p, space.OffNextSpaceID))
			}
		case page.TypeUndo:
			fmt.Fprintf(w, " txn=%d undo_length=%d next=%d", binary.BigEndian.Uint64(p[undo.OffTxnID:]), binary.BigEndian.Uint64(p[undo.OffLength:]), page.Next(p))
		case page.TypeOverflow, page.TypeFree:
			fmt.Fprintf(w, " next=%d", page.Next(p))
		case page.TypeTrxSys:
			var active []string
			for off := page.HeaderSize; off+4 <= len(p); off += 4 {
				if v := binary.BigEndian.Uint32(p[off:]); v != 0 {
					active = append(active, fmt.Sprint(v))
				}
			}
			fmt.Fprintf(w, " active_undo=[%s]", strings.Join(active, " "))
		}
		fmt.Fprintln(w)
	})
	if err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%w: %s: %d", ErrBadPages, path, bad)
	}
	return nil
}

func okText(ok bool) string {
	if ok {
		return "ok"
	}
	return "BAD"
}

// walkPages reads a file page by page; it returns how many fail their checksum.
func walkPages(fs vfs.FS, path string, pageSize int, fn func(no int, p []byte, ok bool)) (int, error) {
	f, err := fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, pageSize)
	bad := 0
	for no := 0; ; no++ {
		n, err := f.ReadAt(buf, int64(no)*int64(pageSize))
		if n < pageSize {
			if n > 0 {
				bad++
			}
			if err == nil || errors.Is(err, io.EOF) {
				return bad, nil
			}
			return bad, err
		}
		ok := page.Verify(buf)
		if !ok {
			bad++
		}
		fn(no, buf, ok)
	}
}

// DumpRedo prints the redo log in dir (the engine's "#innodb_redo" directory)
// from LSN from (0: the oldest block kept), one line per block and per page operation.
func DumpRedo(w io.Writer, fs vfs.FS, dir string, from uint64) error {
	cp, end, err := redo.Inspect(redo.Options{FS: fs, Dir: dir}, from, func(lsn, end uint64, payload []byte) error {
		fmt.Fprintf(w, "block lsn=%d end=%d bytes=%d\n", lsn, end, len(payload))
		return redo.DecodePayload(payload, func(r redo.Record) error {
			fmt.Fprintf(w, "  %s space=%d page=%d body=%d", r.Kind, r.Space, r.Page, len(r.Body))
			switch r.Kind {
			case page.OpWrite:
				if len(r.Body) >= 4 {
					fmt.Fprintf(w, " offset=%d", binary.BigEndian.Uint32(r.Body))
				}
			case page.OpInsert, page.OpDelete, page.OpReplace:
				if len(r.Body) >= 2 {
					fmt.Fprintf(w, " slot=%d", binary.BigEndian.Uint16(r.Body))
				}
			}
			fmt.Fprintln(w)
			return nil
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "checkpoint=%d end=%d\n", cp, end)
	return nil
}

// Check verifies the data directory dir (the server's --dir): every page
// checksum of ibdata1 and each .ibd file, then, through the engine (opening it
// runs crash recovery), the full consistency check. Problems are printed to w.
func Check(w io.Writer, fs vfs.FS, dir string, opts engine.CheckOptions) error {
	root := filepath.Join(dir, "mysql")
	sys := filepath.Join(root, engine.SystemFile)
	_, ps, err := space.ReadHeader(fs, sys)
	if err != nil {
		return err
	}
	files := []string{sys}
	ents, err := fs.ReadDir(root)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "#") {
			continue
		}
		sub, err := fs.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			return err
		}
		for _, f := range sub {
			if strings.HasSuffix(f.Name(), ".ibd") {
				files = append(files, filepath.Join(root, e.Name(), f.Name()))
			}
		}
	}
	sort.Strings(files[1:])
	var errs []error
	for _, path := range files {
		bad, err := walkPages(fs, path, ps, func(no int, p []byte, ok bool) {
			if !ok {
				fmt.Fprintf(w, "%s: page %d fails its checksum\n", path, no)
			}
		})
		if err != nil {
			errs = append(errs, err)
		} else if bad > 0 {
			// A torn page the doublewrite file still holds is repaired by recovery.
			fmt.Fprintf(w, "%s: %d bad pages (recovery may repair them from the doublewrite file)\n", path, bad)
		}
	}
	e, err := engine.Open(engine.Options{Dir: dir, FS: fs, BufferPoolSize: 16 << 20})
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if err := engine.Check(e, opts); err != nil {
		fmt.Fprintln(w, err)
		errs = append(errs, err)
	}
	if err := e.Close(); err != nil {
		errs = append(errs, err)
	}
	for _, path := range files {
		if bad, err := walkPages(fs, path, ps, func(int, []byte, bool) {}); err == nil && bad > 0 {
			errs = append(errs, fmt.Errorf("%w: %s: %d after recovery", ErrBadPages, path, bad))
		}
	}
	if len(errs) == 0 {
		fmt.Fprintf(w, "ok: %d tablespace files, %d tables\n", len(files), len(files)-1)
	}
	return errors.Join(errs...)
}
