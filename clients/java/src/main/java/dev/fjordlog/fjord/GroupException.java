package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** A consumer-group failure (reasons such as {@code NOT_COORDINATOR}, {@code UNKNOWN_MEMBER_ID}, {@code FENCED_MEMBER_EPOCH}, {@code GROUP_ID_NOT_FOUND}, {@code INVALID_GROUP_ID}, {@code NON_EMPTY_GROUP}). */
public class GroupException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public GroupException(
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
  public GroupException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }
}
