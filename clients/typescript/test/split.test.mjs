// A batch the broker rejects with MESSAGE_TOO_LARGE (over the topic's
// max.message.bytes, which maxBatchBytes cannot know) is split in halves
// and sent again, like the Go SDK does; a record too large alone fails alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBroker } from "./harness.mjs";
import { Producer, Consumer, Admin, RecordTooLargeError } from "../dist/index.js";

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
const val = (i, n = 300) => `${String(i).padStart(3, "0")}`.padEnd(n, String.fromCharCode(65 + (i % 26)));

async function readAll(topic, n) {
  const c = new Consumer({ bootstrap: broker.bootstrap });
  try {
    c.assign([{ topic, partition: 0, offset: "earliest" }]);
    const out = [];
    const end = Date.now() + 10000;
    while (out.length < n && Date.now() < end) out.push(...(await c.poll(n - out.length, 300)));
    assert.equal((await c.poll(10, 300)).length, 0, "no record twice");
    return out;
  } finally {
    await c.close();
  }
}

/** sendAll sends every record and counts each callback, which must run exactly once. */
function sendAll(producer, topic, values, calls) {
  return values.map((v, i) => producer.send({ topic, partition: 0, value: v }, () => calls.set(v, (calls.get(v) ?? 0) + 1)));
}

test("a batch over max.message.bytes is split; each record delivered once, in order", async (t) => {
  await admin.createTopic("split-one-batch", 1, 1, { "max.message.bytes": "2048" });
  const producer = new Producer({ bootstrap: broker.bootstrap, lingerMs: 5000 });
  t.after(() => producer.close());
  await producer.client.partitions("split-one-batch"); // metadata known: send() appends at once
  const calls = new Map();
  const values = Array.from({ length: 40 }, (_, i) => val(i));
  const sent = sendAll(producer, "split-one-batch", values, calls);
  await producer.flush();
  const mds = await Promise.all(sent);
  assert.deepEqual(mds.map((m) => m.offset), values.map((_, i) => i));
  // One record of 4000 bytes among small ones: only it fails.
  const more = Array.from({ length: 9 }, (_, i) => val(100 + i, 100));
  more.splice(4, 0, "x".repeat(4000));
  const sent2 = sendAll(producer, "split-one-batch", more, calls);
  await producer.flush();
  const res = await Promise.allSettled(sent2);
  res.forEach((r, i) => {
    if (i === 4) assert.ok(r.status === "rejected" && r.reason instanceof RecordTooLargeError && r.reason.reason === "MESSAGE_TOO_LARGE", String(r.reason));
    else assert.equal(r.status === "fulfilled" && r.value.offset, 40 + (i < 4 ? i : i - 1));
  });
  assert.deepEqual([...calls.values()], Array(50).fill(1));
  assert.equal(producer.pid?.epoch, 0, "no sequence error made the producer bump its epoch");
  const got = await readAll("split-one-batch", 49);
  assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 49 }, (_, i) => i));
  assert.deepEqual(got.map((r) => dec.decode(r.value)), [...values, ...more.filter((_, i) => i !== 4)]);
});

test("several batches in one request: the ones before the rejected batch are kept, the later ones follow", async (t) => {
  await admin.createTopic("split-request", 1, 1, { "max.message.bytes": "2048" });
  // maxBatchBytes 4200: 12 records of 300 bytes per batch (too large); the 4000-byte record seals
  // the batch before it and sits alone in its own.
  const producer = new Producer({ bootstrap: broker.bootstrap, lingerMs: 5000, maxBatchBytes: 4200 });
  t.after(() => producer.close());
  await producer.client.partitions("split-request"); // metadata known: send() appends at once
  const warm = producer.send({ topic: "split-request", partition: 0, value: "warm-up" });
  await producer.flush();
  await warm;
  const calls = new Map();
  const first = sendAll(producer, "split-request", ["first"], calls);
  const flushing = producer.flush(); // "first" is in flight: the rest wait, sealed, for one request
  const values = [val(0), val(1), val(2), "x".repeat(4000), ...Array.from({ length: 30 }, (_, i) => val(10 + i))];
  const sent = [...first, ...sendAll(producer, "split-request", values, calls)];
  const rest = producer.flush(); // seals the last batch; all wait for "first"
  await flushing;
  await rest;
  const res = await Promise.allSettled(sent);
  const ok = [];
  res.forEach((r, i) => {
    if (i === 4) assert.ok(r.status === "rejected" && r.reason instanceof RecordTooLargeError, String(r.reason));
    else {
      assert.equal(r.status, "fulfilled", String(r.reason));
      ok.push(r.value.offset);
    }
  });
  assert.deepEqual(ok, Array.from({ length: 34 }, (_, i) => 1 + i));
  assert.deepEqual([...calls.values()], Array(35).fill(1));
  assert.equal(producer.pid?.epoch, 0, "no sequence error made the producer bump its epoch");
  const got = await readAll("split-request", 35);
  assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 35 }, (_, i) => i));
  assert.deepEqual(got.map((r) => dec.decode(r.value)), ["warm-up", "first", ...values.filter((_, i) => i !== 3)]);
});
