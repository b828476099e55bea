// Shared cross-language vectors (clients/testdata): murmur2 partitions,
// batch bytes (byte-exact), gzip/zstd batches, Go-written snappy/lz4
// batches, Avro wire bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fromBinary } from "@bufbuild/protobuf";
import { RecordBatchSchema } from "../dist/gen/fjord/v1/record_pb.js";
import { murmur2, keyHashPartition, encodeBatch, encodeRecords, decodeBatch, crc32cOf, AvroSerializer, AvroDeserializer, toJSONValue, stickyKeyPartitioner, roundRobinPartitioner } from "../dist/index.js";

const testdata = new URL("../../testdata/", import.meta.url);
const load = (f) => JSON.parse(readFileSync(new URL(f, testdata), "utf8"));
const hex = (h) => (h === null ? null : new Uint8Array(Buffer.from(h, "hex")));
const toHex = (b) => Buffer.from(b).toString("hex");

test("murmur2 matches Kafka for every vector", () => {
  const v = load("murmur2.json");
  assert.ok(v.cases.length > 0);
  for (const c of v.cases) {
    const key = c.key_hex !== undefined ? hex(c.key_hex) : new TextEncoder().encode(c.key);
    assert.equal(murmur2(key), c.murmur2, `murmur2(${c.key})`);
    for (const [n, p] of Object.entries(c.partitions)) assert.equal(keyHashPartition(key, Number(n)), p, `${c.key} over ${n}`);
  }
});

test("sticky partitioner: keys hash, null keys stick until a batch is sealed", () => {
  const sp = stickyKeyPartitioner();
  const k = new TextEncoder().encode("foobar");
  assert.equal(sp.partition({ topic: "t", key: k }, 12), 6);
  const a = sp.partition({ topic: "t", key: null }, 1000);
  for (let i = 0; i < 10; i++) assert.equal(sp.partition({ topic: "t", key: null }, 1000), a);
  let moved = false;
  for (let i = 0; i < 5 && !moved; i++) {
    sp.onBatchSealed("t", sp.partition({ topic: "t", key: null }, 1000));
    moved = sp.partition({ topic: "t", key: null }, 1000) !== a;
  }
  assert.ok(moved, "sealing the sticky partition's batch moves null keys");
  const rr = roundRobinPartitioner();
  assert.deepEqual([0, 1, 2, 0].map(() => rr.partition({ topic: "t", key: k }, 3)), [0, 1, 2, 0]);
});

function vecRecords(c) {
  return c.records.map((r) => ({ key: hex(r.key_hex), value: hex(r.value_hex), headers: r.headers.map((h) => ({ key: h.key, value: hex(h.value_hex) })), timestampMs: r.timestamp_ms }));
}

test("batch encoding is byte-exact with the shared vectors", async () => {
  const v = load("batches.json");
  assert.ok(v.cases.length > 0);
  for (const c of v.cases) {
    const recs = vecRecords(c);
    const { raw } = encodeRecords(recs);
    assert.equal(toHex(raw), c.records_hex, `${c.name}: records`);
    assert.equal(crc32cOf(raw), c.crc32c, `${c.name}: crc`);
    const b = await encodeBatch(recs, 0, { producerId: BigInt(c.producer_id), producerEpoch: c.producer_epoch, baseSequence: c.base_sequence });
    assert.equal(toHex(b), c.batch_hex, `${c.name}: batch`);
  }
});

test("gzip and zstd batches decode to the records; ours round-trip", async () => {
  const v = load("batches.json");
  for (const c of v.cases) {
    const want = vecRecords(c);
    for (const field of ["batch_hex", "batch_gzip_hex", "batch_zstd_hex"]) {
      if (!c[field]) continue;
      const got = await decodeBatch(fromBinary(RecordBatchSchema, hex(c[field])));
      assert.equal(got.length, want.length, `${c.name} ${field}`);
      got.forEach((r, i) => {
        assert.deepEqual(r.key === null ? null : toHex(r.key), want[i].key === null ? null : toHex(want[i].key));
        assert.deepEqual(r.value === null ? null : toHex(r.value), want[i].value === null ? null : toHex(want[i].value));
        assert.equal(r.timestampMs, want[i].timestampMs);
        assert.deepEqual(r.headers.map((h) => [h.key, toHex(h.value)]), want[i].headers.map((h) => [h.key, toHex(h.value)]));
        assert.equal(r.offset, i);
      });
    }
    for (const codec of [2, 5]) {
      const b = await encodeBatch(want, codec, { producerId: 0n, producerEpoch: 0, baseSequence: 0 });
      const got = await decodeBatch(fromBinary(RecordBatchSchema, b));
      assert.equal(got.length, want.length);
    }
  }
});

test("snappy and lz4 batches written by the Go SDK decode (both decoders); ours round-trip", async () => {
  const { decodeRawBatch } = await import("../dist/rawfetch.js");
  const { decompress } = await import("../dist/batch.js");
  const v = load("batches_more_codecs.json");
  assert.ok(v.cases.length > 0);
  const view = (rs) => rs.map((r) => [r.key && toHex(r.key), r.value && toHex(r.value), r.timestampMs, r.headers.map((h) => [h.key, toHex(h.value)])]);
  for (const c of v.cases) {
    const want = vecRecords(c);
    for (const [field, codec] of [["batch_snappy_hex", 3], ["batch_lz4_hex", 4]]) {
      const go = fromBinary(RecordBatchSchema, hex(c[field]));
      assert.equal(go.compression, codec, `${c.name} ${field}`);
      assert.equal(toHex(await decompress(codec, go.payload.value)), c.records_hex, `${c.name} ${field}: payload`);
      const got = await decodeBatch(go);
      assert.deepEqual(view(got), view(want), `${c.name} ${field}`);
      assert.deepEqual(got.map((r) => r.offset), want.map((_, i) => i));
      const raw = await decodeRawBatch(hex(c[field]), 0);
      assert.deepEqual(view(raw.records), view(want), `${c.name} ${field} (raw fetch decoder)`);
      const ours = fromBinary(RecordBatchSchema, await encodeBatch(want, codec, { producerId: 0n, producerEpoch: 0, baseSequence: 0 }));
      assert.equal(ours.compression, codec);
      assert.equal(ours.uncompressedSize, go.uncompressedSize);
      assert.equal(toHex(await decompress(codec, ours.payload.value)), c.records_hex, `${c.name} ${field}: our payload`);
      assert.deepEqual(view(await decodeBatch(ours)), view(want));
    }
  }
});

test("undecodable snappy and lz4 payloads and snappy length bombs are CORRUPT_MESSAGE", async () => {
  const { decompress } = await import("../dist/batch.js");
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x67, 0x61, 0x72, 0x62]);
  await assert.rejects(decompress(3, garbage), (e) => e.reason === "CORRUPT_MESSAGE" && /CORRUPT_MESSAGE: snappy: [a-z]/.test(e.message));
  await assert.rejects(decompress(4, garbage), (e) => e.reason === "CORRUPT_MESSAGE" && /CORRUPT_MESSAGE: lz4: [a-zA-Z]/.test(e.message));
  await assert.rejects(decompress(3, new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04, 0x00])), (e) => e.reason === "CORRUPT_MESSAGE" && /too large/.test(e.message));
});

test("a corrupted compressed batch fails with CORRUPT_MESSAGE", async () => {
  const c = load("batches.json").cases[0];
  const b = hex(c.batch_gzip_hex);
  b[b.length - 3] ^= 0xff;
  await assert.rejects(decodeBatch(fromBinary(RecordBatchSchema, b)), (e) => e.reason === "CORRUPT_MESSAGE");
});

test("Avro wire bytes match the shared vectors", async () => {
  const v = load("avro_wire.json");
  assert.ok(v.cases.length > 0);
  for (const c of v.cases) {
    const fakeRegistry = { register: async () => c.id, schemaById: async () => ({ schema: c.schema, schemaType: "AVRO" }), lookup: async () => ({ id: c.id }) };
    const ser = new AvroSerializer(fakeRegistry, c.schema);
    const bytes = await ser.serialize("t", ser.fromJSON(JSON.parse(c.json)));
    assert.equal(toHex(bytes), c.hex, c.json);
    const de = new AvroDeserializer(fakeRegistry);
    assert.deepEqual(toJSONValue(await de.deserialize(hex(c.hex))), JSON.parse(c.json));
  }
});

test("the sized Records encoder matches the generic protobuf writer (negative deltas, UTF-8 header keys)", async () => {
  const { BinaryWriter } = await import("@bufbuild/protobuf/wire");
  const { appendRecord } = await import("../dist/batch.js");
  const recs = [
    { key: new Uint8Array(300).fill(1), value: null, headers: [{ key: "ключ", value: new Uint8Array([1]) }, { key: "", value: new Uint8Array(0) }], timestampMs: 1700000000500 },
    { key: null, value: new Uint8Array(200), headers: [], timestampMs: 1700000000000 },
    { key: new Uint8Array(0), value: new Uint8Array(0), headers: [], timestampMs: 1700000099999 },
  ];
  const w = new BinaryWriter();
  recs.forEach((r, i) => appendRecord(w, i, r.timestampMs - recs[0].timestampMs, r));
  assert.equal(toHex(encodeRecords(recs).raw), toHex(w.finish()));
});

test("the raw fetch decoder reads the vector batches (plain, gzip, zstd) and skips records below the offset", async () => {
  const { decodeRawBatch } = await import("../dist/rawfetch.js");
  for (const c of load("batches.json").cases) {
    const want = vecRecords(c);
    for (const field of ["batch_hex", "batch_gzip_hex", "batch_zstd_hex"]) {
      const { records, next } = await decodeRawBatch(hex(c[field]), 0);
      assert.equal(next, want.length);
      assert.deepEqual(records.map((r) => [r.key && toHex(r.key), r.value && toHex(r.value), r.timestampMs, r.headers.map((h) => [h.key, toHex(h.value)])]),
        want.map((r) => [r.key && toHex(r.key), r.value && toHex(r.value), r.timestampMs, r.headers.map((h) => [h.key, toHex(h.value)])]), `${c.name} ${field}`);
    }
  }
  const recs = [{ key: null, value: new Uint8Array([1]), headers: [], timestampMs: 1700000000500 }, { key: null, value: new Uint8Array([2]), headers: [], timestampMs: 1700000000000 }];
  const b = await encodeBatch(recs, 0, { producerId: 0n, producerEpoch: 0, baseSequence: 0 });
  const { records } = await decodeRawBatch(b, 1);
  assert.deepEqual(records.map((r) => [r.offset, r.timestampMs]), [[1, 1700000000000]]);
  const bad = new Uint8Array(b);
  bad[bad.length - 1] ^= 1;
  await assert.rejects(decodeRawBatch(bad, 0), (e) => e.reason === "CORRUPT_MESSAGE");
});
