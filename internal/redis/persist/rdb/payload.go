package rdb

import (
	"encoding/binary"
	"errors"

	"github.com/tandem-db/tandem/internal/redis/keyspace"
)

// A DUMP payload is one object (type byte and serialization) followed by a footer: the RDB
// version as 2 bytes little-endian and the CRC-64 of everything before the checksum, 8 bytes
// little-endian (createDumpPayload).

const footerSize = 10

// ErrPayload: the payload is too short, from a newer RDB version, or its checksum does not
// match (RESTORE: "ERR DUMP payload version or checksum are wrong").
var ErrPayload = errors.New("rdb: DUMP payload version or checksum are wrong")

// Payload returns the DUMP payload of v.
func Payload(v keyspace.Value, cfg Config) ([]byte, error) {
	p, err := AppendObject(nil, v, cfg)
	if err != nil {
		return nil, err
	}
	p = binary.LittleEndian.AppendUint16(p, Version)
	crc := newCRCTable().update(0, p)
	return binary.LittleEndian.AppendUint64(p, crc), nil
}

// VerifyPayload checks p's footer: ErrPayload when the version is newer than Version or the
// checksum is wrong.
func VerifyPayload(p []byte) error {
	if len(p) < footerSize {
		return ErrPayload
	}
	footer := p[len(p)-footerSize:]
	if binary.LittleEndian.Uint16(footer) > Version {
		return ErrPayload
	}
	if newCRCTable().update(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return ErrPayload
	}
	return nil
}

// LoadPayload verifies p and decodes its object. As in Redis (which reads the object from the
// whole buffer), the object may run into the footer's bytes or leave bytes before it unread:
// the checksum already vouches for them.
func LoadPayload(p []byte, cfg Config) (Value, error) {
	if err := VerifyPayload(p); err != nil {
		return Value{}, err
	}
	v, _, err := DecodeObject(p, cfg)
	return v, err
}
