// The interop tool: drives the SDK's public API for the cross-language
// test (contract in the SDK README). Exits non-zero with a message on
// stderr on any failure.
import { readFileSync, writeFileSync } from "node:fs";
import { parse as parseLossless, stringify as stringifyLossless, isInteger } from "lossless-json";
import { parseArgs } from "node:util";
import { Producer, Consumer, Admin, RegistryClient, AvroSerializer, AvroDeserializer, toJSONValue } from "../dist/index.js";

// The Avro JSON form carries 64-bit longs as plain JSON numbers: integers
// beyond 2^53 are read as bigint (JSON.parse would round them) and bigints
// are written as their digits.
const parseJSON = (text) => parseLossless(text, null, (s) => (isInteger(s) && !Number.isSafeInteger(Number(s)) ? BigInt(s) : Number(s)));
const b64 = (b) => (b === null ? null : Buffer.from(b).toString("base64"));
const unb64 = (s) => (s === null || s === undefined ? null : new Uint8Array(Buffer.from(s, "base64")));

function need(v, name) {
  if (v === undefined || v === "") throw new Error(`--${name} is required`);
  return v;
}

async function produce(o) {
  const input = JSON.parse(readFileSync(need(o.input, "input"), "utf8"));
  const producer = new Producer({ bootstrap: need(o.bootstrap, "bootstrap"), acks: "all", idempotent: true, compression: o.compression ?? "none", clientId: "fjord-interop-ts" });
  try {
    const acks = await Promise.all(input.records.map((r) => producer.send({
      topic: need(o.topic, "topic"),
      partition: r.partition,
      key: unb64(r.key_b64),
      value: unb64(r.value_b64),
      headers: (r.headers ?? []).map((h) => ({ key: h.key, value: unb64(h.value_b64) ?? new Uint8Array(0) })),
      timestampMs: r.timestamp_ms,
    })));
    writeFileSync(need(o.output, "output"), JSON.stringify({ acks: acks.map((a) => ({ partition: a.partition, offset: a.offset })) }));
  } finally {
    await producer.close();
  }
}

async function consume(o) {
  const topic = need(o.topic, "topic");
  const count = Number(need(o.count, "count"));
  const timeout = Number(o["timeout-ms"] ?? 20000);
  const bootstrap = need(o.bootstrap, "bootstrap");
  const admin = new Admin({ bootstrap });
  const consumer = new Consumer({ bootstrap }, admin.client);
  try {
    const parts = await admin.client.partitions(topic);
    consumer.assign(parts.map((p) => ({ topic, partition: p.partition, offset: "earliest" })));
    const out = [];
    const end = Date.now() + timeout;
    while (out.length < count) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`read ${out.length} of ${count} records within ${timeout} ms`);
      out.push(...(await consumer.poll(count - out.length, Math.min(left, 500))));
    }
    out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    writeFileSync(need(o.output, "output"), JSON.stringify({
      records: out.map((r) => ({
        partition: r.partition, offset: r.offset, key_b64: b64(r.key), value_b64: b64(r.value),
        headers: r.headers.map((h) => ({ key: h.key, value_b64: b64(h.value) })), timestamp_ms: r.timestampMs,
      })),
    }));
  } finally {
    await consumer.close();
    admin.client.close();
  }
}

async function avroEncode(o) {
  const registry = new RegistryClient({ url: need(o.registry, "registry") });
  const ser = new AvroSerializer(registry, readFileSync(need(o.schema, "schema"), "utf8"), { subject: need(o.subject, "subject") });
  const value = ser.fromJSON(parseJSON(readFileSync(need(o.json, "json"), "utf8")));
  const bytes = await ser.serialize("", value);
  writeFileSync(need(o.output, "output"), Buffer.from(bytes).toString("hex"));
}

async function avroDecode(o) {
  const registry = new RegistryClient({ url: need(o.registry, "registry") });
  const data = Buffer.from(readFileSync(need(o.input, "input"), "utf8").trim(), "hex");
  const value = await new AvroDeserializer(registry).deserialize(data);
  writeFileSync(need(o.output, "output"), stringifyLossless(toJSONValue(value)));
}

const commands = { produce, consume, "avro-encode": avroEncode, "avro-decode": avroDecode };
const [cmd, ...rest] = process.argv.slice(2);
try {
  if (!commands[cmd]) throw new Error(`unknown command ${JSON.stringify(cmd)}: want produce, consume, avro-encode or avro-decode`);
  const { values } = parseArgs({
    args: rest,
    options: Object.fromEntries(["bootstrap", "topic", "input", "output", "compression", "count", "timeout-ms", "registry", "subject", "schema", "json"].map((k) => [k, { type: "string" }])),
    strict: true,
  });
  await commands[cmd](values);
  process.exit(0);
} catch (e) {
  console.error(`interop ${cmd ?? ""}: ${e?.message ?? e}`);
  process.exit(1);
}
