package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fjordlog.fjord.v1.FindCoordinatorRequest;
import dev.fjordlog.fjord.v1.GroupServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The group's coordinator is SIGKILLed under a consuming group of two: the members find the new
 * coordinator (NOT_COORDINATOR redirect / broken stream), keep or regain their partitions and go
 * on consuming from the committed offsets: no record skipped, and no record delivered again
 * below an offset that was committed.
 */
class CoordinatorFailoverTest {
  private static final String TOPIC = "cf";
  private static final int PARTITIONS = 4;

  /** What the two consumers saw. */
  private static final class Seen {
    final Map<Integer, Set<Long>> offsets = new TreeMap<>();
    final Map<Integer, Long> committed = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    int commitFailures;

    int total() {
      return offsets.values().stream().mapToInt(Set::size).sum();
    }

    void take(FjordConsumer<byte[], byte[]> c, String who) {
      ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(100));
      for (ConsumerRecord<byte[], byte[]> r : rs) {
        long floor = committed.getOrDefault(r.partition(), 0L);
        if (r.offset() < floor) {
          violations.add(who + " got " + r.partition() + "@" + r.offset() + " below committed " + floor);
        }
        String want = r.partition() + "-" + r.offset();
        if (!want.equals(new String(r.value(), StandardCharsets.UTF_8))) {
          violations.add(who + " got value " + new String(r.value(), StandardCharsets.UTF_8) + " at " + want);
        }
        offsets.computeIfAbsent(r.partition(), k -> new TreeSet<>()).add(r.offset());
      }
      if (rs.isEmpty()) {
        return;
      }
      Map<Integer, Long> pos = new HashMap<>();
      for (TopicPartition tp : c.assignment()) {
        pos.put(tp.partition(), c.position(tp));
      }
      try {
        c.commitSync();
        pos.forEach((p, o) -> committed.merge(p, o, Math::max));
      } catch (FjordException e) {
        commitFailures++; // allowed: records after the last commit may come again
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void groupSurvivesCoordinatorKill() throws Exception {
    try (BrokerHarness h = BrokerHarness.cluster3();
        FjordAdmin admin = FjordAdmin.builder().bootstrap(h.bootstrap()).build();
        FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(h.bootstrap())
            .idempotence(true).acks(Acks.ALL).linger(Duration.ofMillis(2))
            .requestTimeout(Duration.ofSeconds(3)).deliveryTimeout(Duration.ofSeconds(30)).build()) {
      FailoverTest.createWithRetry(admin, TOPIC, PARTITIONS);
      FailoverTest.awaitLeader(admin, TOPIC);
      int[] next = new int[PARTITIONS];
      produce(p, next, 50);

      String group = "cf-group";
      List<FjordConsumer<byte[], byte[]>> cs = new ArrayList<>();
      Seen seen = new Seen();
      try {
        for (int i = 0; i < 2; i++) {
          cs.add(FjordConsumer.builder().bootstrap(h.bootstrap()).groupId(group)
              .autoCommit(false).autoOffsetReset(OffsetReset.EARLIEST)
              .sessionTimeout(Duration.ofSeconds(3)).requestTimeout(Duration.ofSeconds(3))
              .fetchMaxWait(Duration.ofMillis(100)).build());
          cs.get(i).subscribe(List.of(TOPIC));
        }
        pollUntil(cs, seen, () -> seen.total() == sum(next) && split(cs), 20);
        assertEquals(List.of(), seen.violations);

        int coordinator = coordinator(h, group);
        int[] sessions = {cs.get(0).groupMember().sessions(), cs.get(1).groupMember().sessions()};
        h.node(coordinator).kill();
        produce(p, next, 100); // the producer fails over too; the group reads on meanwhile
        // Both members open a new Membership stream on the new coordinator and are answered.
        pollUntil(cs, seen, () -> seen.total() == sum(next) && split(cs)
            && reconnected(cs.get(0), sessions[0]) && reconnected(cs.get(1), sessions[1]), 30);
        int after = coordinator(h, group);
        assertNotEquals(coordinator, after, "a new coordinator took the group");
        // Commits and fetches keep working with the new coordinator.
        int failuresBefore = seen.commitFailures;
        produce(p, next, 20);
        pollUntil(cs, seen, () -> seen.total() == sum(next) && split(cs), 15);
        assertEquals(failuresBefore, seen.commitFailures, "commits succeed after the move");

        assertEquals(List.of(), seen.violations, "no record below a committed offset, right values");
        for (int part = 0; part < PARTITIONS; part++) {
          Set<Long> got = seen.offsets.getOrDefault(part, Set.of());
          assertEquals(next[part], got.size(), "partition " + part + " no record skipped");
          assertEquals(next[part] - 1L, ((TreeSet<Long>) got).last());
        }
        Map<TopicPartition, Long> committed = cs.get(0).committed(
            List.of(tp(0), tp(1), tp(2), tp(3)));
        for (int part = 0; part < PARTITIONS; part++) {
          assertEquals((long) next[part], committed.get(tp(part)), "committed offset of " + part);
        }
      } finally {
        for (FjordConsumer<byte[], byte[]> c : cs) {
          c.close();
        }
      }
    }
  }

  private static boolean reconnected(FjordConsumer<byte[], byte[]> c, int sessionsBefore) {
    GroupMember m = c.groupMember();
    return m.sessions() > sessionsBefore && m.connected();
  }

  private static TopicPartition tp(int p) {
    return new TopicPartition(TOPIC, p);
  }

  private static int sum(int[] a) {
    int s = 0;
    for (int v : a) {
      s += v;
    }
    return s;
  }

  /** Both members own partitions, together all of them, disjointly. */
  private static boolean split(List<FjordConsumer<byte[], byte[]>> cs) {
    Set<TopicPartition> a = cs.get(0).assignment();
    Set<TopicPartition> b = cs.get(1).assignment();
    Set<TopicPartition> all = new TreeSet<>(a);
    all.addAll(b);
    return !a.isEmpty() && !b.isEmpty() && all.size() == PARTITIONS && a.size() + b.size() == PARTITIONS;
  }

  private static void pollUntil(List<FjordConsumer<byte[], byte[]>> cs, Seen seen,
      java.util.function.BooleanSupplier cond, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not reached in " + seconds + " s: seen "
          + seen.total() + " " + cs.get(0).assignment() + " " + cs.get(1).assignment()
          + " violations " + seen.violations);
      seen.take(cs.get(0), "c0");
      seen.take(cs.get(1), "c1");
    }
  }

  private static void produce(FjordProducer<byte[], byte[]> p, int[] next, int perPartition) {
    for (int i = 0; i < perPartition; i++) {
      for (int part = 0; part < PARTITIONS; part++) {
        p.send(new ProducerRecord<>(TOPIC, part, null,
            (part + "-" + next[part]++).getBytes(StandardCharsets.UTF_8), List.of(), null));
      }
    }
    p.flush();
  }

  /** The group's coordinator id, asked of a live broker. */
  private static int coordinator(BrokerHarness h, String group) {
    FjordException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      for (BrokerHarness.Node n : h.nodes) {
        if (n.proc == null || !n.proc.isAlive()) {
          continue;
        }
        io.grpc.ManagedChannel ch = io.grpc.ManagedChannelBuilder.forTarget(n.grpc).usePlaintext().build();
        try {
          var r = GroupServiceGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
              .findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(group).build());
          int id = r.getCoordinator().getId();
          if (h.node(id).proc.isAlive()) {
            return id;
          }
        } catch (RuntimeException e) {
          last = Errors.fromThrowable(e, false);
        } finally {
          ch.shutdownNow();
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no live coordinator for " + group, last);
  }
}
