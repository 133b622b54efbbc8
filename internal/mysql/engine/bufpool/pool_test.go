package bufpool

import (
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

const ps = page.Size16K

type memFiles struct {
	mu      sync.Mutex
	pages   map[PageID][]byte
	flushed *fakeLog
	walErr  error
}

func (m *memFiles) ReadPage(space, no uint32, buf []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.pages[ID(space, no)]; ok {
		copy(buf, p)
	} else {
		clear(buf)
	}
	return nil
}

func (m *memFiles) WritePage(space, no uint32, buf []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if page.LSN(buf) > m.flushed.lsn() {
		m.walErr = errors.New("page written before its redo was flushed")
	}
	m.pages[ID(space, no)] = append([]byte(nil), buf...)
	return nil
}

func (m *memFiles) Sync(uint32) error { return nil }

type fakeLog struct {
	mu      sync.Mutex
	flushed uint64
}

func (l *fakeLog) FlushUpTo(lsn uint64, sync bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushed = max(l.flushed, lsn)
	return nil
}

func (l *fakeLog) lsn() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushed
}

func newPool(t *testing.T, frames int) (*Pool, *memFiles) {
	log := &fakeLog{}
	files := &memFiles{pages: map[PageID][]byte{}, flushed: log}
	fs := vfs.NewMem()
	f, err := fs.OpenFile("/dblwr", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return New(ps, int64(frames*ps), files, log, NewDoublewrite(f, ps)), files
}

// write changes a page as a mini-transaction would: exclusive latch, LSN, dirty.
func write(t *testing.T, p *Pool, no uint32, lsn uint64, b byte) {
	f, err := p.Fix(1, no)
	if err != nil {
		t.Fatal(err)
	}
	f.Latch.Lock()
	page.Init(f.Data, 1, no, page.TypeLeaf, 0)
	f.Data[page.HeaderSize] = b
	f.MarkDirty(lsn - 1)
	page.SetLSN(f.Data, lsn)
	f.Latch.Unlock()
	p.Unfix(f)
}

func TestEvictionWithPoolSmallerThanData(t *testing.T) {
	p, files := newPool(t, 32)
	for i := uint32(1); i <= 300; i++ {
		write(t, p, i, uint64(i)*10, byte(i))
	}
	if err := p.CheckPins(); err != nil {
		t.Fatal(err)
	}
	if p.Stats.PagesWritten.Load() < 300-32 {
		t.Fatalf("only %d pages written back for 300 dirty pages in 32 frames", p.Stats.PagesWritten.Load())
	}
	for i := uint32(1); i <= 300; i++ {
		f, err := p.Fix(1, i)
		if err != nil {
			t.Fatal(err)
		}
		if f.Data[page.HeaderSize] != byte(i) {
			t.Fatalf("page %d lost its change", i)
		}
		p.Unfix(f)
	}
	if _, err := p.FlushAll(); err != nil {
		t.Fatal(err)
	}
	if _, _, dirty := p.Counts(); dirty != 0 {
		t.Fatalf("%d dirty after FlushAll", dirty)
	}
	if files.walErr != nil {
		t.Fatal(files.walErr)
	}
}

func TestAllPinnedIsAnError(t *testing.T) {
	p, _ := newPool(t, 32)
	p.WaitLimit = 20 * time.Millisecond
	var held []*Frame
	for i := uint32(1); i <= 32; i++ {
		f, err := p.Fix(1, i)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
	}
	if _, err := p.Fix(1, 99); !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("33rd pin of a 32-frame pool: %v", err)
	}
	if err := p.CheckPins(); err == nil {
		t.Fatal("CheckPins missed pinned pages")
	}
	for _, f := range held {
		p.Unfix(f)
	}
	if _, err := p.Fix(1, 99); err != nil {
		t.Fatal(err)
	}
}

// TestScanDoesNotEvictHotPages: pages used twice live in the young sublist;
// a scan that touches many pages once cycles through the old sublist only.
func TestScanDoesNotEvictHotPages(t *testing.T) {
	p, _ := newPool(t, 64)
	touch := func(no uint32) {
		f, err := p.Fix(1, no)
		if err != nil {
			t.Fatal(err)
		}
		p.Unfix(f)
	}
	for round := 0; round < 2; round++ {
		for i := uint32(1); i <= 20; i++ {
			touch(i)
		}
	}
	for i := uint32(1000); i < 1500; i++ {
		touch(i)
	}
	before := p.Stats.Reads.Load()
	for i := uint32(1); i <= 20; i++ {
		touch(i)
	}
	if n := p.Stats.Reads.Load() - before; n != 0 {
		t.Fatalf("a 500-page scan evicted %d of 20 hot pages", n)
	}
}

func TestCorruptPageIsReported(t *testing.T) {
	p, files := newPool(t, 32)
	bad := make([]byte, ps)
	page.Init(bad, 1, 5, page.TypeLeaf, 0)
	page.SetChecksum(bad)
	bad[100] ^= 0xff
	files.pages[ID(1, 5)] = bad
	if _, err := p.Fix(1, 5); !errors.Is(err, ErrCorruptPage) {
		t.Fatalf("corrupt page: %v", err)
	}
	if err := p.CheckPins(); err != nil {
		t.Fatal(err)
	}
}

func TestDoublewriteRestoresTornPage(t *testing.T) {
	p, files := newPool(t, 32)
	write(t, p, 7, 50, 0xab)
	if _, err := p.FlushAll(); err != nil {
		t.Fatal(err)
	}
	torn := append([]byte(nil), files.pages[ID(1, 7)]...)
	clear(torn[page.HeaderSize-8 : page.HeaderSize+8])
	files.pages[ID(1, 7)] = torn
	n, err := p.dblwr.RestoreTorn(files, func(uint32) bool { return true })
	if err != nil || n != 1 {
		t.Fatalf("restored %d: %v", n, err)
	}
	if !page.Verify(files.pages[ID(1, 7)]) || files.pages[ID(1, 7)][page.HeaderSize] != 0xab {
		t.Fatal("page not restored")
	}
}
