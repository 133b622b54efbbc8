package redo

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

func payload(i int) []byte {
	b := AppendRecordHeader(nil, 1, uint32(i), page.OpWrite)
	b = page.AppendWrite(b, 100, []byte(fmt.Sprintf("payload %d", i)))
	FinishRecord(b, 0)
	return b
}

func readAll(t *testing.T, l *Log) [][]byte {
	t.Helper()
	var out [][]byte
	if err := l.Replay(func(lsn, end uint64, p []byte) error {
		out = append(out, append([]byte(nil), p...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAppendFlushReopen(t *testing.T) {
	fs := vfs.NewMem()
	opts := Options{FS: fs, Dir: "/r", SegmentSize: 300}
	l, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	var lsns []uint64
	for i := 0; i < 40; i++ {
		lsns = append(lsns, l.Append(payload(i)))
		if i%3 == 0 {
			if err := l.FlushUpTo(lsns[i], true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.FlushUpTo(lsns[39], true); err != nil {
		t.Fatal(err)
	}
	// Only what was synced survives a crash; all 40 blocks were.
	crashed := fs.Crash()
	l2, err := Open(Options{FS: crashed, Dir: "/r", SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, l2)
	if len(got) != 40 || !bytes.Equal(got[17], payload(17)) {
		t.Fatalf("replayed %d blocks", len(got))
	}
	if l2.CurrentLSN() != lsns[39] {
		t.Fatalf("reopened at %d, want %d", l2.CurrentLSN(), lsns[39])
	}
	// A checkpoint drops whole segments before it.
	if err := l2.SetCheckpoint(lsns[30]); err != nil {
		t.Fatal(err)
	}
	ents, _ := crashed.ReadDir("/r")
	if got := readAll(t, l2); len(got) != 9 {
		t.Fatalf("after checkpoint %d blocks replay, want 9", len(got))
	}
	l3, err := Open(Options{FS: crashed.Crash(), Dir: "/r", SegmentSize: 300})
	if err != nil {
		t.Fatalf("reopen after checkpoint (%d files): %v", len(ents), err)
	}
	if got := readAll(t, l3); len(got) != 9 {
		t.Fatalf("reopened after checkpoint: %d blocks", len(got))
	}
}

func TestTornTailIsCut(t *testing.T) {
	fs := vfs.NewMem()
	l, _ := Open(Options{FS: fs, Dir: "/r"})
	var end uint64
	for i := 0; i < 5; i++ {
		end = l.Append(payload(i))
	}
	l.FlushUpTo(end, true)
	// Half a block after the valid end, as a crash in mid-write leaves it.
	f, _ := fs.OpenFile("/r/#ib_redo16", os.O_RDWR, 0)
	half := append([]byte{0, 0, 0, 50, 1, 2, 3, 4}, make([]byte, 20)...)
	f.WriteAt(half, int64(end-FirstLSN))
	f.Sync()
	l2, err := Open(Options{FS: fs, Dir: "/r"})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, l2); len(got) != 5 || l2.CurrentLSN() != end {
		t.Fatalf("%d blocks, end %d want %d", len(got), l2.CurrentLSN(), end)
	}
	// New blocks go where the torn one was and survive.
	e2 := l2.Append(payload(9))
	l2.FlushUpTo(e2, true)
	l3, _ := Open(Options{FS: fs.Crash(), Dir: "/r"})
	if got := readAll(t, l3); len(got) != 6 || !bytes.Equal(got[5], payload(9)) {
		t.Fatalf("after rewrite: %d blocks", len(got))
	}
}

// TestGroupCommit: many concurrent committers share fsyncs.
func TestGroupCommit(t *testing.T) {
	// A disk whose fsync takes a millisecond, as a real one does.
	fs := vfs.ErrorFS{FS: vfs.NewMem(), Inject: func(op vfs.Op, _ string) error {
		if op == vfs.OpSync {
			time.Sleep(time.Millisecond)
		}
		return nil
	}}
	l, _ := Open(Options{FS: fs, Dir: "/r"})
	base := l.Stats.Fsyncs.Load()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := l.FlushUpTo(l.Append(payload(g*100+i)), true); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	n := l.Stats.Fsyncs.Load() - base
	if n > 800/4 {
		t.Fatalf("%d fsyncs for 800 commits: no grouping", n)
	}
	if l.FlushedLSN() != l.CurrentLSN() {
		t.Fatal("not everything flushed")
	}
	t.Logf("800 commits, %d fsyncs", n)
}

func TestFailedWritePoisons(t *testing.T) {
	mem := vfs.NewMem()
	fail := false
	fs := vfs.ErrorFS{FS: mem, Inject: func(op vfs.Op, path string) error {
		if fail && op == vfs.OpSync {
			return fmt.Errorf("injected")
		}
		return nil
	}}
	l, err := Open(Options{FS: fs, Dir: "/r"})
	if err != nil {
		t.Fatal(err)
	}
	fail = true
	if err := l.FlushUpTo(l.Append(payload(1)), true); err == nil {
		t.Fatal("fsync failure not reported")
	}
	fail = false
	if err := l.FlushUpTo(l.Append(payload(2)), true); err == nil {
		t.Fatal("a log that failed an fsync must refuse further commits")
	}
}

func FuzzDecodePayload(f *testing.F) {
	f.Add(payload(1))
	f.Add(append(payload(1), payload(2)...))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 2, 4, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		_ = DecodePayload(b, func(r Record) error {
			n += RecordHeaderSize + len(r.Body)
			p := make([]byte, page.Size16K)
			_ = page.Apply(p, r.Kind, r.Body)
			return nil
		})
		if n > len(b) {
			t.Fatalf("decoded %d bytes from %d", n, len(b))
		}
	})
}

// FuzzOpenSegment: whatever a segment file holds, Open must not panic and
// must replay only blocks whose checksum holds.
func FuzzOpenSegment(f *testing.F) {
	fs := vfs.NewMem()
	l, _ := Open(Options{FS: fs, Dir: "/r"})
	l.FlushUpTo(l.Append(payload(1)), true)
	l.FlushUpTo(l.Append(payload(2)), true)
	seg, _ := fs.OpenFile("/r/#ib_redo16", os.O_RDONLY, 0)
	buf := make([]byte, 4096)
	n, _ := seg.ReadAt(buf, 0)
	f.Add(buf[:n])
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fs.Crash()
		w, _ := m.OpenFile("/r/#ib_redo16", os.O_RDWR|os.O_TRUNC, 0)
		w.WriteAt(data, 0)
		w.Sync()
		l, err := Open(Options{FS: m, Dir: "/r"})
		if err != nil {
			return
		}
		_ = l.Replay(func(lsn, end uint64, p []byte) error {
			return DecodePayload(p, func(Record) error { return nil })
		})
	})
}

// TestPreallocatedSegmentsOnDisk: on real files segments are zero-filled
// ahead of the writes; replay must step from a segment's last block over the
// fill into the next segment, and a reopen must continue correctly.
func TestPreallocatedSegmentsOnDisk(t *testing.T) {
	dir := t.TempDir()
	opts := Options{FS: vfs.Default, Dir: dir, SegmentSize: 1000}
	l, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := l.FlushUpTo(l.Append(payload(i)), true); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := vfs.Default.Stat(dir + "/#ib_redo16"); st.Size() < preallocStep {
		t.Fatalf("segment not preallocated: %d bytes", st.Size())
	}
	if got := readAll(t, l); len(got) != 100 {
		t.Fatalf("replayed %d of 100 blocks across preallocated segments", len(got))
	}
	l.Close()
	l, err = Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	l.FlushUpTo(l.Append(payload(100)), true)
	if got := readAll(t, l); len(got) != 101 || !bytes.Equal(got[100], payload(100)) {
		t.Fatalf("after reopen: %d blocks", len(got))
	}
	l.Close()
}
