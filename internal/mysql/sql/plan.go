package sql

import (
	"github.com/tandem-db/tandem/internal/mysql/sql/catalog"
)

// children lists an expression's operands.
func children(e expr) []expr {
	switch e := e.(type) {
	case *andExpr:
		return []expr{e.l, e.r}
	case *orExpr:
		return []expr{e.l, e.r}
	case *notExpr:
		return []expr{e.e}
	case *cmpExpr:
		return []expr{e.l, e.r}
	case *inExpr:
		return append([]expr{e.l}, e.list...)
	case *betweenExpr:
		return []expr{e.e, e.lo, e.hi}
	case *isExpr:
		return []expr{e.e}
	case *likeExpr:
		return []expr{e.l, e.pat}
	case *arithExpr:
		return []expr{e.l, e.r}
	case *negExpr:
		return []expr{e.e}
	case *funcExpr:
		return e.args
	case *caseExpr:
		out := []expr{}
		if e.base != nil {
			out = append(out, e.base)
		}
		for _, w := range e.whens {
			out = append(out, w[0], w[1])
		}
		if e.els != nil {
			out = append(out, e.els)
		}
		return out
	}
	return nil
}

// maxColumn returns the highest row position an expression reads (-1: none);
// aggregates count as unavailable.
func maxColumn(e expr) int {
	switch e := e.(type) {
	case *colExpr:
		return e.idx
	case *subqueryExpr:
		if e.correlated {
			return 1 << 30
		}
		if e.in != nil {
			return maxColumn(e.in)
		}
		return -1
	case *aggRef, *valuesExpr:
		return 1 << 30
	case *funcExpr:
		if e.name == "last_insert_id" && len(e.args) > 0 {
			return 1 << 30 // has a side effect
		}
	}
	m := -1
	for _, c := range children(e) {
		m = max(m, maxColumn(c))
	}
	return m
}

// conjuncts splits a condition at its ANDs.
func conjuncts(e expr, out []expr) []expr {
	if e == nil {
		return out
	}
	if a, ok := e.(*andExpr); ok {
		return conjuncts(a.r, conjuncts(a.l, out))
	}
	return append(out, e)
}

// colBound is one usable predicate on a column of the table being planned.
type colBound struct {
	col   int // table column
	op    string
	v, v2 expr
	outer bool
}

// choosePath picks the access path of the source at src.offset given the
// WHERE/ON conjuncts; values may use columns of earlier tables (offset below).
func choosePath(t *catalog.Table, offset int, conds []expr) *accessPath {
	width := len(t.Columns)
	local := func(e expr) (int, bool) {
		c, ok := e.(*colExpr)
		if !ok || c.idx < offset || c.idx >= offset+width {
			return 0, false
		}
		return c.idx - offset, true
	}
	avail := func(e expr) bool { return maxColumn(e) < offset }
	var bounds []colBound
	for _, cond := range conds {
		switch c := cond.(type) {
		case *cmpExpr:
			l, r, op := c.l, c.r, c.op
			if _, ok := local(r); ok {
				if _, ok2 := local(l); !ok2 {
					l, r = r, l
					op = flipOp(op)
				}
			}
			col, ok := local(l)
			if !ok || !avail(r) {
				continue
			}
			switch op {
			case "=", "<=>", "<", "<=", ">", ">=":
				bounds = append(bounds, colBound{col: col, op: op, v: r, outer: maxColumn(r) >= 0})
			}
		case *betweenExpr:
			col, ok := local(c.e)
			if !ok || c.not || !avail(c.lo) || !avail(c.hi) {
				continue
			}
			bounds = append(bounds, colBound{col: col, op: "between", v: c.lo, v2: c.hi})
		case *likeExpr:
			col, ok := local(c.l)
			if !ok || c.not || c.escape != '\\' || !avail(c.pat) || !t.Columns[col].IsString() || t.Columns[col].Type == catalog.TypeEnum {
				continue
			}
			bounds = append(bounds, colBound{col: col, op: "like", v: c.pat})
		case *inExpr:
			col, ok := local(c.l)
			if !ok || c.not || len(c.list) != 1 || !avail(c.list[0]) {
				continue
			}
			bounds = append(bounds, colBound{col: col, op: "=", v: c.list[0]})
		}
	}
	best := &accessPath{kind: pathAll}
	bestScore := 0
	for i, ix := range t.Indexes {
		if ix.Hidden {
			continue
		}
		p := &accessPath{index: i}
		outer := false
		for _, ci := range ix.Columns {
			var found *colBound
			for k := range bounds {
				if bounds[k].col == ci && (bounds[k].op == "=" || bounds[k].op == "<=>") {
					found = &bounds[k]
					break
				}
			}
			if found == nil {
				break
			}
			p.eq = append(p.eq, found.v)
			outer = outer || found.outer
		}
		score := 0
		switch {
		case len(p.eq) == len(ix.Columns) && (ix.Unique || ix.Primary):
			p.kind = pathConst
			if outer {
				p.kind = pathEqRef
			}
			score = 1000
		case len(p.eq) > 0:
			p.kind = pathRef
			score = 100 + 10*len(p.eq)
		}
		if len(p.eq) < len(ix.Columns) {
			next := ix.Columns[len(p.eq)]
			for _, b := range bounds {
				if b.col != next {
					continue
				}
				switch b.op {
				case ">", ">=":
					if p.lo == nil {
						p.lo, p.loInc = b.v, b.op == ">="
					}
				case "<", "<=":
					if p.hi == nil {
						p.hi, p.hiInc = b.v, b.op == "<="
					}
				case "between":
					p.lo, p.loInc, p.hi, p.hiInc = b.v, true, b.v2, true
				case "like":
					if p.lo == nil && p.hi == nil {
						p.like = b.v
					}
				}
			}
			if p.lo != nil || p.hi != nil || p.like != nil {
				p.kind = pathRange
				score = max(score, 50) + 5
			}
		}
		if score == 0 {
			continue
		}
		best.candidates = append(best.candidates, i)
		if ix.Primary {
			score += 2 // no second lookup
		} else if ix.Unique {
			score++
		}
		if score > bestScore {
			p.candidates = best.candidates
			best, bestScore = p, score
		}
	}
	return best
}

func flipOp(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}
