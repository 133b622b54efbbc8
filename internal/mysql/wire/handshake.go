package wire

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Handshake is the server's initial greeting (protocol version 10).
type Handshake struct {
	ConnectionID  uint32
	ServerVersion string
	Salt          [20]byte
	Charset       uint8
	Status        uint16
	AuthPlugin    string
}

// NewSalt returns a fresh scramble: 20 random printable bytes, never NUL
// (clients read the second part as a NUL-terminated string).
func NewSalt() [20]byte {
	var s [20]byte
	_, _ = rand.Read(s[:])
	for i, c := range s {
		s[i] = 0x21 + c%(0x7e-0x21)
	}
	return s
}

// WriteHandshake buffers the initial handshake packet.
func (c *Conn) WriteHandshake(h *Handshake) {
	start := c.begin()
	b := append(c.wbuf, 10)
	b = append(append(b, h.ServerVersion...), 0)
	b = binary.LittleEndian.AppendUint32(b, h.ConnectionID)
	b = append(append(b, h.Salt[:8]...), 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(ServerCapabilities&0xffff))
	b = append(b, h.Charset)
	b = binary.LittleEndian.AppendUint16(b, h.Status)
	b = binary.LittleEndian.AppendUint16(b, uint16(ServerCapabilities>>16))
	b = append(b, 21)
	b = append(b, make([]byte, 10)...)
	b = append(append(b, h.Salt[8:]...), 0)
	b = append(append(b, h.AuthPlugin...), 0)
	c.wbuf = b
	c.end(start)
}

// HandshakeResponse is a client's HandshakeResponse41.
type HandshakeResponse struct {
	Capabilities uint32
	MaxPacket    uint32
	Charset      uint8
	User         string
	AuthResponse []byte
	Database     string
	AuthPlugin   string
	Attrs        map[string]string
}

// Handshake decoding errors.
var (
	ErrMalformed       = errors.New("wire: malformed packet")
	ErrOldProtocol     = errors.New("wire: client does not speak protocol 4.1")
	ErrSSLNotSupported = errors.New("wire: client asked for TLS, which this server does not offer")
)

// ParseHandshakeResponse decodes a HandshakeResponse41 payload.
func ParseHandshakeResponse(payload []byte) (*HandshakeResponse, error) {
	r := newReader(payload)
	var h HandshakeResponse
	h.Capabilities = r.uint32()
	if !r.ok {
		return nil, ErrMalformed
	}
	if h.Capabilities&ClientProtocol41 == 0 {
		return nil, ErrOldProtocol
	}
	h.MaxPacket = r.uint32()
	h.Charset = r.byte1()
	r.bytes(23)
	if !r.ok {
		return nil, ErrMalformed
	}
	if r.left() == 0 && h.Capabilities&ClientSSL != 0 {
		return nil, ErrSSLNotSupported
	}
	h.User = string(r.nulString())
	switch {
	case h.Capabilities&ClientPluginAuthLenencClientData != 0:
		h.AuthResponse = r.lenEncBytes()
	case h.Capabilities&ClientSecureConnection != 0:
		h.AuthResponse = r.bytes(int(r.byte1()))
	default:
		h.AuthResponse = r.nulString()
	}
	if !r.ok {
		return nil, ErrMalformed
	}
	h.AuthResponse = bytes.Clone(h.AuthResponse)
	if h.Capabilities&ClientConnectWithDB != 0 && r.left() > 0 {
		h.Database = string(r.nulString())
	}
	if h.Capabilities&ClientPluginAuth != 0 && r.left() > 0 {
		h.AuthPlugin = string(r.nulString())
	}
	if h.Capabilities&ClientConnectAttrs != 0 && r.left() > 0 {
		attrs, err := parseAttrs(&r)
		if err != nil {
			return nil, err
		}
		h.Attrs = attrs
	}
	return &h, nil
}

func parseAttrs(r *reader) (map[string]string, error) {
	n, _ := r.lenEncInt()
	if !r.ok || n > uint64(r.left()) {
		return nil, ErrMalformed
	}
	ar := newReader(r.bytes(int(n)))
	attrs := make(map[string]string)
	for ar.left() > 0 {
		k := ar.lenEncBytes()
		v := ar.lenEncBytes()
		if !ar.ok {
			return nil, ErrMalformed
		}
		attrs[string(k)] = string(v)
	}
	return attrs, nil
}

// WriteAuthSwitch asks the client to authenticate again with another plugin.
func (c *Conn) WriteAuthSwitch(plugin string, salt [20]byte) {
	start := c.begin()
	b := append(c.wbuf, 0xfe)
	b = append(append(b, plugin...), 0)
	b = append(append(b, salt[:]...), 0)
	c.wbuf = b
	c.end(start)
}

// WriteAuthMoreData sends an AuthMoreData packet (0x01 + data), e.g.
// caching_sha2_password's fast-auth success (0x03).
func (c *Conn) WriteAuthMoreData(data ...byte) {
	start := c.begin()
	c.wbuf = append(append(c.wbuf, 0x01), data...)
	c.end(start)
}

// VerifyNativePassword checks a mysql_native_password response against the
// plaintext password: SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))). An empty
// password expects an empty response.
func VerifyNativePassword(salt [20]byte, response []byte, password string) bool {
	if password == "" {
		return len(response) == 0
	}
	if len(response) != sha1.Size {
		return false
	}
	h1 := sha1.Sum([]byte(password))
	h2 := sha1.Sum(h1[:])
	m := sha1.New()
	m.Write(salt[:])
	m.Write(h2[:])
	h3 := m.Sum(nil)
	want := make([]byte, sha1.Size)
	for i := range want {
		want[i] = h1[i] ^ h3[i]
	}
	return subtle.ConstantTimeCompare(want, response) == 1
}

// VerifyCachingSHA2Password checks caching_sha2_password's fast-auth scramble:
// SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + salt). An empty password
// expects an empty response.
func VerifyCachingSHA2Password(salt [20]byte, response []byte, password string) bool {
	if password == "" {
		return len(response) == 0 || (len(response) == 1 && response[0] == 0)
	}
	if len(response) != sha256.Size {
		return false
	}
	h1 := sha256.Sum256([]byte(password))
	h2 := sha256.Sum256(h1[:])
	m := sha256.New()
	m.Write(h2[:])
	m.Write(salt[:])
	h3 := m.Sum(nil)
	want := make([]byte, sha256.Size)
	for i := range want {
		want[i] = h1[i] ^ h3[i]
	}
	return subtle.ConstantTimeCompare(want, response) == 1
}

// ServerVersion is what tandem reports: MySQL 8's protocol and behaviour.
const ServerVersion = "8.0.40-tandem"

func (h *HandshakeResponse) String() string {
	return fmt.Sprintf("user=%q db=%q plugin=%q caps=%#x", h.User, h.Database, h.AuthPlugin, h.Capabilities)
}
