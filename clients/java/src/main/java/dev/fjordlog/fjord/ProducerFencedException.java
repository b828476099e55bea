package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** An idempotent producer was fenced or could not get a producer id (reasons {@code INVALID_PRODUCER_EPOCH}, {@code OUT_OF_ORDER_SEQUENCE_NUMBER}, {@code UNKNOWN_PRODUCER_ID}). */
public class ProducerFencedException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public ProducerFencedException(
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
  public ProducerFencedException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }
}
