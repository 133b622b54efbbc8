package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

func buildDir(t *testing.T, fs vfs.FS) {
	e, err := engine.Open(engine.Options{Dir: "/d", FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.CreateTable(engine.TableSpec{Schema: "s", Name: "t", Indexes: []engine.IndexSpec{{Name: "PRIMARY"}}})
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := e.Begin(context.Background(), engine.TxnOptions{})
	for i := 0; i < 500; i++ {
		if err := tx.Insert(info.ID, 0, []byte(fmt.Sprintf("k%04d", i)), bytes.Repeat([]byte("v"), 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDumpAndCheck(t *testing.T) {
	fs := vfs.NewMem()
	buildDir(t, fs)
	var out strings.Builder
	if err := Dump(&out, fs, "/d/mysql/s/t.ibd", 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "page 1: type=internal") || !strings.Contains(out.String(), "type=leaf") || strings.Contains(out.String(), "BAD") {
		t.Fatalf("dump:\n%s", out.String())
	}
	out.Reset()
	if err := Dump(&out, fs, "/d/mysql/ibdata1", 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "page 0: type=space") || !strings.Contains(out.String(), "page 1: type=trxsys") {
		t.Fatalf("dump ibdata1:\n%s", out.String())
	}
	out.Reset()
	if err := DumpRedo(&out, fs, "/d/mysql/#innodb_redo", 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "insert space=1 page=") || !strings.Contains(out.String(), "checkpoint=") {
		t.Fatalf("redo dump:\n%.2000s", out.String())
	}
	out.Reset()
	if err := Check(&out, fs, "/d", engine.CheckOptions{}); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}

	// Corrupt a leaf in place (no doublewrite copy can help): Check must fail.
	f, err := fs.OpenFile("/d/mysql/s/t.ibd", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("garbage"), 2*16384+500); err != nil {
		t.Fatal(err)
	}
	f.Sync()
	f.Close()
	out.Reset()
	err = Dump(&out, fs, "/d/mysql/s/t.ibd", 0)
	if !errors.Is(err, ErrBadPages) || !strings.Contains(out.String(), "page 2: type=leaf lsn=") || !strings.Contains(out.String(), "checksum=BAD") {
		t.Fatalf("dump of a corrupt file: %v\n%s", err, out.String())
	}
	// With the doublewrite copy the engine repairs the page at start-up, as InnoDB does.
	out.Reset()
	if err := Check(&out, fs, "/d", engine.CheckOptions{}); err != nil {
		t.Fatalf("check after a repairable corruption: %v\n%s", err, out.String())
	}
	f, _ = fs.OpenFile("/d/mysql/s/t.ibd", os.O_RDWR, 0)
	f.WriteAt([]byte("garbage"), 2*16384+500)
	f.Sync()
	f.Close()
	if err := fs.Remove("/d/mysql/#ib_16384_0.dblwr"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := Check(&out, fs, "/d", engine.CheckOptions{}); err == nil {
		t.Fatalf("check passed a corrupt page:\n%s", out.String())
	}
}

func TestDumpUndo(t *testing.T) {
	fs := vfs.NewMem()
	e, err := engine.Open(engine.Options{Dir: "/u", FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := e.CreateTable(engine.TableSpec{Schema: "s", Name: "t"})
	tx, _ := e.Begin(context.Background(), engine.TxnOptions{})
	tx.Insert(info.ID, 0, []byte("k1"), []byte("v1"))
	tx.Update(info.ID, 0, []byte("k1"), []byte("v2"))
	// Write the pages out while the transaction is open, then look at the disk.
	if err := engine.Flush(e); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := DumpUndo(&out, fs, "/u/mysql/ibdata1"); err != nil {
		t.Fatal(err)
	}
	o := out.String()
	if !strings.Contains(o, "bytes of undo") || strings.Index(o, " update table=") > strings.Index(o, " insert table=") ||
		!strings.Contains(o, "key=6b31 old_value=2 bytes") {
		t.Fatalf("undo dump:\n%s", o)
	}
	tx.Rollback()
	e.Close()
	out.Reset()
	if err := DumpUndo(&out, fs, "/u/mysql/ibdata1"); err != nil || !strings.Contains(out.String(), "no active transactions") {
		t.Fatalf("after close: %v\n%s", err, out.String())
	}
}

func TestCommand(t *testing.T) {
	fs := vfs.NewMem()
	buildDir(t, fs)
	for _, args := range [][]string{
		{"pages", "/d/mysql/s/t.ibd"},
		{"redo", "/d"},
		{"undo", "/d"},
		{"check", "/d"},
	} {
		var out strings.Builder
		if err := Command(&out, fs, args); err != nil || out.Len() == 0 {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	if err := Command(io.Discard, fs, []string{"nope", "x"}); !errors.Is(err, ErrUsage) {
		t.Fatalf("unknown command: %v", err)
	}
}
