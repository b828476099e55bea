package dev.fjordlog.fjord.examples;

import dev.fjordlog.fjord.Deserializer;
import dev.fjordlog.fjord.FjordConsumer;
import dev.fjordlog.fjord.FjordProducer;
import dev.fjordlog.fjord.OffsetReset;
import dev.fjordlog.fjord.ProducerRecord;
import dev.fjordlog.fjord.Serializer;
import dev.fjordlog.fjord.TopicPartition;
import dev.fjordlog.fjord.avro.AvroDeserializer;
import dev.fjordlog.fjord.avro.AvroSerializer;
import dev.fjordlog.fjord.avro.SchemaRegistryClient;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Writes and reads an Avro GenericRecord through the broker's schema registry (Confluent wire
 * format). Args: [bootstrap] [registry-url]; topic "users" must exist.
 */
public final class AvroExample {
  public static void main(String[] args) throws Exception {
    String boot = args.length > 0 ? args[0] : "127.0.0.1:9092";
    SchemaRegistryClient reg = new SchemaRegistryClient(args.length > 1 ? args[1] : "http://127.0.0.1:8081");
    Schema schema = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"User\",\"fields\":["
        + "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"age\",\"type\":\"int\"}]}");
    GenericRecord u = new GenericData.Record(schema);
    u.put("name", "ada");
    u.put("age", 36);
    try (var p = FjordProducer.builder(Serializer.string(), new AvroSerializer(reg, false)).bootstrap(boot).build()) {
      System.out.println(p.send(new ProducerRecord<>("users", "ada", u)).get());
    }
    try (var c = FjordConsumer.builder(Deserializer.string(), new AvroDeserializer(reg))
        .bootstrap(boot).autoOffsetReset(OffsetReset.EARLIEST).build()) {
      c.assign(List.of(new TopicPartition("users", 0)));
      c.poll(Duration.ofSeconds(2)).forEach(r -> System.out.println(r.key() + " -> " + r.value()));
    }
  }
}
