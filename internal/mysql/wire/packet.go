package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
)

// Framing errors. ErrPacketTooLarge is answered with ER_NET_PACKET_TOO_LARGE
// before the connection closes, as MySQL does.
var (
	ErrPacketTooLarge    = errors.New("wire: packet bigger than max_allowed_packet")
	ErrPacketsOutOfOrder = errors.New("wire: packets out of order")
)

const (
	readBufferSize = 16 << 10
	// flushThreshold bounds the write buffer while a long result set streams.
	flushThreshold = 64 << 10
	// keepBuffer is the largest buffer kept between packets; a larger one
	// (a 1 MB INSERT) is dropped after use so idle connections stay small.
	keepBuffer = 1 << 20
)

// Conn frames packets on one client connection. Reads and writes happen on
// the connection's own goroutine; Conn is not safe for concurrent use.
// Written packets accumulate in a buffer until Flush.
type Conn struct {
	nc  net.Conn
	br  *bufio.Reader
	seq uint8

	// MaxAllowedPacket caps the logical packets a client may send.
	MaxAllowedPacket int

	hdr  [4]byte // a field, not a local: io.ReadFull would move a local to the heap
	rbuf []byte  // the last packet read; reused
	wbuf []byte  // packets not yet flushed
}

// NewConn wraps a network connection.
func NewConn(nc net.Conn) *Conn {
	return &Conn{
		nc:               nc,
		br:               bufio.NewReaderSize(nc, readBufferSize),
		MaxAllowedPacket: DefaultMaxAllowedPacket,
		wbuf:             make([]byte, 0, 4096),
	}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// ResetSequence starts a new command: the next packet read carries sequence 0.
func (c *Conn) ResetSequence() { c.seq = 0 }

// ReadPacket reads one logical packet, joining split pieces. The returned
// slice is valid until the next ReadPacket.
func (c *Conn) ReadPacket() ([]byte, error) {
	if cap(c.rbuf) > keepBuffer {
		c.rbuf = nil
	}
	buf := c.rbuf[:0]
	for {
		h := &c.hdr
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return nil, err
		}
		n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
		if h[3] != c.seq {
			return nil, fmt.Errorf("%w: got sequence %d, want %d", ErrPacketsOutOfOrder, h[3], c.seq)
		}
		c.seq++
		if len(buf)+n > c.MaxAllowedPacket {
			return nil, ErrPacketTooLarge
		}
		start := len(buf)
		if cap(buf)-start < n {
			grown := make([]byte, start, start+n+512)
			copy(grown, buf)
			buf = grown
		}
		buf = buf[:start+n]
		if _, err := io.ReadFull(c.br, buf[start:]); err != nil {
			return nil, err
		}
		if n < MaxPayload {
			c.rbuf = buf
			return buf, nil
		}
	}
}

// Buffered reports whether the client has already sent more bytes (a
// pipelined command); the server flushes only when it has not.
func (c *Conn) Buffered() int { return c.br.Buffered() }

// begin reserves a packet header in the write buffer and returns the
// payload's start offset.
func (c *Conn) begin() int {
	c.wbuf = append(c.wbuf, 0, 0, 0, 0)
	return len(c.wbuf)
}

// end fills in the header of the packet begun at start, splitting a payload
// of MaxPayload bytes or more into pieces as the protocol requires.
func (c *Conn) end(start int) {
	n := len(c.wbuf) - start
	if n < MaxPayload {
		putHeader(c.wbuf[start-4:], n, c.seq)
		c.seq++
		return
	}
	payload := append([]byte(nil), c.wbuf[start:]...)
	c.wbuf = c.wbuf[:start-4]
	for {
		piece := min(len(payload), MaxPayload)
		var h [4]byte
		putHeader(h[:], piece, c.seq)
		c.seq++
		c.wbuf = append(append(c.wbuf, h[:]...), payload[:piece]...)
		payload = payload[piece:]
		if piece < MaxPayload {
			return
		}
	}
}

func putHeader(h []byte, n int, seq uint8) {
	h[0], h[1], h[2], h[3] = byte(n), byte(n>>8), byte(n>>16), seq
}

// WritePacket buffers one packet with the given payload.
func (c *Conn) WritePacket(payload []byte) {
	start := c.begin()
	c.wbuf = append(c.wbuf, payload...)
	c.end(start)
}

// maybeFlush writes the buffer out once it has grown past flushThreshold,
// so a long result set streams without holding it all in memory.
func (c *Conn) maybeFlush() error {
	if len(c.wbuf) < flushThreshold {
		return nil
	}
	return c.Flush()
}

// Flush writes all buffered packets to the connection.
func (c *Conn) Flush() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > keepBuffer {
		c.wbuf = make([]byte, 0, 4096)
	} else {
		c.wbuf = c.wbuf[:0]
	}
	return err
}

// Close closes the network connection.
func (c *Conn) Close() error { return c.nc.Close() }
