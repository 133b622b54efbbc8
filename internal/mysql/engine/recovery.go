package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tandem-db/tandem/internal/mysql/engine/btree"
	"github.com/tandem-db/tandem/internal/mysql/engine/bufpool"
	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/redo"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
)

// recover brings the data directory to a consistent state: repair torn pages
// from the doublewrite file, replay redo from the checkpoint (the system
// tablespace first, so the dictionary can name the other files), roll back the
// transactions that were active, remove files no dictionary entry owns, and
// take a checkpoint.
func (d *db) recover() error {
	isSys := func(s uint32) bool { return s == space.SystemSpace }
	if _, err := d.dblwr.RestoreTorn(d.reg, isSys); err != nil {
		return fmt.Errorf("engine: doublewrite restore: %w", err)
	}
	if err := d.replay(isSys); err != nil {
		return err
	}
	h, err := d.pool.Fix(space.SystemSpace, 0)
	if err != nil {
		return err
	}
	limit := space.U64(h.Data, space.OffNextTxnID)
	d.pool.Unfix(h)
	d.txnID.Store(limit)
	d.txnLimit.Store(limit)

	if err := d.loadDictionary(); err != nil {
		return err
	}
	notSys := func(s uint32) bool { return s != space.SystemSpace && d.reg.Has(s) }
	if _, err := d.dblwr.RestoreTorn(d.reg, notSys); err != nil {
		return fmt.Errorf("engine: doublewrite restore: %w", err)
	}
	if err := d.replay(notSys); err != nil {
		return err
	}
	logs, err := d.trxSys.Recover()
	if err != nil {
		return err
	}
	for _, l := range logs {
		if err := d.rollbackTo(l, 0); err != nil {
			return fmt.Errorf("engine: rolling back transaction %d: %w", l.TxnID(), err)
		}
		if _, err := l.Finish(); err != nil {
			return err
		}
	}
	if err := d.removeOrphans(); err != nil {
		return err
	}
	if err := d.durable(); err != nil {
		return err
	}
	return d.Checkpoint()
}

type replayPage struct {
	f     *bufpool.Frame
	apply bool
}

// replay applies the redo records of the accepted tablespaces.
func (d *db) replay(accept func(uint32) bool) error {
	var touched []replayPage
	return d.log.Replay(func(lsn, end uint64, payload []byte) error {
		touched = touched[:0]
		err := redo.DecodePayload(payload, func(r redo.Record) error {
			if !accept(r.Space) {
				return nil
			}
			id := bufpool.ID(r.Space, r.Page)
			var rp *replayPage
			for i := range touched {
				if touched[i].f.ID() == id {
					rp = &touched[i]
				}
			}
			if rp == nil {
				f, err := d.pool.Fix(r.Space, r.Page)
				if err != nil {
					return fmt.Errorf("engine: redo at LSN %d: %w", lsn, err)
				}
				touched = append(touched, replayPage{f: f, apply: page.LSN(f.Data) < end})
				rp = &touched[len(touched)-1]
			}
			if !rp.apply {
				return nil
			}
			rp.f.Latch.Lock()
			defer rp.f.Latch.Unlock()
			if err := page.Apply(rp.f.Data, r.Kind, r.Body); err != nil {
				return fmt.Errorf("engine: redo at LSN %d on page %d:%d (%v): %w", lsn, r.Space, r.Page, r.Kind, err)
			}
			return nil
		})
		for _, rp := range touched {
			if rp.apply {
				rp.f.Latch.Lock()
				rp.f.MarkDirty(lsn)
				page.SetLSN(rp.f.Data, end)
				rp.f.Latch.Unlock()
			}
			d.pool.Unfix(rp.f)
		}
		return err
	})
}

// loadDictionary reads schemas, tables and counters and opens the tablespaces.
func (d *db) loadDictionary() error {
	c := d.dict.Scan(btree.Bound{}, btree.Bound{}, false)
	counters := map[TableID][2]uint64{}
	var tables []*table
	for c.Next() {
		k, v := c.Key(), c.Value()
		switch {
		case len(k) > 0 && k[0] == 'S':
			d.mu.schemas[string(k[1:])] = true
		case len(k) == 9 && k[0] == 'T':
			t, err := decodeTable(TableID(binary.BigEndian.Uint64(k[1:])), v)
			if err != nil {
				return err
			}
			tables = append(tables, t)
		case len(k) == 9 && k[0] == 'C' && len(v) == 16:
			counters[TableID(binary.BigEndian.Uint64(k[1:]))] = [2]uint64{binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])}
		default:
			return fmt.Errorf("%w: key %x", errDictCorrupt, k)
		}
	}
	if err := c.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		t.counter.autoinc, t.counter.rowID = 1, rowIDBatch
		if cv, ok := counters[t.info.ID]; ok {
			t.counter.autoinc, t.counter.rowID = cv[0], cv[1]
		}
		path := d.tablePath(t.info.Schema, t.info.Name)
		// Finish a TRUNCATE that crashed between the dictionary change and the file swap.
		if sid, _, err := space.ReadHeader(d.fs, path+".trunc"); err == nil && sid == t.spaceID {
			if err := d.fs.Rename(path+".trunc", path); err != nil {
				return err
			}
			if err := d.fs.SyncDir(filepath.Dir(path)); err != nil {
				return err
			}
		}
		sid, ps, err := space.ReadHeader(d.fs, path)
		if err != nil {
			return fmt.Errorf("engine: table %s.%s: %w", t.info.Schema, t.info.Name, err)
		}
		if sid != t.spaceID || ps != d.ps {
			return fmt.Errorf("engine: %s holds tablespace %d (page size %d), the dictionary expects %d", path, sid, ps, t.spaceID)
		}
		if err := d.reg.Add(t.spaceID, path); err != nil {
			return err
		}
		d.openTrees(t)
		d.mu.tables[t.info.ID] = t
		d.mu.byName[nameKey(t.info.Schema, t.info.Name)] = t
		d.mu.schemas[t.info.Schema] = true
	}
	return nil
}

// removeOrphans deletes tablespace files no dictionary entry owns (a CREATE
// or TRUNCATE that crashed before its dictionary change was durable).
func (d *db) removeOrphans() error {
	ents, err := d.fs.ReadDir(d.root)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "#") {
			continue
		}
		dir := filepath.Join(d.root, e.Name())
		files, err := d.fs.ReadDir(dir)
		if err != nil {
			return err
		}
		removed := false
		for _, f := range files {
			name := f.Name()
			var orphan bool
			switch {
			case strings.HasSuffix(name, ".ibd.trunc"):
				orphan = true
			case strings.HasSuffix(name, ".ibd"):
				_, ok := d.mu.byName[nameKey(e.Name(), strings.TrimSuffix(name, ".ibd"))]
				orphan = !ok
			}
			if orphan {
				if err := d.fs.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				removed = true
			}
		}
		if removed {
			if err := d.fs.SyncDir(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// rollbackTo undoes l's records past length to, newest first. Each step is
// idempotent (an inverse that finds nothing to do is skipped) and is followed
// by truncating the log, so a crash in the middle resumes correctly.
func (d *db) rollbackTo(l *undo.Log, to uint64) error {
	for l.Length() > to {
		r, start, ok, err := l.Last()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := d.applyInverse(&r); err != nil {
			return err
		}
		if err := l.Truncate(start); err != nil {
			return err
		}
	}
	return nil
}

func (d *db) applyInverse(r *undo.Record) error {
	d.mu.RLock()
	t := d.mu.tables[TableID(r.Table)]
	d.mu.RUnlock()
	if t == nil || int(r.Index) >= len(t.trees) {
		return nil // the table or index is gone
	}
	tree := t.trees[r.Index]
	var err error
	switch r.Type {
	case undo.TypeInsert:
		if err = tree.Delete(r.Key, nil); errors.Is(err, btree.ErrNotFound) {
			err = nil
		}
	case undo.TypeUpdate:
		if err = tree.Update(r.Key, r.Old, r.OldTrx, r.OldRoll, nil); errors.Is(err, btree.ErrNotFound) {
			err = nil
		}
	case undo.TypeDelete:
		if err = tree.Insert(r.Key, r.Old, r.OldTrx, r.OldRoll); errors.Is(err, btree.ErrDuplicate) {
			err = nil
		}
	}
	return err
}
