// Error mapping: google.rpc details, per-item errors, subclasses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectError, Code } from "@connectrpc/connect";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { errorFromRPC, decodeErrorInfo, decodeRetryInfo, NotLeaderError, UnknownTopicError, UnavailableError, FjordError } from "../dist/index.js";

function errorInfo(reason, md) {
  const w = new BinaryWriter().tag(1, 2).string(reason).tag(2, 2).string("fjord");
  for (const [k, v] of Object.entries(md)) w.tag(3, 2).fork().tag(1, 2).string(k).tag(2, 2).string(v).join();
  return w.finish();
}
const retryInfo = (s, n) => new BinaryWriter().tag(1, 2).fork().tag(1, 0).int64(s).tag(2, 0).int32(n).join().finish();

test("ErrorInfo and RetryInfo decode", () => {
  assert.deepEqual(decodeErrorInfo(errorInfo("NOT_LEADER_OR_FOLLOWER", { leader_id: "2", topic: "t" })), { reason: "NOT_LEADER_OR_FOLLOWER", domain: "fjord", metadata: { leader_id: "2", topic: "t" } });
  assert.equal(decodeRetryInfo(retryInfo(1, 250e6)), 1250);
});

test("a status with details maps to a retriable NotLeaderError with its leader hint", () => {
  const ce = new ConnectError("not leader", Code.FailedPrecondition, undefined, [
    { type: "google.rpc.ErrorInfo", value: errorInfo("NOT_LEADER_OR_FOLLOWER", { leader_id: "3", topic: "orders", partition: "4" }) },
    { type: "google.rpc.RetryInfo", value: retryInfo(0, 100e6) },
  ]);
  const e = errorFromRPC(ce, true);
  assert.ok(e instanceof NotLeaderError && e instanceof FjordError && e instanceof Error);
  assert.equal(e.reason, "NOT_LEADER_OR_FOLLOWER");
  assert.equal(e.retriable, true);
  assert.equal(e.indefinite, false);
  assert.equal(e.retryAfterMs, 100);
  assert.equal(e.topic, "orders");
  assert.equal(e.partition, 4);
  assert.equal(e.metadata.leader_id, "3");
});

test("statuses without details: UNAVAILABLE is retriable and indefinite for writes; NOT_FOUND reason stays definite", () => {
  const u = errorFromRPC(new ConnectError("down", Code.Unavailable), true);
  assert.ok(u instanceof UnavailableError);
  assert.equal(u.retriable, true);
  assert.equal(u.indefinite, true);
  const nf = errorFromRPC(new ConnectError("no topic", Code.NotFound, undefined, [{ type: "google.rpc.ErrorInfo", value: errorInfo("UNKNOWN_TOPIC_OR_PARTITION", { topic: "x" }) }]));
  assert.ok(nf instanceof UnknownTopicError);
  assert.equal(nf.retriable, false);
  assert.match(nf.message, /UNKNOWN_TOPIC_OR_PARTITION/);
});

test("a connection reset is UNAVAILABLE, retriable, and indefinite for a write", () => {
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  const e = errorFromRPC(new ConnectError("read ECONNRESET", Code.Aborted, undefined, undefined, reset), true);
  assert.ok(e instanceof UnavailableError);
  assert.equal(e.reason, "UNAVAILABLE");
  assert.equal(e.retriable, true);
  assert.equal(e.indefinite, true);
  assert.equal(errorFromRPC(new ConnectError("bad", Code.InvalidArgument)).retriable, false);
});
