// Group coordinator failover on 3 brokers: the members' coordinator is
// killed; they find the new coordinator, resume their sessions and keep
// consuming (no record lost).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startCluster, waitFor } from "./harness.mjs";
import { Producer, Consumer, Admin } from "../dist/index.js";

test("group members survive the loss of their coordinator", { timeout: 120000 }, async () => {
  const cluster = await startCluster(3);
  const admin = new Admin({ bootstrap: cluster.bootstrap, requestTimeoutMs: 10000 });
  const producer = new Producer({ bootstrap: cluster.bootstrap, requestTimeoutMs: 5000 });
  const members = [];
  try {
    await admin.createTopic("coord", 4, 3);
    const dec = new TextDecoder();
    for (let k = 0; k < 2; k++) {
      const c = new Consumer({ bootstrap: cluster.bootstrap, groupId: "coord-group", autoOffsetReset: "earliest", sessionTimeoutMs: 6000, requestTimeoutMs: 5000 });
      const m = { c, owned: 0, seen: new Set(), running: true };
      c.subscribe(["coord"], { onAssigned: (tps) => (m.owned += tps.length), onRevoked: (tps) => (m.owned -= tps.length), onLost: (tps) => (m.owned -= tps.length) });
      m.loop = (async () => {
        while (m.running) for (const r of await c.poll(500, 100).catch(() => [])) m.seen.add(dec.decode(r.value));
      })();
      members.push(m);
    }
    await waitFor(() => members.every((m) => m.owned === 2), 30000, "2 partitions each");
    await producer.sendAll(Array.from({ length: 40 }, (_, i) => ({ topic: "coord", partition: i % 4, value: `a${i}` })));
    const count = () => new Set(members.flatMap((m) => [...m.seen])).size;
    await waitFor(() => count() === 40, 20000, "40 records");
    const d = await admin.describeGroup("coord-group");
    assert.ok(d.coordinatorId > 0);
    await cluster.killNode(d.coordinatorId);
    await producer.sendAll(Array.from({ length: 40 }, (_, i) => ({ topic: "coord", partition: i % 4, value: `b${i}` })));
    await waitFor(() => count() === 80, 40000, "80 records after the coordinator died");
    const d2 = await waitFor(async () => {
      const g = await admin.describeGroup("coord-group").catch(() => undefined);
      return g && g.coordinatorId !== d.coordinatorId && g.members.length === 2 ? g : undefined;
    }, 30000, "the group on its new coordinator");
    assert.equal(d2.members.length, 2);
  } finally {
    for (const m of members) m.running = false;
    await Promise.all(members.map(async (m) => { await m.loop; await m.c.close(); }));
    await producer.close({ flush: false }).catch(() => undefined);
    await admin.close();
    await cluster.stop();
  }
});
