package page

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Page sizes selectable when a data directory is initialised.
const (
	Size16K = 16 << 10
	Size32K = 32 << 10
	Size64K = 64 << 10
)

// ValidSize reports whether n is a supported page size.
func ValidSize(n int) bool { return n == Size16K || n == Size32K || n == Size64K }

// Type says what a page holds.
type Type uint8

// Page types.
const (
	TypeFree     Type = iota // never written, or on a free list
	TypeSpace                // page 0 of a tablespace: its header and allocation state
	TypeLeaf                 // B+tree leaf
	TypeInternal             // B+tree internal node
	TypeOverflow             // part of an off-page value
	TypeUndo                 // part of a transaction's undo log
	TypeTrxSys               // the transaction system page (undo slots) of the system tablespace
)

func (t Type) String() string {
	switch t {
	case TypeFree:
		return "free"
	case TypeSpace:
		return "space"
	case TypeLeaf:
		return "leaf"
	case TypeInternal:
		return "internal"
	case TypeOverflow:
		return "overflow"
	case TypeUndo:
		return "undo"
	case TypeTrxSys:
		return "trxsys"
	}
	return "unknown"
}

// Header layout. All integers are big-endian.
const (
	OffChecksum = 0  // u32 crc32c of bytes [4:]
	OffPageNo   = 4  // u32
	OffLSN      = 8  // u64 end LSN of the last mini-transaction that changed the page
	OffType     = 16 // u8
	OffLevel    = 17 // u8 B+tree level, 0 for leaves
	OffNSlots   = 18 // u16 number of records
	OffHeapTop  = 20 // u32 end of the record heap
	OffGarbage  = 24 // u32 bytes of deleted records inside the heap
	OffPrev     = 28 // u32 previous page at the same level (0: none)
	OffNext     = 32 // u32 next page at the same level, or next page of a chain (0: none)
	OffSpace    = 36 // u32 tablespace ID
	OffIndex    = 40 // u64 owner (index ID) — informational
	HeaderSize  = 48
)

// Errors of the page layer.
var (
	ErrFull    = errors.New("page: not enough free space")
	ErrCorrupt = errors.New("page: corrupt")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum computes the page's checksum (crc32c of everything after the field).
func Checksum(p []byte) uint32 { return crc32.Checksum(p[4:], castagnoli) }

// SetChecksum stores the page's checksum.
func SetChecksum(p []byte) { binary.BigEndian.PutUint32(p[OffChecksum:], Checksum(p)) }

// Verify reports whether a page read from disk is intact. A page of zeros
// (allocated but never written) is valid.
func Verify(p []byte) bool {
	if binary.BigEndian.Uint32(p[OffChecksum:]) == Checksum(p) {
		return true
	}
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

func u16(p []byte, off int) int         { return int(binary.BigEndian.Uint16(p[off:])) }
func u32(p []byte, off int) uint32      { return binary.BigEndian.Uint32(p[off:]) }
func put16(p []byte, off int, v int)    { binary.BigEndian.PutUint16(p[off:], uint16(v)) }
func put32(p []byte, off int, v uint32) { binary.BigEndian.PutUint32(p[off:], v) }

// Accessors for header fields.
func PageNo(p []byte) uint32           { return u32(p, OffPageNo) }
func LSN(p []byte) uint64              { return binary.BigEndian.Uint64(p[OffLSN:]) }
func SetLSN(p []byte, lsn uint64)      { binary.BigEndian.PutUint64(p[OffLSN:], lsn) }
func PageType(p []byte) Type           { return Type(p[OffType]) }
func Level(p []byte) int               { return int(p[OffLevel]) }
func NumSlots(p []byte) int            { return u16(p, OffNSlots) }
func Prev(p []byte) uint32             { return u32(p, OffPrev) }
func Next(p []byte) uint32             { return u32(p, OffNext) }
func Space(p []byte) uint32            { return u32(p, OffSpace) }
func heapTop(p []byte) int             { return int(u32(p, OffHeapTop)) }
func garbage(p []byte) int             { return int(u32(p, OffGarbage)) }
func slotOff(p []byte, i int) int      { return len(p) - 2*(i+1) }
func recOff(p []byte, i int) int       { return u16(p, slotOff(p, i)) }
func setRecOff(p []byte, i int, o int) { put16(p, slotOff(p, i), o) }

// Init formats p as an empty page of the given type. It is a pure function
// of its arguments, so redo can repeat it.
func Init(p []byte, space, pageNo uint32, t Type, level int) {
	clear(p)
	put32(p, OffPageNo, pageNo)
	p[OffType] = byte(t)
	p[OffLevel] = byte(level)
	put32(p, OffHeapTop, HeaderSize)
	put32(p, OffSpace, space)
}

// Record returns the i-th record of a slotted page (aliasing the page).
func Record(p []byte, i int) []byte {
	o := recOff(p, i)
	n := u16(p, o)
	return p[o+2 : o+2+n]
}

// FreeSpace is how many bytes an insert may use, counting space that a
// compaction would reclaim; each record also costs a 2-byte slot and a
// 2-byte length.
func FreeSpace(p []byte) int {
	return len(p) - 2*NumSlots(p) - heapTop(p) + garbage(p)
}

// UsedSpace is the bytes of live records and their slots.
func UsedSpace(p []byte) int { return len(p) - HeaderSize - FreeSpace(p) }

// Fits reports whether a record of n bytes can be inserted.
func Fits(p []byte, n int) bool { return FreeSpace(p) >= n+4 }

// MaxRecord is the largest record a page of size pageSize accepts alone.
func MaxRecord(pageSize int) int { return pageSize - HeaderSize - 4 }

func contiguous(p []byte) int { return len(p) - 2*NumSlots(p) - heapTop(p) }

// compact rewrites the heap without garbage, keeping slot order. Deterministic.
func compact(p []byte) {
	n := NumSlots(p)
	tmp := make([]byte, heapTop(p)-HeaderSize)
	w := 0
	offs := make([]int, n)
	for i := 0; i < n; i++ {
		o := recOff(p, i)
		l := u16(p, o) + 2
		copy(tmp[w:], p[o:o+l])
		offs[i] = HeaderSize + w
		w += l
	}
	copy(p[HeaderSize:], tmp[:w])
	clear(p[HeaderSize+w : heapTop(p)])
	for i, o := range offs {
		setRecOff(p, i, o)
	}
	put32(p, OffHeapTop, uint32(HeaderSize+w))
	put32(p, OffGarbage, 0)
}

// Insert puts rec at slot i, shifting later slots up.
func Insert(p []byte, i int, rec []byte) error {
	n := NumSlots(p)
	if i < 0 || i > n {
		return ErrCorrupt
	}
	need := len(rec) + 4
	if FreeSpace(p) < need {
		return ErrFull
	}
	if contiguous(p) < need {
		compact(p)
	}
	o := heapTop(p)
	put16(p, o, len(rec))
	copy(p[o+2:], rec)
	put32(p, OffHeapTop, uint32(o+2+len(rec)))
	// Slots grow downward from the end: slot j lives at len-2(j+1).
	// Shift slots i..n-1 to i+1..n: move bytes [len-2n, len-2i) down by 2.
	lo := len(p) - 2*n
	hi := len(p) - 2*i
	copy(p[lo-2:hi-2], p[lo:hi])
	put16(p, OffNSlots, n+1)
	setRecOff(p, i, o)
	return nil
}

// Delete removes the record at slot i.
func Delete(p []byte, i int) error {
	n := NumSlots(p)
	if i < 0 || i >= n {
		return ErrCorrupt
	}
	o := recOff(p, i)
	l := u16(p, o) + 2
	clear(p[o : o+l])
	if o+l == heapTop(p) {
		put32(p, OffHeapTop, uint32(o))
	} else {
		put32(p, OffGarbage, uint32(garbage(p)+l))
	}
	lo := len(p) - 2*n
	hi := len(p) - 2*i
	copy(p[lo+2:hi], p[lo:hi-2])
	clear(p[lo : lo+2])
	put16(p, OffNSlots, n-1)
	return nil
}

// Replace swaps the record at slot i for rec.
func Replace(p []byte, i int, rec []byte) error {
	n := NumSlots(p)
	if i < 0 || i >= n {
		return ErrCorrupt
	}
	old := Record(p, i)
	if len(old) == len(rec) {
		copy(old, rec)
		return nil
	}
	if FreeSpace(p)+len(old)+4 < len(rec)+4 {
		return ErrFull
	}
	if err := Delete(p, i); err != nil {
		return err
	}
	return Insert(p, i, rec)
}

// Check validates a slotted page's structure.
func Check(p []byte) error {
	n := NumSlots(p)
	top := heapTop(p)
	if top < HeaderSize || top > len(p)-2*n {
		return ErrCorrupt
	}
	for i := 0; i < n; i++ {
		o := recOff(p, i)
		if o < HeaderSize || o+2 > top || o+2+u16(p, o) > top {
			return ErrCorrupt
		}
	}
	return nil
}
