package rdb

import "hash/crc64"

// crcTable is CRC-64/Jones as Redis' crc64.c computes it: polynomial 0xad93d23594c935a9
// (0x95ac9329ac4bc9b5 reflected), reflected input and output, initial value and final xor 0.
type crcTable struct{ t *crc64.Table }

func newCRCTable() crcTable { return crcTable{crc64.MakeTable(0x95ac9329ac4bc9b5)} }

// update extends crc over p. Go's crc64.Update inverts the value before and after; Redis'
// function does not, so the inversions are undone here.
func (c crcTable) update(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, c.t, p)
}
