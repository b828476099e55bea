// Test harness: starts real `fjord serve` processes ($FJORD_BIN) on
// 127.0.0.1 and stops them at the end (also when a test fails).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = process.env.FJORD_BIN;
if (!BIN) {
  console.error("FJORD_BIN is not set: it must be the absolute path of a built fjord binary (go build -o bin/fjord ./cmd/fjord)");
  process.exit(2);
}

const live = new Set();
process.on("exit", () => {
  for (const p of live) try { p.kill("SIGKILL"); } catch { /* gone */ }
});

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const GROUP_FLAGS = ["--group-min-session-timeout", "1s", "--group-heartbeat-interval", "200ms"];

async function waitReady(http, proc, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`fjord serve exited with ${proc.exitCode}: ${proc.stderrText}`);
    try {
      const r = await fetch(`http://${http}/readyz`);
      if (r.status === 200) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`broker ${http} not ready within ${ms} ms: ${proc.stderrText}`);
}

class Node {
  constructor(args, dir, listen, http) {
    this.args = args; this.dir = dir; this.listen = listen; this.http = http;
  }
  start() {
    const p = spawn(BIN, this.args, { stdio: ["ignore", "ignore", "pipe"] });
    p.stderrText = "";
    p.stderr.on("data", (d) => { if (p.stderrText.length < 20000) p.stderrText += d; });
    live.add(p);
    p.on("exit", () => live.delete(p));
    this.proc = p;
    return p;
  }
  kill() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const p = this.proc;
      const gone = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      return gone;
    }
    return Promise.resolve();
  }
}

/**
 * retryOnPortClash runs start again (on new ports) when a broker could not
 * bind a port found free a moment before: someone else (an outgoing
 * connection's ephemeral port, say) took it in between.
 */
async function retryOnPortClash(start) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (attempt >= 3 || !String(e?.message).includes("address already in use")) throw e;
    }
  }
}

/** startBroker starts one single-node broker. */
export function startBroker(extra = []) {
  return retryOnPortClash(() => startBrokerOnce(extra));
}

async function startBrokerOnce(extra) {
  const dir = mkdtempSync(join(tmpdir(), "fjord-ts-"));
  const listen = `127.0.0.1:${await freePort()}`;
  const http = `127.0.0.1:${await freePort()}`;
  const n = new Node(["serve", "--data", dir, "--listen", listen, "--http", http, "--log-level", "warn", ...GROUP_FLAGS, ...extra], dir, listen, http);
  const p = n.start();
  try {
    await waitReady(http, p);
  } catch (e) {
    await n.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    bootstrap: listen,
    registry: `http://${http}`,
    async stop() {
      await n.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** startCluster starts n brokers forming one controller quorum. */
export function startCluster(n = 3) {
  return retryOnPortClash(() => startClusterOnce(n));
}

async function startClusterOnce(n) {
  const nodes = [];
  const rafts = [];
  for (let i = 1; i <= n; i++) rafts.push(`${i}@127.0.0.1:${await freePort()}`);
  for (let i = 1; i <= n; i++) {
    const dir = mkdtempSync(join(tmpdir(), `fjord-ts-${i}-`));
    const listen = `127.0.0.1:${await freePort()}`;
    const http = `127.0.0.1:${await freePort()}`;
    const raft = rafts[i - 1].split("@")[1];
    nodes.push(new Node(["serve", "--data", dir, "--listen", listen, "--http", http, "--log-level", "warn", "--node-id", String(i),
      "--raft", raft, "--peers", rafts.join(","), "--session-timeout", "1s", "--heartbeat-interval", "200ms", "--raft-timeout", "300ms",
      "--replica-lag-time-max", "2s", "--replica-fetch-wait", "200ms", ...GROUP_FLAGS], dir, listen, http));
  }
  for (const nd of nodes) nd.start();
  try {
    await Promise.all(nodes.map((nd) => waitReady(nd.http, nd.proc, 60000)));
  } catch (e) {
    await Promise.all(nodes.map((nd) => nd.kill()));
    for (const nd of nodes) rmSync(nd.dir, { recursive: true, force: true });
    throw e;
  }
  return {
    nodes,
    bootstrap: nodes.map((nd) => nd.listen).join(","),
    async killNode(id) { await nodes[id - 1].kill(); },
    async stop() {
      await Promise.all(nodes.map((nd) => nd.kill()));
      for (const nd of nodes) rmSync(nd.dir, { recursive: true, force: true });
    },
  };
}

/** waitFor polls cond until it returns truthy or ms pass. */
export async function waitFor(cond, ms = 15000, what = "condition") {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
