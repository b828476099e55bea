package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fjordlog.fjord.avro.AvroDeserializer;
import dev.fjordlog.fjord.avro.AvroSerializer;
import dev.fjordlog.fjord.avro.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Producer, consumer, groups, admin and Avro against one real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SingleBrokerTest {
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

  static void await(String what, BooleanSupplier cond, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int n, int want) {
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot)
        .autoOffsetReset(OffsetReset.EARLIEST).build()) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (out.size() < want && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  @Test
  void roundTripWithKeysAndHeaders() throws Exception {
    for (Compression comp : Compression.values()) {
      String topic = "rt-" + comp.name().toLowerCase();
      admin.createTopic(topic, 3, 1);
      List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
      List<Exception> cbErrors = new CopyOnWriteArrayList<>();
      try (FjordProducer<String, String> p = FjordProducer.builder(Serializer.string(), Serializer.string())
          .bootstrap(boot).compression(comp).linger(Duration.ofMillis(2)).build()) {
        for (int i = 0; i < 60; i++) {
          ProducerRecord<String, String> r = new ProducerRecord<>(topic, "k" + (i % 7), "v" + i)
              .withHeader("h", b("x" + i)).withHeader("h", new byte[0]).withTimestamp(1700000000000L + i);
          fs.add(p.send(r, (md, ex) -> {
            if (ex != null) {
              cbErrors.add(ex);
            }
          }));
        }
        fs.add(p.send(new ProducerRecord<String, String>(topic, null, null, null, List.of(), null).withPartition(1)));
        p.flush();
      }
      assertTrue(cbErrors.isEmpty(), cbErrors.toString());
      Map<Integer, Long> lastOffset = new HashMap<>();
      for (int i = 0; i < 60; i++) {
        RecordMetadata md = fs.get(i).get(5, TimeUnit.SECONDS);
        assertEquals(Partitioners.keyPartition(b("k" + (i % 7)), 3), md.partition(), "murmur2 partition");
        Long prev = lastOffset.put(md.partition(), md.offset());
        assertTrue(prev == null || md.offset() > prev, "offsets increase per partition");
      }
      List<ConsumerRecord<byte[], byte[]>> got = readAll(topic, 3, 61);
      assertEquals(61, got.size());
      int nulls = 0;
      for (ConsumerRecord<byte[], byte[]> r : got) {
        if (r.key() == null) {
          assertNull(r.value());
          assertEquals(1, r.partition());
          nulls++;
          continue;
        }
        int i = Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8).substring(1));
        assertEquals("k" + (i % 7), new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(1700000000000L + i, r.timestampMs());
        assertEquals(2, r.headers().size());
        assertEquals("h", r.headers().get(0).key());
        assertArrayEquals(b("x" + i), r.headers().get(0).value());
        assertEquals(0, r.headers().get(1).value().length);
        RecordMetadata md = fs.get(i).get();
        assertEquals(md.partition(), r.partition());
        assertEquals(md.offset(), r.offset());
      }
      assertEquals(1, nulls);
    }
  }

  @Test
  void stickyKeylessAndCustomPartitioner() throws Exception {
    admin.createTopic("sticky", 4, 1);
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot)
        .linger(Duration.ofMillis(50)).build()) {
      List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        fs.add(p.send(new ProducerRecord<>("sticky", b("v" + i))));
      }
      p.flush();
      Set<Integer> ps = new HashSet<>();
      for (var f : fs) {
        ps.add(f.get().partition());
      }
      assertEquals(1, ps.size(), "keyless records of one batch stick to one partition");
    }
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot)
        .partitioner((topic, key, n) -> n - 1).build()) {
      assertEquals(3, p.send(new ProducerRecord<>("sticky", b("k"), b("v"))).get().partition());
    }
  }

  @Test
  void groupOfThreeSharesSixPartitionsAndRebalancesWhenOneLeaves() throws Exception {
    String topic = "group6";
    admin.createTopic(topic, 6, 1);
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      for (int i = 0; i < 600; i++) {
        p.send(new ProducerRecord<>(topic, b("k" + i), b("v" + i)));
      }
      p.flush();
    }
    List<FjordConsumer<byte[], byte[]>> cs = new ArrayList<>();
    List<Set<TopicPartition>> owned = new ArrayList<>();
    List<List<String>> events = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try {
      for (int i = 0; i < 3; i++) {
        Set<TopicPartition> mine = new HashSet<>();
        List<String> ev = new CopyOnWriteArrayList<>();
        owned.add(mine);
        events.add(ev);
        FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot).groupId("g6")
            .autoOffsetReset(OffsetReset.EARLIEST).sessionTimeout(Duration.ofSeconds(3))
            .autoCommitInterval(Duration.ofMillis(200)).build();
        c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
          @Override
          public void onAssigned(Collection<TopicPartition> tps) {
            mine.addAll(tps);
            ev.add("assigned " + tps);
          }

          @Override
          public void onRevoked(Collection<TopicPartition> tps) {
            mine.removeAll(tps);
            ev.add("revoked " + tps);
          }
        });
        cs.add(c);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (FjordConsumer<byte[], byte[]> c : cs) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(20))) {
            seen.add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
        if (owned.stream().allMatch(s -> s.size() == 2) && seen.size() == 600) {
          break;
        }
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(2, owned.get(i).size(), "member " + i + " owns 2 of 6: " + events.get(i));
        assertEquals(owned.get(i), cs.get(i).assignment());
      }
      assertEquals(600, seen.size());
      Set<TopicPartition> union = new HashSet<>();
      owned.forEach(union::addAll);
      assertEquals(6, union.size());

      // One member leaves: the other two take its partitions over.
      cs.get(2).close();
      cs.remove(2);
      owned.remove(2);
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        for (FjordConsumer<byte[], byte[]> c : cs) {
          c.poll(Duration.ofMillis(20));
        }
        if (owned.get(0).size() == 3 && owned.get(1).size() == 3) {
          break;
        }
      }
      assertEquals(3, owned.get(0).size(), events.get(0).toString());
      assertEquals(3, owned.get(1).size(), events.get(1).toString());
      var desc = admin.describeGroup("g6");
      assertEquals(2, desc.getMembersCount());
    } finally {
      for (FjordConsumer<byte[], byte[]> c : cs) {
        c.close();
      }
    }
  }

  @Test
  void memberThatStopsPollingLeavesAndRejoins() throws Exception {
    String topic = "mpi";
    admin.createTopic(topic, 2, 1);
    assertThrows(IllegalArgumentException.class,
        () -> FjordConsumer.builder().maxPollInterval(Duration.ZERO));
    List<String> slowEvents = new CopyOnWriteArrayList<>();
    try (FjordConsumer<byte[], byte[]> slow = FjordConsumer.builder().bootstrap(boot)
            .groupId("gmpi").maxPollInterval(Duration.ofMillis(500))
            .sessionTimeout(Duration.ofSeconds(3)).build();
        FjordConsumer<byte[], byte[]> fast = FjordConsumer.builder().bootstrap(boot)
            .groupId("gmpi").sessionTimeout(Duration.ofSeconds(3)).build()) {
      slow.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        @Override
        public void onAssigned(Collection<TopicPartition> tps) {
          slowEvents.add("assigned " + tps);
        }

        @Override
        public void onLost(Collection<TopicPartition> tps) {
          slowEvents.add("lost " + tps);
        }
      });
      fast.subscribe(List.of(topic));
      BooleanSupplier split = () -> slow.assignment().size() == 1 && fast.assignment().size() == 1;
      await("both members own a partition", () -> {
        slow.poll(Duration.ofMillis(20));
        fast.poll(Duration.ofMillis(20));
        return split.getAsBoolean();
      }, Duration.ofSeconds(15));
      Set<TopicPartition> slowOwned = slow.assignment();
      slowEvents.clear();
      // slow stops polling: after maxPollInterval it leaves and its partition moves to fast.
      await("the partition of the member that stopped polling moves", () -> {
        fast.poll(Duration.ofMillis(50));
        return fast.assignment().size() == 2;
      }, Duration.ofSeconds(10));
      assertEquals(List.of(), slowEvents, "callbacks run only in poll");
      slow.poll(Duration.ofMillis(10));
      assertEquals(List.of("lost " + slowOwned), slowEvents,
          "the next poll reports the partitions as lost");
      assertTrue(slow.assignment().isEmpty());
      await("the member joins again", () -> {
        slow.poll(Duration.ofMillis(20));
        fast.poll(Duration.ofMillis(20));
        return split.getAsBoolean();
      }, Duration.ofSeconds(15));
    }
  }

  @Test
  void commitAndResume() throws Exception {
    String topic = "commit1";
    admin.createTopic(topic, 1, 1);
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      for (int i = 0; i < 100; i++) {
        p.send(new ProducerRecord<>(topic, b("v" + i)));
      }
      p.flush();
    }
    TopicPartition tp = new TopicPartition(topic, 0);
    long committedAt;
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot).groupId("gc")
        .autoCommit(false).maxPollRecords(30).autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (got.size() < 30 && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertEquals(30, got.size());
      assertEquals(30, c.position(tp));
      c.commitSync();
      committedAt = c.committed(List.of(tp)).get(tp);
      assertEquals(30, committedAt);
      c.commitAsync(Map.of(tp, 35L)).get(5, TimeUnit.SECONDS);
    }
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot).groupId("gc")
        .autoCommit(false).autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (got.isEmpty() && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertFalse(got.isEmpty());
      assertEquals(35, got.get(0).offset(), "resumes at the committed offset");
      assertEquals("v35", new String(got.get(0).value(), StandardCharsets.UTF_8));
    }
    assertEquals(35L, admin.groupOffsets("gc").get(tp));
  }

  @Test
  void seekPauseResumeWithoutGroup() throws Exception {
    String topic = "seek1";
    admin.createTopic(topic, 2, 1);
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      for (int i = 0; i < 40; i++) {
        p.send(new ProducerRecord<>(topic, i % 2, null, b("v" + i), List.of(), null));
      }
      p.flush();
    }
    TopicPartition p0 = new TopicPartition(topic, 0);
    TopicPartition p1 = new TopicPartition(topic, 1);
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot)
        .autoOffsetReset(OffsetReset.LATEST).build()) {
      c.assign(List.of(p0, p1));
      assertEquals(20, c.position(p0), "LATEST starts at the high watermark");
      c.seek(p0, 10);
      c.seekToBeginning(List.of(p1));
      c.pause(List.of(p1));
      assertEquals(Set.of(p1), c.paused());
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (got.size() < 10 && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertEquals(10, got.size());
      assertEquals(10, got.get(0).offset());
      assertTrue(got.stream().allMatch(r -> r.partition() == 0), "paused partition not returned");
      assertTrue(c.poll(Duration.ofMillis(300)).isEmpty());
      c.resume(List.of(p1));
      got.clear();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (got.size() < 20 && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertEquals(20, got.size());
      assertEquals(0, got.get(0).offset());
      assertEquals(1, got.get(0).partition());
    }
  }

  static final String USER = "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"com.example\","
      + "\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"},"
      + "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null}]}";

  @Test
  void avroRoundTripThroughRegistry() throws Exception {
    String topic = "users";
    admin.createTopic(topic, 1, 1);
    SchemaRegistryClient reg = new SchemaRegistryClient(broker.registryUrl());
    Schema schema = new Schema.Parser().parse(USER);
    try (FjordProducer<String, Object> p = FjordProducer.builder(Serializer.string(),
        new AvroSerializer(reg, false)).bootstrap(boot).build()) {
      for (int i = 0; i < 5; i++) {
        GenericRecord u = new GenericData.Record(schema);
        u.put("name", "user" + i);
        u.put("age", 20 + i);
        u.put("email", i % 2 == 0 ? null : "u" + i + "@example.com");
        p.send(new ProducerRecord<>(topic, "u" + i, u)).get(10, TimeUnit.SECONDS);
      }
    }
    int id = reg.register(topic + "-value", schema);
    assertTrue(id > 0);
    assertEquals(id, reg.latest(topic + "-value").getKey());
    // A fresh client (empty caches) reads the writer schema by id.
    SchemaRegistryClient reg2 = new SchemaRegistryClient(broker.registryUrl());
    try (FjordConsumer<String, Object> c = FjordConsumer.builder(Deserializer.string(),
        new AvroDeserializer(reg2)).bootstrap(boot).autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.assign(List.of(new TopicPartition(topic, 0)));
      List<ConsumerRecord<String, Object>> got = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (got.size() < 5 && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(got::add);
      }
      assertEquals(5, got.size());
      for (int i = 0; i < 5; i++) {
        GenericRecord u = (GenericRecord) got.get(i).value();
        assertEquals("user" + i, u.get("name").toString());
        assertEquals(20 + i, u.get("age"));
        assertEquals(i % 2 == 0 ? null : "u" + i + "@example.com",
            u.get("email") == null ? null : u.get("email").toString());
        assertEquals("u" + i, got.get(i).key());
      }
      byte[] raw = new AvroSerializer(reg, false).serialize(topic, got.get(0).value());
      assertEquals(0, raw[0]);
    }
  }

  @Test
  void badInputsGiveDocumentedErrors() throws Exception {
    // Unknown topic: the send future fails with UnknownTopicOrPartitionException.
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> p.send(new ProducerRecord<>("no-such-topic", b("v"))).get(10, TimeUnit.SECONDS));
      UnknownTopicOrPartitionException u =
          assertInstanceOf(UnknownTopicOrPartitionException.class, e.getCause());
      assertEquals("UNKNOWN_TOPIC_OR_PARTITION", u.reason());
      assertFalse(u.isRetriable());
      assertNotNull(u.getMessage());
      // A partition that does not exist.
      admin.createTopic("bad1", 1, 1);
      e = assertThrows(ExecutionException.class, () -> p.send(
          new ProducerRecord<byte[], byte[]>("bad1", b("v")).withPartition(5)).get(10, TimeUnit.SECONDS));
      assertInstanceOf(UnknownTopicOrPartitionException.class, e.getCause());
    }
    // Oversized record, refused by the client (larger than batchBytes).
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot)
        .batchBytes(1024).build()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> p.send(new ProducerRecord<>("bad1", new byte[2000])).get(10, TimeUnit.SECONDS));
      RecordTooLargeException r = assertInstanceOf(RecordTooLargeException.class, e.getCause());
      assertEquals("RECORD_TOO_LARGE", r.reason());
    }
    // Oversized record, refused by the broker (topic max.message.bytes).
    admin.createTopic("small", 1, 1, Map.of("max.message.bytes", "1000"));
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> p.send(new ProducerRecord<>("small", new byte[5000])).get(10, TimeUnit.SECONDS));
      RecordTooLargeException r = assertInstanceOf(RecordTooLargeException.class, e.getCause());
      assertEquals("MESSAGE_TOO_LARGE", r.reason());
      assertFalse(r.isRetriable());
    }
    // Bad schema: the registry refuses it with INVALID_SCHEMA (42201).
    SchemaRegistryClient reg = new SchemaRegistryClient(broker.registryUrl());
    SchemaRegistryException se = assertThrows(SchemaRegistryException.class,
        () -> reg.register("bad-value", "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"nope\"}]}"));
    assertEquals("INVALID_SCHEMA", se.reason());
    assertEquals(42201, se.errorCode());
    SchemaRegistryException nf = assertThrows(SchemaRegistryException.class, () -> reg.schemaById(987654));
    assertEquals("SCHEMA_NOT_FOUND", nf.reason());
    // A value that does not match its schema.
    Schema schema = new Schema.Parser().parse(USER);
    GenericRecord u = new GenericData.Record(schema);
    u.put("name", "x"); // age missing
    assertThrows(SerializationException.class, () -> new AvroSerializer(reg, false).serialize("t", u));
    // Not wire-format Avro.
    assertThrows(SerializationException.class,
        () -> new AvroDeserializer(reg).deserialize("t", new byte[] {1, 2, 3}));
    // Admin errors.
    InvalidRequestException ex = assertThrows(InvalidRequestException.class,
        () -> admin.createTopic("bad1", 1, 1));
    assertEquals("TOPIC_ALREADY_EXISTS", ex.reason());
    assertThrows(UnknownTopicOrPartitionException.class, () -> admin.describeTopic("nope-nope"));
    // Committing without a group, and using a closed producer.
    FjordProducer<byte[], byte[]> closed = FjordProducer.builder().bootstrap(boot).build();
    closed.close();
    ExecutionException ce = assertThrows(ExecutionException.class,
        () -> closed.send(new ProducerRecord<>("bad1", b("v"))).get());
    assertEquals("CLOSED", ((FjordException) ce.getCause()).reason());
  }

  @Test
  void adminTopicsConfigsGroupsOffsets() throws Exception {
    admin.createTopic("adm", 2, 1, Map.of("retention.ms", "3600000"));
    assertTrue(admin.listTopics(false).stream().anyMatch(t -> t.getName().equals("adm")));
    var d = admin.describeTopic("adm");
    assertEquals(2, d.getPartitionsCount());
    assertEquals("3600000", admin.describeTopicConfigs("adm").get("retention.ms"));
    admin.alterTopicConfigs("adm", Map.of("retention.ms", "7200000"));
    assertEquals("7200000", admin.describeTopicConfigs("adm").get("retention.ms"));
    admin.createPartitions("adm", 3);
    assertEquals(3, admin.describeTopic("adm").getPartitionsCount());
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("adm", 0, null, b("v" + i), List.of(), null));
      }
      p.flush();
    }
    assertEquals(10L, admin.listOffsets("adm", true).get(new TopicPartition("adm", 0)));
    assertEquals(0L, admin.listOffsets("adm", false).get(new TopicPartition("adm", 0)));
    assertEquals(4L, admin.deleteRecords(Map.of(new TopicPartition("adm", 0), 4L))
        .get(new TopicPartition("adm", 0)));
    var reset = admin.resetGroupOffsets("gadm", "adm", new FjordAdmin.ResetTo.Latest(), false, false);
    assertEquals(10L, reset.get(new TopicPartition("adm", 0)));
    assertEquals(10L, admin.groupOffsets("gadm").get(new TopicPartition("adm", 0)));
    assertTrue(admin.listGroups().stream().anyMatch(g -> g.getGroupId().equals("gadm")));
    admin.deleteGroup("gadm");
    assertTrue(admin.describeCluster().getBrokersCount() >= 1);
    admin.deleteTopics("adm");
    await("topic deleted", () -> admin.listTopics(false).stream().noneMatch(t -> t.getName().equals("adm")),
        Duration.ofSeconds(10));
  }
}
