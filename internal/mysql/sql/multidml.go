package sql

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/tandem-db/tandem/internal/mysql/engine"
	"github.com/tandem-db/tandem/internal/mysql/sql/errcode"
	"github.com/tandem-db/tandem/internal/mysql/sql/parse"
	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

func isMultiTable(tes sqlparser.TableExprs) bool {
	if len(tes) != 1 {
		return true
	}
	_, single := tes[0].(*sqlparser.AliasedTableExpr)
	return !single
}

// joinedRow is one row of a target table found by a multi-table statement,
// with the values computed from the joined row that found it first.
type joinedRow struct {
	key  []byte
	row  []types.Value
	vals []types.Value
}

// collectJoined runs SELECT <exprs> FROM <tables> WHERE <where> and gathers,
// for each target source, the distinct rows the join reached.
func (x *Executor) collectJoined(st *stmtCtx, from sqlparser.TableExprs, where *sqlparser.Where, exprs sqlparser.SelectExprs, targets func(pl *selectPlan) ([]int, error)) (*selectPlan, [][]joinedRow, error) {
	params := 0
	sel := &sqlparser.Select{From: from, Where: where, SelectExprs: exprs}
	pl, err := x.compileSelectBlock(st.s, sel, parse.Parsed{}, &params, nil)
	if err != nil {
		return nil, nil, err
	}
	tg, err := targets(pl)
	if err != nil {
		return nil, nil, err
	}
	out := make([][]joinedRow, len(tg))
	seen := make([]map[string]bool, len(tg))
	for i := range seen {
		seen[i] = map[string]bool{}
	}
	pl.onRow = func(srcs []*rowSource, vals []types.Value) error {
		for i, si := range tg {
			rs := srcs[si]
			if rs.key == nil || seen[i][string(rs.key)] {
				continue // a NULL-extended row of a LEFT JOIN, or already found
			}
			seen[i][string(rs.key)] = true
			out[i] = append(out[i], joinedRow{key: append([]byte(nil), rs.key...), row: append([]types.Value(nil), rs.row...), vals: append([]types.Value(nil), vals...)})
		}
		return nil
	}
	saved := st.lock
	st.lock = engine.LockExclusive
	_, err = x.execBlock(st, pl, -1, 0)
	st.lock = saved
	return pl, out, err
}

func (x *Executor) runMultiUpdate(st *stmtCtx, up *sqlparser.Update) (*Result, error) {
	if len(up.OrderBy) > 0 || up.Limit != nil {
		return nil, errcode.WrongUsage.New("UPDATE", "ORDER BY")
	}
	type target struct {
		src  int // source position
		cols []int
		vals []int // positions in the computed values
	}
	var tgs []*target
	var exprs sqlparser.SelectExprs
	for _, a := range up.Exprs {
		exprs = append(exprs, &sqlparser.AliasedExpr{Expr: a.Expr})
	}
	pl, rows, err := x.collectJoined(st, up.TableExprs, up.Where, exprs, func(pl *selectPlan) ([]int, error) {
		var out []int
		for k, a := range up.Exprs {
			si, ci, err := resolveTarget(pl, a.Name)
			if err != nil {
				return nil, err
			}
			if pl.sources[si].virtual != nil {
				return nil, errcode.NonUpdatableTable.New(pl.sources[si].alias, "UPDATE")
			}
			var tg *target
			for _, t := range tgs {
				if t.src == si {
					tg = t
				}
			}
			if tg == nil {
				tg = &target{src: si}
				tgs = append(tgs, tg)
				out = append(out, si)
			}
			tg.cols = append(tg.cols, ci)
			tg.vals = append(tg.vals, k)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return x.applyMultiUpdate(st, pl, rows, func(i int) (int, []int, []int) { return tgs[i].src, tgs[i].cols, tgs[i].vals })
}

func (x *Executor) applyMultiUpdate(st *stmtCtx, pl *selectPlan, rows [][]joinedRow, target func(int) (int, []int, []int)) (*Result, error) {
	var matched, changed int
	var err error
	for i, list := range rows {
		si, cols, vals := target(i)
		t := pl.sources[si].table
		for n, jr := range list {
			matched++
			nr := append([]types.Value(nil), jr.row...)
			explicit := make([]bool, len(t.Columns))
			for k, ci := range cols {
				col := &t.Columns[ci]
				v := jr.vals[vals[k]]
				explicit[ci] = true
				if v.IsNull() {
					if col.NotNull {
						return nil, errcode.BadNull.New(col.Name)
					}
					nr[ci] = v
					continue
				}
				if nr[ci], err = st.storeValue(col, v, n+1); err != nil {
					return nil, err
				}
			}
			if !rowChanged(jr.row, nr) {
				continue
			}
			for c := range t.Columns {
				if t.Columns[c].OnUpdateNow && !explicit[c] {
					nr[c] = st.nowFor(&t.Columns[c])
				}
			}
			if err := st.updateRow(t, jr.key, jr.row, nr); err != nil {
				var de *dupError
				if errors.As(err, &de) {
					return nil, de.err
				}
				if errors.Is(err, errRowGone) {
					continue
				}
				return nil, err
			}
			changed++
		}
	}
	st.s.rowCount = int64(changed)
	return &Result{AffectedRows: uint64(changed), Info: fmt.Sprintf("Rows matched: %d  Changed: %d  Warnings: %d", matched, changed, len(st.s.stmtWarnings))}, nil
}

// resolveTarget finds the source and column an assignment names.
func resolveTarget(pl *selectPlan, cn *sqlparser.ColName) (int, int, error) {
	q := cn.Qualifier.Name.String()
	found, fc := -1, -1
	for i, src := range pl.sources {
		if q != "" && !strings.EqualFold(src.alias, q) {
			continue
		}
		if c, ok := src.table.Column(cn.Name.String()); ok {
			if found >= 0 {
				return 0, 0, errcode.NonUniq.New(cn.Name.String(), "field list")
			}
			found, fc = i, c
		}
	}
	if found < 0 {
		return 0, 0, errcode.BadField.New(sqlparser.String(cn), "field list")
	}
	return found, fc, nil
}

func (x *Executor) runMultiDelete(st *stmtCtx, del *sqlparser.Delete) (*Result, error) {
	if len(del.OrderBy) > 0 || del.Limit != nil {
		return nil, errcode.WrongUsage.New("DELETE", "ORDER BY")
	}
	var pl *selectPlan
	pl, rows, err := x.collectJoined(st, del.TableExprs, del.Where, nil, func(p *selectPlan) ([]int, error) {
		var out []int
		for _, tn := range del.Targets {
			idx := -1
			for i, src := range p.sources {
				if strings.EqualFold(src.alias, tn.Name.String()) {
					idx = i
				}
			}
			if idx < 0 {
				return nil, errcode.UnknownTableInMulti.New(tn.Name.String(), "MULTI DELETE")
			}
			out = append(out, idx)
		}
		if len(out) == 0 {
			return nil, errcode.NotSupported.New("DELETE without target tables")
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	deleted := 0
	for i, list := range rows {
		src := pl.sources[indexOfTarget(pl, del.Targets[i].Name.String())]
		for _, jr := range list {
			if err := st.deleteRow(src.table, jr.key, jr.row); err != nil {
				if errors.Is(err, errRowGone) {
					continue
				}
				return nil, err
			}
			deleted++
		}
	}
	st.s.rowCount = int64(deleted)
	return &Result{AffectedRows: uint64(deleted)}, nil
}

func indexOfTarget(pl *selectPlan, alias string) int {
	for i, src := range pl.sources {
		if strings.EqualFold(src.alias, alias) {
			return i
		}
	}
	return -1
}
