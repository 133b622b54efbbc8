package inspect

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/tandem-db/tandem/internal/mysql/engine/page"
	"github.com/tandem-db/tandem/internal/mysql/engine/space"
	"github.com/tandem-db/tandem/internal/mysql/engine/undo"
	"github.com/tandem-db/tandem/internal/shared/vfs"
)

// DumpUndo prints the undo logs of the transactions that the system
// tablespace at path (ibdata1) lists as active, newest record first. It reads
// the file as it is on disk: after a crash, run it before the engine starts to
// see what recovery will roll back (changes only in the redo log are not shown).
func DumpUndo(w io.Writer, fs vfs.FS, path string) error {
	_, ps, err := space.ReadHeader(fs, path)
	if err != nil {
		return err
	}
	f, err := fs.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	read := func(no uint32) ([]byte, error) {
		p := make([]byte, ps)
		if _, err := f.ReadAt(p, int64(no)*int64(ps)); err != nil {
			return nil, fmt.Errorf("page %d: %w", no, err)
		}
		if !page.Verify(p) {
			return nil, fmt.Errorf("page %d fails its checksum", no)
		}
		return p, nil
	}
	h, err := read(0)
	if err != nil {
		return err
	}
	ts, err := read(space.U32(h, space.OffTrxSysPage))
	if err != nil {
		return err
	}
	active := 0
	for off := page.HeaderSize; off+4 <= ps; off += 4 {
		first := binary.BigEndian.Uint32(ts[off:])
		if first == 0 {
			continue
		}
		active++
		fp, err := read(first)
		if err != nil {
			return err
		}
		txn := binary.BigEndian.Uint64(fp[undo.OffTxnID:])
		length := binary.BigEndian.Uint64(fp[undo.OffLength:])
		// Gather the stream.
		var stream []byte
		for pg := first; pg != 0 && uint64(len(stream)) < length; {
			p, err := read(pg)
			if err != nil {
				return err
			}
			stream = append(stream, p[undo.DataStart:]...)
			pg = page.Next(p)
		}
		if uint64(len(stream)) < length {
			return fmt.Errorf("transaction %d: undo chain shorter than its length %d", txn, length)
		}
		fmt.Fprintf(w, "transaction %d: slot %d, first undo page %d, %d bytes of undo\n", txn, (off-page.HeaderSize)/4, first, length)
		for end := length; end > 0; {
			if end < 4 {
				return fmt.Errorf("transaction %d: corrupt undo stream", txn)
			}
			n := uint64(binary.BigEndian.Uint32(stream[end-4:]))
			if n+4 > end {
				return fmt.Errorf("transaction %d: corrupt undo record at %d", txn, end)
			}
			start := end - 4 - n
			r, err := undo.DecodeRecord(stream[start : end-4])
			if err != nil {
				return fmt.Errorf("transaction %d at %d: %w", txn, start, err)
			}
			kind := map[uint8]string{undo.TypeInsert: "insert", undo.TypeUpdate: "update", undo.TypeDelete: "delete"}[r.Type]
			fmt.Fprintf(w, "  roll_ptr=%d:%d %s table=%d index=%d key=%x", first, start, kind, r.Table, r.Index, r.Key)
			if r.Type != undo.TypeInsert {
				fmt.Fprintf(w, " old_value=%d bytes old_txn=%d", len(r.Old), r.OldTrx)
			}
			fmt.Fprintln(w)
			end = start
		}
	}
	if active == 0 {
		fmt.Fprintln(w, "no active transactions")
	}
	return nil
}
