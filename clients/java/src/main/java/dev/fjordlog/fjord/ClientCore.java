package dev.fjordlog.fjord;

import dev.fjordlog.fjord.v1.Broker;
import dev.fjordlog.fjord.v1.GetMetadataRequest;
import dev.fjordlog.fjord.v1.GetMetadataResponse;
import dev.fjordlog.fjord.v1.MetadataServiceGrpc;
import dev.fjordlog.fjord.v1.PartitionMetadata;
import dev.fjordlog.fjord.v1.TopicMetadata;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/** Connections and cluster metadata shared by a producer, consumer or admin client. */
final class ClientCore implements AutoCloseable {
  static final Metadata.Key<String> CLIENT_ID =
      Metadata.Key.of("fjord-client-id", Metadata.ASCII_STRING_MARSHALLER);

  /** The leaders of one topic's partitions (-1 when none). */
  record TopicInfo(String name, int[] leaders, int[] leaderEpochs) {
    int partitions() {
      return leaders.length;
    }
  }

  final List<String> bootstrap;
  final String clientId;
  final Duration requestTimeout;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Channel> intercepted = new ConcurrentHashMap<>();
  final Map<Integer, String> brokers = new ConcurrentHashMap<>();
  final Map<String, TopicInfo> topics = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ClientCore(List<String> bootstrap, String clientId, Duration requestTimeout) {
    if (bootstrap == null || bootstrap.isEmpty()) {
      throw new IllegalArgumentException("bootstrap addresses must be set");
    }
    this.bootstrap = List.copyOf(bootstrap);
    this.clientId = clientId == null ? "" : clientId;
    this.requestTimeout = requestTimeout;
  }

  /** A channel to host:port, created once. */
  Channel channel(String address) {
    if (closed) {
      throw new FjordException(Errors.CLOSED, "client closed", false, null);
    }
    return intercepted.computeIfAbsent(
        address,
        a -> {
          ManagedChannel ch =
              NettyChannelBuilder.forTarget(a)
                  .usePlaintext()
                  .maxInboundMessageSize(256 << 20)
                  .flowControlWindow(16 << 20)
                  .keepAliveTime(30, TimeUnit.SECONDS)
                  .build();
          channels.put(a, ch);
          if (clientId.isEmpty()) {
            return ch;
          }
          ClientInterceptor ci =
              new ClientInterceptor() {
                @Override
                public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
                    MethodDescriptor<ReqT, RespT> m, CallOptions o, Channel next) {
                  return new ForwardingClientCall.SimpleForwardingClientCall<>(
                      next.newCall(m, o)) {
                    @Override
                    public void start(Listener<RespT> l, Metadata h) {
                      h.put(CLIENT_ID, clientId);
                      super.start(l, h);
                    }
                  };
                }
              };
          return ClientInterceptors.intercept(ch, ci);
        });
  }

  /** A channel to the broker with this id (falls back to a bootstrap address). */
  Channel brokerChannel(int id) {
    String a = brokers.get(id);
    return channel(a != null ? a : bootstrap.get(0));
  }

  /** The addresses to try for a request any broker can answer: known brokers, then bootstrap. */
  List<String> anyAddresses() {
    List<String> out = new ArrayList<>(brokers.values());
    for (String b : bootstrap) {
      if (!out.contains(b)) {
        out.add(b);
      }
    }
    if (out.size() > 1) {
      // start at a random one so that a dead broker does not always cost a timeout
      int s = ThreadLocalRandom.current().nextInt(out.size());
      List<String> rot = new ArrayList<>(out.subList(s, out.size()));
      rot.addAll(out.subList(0, s));
      return rot;
    }
    return out;
  }

  /** Runs call against each reachable broker in turn until one answers without UNAVAILABLE. */
  <T> T any(java.util.function.Function<Channel, T> call) {
    FjordException last = null;
    for (String a : anyAddresses()) {
      try {
        return call.apply(channel(a));
      } catch (RuntimeException e) {
        FjordException fe = Errors.fromThrowable(e, false);
        if (!Errors.UNAVAILABLE.equals(fe.reason()) && !Errors.REQUEST_TIMED_OUT.equals(fe.reason())) {
          throw fe;
        }
        last = fe;
      }
    }
    throw last != null ? last : new FjordException(Errors.UNAVAILABLE, "no broker", true, null);
  }

  /** Fetches metadata for topics (all topics if empty) and caches it. */
  GetMetadataResponse refresh(List<String> names) {
    GetMetadataResponse resp =
        any(
            ch ->
                MetadataServiceGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .getMetadata(GetMetadataRequest.newBuilder().addAllTopics(names).build()));
    for (Broker b : resp.getBrokersList()) {
      brokers.put(b.getId(), b.getAddress());
    }
    for (TopicMetadata t : resp.getTopicsList()) {
      if (t.hasError() && Errors.fromProto(t.getError(), t.getName(), -1) != null) {
        topics.remove(t.getName());
        continue;
      }
      int n = t.getPartitionsCount();
      int[] leaders = new int[n];
      int[] epochs = new int[n];
      java.util.Arrays.fill(leaders, -1);
      for (PartitionMetadata p : t.getPartitionsList()) {
        if (p.getPartition() < n) {
          leaders[p.getPartition()] = p.getLeaderId() > 0 ? p.getLeaderId() : -1;
          epochs[p.getPartition()] = p.getLeaderEpoch();
        }
      }
      topics.put(t.getName(), new TopicInfo(t.getName(), leaders, epochs));
    }
    return resp;
  }

  /** The topic's metadata, from the cache unless refresh; throws the topic's error. */
  TopicInfo topic(String name, boolean refresh) {
    TopicInfo ti = topics.get(name);
    if (ti != null && !refresh) {
      return ti;
    }
    GetMetadataResponse resp = refresh(List.of(name));
    for (TopicMetadata t : resp.getTopicsList()) {
      if (t.getName().equals(name)) {
        FjordException e = Errors.fromProto(t.getError(), name, -1);
        if (e != null) {
          throw e;
        }
      }
    }
    ti = topics.get(name);
    if (ti == null) {
      throw Errors.create(io.grpc.Status.Code.NOT_FOUND, Errors.UNKNOWN_TOPIC_OR_PARTITION,
          "topic not found", false, false, null, name, -1, null, null);
    }
    return ti;
  }

  /** Records a new leader for a partition learned from an error or response hint. */
  void leaderHint(String topic, int partition, int leader) {
    TopicInfo ti = topics.get(topic);
    if (ti != null && partition < ti.leaders.length && leader > 0 && brokers.containsKey(leader)) {
      ti.leaders[partition] = leader;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel ch : channels.values()) {
      ch.shutdown();
    }
    for (ManagedChannel ch : channels.values()) {
      try {
        if (!ch.awaitTermination(2, TimeUnit.SECONDS)) {
          ch.shutdownNow();
        }
      } catch (InterruptedException e) {
        ch.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
