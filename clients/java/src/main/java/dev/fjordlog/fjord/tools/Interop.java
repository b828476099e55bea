package dev.fjordlog.fjord.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fjordlog.fjord.Acks;
import dev.fjordlog.fjord.Compression;
import dev.fjordlog.fjord.ConsumerRecord;
import dev.fjordlog.fjord.FjordAdmin;
import dev.fjordlog.fjord.FjordConsumer;
import dev.fjordlog.fjord.FjordProducer;
import dev.fjordlog.fjord.Header;
import dev.fjordlog.fjord.OffsetReset;
import dev.fjordlog.fjord.ProducerRecord;
import dev.fjordlog.fjord.RecordMetadata;
import dev.fjordlog.fjord.TopicPartition;
import dev.fjordlog.fjord.avro.AvroDeserializer;
import dev.fjordlog.fjord.avro.AvroJson;
import dev.fjordlog.fjord.avro.AvroSerializer;
import dev.fjordlog.fjord.avro.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;

/**
 * The cross-SDK interop tool (see clients/java/interop): produce, consume, avro-encode and
 * avro-decode through the SDK's public API, with JSON files as the contract describes.
 */
public final class Interop {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Interop() {}

  public static void main(String[] args) {
    try {
      if (args.length == 0) {
        throw new IllegalArgumentException("usage: interop produce|consume|avro-encode|avro-decode [flags]");
      }
      Map<String, String> f = flags(args);
      switch (args[0]) {
        case "produce" -> produce(f);
        case "consume" -> consume(f);
        case "avro-encode" -> avroEncode(f);
        case "avro-decode" -> avroDecode(f);
        default -> throw new IllegalArgumentException("unknown command " + args[0]);
      }
      System.exit(0);
    } catch (Throwable t) {
      System.err.println("interop: " + t);
      System.exit(1);
    }
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a);
      }
      String k = a.substring(2);
      String v;
      int eq = k.indexOf('=');
      if (eq >= 0) {
        v = k.substring(eq + 1);
        k = k.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag --" + k + " needs a value");
        }
        v = args[++i];
      }
      out.put(k, v);
    }
    return out;
  }

  private static String need(Map<String, String> f, String k) {
    String v = f.get(k);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("--" + k + " is required");
    }
    return v;
  }

  private static byte[] b64(JsonNode n) {
    return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
  }

  private static void produce(Map<String, String> f) throws Exception {
    String topic = need(f, "topic");
    JsonNode in = JSON.readTree(Files.readString(Path.of(need(f, "input"))));
    Compression comp;
    try {
      comp = Compression.valueOf(f.getOrDefault("compression", "none").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--compression must be none, gzip, snappy, lz4 or zstd; got "
          + f.get("compression"));
    }
    List<CompletableFuture<RecordMetadata>> fs = new ArrayList<>();
    try (FjordProducer<byte[], byte[]> p = FjordProducer.builder().bootstrap(need(f, "bootstrap"))
        .clientId("java-interop").idempotence(true).acks(Acks.ALL).compression(comp).build()) {
      for (JsonNode r : in.get("records")) {
        List<Header> hs = new ArrayList<>();
        if (r.hasNonNull("headers")) {
          for (JsonNode h : r.get("headers")) {
            hs.add(new Header(h.get("key").asText(), b64(h.get("value_b64"))));
          }
        }
        Long ts = r.hasNonNull("timestamp_ms") ? r.get("timestamp_ms").asLong() : null;
        fs.add(p.send(new ProducerRecord<>(topic, r.get("partition").asInt(), b64(r.get("key_b64")),
            b64(r.get("value_b64")), hs, ts)));
      }
      p.flush();
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode acks = out.putArray("acks");
    for (CompletableFuture<RecordMetadata> fut : fs) {
      RecordMetadata md = fut.get(60, TimeUnit.SECONDS);
      acks.addObject().put("partition", md.partition()).put("offset", md.offset());
    }
    Files.writeString(Path.of(need(f, "output")), JSON.writeValueAsString(out));
  }

  private static void consume(Map<String, String> f) throws Exception {
    String topic = need(f, "topic");
    String boot = need(f, "bootstrap");
    int count = Integer.parseInt(need(f, "count"));
    long timeoutMs = Long.parseLong(f.getOrDefault("timeout-ms", "20000"));
    int parts;
    try (FjordAdmin admin = FjordAdmin.builder().bootstrap(boot).build()) {
      parts = admin.describeTopic(topic).getPartitionsCount();
    }
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    try (FjordConsumer<byte[], byte[]> c = FjordConsumer.builder().bootstrap(boot)
        .clientId("java-interop").autoOffsetReset(OffsetReset.EARLIEST).build()) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      c.assign(tps);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (got.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(got::add);
      }
    }
    if (got.size() < count) {
      throw new IllegalStateException("read " + got.size() + " of " + count + " records in " + timeoutMs + " ms");
    }
    got.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
        .thenComparingLong(ConsumerRecord::offset));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode recs = out.putArray("records");
    Base64.Encoder enc = Base64.getEncoder();
    for (ConsumerRecord<byte[], byte[]> r : got) {
      ObjectNode o = recs.addObject();
      o.put("partition", r.partition());
      o.put("offset", r.offset());
      if (r.key() == null) {
        o.putNull("key_b64");
      } else {
        o.put("key_b64", enc.encodeToString(r.key()));
      }
      if (r.value() == null) {
        o.putNull("value_b64");
      } else {
        o.put("value_b64", enc.encodeToString(r.value()));
      }
      ArrayNode hs = o.putArray("headers");
      for (Header h : r.headers()) {
        hs.addObject().put("key", h.key()).put("value_b64", enc.encodeToString(h.value()));
      }
      o.put("timestamp_ms", r.timestampMs());
    }
    Files.writeString(Path.of(need(f, "output")), JSON.writeValueAsString(out));
  }

  private static void avroEncode(Map<String, String> f) throws Exception {
    SchemaRegistryClient reg = new SchemaRegistryClient(need(f, "registry"));
    Schema schema = new Schema.Parser().parse(Files.readString(Path.of(need(f, "schema"))));
    Object value = AvroJson.fromJson(Files.readString(Path.of(need(f, "json"))), schema);
    byte[] wire = new AvroSerializer(reg, schema, false).serialize(need(f, "subject"), schema, value);
    Files.writeString(Path.of(need(f, "output")), HexFormat.of().formatHex(wire));
  }

  private static void avroDecode(Map<String, String> f) throws Exception {
    SchemaRegistryClient reg = new SchemaRegistryClient(need(f, "registry"));
    byte[] wire = HexFormat.of().parseHex(Files.readString(Path.of(need(f, "input"))).trim());
    Object v = new AvroDeserializer(reg).deserialize("", wire);
    Schema writer = reg.schemaById(ByteBuffer.wrap(wire, 1, 4).getInt());
    Files.writeString(Path.of(need(f, "output")),
        JSON.writeValueAsString(AvroJson.toJson(v, writer)), StandardCharsets.UTF_8);
  }
}
