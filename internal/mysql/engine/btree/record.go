package btree

import (
	"encoding/binary"
)

// Leaf record: flags u8, key length u16, transaction ID u64, roll pointer u64,
// key, then the value or (flagOverflow) total length u32 and first page u32.
const (
	leafHeader   = 19
	flagOverflow = 1
	overflowRef  = 8
	// Internal record: key length u16, child page u32, key.
	nodeHeader = 6
)

func leafKey(r []byte) []byte {
	n := int(binary.BigEndian.Uint16(r[1:]))
	return r[leafHeader : leafHeader+n]
}

func leafRest(r []byte) []byte {
	n := int(binary.BigEndian.Uint16(r[1:]))
	return r[leafHeader+n:]
}

func leafOverflow(r []byte) bool { return r[0]&flagOverflow != 0 }

// LeafTxn returns the transaction ID and roll pointer of a leaf record.
func leafTxn(r []byte) (uint64, uint64) {
	return binary.BigEndian.Uint64(r[3:]), binary.BigEndian.Uint64(r[11:])
}

func appendLeaf(b []byte, key []byte, flags byte, trx, roll uint64, rest []byte) []byte {
	b = append(b, flags)
	b = binary.BigEndian.AppendUint16(b, uint16(len(key)))
	b = binary.BigEndian.AppendUint64(b, trx)
	b = binary.BigEndian.AppendUint64(b, roll)
	b = append(b, key...)
	return append(b, rest...)
}

func nodeKey(r []byte) []byte {
	n := int(binary.BigEndian.Uint16(r))
	return r[nodeHeader : nodeHeader+n]
}

func nodeChild(r []byte) uint32 { return binary.BigEndian.Uint32(r[2:]) }

func appendNode(b []byte, key []byte, child uint32) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(key)))
	b = binary.BigEndian.AppendUint32(b, child)
	return append(b, key...)
}

func recKey(r []byte, leaf bool) []byte {
	if leaf {
		return leafKey(r)
	}
	return nodeKey(r)
}
