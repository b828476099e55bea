// Consumer groups against a real broker: 3 members share a 6-partition
// topic, one leaves and its partitions move (cooperative callbacks), and a
// group resumes from its committed offsets.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBroker, waitFor } from "./harness.mjs";
import { Producer, Consumer, Admin } from "../dist/index.js";

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
const groupOpts = (groupId, extra = {}) => ({ bootstrap: broker.bootstrap, groupId, autoOffsetReset: "earliest", sessionTimeoutMs: 3000, ...extra });

/** member starts a group consumer that collects what it reads and logs its callbacks. */
function member(groupId, topic, extra) {
  const c = new Consumer(groupOpts(groupId, extra));
  const m = { c, owned: new Set(), events: [], seen: [], running: true };
  c.subscribe([topic], {
    onAssigned: (tps) => { m.events.push(["assigned", tps.length]); for (const t of tps) m.owned.add(t.partition); },
    onRevoked: (tps) => { m.events.push(["revoked", tps.length]); for (const t of tps) m.owned.delete(t.partition); },
    onLost: (tps) => { m.events.push(["lost", tps.length]); for (const t of tps) m.owned.delete(t.partition); },
  });
  m.loop = (async () => {
    while (m.running) {
      const recs = await c.poll(500, 100).catch(() => []);
      m.seen.push(...recs);
    }
  })();
  m.stop = async () => {
    m.running = false;
    await m.loop;
    await c.close();
  };
  return m;
}

test("3 consumers share a 6-partition topic; a member leaving hands its partitions over", async () => {
  await admin.createTopic("g6", 6, 1);
  const producer = new Producer({ bootstrap: broker.bootstrap });
  const members = [member("g6-group", "g6"), member("g6-group", "g6"), member("g6-group", "g6")];
  try {
    await waitFor(() => members.every((m) => m.owned.size === 2), 20000, "2 partitions each");
    const all = new Set(members.flatMap((m) => [...m.owned]));
    assert.equal(all.size, 6, "every partition owned once");
    await producer.sendAll(Array.from({ length: 60 }, (_, i) => ({ topic: "g6", partition: i % 6, key: `k${i}`, value: `v${i}` })));
    await waitFor(() => members.reduce((n, m) => n + m.seen.length, 0) === 60, 20000, "60 records read");
    for (const m of members) for (const r of m.seen) assert.ok(m.owned.has(r.partition), "a member reads only partitions it owns");

    const gone = members.pop();
    await gone.stop();
    assert.deepEqual(gone.events.at(-1), ["revoked", 2], "close revokes what the member owned");
    await waitFor(() => members.every((m) => m.owned.size === 3), 20000, "3 partitions each after the leave");
    assert.equal(new Set(members.flatMap((m) => [...m.owned])).size, 6);
    for (const m of members) assert.ok(!m.events.some(([e]) => e === "lost"), "a cooperative rebalance loses nothing");
    // The survivors read the partitions that moved, from the committed offsets.
    const before = members.reduce((n, m) => n + m.seen.length, 0) + gone.seen.length;
    await producer.sendAll(Array.from({ length: 60 }, (_, i) => ({ topic: "g6", partition: i % 6, value: `w${i}` })));
    await waitFor(() => members.reduce((n, m) => n + m.seen.length, 0) + gone.seen.length >= before + 60, 20000, "60 more records read");
    await new Promise((r) => setTimeout(r, 300)); // let a duplicate, if any, arrive
    const values = [...members, gone].flatMap((m) => m.seen.map((r) => dec.decode(r.value)));
    assert.equal(new Set(values).size, 120, "no record read twice");
    const d = await admin.describeGroup("g6-group");
    assert.equal(d.members.length, 2);
    // Heartbeats are answered: no member reopened its stream.
    for (const m of [...members, gone]) assert.equal(m.c.group.sessions, 1, "one Membership stream per member");
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    await producer.close();
  }
});

test("commit and resume: a new member starts from the committed offsets", async () => {
  await admin.createTopic("resume", 2, 1);
  const producer = new Producer({ bootstrap: broker.bootstrap });
  try {
    await producer.sendAll(Array.from({ length: 20 }, (_, i) => ({ topic: "resume", partition: i % 2, value: `a${i}` })));
    const c1 = new Consumer(groupOpts("resume-group", { autoCommit: false }));
    c1.subscribe(["resume"]);
    const first = [];
    await waitFor(async () => { first.push(...(await c1.poll(20 - first.length, 200))); return first.length >= 20; }, 20000, "20 records");
    assert.equal(first.length, 20);
    await c1.commit();
    const committed = await c1.committed([{ topic: "resume", partition: 0 }, { topic: "resume", partition: 1 }]);
    assert.deepEqual([committed.get("resume/0"), committed.get("resume/1")], [10, 10]);
    await c1.close();
    await producer.sendAll(Array.from({ length: 10 }, (_, i) => ({ topic: "resume", partition: i % 2, value: `b${i}` })));
    const c2 = new Consumer(groupOpts("resume-group"));
    c2.subscribe(["resume"]);
    const second = [];
    try {
      await waitFor(async () => { second.push(...(await c2.poll(10, 200))); return second.length >= 10; }, 20000, "10 new records");
      assert.deepEqual(second.map((r) => dec.decode(r.value)).sort(), Array.from({ length: 10 }, (_, i) => `b${i}`).sort());
      assert.deepEqual(await c2.poll(10, 300), [], "nothing before the committed offsets is read again");
    } finally {
      await c2.close();
    }
    // close() auto-committed what c2 consumed.
    const off = await admin.fetchOffsets("resume-group");
    assert.deepEqual([off.get("resume").get(0), off.get("resume").get(1)], [15, 15]);
    // An assign() consumer with the group id starts from the committed offsets too.
    const c3 = new Consumer({ bootstrap: broker.bootstrap, groupId: "resume-group" });
    try {
      c3.assign([{ topic: "resume", partition: 0 }]);
      await producer.send({ topic: "resume", partition: 0, value: "c0" });
      const r = await waitFor(async () => (await c3.poll(1, 200))[0], 10000, "record after the committed offset");
      assert.equal(r.offset, 15);
    } finally {
      await c3.close();
    }
  } finally {
    await producer.close();
  }
});

test("a member that stops polling leaves after maxPollIntervalMs and rejoins at its next poll", async () => {
  await admin.createTopic("stall", 2, 1);
  const a = member("stall-group", "stall");
  const bc = new Consumer(groupOpts("stall-group", { maxPollIntervalMs: 1500 }));
  const b = { owned: new Set(), events: [] };
  bc.subscribe(["stall"], {
    onAssigned: (tps) => { b.events.push("assigned"); for (const t of tps) b.owned.add(t.partition); },
    onRevoked: (tps) => { b.events.push("revoked"); for (const t of tps) b.owned.delete(t.partition); },
    onLost: (tps) => { b.events.push("lost"); for (const t of tps) b.owned.delete(t.partition); },
  });
  try {
    // b polls until it owns a partition, then stalls.
    await waitFor(async () => { await bc.poll(10, 50); return b.owned.size === 1 && a.owned.size === 1; }, 20000, "one partition each");
    await waitFor(() => a.owned.size === 2, 20000, "the stalled member's partition moved");
    assert.ok(b.events.includes("lost"), "the stalled member lost its partition");
    assert.equal(b.owned.size, 0);
    // Polling again rejoins.
    await waitFor(async () => { await bc.poll(10, 50); return b.owned.size === 1 && a.owned.size === 1; }, 20000, "rejoined");
  } finally {
    await a.stop();
    await bc.close();
  }
});

test("static membership: a member restarting with the same instanceId within the session timeout gets its partitions back without a rebalance", async () => {
  await admin.createTopic("static4", 4, 1);
  const group = "static-group";
  const a = member(group, "static4", { instanceId: "inst-a", sessionTimeoutMs: 4000 });
  const b = member(group, "static4", { instanceId: "inst-b", sessionTimeoutMs: 4000 });
  let a2, a3;
  try {
    await waitFor(() => a.owned.size === 2 && b.owned.size === 2, 20000, "2 partitions each");
    const aParts = [...a.owned].sort();
    const bParts = [...b.owned].sort();
    const bEvents = b.events.length;
    const before = await admin.describeGroup(group);

    // Restart: close() leaves temporarily (static member), a new consumer
    // with the same instance id joins under a new member id.
    await a.stop();
    a2 = member(group, "static4", { instanceId: "inst-a", sessionTimeoutMs: 4000 });
    await waitFor(() => a2.owned.size === 2, 3000, "the restarted member gets its partitions back within the session timeout");
    assert.deepEqual([...a2.owned].sort(), aParts, "same partitions as before the restart");
    assert.deepEqual(a2.events, [["assigned", 2]]);
    const after = await admin.describeGroup(group);
    assert.equal(after.groupEpoch, before.groupEpoch, "no rebalance: the group epoch did not move");
    assert.deepEqual(after.members.map((m) => m.instanceId).sort(), ["inst-a", "inst-b"]);
    assert.ok(!after.members.some((m) => before.members.find((x) => x.instanceId === "inst-a").memberId === m.memberId), "the restarted member has a new member id");
    // The other member saw nothing: no revocation, no new assignment.
    assert.equal(b.events.length, bEvents, `inst-b callbacks during the restart: ${JSON.stringify(b.events.slice(bEvents))}`);
    assert.deepEqual([...b.owned].sort(), bParts);

    // Contrast: a static member that stays away past its session timeout
    // loses its partitions to the others.
    await a2.stop();
    await waitFor(() => b.owned.size === 4, 15000, "inst-b takes all 4 partitions after inst-a's session expires");
    assert.notEqual((await admin.describeGroup(group)).groupEpoch, before.groupEpoch);
    // And a later restart of inst-a rebalances back to 2 each.
    a3 = member(group, "static4", { instanceId: "inst-a", sessionTimeoutMs: 4000 });
    await waitFor(() => a3.owned.size === 2 && b.owned.size === 2, 20000, "2 partitions each again");
  } finally {
    for (const m of [a, b, a2, a3]) if (m?.running) await m.stop();
  }
});
