package dev.fjordlog.fjord;

/** Batch compression codecs the Java SDK writes (and reads). */
public enum Compression {
  /** No compression. */
  NONE,
  /** RFC 1952 gzip (java.util.zip). */
  GZIP,
  /** Zstandard (zstd-jni). */
  ZSTD;

  dev.fjordlog.fjord.v1.Compression wire() {
    return switch (this) {
      case NONE -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_NONE;
      case GZIP -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_GZIP;
      case ZSTD -> dev.fjordlog.fjord.v1.Compression.COMPRESSION_ZSTD;
    };
  }
}
