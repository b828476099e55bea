package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of the Confluent wire format's header: the magic
// byte 0 and the schema id as a 4-byte big-endian integer.
const HeaderSize = 5

// ErrNotFramed is returned (wrapped) for data that does not start with the
// Confluent wire format's header: shorter than 5 bytes, or a first byte
// other than 0.
var ErrNotFramed = errors.New("avro: not in the Confluent wire format (magic byte 0, 4-byte schema id)")

// AppendHeader appends the Confluent wire format's header for schema id
// to dst: the magic byte 0, then id as 4 bytes big-endian. The Avro binary
// encoding of the value follows it.
func AppendHeader(dst []byte, id int) []byte {
	return binary.BigEndian.AppendUint32(append(dst, 0), uint32(id))
}

// ParseHeader splits Confluent-framed data into the schema id and the Avro
// binary encoding that follows the header. It fails with ErrNotFramed.
func ParseHeader(data []byte) (id int, payload []byte, err error) {
	if len(data) < HeaderSize {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrNotFramed, len(data))
	}
	if data[0] != 0 {
		return 0, nil, fmt.Errorf("%w: magic byte %d", ErrNotFramed, data[0])
	}
	return int(int32(binary.BigEndian.Uint32(data[1:5]))), data[HeaderSize:], nil
}
