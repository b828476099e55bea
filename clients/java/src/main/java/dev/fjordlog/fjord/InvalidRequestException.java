package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** The request is invalid (reasons such as {@code INVALID_REQUEST}, {@code INVALID_TOPIC}, {@code INVALID_CONFIG}, {@code INVALID_PARTITIONS}, {@code INVALID_REPLICATION_FACTOR}, {@code TOPIC_ALREADY_EXISTS}, {@code INVALID_RECORD}). */
public class InvalidRequestException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public InvalidRequestException(
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
  public InvalidRequestException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }
}
