package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Leader failover on a 3-broker cluster loses no acknowledged record. */
class FailoverTest {
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void leaderFailoverKeepsEveryAcknowledgedRecordOnce() throws Exception {
    try (BrokerHarness h = BrokerHarness.cluster3();
        FjordAdmin admin = FjordAdmin.builder().bootstrap(h.bootstrap()).build()) {
      String topic = "failover";
      createWithRetry(admin, topic);
      int leader = awaitLeader(admin, topic);
      int n = 3000;
      List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
      try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(h.bootstrap())
          .idempotence(true).acks(Acks.ALL).linger(Duration.ofMillis(2))
          .requestTimeout(Duration.ofSeconds(5)).deliveryTimeout(Duration.ofSeconds(60)).build()) {
        for (int i = 0; i < n; i++) {
          fs.add(p.send(new ProducerRecord<>(topic, i % 2, null,
              String.format("v%05d", i).getBytes(StandardCharsets.UTF_8), List.of(), null)));
          if (i == n / 3) {
            // Wait until a third is acknowledged, then SIGKILL the leader mid-stream.
            fs.get(i).get(30, TimeUnit.SECONDS);
            h.node(leader).kill();
          }
          if (i % 100 == 0) {
            Thread.sleep(5); // keep producing across the failover rather than all at once
          }
        }
        p.flush();
      }
      int newLeader = admin.describeTopic(topic).getPartitions(0).getLeaderId();
      assertTrue(newLeader > 0 && newLeader != leader, "partition 0 moved to a new leader: " + newLeader);
      Map<Integer, List<String>> acked = new HashMap<>();
      int failed = 0;
      for (int i = 0; i < n; i++) {
        try {
          RecordMetadata md = fs.get(i).get();
          acked.computeIfAbsent(md.partition(), k -> new ArrayList<>()).add(String.format("v%05d", i));
        } catch (Exception e) {
          failed++;
        }
      }
      assertEquals(0, failed, "idempotent producer with retries delivers every record");
      List<String> survivors = new ArrayList<>();
      for (BrokerHarness.Node node : h.nodes) {
        if (node.id != leader) {
          survivors.add(node.grpc);
        }
      }
      try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(survivors)
          .autoOffsetReset(OffsetReset.EARLIEST).build()) {
        c.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
        Map<Integer, List<String>> got = new HashMap<>();
        int total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (total < n && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            got.computeIfAbsent(r.partition(), k -> new ArrayList<>())
                .add(new String(r.value(), StandardCharsets.UTF_8));
            total++;
          }
        }
        for (int p = 0; p < 2; p++) {
          // Every acknowledged record exactly once, in send order.
          assertEquals(acked.get(p), got.get(p), "partition " + p);
        }
        assertTrue(total >= n);
      }
    }
  }

  static void createWithRetry(FjordAdmin admin, String topic) throws InterruptedException {
    createWithRetry(admin, topic, 2);
  }

  static void createWithRetry(FjordAdmin admin, String topic, int partitions)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        admin.createTopic(topic, partitions, 3);
        return;
      } catch (FjordException e) {
        if (System.nanoTime() > deadline || !(e.isRetriable() || e.reason().contains("REPLICATION"))) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  static int awaitLeader(FjordAdmin admin, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      dev.fjordlog.fjord.v1.TopicDescription d;
      try {
        d = admin.describeTopic(topic);
      } catch (UnknownTopicOrPartitionException e) {
        // The broker asked may learn of the new topic a moment after the controller committed it.
        Thread.sleep(50);
        continue;
      }
      int l0 = d.getPartitions(0).getLeaderId();
      if (l0 > 0 && d.getPartitions(0).getIsrCount() == 3 && d.getPartitions(1).getLeaderId() > 0) {
        return l0;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader with a full ISR for " + topic);
  }
}
