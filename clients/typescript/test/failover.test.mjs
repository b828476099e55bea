// Leader failover on a 3-broker cluster: an idempotent acks=all producer
// keeps producing while the partition leader is killed (SIGKILL); every
// acknowledged record is then read back exactly once, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startCluster, waitFor } from "./harness.mjs";
import { Producer, Consumer, Admin } from "../dist/index.js";

test("leader failover on 3 brokers loses no acknowledged record", { timeout: 120000 }, async () => {
  const cluster = await startCluster(3);
  const admin = new Admin({ bootstrap: cluster.bootstrap });
  const producer = new Producer({ bootstrap: cluster.bootstrap, acks: "all", idempotent: true, lingerMs: 2, deliveryTimeoutMs: 60000, requestTimeoutMs: 5000 });
  try {
    await admin.createTopic("failover", 2, 3, { "min.insync.replicas": "2" });
    const [desc] = await waitFor(async () => {
      let d;
      try {
        d = await admin.describeTopics(["failover"]);
      } catch (e) {
        // The broker asked may learn of the new topic a moment after the controller committed it.
        if (e.reason === "UNKNOWN_TOPIC_OR_PARTITION") return undefined;
        throw e;
      }
      return d[0].partitions.every((p) => p.leaderId > 0 && p.isr.length === 3) ? d : undefined;
    }, 20000, "leaders and full ISR");
    const victim = desc.partitions[0].leaderId;
    const acked = [];
    const failed = [];
    let i = 0;
    const produceSome = async (n) => {
      const batch = [];
      for (let k = 0; k < n; k++, i++) {
        const v = `r${i}`;
        batch.push(producer.send({ topic: "failover", key: `key${i % 10}`, value: v }).then((md) => acked.push({ ...md, v }), (e) => failed.push(e)));
      }
      await Promise.all(batch);
    };
    await produceSome(300);
    const pending = produceSome(300);
    await cluster.killNode(victim);
    await pending;
    await produceSome(300);
    assert.deepEqual(failed.map((e) => e.message), [], "every record is acknowledged (retried on the new leader)");
    assert.equal(acked.length, 900);
    const d2 = await admin.describeTopics(["failover"]);
    assert.notEqual(d2[0].partitions[0].leaderId, victim, "partition 0 moved to a new leader");

    const consumer = new Consumer({ bootstrap: cluster.bootstrap });
    try {
      consumer.assign([0, 1].map((p) => ({ topic: "failover", partition: p, offset: "earliest" })));
      const got = [];
      await waitFor(async () => { got.push(...(await consumer.poll(1000, 200))); return got.length >= 900; }, 30000, "900 records read back");
      await new Promise((r) => setTimeout(r, 300));
      got.push(...(await consumer.poll(1000, 100)));
      const dec = new TextDecoder();
      const values = got.map((r) => dec.decode(r.value));
      assert.equal(new Set(values).size, values.length, "no duplicate");
      assert.equal(values.length, 900, "exactly the acknowledged records");
      const at = new Map(got.map((r) => [`${r.partition}/${r.offset}`, dec.decode(r.value)]));
      for (const a of acked) assert.equal(at.get(`${a.partition}/${a.offset}`), a.v, "each ack points at its record");
      // Per key, order of production is the order in the log.
      for (let k = 0; k < 10; k++) {
        const seq = got.filter((r) => dec.decode(r.key) === `key${k}`).map((r) => Number(dec.decode(r.value).slice(1)));
        assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `key${k} in order`);
      }
    } finally {
      await consumer.close();
    }
  } finally {
    await producer.close({ flush: false }).catch(() => undefined);
    await admin.close();
    await cluster.stop();
  }
});
