package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Mapping of gRPC statuses and per-partition errors to FjordException. */
class ErrorsTest {
  static Throwable status(Code code, String msg, String reason, Long retryMs,
      java.util.Map<String, String> md) {
    com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder().setCode(code.getNumber())
        .setMessage(msg);
    if (reason != null) {
      s.addDetails(Any.pack(ErrorInfo.newBuilder().setReason(reason).setDomain("fjord")
          .putAllMetadata(md).build()));
    }
    if (retryMs != null) {
      s.addDetails(Any.pack(RetryInfo.newBuilder()
          .setRetryDelay(Duration.newBuilder().setNanos((int) (retryMs * 1_000_000))).build()));
    }
    return StatusProto.toStatusRuntimeException(s.build());
  }

  @Test
  void notLeaderWithRetryInfoIsRetriableWithLocation() {
    FjordException e = Errors.fromThrowable(new CompletionException(status(Code.UNAVAILABLE,
        "not leader", "NOT_LEADER_OR_FOLLOWER", 250L,
        java.util.Map.of("topic", "t", "partition", "3", "leader_id", "2"))), true);
    NotLeaderException nl = assertInstanceOf(NotLeaderException.class, e);
    assertEquals("NOT_LEADER_OR_FOLLOWER", nl.reason());
    assertTrue(nl.isRetriable());
    assertFalse(nl.isIndefinite());
    assertEquals(java.time.Duration.ofMillis(250), nl.retryAfter());
    assertEquals("t", nl.topic());
    assertEquals(3, nl.partition());
    assertEquals("2", nl.metadata().get("leader_id"));
    assertEquals(Status.Code.UNAVAILABLE, nl.code());
  }

  @Test
  void throttlingIsRetriableAfterTheBrokersDelay() {
    FjordException e = Errors.fromThrowable(status(Code.RESOURCE_EXHAUSTED, "quota",
        "THROTTLING_QUOTA_EXCEEDED", 40L, java.util.Map.of()), true);
    assertTrue(e.isRetriable());
    assertEquals(java.time.Duration.ofMillis(40), e.retryAfter());
  }

  @Test
  void unknownTopicIsDefinite() {
    FjordException e = Errors.fromThrowable(status(Code.NOT_FOUND, "no topic",
        "UNKNOWN_TOPIC_OR_PARTITION", null, java.util.Map.of("topic", "x")), true);
    assertInstanceOf(UnknownTopicOrPartitionException.class, e);
    assertFalse(e.isRetriable());
    assertEquals("x", e.topic());
  }

  @Test
  void transportFailuresWithoutDetails() {
    FjordException u = Errors.fromThrowable(Status.UNAVAILABLE.withDescription("down").asRuntimeException(), true);
    assertEquals("UNAVAILABLE", u.reason());
    assertTrue(u.isRetriable());
    assertTrue(u.isIndefinite(), "a write whose connection broke may have been applied");
    FjordException t = Errors.fromThrowable(Status.DEADLINE_EXCEEDED.asRuntimeException(), false);
    assertInstanceOf(TimeoutException.class, t);
    assertTrue(t.isRetriable());
    assertFalse(t.isIndefinite());
    FjordException i = Errors.fromThrowable(Status.INTERNAL.asRuntimeException(), false);
    assertFalse(i.isRetriable());
  }

  @Test
  void perPartitionErrors() {
    assertEquals(null, Errors.fromProto(dev.fjordlog.fjord.v1.Error.getDefaultInstance(), "t", 0));
    FjordException e = Errors.fromProto(dev.fjordlog.fjord.v1.Error.newBuilder()
        .setCode(Code.DEADLINE_EXCEEDED.getNumber()).setReason("REQUEST_TIMED_OUT")
        .setMessage("replication").build(), "t", 1);
    assertInstanceOf(TimeoutException.class, e);
    assertTrue(e.isRetriable());
    assertTrue(e.isIndefinite());
    assertEquals(1, e.partition());
    FjordException big = Errors.fromProto(dev.fjordlog.fjord.v1.Error.newBuilder()
        .setCode(Code.INVALID_ARGUMENT.getNumber()).setReason("MESSAGE_TOO_LARGE").build(), "t", 0);
    assertInstanceOf(RecordTooLargeException.class, big);
    assertFalse(big.isRetriable());
    FjordException g = Errors.fromProto(dev.fjordlog.fjord.v1.Error.newBuilder()
        .setCode(Code.FAILED_PRECONDITION.getNumber()).setReason("FENCED_MEMBER_EPOCH").build(), "", -1);
    assertInstanceOf(GroupException.class, g);
    assertTrue(e.getMessage().contains("REQUEST_TIMED_OUT"));
  }
}
