package dev.fjordlog.fjord;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps gRPC statuses and per-item proto errors to {@link FjordException}s. */
public final class Errors {
  private Errors() {}

  /** Published reasons. */
  public static final String UNKNOWN_TOPIC_OR_PARTITION = "UNKNOWN_TOPIC_OR_PARTITION";
  public static final String NOT_LEADER_OR_FOLLOWER = "NOT_LEADER_OR_FOLLOWER";
  public static final String LEADER_NOT_AVAILABLE = "LEADER_NOT_AVAILABLE";
  public static final String OFFSET_OUT_OF_RANGE = "OFFSET_OUT_OF_RANGE";
  public static final String MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE";
  public static final String RECORD_TOO_LARGE = "RECORD_TOO_LARGE";
  public static final String REQUEST_TIMED_OUT = "REQUEST_TIMED_OUT";
  public static final String DELIVERY_TIMEOUT = "DELIVERY_TIMEOUT";
  public static final String UNAVAILABLE = "UNAVAILABLE";
  public static final String NOT_COORDINATOR = "NOT_COORDINATOR";
  public static final String COORDINATOR_NOT_AVAILABLE = "COORDINATOR_NOT_AVAILABLE";
  public static final String COORDINATOR_LOAD_IN_PROGRESS = "COORDINATOR_LOAD_IN_PROGRESS";
  public static final String UNKNOWN_MEMBER_ID = "UNKNOWN_MEMBER_ID";
  public static final String FENCED_MEMBER_EPOCH = "FENCED_MEMBER_EPOCH";
  public static final String INVALID_PRODUCER_EPOCH = "INVALID_PRODUCER_EPOCH";
  public static final String OUT_OF_ORDER_SEQUENCE_NUMBER = "OUT_OF_ORDER_SEQUENCE_NUMBER";
  public static final String UNKNOWN_PRODUCER_ID = "UNKNOWN_PRODUCER_ID";
  public static final String THROTTLING_QUOTA_EXCEEDED = "THROTTLING_QUOTA_EXCEEDED";
  public static final String SERIALIZATION_ERROR = "SERIALIZATION_ERROR";
  public static final String CLOSED = "CLOSED";

  /** Reasons that are retriable (and indefinite for writes) when the broker did not say. */
  private static final Set<String> RETRIABLE =
      Set.of(
          NOT_LEADER_OR_FOLLOWER,
          LEADER_NOT_AVAILABLE,
          REQUEST_TIMED_OUT,
          "NOT_ENOUGH_REPLICAS",
          "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
          "BROKER_SHUTTING_DOWN",
          "FENCED_LEADER_EPOCH",
          "UNKNOWN_LEADER_EPOCH",
          UNAVAILABLE,
          THROTTLING_QUOTA_EXCEEDED,
          NOT_COORDINATOR,
          COORDINATOR_NOT_AVAILABLE,
          COORDINATOR_LOAD_IN_PROGRESS);

  private static final Set<String> INDEFINITE =
      Set.of(REQUEST_TIMED_OUT, "NOT_ENOUGH_REPLICAS_AFTER_APPEND");

  /** Maps a per-partition error of a response; null for success. */
  static FjordException fromProto(dev.fjordlog.fjord.v1.Error pe, String topic, int partition) {
    if (pe == null || (pe.getCode() == 0 && pe.getReason().isEmpty())) {
      return null;
    }
    String reason = pe.getReason();
    boolean retriable = pe.getRetriable() || RETRIABLE.contains(reason);
    boolean indefinite = pe.getIndefinite() || INDEFINITE.contains(reason);
    Map<String, String> md = pe.getMetadataMap();
    return create(
        Status.fromCodeValue(pe.getCode()).getCode(),
        reason,
        pe.getMessage(),
        retriable,
        indefinite,
        Duration.ofMillis(pe.getRetryAfterMs()),
        topic != null && !topic.isEmpty() ? topic : md.get("topic"),
        partition,
        md,
        null);
  }

  /** Maps any failure of an RPC; {@code write} makes transport failures indefinite. */
  public static FjordException fromThrowable(Throwable t, boolean write) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof FjordException fe) {
      return fe;
    }
    Status st = Status.fromThrowable(t);
    if (st.getCode() == Status.Code.UNKNOWN && !(t instanceof StatusRuntimeException)
        && !(t instanceof io.grpc.StatusException)) {
      return create(Status.Code.UNKNOWN, UNAVAILABLE, String.valueOf(t), true, write, null, null,
          -1, null, t);
    }
    String reason = "";
    Map<String, String> md = Map.of();
    Duration retryAfter = Duration.ZERO;
    boolean hasRetryInfo = false;
    com.google.rpc.Status sp = StatusProto.fromThrowable(t);
    if (sp != null) {
      for (Any d : sp.getDetailsList()) {
        try {
          if (d.is(ErrorInfo.class)) {
            ErrorInfo ei = d.unpack(ErrorInfo.class);
            reason = ei.getReason();
            md = ei.getMetadataMap();
          } else if (d.is(RetryInfo.class)) {
            hasRetryInfo = true;
            RetryInfo ri = d.unpack(RetryInfo.class);
            retryAfter =
                Duration.ofSeconds(
                    ri.getRetryDelay().getSeconds(), ri.getRetryDelay().getNanos());
          }
        } catch (InvalidProtocolBufferException e) {
          // ignore a detail we cannot read
        }
      }
    }
    boolean retriable;
    boolean indefinite;
    if (!reason.isEmpty()) {
      retriable = hasRetryInfo || RETRIABLE.contains(reason);
      indefinite = "true".equals(md.get("indefinite")) || (INDEFINITE.contains(reason) && write);
    } else if (st.getCode() == Status.Code.UNAVAILABLE) {
      reason = UNAVAILABLE;
      retriable = true;
      indefinite = write;
    } else if (st.getCode() == Status.Code.DEADLINE_EXCEEDED
        || st.getCode() == Status.Code.CANCELLED) {
      reason = REQUEST_TIMED_OUT;
      retriable = true;
      indefinite = write;
    } else {
      retriable = hasRetryInfo;
      indefinite = write;
    }
    int partition = -1;
    if (md.containsKey("partition")) {
      try {
        partition = Integer.parseInt(md.get("partition"));
      } catch (NumberFormatException e) {
        partition = -1;
      }
    }
    return create(st.getCode(), reason, st.getDescription(), retriable, indefinite, retryAfter,
        md.get("topic"), partition, md, t);
  }

  /** Creates the subclass that matches the reason. */
  static FjordException create(
      Status.Code code,
      String reason,
      String message,
      boolean retriable,
      boolean indefinite,
      Duration retryAfter,
      String topic,
      int partition,
      Map<String, String> md,
      Throwable cause) {
    String r = reason == null ? "" : reason;
    switch (r) {
      case UNKNOWN_TOPIC_OR_PARTITION:
        return new UnknownTopicOrPartitionException(code, r, message, retriable, indefinite,
            retryAfter, topic, partition, md, cause);
      case MESSAGE_TOO_LARGE:
      case RECORD_TOO_LARGE:
        return new RecordTooLargeException(code, r, message, retriable, indefinite, retryAfter,
            topic, partition, md, cause);
      case NOT_LEADER_OR_FOLLOWER:
      case LEADER_NOT_AVAILABLE:
        return new NotLeaderException(code, r, message, retriable, indefinite, retryAfter, topic,
            partition, md, cause);
      case REQUEST_TIMED_OUT:
      case DELIVERY_TIMEOUT:
        return new TimeoutException(code, r, message, retriable, indefinite, retryAfter, topic,
            partition, md, cause);
      case OFFSET_OUT_OF_RANGE:
        return new OffsetOutOfRangeException(code, r, message, retriable, indefinite, retryAfter,
            topic, partition, md, cause);
      case INVALID_PRODUCER_EPOCH:
      case OUT_OF_ORDER_SEQUENCE_NUMBER:
      case UNKNOWN_PRODUCER_ID:
        return new ProducerFencedException(code, r, message, retriable, indefinite, retryAfter,
            topic, partition, md, cause);
      case "INVALID_REQUEST":
      case "INVALID_TOPIC":
      case "INVALID_CONFIG":
      case "INVALID_PARTITIONS":
      case "INVALID_REPLICATION_FACTOR":
      case "TOPIC_ALREADY_EXISTS":
      case "INVALID_RECORD":
        return new InvalidRequestException(code, r, message, retriable, indefinite, retryAfter,
            topic, partition, md, cause);
      default:
        if (r.startsWith("GROUP_") || r.contains("COORDINATOR") || r.contains("MEMBER")
            || r.equals("INVALID_GROUP_ID") || r.equals("NON_EMPTY_GROUP")
            || r.equals("FENCED_INSTANCE_ID") || r.equals("INCONSISTENT_GROUP_PROTOCOL")
            || r.equals("UNSUPPORTED_ASSIGNOR")) {
          return new GroupException(code, r, message, retriable, indefinite, retryAfter, topic,
              partition, md, cause);
        }
        return new FjordException(code, r, message, retriable, indefinite, retryAfter, topic,
            partition, md, cause);
    }
  }
}
