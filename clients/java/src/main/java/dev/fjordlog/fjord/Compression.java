package dev.fjordlog.fjord;

/** Batch compression codecs the Java SDK writes (and reads). */
public enum Compression {
  /** No compression. */
  NONE,
  /** RFC 1952 gzip (java.util.zip). */
  GZIP,
  /** Raw Snappy block format, not the framing format (snappy-java). */
  SNAPPY,
  /** LZ4 frame format (written with lz4-java; read with commons-compress, linked blocks too). */
  LZ4,
  /** Zstandard (zstd-jni). */
  ZSTD;

  dev.fjordlog.fjord.v1.Compression wire() {
    return switch (this) {
      case NONE -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_NONE;
      case GZIP -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_GZIP;
      case SNAPPY -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_SNAPPY;
      case LZ4 -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_LZ4;
      case ZSTD -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_ZSTD;
    };
  }
}
