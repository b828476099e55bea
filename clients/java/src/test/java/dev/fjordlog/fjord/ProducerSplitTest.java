package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A batch the broker rejects with MESSAGE_TOO_LARGE (over the topic's max.message.bytes, which
 * batchBytes cannot know) is split in halves and sent again, like the Go SDK does; a record too
 * large alone fails alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProducerSplitTest {
  BrokerHarness broker;
  FjordAdmin admin;
  String boot;

  @BeforeAll
  void start() throws Exception {
    broker = BrokerHarness.single();
    boot = broker.nodes.get(0).grpc;
    admin = FjordAdmin.builder().bootstrap(boot).build();
  }

  @AfterAll
  void stop() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static byte[] val(int i, int n) {
    byte[] v = new byte[n];
    Arrays.fill(v, (byte) ('A' + i % 26));
    byte[] id = String.format("%03d", i).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(id, 0, v, 0, id.length);
    return v;
  }

  static short epoch(FjordProducer<?, ?> p) throws Exception {
    var f = FjordProducer.class.getDeclaredField("epoch");
    f.setAccessible(true);
    return (short) f.get(p);
  }

  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int want) {
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot)
        .autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (out.size() < want && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(300)).forEach(out::add); // nothing twice
      return out;
    }
  }

  /** Sends values to partition 0 in order, counting each record's callback. */
  static List<CompletableFuture<RecordMetadata>> sendAll(FjordProducer<byte[], byte[]> p,
      String topic, List<byte[]> values, AtomicIntegerArray calls, int from) {
    List<CompletableFuture<RecordMetadata>> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      int n = from + i;
      out.add(p.send(new ProducerRecord<byte[], byte[]>(topic, values.get(i)).withPartition(0),
          (md, err) -> calls.incrementAndGet(n)));
    }
    return out;
  }

  /** Checks every future: the one at index bad failed with RecordTooLargeException; returns the offsets. */
  static List<Long> outcomes(List<CompletableFuture<RecordMetadata>> fs, int bad) throws Exception {
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < fs.size(); i++) {
      if (i == bad) {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, fs.get(i)::get);
        RecordTooLargeException rt = assertInstanceOf(RecordTooLargeException.class, e.getCause());
        assertEquals(Errors.MESSAGE_TOO_LARGE, rt.reason());
      } else {
        offsets.add(fs.get(i).get(10, TimeUnit.SECONDS).offset());
      }
    }
    return offsets;
  }

  static List<Long> range(long from, long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(from + i);
    }
    return out;
  }

  static void assertValues(List<byte[]> want, List<ConsumerRecord<byte[], byte[]>> got) {
    assertEquals(want.size(), got.size(), "records read back");
    for (int i = 0; i < want.size(); i++) {
      assertEquals(i, got.get(i).offset());
      assertTrue(Arrays.equals(want.get(i), got.get(i).value()), "value at offset " + i);
    }
  }

  @Test
  void batchOverMaxMessageBytesIsSplit() throws Exception {
    String topic = "split-one-batch";
    admin.createTopic(topic, 1, 1, Map.of("max.message.bytes", "2048"));
    AtomicIntegerArray calls = new AtomicIntegerArray(50);
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      values.add(val(i, 300));
    }
    List<byte[]> more = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      more.add(val(100 + i, 100));
    }
    more.add(4, new byte[4000]);
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot)
        .linger(Duration.ofSeconds(5)).build()) {
      p.partitionsFor(topic);
      // 40 records of 300 bytes (~12 KB) in one batch the broker rejects whole.
      List<CompletableFuture<RecordMetadata>> fs = sendAll(p, topic, values, calls, 0);
      p.flush();
      assertEquals(range(0, 40), outcomes(fs, -1));
      // One record of 4000 bytes among small ones: only it fails.
      List<CompletableFuture<RecordMetadata>> fs2 = sendAll(p, topic, more, calls, 40);
      p.flush();
      assertEquals(range(40, 9), outcomes(fs2, 4));
      assertEquals(0, epoch(p), "no sequence error made the producer bump its epoch");
    }
    for (int i = 0; i < 50; i++) {
      assertEquals(1, calls.get(i), "callbacks of record " + i);
    }
    List<byte[]> want = new ArrayList<>(values);
    more.remove(4);
    want.addAll(more);
    assertValues(want, readAll(topic, 49));
  }

  @Test
  void manyBatchesWithOneTooLargeRecord() throws Exception {
    String topic = "split-many-batches";
    admin.createTopic(topic, 1, 1, Map.of("max.message.bytes", "2048"));
    // batchBytes 4200: about 13 records of 300 bytes per batch (too large); the 4000-byte record
    // seals the batch before it and sits alone in its own. Several batches may share a request.
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      values.add(val(i, 300));
    }
    values.add(new byte[4000]);
    for (int i = 0; i < 40; i++) {
      values.add(val(10 + i, 300));
    }
    AtomicIntegerArray calls = new AtomicIntegerArray(values.size());
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot)
        .linger(Duration.ofSeconds(5)).batchBytes(4200).build()) {
      p.partitionsFor(topic);
      List<CompletableFuture<RecordMetadata>> fs = sendAll(p, topic, values, calls, 0);
      p.flush();
      assertEquals(range(0, values.size() - 1), outcomes(fs, 3));
      assertEquals(0, epoch(p), "no sequence error made the producer bump its epoch");
    }
    for (int i = 0; i < values.size(); i++) {
      assertEquals(1, calls.get(i), "callbacks of record " + i);
    }
    values.remove(3);
    assertValues(values, readAll(topic, values.size()));
  }
}
