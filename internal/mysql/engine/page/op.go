package page

import "encoding/binary"

// OpKind names a change to one page. Every change the engine makes to a page
// is one of these, applied by Apply both when the change is made and when
// redo replays it, so the two cannot disagree.
type OpKind uint8

// Page operations.
const (
	OpInit    OpKind = 1 + iota // body: type u8, level u8, space u32, page u32
	OpImage                     // body: page bytes [0, heapTop) then the slot array
	OpWrite                     // body: offset u32, bytes
	OpInsert                    // body: slot u16, record
	OpDelete                    // body: slot u16
	OpReplace                   // body: slot u16, record
)

func (k OpKind) String() string {
	switch k {
	case OpInit:
		return "init"
	case OpImage:
		return "image"
	case OpWrite:
		return "write"
	case OpInsert:
		return "insert"
	case OpDelete:
		return "delete"
	case OpReplace:
		return "replace"
	}
	return "unknown"
}

// AppendInit encodes an OpInit body.
func AppendInit(b []byte, t Type, level int, space, pageNo uint32) []byte {
	b = append(b, byte(t), byte(level))
	b = binary.BigEndian.AppendUint32(b, space)
	return binary.BigEndian.AppendUint32(b, pageNo)
}

// AppendImage encodes an OpImage body of p (the free gap is left out).
func AppendImage(b []byte, p []byte) []byte {
	b = append(b, p[:heapTop(p)]...)
	return append(b, p[len(p)-2*NumSlots(p):]...)
}

// AppendWrite encodes an OpWrite body.
func AppendWrite(b []byte, off int, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(off))
	return append(b, data...)
}

// AppendSlot encodes the body of OpInsert, OpDelete (rec nil) and OpReplace.
func AppendSlot(b []byte, slot int, rec []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(slot))
	return append(b, rec...)
}

// Apply performs one operation on p. It validates the body, so a corrupt
// redo record yields ErrCorrupt instead of a panic.
func Apply(p []byte, kind OpKind, body []byte) error {
	switch kind {
	case OpInit:
		if len(body) != 10 {
			return ErrCorrupt
		}
		Init(p, binary.BigEndian.Uint32(body[2:]), binary.BigEndian.Uint32(body[6:]), Type(body[0]), int(body[1]))
		return nil
	case OpImage:
		if len(body) < HeaderSize {
			return ErrCorrupt
		}
		top := int(binary.BigEndian.Uint32(body[OffHeapTop:]))
		n := int(binary.BigEndian.Uint16(body[OffNSlots:]))
		if top < HeaderSize || top+2*n > len(p) || len(body) != top+2*n {
			return ErrCorrupt
		}
		clear(p)
		copy(p, body[:top])
		copy(p[len(p)-2*n:], body[top:])
		return nil
	case OpWrite:
		if len(body) < 4 {
			return ErrCorrupt
		}
		off := int(binary.BigEndian.Uint32(body))
		data := body[4:]
		if off < OffPrev || off > len(p) || len(data) > len(p)-off {
			return ErrCorrupt
		}
		copy(p[off:], data)
		return nil
	case OpInsert, OpDelete, OpReplace:
		if len(body) < 2 {
			return ErrCorrupt
		}
		if err := Check(p); err != nil {
			return err
		}
		slot := int(binary.BigEndian.Uint16(body))
		rec := body[2:]
		switch kind {
		case OpInsert:
			if len(rec) > 0xffff {
				return ErrCorrupt
			}
			return Insert(p, slot, rec)
		case OpDelete:
			return Delete(p, slot)
		default:
			if len(rec) > 0xffff {
				return ErrCorrupt
			}
			return Replace(p, slot, rec)
		}
	}
	return ErrCorrupt
}
