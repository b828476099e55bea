package storage

import (
	"bytes"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// maxUncompressedBytes bounds decompression so a small hostile batch cannot
// exhaust memory.
const maxUncompressedBytes = 64 << 20

// Codec state is pooled package-wide: pools hold no configuration, only
// reusable scratch, so sharing them across logs is safe.
var (
	bufPool       = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}
	gzipReaders   sync.Pool
	lz4Readers    = sync.Pool{New: func() any { return lz4.NewReader(nil) }}
	zstdDecoders  = sync.Pool{New: newZstdDecoder}
	zstdEncoders  = sync.Pool{New: newZstdEncoder}
	gzipWriters   = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}
	lz4Writers    = sync.Pool{New: func() any { return lz4.NewWriter(nil) }}
	bytesReaders  = sync.Pool{New: func() any { return new(bytes.Reader) }}
	errorTooLarge = invalidf(-1, "uncompressed records larger than %d bytes", maxUncompressedBytes)
)

func newZstdDecoder() any {
	// Concurrency 1 keeps DecodeAll synchronous: no goroutines to leak.
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxUncompressedBytes))
	if err != nil {
		panic(err)
	}
	return d
}

func newZstdEncoder() any {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err)
	}
	return e
}

func getBuf() *[]byte { b := bufPool.Get().(*[]byte); *b = (*b)[:0]; return b }

func releaseBuf(b *[]byte) {
	if cap(*b) <= 4<<20 {
		bufPool.Put(b)
	}
}

// decompress decodes src into a pooled buffer; release it with releaseBuf.
func decompress(c Compression, src []byte, sizeHint, limit int) (*[]byte, error) {
	if limit > maxUncompressedBytes {
		limit = maxUncompressedBytes
	}
	buf := getBuf()
	if sizeHint > 0 && sizeHint <= limit && cap(*buf) < sizeHint {
		*buf = make([]byte, 0, sizeHint)
	}
	var err error
	switch c {
	case CompressionNone, CompressionUnspecified:
		*buf = append(*buf, src...)
	case CompressionSnappy:
		var n int
		n, err = snappy.DecodedLen(src)
		if err == nil && n > limit {
			releaseBuf(buf)
			return nil, errorTooLarge
		}
		if err == nil {
			if cap(*buf) < n {
				*buf = make([]byte, 0, n)
			}
			var out []byte
			out, err = snappy.Decode((*buf)[:n], src)
			*buf = out
		}
	case CompressionZstd:
		d := zstdDecoders.Get().(*zstd.Decoder)
		*buf, err = d.DecodeAll(src, *buf)
		zstdDecoders.Put(d)
	case CompressionGzip:
		br := bytesReaders.Get().(*bytes.Reader)
		br.Reset(src)
		var zr *gzip.Reader
		if v := gzipReaders.Get(); v != nil {
			zr = v.(*gzip.Reader)
			err = zr.Reset(br)
		} else {
			zr, err = gzip.NewReader(br)
		}
		if err == nil {
			*buf, err = readAllLimit(zr, *buf, limit)
			gzipReaders.Put(zr)
		}
		bytesReaders.Put(br)
	case CompressionLZ4:
		br := bytesReaders.Get().(*bytes.Reader)
		br.Reset(src)
		zr := lz4Readers.Get().(*lz4.Reader)
		zr.Reset(br)
		*buf, err = readAllLimit(zr, *buf, limit)
		lz4Readers.Put(zr)
		bytesReaders.Put(br)
	default:
		err = invalidf(-1, "unknown compression %d", c)
	}
	if err == nil && len(*buf) > limit {
		err = errorTooLarge
	}
	if err != nil {
		releaseBuf(buf)
		if _, ok := err.(*InvalidBatchError); ok {
			return nil, err
		}
		return nil, invalidf(-1, "decompress (codec %d): %v", c, err)
	}
	return buf, nil
}

func readAllLimit(r io.Reader, dst []byte, limit int) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst) > limit {
			return dst, errorTooLarge
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// compress appends src compressed with c to dst.
func compress(c Compression, dst, src []byte) ([]byte, error) {
	switch c {
	case CompressionNone, CompressionUnspecified:
		return append(dst, src...), nil
	case CompressionSnappy:
		n := snappy.MaxEncodedLen(len(src))
		start := len(dst)
		dst = append(dst, make([]byte, n)...)
		out := snappy.Encode(dst[start:], src)
		return dst[:start+len(out)], nil
	case CompressionZstd:
		e := zstdEncoders.Get().(*zstd.Encoder)
		dst = e.EncodeAll(src, dst)
		zstdEncoders.Put(e)
		return dst, nil
	case CompressionGzip:
		w := bytes.NewBuffer(dst)
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(w)
		_, err := zw.Write(src)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		gzipWriters.Put(zw)
		return w.Bytes(), err
	case CompressionLZ4:
		w := bytes.NewBuffer(dst)
		zw := lz4Writers.Get().(*lz4.Writer)
		zw.Reset(w)
		_, err := zw.Write(src)
		if cerr := zw.Close(); err == nil {
			err = cerr
		}
		lz4Writers.Put(zw)
		return w.Bytes(), err
	}
	return nil, invalidf(-1, "unknown compression %d", c)
}
