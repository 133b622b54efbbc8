package server

// watchKey is one key a client WATCHes.
type watchKey struct {
	db  int
	key string
}

// watchRegistry maps watched keys to the clients watching them.
type watchRegistry struct {
	keys map[watchKey]map[*client]struct{}
}

func (r *watchRegistry) init() { r.keys = make(map[watchKey]map[*client]struct{}) }

func (r *watchRegistry) add(c *client, db int, key []byte) {
	wk := watchKey{db, string(key)}
	for _, w := range c.watched {
		if w == wk {
			return
		}
	}
	set := r.keys[wk]
	if set == nil {
		set = make(map[*client]struct{})
		r.keys[wk] = set
	}
	set[c] = struct{}{}
	c.watched = append(c.watched, wk)
}

// touch marks every client watching key as dirty (its EXEC will fail).
func (r *watchRegistry) touch(db int, key []byte) {
	if len(r.keys) == 0 {
		return
	}
	for c := range r.keys[watchKey{db, string(key)}] {
		c.dirtyCAS = true
	}
}

// touchDB marks clients watching any key of db dirty (FLUSHDB, SWAPDB).
// With onlyExisting, only keys that exist count (Redis skips watched keys
// that FLUSHDB did not actually remove).
func (r *watchRegistry) touchDB(db int, exists func(key string) bool) {
	for wk, set := range r.keys {
		if wk.db != db && db != -1 {
			continue
		}
		if exists != nil && !exists(wk.key) {
			continue
		}
		for c := range set {
			c.dirtyCAS = true
		}
	}
}

func (r *watchRegistry) unwatchAll(c *client) {
	for _, wk := range c.watched {
		set := r.keys[wk]
		delete(set, c)
		if len(set) == 0 {
			delete(r.keys, wk)
		}
	}
	c.watched = nil
	c.dirtyCAS = false
}
