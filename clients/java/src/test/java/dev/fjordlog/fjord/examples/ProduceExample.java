package dev.fjordlog.fjord.examples;

import dev.fjordlog.fjord.Compression;
import dev.fjordlog.fjord.FjordAdmin;
import dev.fjordlog.fjord.FjordProducer;
import dev.fjordlog.fjord.InvalidRequestException;
import dev.fjordlog.fjord.ProducerRecord;
import dev.fjordlog.fjord.RecordMetadata;
import dev.fjordlog.fjord.Serializer;
import java.time.Duration;

/** Creates topic "orders" (3 partitions) and produces 10 keyed records. Args: [bootstrap]. */
public final class ProduceExample {
  public static void main(String[] args) throws Exception {
    String boot = args.length > 0 ? args[0] : "127.0.0.1:9092";
    try (FjordAdmin admin = FjordAdmin.builder().bootstrap(boot).build()) {
      admin.createTopic("orders", 3, 1);
    } catch (InvalidRequestException e) {
      if (!e.reason().equals("TOPIC_ALREADY_EXISTS")) {
        throw e;
      }
    }
    try (FjordProducer<String, String> p = FjordProducer.builder(Serializer.string(), Serializer.string())
        .bootstrap(boot).linger(Duration.ofMillis(5)).compression(Compression.ZSTD).build()) {
      for (int i = 0; i < 10; i++) {
        p.send(new ProducerRecord<>("orders", "customer-" + (i % 3), "order " + i),
            (md, ex) -> System.out.println(ex != null ? "failed: " + ex : "written at " + md));
      }
      RecordMetadata md = p.send(new ProducerRecord<>("orders", "customer-0", "last")).get();
      System.out.println("last record: partition " + md.partition() + " offset " + md.offset());
    }
  }
}
