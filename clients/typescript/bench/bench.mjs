// make bench: produce then consume 100-byte values against a fresh broker
// with the SDK's default batching, and the Go SDK's `fjord bench` figures
// on the same broker for comparison.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startBroker } from "../test/harness.mjs";
import { Producer, Consumer, Admin } from "../dist/index.js";

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MAX_RECORDS = Number(process.env.BENCH_MAX_RECORDS ?? 5_000_000);
const SIZE = 100;

const broker = await startBroker();
try {
  const admin = new Admin({ bootstrap: broker.bootstrap });
  await admin.createTopic("ts-bench", 1, 1);
  const producer = new Producer({ bootstrap: broker.bootstrap });
  const value = new Uint8Array(SIZE).fill(97);
  await producer.send({ topic: "ts-bench", value }); // metadata and producer id
  let n = 1;
  let inflight = [];
  const t0 = performance.now();
  while (n < MAX_RECORDS && performance.now() - t0 < SECONDS * 1000) {
    for (let i = 0; i < 5000; i++, n++) inflight.push(producer.send({ topic: "ts-bench", value }));
    if (inflight.length >= 50000) {
      await Promise.all(inflight);
      inflight = [];
    }
  }
  await Promise.all(inflight);
  const pt = (performance.now() - t0) / 1000;
  await producer.close();
  const consumer = new Consumer({ bootstrap: broker.bootstrap });
  consumer.assign([{ topic: "ts-bench", partition: 0, offset: "earliest" }]);
  let got = 0;
  const t1 = performance.now();
  while (got < n && performance.now() - t1 < 120000) got += (await consumer.poll(100000, 1000)).length;
  const ct = (performance.now() - t1) / 1000;
  await consumer.close();
  console.log(`typescript produce: ${n} records of ${SIZE} B in ${pt.toFixed(2)} s: ${Math.round(n / pt)} records/s, ${(n * SIZE / pt / 1048576).toFixed(1)} MiB/s (acks=all, idempotent, linger 5 ms)`);
  console.log(`typescript consume: ${got} records in ${ct.toFixed(2)} s: ${Math.round(got / ct)} records/s, ${(got * SIZE / ct / 1048576).toFixed(1)} MiB/s`);
  await admin.close();

  const goN = String(Math.max(n * 3, 1_000_000));
  const gp = await run(process.env.FJORD_BIN, ["bench", "produce", "--brokers", broker.bootstrap, "--topic", "go-bench", "--records", goN, "--record-size", String(SIZE)], { maxBuffer: 1 << 20 });
  console.log(`go produce (fjord bench produce --records ${goN} --record-size ${SIZE}):\n${gp.stdout.trim()}`);
  const gc = await run(process.env.FJORD_BIN, ["bench", "consume", "--brokers", broker.bootstrap, "--topic", "go-bench"], { maxBuffer: 1 << 20 });
  console.log(`go consume (fjord bench consume):\n${gc.stdout.trim()}`);
} finally {
  await broker.stop();
}
