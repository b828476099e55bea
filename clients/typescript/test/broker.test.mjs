// Against one real `fjord serve`: produce/consume round trip with keys and
// headers, compression, assign/seek/pause, admin, Avro through the
// registry, and the documented error of every bad input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBroker, waitFor } from "./harness.mjs";
import { Producer, Consumer, Admin, keyHashPartition, roundRobinPartitioner, RegistryClient, AvroSerializer, AvroDeserializer, toJSONValue, UnknownTopicError, RecordTooLargeError, SchemaError, FjordError, InvalidRequestError } from "../dist/index.js";

let broker, admin;
before(async () => {
  broker = await startBroker();
  admin = new Admin({ bootstrap: broker.bootstrap });
});
after(async () => {
  await admin?.close();
  await broker?.stop();
});

const dec = new TextDecoder();
/** use closes obj when the test ends. */
const use = (t, obj) => {
  t.after(() => obj.close());
  return obj;
};
const str = (b) => (b === null ? null : dec.decode(b));

async function readN(consumer, n, ms = 15000) {
  const out = [];
  const end = Date.now() + ms;
  while (out.length < n && Date.now() < end) out.push(...(await consumer.poll(n - out.length, 500)));
  return out;
}

test("produce and consume round trip with keys, null keys, headers and tombstones", async (t) => {
  await admin.createTopic("roundtrip", 3, 1);
  const producer = use(t, new Producer({ bootstrap: broker.bootstrap, clientId: "ts-test" }));
  const sent = [];
  for (let i = 0; i < 30; i++) {
    sent.push(producer.send({ topic: "roundtrip", key: i % 3 === 0 ? null : `k${i % 5}`, value: i === 29 ? null : `v${i}`, headers: [{ key: "h", value: `x${i}` }, { key: "h", value: "" }], timestampMs: 1700000000000 + i }));
  }
  const mds = await Promise.all(sent);
  // Same key, same partition (murmur2); offsets dense per partition.
  const byKey = new Map();
  mds.forEach((m, i) => {
    if (i % 3 !== 0) {
      const k = `k${i % 5}`;
      assert.equal(m.partition, keyHashPartition(new TextEncoder().encode(k), 3), "murmur2 partition, as every SDK computes it");
      if (byKey.has(k)) assert.equal(byKey.get(k), m.partition);
      byKey.set(k, m.partition);
    }
  });
  const consumer = use(t, new Consumer({ bootstrap: broker.bootstrap }));
  consumer.assign([0, 1, 2].map((p) => ({ topic: "roundtrip", partition: p, offset: "earliest" })));
  const got = await readN(consumer, 30);
  assert.equal(got.length, 30);
  for (const r of got) {
    const i = Number(r.headers[0] && str(r.headers[0].value).slice(1));
    assert.equal(r.offset, mds[i].offset);
    assert.equal(r.partition, mds[i].partition);
    assert.equal(str(r.key), i % 3 === 0 ? null : `k${i % 5}`);
    assert.equal(str(r.value), i === 29 ? null : `v${i}`);
    assert.equal(r.timestampMs, 1700000000000 + i);
    assert.deepEqual(r.headers.map((h) => [h.key, str(h.value)]), [["h", `x${i}`], ["h", ""]]);
  }
});

test("custom partitioner and delivery callbacks", async (t) => {
  await admin.createTopic("custom", 4, 1);
  const seen = [];
  const producer = use(t, new Producer({ bootstrap: broker.bootstrap, partitioner: { partition: (r, n) => { seen.push(n); return n - 1; } } }));
  const md = await new Promise((resolve, reject) => producer.send({ topic: "custom", key: "a", value: "b" }, (err, m) => (err ? reject(err) : resolve(m))));
  assert.equal(md.partition, 3);
  assert.deepEqual(seen, [4]);
  const rr = use(t, new Producer({ bootstrap: broker.bootstrap, partitioner: roundRobinPartitioner() }));
  assert.deepEqual((await rr.sendAll([1, 2, 3, 4, 5].map((i) => ({ topic: "custom", key: "same", value: `${i}` })))).map((m) => m.partition), [0, 1, 2, 3, 0]);
});

test("gzip, snappy, lz4 and zstd batches round trip; for-await iteration; seek, pause and resume", async (t) => {
  await admin.createTopic("compressed", 1, 1);
  const codecs = ["gzip", "snappy", "lz4", "zstd"];
  for (const compression of codecs) {
    const producer = use(t, new Producer({ bootstrap: broker.bootstrap, compression, lingerMs: 20 }));
    await producer.sendAll(Array.from({ length: 50 }, (_, i) => ({ topic: "compressed", key: `${compression}${i}`, value: "x".repeat(200) })));
  }
  const consumer = use(t, new Consumer({ bootstrap: broker.bootstrap }));
  consumer.assign([{ topic: "compressed", partition: 0, offset: "earliest" }]);
  const keys = [];
  for await (const r of consumer) {
    keys.push(str(r.key));
    if (keys.length === 200) break;
  }
  assert.deepEqual(keys, codecs.flatMap((c) => Array.from({ length: 50 }, (_, i) => `${c}${i}`)));
  consumer.seek("compressed", 0, 197);
  assert.deepEqual((await readN(consumer, 3)).map((r) => r.offset), [197, 198, 199]);
  consumer.seek("compressed", 0, 10);
  consumer.pause([{ topic: "compressed", partition: 0 }]);
  assert.deepEqual(await consumer.poll(10, 300), []);
  consumer.resume([{ topic: "compressed", partition: 0 }]);
  assert.equal((await readN(consumer, 1))[0].offset, 10);
});

test("admin: topics, configs, partitions, offsets", async (t) => {
  await admin.createTopic("admin-t", 2, 1, { "retention.ms": "3600000" });
  assert.ok((await admin.listTopics()).some((t) => t.name === "admin-t" && t.partitions === 2));
  await assert.rejects(admin.createTopic("admin-t", 2, 1), (e) => e instanceof InvalidRequestError && e.reason === "TOPIC_ALREADY_EXISTS");
  assert.equal((await admin.describeTopicConfigs("admin-t"))["retention.ms"], "3600000");
  await admin.alterTopicConfigs("admin-t", { "retention.ms": "7200000" });
  assert.equal((await admin.describeTopicConfigs("admin-t"))["retention.ms"], "7200000");
  await admin.createPartitions("admin-t", 4);
  const [d] = await admin.describeTopics(["admin-t"]);
  assert.equal(d.partitions.length, 4);
  const producer = use(t, new Producer({ bootstrap: broker.bootstrap }));
  await producer.sendAll([1, 2, 3].map((i) => ({ topic: "admin-t", partition: 1, value: `v${i}` })));
  assert.equal((await admin.listOffsets("admin-t", "latest")).get(1), 3);
  await admin.deleteRecords("admin-t", { 1: 2 });
  assert.equal((await admin.listOffsets("admin-t", "earliest")).get(1), 2);
  assert.ok((await admin.describeCluster()).brokers.length === 1);
  await admin.deleteTopics(["admin-t"]);
  await waitFor(async () => !(await admin.listTopics()).some((t) => t.name === "admin-t"), 10000, "topic deleted");
});

test("Avro round trip through the registry (Confluent wire format, cached ids)", async (t) => {
  await admin.createTopic("users", 1, 1);
  const registry = new RegistryClient({ url: broker.registry });
  const schema = { type: "record", name: "User", namespace: "com.example", fields: [{ name: "name", type: "string" }, { name: "age", type: "int" }, { name: "email", type: ["null", "string"], default: null }] };
  const ser = new AvroSerializer(registry, schema);
  const de = new AvroDeserializer(registry);
  const producer = use(t, new Producer({ bootstrap: broker.bootstrap }));
  const users = [{ name: "ada", age: 36, email: "ada@example.com" }, { name: "bob", age: 7, email: null }];
  for (const u of users) await producer.send({ topic: "users", key: u.name, value: await ser.serialize("users", u) });
  const id = await registry.register("users-value", JSON.stringify(schema));
  assert.ok(id > 0);
  assert.deepEqual(await registry.subjects(), ["users-value"]);
  const consumer = use(t, new Consumer({ bootstrap: broker.bootstrap }));
  consumer.assign([{ topic: "users", partition: 0, offset: "earliest" }]);
  const recs = await readN(consumer, 2);
  assert.equal(AvroDeserializer.schemaId(recs[0].value), id);
  const values = await Promise.all(recs.map((r) => de.deserialize(r.value)));
  assert.deepEqual(values.map((v) => ({ ...v })), users);
  // A reader schema with a new defaulted field resolves old data.
  const reader = new AvroDeserializer(registry, { ...schema, fields: [...schema.fields, { name: "tier", type: "string", default: "free" }] });
  assert.equal((await reader.deserialize(recs[0].value)).tier, "free");
});

test("Avro longs cover all 64 bits: number when safe, bigint beyond 2^53, through the registry", async () => {
  const registry = new RegistryClient({ url: broker.registry });
  const schema = { type: "record", name: "Longs", fields: [{ name: "a", type: "long" }, { name: "b", type: ["null", "long"] }, { name: "c", type: { type: "array", items: { type: "long" } } }, { name: "m", type: { type: "map", values: "long" } }] };
  const ser = new AvroSerializer(registry, schema, { subject: "longs-value" });
  const de = new AvroDeserializer(registry);
  const min = -(2n ** 63n), max = 2n ** 63n - 1n, past = 2n ** 53n + 1n;
  // Avro binary: zigzag varint; -2^63 zigzags to 2^64-1 (ten bytes 0xff..0x01).
  assert.equal(Buffer.from(await ser.serialize("longs", { a: min, b: null, c: [], m: {} })).subarray(5).toString("hex"), "ffffffffffffffffff01" + "00" + "00" + "00"); // b null (branch 0), c and m empty
  for (const v of [min, max, past, -past, 9007199254740991, -9007199254740991, 0, -1]) {
    const got = await de.deserialize(await ser.serialize("longs", { a: v, b: v, c: [v, 1n], m: { k: v } }));
    assert.deepEqual({ ...got }, { a: v, b: v, c: [v, 1], m: { k: v } }, `value ${v}`);
  }
  // bigints in the safe range decode as numbers; unsafe numbers and out-of-range bigints are refused, not rounded.
  assert.deepEqual({ ...(await de.deserialize(await ser.serialize("longs", { a: 5n, b: null, c: [], m: {} }))) }, { a: 5, b: null, c: [], m: {} });
  for (const bad of [2 ** 60, 1.5, max + 1n, min - 1n, "1"]) {
    await assert.rejects(ser.serialize("longs", { a: bad, b: null, c: [], m: {} }), (e) => e instanceof SchemaError && e.reason === "SERIALIZATION" && /field a .* is not a valid long/.test(e.message), `value ${bad}`);
  }
  assert.deepEqual({ ...ser.fromJSON({ a: max, b: 3, c: [], m: {} }) }, { a: max, b: 3, c: [], m: {} });
  assert.throws(() => ser.fromJSON({ a: 2 ** 60, b: null, c: [], m: {} }), (e) => e.reason === "SERIALIZATION" && /not a safe integer/.test(e.message));
  // Resolution to a reader schema keeps the 64 bits (long -> long) and rounds only for long -> double.
  const reader = new AvroDeserializer(registry, { ...schema, fields: [{ name: "a", type: "double" }, schema.fields[1]] });
  assert.deepEqual({ ...(await reader.deserialize(await ser.serialize("longs", { a: past, b: past, c: [], m: {} }))) }, { a: Number(past), b: past });
});

test("Avro schema references: registered with the schema, resolved (transitively) from the registry on both sides", async () => {
  const registry = new RegistryClient({ url: broker.registry });
  const country = { type: "enum", name: "Country", namespace: "com.example", symbols: ["NO", "SE"] };
  const address = { type: "record", name: "Address", namespace: "com.example", fields: [{ name: "city", type: "string" }, { name: "country", type: "Country" }] };
  const countryRef = { name: "com.example.Country", subject: "country", version: 1 };
  const addressRef = { name: "com.example.Address", subject: "address", version: 1 };
  await registry.register("country", JSON.stringify(country));
  await registry.register("address", JSON.stringify(address), "AVRO", [countryRef]);
  const person = { type: "record", name: "Person", namespace: "com.example", fields: [{ name: "name", type: "string" }, { name: "home", type: "Address" }, { name: "work", type: ["null", "com.example.Address"], default: null }] };
  const ser = new AvroSerializer(registry, person, { references: [addressRef] });
  const value = { name: "ada", home: { city: "Bergen", country: "NO" }, work: { city: "Oslo", country: "NO" } };
  assert.throws(() => ser.encodeWithId(1, value), (e) => e.reason === "SERIALIZATION" && /await serializer.ready\(\)/.test(e.message));
  const bytes = await ser.serialize("people", value);
  const id = AvroDeserializer.schemaId(bytes);
  assert.deepEqual((await registry.schemaById(id)).references, [addressRef], "registered with its references");
  assert.deepEqual((await registry.latest("people-value")).references, [addressRef]);
  // The body is what the inlined schema encodes.
  const { default: avro } = await import("avsc");
  const inlined = avro.Type.forSchema({ ...person, fields: [person.fields[0], { name: "home", type: { ...address, fields: [address.fields[0], { name: "country", type: country }] } }, { name: "work", type: ["null", "com.example.Address"], default: null }] }, { wrapUnions: false });
  assert.equal(Buffer.from(bytes.subarray(5)).toString("hex"), inlined.toBuffer(value).toString("hex"));
  // A fresh deserializer fetches the writer schema by id and its references.
  assert.deepEqual(toJSONValue(await new AvroDeserializer(new RegistryClient({ url: broker.registry })).deserialize(bytes)), value);
  // fromJSON/encodeWithId work once ready.
  assert.deepEqual(ser.encodeWithId(id, ser.fromJSON(value)), bytes);
  // Precise errors: a reference to a missing subject, a reference that does not define its name.
  await assert.rejects(new AvroSerializer(registry, person, { references: [{ ...addressRef, subject: "no-such-subject" }] }).serialize("people", value), (e) => e instanceof SchemaError && e.reason === "SUBJECT_NOT_FOUND");
  await assert.rejects(new AvroSerializer(registry, person, { references: [{ ...addressRef, subject: "country" }] }).serialize("people", value),
    (e) => e instanceof SchemaError && e.reason === "INVALID_SCHEMA" && /reference com\.example\.Address: country version 1 defines no type named com\.example\.Address \(it defines com\.example\.Country\)/.test(e.message));
  assert.throws(() => new AvroSerializer(registry, person), (e) => e instanceof SchemaError && e.reason === "INVALID_SCHEMA" && /undefined type name: com\.example\.Address .*references/.test(e.message));
});

test("bad inputs give the documented errors", async (t) => {
  await admin.createTopic("limits", 1, 1, { "max.message.bytes": "10000" });
  const producer = use(t, new Producer({ bootstrap: broker.bootstrap, maxBatchBytes: 1 << 20, deliveryTimeoutMs: 10000 }));
  await t.test("unknown topic: UnknownTopicError UNKNOWN_TOPIC_OR_PARTITION, not retriable", async () => {
    await assert.rejects(producer.send({ topic: "no-such-topic", value: "x" }), (e) => e instanceof UnknownTopicError && e.reason === "UNKNOWN_TOPIC_OR_PARTITION" && !e.retriable && e.topic === "no-such-topic");
    await assert.rejects(producer.send({ topic: "limits", partition: 7, value: "x" }), (e) => e instanceof UnknownTopicError);
    await assert.rejects(admin.describeTopics(["no-such-topic"]), (e) => e.reason === "UNKNOWN_TOPIC_OR_PARTITION");
    const c = use(t, new Consumer({ bootstrap: broker.bootstrap }));
    c.assign([{ topic: "no-such-topic", partition: 0, offset: 0 }]);
    await assert.rejects(waitFor(async () => { await c.poll(1, 200); return false; }, 10000), (e) => e instanceof UnknownTopicError);
  });
  await t.test("oversized record: RecordTooLargeError (broker MESSAGE_TOO_LARGE, client RECORD_TOO_LARGE)", async () => {
    await assert.rejects(producer.send({ topic: "limits", value: new Uint8Array(20000) }), (e) => e instanceof RecordTooLargeError && e.reason === "MESSAGE_TOO_LARGE" && !e.retriable);
    await assert.rejects(producer.send({ topic: "limits", value: new Uint8Array(2 << 20) }), (e) => e instanceof RecordTooLargeError && e.reason === "RECORD_TOO_LARGE");
    // The producer keeps working after a refused batch (sequences roll back).
    const md = await producer.send({ topic: "limits", value: "small" });
    assert.equal(md.offset, 0);
  });
  await t.test("bad schema: SchemaError INVALID_SCHEMA (client-side parse and registry)", async () => {
    const registry = new RegistryClient({ url: broker.registry });
    assert.throws(() => new AvroSerializer(registry, '{"type":"record","name":"X"}'), (e) => e instanceof SchemaError && e.reason === "INVALID_SCHEMA");
    await assert.rejects(registry.register("bad-value", '{"type":"nope"}'), (e) => e instanceof SchemaError && e.reason === "INVALID_SCHEMA");
    const ser = new AvroSerializer(registry, '"long"');
    await assert.rejects(ser.serialize("t", "not a long"), (e) => e instanceof SchemaError && e.reason === "SERIALIZATION");
    await assert.rejects(new AvroDeserializer(registry).deserialize(new Uint8Array([0, 0, 0, 0x7f, 0x7f, 2])), (e) => e instanceof SchemaError && e.reason === "SCHEMA_NOT_FOUND");
    await assert.rejects(new AvroDeserializer(registry).deserialize(new Uint8Array([1, 2])), (e) => e.reason === "SERIALIZATION");
  });
  await t.test("closed producer: ClosedError", async () => {
    const p = new Producer({ bootstrap: broker.bootstrap });
    await p.close();
    await assert.rejects(p.send({ topic: "limits", value: "x" }), (e) => e instanceof FjordError && e.reason === "CLOSED");
  });
});
