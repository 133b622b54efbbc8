package vfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestMemCrashKeepsOnlySynced(t *testing.T) {
	m := NewMem()
	m.MkdirAll("/d", 0o755)
	f, _ := m.OpenFile("/d/a", os.O_RDWR|os.O_CREATE, 0o644)
	f.Write([]byte("synced"))
	f.Sync()
	f.Write([]byte(" lost"))
	g, _ := m.OpenFile("/d/b", os.O_RDWR|os.O_CREATE, 0o644)
	g.Write([]byte("x"))
	g.Sync() // the file's data, but not its directory entry
	c := m.Crash()
	if _, err := c.Stat("/d/a"); err == nil {
		t.Fatal("a file whose directory was never synced survived")
	}
	m.SyncDir("/d")
	c = m.Crash()
	a, err := c.OpenFile("/d/a", os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 20)
	n, _ := a.ReadAt(buf, 0)
	if string(buf[:n]) != "synced" {
		t.Fatalf("after crash: %q", buf[:n])
	}
	// CrashTorn may keep any part of the unsynced bytes, in chunks.
	torn := m.CrashTorn(2, func(int) int { return 1 })
	a, _ = torn.OpenFile("/d/a", os.O_RDONLY, 0)
	n, _ = a.ReadAt(buf, 0)
	if string(buf[:n]) != "synced lost" {
		t.Fatalf("torn crash keeping every chunk: %q", buf[:n])
	}
}

func TestErrorFSInjects(t *testing.T) {
	boom := errors.New("boom")
	fs := ErrorFS{FS: NewMem(), Inject: func(op Op, path string) error {
		if op == OpSync {
			return boom
		}
		return nil
	}}
	fs.MkdirAll("/x", 0o755)
	f, err := fs.OpenFile("/x/f", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); !errors.Is(err, boom) {
		t.Fatalf("sync: %v", err)
	}
}

func TestLock(t *testing.T) {
	for _, fs := range []FS{Default, NewMem()} {
		dir := t.TempDir()
		fs.MkdirAll(dir, 0o755)
		name := filepath.Join(dir, "lockfile")
		release, err := Lock(fs, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Lock(fs, name); !errors.Is(err, ErrLocked) {
			t.Fatalf("%T: second lock: %v", fs, err)
		}
		release()
		again, err := Lock(fs, name)
		if err != nil {
			t.Fatalf("%T: lock after release: %v", fs, err)
		}
		again()
	}
}
