package redo

import (
	"encoding/binary"
	"errors"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
)

// ErrCorrupt reports a redo payload that does not decode.
var ErrCorrupt = errors.New("redo: corrupt record")

// Record is one page operation inside a mini-transaction's payload.
type Record struct {
	Space uint32
	Page  uint32
	Kind  page.OpKind
	Body  []byte
}

// RecordHeaderSize is the bytes before a record's body.
const RecordHeaderSize = 13

// AppendRecordHeader starts a record; the caller appends the body and then
// calls FinishRecord with the header's position.
func AppendRecordHeader(b []byte, space, pageNo uint32, kind page.OpKind) []byte {
	b = binary.BigEndian.AppendUint32(b, space)
	b = binary.BigEndian.AppendUint32(b, pageNo)
	b = append(b, byte(kind))
	return append(b, 0, 0, 0, 0)
}

// FinishRecord stores the body length of the record whose header starts at pos.
func FinishRecord(b []byte, pos int) {
	binary.BigEndian.PutUint32(b[pos+9:], uint32(len(b)-pos-RecordHeaderSize))
}

// DecodePayload calls fn for each record of a mini-transaction payload.
func DecodePayload(payload []byte, fn func(Record) error) error {
	for len(payload) > 0 {
		if len(payload) < RecordHeaderSize {
			return ErrCorrupt
		}
		n := binary.BigEndian.Uint32(payload[9:])
		if uint64(n) > uint64(len(payload)-RecordHeaderSize) {
			return ErrCorrupt
		}
		r := Record{
			Space: binary.BigEndian.Uint32(payload),
			Page:  binary.BigEndian.Uint32(payload[4:]),
			Kind:  page.OpKind(payload[8]),
			Body:  payload[RecordHeaderSize : RecordHeaderSize+int(n)],
		}
		if r.Kind < page.OpInit || r.Kind > page.OpReplace {
			return ErrCorrupt
		}
		if err := fn(r); err != nil {
			return err
		}
		payload = payload[RecordHeaderSize+int(n):]
	}
	return nil
}
