package dev.fjordlog.fjord;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The producer's fast path: records are serialized into the open batch's buffer as they are
 * sent (a batch's Records payload is the concatenation of its records' field-1 entries), and a
 * whole RecordBatch is written around the payload without building protobuf objects. Byte-exact
 * with {@link BatchCodec#encode} (pinned by the shared vectors).
 */
final class RawBatch {
  private byte[] buf = new byte[256];
  private int len;
  int count;
  long firstTs;
  long maxTs;

  /** Appends one record; returns the bytes it took. */
  int append(byte[] key, byte[] value, List<Header> headers, long ts) {
    if (count == 0) {
      firstTs = ts;
      maxTs = ts;
    }
    maxTs = Math.max(maxTs, ts);
    long tsDelta = ts - firstTs;
    int size = 0;
    if (count != 0) {
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(count);
    }
    if (tsDelta != 0) {
      size += 1 + CodedOutputStream.computeUInt64SizeNoTag(tsDelta);
    }
    if (key != null) {
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(key.length) + key.length;
    }
    if (value != null) {
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(value.length) + value.length;
    }
    int[] hsizes = null;
    if (!headers.isEmpty()) {
      hsizes = new int[headers.size()];
      for (int i = 0; i < hsizes.length; i++) {
        Header h = headers.get(i);
        int hs = 0;
        if (!h.key().isEmpty()) {
          hs += CodedOutputStream.computeStringSize(1, h.key());
        }
        if (h.value().length > 0) {
          hs += 1 + CodedOutputStream.computeUInt32SizeNoTag(h.value().length) + h.value().length;
        }
        hsizes[i] = hs;
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(hs) + hs;
      }
    }
    int total = 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    ensure(total);
    buf[len++] = 0x0a;
    varint(size);
    if (count != 0) {
      buf[len++] = 0x08;
      varint(count);
    }
    if (tsDelta != 0) {
      buf[len++] = 0x10;
      varint(tsDelta);
    }
    if (key != null) {
      buf[len++] = 0x1a;
      bytes(key);
    }
    if (value != null) {
      buf[len++] = 0x22;
      bytes(value);
    }
    if (hsizes != null) {
      for (int i = 0; i < hsizes.length; i++) {
        Header h = headers.get(i);
        buf[len++] = 0x2a;
        varint(hsizes[i]);
        if (!h.key().isEmpty()) {
          buf[len++] = 0x0a;
          bytes(h.key().getBytes(StandardCharsets.UTF_8));
        }
        if (h.value().length > 0) {
          buf[len++] = 0x12;
          bytes(h.value());
        }
      }
    }
    count++;
    return total;
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  private void varint(long v) {
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
  }

  private void bytes(byte[] b) {
    varint(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** The serialized Records message. */
  byte[] records() {
    return Arrays.copyOf(buf, len);
  }

  /** The whole serialized RecordBatch. */
  byte[] finish(Compression codec, long producerId, int epoch, int baseSeq) {
    byte[] raw = buf;
    int rawLen = len;
    byte[] payload = raw;
    int payloadLen = rawLen;
    boolean compressed = codec != null && codec != Compression.NONE;
    if (compressed) {
      payload = BatchCodec.compress(codec, Arrays.copyOf(raw, rawLen));
      payloadLen = payload.length;
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(payload, 0, payloadLen);
    byte[] out = new byte[payloadLen + 128];
    int[] pos = {0};
    Writer w = new Writer(out);
    w.varintField(3, count - 1);
    w.varintField(4, count);
    w.varintField(5, firstTs);
    w.varintField(6, maxTs);
    if (compressed) {
      w.varintField(8, codec.wire().getNumber());
    }
    w.varintField(9, producerId);
    w.varintField(10, epoch);
    w.varintField(11, baseSeq);
    w.tag(12, 5);
    int c = (int) crc.getValue();
    out[w.pos++] = (byte) c;
    out[w.pos++] = (byte) (c >>> 8);
    out[w.pos++] = (byte) (c >>> 16);
    out[w.pos++] = (byte) (c >>> 24);
    w.varintField(13, rawLen);
    w.tag(compressed ? 15 : 14, 2);
    w.varint(payloadLen);
    System.arraycopy(payload, 0, out, w.pos, payloadLen);
    pos[0] = w.pos + payloadLen;
    return Arrays.copyOf(out, pos[0]);
  }

  /** A small protobuf writer over a preallocated array. */
  static final class Writer {
    final byte[] out;
    int pos;

    Writer(byte[] out) {
      this.out = out;
    }

    void tag(int field, int wire) {
      varint(((long) field << 3) | wire);
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out[pos++] = (byte) v;
    }

    void varintField(int field, long v) {
      if (v != 0) {
        tag(field, 0);
        varint(v);
      }
    }
  }

  /** Passes pre-serialized request bytes through gRPC. */
  static final io.grpc.MethodDescriptor.Marshaller<byte[]> BYTES =
      new io.grpc.MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
        }
      };
}
