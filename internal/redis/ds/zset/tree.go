package zset

import "sort"

// The large encoding's ordered half: a B+tree of (score, member) items whose
// inner nodes count the items under each child, so rank, select-by-rank and
// range bounds are O(log N).

const (
	maxLeaf  = 64 // items per leaf
	maxInner = 64 // children per inner node
)

type item struct {
	score  float64
	member string
}

func (a item) less(b item) bool { return less(a.score, a.member, b.score, b.member) }

type node struct {
	items    []item  // leaf only
	children []*node // inner only
	keys     []item  // inner: keys[i] <= every item of children[i+1], > every item of children[i]
	counts   []int   // inner: items under children[i]
}

func (n *node) leaf() bool { return n.children == nil }

func (n *node) size() int {
	if n.leaf() {
		return len(n.items)
	}
	s := 0
	for _, c := range n.counts {
		s += c
	}
	return s
}

// width is what a node is full of: items for a leaf, children otherwise.
func (n *node) width() int {
	if n.leaf() {
		return len(n.items)
	}
	return len(n.children)
}

type tree struct {
	root  *node
	n     int
	nodes int // allocated nodes, for memory accounting
}

func newTree() *tree {
	return &tree{root: &node{items: make([]item, 0, maxLeaf+1)}, nodes: 1}
}

// bound returns the number of items for which before holds; before must
// hold for a prefix of the order (monotone).
func (t *tree) bound(before func(item) bool) int {
	r := 0
	n := t.root
	for !n.leaf() {
		i := sort.Search(len(n.keys), func(j int) bool { return !before(n.keys[j]) })
		for j := 0; j < i; j++ {
			r += n.counts[j]
		}
		n = n.children[i]
	}
	return r + sort.Search(len(n.items), func(j int) bool { return !before(n.items[j]) })
}

// rank returns the number of items ordered before it.
func (t *tree) rank(it item) int {
	return t.bound(func(x item) bool { return x.less(it) })
}

// at returns the item of rank r (0 <= r < n).
func (t *tree) at(r int) item {
	n := t.root
	for !n.leaf() {
		i := 0
		for r >= n.counts[i] {
			r -= n.counts[i]
			i++
		}
		n = n.children[i]
	}
	return n.items[r]
}

func (t *tree) insert(it item) {
	right, sep := t.ins(t.root, it)
	if right != nil {
		left := t.root
		t.root = &node{children: []*node{left, right}, keys: []item{sep}, counts: []int{left.size(), right.size()}}
		t.nodes++
	}
	t.n++
}

func (t *tree) ins(n *node, it item) (*node, item) {
	if n.leaf() {
		i := sort.Search(len(n.items), func(j int) bool { return it.less(n.items[j]) })
		n.items = append(n.items, item{})
		copy(n.items[i+1:], n.items[i:])
		n.items[i] = it
		if len(n.items) <= maxLeaf {
			return nil, item{}
		}
		h := len(n.items) / 2
		right := &node{items: make([]item, len(n.items)-h, maxLeaf+1)}
		copy(right.items, n.items[h:])
		clear(n.items[h:])
		n.items = n.items[:h]
		t.nodes++
		return right, right.items[0]
	}
	i := sort.Search(len(n.keys), func(j int) bool { return it.less(n.keys[j]) })
	n.counts[i]++
	r, sep := t.ins(n.children[i], it)
	if r == nil {
		return nil, item{}
	}
	n.children = append(n.children, nil)
	copy(n.children[i+2:], n.children[i+1:])
	n.children[i+1] = r
	n.keys = append(n.keys, item{})
	copy(n.keys[i+1:], n.keys[i:])
	n.keys[i] = sep
	n.counts = append(n.counts, 0)
	copy(n.counts[i+2:], n.counts[i+1:])
	n.counts[i] = n.children[i].size()
	n.counts[i+1] = r.size()
	if len(n.children) <= maxInner {
		return nil, item{}
	}
	h := len(n.children) / 2
	right := &node{
		children: append([]*node(nil), n.children[h:]...),
		keys:     append([]item(nil), n.keys[h:]...),
		counts:   append([]int(nil), n.counts[h:]...),
	}
	sep = n.keys[h-1]
	clear(n.children[h:])
	clear(n.keys[h-1:])
	n.children = n.children[:h]
	n.keys = n.keys[:h-1]
	n.counts = n.counts[:h]
	t.nodes++
	return right, sep
}

// remove deletes it, which must be present, and returns the stored item
// (whose member string is the tree's own).
func (t *tree) remove(it item) item {
	old := t.del(t.root, it)
	t.n--
	for !t.root.leaf() && len(t.root.children) == 1 {
		t.root = t.root.children[0]
		t.nodes--
	}
	return old
}

func (t *tree) del(n *node, it item) item {
	if n.leaf() {
		i := sort.Search(len(n.items), func(j int) bool { return !n.items[j].less(it) })
		if i == len(n.items) || n.items[i] != it {
			panic("zset: removing an item the tree does not hold")
		}
		old := n.items[i]
		copy(n.items[i:], n.items[i+1:])
		n.items[len(n.items)-1] = item{}
		n.items = n.items[:len(n.items)-1]
		return old
	}
	i := sort.Search(len(n.keys), func(j int) bool { return it.less(n.keys[j]) })
	c := n.children[i]
	old := t.del(c, it)
	n.counts[i]--
	limit := maxLeaf
	if !c.leaf() {
		limit = maxInner
	}
	if c.width() >= limit/4 || len(n.children) < 2 {
		return old
	}
	a := i
	if a == len(n.children)-1 {
		a--
	}
	l, r := n.children[a], n.children[a+1]
	if l.width()+r.width() > limit {
		return old
	}
	if l.leaf() {
		l.items = append(l.items, r.items...)
	} else {
		l.keys = append(append(l.keys, n.keys[a]), r.keys...)
		l.children = append(l.children, r.children...)
		l.counts = append(l.counts, r.counts...)
	}
	n.counts[a] += n.counts[a+1]
	copy(n.children[a+1:], n.children[a+2:])
	n.children[len(n.children)-1] = nil
	n.children = n.children[:len(n.children)-1]
	copy(n.keys[a:], n.keys[a+1:])
	n.keys[len(n.keys)-1] = item{}
	n.keys = n.keys[:len(n.keys)-1]
	copy(n.counts[a+1:], n.counts[a+2:])
	n.counts = n.counts[:len(n.counts)-1]
	t.nodes--
	return old
}

// ascend calls fn for the items of rank from, from+1, ... until fn returns false.
func (t *tree) ascend(from int, fn func(item) bool) {
	ascendNode(t.root, from, fn)
}

func ascendNode(n *node, skip int, fn func(item) bool) bool {
	if n.leaf() {
		for _, it := range n.items[skip:] {
			if !fn(it) {
				return false
			}
		}
		return true
	}
	for i, c := range n.children {
		if skip >= n.counts[i] {
			skip -= n.counts[i]
			continue
		}
		if !ascendNode(c, skip, fn) {
			return false
		}
		skip = 0
	}
	return true
}

// descend calls fn for the items of rank from, from-1, ... until fn returns false.
func (t *tree) descend(from int, fn func(item) bool) {
	descendNode(t.root, from, fn)
}

func descendNode(n *node, at int, fn func(item) bool) bool {
	if n.leaf() {
		for i := at; i >= 0; i-- {
			if !fn(n.items[i]) {
				return false
			}
		}
		return true
	}
	base := 0
	i := 0
	for i < len(n.children)-1 && at >= base+n.counts[i] {
		base += n.counts[i]
		i++
	}
	for ; i >= 0; i-- {
		if !descendNode(n.children[i], at-base, fn) {
			return false
		}
		if i > 0 {
			base -= n.counts[i-1]
			at = base + n.counts[i-1] - 1
		}
	}
	return true
}

// check verifies the tree's invariants (order, counts, separators) and
// returns its size; for tests.
func (t *tree) check() int {
	var prev *item
	var walk func(n *node, lo, hi *item) int
	walk = func(n *node, lo, hi *item) int {
		if n.leaf() {
			for k := range n.items {
				it := n.items[k]
				if prev != nil && !prev.less(it) {
					panic("zset: tree out of order")
				}
				if (lo != nil && it.less(*lo)) || (hi != nil && !it.less(*hi)) {
					panic("zset: item outside its separators")
				}
				prev = &n.items[k]
			}
			return len(n.items)
		}
		if len(n.keys) != len(n.children)-1 || len(n.counts) != len(n.children) {
			panic("zset: inner node shape")
		}
		total := 0
		for i, c := range n.children {
			l, h := lo, hi
			if i > 0 {
				l = &n.keys[i-1]
			}
			if i < len(n.keys) {
				h = &n.keys[i]
			}
			s := walk(c, l, h)
			if s != n.counts[i] {
				panic("zset: inner count mismatch")
			}
			total += s
		}
		return total
	}
	s := walk(t.root, nil, nil)
	if s != t.n {
		panic("zset: tree size mismatch")
	}
	return s
}
