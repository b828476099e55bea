package dev.fjordlog.fjord;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produce and consume throughput at 100-byte values against a real broker started here, then the
 * Go SDK's figure ({@code fjord bench}) on the same broker. Run by {@code make bench}.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    int records = Integer.parseInt(System.getenv().getOrDefault("BENCH_RECORDS", "2000000"));
    int partitions = Integer.parseInt(System.getenv().getOrDefault("BENCH_PARTITIONS", "1"));
    byte[] value = new byte[100];
    try (BrokerHarness h = BrokerHarness.single();
        FjordAdmin admin = FjordAdmin.builder().bootstrap(h.bootstrap()).build()) {
      String boot = h.nodes.get(0).grpc;
      admin.createTopic("java-bench", partitions, 1);
      // warm up the JIT and connections on another topic
      admin.createTopic("java-warm", partitions, 1);
      run(boot, "java-warm", Math.min(records, 200_000), partitions, value, false);
      run(boot, "java-bench", records, partitions, value, true);
      goBench(boot, records, partitions);
    }
  }

  static void run(String boot, String topic, int records, int partitions, byte[] value,
      boolean print) throws Exception {
    AtomicLong failed = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Exception> first = new java.util.concurrent.atomic.AtomicReference<>();
    long t0 = System.nanoTime();
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(boot).build()) {
      Callback cb = (md, ex) -> {
        if (ex != null) {
          failed.incrementAndGet();
          first.compareAndSet(null, ex);
        }
      };
      for (int i = 0; i < records; i++) {
        p.send(new ProducerRecord<>(topic, null, null, value, List.of(), null), cb);
      }
      p.flush();
    }
    double prodSecs = (System.nanoTime() - t0) / 1e9;
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " records failed", first.get());
    }
    long t1 = System.nanoTime();
    long n = 0;
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot)
        .autoOffsetReset(OffsetReset.EARLIEST).maxPollRecords(10_000)
        .fetchMaxBytes(64 << 20, Integer.parseInt(System.getenv().getOrDefault("BENCH_FETCH_BYTES", "8388608"))).build()) {
      List<TopicPartition> tps = new java.util.ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        tps.add(new TopicPartition(topic, i));
      }
      c.assign(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (n < records && System.nanoTime() < deadline) {
        n += c.poll(Duration.ofMillis(500)).count();
      }
    }
    double consSecs = (System.nanoTime() - t1) / 1e9;
    if (n < records) {
      throw new IllegalStateException("consumed " + n + " of " + records);
    }
    if (print) {
      System.out.printf("Java SDK produce: %d records of %d B in %.2f s: %,.0f records/s (%.1f MB/s)%n",
          records, value.length, prodSecs, records / prodSecs, records * value.length / prodSecs / 1e6);
      System.out.printf("Java SDK consume: %d records in %.2f s: %,.0f records/s (%.1f MB/s)%n",
          n, consSecs, n / consSecs, n * value.length / consSecs / 1e6);
    }
  }

  static void goBench(String boot, int records, int partitions) throws Exception {
    String bin = BrokerHarness.bin();
    for (List<String> cmd : List.of(
        List.of(bin, "bench", "produce", "--brokers", boot, "--topic", "go-bench", "--records",
            String.valueOf(records), "--record-size", "100", "--partitions", String.valueOf(partitions)),
        List.of(bin, "bench", "consume", "--brokers", boot, "--topic", "go-bench", "--records",
            String.valueOf(records)))) {
      System.out.println("Go SDK: " + String.join(" ", cmd.subList(1, cmd.size())));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).inheritIO().start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("fjord bench timed out");
      }
    }
  }
}
