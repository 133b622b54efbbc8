package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/lock"
	"github.com/tandem-db/tandem/internal/mysql/engine/mtr"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/redo"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// File names under Dir/mysql.
const (
	SystemFile = "ibdata1"
	RedoDir    = "#innodb_redo"
	LockFile   = "#lock" // held (flock) while an engine has the directory open
)

// DoublewriteFile is the doublewrite file's name for a page size.
func DoublewriteFile(pageSize int) string { return fmt.Sprintf("#ib_%d_0.dblwr", pageSize) }

const (
	trxSysPage = 1
	dictRoot   = 2
	// txnIDBatch is how many transaction IDs one persisted bump covers.
	txnIDBatch = 256
)

// ErrClosed is returned by calls on a closed engine.
var ErrClosed = errors.New("engine: closed")

type table struct {
	info    TableInfo
	spaceID uint32
	roots   []uint32
	trees   []*btree.Tree
	counter struct {
		sync.Mutex
		autoinc uint64
		rowID   uint64
	}
}

type rowStats struct {
	read, inserted, updated, deleted atomic.Uint64
}

// db is the InnoDB-like engine.
type db struct {
	opts   Options
	fs     vfs.FS
	root   string // Dir/mysql
	ps     int
	log    *redo.Log
	reg    *space.Registry
	pool   *bufpool.Pool
	dblwr  *bufpool.Doublewrite
	env    *mtr.Env
	dict   *btree.Tree
	trxSys *undo.Sys
	locks  *lock.Table
	rows   rowStats
	// cursors pools btree cursors for Scan.
	cursors sync.Pool

	txnID    atomic.Uint64 // last handed out
	txnLimit atomic.Uint64 // persisted bound: IDs below it are covered
	idMu     sync.Mutex

	// ddl is held shared by every row operation and exclusively by DDL.
	ddl sync.RWMutex
	mu  struct {
		sync.RWMutex
		tables  map[TableID]*table
		byName  map[string]*table
		schemas map[string]bool
		closed  bool
	}
	cpMu   sync.Mutex // one checkpoint at a time
	cpLSN  atomic.Uint64
	stop   chan struct{}
	bgDone chan struct{}
	unlock func() error // releases the data directory lock
}

func nameKey(schema, name string) string { return schema + "\x00" + name }

// Open creates or opens the engine's data directory.
func Open(opts Options) (Engine, error) {
	d, err := open(opts)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func open(opts Options) (*db, error) {
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if opts.BufferPoolSize == 0 {
		opts.BufferPoolSize = 128 << 20
	}
	if opts.CheckpointInterval == 0 {
		opts.CheckpointInterval = 10 * time.Second
	}
	if opts.LockWaitTimeout == 0 {
		opts.LockWaitTimeout = 50 * time.Second
	}
	if opts.LogCheckpointBytes == 0 {
		opts.LogCheckpointBytes = 256 << 20
	}
	if opts.PageSize != 0 && !page.ValidSize(opts.PageSize) {
		return nil, fmt.Errorf("engine: page size %d is not 16K, 32K or 64K", opts.PageSize)
	}
	d := &db{opts: opts, fs: opts.FS, root: filepath.Join(opts.Dir, "mysql"), locks: lock.New()}
	d.mu.tables = map[TableID]*table{}
	d.mu.byName = map[string]*table{}
	d.mu.schemas = map[string]bool{}
	if err := d.fs.MkdirAll(d.root, 0o755); err != nil {
		return nil, err
	}
	release, err := vfs.Lock(d.fs, filepath.Join(d.root, LockFile))
	if err != nil {
		return nil, fmt.Errorf("engine: data directory %s is in use: %w", d.root, err)
	}
	d.unlock = release
	ok := false
	defer func() {
		if !ok {
			release()
		}
	}()
	sysPath := filepath.Join(d.root, SystemFile)
	if _, err := d.fs.Stat(sysPath); errors.Is(err, os.ErrNotExist) {
		ps := opts.PageSize
		if ps == 0 {
			ps = page.Size16K
		}
		if err := initSystem(d.fs, d.root, ps); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	_, ps, err := space.ReadHeader(d.fs, sysPath)
	if err != nil {
		return nil, err
	}
	if opts.PageSize != 0 && opts.PageSize != ps {
		return nil, fmt.Errorf("engine: data directory has page size %d, not %d", ps, opts.PageSize)
	}
	d.ps = ps
	if d.log, err = redo.Open(redo.Options{FS: d.fs, Dir: filepath.Join(d.root, RedoDir), SegmentSize: opts.LogSegmentSize}); err != nil {
		return nil, err
	}
	dwf, err := d.fs.OpenFile(filepath.Join(d.root, DoublewriteFile(ps)), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	d.dblwr = bufpool.NewDoublewrite(dwf, ps)
	d.reg = space.NewRegistry(d.fs, ps)
	if err := d.reg.Add(space.SystemSpace, sysPath); err != nil {
		return nil, err
	}
	d.pool = bufpool.New(ps, opts.BufferPoolSize, d.reg, d.log, d.dblwr)
	d.env = &mtr.Env{Pool: d.pool, Log: d.log, KeyOrder: btree.KeyOrder}
	d.dict = btree.Open(d.env, space.SystemSpace, dictRoot)
	d.trxSys = undo.OpenSys(d.env, trxSysPage)
	if err := d.recover(); err != nil {
		d.closeFiles()
		return nil, err
	}
	d.stop = make(chan struct{})
	d.bgDone = make(chan struct{})
	go d.background()
	ok = true
	return d, nil
}

// initSystem writes a new ibdata1: header, trx-sys page, empty dictionary root.
func initSystem(fs vfs.FS, root string, ps int) error {
	tmp := filepath.Join(root, SystemFile+".new")
	f, err := fs.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	buf := make([]byte, 3*ps)
	h := buf[:ps]
	page.Init(h, 0, 0, page.TypeSpace, 0)
	binary.BigEndian.PutUint32(h[space.OffMagic:], space.Magic)
	binary.BigEndian.PutUint32(h[space.OffPageSize:], uint32(ps))
	binary.BigEndian.PutUint32(h[space.OffNumPages:], 3)
	binary.BigEndian.PutUint64(h[space.OffNextTxnID:], txnIDBatch)
	binary.BigEndian.PutUint64(h[space.OffNextTableID:], 1)
	binary.BigEndian.PutUint32(h[space.OffNextSpaceID:], 1)
	binary.BigEndian.PutUint32(h[space.OffDictRoot:], dictRoot)
	binary.BigEndian.PutUint32(h[space.OffTrxSysPage:], trxSysPage)
	page.Init(buf[ps:2*ps], 0, trxSysPage, page.TypeTrxSys, 0)
	page.Init(buf[2*ps:], 0, dictRoot, page.TypeLeaf, 0)
	for i := 0; i < 3; i++ {
		page.SetChecksum(buf[i*ps : (i+1)*ps])
	}
	if _, err := f.WriteAt(buf, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	// A fresh system tablespace starts a fresh log.
	if err := fs.RemoveAll(filepath.Join(root, RedoDir)); err != nil {
		return err
	}
	if err := fs.Rename(tmp, filepath.Join(root, SystemFile)); err != nil {
		return err
	}
	return fs.SyncDir(root)
}

func (d *db) tablePath(schema, name string) string {
	return filepath.Join(d.root, schema, name+".ibd")
}

// --- transaction IDs ---

func (d *db) nextTxnID() (uint64, error) {
	id := d.txnID.Add(1)
	if id < d.txnLimit.Load() {
		return id, nil
	}
	d.idMu.Lock()
	defer d.idMu.Unlock()
	if id < d.txnLimit.Load() {
		return id, nil
	}
	limit := id + txnIDBatch
	m := d.env.Begin()
	h, err := m.Get(space.SystemSpace, 0, true)
	if err != nil {
		m.Commit()
		return 0, err
	}
	space.Write64(m, h, space.OffNextTxnID, limit)
	m.Commit()
	d.txnLimit.Store(limit)
	return id, nil
}

// --- background work ---

func (d *db) background() {
	defer close(d.bgDone)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-d.stop:
			return
		case <-tick.C:
		}
		if d.opts.FlushLogAtTrxCommit != FlushAtCommit {
			_ = d.log.FlushUpTo(d.log.CurrentLSN(), true)
		}
		if time.Since(last) >= d.opts.CheckpointInterval ||
			int64(d.log.CurrentLSN()-d.cpLSN.Load()) > d.opts.LogCheckpointBytes {
			_ = d.Checkpoint()
			last = time.Now()
		}
	}
}

// Checkpoint writes back dirty pages and advances the redo checkpoint.
func (d *db) Checkpoint() error {
	d.cpMu.Lock()
	defer d.cpMu.Unlock()
	target := d.log.CurrentLSN()
	minDirty, err := d.pool.FlushAll()
	if err != nil {
		return err
	}
	cp := target
	if minDirty != 0 && minDirty < cp {
		cp = minDirty
	}
	if cp <= d.cpLSN.Load() {
		return nil
	}
	if err := d.log.SetCheckpoint(cp); err != nil {
		return err
	}
	d.cpLSN.Store(cp)
	return nil
}

// Close checkpoints and closes every file.
func (d *db) Close() error {
	d.mu.Lock()
	if d.mu.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	d.mu.closed = true
	d.mu.Unlock()
	close(d.stop)
	<-d.bgDone
	err := d.Checkpoint()
	d.closeFiles()
	return err
}

func (d *db) closeFiles() {
	if d.log != nil {
		d.log.Close()
	}
	if d.dblwr != nil {
		d.dblwr.Close()
	}
	if d.reg != nil {
		d.reg.Close()
	}
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
}

// --- Engine: transactions ---

// Begin starts a transaction.
func (d *db) Begin(ctx context.Context, opts TxnOptions) (Txn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.RLock()
	closed := d.mu.closed
	d.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	id, err := d.nextTxnID()
	if err != nil {
		return nil, err
	}
	if opts.LockWaitTimeout == 0 {
		opts.LockWaitTimeout = d.opts.LockWaitTimeout
	}
	return &txn{d: d, id: id, opts: opts}, nil
}

// Stats reports counters under InnoDB's names.
func (d *db) Stats() map[string]uint64 {
	total, free, dirty := d.pool.Counts()
	waits, deadlocks, timeouts, current := d.locks.Stats()
	ps := &d.pool.Stats
	ls := &d.log.Stats
	return map[string]uint64{
		"Innodb_buffer_pool_reads":            ps.Reads.Load(),
		"Innodb_buffer_pool_read_requests":    ps.ReadRequests.Load(),
		"Innodb_buffer_pool_pages_flushed":    ps.PagesWritten.Load(),
		"Innodb_buffer_pool_pages_total":      uint64(total),
		"Innodb_buffer_pool_pages_free":       uint64(free),
		"Innodb_buffer_pool_pages_dirty":      uint64(dirty),
		"Innodb_buffer_pool_pages_data":       uint64(total - free),
		"Innodb_pages_read":                   ps.PagesRead.Load(),
		"Innodb_pages_written":                ps.PagesWritten.Load(),
		"Innodb_data_fsyncs":                  ps.DataFsyncs.Load() + ls.Fsyncs.Load(),
		"Innodb_data_reads":                   ps.PagesRead.Load(),
		"Innodb_data_writes":                  ps.PagesWritten.Load() + ps.DblwrWrites.Load() + ls.Writes.Load(),
		"Innodb_data_read":                    ps.PagesRead.Load() * uint64(d.ps),
		"Innodb_data_written":                 (ps.PagesWritten.Load()+ps.DblwrPages.Load())*uint64(d.ps) + ls.BytesWritten.Load(),
		"Innodb_dblwr_pages_written":          ps.DblwrPages.Load(),
		"Innodb_dblwr_writes":                 ps.DblwrWrites.Load(),
		"Innodb_os_log_written":               ls.BytesWritten.Load(),
		"Innodb_os_log_fsyncs":                ls.Fsyncs.Load(),
		"Innodb_log_writes":                   ls.Writes.Load(),
		"Innodb_rows_read":                    d.rows.read.Load(),
		"Innodb_rows_inserted":                d.rows.inserted.Load(),
		"Innodb_rows_updated":                 d.rows.updated.Load(),
		"Innodb_rows_deleted":                 d.rows.deleted.Load(),
		"Innodb_page_size":                    uint64(d.ps),
		"Innodb_row_lock_waits":               waits,
		"Innodb_deadlocks":                    deadlocks,
		"Innodb_row_lock_timeouts":            timeouts,
		"Innodb_row_locks_held":               current,
		"Innodb_redo_log_current_lsn":         d.log.CurrentLSN(),
		"Innodb_redo_log_flushed_to_disk_lsn": d.log.FlushedLSN(),
		"Innodb_redo_log_checkpoint_lsn":      d.log.Checkpoint(),
	}
}

// --- dictionary records ---

func tableKey(id TableID) []byte {
	return binary.BigEndian.AppendUint64([]byte{'T'}, uint64(id))
}

func counterKey(id TableID) []byte {
	return binary.BigEndian.AppendUint64([]byte{'C'}, uint64(id))
}

func schemaKey(name string) []byte { return append([]byte{'S'}, name...) }

func appendStr(b []byte, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func encodeTable(t *table) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, t.spaceID)
	b = appendStr(b, []byte(t.info.Schema))
	b = appendStr(b, []byte(t.info.Name))
	b = appendStr(b, t.info.Meta)
	b = binary.BigEndian.AppendUint32(b, uint32(len(t.info.Indexes)))
	for i, ix := range t.info.Indexes {
		b = appendStr(b, []byte(ix.Name))
		u := byte(0)
		if ix.Unique {
			u = 1
		}
		b = append(b, u)
		b = binary.BigEndian.AppendUint32(b, t.roots[i])
	}
	return b
}

var errDictCorrupt = errors.New("engine: data dictionary record is corrupt")

type reader struct {
	b   []byte
	err error
}

func (r *reader) u32() uint32 {
	if len(r.b) < 4 {
		r.err = errDictCorrupt
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) str() []byte {
	n := r.u32()
	if r.err != nil || uint64(n) > uint64(len(r.b)) {
		r.err = errDictCorrupt
		return nil
	}
	s := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return s
}

func (r *reader) byte1() byte {
	if len(r.b) < 1 {
		r.err = errDictCorrupt
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func decodeTable(id TableID, b []byte) (*table, error) {
	r := &reader{b: b}
	t := &table{}
	t.info.ID = id
	t.spaceID = r.u32()
	t.info.Schema = string(r.str())
	t.info.Name = string(r.str())
	t.info.Meta = r.str()
	n := r.u32()
	if r.err == nil && n > 1<<16 {
		r.err = errDictCorrupt
	}
	for i := 0; i < int(n) && r.err == nil; i++ {
		ix := IndexSpec{Name: string(r.str())}
		ix.Unique = r.byte1() == 1
		t.info.Indexes = append(t.info.Indexes, ix)
		t.roots = append(t.roots, r.u32())
	}
	return t, r.err
}

func encodeCounters(autoinc, rowID uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, autoinc)
	return binary.BigEndian.AppendUint64(b, rowID)
}

// tableInfo returns a copy of a table's info with the current AUTO_INCREMENT.
func (t *table) tableInfo() TableInfo {
	info := t.info
	info.Indexes = append([]IndexSpec(nil), t.info.Indexes...)
	t.counter.Lock()
	info.AutoIncrement = t.counter.autoinc
	t.counter.Unlock()
	return info
}

// Schemas lists the schemas in name order.
func (d *db) Schemas() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]string, 0, len(d.mu.schemas))
	for s := range d.mu.schemas {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Tables lists all tables by ID.
func (d *db) Tables() []TableInfo {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]TableInfo, 0, len(d.mu.tables))
	for _, t := range d.mu.tables {
		out = append(out, t.tableInfo())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Table finds a table by name.
func (d *db) Table(schema, name string) (TableInfo, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	t, ok := d.mu.byName[nameKey(schema, name)]
	if !ok {
		return TableInfo{}, false
	}
	return t.tableInfo(), true
}

func (d *db) table(id TableID) (*table, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.mu.closed {
		return nil, ErrClosed
	}
	t, ok := d.mu.tables[id]
	if !ok {
		return nil, ErrNoSuchTable
	}
	return t, nil
}

// validName rejects names that would escape the data directory.
func validName(s string) error {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") {
		return fmt.Errorf("engine: invalid name %q", s)
	}
	return nil
}
