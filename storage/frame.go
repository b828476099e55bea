package storage

// Storage frame: every batch in a .log file is preceded by a fixed header
// so scans and recovery need no protobuf parsing:
//
//	[0:4)   uint32 length of everything after this field (28 + len(batch))
//	[4:8)   uint32 CRC-32C of bytes [8, 4+length)
//	[8:16)  int64  base offset
//	[16:20) int32  last offset delta
//	[20:28) int64  max timestamp
//	[28:32) int32  leader epoch
//	[32:..) the RecordBatch bytes
//
// All integers big-endian.
const (
	frameHeaderSize = 32
	// maxFrameBody bounds the length field so garbage cannot make recovery
	// read gigabytes.
	maxFrameBody = 256 << 20
)

type frameHeader struct {
	length          uint32 // bytes after the length field
	crc             uint32
	baseOffset      int64
	lastOffsetDelta int32
	maxTimestamp    int64
	leaderEpoch     int32
}

func (f *frameHeader) size() int64       { return 4 + int64(f.length) }
func (f *frameHeader) batchLen() int     { return int(f.length) - (frameHeaderSize - 4) }
func (f *frameHeader) lastOffset() int64 { return f.baseOffset + int64(f.lastOffsetDelta) }
func (f *frameHeader) nextOffset() int64 { return f.lastOffset() + 1 }

// putFrameHeader writes the header for batch (already placed at
// buf[frameHeaderSize:]) into buf[:frameHeaderSize], computing the CRC.
func putFrameHeader(buf []byte, baseOffset int64, lastOffsetDelta int32, maxTs int64, epoch int32) {
	be.PutUint32(buf[0:], uint32(len(buf)-4))
	be.PutUint64(buf[8:], uint64(baseOffset))
	be.PutUint32(buf[16:], uint32(lastOffsetDelta))
	be.PutUint64(buf[20:], uint64(maxTs))
	be.PutUint32(buf[28:], uint32(epoch))
	be.PutUint32(buf[4:], CRC32C(buf[8:]))
}

// putFrameHeaderTail is putFrameHeader for a frame whose last tailLen
// bytes have CRC tailCRC (the batch payload, checked or computed during
// validation): only the bytes before it are read.
func putFrameHeaderTail(buf []byte, baseOffset int64, lastOffsetDelta int32, maxTs int64, epoch int32, tailCRC uint32, tailLen int, c *crcCombiner) {
	be.PutUint32(buf[0:], uint32(len(buf)-4))
	be.PutUint64(buf[8:], uint64(baseOffset))
	be.PutUint32(buf[16:], uint32(lastOffsetDelta))
	be.PutUint64(buf[20:], uint64(maxTs))
	be.PutUint32(buf[28:], uint32(epoch))
	head := CRC32C(buf[8 : len(buf)-tailLen])
	be.PutUint32(buf[4:], c.combine(head, tailCRC, tailLen))
}

// parseFrameHeader decodes the fixed header; it checks the length's range
// but not the CRC (see frameHeader.verify).
func parseFrameHeader(b []byte) (frameHeader, string) {
	var f frameHeader
	if len(b) < frameHeaderSize {
		return f, "short frame header"
	}
	f.length = be.Uint32(b[0:])
	f.crc = be.Uint32(b[4:])
	f.baseOffset = int64(be.Uint64(b[8:]))
	f.lastOffsetDelta = int32(be.Uint32(b[16:]))
	f.maxTimestamp = int64(be.Uint64(b[20:]))
	f.leaderEpoch = int32(be.Uint32(b[28:]))
	if f.length < frameHeaderSize-4+1 || f.length > maxFrameBody {
		return f, errString("frame length %d out of range", f.length)
	}
	if f.lastOffsetDelta < 0 {
		return f, errString("negative last offset delta %d", f.lastOffsetDelta)
	}
	if f.baseOffset < 0 || f.baseOffset > 1<<62 {
		return f, errString("base offset %d out of range", f.baseOffset)
	}
	return f, ""
}

// verify checks the CRC of a whole frame (header included).
func (f *frameHeader) verify(frame []byte) bool {
	return int64(len(frame)) == f.size() && CRC32C(frame[8:]) == f.crc
}
