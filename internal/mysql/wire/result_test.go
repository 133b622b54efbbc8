package wire

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tandem-db/tandem/internal/mysql/sql/types"
)

// discardConn is a net.Conn that swallows writes and reads from r.
type discardConn struct {
	net.Conn
	r io.Reader
	w bytes.Buffer
}

func (d *discardConn) Write(p []byte) (int, error)        { return d.w.Write(p) }
func (d *discardConn) Read(p []byte) (int, error)         { return d.r.Read(p) }
func (d *discardConn) Close() error                       { return nil }
func (d *discardConn) SetDeadline(time.Time) error        { return nil }
func (d *discardConn) SetReadDeadline(t time.Time) error  { return nil }
func (d *discardConn) SetWriteDeadline(t time.Time) error { return nil }

func TestTextRowLongValue(t *testing.T) {
	d := &discardConn{}
	c := NewConn(d)
	long := strings.Repeat("z", 70000)
	row := []types.Value{types.NewInt(-5), types.Null, types.NewString(long), types.NewString("ok")}
	if err := c.WriteTextRow(row); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	rc := NewConn(&discardConn{r: bytes.NewReader(d.w.Bytes())})
	p, err := rc.ReadPacket()
	if err != nil {
		t.Fatal(err)
	}
	r := newReader(p)
	if got := string(r.lenEncBytes()); got != "-5" {
		t.Fatalf("col 0 = %q", got)
	}
	if _, null := r.lenEncInt(); !null {
		t.Fatal("col 1 not NULL")
	}
	if got := string(r.lenEncBytes()); got != long {
		t.Fatalf("col 2 has %d bytes", len(got))
	}
	if got := string(r.lenEncBytes()); got != "ok" || !r.ok || r.left() != 0 {
		t.Fatalf("col 3 = %q", got)
	}
}

func TestBinaryRow(t *testing.T) {
	d := &discardConn{}
	c := NewConn(d)
	cols := []Column{{Type: TypeLongLong}, {Type: TypeLong, Flags: FlagUnsigned}, {Type: TypeVarString}, {Type: TypeDatetime}, {Type: TypeDouble}, {Type: TypeTime}}
	row := []types.Value{types.NewInt(-2), types.NewUint(4000000000), types.Null, types.NewDatetime(2024, 11, 27, 14, 56, 0, 0, 0), types.NewFloat(1.5), types.NewDuration(-3723000001, 6)}
	if err := c.WriteBinaryRow(cols, row); err != nil {
		t.Fatal(err)
	}
	_ = c.Flush()
	want := []byte{0x00, 0x10} // header, NULL bitmap with column 2 (bit 4)
	want = append(want, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	want = append(want, 0x00, 0x28, 0x6b, 0xee)
	want = append(want, 7, 0xe8, 0x07, 11, 27, 14, 56, 0)
	want = append(want, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f)
	want = append(want, 12, 1, 0, 0, 0, 0, 1, 2, 3, 0x01, 0, 0, 0)
	if got := d.w.Bytes()[4:]; !bytes.Equal(got, want) {
		t.Fatalf("binary row\n got %x\nwant %x", got, want)
	}
}

func BenchmarkWriteTextRow(b *testing.B) {
	c := NewConn(&discardConn{})
	row := []types.Value{types.NewInt(12345), types.NewInt(67890), types.NewString(strings.Repeat("c", 120)), types.NewString(strings.Repeat("p", 60))}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.WriteTextRow(row)
		if len(c.wbuf) > 32<<10 {
			c.wbuf = c.wbuf[:0]
		}
	}
}

func BenchmarkReadPacket(b *testing.B) {
	var stream bytes.Buffer
	for range 1000 {
		q := "\x03SELECT c FROM sbtest1 WHERE id=1"
		stream.Write([]byte{byte(len(q)), 0, 0, 0})
		stream.WriteString(q)
	}
	data := stream.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		c := NewConn(&discardConn{r: bytes.NewReader(data)})
		for range 1000 {
			c.ResetSequence()
			if _, err := c.ReadPacket(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzReadPacket feeds arbitrary byte streams to the framing layer: it
// never panics, never returns more than MaxAllowedPacket bytes, and what a
// Conn writes, a Conn reads back.
func FuzzReadPacket(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0x0e}, []byte("payload"))
	f.Add([]byte{0xff, 0xff, 0xff, 0, 1, 2}, []byte{})
	f.Fuzz(func(t *testing.T, stream, payload []byte) {
		c := NewConn(&discardConn{r: bytes.NewReader(stream)})
		c.MaxAllowedPacket = 1 << 16
		for range 4 {
			p, err := c.ReadPacket()
			if err != nil {
				break
			}
			if len(p) > c.MaxAllowedPacket {
				t.Fatalf("%d-byte packet over the limit", len(p))
			}
		}
		d := &discardConn{}
		w := NewConn(d)
		w.WritePacket(payload)
		w.WritePacket(nil)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r := NewConn(&discardConn{r: bytes.NewReader(d.w.Bytes())})
		got, err := r.ReadPacket()
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("round trip: %v, %d bytes for %d", err, len(got), len(payload))
		}
		if got, err := r.ReadPacket(); err != nil || len(got) != 0 {
			t.Fatalf("empty packet: %v %q", err, got)
		}
	})
}
