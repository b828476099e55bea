package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/** The schema registry refused a request (reasons such as {@code INVALID_SCHEMA}, {@code SUBJECT_NOT_FOUND}, {@code SCHEMA_NOT_FOUND}, {@code INCOMPATIBLE_SCHEMA}); {@link #errorCode()} is the Confluent error code. */
public class SchemaRegistryException extends FjordException {
  private static final long serialVersionUID = 1L;

  /** See {@link FjordException#FjordException(Status.Code, String, String, boolean, boolean, Duration, String, int, Map, Throwable)}. */
  public SchemaRegistryException(
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
  public SchemaRegistryException(String reason, String message, boolean retriable, Throwable cause) {
    super(reason, message, retriable, cause);
  }

  private int errorCode;

  /** The Confluent error code (e.g. 42201 for an invalid schema), or 0. */
  public int errorCode() {
    return errorCode;
  }

  /** Sets the Confluent error code (for clients of the registry). */
  public SchemaRegistryException withErrorCode(int c) {
    this.errorCode = c;
    return this;
  }
}
