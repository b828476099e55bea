package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** The requested offset is outside the partition's log (reason {@code OFFSET_OUT_OF_RANGE}). */
public class OffsetOutOfRangeException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public OffsetOutOfRangeException(
      Status.Code code,
      String reason,
      String message,
      boolean retriable,
      boolean indefinite,
      Duration retryAfter,
      String topic,
      int partition,
      Map<String, String> metadata,
      Throwable cause) {
    super(code, reason, message, retriable, indefinite, retryAfter, topic, partition, metadata, cause);
  }

  /** A client-side error. */
  public OffsetOutOfRangeException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }
}
