package zset

import "sort"

// The large encoding's ordered half: a B+tree of (score, member) items whose
// inner nodes count the items under each child, so rank, select-by-rank and
// range bounds are O(log N).

const (
	maxLeaf  = 128 // items (member ids) per leaf
	maxInner = 64  // children per inner node
)

// item is a member id of the tree's store; the store gives its score and
// member bytes, so a leaf holds 4 bytes per member and no pointers.
type item = uint32

// sep is an inner node's separator: a copy of the (score, member) of the
// first item of a right sibling at split time. It may outlive that member.
type sep struct {
	score  float64
	member string
}

type node struct {
	items    []item  // leaf only
	children []*node // inner only
	keys     []sep   // inner: keys[i] <= every item of children[i+1], > every item of children[i]
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
	s     *store
}

func newTree(s *store) *tree {
	return &tree{root: &node{items: make([]item, 0, maxLeaf+1)}, nodes: 1, s: s}
}

// lessItems orders two ids by (score, member).
func (t *tree) lessItems(a, b item) bool {
	ra, rb := &t.s.recs[a], &t.s.recs[b]
	if ra.score != rb.score {
		return ra.score < rb.score
	}
	return t.s.member(a) < t.s.member(b)
}

// lessItemSep reports item < separator.
func (t *tree) lessItemSep(a item, b sep) bool {
	ra := &t.s.recs[a]
	if ra.score != b.score {
		return ra.score < b.score
	}
	return t.s.member(a) < b.member
}

func (t *tree) sepOf(a item) sep {
	return sep{t.s.recs[a].score, string([]byte(t.s.member(a)))}
}

// bound returns the number of items for which before holds; before must
// hold for a prefix of the order (monotone).
func (t *tree) bound(before func(score float64, member string) bool) int {
	r := 0
	n := t.root
	for !n.leaf() {
		i := sort.Search(len(n.keys), func(j int) bool { return !before(n.keys[j].score, n.keys[j].member) })
		for j := 0; j < i; j++ {
			r += n.counts[j]
		}
		n = n.children[i]
	}
	return r + sort.Search(len(n.items), func(j int) bool {
		id := n.items[j]
		return !before(t.s.recs[id].score, t.s.member(id))
	})
}

// rank returns the number of items ordered before it.
func (t *tree) rank(it item) int {
	r := 0
	n := t.root
	for !n.leaf() {
		i := sort.Search(len(n.keys), func(j int) bool { return t.lessItemSep(it, n.keys[j]) })
		for j := 0; j < i; j++ {
			r += n.counts[j]
		}
		n = n.children[i]
	}
	return r + sort.Search(len(n.items), func(j int) bool { return !t.lessItems(n.items[j], it) })
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
	right, k := t.ins(t.root, it)
	if right != nil {
		left := t.root
		t.root = &node{children: []*node{left, right}, keys: []sep{k}, counts: []int{left.size(), right.size()}}
		t.nodes++
	}
	t.n++
}

func (t *tree) ins(n *node, it item) (*node, sep) {
	if n.leaf() {
		i := sort.Search(len(n.items), func(j int) bool { return t.lessItems(it, n.items[j]) })
		n.items = append(n.items, 0)
		copy(n.items[i+1:], n.items[i:])
		n.items[i] = it
		if len(n.items) <= maxLeaf {
			return nil, sep{}
		}
		h := len(n.items) / 2
		right := &node{items: make([]item, len(n.items)-h, maxLeaf+1)}
		copy(right.items, n.items[h:])
		clear(n.items[h:])
		n.items = n.items[:h]
		t.nodes++
		return right, t.sepOf(right.items[0])
	}
	i := sort.Search(len(n.keys), func(j int) bool { return t.lessItemSep(it, n.keys[j]) })
	n.counts[i]++
	r, k := t.ins(n.children[i], it)
	if r == nil {
		return nil, sep{}
	}
	n.children = append(n.children, nil)
	copy(n.children[i+2:], n.children[i+1:])
	n.children[i+1] = r
	n.keys = append(n.keys, sep{})
	copy(n.keys[i+1:], n.keys[i:])
	n.keys[i] = k
	n.counts = append(n.counts, 0)
	copy(n.counts[i+2:], n.counts[i+1:])
	n.counts[i] = n.children[i].size()
	n.counts[i+1] = r.size()
	if len(n.children) <= maxInner {
		return nil, sep{}
	}
	h := len(n.children) / 2
	right := &node{
		children: append([]*node(nil), n.children[h:]...),
		keys:     append([]sep(nil), n.keys[h:]...),
		counts:   append([]int(nil), n.counts[h:]...),
	}
	k = n.keys[h-1]
	clear(n.children[h:])
	clear(n.keys[h-1:])
	n.children = n.children[:h]
	n.keys = n.keys[:h-1]
	n.counts = n.counts[:h]
	t.nodes++
	return right, k
}

// remove deletes it, which must be present with its current score.
func (t *tree) remove(it item) {
	t.del(t.root, it)
	t.n--
	for !t.root.leaf() && len(t.root.children) == 1 {
		t.root = t.root.children[0]
		t.nodes--
	}
}

func (t *tree) del(n *node, it item) {
	if n.leaf() {
		i := sort.Search(len(n.items), func(j int) bool { return !t.lessItems(n.items[j], it) })
		if i == len(n.items) || n.items[i] != it {
			panic("zset: removing an item the tree does not hold")
		}
		copy(n.items[i:], n.items[i+1:])
		n.items = n.items[:len(n.items)-1]
		return
	}
	i := sort.Search(len(n.keys), func(j int) bool { return t.lessItemSep(it, n.keys[j]) })
	c := n.children[i]
	t.del(c, it)
	n.counts[i]--
	limit := maxLeaf
	if !c.leaf() {
		limit = maxInner
	}
	if c.width() >= limit/4 || len(n.children) < 2 {
		return
	}
	a := i
	if a == len(n.children)-1 {
		a--
	}
	l, r := n.children[a], n.children[a+1]
	if l.width()+r.width() > limit {
		return
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
	n.keys[len(n.keys)-1] = sep{}
	n.keys = n.keys[:len(n.keys)-1]
	copy(n.counts[a+1:], n.counts[a+2:])
	n.counts = n.counts[:len(n.counts)-1]
	t.nodes--
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
	havePrev := false
	var prev item
	var walk func(n *node, lo, hi *sep) int
	walk = func(n *node, lo, hi *sep) int {
		if n.leaf() {
			for _, it := range n.items {
				if havePrev && !t.lessItems(prev, it) {
					panic("zset: tree out of order")
				}
				if (lo != nil && t.lessItemSep(it, *lo)) || (hi != nil && !t.lessItemSep(it, *hi)) {
					panic("zset: item outside its separators")
				}
				prev, havePrev = it, true
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

// dup returns a deep copy of t whose ids refer to s (a dup of t's store).
func (t *tree) dup(s *store) *tree {
	return &tree{root: t.root.dup(), n: t.n, nodes: t.nodes, s: s}
}

func (n *node) dup() *node {
	c := &node{items: cloneSlice(n.items), keys: cloneSlice(n.keys), counts: cloneSlice(n.counts)}
	if n.children != nil {
		c.children = make([]*node, len(n.children), cap(n.children))
		for i, ch := range n.children {
			c.children[i] = ch.dup()
		}
	}
	return c
}
