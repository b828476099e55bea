package dev.fjordlog.fjord.examples;

import dev.fjordlog.fjord.ConsumerRebalanceListener;
import dev.fjordlog.fjord.ConsumerRecord;
import dev.fjordlog.fjord.Deserializer;
import dev.fjordlog.fjord.FjordConsumer;
import dev.fjordlog.fjord.OffsetReset;
import dev.fjordlog.fjord.TopicPartition;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Consumes "orders" in group "billing" for 10 s, committing manually. Args: [bootstrap]. */
public final class ConsumeGroupExample {
  public static void main(String[] args) {
    String boot = args.length > 0 ? args[0] : "127.0.0.1:9092";
    try (FjordConsumer<String, String> c = FjordConsumer.builder(Deserializer.string(), Deserializer.string())
        .bootstrap(boot).groupId("billing").autoCommit(false)
        .autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.subscribe(List.of("orders"), new ConsumerRebalanceListener() {
        @Override
        public void onAssigned(Collection<TopicPartition> tps) {
          System.out.println("assigned " + tps);
        }

        @Override
        public void onRevoked(Collection<TopicPartition> tps) {
          c.commitSync(); // commit what was processed before the partitions move
          System.out.println("revoked " + tps);
        }
      });
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
          System.out.printf("%s-%d@%d %s=%s%n", r.topic(), r.partition(), r.offset(), r.key(), r.value());
        }
        c.commitAsync();
      }
    }
  }
}
