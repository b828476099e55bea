// The interop tool (./interop) against a real broker: produce, consume,
// avro-encode and avro-decode as the cross-language test drives them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startBroker } from "./harness.mjs";
import { Admin } from "../dist/index.js";

const run = promisify(execFile);
const tool = fileURLToPath(new URL("../interop", import.meta.url));
let broker, dir;
before(async () => {
  broker = await startBroker();
  dir = mkdtempSync(join(tmpdir(), "fjord-interop-"));
});
after(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("interop produce then consume returns the records with their offsets", async () => {
  const admin = new Admin({ bootstrap: broker.bootstrap });
  await admin.createTopic("interop", 2, 1);
  await admin.close();
  const records = [
    { partition: 0, key_b64: null, value_b64: Buffer.from("a").toString("base64"), headers: [], timestamp_ms: 1700000000000 },
    { partition: 1, key_b64: "", value_b64: null, headers: [{ key: "h", value_b64: "AQI=" }], timestamp_ms: 1700000000001 },
    { partition: 0, key_b64: "aw==", value_b64: "", headers: [{ key: "e", value_b64: "" }], timestamp_ms: 1700000000002 },
  ];
  writeFileSync(join(dir, "in.json"), JSON.stringify({ records }));
  await run(tool, ["produce", "--bootstrap", broker.bootstrap, "--topic", "interop", "--input", join(dir, "in.json"), "--output", join(dir, "acks.json"), "--compression", "zstd"]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "acks.json"), "utf8")).acks, [{ partition: 0, offset: 0 }, { partition: 1, offset: 0 }, { partition: 0, offset: 1 }]);
  await run(tool, ["consume", "--bootstrap", broker.bootstrap, "--topic", "interop", "--count", "3", "--output", join(dir, "out.json"), "--timeout-ms", "10000"]);
  const got = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).records;
  assert.deepEqual(got, [{ ...records[0], offset: 0 }, { ...records[2], offset: 1 }, { ...records[1], offset: 0 }]);
});

test("interop produce accepts snappy and lz4; consume reads them back", async () => {
  const admin = new Admin({ bootstrap: broker.bootstrap });
  await admin.createTopic("interop-codecs", 1, 1);
  await admin.close();
  const want = [];
  for (const [i, compression] of ["snappy", "lz4"].entries()) {
    const records = [0, 1].map((j) => ({ partition: 0, key_b64: Buffer.from(`${compression}${j}`).toString("base64"), value_b64: Buffer.from("v".repeat(300)).toString("base64"), headers: [], timestamp_ms: 1700000000000 + j }));
    writeFileSync(join(dir, "in.json"), JSON.stringify({ records }));
    await run(tool, ["produce", "--bootstrap", broker.bootstrap, "--topic", "interop-codecs", "--input", join(dir, "in.json"), "--output", join(dir, "acks.json"), "--compression", compression]);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "acks.json"), "utf8")).acks, [{ partition: 0, offset: 2 * i }, { partition: 0, offset: 2 * i + 1 }]);
    want.push(...records.map((r, j) => ({ ...r, offset: 2 * i + j })));
  }
  await run(tool, ["consume", "--bootstrap", broker.bootstrap, "--topic", "interop-codecs", "--count", "4", "--output", join(dir, "out.json"), "--timeout-ms", "10000"]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).records, want);
});

test("interop avro-encode then avro-decode; failures exit non-zero with a message", async () => {
  const schema = '{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"n","type":"long"},{"name":"e","type":["null","string"],"default":null}]}';
  writeFileSync(join(dir, "s.avsc"), schema);
  writeFileSync(join(dir, "v.json"), JSON.stringify({ name: "ab", n: 3, e: "x@y" }));
  await run(tool, ["avro-encode", "--registry", broker.registry, "--subject", "interop-value", "--schema", join(dir, "s.avsc"), "--json", join(dir, "v.json"), "--output", join(dir, "v.hex")]);
  const hex = readFileSync(join(dir, "v.hex"), "utf8");
  assert.match(hex, /^00[0-9a-f]{8}046162060206784079$/);
  await run(tool, ["avro-decode", "--registry", broker.registry, "--input", join(dir, "v.hex"), "--output", join(dir, "out.json")]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")), { name: "ab", n: 3, e: "x@y" });
  await assert.rejects(run(tool, ["consume", "--bootstrap", broker.bootstrap, "--topic", "missing", "--count", "1", "--output", join(dir, "x.json"), "--timeout-ms", "2000"]), (e) => e.code === 1 && /UNKNOWN_TOPIC_OR_PARTITION/.test(e.stderr));
});

test("interop avro JSON form carries 64-bit longs as plain JSON numbers without rounding", async () => {
  writeFileSync(join(dir, "l.avsc"), '{"type":"record","name":"L","fields":[{"name":"a","type":"long"},{"name":"b","type":{"type":"array","items":"long"}},{"name":"d","type":"double"}]}');
  const text = '{"a":-9223372036854775808,"b":[9223372036854775807,9007199254740993,9007199254740991,-1],"d":12.5}';
  writeFileSync(join(dir, "l.json"), text);
  await run(tool, ["avro-encode", "--registry", broker.registry, "--subject", "interop-longs", "--schema", join(dir, "l.avsc"), "--json", join(dir, "l.json"), "--output", join(dir, "l.hex")]);
  const hex = readFileSync(join(dir, "l.hex"), "utf8");
  // Avro binary: a = zigzag(-2^63) = 2^64-1; b = a block of 4 (2^63-1 zigzags to 2^64-2, 2^53+1 to 2^54+2), end 0; d = 12.5.
  assert.match(hex, new RegExp("^00[0-9a-f]{8}" + "ffffffffffffffffff01 08 feffffffffffffffff01 8280808080808020 feffffffffffff1f 01 00 0000000000002940".replaceAll(" ", "") + "$"));
  await run(tool, ["avro-decode", "--registry", broker.registry, "--input", join(dir, "l.hex"), "--output", join(dir, "l.out.json")]);
  assert.equal(readFileSync(join(dir, "l.out.json"), "utf8"), text);
});

test("the README's runnable examples run", async () => {
  const ex = (f) => fileURLToPath(new URL(`../examples/${f}`, import.meta.url));
  const p = await run("node", [ex("produce.mjs"), broker.bootstrap]);
  assert.equal(p.stdout.trim().split("\n").length, 10);
  const a = await run("node", [ex("avro.mjs"), broker.bootstrap, broker.registry]);
  assert.match(a.stdout, /name: 'ada'/);
});
