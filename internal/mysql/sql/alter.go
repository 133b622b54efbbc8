package sql

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// alterTable applies one non-index ALTER TABLE action; it returns the number
// of rows rewritten.
func (x *Executor) alterTable(ctx context.Context, s *Session, t *catalog.Table, d *sqlparser.DDL) (uint64, error) {
	switch {
	case d.AutoIncSpec != nil:
		v, ok := d.AutoIncSpec.Value.(*sqlparser.SQLVal)
		if !ok {
			return 0, errcode.NotSupported.New("AUTO_INCREMENT = " + sqlparser.String(d.AutoIncSpec.Value))
		}
		n, err := strconv.ParseUint(string(v.Val), 10, 64)
		if err != nil {
			return 0, errcode.ParseError.New(string(v.Val), 1)
		}
		return 0, x.engineErr(s, x.eng.BumpAutoIncrement(t.ID, n))
	case d.AlterCommentSpec != nil:
		nt := cloneTable(t)
		nt.Comment = d.AlterCommentSpec.Comment
		return 0, x.replaceMeta(s, t, nt)
	}
	if !strings.EqualFold(d.Action, "alter") {
		return 0, errcode.NotSupported.New("ALTER TABLE … " + strings.ToUpper(d.Action))
	}
	if d.ConstraintAction != "" {
		return 0, x.alterConstraint(s, t, d)
	}
	nt := cloneTable(t)
	// mapping[i] is the old position of new column i (-1: a new column)
	var mapping []int
	for i := range t.Columns {
		mapping = append(mapping, i)
	}
	rewrite := false
	copyAlgo := false // MySQL reports rows as affected only when it copies the table (a type change)
	switch strings.ToLower(d.ColumnAction) {
	case "add":
		if d.TableSpec == nil || len(d.TableSpec.Columns) != 1 {
			return 0, errcode.NotSupported.New("this ADD COLUMN form")
		}
		c, err := columnFromAST(d.TableSpec.Columns[0])
		if err != nil {
			return 0, err
		}
		if _, dup := t.Column(c.Name); dup {
			return 0, errcode.DupFieldName.New(c.Name)
		}
		if c.AutoInc || d.TableSpec.Columns[0].Type.KeyOpt != 0 {
			return 0, errcode.NotSupported.New("ADD COLUMN with a key or AUTO_INCREMENT")
		}
		pos, err := columnPosition(t, d.ColumnOrder)
		if err != nil {
			return 0, err
		}
		nt.Columns = append(nt.Columns[:pos], append([]catalog.Column{c}, nt.Columns[pos:]...)...)
		mapping = append(mapping[:pos], append([]int{-1}, mapping[pos:]...)...)
		shiftIndexes(nt, pos, +1)
		rewrite = true
	case "drop":
		i, ok := t.Column(d.Column.String())
		if !ok {
			return 0, errcode.CantDropKey.New(d.Column.String())
		}
		if len(t.Columns) == 1 {
			return 0, errcode.CantRemoveAllFields.New()
		}
		for _, ix := range t.Indexes {
			for _, ci := range ix.Columns {
				if ci == i {
					return 0, errcode.NotSupported.New("dropping an indexed column (drop the index first)")
				}
			}
		}
		nt.Columns = append(nt.Columns[:i], nt.Columns[i+1:]...)
		mapping = append(mapping[:i], mapping[i+1:]...)
		shiftIndexes(nt, i+1, -1)
		rewrite = true
	case "rename":
		i, ok := t.Column(d.Column.String())
		if !ok {
			return 0, errcode.BadField.New(d.Column.String(), t.Name)
		}
		if j, dup := t.Column(d.ToColumn.String()); dup && j != i {
			return 0, errcode.DupFieldName.New(d.ToColumn.String())
		}
		nt.Columns[i].Name = d.ToColumn.String()
	case "modify", "change":
		i, ok := t.Column(d.Column.String())
		if !ok {
			return 0, errcode.BadField.New(d.Column.String(), t.Name)
		}
		if d.TableSpec == nil || len(d.TableSpec.Columns) != 1 {
			return 0, errcode.NotSupported.New("this MODIFY COLUMN form")
		}
		c, err := columnFromAST(d.TableSpec.Columns[0])
		if err != nil {
			return 0, err
		}
		if j, dup := t.Column(c.Name); dup && j != i {
			return 0, errcode.DupFieldName.New(c.Name)
		}
		for _, ix := range t.Indexes {
			if ix.Primary && len(ix.Columns) > 0 {
				for _, ci := range ix.Columns {
					if ci == i {
						c.NotNull = true
					}
				}
			}
		}
		if t.Columns[i].AutoInc && !c.AutoInc {
			c.AutoInc = false
		}
		copyAlgo = c.Type != t.Columns[i].Type
		nt.Columns[i] = c
		if d.ColumnOrder != nil {
			return 0, errcode.NotSupported.New("MODIFY COLUMN … FIRST/AFTER")
		}
		rewrite = true
	default:
		return 0, errcode.NotSupported.New("ALTER TABLE " + strings.ToUpper(d.ColumnAction))
	}
	nt.Init()
	if !rewrite {
		return 0, x.replaceMeta(s, t, nt)
	}
	n, err := x.rewriteRows(ctx, s, t, nt, mapping)
	if err != nil {
		return 0, err
	}
	if !copyAlgo {
		n = 0
	}
	return n, x.replaceMeta(s, t, nt)
}

func (x *Executor) engineErr(s *Session, err error) error {
	if err == nil {
		return nil
	}
	return x.engineError(s, err)
}

// columnPosition is where ADD COLUMN puts the new column.
func columnPosition(t *catalog.Table, o *sqlparser.ColumnOrder) (int, error) {
	if o == nil {
		return len(t.Columns), nil
	}
	if o.First {
		return 0, nil
	}
	i, ok := t.Column(o.AfterColumn.String())
	if !ok {
		return 0, errcode.BadField.New(o.AfterColumn.String(), t.Name)
	}
	return i + 1, nil
}

// shiftIndexes moves index column positions at or after pos by delta.
func shiftIndexes(t *catalog.Table, pos, delta int) {
	for i := range t.Indexes {
		for k, ci := range t.Indexes[i].Columns {
			if ci >= pos {
				t.Indexes[i].Columns[k] = ci + delta
			}
		}
	}
}

func (x *Executor) replaceMeta(s *Session, old, nt *catalog.Table) error {
	nt.Init()
	if err := x.eng.AlterTableMeta(old.ID, nt.Encode()); err != nil {
		return x.engineError(s, err)
	}
	x.mu.Lock()
	x.mu.tables[tableKey(old.Schema, old.Name)] = nt
	x.mu.version++
	x.mu.Unlock()
	return nil
}

// rewriteRows converts every row to the new definition in one transaction,
// re-keying the clustered and secondary entries whose bytes change.
func (x *Executor) rewriteRows(ctx context.Context, s *Session, t, nt *catalog.Table, mapping []int) (uint64, error) {
	txn, err := x.eng.Begin(ctx, engine.TxnOptions{})
	if err != nil {
		return 0, x.engineError(s, err)
	}
	st := &stmtCtx{ctx: ctx, s: s, x: x, txn: txn, now: time.Now()}
	type item struct {
		key []byte
		row []types.Value
	}
	var items []item
	cur, err := txn.Scan(t.ID, 0, engine.Bound{}, engine.Bound{}, false, engine.LockExclusive)
	if err != nil {
		_ = txn.Rollback()
		return 0, x.engineError(s, err)
	}
	for cur.Next() {
		row, err := catalog.DecodeRow(nil, append([]byte(nil), cur.Value()...), len(t.Columns))
		if err != nil {
			_ = cur.Close()
			_ = txn.Rollback()
			return 0, err
		}
		items = append(items, item{key: append([]byte(nil), cur.Key()...), row: row})
	}
	_ = cur.Close()
	fail := func(err error) (uint64, error) {
		_ = txn.Rollback()
		return 0, err
	}
	for n, it := range items {
		nr := make([]types.Value, len(nt.Columns))
		for i, from := range mapping {
			c := &nt.Columns[i]
			if from < 0 {
				if c.NotNull && c.Default == nil && !c.DefaultNow {
					nr[i] = implicitDefault(c) // ALTER fills a NOT NULL column without default with its type's zero
					continue
				}
				v, err := st.defaultValue(c, n+1, false)
				if err != nil {
					return fail(err)
				}
				nr[i] = v
				continue
			}
			v := it.row[from]
			if v.IsNull() {
				if c.NotNull {
					if x.strict(s) {
						return fail(errcode.InvalidUseOfNull.New())
					}
					v = implicitDefault(c)
				}
				nr[i] = v
				continue
			}
			if nr[i], err = st.storeValueRaw(c, v, n+1); err != nil {
				return fail(err)
			}
		}
		newKey := it.key
		if !nt.HiddenPK() {
			newKey = pkKey(nil, nt, nr)
		}
		if string(newKey) == string(it.key) {
			if err := txn.Update(t.ID, 0, it.key, catalog.EncodeRow(nil, nr)); err != nil {
				return fail(x.engineError(s, err))
			}
		} else {
			if err := txn.Delete(t.ID, 0, it.key); err != nil {
				return fail(x.engineError(s, err))
			}
			if err := txn.Insert(t.ID, 0, newKey, catalog.EncodeRow(nil, nr)); err != nil {
				if errors.Is(err, engine.ErrDuplicateKey) {
					return fail(dupErr(nt, 0, nr).err)
				}
				return fail(x.engineError(s, err))
			}
		}
		for i := 1; i < len(nt.Indexes); i++ {
			a := secondaryKey(nil, t, &t.Indexes[i], it.row, it.key)
			b := secondaryKey(nil, nt, &nt.Indexes[i], nr, newKey)
			if string(a) == string(b) {
				continue
			}
			if err := txn.Delete(t.ID, i, a); err != nil && !errors.Is(err, engine.ErrNotFound) {
				return fail(x.engineError(s, err))
			}
			if err := txn.Insert(t.ID, i, b, nil); err != nil {
				if errors.Is(err, engine.ErrDuplicateKey) {
					return fail(dupErr(nt, i, nr).err)
				}
				return fail(x.engineError(s, err))
			}
		}
	}
	if err := txn.Commit(); err != nil {
		return 0, x.engineError(s, err)
	}
	return uint64(len(items)), nil
}

// alterConstraint handles ADD/DROP FOREIGN KEY: adding one creates the index
// InnoDB would create for it; references are not enforced, so dropping keeps the index.
func (x *Executor) alterConstraint(s *Session, t *catalog.Table, d *sqlparser.DDL) error {
	if d.TableSpec == nil || len(d.TableSpec.Constraints) != 1 {
		return errcode.NotSupported.New("this constraint form")
	}
	cons := d.TableSpec.Constraints[0]
	fk, ok := cons.Details.(*sqlparser.ForeignKeyDefinition)
	if !ok {
		return errcode.NotSupported.New("CHECK constraints")
	}
	if strings.EqualFold(d.ConstraintAction, "drop") {
		return nil
	}
	ix, err := foreignKeyIndex(t, cons.Name, fk)
	if err != nil {
		return err
	}
	var pk *catalog.Index
	if !t.HiddenPK() {
		pk = &t.Indexes[0]
	}
	if indexedPrefix(pk, t.Indexes[1:], ix.Columns) {
		return nil
	}
	spec := &sqlparser.IndexSpec{Action: "create", ToName: sqlparser.NewColIdent(uniqueIndexName(t, t.Indexes, ix.Name))}
	for _, ci := range ix.Columns {
		spec.Fields = append(spec.Fields, &sqlparser.IndexField{Column: sqlparser.NewColIdent(t.Columns[ci].Name)})
	}
	return x.createIndex(s, t, spec)
}
