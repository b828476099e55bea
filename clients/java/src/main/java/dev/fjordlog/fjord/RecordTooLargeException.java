package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** A record or batch is larger than the producer or the broker allows (reason {@code MESSAGE_TOO_LARGE}, or {@code RECORD_TOO_LARGE} for the client-side check). */
public class RecordTooLargeException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public RecordTooLargeException(
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
  public RecordTooLargeException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }
}
