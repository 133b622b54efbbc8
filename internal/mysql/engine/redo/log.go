package redo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// BlockHeaderSize is the bytes in front of each mini-transaction payload.
const BlockHeaderSize = 16

// FirstLSN is the LSN of a new log's first block.
const FirstLSN = 16

const (
	segmentPrefix  = "#ib_redo"
	checkpointName = "#ib_checkpoint"
	slotSize       = 512
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options configure a log.
type Options struct {
	FS          vfs.FS
	Dir         string // directory holding the segments and the checkpoint file
	SegmentSize int64  // a new segment starts when the current one exceeds this (default 64 MB)
}

// Stats are the log's counters.
type Stats struct {
	BytesWritten atomic.Uint64 // Innodb_os_log_written
	Writes       atomic.Uint64 // Innodb_log_writes
	Fsyncs       atomic.Uint64 // Innodb_os_log_fsyncs
}

// Log is the redo log.
type Log struct {
	opts  Options
	Stats Stats

	mu struct {
		sync.Mutex
		cond       sync.Cond
		buf        []byte // appended, not yet written; starts at bufLSN
		spare      []byte
		bufLSN     uint64
		cur        uint64 // end of the last appended block
		written    uint64
		flushed    uint64
		flushing   bool
		err        error // a failed write or fsync poisons the log
		checkpoint uint64
		cpSeq      uint64
		segStart   uint64 // start LSN of the current segment
		segAlloc   int64  // bytes of the current segment already written (data or zero fill)
		seg        vfs.File
		segs       []uint64 // start LSNs of all segments, ascending
	}
	cpFile vfs.File
}

// Open opens the log in opts.Dir, creating a new one if there is none, and
// finds the end of the valid log (truncating a torn tail).
func Open(opts Options) (*Log, error) {
	if opts.SegmentSize == 0 {
		opts.SegmentSize = 64 << 20
	}
	l := &Log{opts: opts}
	l.mu.cond.L = &l.mu.Mutex
	if err := opts.FS.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	cpPath := filepath.Join(opts.Dir, checkpointName)
	f, err := opts.FS.OpenFile(cpPath, os.O_RDWR, 0)
	fresh := false
	if errors.Is(err, os.ErrNotExist) {
		fresh = true
	} else if err != nil {
		return nil, err
	}
	if fresh {
		if err := l.create(); err != nil {
			return nil, err
		}
		return l, nil
	}
	l.cpFile = f
	if err := l.readCheckpoint(); err != nil {
		return nil, err
	}
	if err := l.listSegments(); err != nil {
		return nil, err
	}
	end, err := l.scan(l.mu.checkpoint, nil)
	if err != nil {
		return nil, err
	}
	// Drop what follows the valid end: the rest of its segment and any later segment.
	var keep []uint64
	for _, s := range l.mu.segs {
		if s <= end || s == l.mu.segs[0] {
			keep = append(keep, s)
		} else {
			if err := opts.FS.Remove(l.segPath(s)); err != nil {
				return nil, err
			}
		}
	}
	l.mu.segs = keep
	last := keep[len(keep)-1]
	seg, err := opts.FS.OpenFile(l.segPath(last), os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if err := seg.Truncate(int64(end - last)); err != nil {
		return nil, err
	}
	if err := seg.Sync(); err != nil {
		return nil, err
	}
	l.Stats.Fsyncs.Add(1)
	l.mu.seg, l.mu.segStart, l.mu.segAlloc = seg, last, int64(end-last)
	l.mu.cur, l.mu.written, l.mu.flushed, l.mu.bufLSN = end, end, end, end
	return l, nil
}

func (l *Log) segPath(start uint64) string {
	return filepath.Join(l.opts.Dir, segmentPrefix+strconv.FormatUint(start, 10))
}

func (l *Log) create() error {
	seg, err := l.opts.FS.OpenFile(l.segPath(FirstLSN), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := seg.Sync(); err != nil {
		return err
	}
	f, err := l.opts.FS.OpenFile(filepath.Join(l.opts.Dir, checkpointName+".tmp"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	l.cpFile = f
	l.mu.seg, l.mu.segStart, l.mu.segs = seg, FirstLSN, []uint64{FirstLSN}
	l.mu.cur, l.mu.written, l.mu.flushed, l.mu.bufLSN = FirstLSN, FirstLSN, FirstLSN, FirstLSN
	if err := l.writeCheckpoint(FirstLSN); err != nil {
		return err
	}
	if err := l.writeCheckpoint(FirstLSN); err != nil {
		return err
	}
	if err := l.opts.FS.Rename(filepath.Join(l.opts.Dir, checkpointName+".tmp"), filepath.Join(l.opts.Dir, checkpointName)); err != nil {
		return err
	}
	return l.opts.FS.SyncDir(l.opts.Dir)
}

func (l *Log) readCheckpoint() error {
	var best, bestSeq uint64
	ok := false
	buf := make([]byte, slotSize)
	for i := 0; i < 2; i++ {
		if _, err := l.cpFile.ReadAt(buf, int64(i*slotSize)); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if binary.BigEndian.Uint32(buf[16:]) != crc32.Checksum(buf[:16], castagnoli) {
			continue
		}
		lsn, seq := binary.BigEndian.Uint64(buf), binary.BigEndian.Uint64(buf[8:])
		if !ok || seq > bestSeq {
			best, bestSeq, ok = lsn, seq, true
		}
	}
	if !ok {
		return fmt.Errorf("redo: no valid checkpoint in %s", checkpointName)
	}
	l.mu.checkpoint, l.mu.cpSeq = best, bestSeq
	return nil
}

// writeCheckpoint stores lsn in the next slot and syncs it.
func (l *Log) writeCheckpoint(lsn uint64) error {
	l.mu.Lock()
	l.mu.cpSeq++
	seq := l.mu.cpSeq
	l.mu.Unlock()
	buf := make([]byte, slotSize)
	binary.BigEndian.PutUint64(buf, lsn)
	binary.BigEndian.PutUint64(buf[8:], seq)
	binary.BigEndian.PutUint32(buf[16:], crc32.Checksum(buf[:16], castagnoli))
	if _, err := l.cpFile.WriteAt(buf, int64(seq%2)*slotSize); err != nil {
		return err
	}
	if err := l.cpFile.Sync(); err != nil {
		return err
	}
	l.Stats.Fsyncs.Add(1)
	l.mu.Lock()
	l.mu.checkpoint = lsn
	l.mu.Unlock()
	return nil
}

func (l *Log) listSegments() error {
	ents, err := l.opts.FS.ReadDir(l.opts.Dir)
	if err != nil {
		return err
	}
	l.mu.segs = nil
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), segmentPrefix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(e.Name(), segmentPrefix), 10, 64)
		if err != nil {
			continue
		}
		l.mu.segs = append(l.mu.segs, n)
	}
	sort.Slice(l.mu.segs, func(i, j int) bool { return l.mu.segs[i] < l.mu.segs[j] })
	if len(l.mu.segs) == 0 || l.mu.segs[0] > l.mu.checkpoint {
		return fmt.Errorf("redo: no segment holds the checkpoint LSN %d", l.mu.checkpoint)
	}
	return nil
}

// scan walks the valid blocks from LSN from, calling fn (if not nil) for
// each, and returns the end of the last valid block.
func (l *Log) scan(from uint64, fn func(lsn, end uint64, payload []byte) error) (uint64, error) {
	l.mu.Lock()
	segs := append([]uint64(nil), l.mu.segs...)
	l.mu.Unlock()
	pos := from
	for i, s := range segs {
		if i+1 < len(segs) && segs[i+1] <= pos {
			continue
		}
		if s > pos {
			break // a gap: the log ends at pos
		}
		f, err := l.opts.FS.OpenFile(l.segPath(s), os.O_RDONLY, 0)
		if err != nil {
			return 0, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return 0, err
		}
		data := make([]byte, st.Size())
		if _, err := f.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
			f.Close()
			return 0, err
		}
		f.Close()
		// A segment ends at its last valid block: what follows is zero fill
		// (preallocation) or a torn write. The next segment, if any, must
		// start exactly there.
		for {
			off := pos - s
			if off+BlockHeaderSize > uint64(len(data)) {
				break
			}
			b := data[off:]
			n := uint64(binary.BigEndian.Uint32(b))
			if off+BlockHeaderSize+n > uint64(len(data)) {
				break
			}
			if binary.BigEndian.Uint64(b[8:]) != pos ||
				binary.BigEndian.Uint32(b[4:]) != crc32.Checksum(b[8:BlockHeaderSize+n], castagnoli) {
				break
			}
			end := pos + BlockHeaderSize + n
			if fn != nil {
				if err := fn(pos, end, b[BlockHeaderSize:BlockHeaderSize+n]); err != nil {
					return pos, err
				}
			}
			pos = end
		}
		if i+1 < len(segs) && segs[i+1] != pos {
			return pos, nil // the next segment does not continue this one
		}
	}
	return pos, nil
}

// Replay calls fn for every valid block from the checkpoint on, in LSN order;
// end is the block's end LSN (the LSN a page carries once the block is applied).
func (l *Log) Replay(fn func(lsn, end uint64, payload []byte) error) error {
	_, err := l.scan(l.Checkpoint(), fn)
	return err
}

// ReplayFrom is Replay from an explicit LSN (for the inspector).
func (l *Log) ReplayFrom(from uint64, fn func(lsn, end uint64, payload []byte) error) error {
	_, err := l.scan(from, fn)
	return err
}

// Append adds one mini-transaction payload and returns its end LSN. It does
// not write; FlushUpTo does.
func (l *Log) Append(payload []byte) uint64 {
	l.mu.Lock()
	lsn := l.mu.cur
	var h [BlockHeaderSize]byte
	binary.BigEndian.PutUint32(h[:], uint32(len(payload)))
	binary.BigEndian.PutUint64(h[8:], lsn)
	c := crc32.Update(crc32.Checksum(h[8:], castagnoli), castagnoli, payload)
	binary.BigEndian.PutUint32(h[4:], c)
	l.mu.buf = append(l.mu.buf, h[:]...)
	l.mu.buf = append(l.mu.buf, payload...)
	l.mu.cur = lsn + BlockHeaderSize + uint64(len(payload))
	end := l.mu.cur
	l.mu.Unlock()
	return end
}

// preallocStep is how far ahead of the write position a segment is zero-filled.
const preallocStep = 4 << 20

// fdatasyncs reports whether f is an operating-system file, the only kind
// for which preallocation pays.
func fdatasyncs(f vfs.File) bool {
	_, ok := f.(interface{ Fd() uintptr })
	return ok
}

func (l *Log) segAlloc() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.segAlloc
}

// CurrentLSN is the end of the last appended block.
func (l *Log) CurrentLSN() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.cur
}

// FlushedLSN is the end of the durable log.
func (l *Log) FlushedLSN() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.flushed
}

// Checkpoint is the LSN recovery starts from.
func (l *Log) Checkpoint() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mu.checkpoint
}

// FlushUpTo makes the log durable (sync) or at least written to the file
// (!sync) up to lsn. Callers arriving while another flush runs wait for it
// and then one of them flushes everything appended meanwhile: one fsync per
// commit group.
func (l *Log) FlushUpTo(lsn uint64, sync bool) error {
	l.mu.Lock()
	for {
		if l.mu.err != nil {
			err := l.mu.err
			l.mu.Unlock()
			return err
		}
		if l.mu.flushed >= lsn || (!sync && l.mu.written >= lsn) {
			l.mu.Unlock()
			return nil
		}
		if !l.mu.flushing {
			break
		}
		l.mu.cond.Wait()
	}
	l.mu.flushing = true
	buf := l.mu.buf
	start, end := l.mu.bufLSN, l.mu.cur
	l.mu.buf, l.mu.spare = l.mu.spare[:0], nil
	l.mu.bufLSN = end
	seg, segStart := l.mu.seg, l.mu.segStart
	rotate := len(buf) > 0 && int64(start-segStart) >= l.opts.SegmentSize
	l.mu.Unlock()

	err := func() error {
		if rotate {
			nseg, err := l.opts.FS.OpenFile(l.segPath(start), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if err := seg.Sync(); err != nil {
				return err
			}
			if err := l.opts.FS.SyncDir(l.opts.Dir); err != nil {
				return err
			}
			l.Stats.Fsyncs.Add(1)
			l.mu.Lock()
			l.mu.seg, l.mu.segStart, l.mu.segAlloc = nseg, start, 0
			l.mu.segs = append(l.mu.segs, start)
			l.mu.Unlock()
			seg.Close()
			seg, segStart = nseg, start
		}
		if len(buf) > 0 {
			// Zero-fill ahead of the write position, so that most commits
			// overwrite allocated blocks and their fdatasync has no file
			// size or block allocation to journal.
			end := int64(start-segStart) + int64(len(buf))
			if alloc := l.segAlloc(); end > alloc && fdatasyncs(seg) {
				fill := max(int64(preallocStep), end-alloc)
				if _, err := seg.WriteAt(make([]byte, fill), alloc); err != nil {
					return err
				}
				l.mu.Lock()
				l.mu.segAlloc = alloc + fill
				l.mu.Unlock()
			}
			if _, err := seg.WriteAt(buf, int64(start-segStart)); err != nil {
				return err
			}
			l.Stats.BytesWritten.Add(uint64(len(buf)))
			l.Stats.Writes.Add(1)
		}
		if sync {
			if err := vfs.DataSync(seg); err != nil {
				return err
			}
			l.Stats.Fsyncs.Add(1)
		}
		return nil
	}()

	l.mu.Lock()
	l.mu.flushing = false
	if err != nil {
		l.mu.err = fmt.Errorf("redo: log write failed, the engine must restart: %w", err)
	} else {
		l.mu.written = end
		if sync {
			l.mu.flushed = end
		}
	}
	l.mu.spare = buf[:0]
	l.mu.cond.Broadcast()
	l.mu.Unlock()
	return err
}

// SetCheckpoint records that every page change before lsn is on disk and
// removes the segments that lie wholly before it.
func (l *Log) SetCheckpoint(lsn uint64) error {
	if err := l.FlushUpTo(lsn, true); err != nil {
		return err
	}
	if err := l.writeCheckpoint(lsn); err != nil {
		return err
	}
	l.mu.Lock()
	var drop []uint64
	for len(l.mu.segs) > 1 && l.mu.segs[1] <= lsn {
		drop = append(drop, l.mu.segs[0])
		l.mu.segs = l.mu.segs[1:]
	}
	l.mu.Unlock()
	for _, s := range drop {
		if err := l.opts.FS.Remove(l.segPath(s)); err != nil {
			return err
		}
	}
	return nil
}

// Close flushes and closes the log files.
func (l *Log) Close() error {
	err := l.FlushUpTo(l.CurrentLSN(), true)
	l.mu.Lock()
	if l.mu.seg != nil {
		l.mu.seg.Close()
		l.mu.seg = nil
	}
	l.mu.Unlock()
	if l.cpFile != nil {
		l.cpFile.Close()
	}
	return err
}

// Inspect reads a log directory without changing it: it reports the
// checkpoint LSN and calls fn for every valid block from LSN from (0: the
// oldest segment), returning the end of the valid log.
func Inspect(opts Options, from uint64, fn func(lsn, end uint64, payload []byte) error) (checkpoint, end uint64, err error) {
	l := &Log{opts: opts}
	l.mu.cond.L = &l.mu.Mutex
	f, err := opts.FS.OpenFile(filepath.Join(opts.Dir, checkpointName), os.O_RDONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	l.cpFile = f
	defer f.Close()
	if err := l.readCheckpoint(); err != nil {
		return 0, 0, err
	}
	if err := l.listSegments(); err != nil {
		return 0, 0, err
	}
	if from == 0 {
		from = l.mu.segs[0]
	}
	end, err = l.scan(from, fn)
	return l.mu.checkpoint, end, err
}
