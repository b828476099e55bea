package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.fjordlog.fjord.v1.Broker;
import dev.fjordlog.fjord.v1.FindCoordinatorRequest;
import dev.fjordlog.fjord.v1.FindCoordinatorResponse;
import dev.fjordlog.fjord.v1.GetMetadataRequest;
import dev.fjordlog.fjord.v1.GetMetadataResponse;
import dev.fjordlog.fjord.v1.GroupServiceGrpc;
import dev.fjordlog.fjord.v1.MembershipRequest;
import dev.fjordlog.fjord.v1.MembershipResponse;
import dev.fjordlog.fjord.v1.MetadataServiceGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stale FindCoordinator answer sends the member to a broker that answers NOT_COORDINATOR naming
 * the real coordinator: the member goes there at once, without asking FindCoordinator again.
 * Two in-process fake brokers on 127.0.0.1.
 */
class NotCoordinatorHintTest {
  /** A fake broker; the one that is not the coordinator refuses Membership with the hint. */
  private static final class Fake {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final int node;
    final boolean coordinator;
    final CountDownLatch joined = new CountDownLatch(1);
    String other = "";
    Server server;

    Fake(int node, boolean coordinator) {
      this.node = node;
      this.coordinator = coordinator;
    }

    String address() {
      return "127.0.0.1:" + server.getPort();
    }

    void start() throws Exception {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(new MetadataServiceGrpc.MetadataServiceImplBase() {
            @Override
            public void getMetadata(GetMetadataRequest req, StreamObserver<GetMetadataResponse> out) {
              out.onNext(GetMetadataResponse.getDefaultInstance());
              out.onCompleted();
            }
          })
          .addService(new GroupServiceGrpc.GroupServiceImplBase() {
            @Override
            public void findCoordinator(FindCoordinatorRequest req, StreamObserver<FindCoordinatorResponse> out) {
              calls.add("FindCoordinator");
              // Stale: this broker names itself.
              out.onNext(FindCoordinatorResponse.newBuilder()
                  .setCoordinator(Broker.newBuilder().setId(node).setAddress(address())).build());
              out.onCompleted();
            }

            @Override
            public StreamObserver<MembershipRequest> membership(StreamObserver<MembershipResponse> out) {
              calls.add("Membership");
              if (!coordinator) {
                ErrorInfo info = ErrorInfo.newBuilder().setReason("NOT_COORDINATOR").setDomain("fjord")
                    .putMetadata("coordinator_id", "2").putMetadata("coordinator_address", other).build();
                out.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                    .setCode(Code.FAILED_PRECONDITION_VALUE).setMessage("broker 1 is not the coordinator")
                    .addDetails(Any.pack(info)).build()));
                return new StreamObserver<>() {
                  @Override public void onNext(MembershipRequest v) {}
                  @Override public void onError(Throwable t) {}
                  @Override public void onCompleted() {}
                };
              }
              return new StreamObserver<>() {
                @Override
                public void onNext(MembershipRequest v) {
                  if (v.hasJoin()) {
                    out.onNext(MembershipResponse.newBuilder().setMemberId("m-1").setMemberEpoch(1)
                        .setHeartbeatIntervalMs(200).setSessionTimeoutMs(10000).build());
                    joined.countDown();
                  } else if (v.hasHeartbeat()) {
                    out.onNext(MembershipResponse.newBuilder().setMemberId("m-1").setHeartbeatAck(true).build());
                  }
                }

                @Override public void onError(Throwable t) {}

                @Override
                public void onCompleted() {
                  out.onCompleted();
                }
              };
            }
          })
          .build().start();
    }
  }

  @Test
  @Timeout(30)
  void membershipFollowsTheNamedCoordinator() throws Exception {
    Fake stale = new Fake(1, false);
    Fake real = new Fake(2, true);
    stale.start();
    real.start();
    stale.other = real.address();
    real.other = stale.address();
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(stale.address()).groupId("g")
        .autoCommit(false).requestTimeout(Duration.ofSeconds(3)).build()) {
      c.subscribe(List.of("t"));
      for (int i = 0; i < 100 && real.joined.getCount() > 0; i++) {
        c.poll(Duration.ofMillis(50));
      }
      assertEquals(0, real.joined.getCount(), "the member never joined the named coordinator");
      // One stale FindCoordinator, one NOT_COORDINATOR, then straight to the named coordinator.
      assertEquals(List.of("FindCoordinator", "Membership"), stale.calls);
      assertEquals(List.of("Membership"), real.calls);
    } finally {
      stale.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      real.server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
