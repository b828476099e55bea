package dev.fjordlog.fjord;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.fjordlog.fjord.v1.Record;
import dev.fjordlog.fjord.v1.RecordBatch;
import dev.fjordlog.fjord.v1.RecordHeader;
import dev.fjordlog.fjord.v1.Records;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Encodes and decodes RecordBatch messages byte-compatibly with the Go SDK (the shared vectors in
 * clients/testdata/batches.json pin it).
 */
public final class BatchCodec {
  private BatchCodec() {}

  private static final int MAX_DECOMPRESSED = 512 << 20;

  /** One record to encode. Null key/value mean absent. */
  public record Entry(byte[] key, byte[] value, List<Header> headers, long timestampMs) {}

  /** One decoded record with its absolute offset and timestamp. */
  public record Decoded(
      long offset, long timestampMs, byte[] key, byte[] value, List<Header> headers) {}

  /** CRC-32C (Castagnoli) of bytes. */
  public static long crc32c(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b, 0, b.length);
    return c.getValue();
  }

  /** Builds the Records payload of entries, relative to the first entry's timestamp. */
  public static Records records(List<Entry> entries) {
    long first = entries.get(0).timestampMs();
    Records.Builder rs = Records.newBuilder();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      Record.Builder r = Record.newBuilder().setOffsetDelta(i).setTimestampDelta(e.timestampMs() - first);
      if (e.key() != null) {
        r.setKey(UnsafeByteOperations.unsafeWrap(e.key()));
      }
      if (e.value() != null) {
        r.setValue(UnsafeByteOperations.unsafeWrap(e.value()));
      }
      if (e.headers() != null) {
        for (Header h : e.headers()) {
          r.addHeaders(RecordHeader.newBuilder().setKey(h.key()).setValue(ByteString.copyFrom(h.value())));
        }
      }
      rs.addRecords(r);
    }
    return rs.build();
  }

  /** Encodes a batch; producerId 0 means not idempotent. */
  public static RecordBatch encode(
      List<Entry> entries, Compression codec, long producerId, int producerEpoch, int baseSequence) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    long first = entries.get(0).timestampMs();
    long max = first;
    for (Entry e : entries) {
      max = Math.max(max, e.timestampMs());
    }
    Records recs = records(entries);
    byte[] raw = recs.toByteArray();
    int n = entries.size();
    RecordBatch.Builder b =
        RecordBatch.newBuilder()
            .setLastOffsetDelta(n - 1)
            .setRecordCount(n)
            .setFirstTimestamp(first)
            .setMaxTimestamp(max)
            .setProducerId(producerId)
            .setProducerEpoch(producerEpoch)
            .setBaseSequence(baseSequence)
            .setUncompressedSize(raw.length);
    if (codec == null || codec == Compression.NONE) {
      b.setCrc((int) crc32c(raw)).setRecords(recs);
    } else {
      byte[] payload = compress(codec, raw);
      b.setCompression(codec.wire()).setCrc((int) crc32c(payload))
          .setCompressedRecords(UnsafeByteOperations.unsafeWrap(payload));
    }
    return b.build();
  }

  static byte[] compress(Compression codec, byte[] raw) {
    switch (codec) {
      case GZIP:
        try {
          ByteArrayOutputStream bo = new ByteArrayOutputStream(raw.length / 2 + 64);
          try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(raw);
          }
          return bo.toByteArray();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      case ZSTD:
        return Zstd.compress(raw, 3);
      case SNAPPY:
        try {
          return org.xerial.snappy.Snappy.compress(raw);
        } catch (IOException e) {
          throw new IllegalStateException("snappy: " + e.getMessage(), e);
        }
      case LZ4:
        try {
          ByteArrayOutputStream bo = new ByteArrayOutputStream(raw.length / 2 + 64);
          try (net.jpountz.lz4.LZ4FrameOutputStream lz = new net.jpountz.lz4.LZ4FrameOutputStream(bo)) {
            lz.write(raw);
          }
          return bo.toByteArray();
        } catch (IOException e) {
          throw new IllegalStateException("lz4: " + e.getMessage(), e);
        }
      default:
        return raw;
    }
  }

  static byte[] decompress(dev.fjordlog.fjord.v1.Compression codec, byte[] data, int sizeHint) {
    switch (codec) {
      case COMPRESSION_GZIP:
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
          byte[] out = in.readNBytes(MAX_DECOMPRESSED + 1);
          if (out.length > MAX_DECOMPRESSED) {
            throw corrupt("decompressed batch too large");
          }
          return out;
        } catch (IOException e) {
          throw corrupt("gzip: " + e.getMessage());
        }
      case COMPRESSION_ZSTD:
        {
          long size = Zstd.getFrameContentSize(data);
          if (size < 0 || size > MAX_DECOMPRESSED) {
            size = sizeHint > 0 ? sizeHint : 0;
          }
          if (size > 0) {
            return Zstd.decompress(data, (int) size);
          }
          try (com.github.luben.zstd.ZstdInputStream in =
              new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(data))) {
            return in.readNBytes(MAX_DECOMPRESSED);
          } catch (IOException e) {
            throw corrupt("zstd: " + e.getMessage());
          }
        }
      case COMPRESSION_SNAPPY:
        try {
          int n = org.xerial.snappy.Snappy.uncompressedLength(data);
          if (n < 0 || n > MAX_DECOMPRESSED) {
            throw corrupt("snappy: decompressed batch too large (" + n + " bytes)");
          }
          return org.xerial.snappy.Snappy.uncompress(data);
        } catch (IOException e) {
          throw corrupt("snappy: " + e.getMessage());
        }
      case COMPRESSION_LZ4:
        // commons-compress, not lz4-java: a valid frame may link its blocks (block independence
        // flag clear; cramjam and the lz4 CLI write those) and lz4-java refuses such frames.
        // Concatenated frames are read too; block and content checksums are verified.
        try (org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream in =
            new org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream(
                new ByteArrayInputStream(data), true)) {
          byte[] out = in.readNBytes(MAX_DECOMPRESSED + 1);
          if (out.length > MAX_DECOMPRESSED) {
            throw corrupt("decompressed batch too large");
          }
          return out;
        } catch (IOException | RuntimeException e) {
          if (e instanceof FjordException fe) {
            throw fe;
          }
          throw corrupt("lz4: " + e.getMessage());
        }
      default:
        throw corrupt("unsupported compression " + codec);
    }
  }

  private static FjordException corrupt(String msg) {
    return new FjordException("CORRUPT_MESSAGE", msg, false, null);
  }

  /** The records of a batch (decompressed; CRC checked when present). */
  public static Records payload(RecordBatch b) {
    if (b.hasCompressedRecords()) {
      byte[] data = b.getCompressedRecords().toByteArray();
      if (b.hasCrc() && (int) crc32c(data) != b.getCrc()) {
        throw corrupt("batch CRC mismatch at offset " + b.getBaseOffset());
      }
      try {
        return Records.parseFrom(decompress(b.getCompression(), data, b.getUncompressedSize()));
      } catch (InvalidProtocolBufferException e) {
        throw corrupt("bad records: " + e.getMessage());
      }
    }
    return b.getRecords();
  }

  /** Decodes a batch into records with absolute offsets and timestamps. */
  public static List<Decoded> decode(RecordBatch b) {
    Records rs = payload(b);
    List<Decoded> out = new ArrayList<>(rs.getRecordsCount());
    boolean logAppend =
        b.getTimestampType() == dev.fjordlog.fjord.v1.TimestampType.TIMESTAMP_TYPE_LOG_APPEND_TIME;
    for (Record r : rs.getRecordsList()) {
      List<Header> hs;
      if (r.getHeadersCount() == 0) {
        hs = List.of();
      } else {
        hs = new ArrayList<>(r.getHeadersCount());
        for (RecordHeader h : r.getHeadersList()) {
          hs.add(new Header(h.getKey(), h.getValue().toByteArray()));
        }
      }
      out.add(
          new Decoded(
              b.getBaseOffset() + r.getOffsetDelta(),
              logAppend ? b.getMaxTimestamp() : b.getFirstTimestamp() + r.getTimestampDelta(),
              r.hasKey() ? r.getKey().toByteArray() : null,
              r.hasValue() ? r.getValue().toByteArray() : null,
              hs));
    }
    return out;
  }
}
