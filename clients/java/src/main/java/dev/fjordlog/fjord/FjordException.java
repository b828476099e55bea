package dev.fjordlog.fjord;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * A failure reported by a broker (a gRPC status with ErrorInfo/RetryInfo details, or a per-partition
 * error inside a response) or by the client itself. {@link #reason()} is the stable machine-readable
 * reason (e.g. {@code NOT_LEADER_OR_FOLLOWER}); {@link #isRetriable()} says whether the same request
 * may succeed if retried; {@link #isIndefinite()} says, for writes, whether the write may have been
 * applied although it failed.
 *
 * <p>Subclasses exist for the reasons applications usually handle: {@link
 * UnknownTopicOrPartitionException}, {@link RecordTooLargeException}, {@link NotLeaderException},
 * {@link TimeoutException}, {@link ProducerFencedException}, {@link SchemaRegistryException}, {@link
 * SerializationException}, {@link GroupException}, {@link InvalidRequestException}.
 */
public class FjordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String reason;
  private final boolean retriable;
  private final boolean indefinite;
  private final Duration retryAfter;
  private final String topic;
  private final int partition;
  private final Map<String, String> metadata;

  /** Creates an error; {@code partition} is -1 when unknown. */
  public FjordException(
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
    super(format(code, reason, message, topic, partition), cause);
    this.code = code == null ? Status.Code.UNKNOWN : code;
    this.reason = reason == null ? "" : reason;
    this.retriable = retriable;
    this.indefinite = indefinite;
    this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    this.topic = topic == null ? "" : topic;
    this.partition = partition;
    this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A client-side error with a reason and no broker details. */
  public FjordException(String reason, String message, boolean retriable, Throwable cause) {
    this(Status.Code.UNKNOWN, reason, message, retriable, false, null, null, -1, null, cause);
  }

  private static String format(
      Status.Code code, String reason, String message, String topic, int partition) {
    StringBuilder b = new StringBuilder("fjord: ");
    b.append(reason != null && !reason.isEmpty() ? reason : String.valueOf(code));
    if (message != null && !message.isEmpty()) {
      b.append(": ").append(message);
    }
    if (topic != null && !topic.isEmpty()) {
      b.append(" (topic \"").append(topic).append('"');
      if (partition >= 0) {
        b.append(" partition ").append(partition);
      }
      b.append(')');
    }
    return b.toString();
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The stable reason, e.g. {@code UNKNOWN_TOPIC_OR_PARTITION}; empty if the broker gave none. */
  public String reason() {
    return reason;
  }

  /** True when the same request may succeed if retried. */
  public boolean isRetriable() {
    return retriable;
  }

  /** True, for writes, when the write may have been applied even though it failed. */
  public boolean isIndefinite() {
    return indefinite;
  }

  /** The broker's suggested delay before retrying (zero if none). */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The topic the failure is about, or empty. */
  public String topic() {
    return topic;
  }

  /** The partition the failure is about, or -1. */
  public int partition() {
    return partition;
  }

  /** Extra context from the broker such as leader_id or offset. */
  public Map<String, String> metadata() {
    return metadata;
  }
}
