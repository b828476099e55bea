package dev.fjordlog.fjord;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.fjordlog.fjord.v1.CommitOffsetsPartition;
import dev.fjordlog.fjord.v1.CommitOffsetsPartitionResult;
import dev.fjordlog.fjord.v1.CommitOffsetsRequest;
import dev.fjordlog.fjord.v1.CommitOffsetsResponse;
import dev.fjordlog.fjord.v1.CommitOffsetsTopic;
import dev.fjordlog.fjord.v1.CommitOffsetsTopicResult;
import dev.fjordlog.fjord.v1.CommittedOffset;
import dev.fjordlog.fjord.v1.CommittedOffsetsTopic;
import dev.fjordlog.fjord.v1.FetchOffsetsRequest;
import dev.fjordlog.fjord.v1.FetchOffsetsResponse;
import dev.fjordlog.fjord.v1.FetchPartition;
import dev.fjordlog.fjord.v1.FetchPartitionResponse;
import dev.fjordlog.fjord.v1.FetchRequest;
import dev.fjordlog.fjord.v1.FetchResponse;
import dev.fjordlog.fjord.v1.FetchServiceGrpc;
import dev.fjordlog.fjord.v1.FetchTopic;
import dev.fjordlog.fjord.v1.FetchTopicResponse;
import dev.fjordlog.fjord.v1.GroupServiceGrpc;
import dev.fjordlog.fjord.v1.ListOffsetsPartition;
import dev.fjordlog.fjord.v1.ListOffsetsPartitionResponse;
import dev.fjordlog.fjord.v1.ListOffsetsRequest;
import dev.fjordlog.fjord.v1.ListOffsetsResponse;
import dev.fjordlog.fjord.v1.ListOffsetsTopic;
import dev.fjordlog.fjord.v1.ListOffsetsTopicResponse;
import dev.fjordlog.fjord.v1.OffsetSpec;
import dev.fjordlog.fjord.v1.RecordBatch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads records from Fjord, either as a member of a consumer group ({@link #subscribe}: the
 * group's coordinator assigns partitions over a Membership stream with cooperative rebalancing)
 * or from partitions chosen by the application ({@link #assign}, no group). Like Kafka's
 * consumer it is not thread-safe: use it from one thread.
 *
 * <pre>{@code
 * try (var c = FjordConsumer.builder(Deserializer.string(), Deserializer.string())
 *     .bootstrap("127.0.0.1:9092").groupId("billing").autoOffsetReset(OffsetReset.EARLIEST).build()) {
 *   c.subscribe(List.of("orders"));
 *   for (var r : c.poll(Duration.ofSeconds(1))) System.out.println(r.key() + "=" + r.value());
 * }
 * }</pre>
 */
public final class FjordConsumer<K, V> implements AutoCloseable {
  /** A builder for byte-array keys and values. */
  public static Builder<byte[], byte[]> builder() {
    return new Builder<>(Deserializer.bytes(), Deserializer.bytes());
  }

  /** A builder with the given deserializers. */
  public static <K, V> Builder<K, V> builder(Deserializer<K> keys, Deserializer<V> values) {
    return new Builder<>(keys, values);
  }

  /** Consumer configuration. */
  public static final class Builder<K, V> {
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private List<String> bootstrap = List.of();
    private String clientId = "";
    private String groupId = "";
    private String instanceId = "";
    private String assignor = "";
    private boolean autoCommit = true;
    private Duration autoCommitInterval = Duration.ofSeconds(5);
    private OffsetReset autoOffsetReset = OffsetReset.LATEST;
    private int maxPollRecords = 500;
    private Duration fetchMaxWait = Duration.ofMillis(500);
    private int fetchMaxBytes = 50 << 20;
    private int partitionMaxBytes = 4 << 20;
    private Duration sessionTimeout = Duration.ZERO;
    private Duration rebalanceTimeout = Duration.ofSeconds(60);
    private Duration maxPollInterval = Duration.ofMinutes(5);
    private Duration requestTimeout = Duration.ofSeconds(30);

    private Builder(Deserializer<K> k, Deserializer<V> v) {
      this.keyDeserializer = k;
      this.valueDeserializer = v;
    }

    /** Broker addresses (host:port). */
    public Builder<K, V> bootstrap(String... addresses) {
      this.bootstrap = List.of(addresses);
      return this;
    }

    /** Broker addresses (host:port). */
    public Builder<K, V> bootstrap(List<String> addresses) {
      this.bootstrap = List.copyOf(addresses);
      return this;
    }

    /** Sent as fjord-client-id metadata and in JoinGroup. */
    public Builder<K, V> clientId(String id) {
      this.clientId = id;
      return this;
    }

    /** The consumer group (needed by subscribe and by commits). */
    public Builder<K, V> groupId(String id) {
      this.groupId = id;
      return this;
    }

    /** Static membership id. */
    public Builder<K, V> instanceId(String id) {
      this.instanceId = id;
      return this;
    }

    /** Assignor name: uniform (default), sticky, range, roundrobin. */
    public Builder<K, V> assignor(String name) {
      this.assignor = name;
      return this;
    }

    /** Commit positions every interval from poll, before revocation and on close (default on, 5 s). */
    public Builder<K, V> autoCommit(boolean on) {
      this.autoCommit = on;
      return this;
    }

    /** The auto-commit interval. */
    public Builder<K, V> autoCommitInterval(Duration d) {
      this.autoCommitInterval = d;
      return this;
    }

    /** Where to start without a committed offset (default LATEST). */
    public Builder<K, V> autoOffsetReset(OffsetReset r) {
      this.autoOffsetReset = r;
      return this;
    }

    /** At most this many records per poll (default 500). */
    public Builder<K, V> maxPollRecords(int n) {
      this.maxPollRecords = n;
      return this;
    }

    /** How long the broker holds a fetch waiting for data (default 500 ms). */
    public Builder<K, V> fetchMaxWait(Duration d) {
      this.fetchMaxWait = d;
      return this;
    }

    /** Byte limits of one fetch and of one partition in it (defaults 50 MiB, 4 MiB). */
    public Builder<K, V> fetchMaxBytes(int total, int perPartition) {
      this.fetchMaxBytes = total;
      this.partitionMaxBytes = perPartition;
      return this;
    }

    /** Group session timeout (default: the broker's). */
    public Builder<K, V> sessionTimeout(Duration d) {
      this.sessionTimeout = d;
      return this;
    }

    /** How long the member may take to release revoked partitions (default 60 s). */
    public Builder<K, V> rebalanceTimeout(Duration d) {
      this.rebalanceTimeout = d;
      return this;
    }

    /**
     * The longest time between two polls of a group member (default 5 min, like Kafka's
     * max.poll.interval.ms): a member that does not poll for that long leaves the group so that
     * its partitions move; its next poll reports them through onLost and joins again.
     */
    public Builder<K, V> maxPollInterval(Duration d) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("maxPollInterval must be positive");
      }
      this.maxPollInterval = d;
      return this;
    }

    /** Per-request timeout (default 30 s). */
    public Builder<K, V> requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Creates the consumer. */
    public FjordConsumer<K, V> build() {
      return new FjordConsumer<>(this);
    }
  }

  private static final class PState {
    long position = -1; // next offset to return
    long fetchPos = -1; // next offset to fetch
    int leaderEpoch = -1;
    boolean paused;
    long bufBytes;
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = new ArrayDeque<>();
  }

  private record FetchDone(int broker, Map<TopicPartition, Long> requested, FetchResponse resp,
      Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> decoded, Throwable err) {}

  /** Decodes a fetch response's records off the poll thread. */
  private static FetchDone decoded(int broker, Map<TopicPartition, Long> req, FetchResponse r) {
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
    try {
      for (FetchTopicResponse t : r.getTopicsList()) {
        for (FetchPartitionResponse p : t.getPartitionsList()) {
          if (p.getBatchesCount() == 0) {
            continue;
          }
          List<ConsumerRecord<byte[], byte[]>> recs = new ArrayList<>();
          for (RecordBatch b : p.getBatchesList()) {
            for (BatchCodec.Decoded d : BatchCodec.decode(b)) {
              recs.add(new ConsumerRecord<>(t.getTopic(), p.getPartition(), d.offset(),
                  d.timestampMs(), d.key(), d.value(), d.headers(), b.getLeaderEpoch()));
            }
          }
          out.put(new TopicPartition(t.getTopic(), p.getPartition()), recs);
        }
      }
    } catch (RuntimeException e) {
      return new FetchDone(broker, req, null, null, e);
    }
    return new FetchDone(broker, req, r, out, null);
  }

  private final Builder<K, V> cfg;
  private final ClientCore core;
  private final Map<TopicPartition, PState> parts = new TreeMap<>();
  private final Set<Integer> fetching = new HashSet<>();
  private final LinkedBlockingQueue<FetchDone> done = new LinkedBlockingQueue<>();
  private final Set<String> staleTopics = new HashSet<>();
  private GroupMember member;
  private ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {};
  private long seenSeq = -1;
  private long nextAutoCommit;
  private boolean closed;

  private FjordConsumer(Builder<K, V> b) {
    this.cfg = b;
    this.core = new ClientCore(b.bootstrap, b.clientId, b.requestTimeout);
    this.nextAutoCommit = System.nanoTime() + b.autoCommitInterval.toNanos();
  }

  /** Joins the group (groupId must be set) consuming these topics. */
  public void subscribe(Collection<String> topics) {
    subscribe(topics, null);
  }

  /** Joins the group consuming these topics, with rebalance callbacks. */
  public void subscribe(Collection<String> topics, ConsumerRebalanceListener l) {
    ensureOpen();
    if (cfg.groupId.isEmpty()) {
      throw new IllegalStateException("subscribe needs groupId");
    }
    if (member != null || !parts.isEmpty()) {
      throw new IllegalStateException("already subscribed or assigned; unsubscribe first");
    }
    if (l != null) {
      this.listener = l;
    }
    member = new GroupMember(core, cfg.groupId, cfg.instanceId, cfg.assignor,
        (int) cfg.sessionTimeout.toMillis(), (int) cfg.rebalanceTimeout.toMillis(),
        cfg.maxPollInterval.toMillis(), topics);
  }

  /** Consumes exactly these partitions, outside any group membership. */
  public void assign(Collection<TopicPartition> tps) {
    ensureOpen();
    if (member != null) {
      throw new IllegalStateException("subscribed to a group; unsubscribe first");
    }
    parts.keySet().retainAll(new HashSet<>(tps));
    for (TopicPartition tp : tps) {
      parts.computeIfAbsent(tp, k -> new PState());
    }
  }

  /** Leaves the group (committing first with auto commit) or drops the assignment. */
  public void unsubscribe() {
    if (member != null) {
      if (cfg.autoCommit) {
        commitQuietly(positions(parts.keySet()));
      }
      if (!parts.isEmpty()) {
        listener.onRevoked(new ArrayList<>(parts.keySet()));
      }
      member.leave(5000);
      member = null;
      seenSeq = -1;
    }
    parts.clear();
  }

  /** The partitions the consumer owns now. */
  public Set<TopicPartition> assignment() {
    return new TreeSet<>(parts.keySet());
  }

  /** Stops returning records of these partitions until resumed (membership is unaffected). */
  public void pause(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      state(tp).paused = true;
    }
  }

  /** Resumes paused partitions. */
  public void resume(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      state(tp).paused = false;
    }
  }

  /** The paused partitions. */
  public Set<TopicPartition> paused() {
    Set<TopicPartition> out = new TreeSet<>();
    parts.forEach((tp, s) -> {
      if (s.paused) {
        out.add(tp);
      }
    });
    return out;
  }

  /** The next poll returns records of tp from offset on. */
  public void seek(TopicPartition tp, long offset) {
    PState s = state(tp);
    s.position = offset;
    s.fetchPos = offset;
    s.buffer.clear();
    s.bufBytes = 0;
  }

  private static long size(ConsumerRecord<byte[], byte[]> r) {
    return 32 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
  }

  /** Seeks to the log start offsets. */
  public void seekToBeginning(Collection<TopicPartition> tps) {
    listOffsets(tps, OffsetSpec.OFFSET_SPEC_EARLIEST).forEach(this::seek);
  }

  /** Seeks to the high watermarks. */
  public void seekToEnd(Collection<TopicPartition> tps) {
    listOffsets(tps, OffsetSpec.OFFSET_SPEC_LATEST).forEach(this::seek);
  }

  /** The offset of the next record poll returns for tp (resolving it if unknown). */
  public long position(TopicPartition tp) {
    PState s = state(tp);
    if (s.position < 0) {
      resolvePositions();
    }
    return s.position;
  }

  /** The group membership, or null without a subscription (for tests). */
  GroupMember groupMember() {
    return member;
  }

  /** The member id in the group, or null without a subscription. */
  public String memberId() {
    return member == null ? null : member.memberId;
  }

  private PState state(TopicPartition tp) {
    PState s = parts.get(tp);
    if (s == null) {
      throw new IllegalStateException("partition " + tp + " is not assigned to this consumer");
    }
    return s;
  }

  private void ensureOpen() {
    if (closed) {
      throw new FjordException(Errors.CLOSED, "consumer closed", false, null);
    }
  }

  /**
   * Returns the records available now, waiting up to timeout for some. Group rebalances are
   * reconciled here (listener callbacks run on this thread) and auto commits are sent from here.
   */
  public ConsumerRecords<K, V> poll(Duration timeout) {
    ensureOpen();
    GroupMember m = member;
    if (m == null) {
      return pollOnce(timeout);
    }
    m.pollStarted();
    try {
      return pollOnce(timeout);
    } finally {
      m.pollEnded();
    }
  }

  private ConsumerRecords<K, V> pollOnce(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (member != null) {
        reconcile();
      }
      maybeAutoCommit();
      resolvePositions();
      // Take in what arrived meanwhile, so that the next fetches go out while records flow.
      for (FetchDone ready = done.poll(); ready != null; ready = done.poll()) {
        handleFetch(ready);
      }
      List<ConsumerRecord<K, V>> out = drain();
      sendFetches();
      if (!out.isEmpty()) {
        return new ConsumerRecords<>(out);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return ConsumerRecords.empty();
      }
      FetchDone d;
      try {
        d = done.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(member != null ? 50 : 200)),
            TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ConsumerRecords.empty();
      }
      while (d != null) {
        handleFetch(d);
        d = done.poll();
      }
    }
  }

  private void reconcile() {
    FjordException f = member.fatal();
    if (f != null) {
      throw f;
    }
    GroupMember.Update u = member.update(seenSeq);
    if (u.lost()) {
      Set<TopicPartition> lostSet = new TreeSet<>(parts.keySet());
      parts.clear();
      try {
        if (!lostSet.isEmpty()) {
          listener.onLost(lostSet);
        }
      } finally {
        member.rejoin();
      }
    }
    GroupMember.Target t = u.target();
    if (t == null) {
      return;
    }
    seenSeq = t.seq();
    Set<TopicPartition> revoked = new TreeSet<>(parts.keySet());
    revoked.removeAll(t.assigned());
    if (!revoked.isEmpty()) {
      if (cfg.autoCommit) {
        commitQuietly(positions(revoked));
      }
      listener.onRevoked(revoked);
      parts.keySet().removeAll(revoked);
    }
    Set<TopicPartition> added = new TreeSet<>(t.assigned());
    added.removeAll(parts.keySet());
    for (TopicPartition tp : added) {
      parts.put(tp, new PState());
    }
    if (!added.isEmpty()) {
      listener.onAssigned(added);
    }
    member.acknowledge(t);
  }

  private void maybeAutoCommit() {
    if (!cfg.autoCommit || cfg.groupId.isEmpty() || parts.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    if (now >= nextAutoCommit) {
      nextAutoCommit = now + cfg.autoCommitInterval.toNanos();
      commitAsync();
    }
  }

  private Map<TopicPartition, Long> positions(Collection<TopicPartition> tps) {
    Map<TopicPartition, Long> out = new TreeMap<>();
    for (TopicPartition tp : tps) {
      PState s = parts.get(tp);
      if (s != null && s.position >= 0) {
        out.put(tp, s.position);
      }
    }
    return out;
  }

  private void commitQuietly(Map<TopicPartition, Long> offsets) {
    try {
      commitSync(offsets);
    } catch (FjordException e) {
      // best effort before a revocation or close: the partitions move on anyway
    }
  }

  private List<ConsumerRecord<K, V>> drain() {
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    for (Map.Entry<TopicPartition, PState> e : parts.entrySet()) {
      PState s = e.getValue();
      if (s.paused) {
        continue;
      }
      while (!s.buffer.isEmpty() && out.size() < cfg.maxPollRecords) {
        ConsumerRecord<byte[], byte[]> r = s.buffer.pollFirst();
        s.bufBytes -= size(r);
        String t = r.topic();
        K k;
        V v;
        try {
          k = cfg.keyDeserializer.deserialize(t, r.key());
          v = cfg.valueDeserializer.deserialize(t, r.value());
        } catch (FjordException ex) {
          s.buffer.addFirst(r);
          s.bufBytes += size(r);
          throw ex;
        } catch (RuntimeException ex) {
          s.buffer.addFirst(r);
          s.bufBytes += size(r);
          throw new SerializationException(Errors.SERIALIZATION_ERROR,
              "record " + r.offset() + " of " + e.getKey() + ": " + ex.getMessage(), false, ex);
        }
        out.add(new ConsumerRecord<>(t, r.partition(), r.offset(), r.timestampMs(), k, v,
            r.headers(), r.leaderEpoch()));
        s.position = r.offset() + 1;
        s.leaderEpoch = r.leaderEpoch();
      }
      if (s.buffer.isEmpty() && s.fetchPos > s.position) {
        s.position = s.fetchPos; // skipped offsets (compaction, control gaps)
      }
      if (out.size() >= cfg.maxPollRecords) {
        break;
      }
    }
    return out;
  }

  private void resolvePositions() {
    List<TopicPartition> unknown = new ArrayList<>();
    parts.forEach((tp, s) -> {
      if (s.position < 0) {
        unknown.add(tp);
      }
    });
    if (unknown.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> committed =
        cfg.groupId.isEmpty() ? Map.of() : committed(unknown);
    List<TopicPartition> reset = new ArrayList<>();
    for (TopicPartition tp : unknown) {
      Long c = committed.get(tp);
      if (c != null && c >= 0) {
        seek(tp, c);
      } else {
        reset.add(tp);
      }
    }
    if (!reset.isEmpty()) {
      if (cfg.autoOffsetReset == OffsetReset.NONE) {
        throw new OffsetOutOfRangeException(Errors.OFFSET_OUT_OF_RANGE,
            "no committed offset for " + reset + " and autoOffsetReset NONE", false, null);
      }
      listOffsets(reset, cfg.autoOffsetReset == OffsetReset.EARLIEST
          ? OffsetSpec.OFFSET_SPEC_EARLIEST : OffsetSpec.OFFSET_SPEC_LATEST).forEach(this::seek);
    }
  }

  private ClientCore.TopicInfo topic(String t) {
    return core.topic(t, staleTopics.remove(t));
  }

  /** Offsets per partition for a spec (earliest/latest), asked of each partition's leader. */
  private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> tps, OffsetSpec spec) {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (int attempt = 0; ; attempt++) {
      Map<Integer, Map<String, List<Integer>>> byLeader = new HashMap<>();
      for (TopicPartition tp : tps) {
        if (out.containsKey(tp)) {
          continue;
        }
        ClientCore.TopicInfo ti = topic(tp.topic());
        if (tp.partition() >= ti.partitions()) {
          throw Errors.create(io.grpc.Status.Code.NOT_FOUND, Errors.UNKNOWN_TOPIC_OR_PARTITION,
              "no such partition", false, false, null, tp.topic(), tp.partition(), null, null);
        }
        byLeader.computeIfAbsent(ti.leaders()[tp.partition()], k -> new TreeMap<>())
            .computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition());
      }
      if (byLeader.isEmpty()) {
        return out;
      }
      FjordException last = null;
      for (Map.Entry<Integer, Map<String, List<Integer>>> e : byLeader.entrySet()) {
        ListOffsetsRequest.Builder req = ListOffsetsRequest.newBuilder();
        e.getValue().forEach((t, ps) -> {
          ListOffsetsTopic.Builder lt = ListOffsetsTopic.newBuilder().setTopic(t);
          for (int p : ps) {
            lt.addPartitions(ListOffsetsPartition.newBuilder().setPartition(p).setSpec(spec));
          }
          req.addTopics(lt);
        });
        try {
          ListOffsetsResponse resp = FetchServiceGrpc.newBlockingStub(core.brokerChannel(e.getKey()))
              .withDeadlineAfter(cfg.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .listOffsets(req.build());
          for (ListOffsetsTopicResponse t : resp.getTopicsList()) {
            for (ListOffsetsPartitionResponse p : t.getPartitionsList()) {
              FjordException err = Errors.fromProto(p.getError(), t.getTopic(), p.getPartition());
              if (err != null) {
                if (!err.isRetriable()) {
                  throw err;
                }
                staleTopics.add(t.getTopic());
                last = err;
              } else {
                out.put(new TopicPartition(t.getTopic(), p.getPartition()), p.getOffset());
              }
            }
          }
        } catch (RuntimeException ex) {
          FjordException fe = Errors.fromThrowable(ex, false);
          if (!fe.isRetriable()) {
            throw fe;
          }
          for (String t : e.getValue().keySet()) {
            staleTopics.add(t);
          }
          last = fe;
        }
      }
      if (last != null && attempt >= 20) {
        throw last;
      }
      if (last != null) {
        sleep(Math.min(1000, 50L << Math.min(attempt, 4)));
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void sendFetches() {
    Map<Integer, Map<TopicPartition, Long>> byLeader = new HashMap<>();
    for (Map.Entry<TopicPartition, PState> e : parts.entrySet()) {
      PState s = e.getValue();
      // Fetch ahead while less than two fetches' worth is buffered.
      if (s.paused || s.fetchPos < 0 || s.bufBytes > 2L * cfg.partitionMaxBytes) {
        continue;
      }
      TopicPartition tp = e.getKey();
      ClientCore.TopicInfo ti;
      try {
        ti = topic(tp.topic());
      } catch (FjordException ex) {
        if (ex.isRetriable()) {
          continue;
        }
        throw ex;
      }
      if (tp.partition() >= ti.partitions()) {
        continue;
      }
      int leader = ti.leaders()[tp.partition()];
      if (leader < 0) {
        staleTopics.add(tp.topic());
        continue;
      }
      if (fetching.contains(leader)) {
        continue;
      }
      byLeader.computeIfAbsent(leader, k -> new LinkedHashMap<>()).put(tp, s.fetchPos);
    }
    for (Map.Entry<Integer, Map<TopicPartition, Long>> e : byLeader.entrySet()) {
      int broker = e.getKey();
      Map<TopicPartition, Long> req = e.getValue();
      Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
      req.forEach((tp, off) -> topics
          .computeIfAbsent(tp.topic(), t -> FetchTopic.newBuilder().setTopic(t))
          .addPartitions(FetchPartition.newBuilder().setPartition(tp.partition()).setOffset(off)
              .setMaxBytes(cfg.partitionMaxBytes)));
      FetchRequest.Builder fr = FetchRequest.newBuilder()
          .setMaxWaitMs((int) cfg.fetchMaxWait.toMillis())
          .setMinBytes(1)
          .setMaxBytes(cfg.fetchMaxBytes);
      topics.values().forEach(fr::addTopics);
      fetching.add(broker);
      ListenableFuture<FetchResponse> f;
      try {
        f = FetchServiceGrpc.newFutureStub(core.brokerChannel(broker))
            .withDeadlineAfter(cfg.fetchMaxWait.toMillis() + cfg.requestTimeout.toMillis(),
                TimeUnit.MILLISECONDS)
            .fetch(fr.build());
      } catch (RuntimeException ex) {
        done.add(new FetchDone(broker, req, null, null, ex));
        continue;
      }
      Futures.addCallback(f, new FutureCallback<FetchResponse>() {
        @Override
        public void onSuccess(FetchResponse r) {
          done.add(decoded(broker, req, r));
        }

        @Override
        public void onFailure(Throwable t) {
          done.add(new FetchDone(broker, req, null, null, t));
        }
      }, MoreExecutors.directExecutor());
    }
  }

  private void handleFetch(FetchDone d) {
    fetching.remove(d.broker());
    if (d.err() != null) {
      FjordException fe = Errors.fromThrowable(d.err(), false);
      for (TopicPartition tp : d.requested().keySet()) {
        staleTopics.add(tp.topic());
      }
      if (!fe.isRetriable()) {
        throw fe;
      }
      sleep(50);
      return;
    }
    for (FetchTopicResponse t : d.resp().getTopicsList()) {
      for (FetchPartitionResponse p : t.getPartitionsList()) {
        TopicPartition tp = new TopicPartition(t.getTopic(), p.getPartition());
        Long requested = d.requested().get(tp);
        PState s = parts.get(tp);
        if (s == null || requested == null || s.fetchPos != requested) {
          continue; // unassigned or sought meanwhile
        }
        FjordException err = Errors.fromProto(p.getError(), tp.topic(), tp.partition());
        if (err != null) {
          if (Errors.OFFSET_OUT_OF_RANGE.equals(err.reason())) {
            if (cfg.autoOffsetReset == OffsetReset.NONE) {
              throw err;
            }
            s.position = -1;
            s.fetchPos = -1;
            continue;
          }
          if (err.isRetriable()) {
            if (p.getLeaderId() > 0) {
              core.leaderHint(tp.topic(), tp.partition(), p.getLeaderId());
            } else {
              staleTopics.add(tp.topic());
            }
            continue;
          }
          throw err;
        }
        for (ConsumerRecord<byte[], byte[]> r : d.decoded().getOrDefault(tp, List.of())) {
          if (r.offset() >= s.fetchPos) {
            s.buffer.addLast(r);
            s.bufBytes += size(r);
          }
        }
        for (RecordBatch b : p.getBatchesList()) {
          long next = b.getBaseOffset() + b.getLastOffsetDelta() + 1;
          if (next > s.fetchPos) {
            s.fetchPos = next;
          }
        }
      }
    }
  }

  /** Commits the positions of every owned partition and waits. */
  public void commitSync() {
    commitSync(positions(parts.keySet()));
  }

  /** Commits these offsets (the next offset to consume per partition) and waits. */
  public void commitSync(Map<TopicPartition, Long> offsets) {
    for (int attempt = 1; ; attempt++) {
      try {
        commitAsync(offsets).join();
        return;
      } catch (java.util.concurrent.CompletionException e) {
        FjordException fe = Errors.fromThrowable(e, false);
        // Retriable failures (coordinator moving or loading, a broker down) are retried a few
        // times on another broker; commits are idempotent.
        if (!fe.isRetriable() || attempt >= 5) {
          throw fe;
        }
        sleep(fe.retryAfter().isZero() ? Math.min(1000, 50L << attempt) : fe.retryAfter().toMillis());
      }
    }
  }

  /** Commits the positions of every owned partition without waiting. */
  public CompletableFuture<Void> commitAsync() {
    return commitAsync(positions(parts.keySet()));
  }

  /**
   * Commits offsets without waiting; the future fails with the first partition's error. As a
   * group member the commit carries the member id and epoch.
   */
  public CompletableFuture<Void> commitAsync(Map<TopicPartition, Long> offsets) {
    ensureOpen();
    if (cfg.groupId.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("commits need groupId"));
    }
    if (offsets.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CommitOffsetsRequest.Builder req = CommitOffsetsRequest.newBuilder().setGroupId(cfg.groupId);
    if (member != null) {
      req.setMemberId(member.memberId).setMemberEpoch(member.epoch());
    }
    Map<String, CommitOffsetsTopic.Builder> topics = new TreeMap<>();
    offsets.forEach((tp, off) -> {
      PState s = parts.get(tp);
      topics.computeIfAbsent(tp.topic(), t -> CommitOffsetsTopic.newBuilder().setTopic(t))
          .addPartitions(CommitOffsetsPartition.newBuilder().setPartition(tp.partition())
              .setOffset(off).setLeaderEpoch(s != null ? s.leaderEpoch : -1));
    });
    topics.values().forEach(req::addTopics);
    CompletableFuture<Void> out = new CompletableFuture<>();
    ListenableFuture<CommitOffsetsResponse> f;
    try {
      List<String> addrs = core.anyAddresses();
      f = GroupServiceGrpc.newFutureStub(core.channel(addrs.get(0)))
          .withDeadlineAfter(cfg.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .commitOffsets(req.build());
    } catch (RuntimeException e) {
      out.completeExceptionally(Errors.fromThrowable(e, false));
      return out;
    }
    Futures.addCallback(f, new FutureCallback<CommitOffsetsResponse>() {
      @Override
      public void onSuccess(CommitOffsetsResponse r) {
        for (CommitOffsetsTopicResult t : r.getTopicsList()) {
          for (CommitOffsetsPartitionResult p : t.getPartitionsList()) {
            FjordException err = Errors.fromProto(p.getError(), t.getTopic(), p.getPartition());
            if (err != null) {
              out.completeExceptionally(err);
              return;
            }
          }
        }
        out.complete(null);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(Errors.fromThrowable(t, false));
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  /** The group's committed offsets for these partitions (absent when none). */
  public Map<TopicPartition, Long> committed(Collection<TopicPartition> tps) {
    if (cfg.groupId.isEmpty()) {
      throw new IllegalStateException("committed offsets need groupId");
    }
    FetchOffsetsRequest.Builder req = FetchOffsetsRequest.newBuilder().setGroupId(cfg.groupId);
    GroupMember.toWire(tps).forEach(req::addTopics);
    FetchOffsetsResponse resp = null;
    FjordException last = null;
    for (int attempt = 0; attempt < 20 && resp == null; attempt++) {
      try {
        resp = core.any(ch -> GroupServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(cfg.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .fetchOffsets(req.build()));
      } catch (FjordException e) {
        if (!e.isRetriable() && !Errors.NOT_COORDINATOR.equals(e.reason())
            && !Errors.COORDINATOR_LOAD_IN_PROGRESS.equals(e.reason())) {
          throw e;
        }
        last = e;
        sleep(Math.min(1000, 50L << Math.min(attempt, 4)));
      }
    }
    if (resp == null) {
      throw last;
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    for (CommittedOffsetsTopic t : resp.getTopicsList()) {
      for (CommittedOffset p : t.getPartitionsList()) {
        if (p.getOffset() >= 0) {
          out.put(new TopicPartition(t.getTopic(), p.getPartition()), p.getOffset());
        }
      }
    }
    return out;
  }

  /** Commits (with auto commit), leaves the group and releases connections. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (member != null) {
        unsubscribe();
      }
    } finally {
      closed = true;
      core.close();
    }
  }
}
