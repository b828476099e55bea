package dev.fjordlog.fjord;

/** Where a consumer starts in a partition without a committed offset (or out of range). */
public enum OffsetReset {
  /** The log start offset. */
  EARLIEST,
  /** The high watermark: only new records. */
  LATEST,
  /** Fail poll with {@link OffsetOutOfRangeException}. */
  NONE
}
