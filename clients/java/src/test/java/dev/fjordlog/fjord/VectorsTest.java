package dev.fjordlog.fjord;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fjordlog.fjord.avro.AvroDeserializer;
import dev.fjordlog.fjord.avro.AvroJson;
import dev.fjordlog.fjord.avro.AvroSerializer;
import dev.fjordlog.fjord.v1.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** The shared cross-language vectors in clients/testdata. */
class VectorsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HexFormat HEX = HexFormat.of();

  static JsonNode vectors(String name) throws Exception {
    Path p = Path.of("..", "testdata", name);
    return JSON.readTree(Files.readString(p)).get("cases");
  }

  @Test
  void murmur2MatchesVectorsAndKafka() throws Exception {
    int n = 0;
    for (JsonNode c : vectors("murmur2.json")) {
      byte[] key = c.get("key").asText().getBytes(StandardCharsets.UTF_8);
      int want = c.get("murmur2").asInt();
      assertEquals(want, Partitioners.murmur2(key), "murmur2 " + c.get("key"));
      assertEquals(want, Utils.murmur2(key), "Kafka's Utils.murmur2 disagrees with the vector");
      Iterator<Map.Entry<String, JsonNode>> it = c.get("partitions").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        int parts = Integer.parseInt(e.getKey());
        int p = e.getValue().asInt();
        assertEquals(p, Partitioners.keyPartition(key, parts));
        assertEquals(p, Utils.toPositive(Utils.murmur2(key)) % parts);
        assertEquals(p, Partitioners.stickyKey().partition("t", key, parts));
        n++;
      }
    }
    assertTrue(n > 10);
  }

  static List<BatchCodec.Entry> entries(JsonNode c) {
    List<BatchCodec.Entry> out = new ArrayList<>();
    for (JsonNode r : c.get("records")) {
      List<Header> hs = new ArrayList<>();
      for (JsonNode h : r.get("headers")) {
        hs.add(new Header(h.get("key").asText(), HEX.parseHex(h.get("value_hex").asText())));
      }
      out.add(new BatchCodec.Entry(
          r.get("key_hex").isNull() ? null : HEX.parseHex(r.get("key_hex").asText()),
          r.get("value_hex").isNull() ? null : HEX.parseHex(r.get("value_hex").asText()),
          hs, r.get("timestamp_ms").asLong()));
    }
    return out;
  }

  static void assertSameRecords(List<BatchCodec.Entry> want, List<BatchCodec.Decoded> got) {
    assertEquals(want.size(), got.size());
    for (int i = 0; i < want.size(); i++) {
      BatchCodec.Entry w = want.get(i);
      BatchCodec.Decoded g = got.get(i);
      assertEquals(i, g.offset());
      assertEquals(w.timestampMs(), g.timestampMs());
      if (w.key() == null) {
        assertNull(g.key());
      } else {
        assertArrayEquals(w.key(), g.key());
      }
      if (w.value() == null) {
        assertNull(g.value());
      } else {
        assertArrayEquals(w.value(), g.value());
      }
      assertEquals(w.headers().size(), g.headers().size());
      for (int j = 0; j < w.headers().size(); j++) {
        assertEquals(w.headers().get(j).key(), g.headers().get(j).key());
        assertArrayEquals(w.headers().get(j).value(), g.headers().get(j).value());
      }
    }
  }

  @Test
  void batchEncodingsAreByteExact() throws Exception {
    int n = 0;
    for (JsonNode c : vectors("batches.json")) {
      List<BatchCodec.Entry> es = entries(c);
      String name = c.get("name").asText();
      assertEquals(c.get("records_hex").asText(),
          HEX.formatHex(BatchCodec.records(es).toByteArray()), name);
      assertEquals(c.get("crc32c").asLong(),
          BatchCodec.crc32c(BatchCodec.records(es).toByteArray()), name);
      RecordBatch b = BatchCodec.encode(es, Compression.NONE, c.get("producer_id").asLong(),
          c.get("producer_epoch").asInt(), c.get("base_sequence").asInt());
      assertEquals(c.get("batch_hex").asText(), HEX.formatHex(b.toByteArray()), name);
      // The producer's fast path writes the same bytes.
      RawBatch raw = new RawBatch();
      for (BatchCodec.Entry e : es) {
        raw.append(e.key(), e.value(), e.headers(), e.timestampMs());
      }
      assertEquals(c.get("records_hex").asText(), HEX.formatHex(raw.records()), name);
      assertEquals(c.get("batch_hex").asText(), HEX.formatHex(raw.finish(Compression.NONE,
          c.get("producer_id").asLong(), c.get("producer_epoch").asInt(),
          c.get("base_sequence").asInt())), name);
      for (Compression comp : List.of(Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD)) {
        assertSameRecords(es, BatchCodec.decode(RecordBatch.parseFrom(
            raw.finish(comp, 0, 0, 0))));
      }
      assertSameRecords(es, BatchCodec.decode(RecordBatch.parseFrom(HEX.parseHex(c.get("batch_hex").asText()))));
      for (String k : List.of("batch_gzip_hex", "batch_zstd_hex")) {
        if (c.hasNonNull(k)) {
          assertSameRecords(es, BatchCodec.decode(RecordBatch.parseFrom(HEX.parseHex(c.get(k).asText()))));
        }
      }
      // Our own compressed batches decode to the same records.
      for (Compression comp : List.of(Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD)) {
        RecordBatch cb = BatchCodec.encode(es, comp, 0, 0, 0);
        assertEquals(comp.wire(), cb.getCompression());
        assertSameRecords(es, BatchCodec.decode(RecordBatch.parseFrom(cb.toByteArray())));
      }
      n++;
    }
    assertTrue(n >= 3);
  }

  /** Go-written snappy (raw block) and lz4 (frame) batches decode to their records. */
  @Test
  void goSnappyAndLz4BatchesDecode() throws Exception {
    int n = 0;
    for (JsonNode c : vectors("batches_more_codecs.json")) {
      List<BatchCodec.Entry> es = entries(c);
      assertEquals(c.get("records_hex").asText(), HEX.formatHex(BatchCodec.records(es).toByteArray()));
      for (String k : List.of("batch_snappy_hex", "batch_lz4_hex")) {
        RecordBatch b = RecordBatch.parseFrom(HEX.parseHex(c.get(k).asText()));
        assertEquals(k.contains("snappy") ? Compression.SNAPPY.wire() : Compression.LZ4.wire(),
            b.getCompression(), k);
        assertSameRecords(es, BatchCodec.decode(b));
        n++;
      }
    }
    assertTrue(n >= 4);
  }

  /** Frame flag byte (FLG) bit 5: set means independent blocks, clear means linked blocks. */
  static boolean blocksIndependent(byte[] frame) {
    assertEquals("04224d18", HEX.formatHex(java.util.Arrays.copyOf(frame, 4)), "LZ4 frame magic");
    return (frame[4] & 0x20) != 0;
  }

  static byte[] lz4DependentBlocks(byte[] raw) throws Exception {
    java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
    var params = new org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream.Parameters(
        org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream.BlockSize.K64,
        true /* content checksum */, false /* block checksum */, true /* with block dependency */);
    try (var out = new org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream(bo, params)) {
      out.write(raw);
    }
    return bo.toByteArray();
  }

  /**
   * A valid LZ4 frame may link its blocks (later blocks reference earlier ones); the decoder must
   * read it. 200 KiB of repetitive text spans four 64 KiB blocks, so the links matter.
   */
  @Test
  void lz4FrameWithDependentBlocksDecodes() throws Exception {
    byte[] raw = "fjord is a gRPC-native log; ".repeat(200 * 1024 / 28 + 1)
        .getBytes(StandardCharsets.UTF_8);
    byte[] frame = lz4DependentBlocks(raw);
    assertTrue(!blocksIndependent(frame), "the test frame must have linked blocks");
    assertArrayEquals(raw, BatchCodec.decompress(Compression.LZ4.wire(), frame, raw.length));

    // The same inside a whole batch: records whose bytes span several blocks.
    List<BatchCodec.Entry> es = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      es.add(new BatchCodec.Entry(("k" + i).getBytes(StandardCharsets.UTF_8),
          ("value " + i + " ").repeat(800).getBytes(StandardCharsets.UTF_8), List.of(), 1_700_000_000_000L + i));
    }
    RecordBatch ours = BatchCodec.encode(es, Compression.LZ4, 0, 0, 0);
    byte[] linked = lz4DependentBlocks(BatchCodec.records(es).toByteArray());
    assertTrue(ours.getUncompressedSize() > 3 * 65536);
    assertTrue(!blocksIndependent(linked));
    RecordBatch b = ours.toBuilder().setCrc((int) BatchCodec.crc32c(linked))
        .setCompressedRecords(com.google.protobuf.ByteString.copyFrom(linked)).build();
    assertSameRecords(es, BatchCodec.decode(RecordBatch.parseFrom(b.toByteArray())));

    // A linked-block frame with a flipped byte fails the content checksum: CORRUPT_MESSAGE.
    byte[] bad = frame.clone();
    bad[bad.length / 2] ^= 0x01;
    FjordException e = assertThrows(FjordException.class,
        () -> BatchCodec.decompress(Compression.LZ4.wire(), bad, raw.length));
    assertEquals("CORRUPT_MESSAGE", e.reason());
  }

  /** A frame written by the Python SDK's codec (cramjam), which links its blocks. */
  @Test
  void lz4FrameFromPythonCramjamDecodes() throws Exception {
    StringBuilder hex = new StringBuilder();
    try (var in = VectorsTest.class.getResourceAsStream("/lz4/cramjam-dependent-blocks.hex")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.startsWith("#")) {
          hex.append(line.strip());
        }
      }
    }
    byte[] frame = HEX.parseHex(hex);
    assertTrue(!blocksIndependent(frame), "cramjam writes linked blocks");
    byte[] want = "fjord ".repeat(40000).getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(want, BatchCodec.decompress(Compression.LZ4.wire(), frame, want.length));
  }

  @Test
  void snappyIsTheRawBlockFormat() throws Exception {
    byte[] raw = "hello hello hello hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] c = BatchCodec.compress(Compression.SNAPPY, raw);
    // raw block: starts with the uncompressed length varint, no framing-format stream identifier
    assertEquals(raw.length, c[0]);
    byte[] lz = BatchCodec.compress(Compression.LZ4, raw);
    assertEquals("04224d18", HEX.formatHex(java.util.Arrays.copyOf(lz, 4)), "LZ4 frame magic");
  }

  @Test
  void corruptCrcIsRejected() throws Exception {
    JsonNode c = vectors("batches.json").get(0);
    RecordBatch b = RecordBatch.parseFrom(HEX.parseHex(c.get("batch_gzip_hex").asText()));
    RecordBatch bad = b.toBuilder().setCrc(b.getCrc() + 1).build();
    FjordException e = assertThrows(FjordException.class, () -> BatchCodec.decode(bad));
    assertEquals("CORRUPT_MESSAGE", e.reason());
  }

  @Test
  void avroWireBytes() throws Exception {
    int n = 0;
    for (JsonNode c : vectors("avro_wire.json")) {
      Schema s = new Schema.Parser().parse(c.get("schema").asText());
      Object v = AvroJson.fromJson(c.get("json").asText(), s);
      byte[] wire = AvroSerializer.encode(c.get("id").asInt(), s, v);
      assertEquals(c.get("hex").asText(), HEX.formatHex(wire), c.get("json").asText());
      Object back = AvroDeserializer.decode(s, null, wire);
      assertEquals(JSON.readTree(c.get("json").asText()),
          JSON.readTree(JSON.writeValueAsString(AvroJson.toJson(back, s))));
      n++;
    }
    assertTrue(n >= 5);
  }
}
