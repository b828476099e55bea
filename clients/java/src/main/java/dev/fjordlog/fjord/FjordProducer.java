package dev.fjordlog.fjord;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.fjordlog.fjord.v1.InitProducerIdRequest;
import dev.fjordlog.fjord.v1.InitProducerIdResponse;
import dev.fjordlog.fjord.v1.ProducePartitionResponse;
import dev.fjordlog.fjord.v1.ProduceResponse;
import dev.fjordlog.fjord.v1.ProduceServiceGrpc;
import dev.fjordlog.fjord.v1.ProduceTopicResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends records to Fjord. Thread-safe: share one producer between threads. Records are batched
 * per partition (up to {@code batchBytes}, waiting at most {@code linger}), compressed, sent to
 * the partition's leader and retried with backoff on retriable errors. With idempotence (the
 * default) every batch carries the producer id, epoch and a per-partition sequence number, so
 * retries never duplicate or reorder records.
 *
 * <pre>{@code
 * try (var p = FjordProducer.builder(Serializer.string(), Serializer.string())
 *     .bootstrap("127.0.0.1:9092").linger(Duration.ofMillis(5)).build()) {
 *   RecordMetadata md = p.send(new ProducerRecord<>("orders", "k", "v")).get();
 * }
 * }</pre>
 */
public final class FjordProducer<K, V> implements AutoCloseable {
  /** A builder for byte-array keys and values. */
  public static Builder<byte[], byte[]> builder() {
    return new Builder<>(Serializer.bytes(), Serializer.bytes());
  }

  /** A builder with the given serializers. */
  public static <K, V> Builder<K, V> builder(Serializer<K> keys, Serializer<V> values) {
    return new Builder<>(keys, values);
  }

  /** Producer configuration. */
  public static final class Builder<K, V> {
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private List<String> bootstrap = List.of();
    private String clientId = "";
    private Duration linger = Duration.ofMillis(5);
    private int batchBytes = 1 << 20;
    private Compression compression = Compression.NONE;
    private boolean idempotence = true;
    private Acks acks = Acks.ALL;
    private Partitioner partitioner;
    private int retries = Integer.MAX_VALUE;
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration retryBackoffMax = Duration.ofSeconds(1);
    private Duration deliveryTimeout = Duration.ofMinutes(2);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private long maxBufferedBytes = 64L << 20;
    private Duration maxBlock = Duration.ofSeconds(60);

    private Builder(Serializer<K> k, Serializer<V> v) {
      this.keySerializer = k;
      this.valueSerializer = v;
    }

    /** Broker addresses (host:port), at least one. */
    public Builder<K, V> bootstrap(String... addresses) {
      this.bootstrap = List.of(addresses);
      return this;
    }

    /** Broker addresses (host:port), at least one. */
    public Builder<K, V> bootstrap(List<String> addresses) {
      this.bootstrap = List.copyOf(addresses);
      return this;
    }

    /** Sent as the fjord-client-id gRPC metadata (quotas, diagnostics). */
    public Builder<K, V> clientId(String id) {
      this.clientId = id;
      return this;
    }

    /** How long a batch waits for more records before it is sent (default 5 ms). */
    public Builder<K, V> linger(Duration d) {
      this.linger = d;
      return this;
    }

    /** The largest batch in bytes (default 1 MiB); a record larger than it is refused. */
    public Builder<K, V> batchBytes(int n) {
      this.batchBytes = n;
      return this;
    }

    /** Batch compression (default none). */
    public Builder<K, V> compression(Compression c) {
      this.compression = c;
      return this;
    }

    /** Idempotent delivery with sequence numbers (default true; needs acks ALL). */
    public Builder<K, V> idempotence(boolean on) {
      this.idempotence = on;
      return this;
    }

    /** When the broker acknowledges (default ALL). */
    public Builder<K, V> acks(Acks a) {
      this.acks = a;
      return this;
    }

    /** Chooses partitions of records without one (default {@link Partitioners#stickyKey()}). */
    public Builder<K, V> partitioner(Partitioner p) {
      this.partitioner = p;
      return this;
    }

    /** How many times a batch is retried on retriable errors (default unbounded, within deliveryTimeout). */
    public Builder<K, V> retries(int n) {
      this.retries = n;
      return this;
    }

    /** First retry delay, doubled per attempt up to max (defaults 100 ms, 1 s). */
    public Builder<K, V> retryBackoff(Duration first, Duration max) {
      this.retryBackoff = first;
      this.retryBackoffMax = max;
      return this;
    }

    /** How long a record may take to be acknowledged, retries included (default 2 min). */
    public Builder<K, V> deliveryTimeout(Duration d) {
      this.deliveryTimeout = d;
      return this;
    }

    /** Per-request timeout (default 30 s). */
    public Builder<K, V> requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Bytes buffered before send blocks (default 64 MiB). */
    public Builder<K, V> maxBufferedBytes(long n) {
      this.maxBufferedBytes = n;
      return this;
    }

    /** How long send may block for metadata or buffer space (default 60 s). */
    public Builder<K, V> maxBlock(Duration d) {
      this.maxBlock = d;
      return this;
    }

    /** Creates the producer. */
    public FjordProducer<K, V> build() {
      if (idempotence && acks != Acks.ALL) {
        throw new IllegalArgumentException("idempotence needs acks ALL");
      }
      if (batchBytes <= 0) {
        throw new IllegalArgumentException("batchBytes must be positive");
      }
      return new FjordProducer<>(this);
    }
  }

  private static final class Pending {
    final long timestampMs;
    final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();

    Pending(long ts) {
      this.timestampMs = ts;
    }
  }

  private static final class Batch {
    final TopicPartition tp;
    final ArrayList<Pending> recs = new ArrayList<>();
    final RawBatch raw = new RawBatch();
    final long createdNanos;
    int bytes;
    int attempts;
    boolean stamped;
    long pid;
    short epoch;
    int baseSeq = -1;
    byte[] encoded;
    boolean maybeWritten;
    FjordException lastErr;
    boolean solo; // goes alone in its request: a half of a batch split after MESSAGE_TOO_LARGE

    Batch(TopicPartition tp) {
      this(tp, System.nanoTime());
    }

    Batch(TopicPartition tp, long createdNanos) {
      this.tp = tp;
      this.createdNanos = createdNanos;
    }
  }

  private static final class PartState {
    final ArrayDeque<Batch> ready = new ArrayDeque<>();
    Batch open;
    int inflight;
    boolean retrying; // a batch failed: send one at a time, in sequence order, until one succeeds
    long backoffUntil;
    int nextSeq;
  }

  private static final int MAX_REQUEST_BYTES = 32 << 20;
  /**
   * Most bytes of one partition's batches sent in one request. A partition has one request in
   * flight at a time (unary requests to one broker may be served in any order), carrying every
   * batch that is ready, appended in order.
   */
  private static final int MAX_PARTITION_REQUEST_BYTES = 8 << 20;

  private final Builder<K, V> cfg;
  private final Partitioner partitioner;
  private final ClientCore core;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Condition space = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private final Map<TopicPartition, PartState> parts = new LinkedHashMap<>();
  private final Set<String> stale = new HashSet<>();
  private final Thread sender;
  private long buffered;
  private long outstanding;
  private int flushing;
  private boolean closing;
  private boolean closed;
  private long pid = -1;
  private long bumpFrom;
  private short epoch;
  private long lastMetaRefresh;
  private FjordException fatal;

  private FjordProducer(Builder<K, V> b) {
    this.cfg = b;
    this.partitioner = b.partitioner != null ? b.partitioner : Partitioners.stickyKey();
    this.core = new ClientCore(b.bootstrap, b.clientId, b.requestTimeout);
    this.sender = new Thread(this::runSender, "fjord-producer-sender");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /** Sends a record; the future completes when it is acknowledged or has failed for good. */
  public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record) {
    return send(record, null);
  }

  /**
   * Sends a record and calls callback (on an I/O thread: keep it short) when it is acknowledged or
   * has failed. Serialization errors throw {@link SerializationException}; other failures
   * (unknown topic, record too large, timeouts, broker errors) complete the future exceptionally
   * with a {@link FjordException}.
   */
  public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record, Callback callback) {
    CompletableFuture<RecordMetadata> f;
    try {
      f = doSend(record);
    } catch (FjordException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (callback != null) {
      f.whenComplete((md, ex) -> callback.onCompletion(md, ex == null ? null : unwrap(ex)));
    }
    return f;
  }

  private static Exception unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof Exception e ? e : new RuntimeException(t);
  }

  private CompletableFuture<RecordMetadata> doSend(ProducerRecord<K, V> r) {
    byte[] key;
    byte[] value;
    try {
      key = cfg.keySerializer.serialize(r.topic(), r.key());
      value = cfg.valueSerializer.serialize(r.topic(), r.value());
    } catch (FjordException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SerializationException(Errors.SERIALIZATION_ERROR, e.getMessage(), false, e);
    }
    int size = recordSize(key, value, r.headers());
    if (size > cfg.batchBytes || size > cfg.maxBufferedBytes) {
      throw Errors.create(io.grpc.Status.Code.INVALID_ARGUMENT, Errors.RECORD_TOO_LARGE,
          "record of " + size + " bytes is larger than batchBytes " + cfg.batchBytes, false, false,
          null, r.topic(), r.partition() == null ? -1 : r.partition(), null, null);
    }
    ClientCore.TopicInfo ti = topicInfo(r.topic());
    int p;
    if (r.partition() != null) {
      p = r.partition();
    } else {
      p = partitioner.partition(r.topic(), key, ti.partitions());
    }
    if (p < 0 || p >= ti.partitions()) {
      throw Errors.create(io.grpc.Status.Code.NOT_FOUND, Errors.UNKNOWN_TOPIC_OR_PARTITION,
          "partition " + p + " does not exist (" + ti.partitions() + " partitions)", false, false,
          null, r.topic(), p, null, null);
    }
    long ts = r.timestampMs() != null ? r.timestampMs() : System.currentTimeMillis();
    Pending pd = new Pending(ts);
    TopicPartition tp = new TopicPartition(r.topic(), p);
    long deadline = System.nanoTime() + cfg.maxBlock.toNanos();
    lock.lock();
    try {
      while (!closing && fatal == null && buffered + size > cfg.maxBufferedBytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(Errors.REQUEST_TIMED_OUT,
              "no buffer space within maxBlock " + cfg.maxBlock, true, null);
        }
        space.awaitNanos(left);
      }
      if (closing) {
        throw new FjordException(Errors.CLOSED, "producer closed", false, null);
      }
      if (fatal != null) {
        throw fatal;
      }
      PartState ps = parts.computeIfAbsent(tp, k -> new PartState());
      if (ps.open != null && ps.open.bytes + size > cfg.batchBytes) {
        seal(ps);
      }
      if (ps.open == null) {
        ps.open = new Batch(tp);
      }
      ps.open.recs.add(pd);
      ps.open.raw.append(key, value, r.headers(), ts);
      ps.open.bytes += size;
      buffered += size;
      outstanding++;
      if (ps.open.bytes >= cfg.batchBytes) {
        seal(ps);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FjordException(Errors.CLOSED, "interrupted", false, e);
    } finally {
      lock.unlock();
    }
    return pd.future;
  }

  /** The bytes a record counts for against batchBytes and maxBufferedBytes. */
  private static int recordSize(byte[] key, byte[] value, List<Header> headers) {
    int size = 12 + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    for (Header h : headers) {
      size += 4 + h.key().length() + h.value().length;
    }
    return size;
  }

  private ClientCore.TopicInfo topicInfo(String topic) {
    ClientCore.TopicInfo ti = core.topics.get(topic);
    if (ti != null) {
      return ti;
    }
    long deadline = System.nanoTime() + cfg.maxBlock.toNanos();
    int attempt = 0;
    while (true) {
      try {
        return core.topic(topic, true);
      } catch (FjordException e) {
        if (!e.isRetriable() || System.nanoTime() > deadline) {
          throw e;
        }
        sleep(backoff(++attempt));
      }
    }
  }

  /** Moves the open batch of ps to its ready queue; the lock is held. */
  private void seal(PartState ps) {
    Batch b = ps.open;
    if (b == null) {
      return;
    }
    ps.open = null;
    ps.ready.addLast(b);
    partitioner.onBatchSealed(b.tp.topic(), b.tp.partition());
    work.signalAll();
  }

  private long backoff(int attempt) {
    long base = cfg.retryBackoff.toMillis();
    long max = cfg.retryBackoffMax.toMillis();
    long d = base << Math.min(attempt - 1, 20);
    d = Math.min(d, max);
    // +-20% jitter
    return (long) (d * (0.8 + 0.4 * java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends every buffered record now and waits until all are acknowledged or failed. */
  public void flush() {
    lock.lock();
    try {
      flushing++;
      work.signalAll();
      while (outstanding > 0) {
        drained.awaitUninterruptibly();
      }
    } finally {
      flushing--;
      lock.unlock();
    }
  }

  private void runSender() {
    List<Runnable> completions = new ArrayList<>();
    while (true) {
      Map<Integer, List<Batch>> byLeader = new HashMap<>();
      Set<String> needMeta = new HashSet<>();
      boolean needPid = false;
      lock.lock();
      try {
        if (closed) {
          return;
        }
        long now = System.nanoTime();
        long lingerNanos = cfg.linger.toNanos();
        long wait = TimeUnit.MILLISECONDS.toNanos(200);
        for (Map.Entry<TopicPartition, PartState> e : parts.entrySet()) {
          PartState ps = e.getValue();
          if (ps.open != null) {
            long due = ps.open.createdNanos + lingerNanos - now;
            if (flushing > 0 || closing || due <= 0) {
              seal(ps);
            } else {
              wait = Math.min(wait, due);
            }
          }
          // Fail what waited past the delivery timeout.
          while (ps.inflight == 0 && !ps.ready.isEmpty()) {
            Batch b = ps.ready.peekFirst();
            if (now - b.createdNanos <= cfg.deliveryTimeout.toNanos() && fatal == null) {
              break;
            }
            ps.ready.pollFirst();
            FjordException err = fatal != null ? fatal : deliveryTimeout(b);
            finish(b, err, 0, -1, completions);
          }
          if (ps.ready.isEmpty() || ps.inflight > 0) {
            continue;
          }
          if (now < ps.backoffUntil) {
            wait = Math.min(wait, ps.backoffUntil - now);
            continue;
          }
          TopicPartition tp = e.getKey();
          ClientCore.TopicInfo ti = core.topics.get(tp.topic());
          if (stale.contains(tp.topic()) || ti == null || ti.leaders()[tp.partition()] < 0) {
            needMeta.add(tp.topic());
            continue;
          }
          if (cfg.idempotence && pid < 0) {
            needPid = true;
            continue;
          }
          List<Batch> dest =
              byLeader.computeIfAbsent(ti.leaders()[tp.partition()], k -> new ArrayList<>());
          int taken = 0;
          boolean solo = false;
          while (!ps.ready.isEmpty() && (taken == 0 || (!ps.retrying && !solo && !ps.ready.peekFirst().solo
              && taken + ps.ready.peekFirst().bytes <= MAX_PARTITION_REQUEST_BYTES))) {
            Batch b = ps.ready.pollFirst();
            solo = b.solo;
            ps.inflight++;
            taken += b.bytes;
            if (cfg.idempotence && !b.stamped) {
              b.stamped = true;
              b.pid = pid;
              b.epoch = epoch;
              b.baseSeq = ps.nextSeq;
              ps.nextSeq = (int) ((ps.nextSeq + (long) b.recs.size()) & 0x7fffffffL);
            }
            dest.add(b);
          }
        }
        if (byLeader.isEmpty() && needMeta.isEmpty() && !needPid && completions.isEmpty()) {
          if (closing && outstanding == 0) {
            return;
          }
          work.awaitNanos(Math.max(wait, 100_000));
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      runAll(completions);
      if (needPid) {
        initProducerId();
      }
      if (!needMeta.isEmpty()) {
        refreshMetadata(needMeta);
      }
      for (Map.Entry<Integer, List<Batch>> e : byLeader.entrySet()) {
        dispatch(e.getKey(), e.getValue());
      }
    }
  }

  private static void runAll(List<Runnable> rs) {
    for (Runnable r : rs) {
      try {
        r.run();
      } catch (RuntimeException e) {
        // a callback failed: it must not stop the producer
      }
    }
    rs.clear();
  }

  private FjordException deliveryTimeout(Batch b) {
    String last = b.lastErr == null ? "not sent in time" : b.lastErr.getMessage();
    return Errors.create(io.grpc.Status.Code.DEADLINE_EXCEEDED, Errors.DELIVERY_TIMEOUT,
        "not delivered within " + cfg.deliveryTimeout + ": " + last, false, b.maybeWritten, null,
        b.tp.topic(), b.tp.partition(), null, b.lastErr);
  }

  private void initProducerId() {
    InitProducerIdRequest req;
    lock.lock();
    try {
      req = InitProducerIdRequest.newBuilder().setProducerId(bumpFrom).setProducerEpoch(bumpFrom == 0 ? 0 : epoch).build();
    } finally {
      lock.unlock();
    }
    try {
      InitProducerIdResponse r =
          core.any(
              ch ->
                  ProduceServiceGrpc.newBlockingStub(ch)
                      .withDeadlineAfter(cfg.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                      .initProducerId(req));
      lock.lock();
      try {
        pid = r.getProducerId();
        epoch = (short) r.getProducerEpoch();
        bumpFrom = 0;
        for (PartState ps : parts.values()) {
          ps.nextSeq = 0;
        }
        work.signalAll();
      } finally {
        lock.unlock();
      }
    } catch (RuntimeException e) {
      FjordException fe = Errors.fromThrowable(e, false);
      if (!fe.isRetriable()) {
        lock.lock();
        try {
          fatal = new ProducerFencedException(fe.reason(),
              "idempotent producer unavailable: " + fe.getMessage(), false, fe);
        } finally {
          lock.unlock();
        }
      } else {
        sleep(cfg.retryBackoff.toMillis());
      }
    }
  }

  private void refreshMetadata(Set<String> topics) {
    long now = System.nanoTime();
    if (now - lastMetaRefresh < TimeUnit.MILLISECONDS.toNanos(50)) {
      sleep(50);
    }
    lastMetaRefresh = System.nanoTime();
    try {
      core.refresh(new ArrayList<>(topics));
      lock.lock();
      try {
        stale.removeAll(topics);
      } finally {
        lock.unlock();
      }
    } catch (RuntimeException e) {
      sleep(cfg.retryBackoff.toMillis());
    }
  }

  private void dispatch(int leader, List<Batch> batches) {
    // Batches arrive grouped by partition; a partition's batches stay in one request.
    List<Batch> cur = new ArrayList<>();
    int size = 0;
    int i = 0;
    while (i < batches.size()) {
      TopicPartition tp = batches.get(i).tp;
      int j = i;
      int partSize = 0;
      while (j < batches.size() && batches.get(j).tp.equals(tp)) {
        Batch b = batches.get(j);
        if (b.encoded == null) {
          b.encoded = b.raw.finish(cfg.compression,
              b.stamped ? b.pid : 0, b.stamped ? b.epoch : 0, b.stamped ? b.baseSeq : 0);
        }
        partSize += b.encoded.length;
        j++;
      }
      if (!cur.isEmpty() && size + partSize > MAX_REQUEST_BYTES) {
        sendRequest(leader, cur);
        cur = new ArrayList<>();
        size = 0;
      }
      cur.addAll(batches.subList(i, j));
      size += partSize;
      i = j;
    }
    if (!cur.isEmpty()) {
      sendRequest(leader, cur);
    }
  }

  private void sendRequest(int leader, List<Batch> batches) {
    byte[] req = produceRequest(batches);
    ListenableFuture<ProduceResponse> f;
    try {
      f = io.grpc.stub.ClientCalls.futureUnaryCall(
          core.brokerChannel(leader).newCall(RAW_PRODUCE, io.grpc.CallOptions.DEFAULT
              .withDeadlineAfter(cfg.requestTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS)),
          req);
    } catch (RuntimeException e) {
      onFailure(batches, Errors.fromThrowable(e, false));
      return;
    }
    Futures.addCallback(
        f,
        new FutureCallback<ProduceResponse>() {
          @Override
          public void onSuccess(ProduceResponse resp) {
            onResponse(batches, resp);
          }

          @Override
          public void onFailure(Throwable t) {
            FjordProducer.this.onFailure(batches, Errors.fromThrowable(t, true));
          }
        },
        MoreExecutors.directExecutor());
  }

  private static final io.grpc.MethodDescriptor<byte[], ProduceResponse> RAW_PRODUCE =
      ProduceServiceGrpc.getProduceMethod().toBuilder(RawBatch.BYTES,
          ProduceServiceGrpc.getProduceMethod().getResponseMarshaller()).build();

  /** Writes a ProduceRequest around the encoded batches (batches grouped by partition). */
  private byte[] produceRequest(List<Batch> batches) {
    // topic -> partition -> batches, in order
    Map<String, Map<Integer, List<byte[]>>> topics = new LinkedHashMap<>();
    for (Batch b : batches) {
      topics.computeIfAbsent(b.tp.topic(), t -> new LinkedHashMap<>())
          .computeIfAbsent(b.tp.partition(), x -> new ArrayList<>()).add(b.encoded);
    }
    int total = 0;
    Map<String, Integer> topicSizes = new HashMap<>();
    Map<String, Map<Integer, Integer>> partSizes = new HashMap<>();
    for (Map.Entry<String, Map<Integer, List<byte[]>>> t : topics.entrySet()) {
      int ts = com.google.protobuf.CodedOutputStream.computeStringSize(1, t.getKey());
      Map<Integer, Integer> ps = new HashMap<>();
      for (Map.Entry<Integer, List<byte[]>> pe : t.getValue().entrySet()) {
        int sz = pe.getKey() == 0 ? 0
            : com.google.protobuf.CodedOutputStream.computeInt32Size(1, pe.getKey());
        for (byte[] bb : pe.getValue()) {
          sz += com.google.protobuf.CodedOutputStream.computeByteArraySize(2, bb);
        }
        ps.put(pe.getKey(), sz);
        ts += 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(sz) + sz;
      }
      partSizes.put(t.getKey(), ps);
      topicSizes.put(t.getKey(), ts);
      total += 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(ts) + ts;
    }
    total += 32;
    byte[] out = new byte[total];
    com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(out);
    try {
      o.writeEnum(1, cfg.acks.wire().getNumber());
      o.writeInt32(2, (int) cfg.requestTimeout.toMillis());
      for (Map.Entry<String, Map<Integer, List<byte[]>>> t : topics.entrySet()) {
        o.writeTag(3, 2);
        o.writeUInt32NoTag(topicSizes.get(t.getKey()));
        o.writeString(1, t.getKey());
        for (Map.Entry<Integer, List<byte[]>> pe : t.getValue().entrySet()) {
          o.writeTag(2, 2);
          o.writeUInt32NoTag(partSizes.get(t.getKey()).get(pe.getKey()));
          if (pe.getKey() != 0) {
            o.writeInt32(1, pe.getKey());
          }
          for (byte[] bb : pe.getValue()) {
            o.writeByteArray(2, bb);
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return java.util.Arrays.copyOf(out, o.getTotalBytesWritten());
  }

  private void onResponse(List<Batch> batches, ProduceResponse resp) {
    Map<TopicPartition, ProducePartitionResponse> byTp = new HashMap<>();
    for (ProduceTopicResponse t : resp.getTopicsList()) {
      for (ProducePartitionResponse p : t.getPartitionsList()) {
        byTp.put(new TopicPartition(t.getTopic(), p.getPartition()), p);
      }
    }
    List<Runnable> completions = new ArrayList<>();
    Map<TopicPartition, Long> nextOffset = new HashMap<>();
    Map<TopicPartition, Integer> index = new HashMap<>();
    Map<TopicPartition, List<Batch>> requeued = new LinkedHashMap<>();
    lock.lock();
    try {
      for (Batch b : batches) {
        int idx = index.merge(b.tp, 1, Integer::sum) - 1; // b's place among its partition's batches
        ProducePartitionResponse pr = byTp.get(b.tp);
        if (pr == null) {
          if (cfg.acks == Acks.NONE) {
            finish(b, null, -1, -1, completions);
          } else {
            retryOrFail(b, new FjordException(Errors.UNAVAILABLE,
                "no result for the partition in the produce response", true, null), completions);
          }
          continue;
        }
        FjordException err = Errors.fromProto(pr.getError(), b.tp.topic(), b.tp.partition());
        if (err == null) {
          long base = nextOffset.getOrDefault(b.tp, pr.getBaseOffset());
          nextOffset.put(b.tp, base + b.recs.size());
          finish(b, null, cfg.acks == Acks.NONE ? -1 : base,
              pr.getLogAppendTime() > 0 ? pr.getLogAppendTime() : -1, completions);
        } else {
          if (pr.getLeaderId() > 0) {
            core.leaderHint(b.tp.topic(), b.tp.partition(), pr.getLeaderId());
          }
          if (Errors.MESSAGE_TOO_LARGE.equals(err.reason()) && !closed) {
            tooLarge(b, idx, pr, err, nextOffset,
                requeued.computeIfAbsent(b.tp, k -> new ArrayList<>()), completions);
          } else {
            retryOrFail(b, err, completions);
          }
        }
      }
      // What tooLarge kept goes first, in order: it was sent before anything still queued.
      for (Map.Entry<TopicPartition, List<Batch>> e : requeued.entrySet()) {
        ArrayDeque<Batch> ready = parts.get(e.getKey()).ready;
        List<Batch> l = e.getValue();
        for (int i = l.size() - 1; i >= 0; i--) {
          ready.addFirst(l.get(i));
        }
        work.signalAll();
      }
    } finally {
      lock.unlock();
    }
    runAll(completions);
  }

  /**
   * Handles MESSAGE_TOO_LARGE for b, the idx-th batch of its partition in a request: the broker
   * appended the partition's first {@code appended_batches} batches and nothing from the rejected
   * one on. Like the Go SDK, the rejected batch exceeds the topic's max.message.bytes (which
   * batchBytes does not know) but its records may fit alone: it is replaced by its two halves,
   * sent one at a time ahead of later batches; a single record fails alone. Idempotent: the
   * appended batches go again with their stamps (the broker answers duplicates with their
   * offsets); the partition's sequence steps back to the rejected batch's base and the halves and
   * later batches are stamped again when sent, so the first half gets that base and the second
   * base + first half's length. Adds what goes again to front, in order; the lock is held.
   */
  private void tooLarge(Batch b, int idx, ProducePartitionResponse pr, FjordException err,
      Map<TopicPartition, Long> nextOffset, List<Batch> front, List<Runnable> completions) {
    PartState ps = parts.get(b.tp);
    int appended = 0;
    try {
      appended = Integer.parseInt(err.metadata().getOrDefault("appended_batches", "0"));
    } catch (NumberFormatException e) {
      // absent or malformed: nothing was appended
    }
    b.lastErr = err;
    if (idx < appended) {
      if (cfg.idempotence) {
        ps.inflight--;
        front.add(b);
      } else {
        // Written, with no sequence a retry could be recognized by: done.
        long base = nextOffset.getOrDefault(b.tp, pr.getBaseOffset());
        nextOffset.put(b.tp, base + b.recs.size());
        finish(b, null, cfg.acks == Acks.NONE ? -1 : base, -1, completions);
      }
      return;
    }
    ps.inflight--;
    if (idx == appended && cfg.idempotence && b.stamped && b.pid == pid && b.epoch == epoch) {
      ps.nextSeq = b.baseSeq;
    }
    List<Batch> again = new ArrayList<>();
    if (idx > appended) {
      again.add(b);
    } else if (b.recs.size() > 1) {
      again.addAll(halves(b));
    } else {
      finish(b, err, 0, -1, completions);
    }
    for (Batch a : again) {
      a.stamped = false;
      a.baseSeq = -1;
      a.encoded = null;
    }
    front.addAll(again);
  }

  /** The two halves of b, re-encoded, each sent alone; its futures move with its records. */
  private List<Batch> halves(Batch b) {
    dev.fjordlog.fjord.v1.Records recs;
    try {
      recs = dev.fjordlog.fjord.v1.Records.parseFrom(b.raw.records());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("fjord: the producer's own batch does not parse", e);
    }
    int half = b.recs.size() / 2;
    List<Batch> out = new ArrayList<>();
    for (int[] r : new int[][] {{0, half}, {half, b.recs.size()}}) {
      Batch h = new Batch(b.tp, b.createdNanos);
      h.solo = true;
      h.attempts = b.attempts;
      h.maybeWritten = b.maybeWritten;
      h.lastErr = b.lastErr;
      for (int i = r[0]; i < r[1]; i++) {
        dev.fjordlog.fjord.v1.Record rec = recs.getRecords(i);
        byte[] key = rec.hasKey() ? rec.getKey().toByteArray() : null;
        byte[] value = rec.hasValue() ? rec.getValue().toByteArray() : null;
        List<Header> headers = new ArrayList<>();
        for (dev.fjordlog.fjord.v1.RecordHeader x : rec.getHeadersList()) {
          headers.add(new Header(x.getKey(), x.getValue().toByteArray()));
        }
        h.raw.append(key, value, headers, b.raw.firstTs + rec.getTimestampDelta());
        h.recs.add(b.recs.get(i));
        h.bytes += recordSize(key, value, headers);
      }
      out.add(h);
    }
    return out;
  }

  private void onFailure(List<Batch> batches, FjordException err) {
    List<Runnable> completions = new ArrayList<>();
    lock.lock();
    try {
      for (Batch b : batches) {
        retryOrFail(b, err, completions);
      }
    } finally {
      lock.unlock();
    }
    runAll(completions);
  }

  /** The lock is held. */
  private void retryOrFail(Batch b, FjordException err, List<Runnable> completions) {
    PartState ps = parts.get(b.tp);
    ps.inflight--;
    b.lastErr = err;
    if (err.isIndefinite()) {
      b.maybeWritten = true;
    }
    String r = err.reason();
    if (cfg.idempotence && b.stamped && ps.retrying
        && (Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.equals(r) || Errors.UNKNOWN_PRODUCER_ID.equals(r))
        && hasEarlier(ps, b)) {
      // An earlier batch of the partition failed and is retried first: this one only failed
      // because of the gap it left.
      err = new FjordException(r, err.getMessage(), true, err);
    }
    boolean expired = System.nanoTime() - b.createdNanos > cfg.deliveryTimeout.toNanos();
    if (err.isRetriable() && !closed && b.attempts < cfg.retries && !expired && fatal == null) {
      b.attempts++;
      long delay = err.retryAfter().isZero() ? backoff(b.attempts) : err.retryAfter().toMillis();
      ps.backoffUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
      requeue(ps, b);
      ps.retrying = true;
      if (!Errors.THROTTLING_QUOTA_EXCEEDED.equals(r) && !Errors.REQUEST_TIMED_OUT.equals(r)) {
        stale.add(b.tp.topic());
      }
      work.signalAll();
      return;
    }
    if (expired && err.isRetriable()) {
      err = deliveryTimeout(b);
    } else if (b.maybeWritten && !err.isIndefinite()) {
      err = Errors.create(err.code(), err.reason(),
          err.getMessage() + " (an earlier attempt may have written the records)", false, true,
          null, b.tp.topic(), b.tp.partition(), err.metadata(), err);
    }
    if (cfg.idempotence && Errors.INVALID_PRODUCER_EPOCH.equals(r)) {
      fatal = new ProducerFencedException(r, "producer fenced: " + err.getMessage(), false, err);
    }
    finish(b, err, 0, -1, completions);
    if (cfg.idempotence && b.stamped && fatal == null && b.pid == pid && b.epoch == epoch) {
      // The partition's sequence has a gap now: bump the epoch (KIP-360), which restarts every
      // partition's sequence at 0, before sending more.
      bumpFrom = pid;
      pid = -1;
    }
    // Later batches of the partition would fail their sequence check: fail them too.
    if (cfg.idempotence && b.stamped) {
      while (!ps.ready.isEmpty()) {
        finish(ps.ready.pollFirst(), err, 0, -1, completions);
      }
    }
  }

  /** Puts a stamped batch back in sequence order before the unsent ones; the lock is held. */
  private static void requeue(PartState ps, Batch b) {
    ArrayDeque<Batch> tmp = new ArrayDeque<>();
    while (!ps.ready.isEmpty() && ps.ready.peekFirst().stamped
        && ps.ready.peekFirst().baseSeq < b.baseSeq && b.stamped) {
      tmp.addLast(ps.ready.pollFirst());
    }
    ps.ready.addFirst(b);
    while (!tmp.isEmpty()) {
      ps.ready.addFirst(tmp.pollLast());
    }
  }

  /** Whether a batch before b (lower sequence) is queued for retry; the lock is held. */
  private static boolean hasEarlier(PartState ps, Batch b) {
    for (Batch q : ps.ready) {
      if (q.stamped && q.pid == b.pid && q.baseSeq < b.baseSeq) {
        return true;
      }
    }
    return false;
  }

  /** Completes a batch; the lock is held. */
  private void finish(Batch b, FjordException err, long baseOffset, long appendTime,
      List<Runnable> completions) {
    PartState ps = parts.get(b.tp);
    if (ps != null && err == null) {
      ps.inflight--;
      ps.retrying = false;
    }
    buffered -= b.bytes;
    outstanding -= b.recs.size();
    space.signalAll();
    if (outstanding == 0) {
      drained.signalAll();
    }
    work.signalAll();
    List<Pending> recs = b.recs;
    completions.add(
        () -> {
          for (int i = 0; i < recs.size(); i++) {
            Pending p = recs.get(i);
            if (err != null) {
              p.future.completeExceptionally(err);
            } else {
              long off = baseOffset < 0 ? -1 : baseOffset + i;
              long ts = appendTime > 0 ? appendTime : p.timestampMs;
              p.future.complete(new RecordMetadata(b.tp.topic(), b.tp.partition(), off, ts));
            }
          }
        });
  }

  /** The number of partitions of a topic (fetching metadata if needed). */
  public int partitionsFor(String topic) {
    return topicInfo(topic).partitions();
  }

  /** The producer id in use (-1 before the first idempotent send or without idempotence). */
  public long producerId() {
    lock.lock();
    try {
      return pid;
    } finally {
      lock.unlock();
    }
  }

  /** Flushes (up to timeout), then fails what is left and releases connections. */
  public void close(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closing = true;
      flushing++;
      work.signalAll();
      while (outstanding > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        drained.awaitNanos(left);
      }
      flushing--;
      closed = true;
      work.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    try {
      sender.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Runnable> completions = new ArrayList<>();
    lock.lock();
    try {
      FjordException err = new FjordException(Errors.CLOSED, "producer closed", false, null);
      for (PartState ps : parts.values()) {
        if (ps.open != null) {
          ps.ready.addLast(ps.open);
          ps.open = null;
        }
        while (!ps.ready.isEmpty()) {
          finish(ps.ready.pollFirst(), err, 0, -1, completions);
        }
      }
    } finally {
      lock.unlock();
    }
    runAll(completions);
    core.close();
  }

  /** Flushes and closes, waiting without bound for acknowledgements. */
  @Override
  public void close() {
    close(cfg.deliveryTimeout.plusSeconds(5));
  }

  @Override
  public String toString() {
    return "FjordProducer" + Arrays.toString(cfg.bootstrap.toArray());
  }
}
