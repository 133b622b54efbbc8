package hash

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"

	"github.com/tandem-db/tandem/internal/redis/ds/list"
	"github.com/tandem-db/tandem/internal/redis/ds/set"
	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// Config holds the hash encoding thresholds that CONFIG SET can change at run time.
type Config struct {
	MaxListpackEntries int // hash-max-listpack-entries
	MaxListpackValue   int // hash-max-listpack-value
}

// DefaultConfig returns Redis 7.0's defaults.
func DefaultConfig() Config { return Config{MaxListpackEntries: 128, MaxListpackValue: 64} }

// Hash is a Redis hash.
type Hash struct {
	// lp is, while d is nil, a 4-byte little-endian count of fields followed by the Pack of
	// field, value, field, value... These bytes are what the keyspace stores inline.
	lp list.Pack
	d  *set.Dict
	// view: lp aliases keyspace memory (Unpack, View) and is copied before any change.
	view bool
}

const (
	hashOverhead = 48 // the Hash struct's size class
	hdr          = 4

	// MaxInline is the largest listpack (header included) stored inline in the keyspace
	// arena; a larger one stays an Object, so a write rewrites at most this many bytes.
	MaxInline = 1024
)

func (h *Hash) count() int {
	if len(h.lp) < hdr {
		return 0
	}
	return int(binary.LittleEndian.Uint32(h.lp))
}

func (h *Hash) addCount(delta int) {
	if len(h.lp) < hdr {
		h.lp = append(h.lp, 0, 0, 0, 0)
	}
	binary.LittleEndian.PutUint32(h.lp, uint32(h.count()+delta))
}

// New returns an empty hash (listpack encoded).
func New() *Hash { return &Hash{} }

// View returns a listpack hash over b, the bytes of an inline hash (keyspace.Value.Inline):
// it reads them in place and copies them before its first change.
func View(b []byte) Hash { return Hash{lp: b[:len(b):len(b)], view: true} }

// Editable returns a listpack hash holding a copy of b, the bytes of an inline hash (nil for
// a new, empty hash), made in scratch (keyspace.Keyspace.Scratch) when it has room: a command
// changes it and stores it again (keyspace.DB.SetInline) without allocating.
func Editable(b, scratch []byte) Hash {
	if len(b) == 0 {
		return Hash{lp: append(scratch[:0], 0, 0, 0, 0)}
	}
	return Hash{lp: append(scratch[:0], b...)}
}

// Detach returns a copy of h that shares no listpack bytes with it (h may live in a scratch
// buffer) and may be stored as an Object; a hashtable's dict moves to the copy.
func (h *Hash) Detach() *Hash {
	return &Hash{lp: append(list.Pack(nil), h.lp...), d: h.d}
}

// InlineUnpacker is the keyspace.Unpacker of inline hashes, for keyspace.DB.SetInline.
func InlineUnpacker() keyspace.Unpacker { return unpacker{} }

// unpacker makes views of inline hashes for the keyspace.
type unpacker struct{}

// Unpack implements keyspace.Unpacker.
func (unpacker) Unpack(b []byte) keyspace.Object {
	h := View(b)
	return &h
}

// Inline implements keyspace.Inliner: a listpack hash of at most MaxInline bytes is stored
// as its bytes.
func (h *Hash) Inline() ([]byte, keyspace.Unpacker, bool) {
	if !h.Inlinable() {
		return nil, nil, false
	}
	if len(h.lp) < hdr {
		return make([]byte, hdr), unpacker{}, true
	}
	return h.lp, unpacker{}, true
}

// Inlinable reports whether Inline would store h inline.
func (h *Hash) Inlinable() bool { return h.d == nil && len(h.lp) <= MaxInline }

// own copies a view's bytes before a change, with room for a new field and value.
func (h *Hash) own() {
	if h.view {
		lp := make(list.Pack, len(h.lp), len(h.lp)+len(h.lp)/4+16)
		copy(lp, h.lp)
		h.lp, h.view = lp, false
	}
}

// Type implements keyspace.Object.
func (h *Hash) Type() keyspace.Type { return keyspace.TypeHash }

// Encoding returns OBJECT ENCODING's name.
func (h *Hash) Encoding() string {
	if h.d != nil {
		return "hashtable"
	}
	return "listpack"
}

// MemoryUsage returns the bytes the hash holds, O(1).
func (h *Hash) MemoryUsage() int {
	if h.d != nil {
		return hashOverhead + h.d.MemoryUsage()
	}
	return hashOverhead + cap(h.lp)
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.d != nil {
		return h.d.Len()
	}
	return h.count()
}

// findPacked returns the position of field's entry in the pack, or -1.
func (h *Hash) findPacked(field []byte) int {
	for pos := hdr; pos < len(h.lp); {
		f, vpos := h.lp.Entry(pos)
		if string(f) == string(field) {
			return pos
		}
		_, pos = h.lp.Entry(vpos)
	}
	return -1
}

// Get returns field's value.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.d != nil {
		return h.d.Get(field)
	}
	pos := h.findPacked(field)
	if pos < 0 {
		return nil, false
	}
	_, vpos := h.lp.Entry(pos)
	v, _ := h.lp.Entry(vpos)
	return v, true
}

// Has reports whether field exists.
func (h *Hash) Has(field []byte) bool {
	if h.d != nil {
		return h.d.Has(field)
	}
	return h.findPacked(field) >= 0
}

// Fits reports whether a field and value of these lengths may stay in the listpack encoding.
func (c Config) fits(field, value []byte) bool {
	return len(field) <= c.MaxListpackValue && len(value) <= c.MaxListpackValue
}

func (h *Hash) convert() {
	d := set.NewDict(true, h.count()+1)
	for pos := hdr; pos < len(h.lp); {
		f, vpos := h.lp.Entry(pos)
		var v []byte
		v, pos = h.lp.Entry(vpos)
		d.Set(f, v)
	}
	h.d, h.lp, h.view = d, nil, false
}

// Set sets field to value and reports whether the field is new.
func (h *Hash) Set(field, value []byte, cfg Config) bool {
	if h.d == nil && !cfg.fits(field, value) {
		h.convert()
	}
	if h.d != nil {
		return h.d.Set(field, value)
	}
	h.own()
	if pos := h.findPacked(field); pos >= 0 {
		_, vpos := h.lp.Entry(pos)
		h.lp = h.lp.ReplaceAt(vpos, value)
		return false
	}
	if len(h.lp) < hdr {
		h.addCount(0)
	}
	h.lp = h.lp.Append(field).Append(value)
	h.addCount(1)
	if h.count() > cfg.MaxListpackEntries {
		h.convert()
	}
	return true
}

// Delete removes field and reports whether it existed.
func (h *Hash) Delete(field []byte) bool {
	if h.d != nil {
		return h.d.Delete(field)
	}
	pos := h.findPacked(field)
	if pos < 0 {
		return false
	}
	h.own()
	_, vpos := h.lp.Entry(pos)
	_, end := h.lp.Entry(vpos)
	h.lp = h.lp.DeleteRange(pos, end)
	h.addCount(-1)
	return true
}

// ForEach calls fn for every field and value until it returns false; fn must not change h.
func (h *Hash) ForEach(fn func(field, value []byte) bool) {
	if h.d != nil {
		h.d.ForEach(fn)
		return
	}
	for pos := hdr; pos < len(h.lp); {
		f, vpos := h.lp.Entry(pos)
		var v []byte
		v, pos = h.lp.Entry(vpos)
		if !fn(f, v) {
			return
		}
	}
}

// Random returns a uniformly chosen field and its value (h must not be empty).
func (h *Hash) Random() (field, value []byte) {
	if h.d != nil {
		return h.d.Random()
	}
	i := rand.IntN(h.count())
	pos := hdr
	for ; i > 0; i-- {
		_, vpos := h.lp.Entry(pos)
		_, pos = h.lp.Entry(vpos)
	}
	f, vpos := h.lp.Entry(pos)
	v, _ := h.lp.Entry(vpos)
	return f, v
}

// Scan calls fn for part of the fields and returns the next cursor (0 when done). A listpack
// hash is returned whole, as Redis does.
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value []byte)) uint64 {
	if h.d != nil {
		return h.d.Scan(cursor, count, fn)
	}
	h.ForEach(func(f, v []byte) bool { fn(f, v); return true })
	return 0
}

// Packed returns the listpack form, for persistence, when that is the encoding.
func (h *Hash) Packed() (list.Pack, bool) {
	if h.d != nil {
		return nil, false
	}
	if len(h.lp) < hdr {
		return nil, true
	}
	return h.lp[hdr:], true
}

// ErrCorrupt is returned by FromPacked for bytes that are not a listpack hash.
var ErrCorrupt = errors.New("hash: corrupt listpack hash")

// FromPacked returns a hash holding a copy of p (from a snapshot): p must be a valid Pack with
// an even number of entries and distinct fields. Oversized contents are converted per cfg.
func FromPacked(p []byte, cfg Config) (*Hash, error) {
	n, err := list.Pack(p).Validate()
	if err != nil || n%2 != 0 {
		return nil, ErrCorrupt
	}
	h := &Hash{lp: append(make(list.Pack, hdr, hdr+len(p)), p...)}
	h.addCount(n / 2)
	seen := make(map[string]struct{}, n/2)
	big := false
	for pos := hdr; pos < len(h.lp); {
		f, vpos := h.lp.Entry(pos)
		var v []byte
		v, pos = h.lp.Entry(vpos)
		if _, dup := seen[string(f)]; dup {
			return nil, ErrCorrupt
		}
		seen[string(f)] = struct{}{}
		big = big || !cfg.fits(f, v)
	}
	if big || h.count() > cfg.MaxListpackEntries {
		h.convert()
	}
	return h, nil
}

// Dup returns a deep copy of h in the same encoding (COPY), sharing no memory with h.
func (h *Hash) Dup() keyspace.Object {
	c := &Hash{lp: h.lp.Clone()}
	if h.d != nil {
		c.d = h.d.Dup()
	}
	return c
}
