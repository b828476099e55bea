// Producer batches records per partition (linger, max batch bytes),
// compresses, and sends one request per partition at a time (so order per
// partition holds across retries), with retries and backoff on retriable
// errors and idempotence (producer id, epoch, per-partition sequences).
import { create } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Acks, ProduceService, ProducePartitionDataSchema, ProduceRequestSchema } from "./gen/fjord/v1/produce_pb.js";
import { Compression } from "./gen/fjord/v1/record_pb.js";
import { Client, sleep, type ClientOptions } from "./client.js";
import { compressionCode, compressionNames, encodeRecords, finishBatch, type BatchRecord, type CompressionName, type Header } from "./batch.js";
import { stickyKeyPartitioner, type Partitioner } from "./partitioner.js";
import { closedError, errorFromProto, errorFromRPC, FjordError, makeError, Reason } from "./errors.js";

/** Bytes or a string (UTF-8 encoded). */
export type Bytes = Uint8Array | string;

/** A record to produce. */
export interface ProducerRecord {
  topic: string;
  /** null or absent: a null key (keyless records are spread by the partitioner). */
  key?: Bytes | null;
  /** null: a tombstone. */
  value: Bytes | null;
  /** Headers in order; an object is taken in key order. */
  headers?: { key: string; value: Bytes }[] | Record<string, Bytes>;
  /** Explicit partition, bypassing the partitioner. */
  partition?: number;
  /** Create time in ms since the Unix epoch; default now. */
  timestampMs?: number;
}

/** Where a record was written. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset of the record, -1 with acks "none". */
  offset: number;
  timestampMs: number;
}

/** Producer options; each states its default. */
export interface ProducerOptions extends ClientOptions {
  /** "all" (default): every in-sync replica has the batch; "leader"; "none". */
  acks?: "all" | "leader" | "none";
  /** Idempotent producer (sequence numbers, no duplicates on retry). Default true with acks "all", and only allowed with it. */
  idempotent?: boolean;
  /** How long a batch waits for more records before it is sent. Default 5 ms. */
  lingerMs?: number;
  /** Largest batch payload in bytes; larger records fail with RECORD_TOO_LARGE. Default 1 MiB. */
  maxBatchBytes?: number;
  /** Batch compression. Default "none". */
  compression?: CompressionName;
  /** Partitioner; default sticky-key (murmur2 for keys, sticky for null keys). */
  partitioner?: Partitioner;
  /** How long send() may take before it fails with DELIVERY_TIMEOUT, retries included. Default 120000 ms. */
  deliveryTimeoutMs?: number;
  /** Most bytes buffered before send() waits for room. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Most bytes of batches in one produce request of a partition. Default 8 MiB. */
  maxRequestBytes?: number;
}

interface Batch {
  topic: string;
  partition: number;
  records: BatchRecord[];
  resolves: ((m: RecordMetadata) => void)[];
  rejects: ((e: unknown) => void)[];
  bytes: number;
  createdAt: number;
  encoded?: Uint8Array;
  /** The producer epoch and base sequence the encoding carries. */
  stampEpoch?: number;
  stampPid?: bigint;
  baseSeq: number;
  /** An attempt's outcome was unknown: the batch may be in the log. */
  maybeWritten: boolean;
  /** Goes alone in its request: a half of a batch split after MESSAGE_TOO_LARGE, or one sent before it. */
  solo?: boolean;
}

interface PartState {
  topic: string;
  partition: number;
  open?: Batch;
  linger?: NodeJS.Timeout;
  sealed: Batch[];
  inflight: boolean;
  nextSeq: number;
}

const enc = new TextEncoder();
const debug = !!process.env.FJORD_DEBUG;

/** toBytes turns a string into its UTF-8 bytes. */
export function toBytes(b: Bytes): Uint8Array {
  return typeof b === "string" ? enc.encode(b) : b;
}

const NO_HEADERS: Header[] = [];

/** recordSize is the bytes a record counts for against maxBatchBytes and maxBufferedBytes. */
function recordSize(br: BatchRecord): number {
  let size = 24 + (br.key?.length ?? 0) + (br.value?.length ?? 0);
  for (const h of br.headers) size += 8 + h.key.length * 3 + h.value.length;
  return size;
}

function toHeaders(h: ProducerRecord["headers"]): Header[] {
  if (!h) return NO_HEADERS;
  if (Array.isArray(h)) return h.map((x) => ({ key: x.key, value: toBytes(x.value) }));
  return Object.entries(h).map(([key, v]) => ({ key, value: toBytes(v) }));
}

/** lengthPrefixed is b preceded by its varint length: a length-delimited field value. */
function lengthPrefixed(b: Uint8Array): Uint8Array {
  return new BinaryWriter().bytes(b).finish();
}

export class Producer implements AsyncDisposable {
  readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly acks: Acks;
  private readonly idempotent: boolean;
  private readonly linger: number;
  private readonly maxBatchBytes: number;
  private readonly codec: Compression;
  private readonly partitioner: Partitioner;
  private readonly deliveryTimeout: number;
  private readonly maxBuffered: number;
  private readonly maxRequestBytes: number;
  private readonly parts = new Map<string, PartState>();
  private buffered = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private outstanding = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private pid: { id: bigint; epoch: number } | undefined;
  private pidPromise: Promise<{ id: bigint; epoch: number }> | undefined;
  private fatal: FjordError | undefined;
  private closed = false;

  constructor(opts: ProducerOptions, client?: Client) {
    this.client = client ?? new Client(opts);
    this.ownsClient = !client;
    const acks = opts.acks ?? "all";
    this.acks = acks === "all" ? Acks.ALL : acks === "leader" ? Acks.LEADER : Acks.NONE;
    if (opts.idempotent && acks !== "all") throw makeError({ reason: Reason.InvalidConfig, message: "idempotence needs acks \"all\"" });
    this.idempotent = opts.idempotent ?? acks === "all";
    this.linger = opts.lingerMs ?? 5;
    this.maxBatchBytes = opts.maxBatchBytes ?? 1 << 20;
    this.codec = compressionCode(opts.compression ?? "none");
    if (opts.compression && !compressionNames.includes(opts.compression)) {
      throw makeError({ reason: Reason.InvalidConfig, message: `compression ${opts.compression} is not supported (${compressionNames.join(", ")})` });
    }
    this.partitioner = opts.partitioner ?? stickyKeyPartitioner();
    this.deliveryTimeout = opts.deliveryTimeoutMs ?? 120000;
    this.maxBuffered = opts.maxBufferedBytes ?? 64 << 20;
    this.maxRequestBytes = opts.maxRequestBytes ?? 8 << 20;
  }

  /**
   * send queues a record and resolves with where it was written once the
   * broker acknowledged it, or rejects with a FjordError (retriable errors
   * are retried until deliveryTimeoutMs first). A callback may be given
   * instead of (or besides) using the promise.
   */
  send(record: ProducerRecord, callback?: (err: FjordError | null, md?: RecordMetadata) => void): Promise<RecordMetadata> {
    const p = this.sendInternal(record);
    if (callback) p.then((md) => callback(null, md), (e) => callback(e as FjordError));
    return p;
  }

  /** sendAll sends records and resolves when every one is acknowledged. */
  sendAll(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(r)));
  }

  private sendInternal(record: ProducerRecord): Promise<RecordMetadata> {
    if (this.closed) return Promise.reject(closedError("producer"));
    if (this.fatal) return Promise.reject(this.fatal);
    if (!record || typeof record.topic !== "string" || record.topic === "") {
      return Promise.reject(makeError({ reason: Reason.InvalidRequest, message: "record without a topic" }));
    }
    const br: BatchRecord = {
      key: record.key == null ? null : toBytes(record.key),
      value: record.value == null ? null : toBytes(record.value),
      headers: toHeaders(record.headers),
      timestampMs: record.timestampMs ?? Date.now(),
    };
    const size = recordSize(br);
    if (size > this.maxBatchBytes) {
      return Promise.reject(makeError({ reason: Reason.RecordTooLarge, message: `record of about ${size} bytes is larger than maxBatchBytes ${this.maxBatchBytes}`, topic: record.topic }));
    }
    // A pending delivery keeps the process alive (the HTTP/2 sessions are
    // unreferenced between calls, and RPC deadlines use unreferenced timers).
    this.keepAlive ??= setInterval(() => undefined, 1 << 30);
    this.outstanding++;
    const parts = this.client.cachedPartitions(record.topic);
    if (parts && this.buffered + size <= this.maxBuffered) {
      // Fast path: metadata known, room in the buffer.
      this.buffered += size;
      const partition = this.choosePartition(record, br, parts.length);
      if (partition < 0) {
        this.release(size);
        this.settled(1);
        return Promise.reject(this.badPartition(record, parts.length));
      }
      return new Promise<RecordMetadata>((resolve, reject) => this.append(record.topic, partition, br, size, resolve, reject));
    }
    return this.sendSlow(record, br, size);
  }

  private choosePartition(record: ProducerRecord, br: BatchRecord, n: number): number {
    const p = record.partition ?? this.partitioner.partition({ topic: record.topic, key: br.key, partition: record.partition }, n);
    return Number.isInteger(p) && p >= 0 && p < n ? p : -1;
  }

  private badPartition(record: ProducerRecord, n: number): FjordError {
    return makeError({ reason: Reason.UnknownTopicOrPartition, message: `partition ${record.partition} does not exist (topic has ${n})`, topic: record.topic, partition: record.partition });
  }

  /** sendSlow waits for metadata or buffer room before appending. */
  private async sendSlow(record: ProducerRecord, br: BatchRecord, size: number): Promise<RecordMetadata> {
    let appended = false;
    try {
      while (this.buffered + size > this.maxBuffered && this.buffered > 0) {
        await new Promise<void>((r) => this.roomWaiters.push(r));
        if (this.closed) throw closedError("producer");
      }
      this.buffered += size;
      let parts;
      try {
        parts = this.client.cachedPartitions(record.topic) ?? (await this.client.partitions(record.topic));
      } catch (e) {
        this.release(size);
        throw e;
      }
      const partition = this.choosePartition(record, br, parts.length);
      if (partition < 0) {
        this.release(size);
        throw this.badPartition(record, parts.length);
      }
      appended = true;
      return await new Promise<RecordMetadata>((resolve, reject) => this.append(record.topic, partition, br, size, resolve, reject));
    } catch (e) {
      if (!appended) this.settled(1);
      throw e instanceof FjordError ? e : errorFromRPC(e, true);
    }
  }

  /** settled counts n records as resolved or rejected. */
  private settled(n: number): void {
    this.outstanding -= n;
    if (this.outstanding === 0) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
      this.notifyIdle();
    }
  }

  private release(size: number): void {
    this.buffered -= size;
    const w = this.roomWaiters;
    this.roomWaiters = [];
    for (const f of w) f();
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private state(topic: string, partition: number): PartState {
    const k = `${partition}\u0000${topic}`;
    let st = this.parts.get(k);
    if (!st) {
      st = { topic, partition, sealed: [], inflight: false, nextSeq: 0 };
      this.parts.set(k, st);
    }
    return st;
  }

  private append(topic: string, partition: number, r: BatchRecord, size: number, resolve: (m: RecordMetadata) => void, reject: (e: unknown) => void): void {
    const st = this.state(topic, partition);
    if (st.open && st.open.bytes + size > this.maxBatchBytes) this.seal(st);
    if (!st.open) {
      st.open = { topic, partition, records: [], resolves: [], rejects: [], bytes: 0, createdAt: Date.now(), baseSeq: 0, maybeWritten: false };
      if (this.linger > 0) st.linger = setTimeout(() => this.seal(st), this.linger);
    }
    st.open.records.push(r);
    st.open.resolves.push(resolve);
    st.open.rejects.push(reject);
    st.open.bytes += size;
    if (this.linger <= 0 || st.open.bytes >= this.maxBatchBytes) this.seal(st);
  }

  private seal(st: PartState): void {
    if (st.linger) {
      clearTimeout(st.linger);
      st.linger = undefined;
    }
    const b = st.open;
    if (!b) return;
    st.open = undefined;
    st.sealed.push(b);
    this.partitioner.onBatchSealed?.(st.topic, st.partition);
    this.drain(st);
  }

  /** flush sends every buffered record now and resolves when all are acknowledged or failed. */
  async flush(): Promise<void> {
    for (const st of this.parts.values()) this.seal(st);
    while (this.outstanding > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private drain(st: PartState): void {
    if (st.inflight || st.sealed.length === 0) return;
    st.inflight = true;
    const batches: Batch[] = [];
    let bytes = 0;
    while (st.sealed.length > 0 && (batches.length === 0 ||
      (!batches[0]!.solo && !st.sealed[0]!.solo && bytes + st.sealed[0]!.bytes <= this.maxRequestBytes))) {
      const b = st.sealed.shift()!;
      bytes += b.bytes;
      batches.push(b);
    }
    void this.sendBatches(st, batches).finally(() => {
      st.inflight = false;
      this.drain(st);
    });
  }

  private async producerId(): Promise<{ id: bigint; epoch: number }> {
    if (this.pid) return this.pid;
    if (!this.pidPromise) {
      const prev = this.pid as { id: bigint; epoch: number } | undefined;
      this.pidPromise = this.client
        .retry(async (a) => {
          const r = await this.client.rpc(ProduceService, this.client.anyBroker(a)).initProducerId(
            { producerId: prev?.id ?? 0n, producerEpoch: prev?.epoch ?? 0 },
            this.client.callOptions(10000),
          );
          return { id: r.producerId, epoch: r.producerEpoch };
        }, this.deliveryTimeout)
        .then((p) => {
          this.pid = p;
          return p;
        })
        .finally(() => (this.pidPromise = undefined));
    }
    return this.pidPromise;
  }

  /**
   * resetIdempotence starts new sequences under a new producer epoch: after
   * a batch whose outcome is unknown was given up, or the broker lost the
   * producer's state (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID).
   */
  private resetIdempotence(): void {
    const old = this.pid;
    this.pid = undefined;
    this.pidPromise = this.client
      .retry(async (a) => {
        const r = await this.client.rpc(ProduceService, this.client.anyBroker(a)).initProducerId(
          { producerId: old?.id ?? 0n, producerEpoch: old?.epoch ?? 0 },
          this.client.callOptions(10000),
        );
        return { id: r.producerId, epoch: r.producerEpoch };
      }, this.deliveryTimeout)
      .then((p) => {
        this.pid = p;
        return p;
      })
      .finally(() => (this.pidPromise = undefined));
    this.pidPromise.catch(() => undefined);
    for (const st of this.parts.values()) {
      st.nextSeq = 0;
      for (const b of st.sealed) b.encoded = undefined;
    }
  }

  private async encode(st: PartState, b: Batch): Promise<Uint8Array> {
    let stamp = { producerId: 0n, producerEpoch: 0, baseSequence: 0 };
    if (this.idempotent) {
      const pid = await this.producerId();
      if (b.encoded && b.stampPid === pid.id && b.stampEpoch === pid.epoch) return b.encoded;
      b.baseSeq = st.nextSeq;
      st.nextSeq = (st.nextSeq + b.records.length) % 2 ** 31;
      b.stampPid = pid.id;
      b.stampEpoch = pid.epoch;
      stamp = { producerId: pid.id, producerEpoch: pid.epoch, baseSequence: b.baseSeq };
    } else if (b.encoded) {
      return b.encoded;
    }
    const { raw, first, maxTs } = encodeRecords(b.records);
    b.encoded = await finishBatch(raw, b.records.length, first, maxTs, this.codec, stamp);
    return b.encoded;
  }

  private async sendBatches(st: PartState, batches: Batch[]): Promise<void> {
    const start = Math.min(...batches.map((b) => b.createdAt));
    let lastErr: FjordError | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.fatal) return this.fail(batches, this.fatal);
      if (Date.now() - start > this.deliveryTimeout) {
        const indefinite = batches.some((b) => b.maybeWritten);
        if (this.idempotent && indefinite) this.resetIdempotence();
        return this.fail(batches, makeError({
          reason: Reason.DeliveryTimeout,
          message: `not delivered within ${this.deliveryTimeout} ms${lastErr ? ": " + lastErr.message : ""}`,
          topic: st.topic, partition: st.partition, indefinite, cause: lastErr,
        }));
      }
      let err: FjordError;
      try {
        const encoded: Uint8Array[] = [];
        for (const b of batches) encoded.push(await this.encode(st, b));
        const leader = await this.client.leader(st.topic, st.partition);
        const pd = create(ProducePartitionDataSchema, { partition: st.partition });
        pd.$unknown = encoded.map((e) => ({ no: 2, wireType: WireType.LengthDelimited, data: lengthPrefixed(e) }));
        const req = create(ProduceRequestSchema, { acks: this.acks, timeoutMs: Math.min(30000, this.client.opts.requestTimeoutMs), topics: [{ topic: st.topic, partitions: [pd] }] });
        const resp = await this.client.rpc(ProduceService, leader.addr).produce(req, this.client.callOptions());
        const pr = resp.topics.find((t) => t.topic === st.topic)?.partitions.find((p) => p.partition === st.partition);
        const perr = pr ? errorFromProto(pr.error, st.topic, st.partition) : undefined;
        if (!perr) {
          let off = pr ? Number(pr.baseOffset) : -1;
          const appendTime = pr ? Number(pr.logAppendTime) : 0;
          if (this.acks === Acks.NONE) off = -1;
          for (const b of batches) {
            b.records.forEach((r, i) => {
              b.resolves[i]!({ topic: st.topic, partition: st.partition, offset: off < 0 ? -1 : off + i, timestampMs: appendTime > 0 ? appendTime : r.timestampMs });
            });
            if (off >= 0) off += b.records.length;
            this.release(b.bytes);
            this.settled(b.records.length);
          }
          return;
        }
        if (pr && pr.leaderId >= 0) this.client.noteLeader(st.topic, st.partition, pr.leaderId, pr.leaderEpoch);
        if (perr.reason === Reason.MessageTooLarge && !this.abandon && (batches.length > 1 || batches[0]!.records.length > 1)) {
          return this.split(st, batches, perr, pr ? Number(pr.baseOffset) : -1);
        }
        err = perr;
      } catch (e) {
        err = errorFromRPC(e, true);
      }
      lastErr = err;
      if (debug) console.error(`fjord producer: ${st.topic}/${st.partition} attempt ${attempt}: ${err.message}`);
      if (err.indefinite || err.reason === Reason.Unavailable || err.reason === Reason.RequestTimedOut) for (const b of batches) b.maybeWritten = true;
      if (this.idempotent && (err.reason === Reason.OutOfOrderSequenceNumber || err.reason === Reason.UnknownProducerId)) {
        // The broker lost or never had this producer's state for the
        // partition: start over under a new epoch (KIP-360).
        this.resetIdempotence();
        if (attempt < 5) continue;
      }
      if (this.idempotent && err.reason === Reason.InvalidProducerEpoch) {
        this.fatal = makeError({ reason: err.reason, message: "producer fenced: another producer took over its producer id", cause: err });
        return this.fail(batches, this.fatal);
      }
      if (!err.retriable) {
        const maybe = batches.some((b) => b.maybeWritten);
        if (this.idempotent) {
          if (maybe) this.resetIdempotence();
          else {
            // Nothing of these batches was written: later batches take over their sequences.
            st.nextSeq = batches[0]!.baseSeq;
            for (const b of st.sealed) b.encoded = undefined;
          }
        }
        return this.fail(batches, maybe && !err.indefinite ? makeError({ reason: err.reason, code: err.code, message: err.message + " (an earlier attempt may have written the records)", topic: err.topic, partition: err.partition, indefinite: true, metadata: err.metadata, cause: err }) : err);
      }
      if (err.reason === Reason.NotLeaderOrFollower || err.reason === Reason.LeaderNotAvailable || err.reason === Reason.Unavailable || err.reason === Reason.FencedLeaderEpoch || err.reason === Reason.UnknownLeaderEpoch) {
        const hint = Number.parseInt(err.metadata["leader_id"] ?? "", 10);
        if (!(hint >= 0)) this.client.invalidate(st.topic);
        else this.client.noteLeader(st.topic, st.partition, hint, Number.parseInt(err.metadata["leader_epoch"] ?? "0", 10));
        if (err.reason === Reason.Unavailable) this.client.invalidate(st.topic);
      }
      await sleep(Math.max(err.retryAfterMs, this.client.backoff(attempt + 1)));
      if (this.abandon) return this.fail(batches, closedError("producer"));
    }
  }

  private abandon = false;

  /**
   * split handles MESSAGE_TOO_LARGE for a request of st's batches: the
   * broker appended the first err.metadata.appended_batches of them (at
   * baseOffset) and none after; the rejected one exceeds the topic's
   * max.message.bytes (which maxBatchBytes does not know) but its records
   * may fit alone. Like the Go SDK, the rejected batch is replaced by its two
   * halves, queued ahead of the later batches and sent one at a time; a
   * single record fails alone. Idempotent: the appended batches go again with
   * their stamps (the broker answers them as duplicates with their offsets),
   * the partition's sequence steps back to the rejected batch's base, so the
   * halves take its numbers (first half its base, second half base + first
   * half's length) and the later batches theirs.
   */
  private split(st: PartState, batches: Batch[], err: FjordError, baseOffset: number): void {
    const k = Math.min(Math.max(Number.parseInt(err.metadata["appended_batches"] ?? "0", 10) || 0, 0), batches.length - 1);
    const appended = batches.slice(0, k);
    const rejected = batches[k]!;
    const later = batches.slice(k + 1);
    if (debug) console.error(`fjord producer: ${st.topic}/${st.partition} batch of ${rejected.records.length} records too large (${k} appended before it): ${err.message}`);
    const requeue: Batch[] = [];
    if (this.idempotent) {
      for (const b of appended) b.solo = true;
      requeue.push(...appended);
    } else {
      // Written, and with no sequence to recognize a retry by: done.
      let off = baseOffset;
      for (const b of appended) {
        b.records.forEach((r, i) => b.resolves[i]!({ topic: st.topic, partition: st.partition, offset: off < 0 ? -1 : off + i, timestampMs: r.timestampMs }));
        if (off >= 0) off += b.records.length;
        this.release(b.bytes);
        this.settled(b.records.length);
      }
    }
    if (this.idempotent && this.pid && rejected.stampPid === this.pid.id && rejected.stampEpoch === this.pid.epoch) {
      st.nextSeq = rejected.baseSeq;
      for (const b of later) b.encoded = undefined;
    }
    if (rejected.records.length > 1) {
      const half = rejected.records.length >> 1;
      for (const [lo, hi] of [[0, half], [half, rejected.records.length]] as const) {
        const records = rejected.records.slice(lo, hi);
        requeue.push({
          topic: rejected.topic, partition: rejected.partition, records,
          resolves: rejected.resolves.slice(lo, hi), rejects: rejected.rejects.slice(lo, hi),
          bytes: records.reduce((n, r) => n + recordSize(r), 0), createdAt: rejected.createdAt,
          baseSeq: 0, maybeWritten: rejected.maybeWritten, solo: true,
        });
      }
    } else {
      this.fail([rejected], err);
    }
    st.sealed.unshift(...requeue, ...later);
  }

  private fail(batches: Batch[], err: FjordError): void {
    for (const b of batches) {
      for (const rej of b.rejects) rej(err);
      this.release(b.bytes);
      this.settled(b.rejects.length);
    }
  }

  /**
   * close flushes (unless { flush: false }, which fails what is buffered
   * with CLOSED) and closes the connections.
   */
  async close(opts: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.flush === false) {
      this.abandon = true;
      for (const st of this.parts.values()) {
        if (st.linger) clearTimeout(st.linger);
        const open = st.open ? [st.open] : [];
        st.open = undefined;
        this.fail([...open, ...st.sealed], closedError("producer"));
        st.sealed = [];
      }
    }
    await this.flush();
    this.closed = true;
    this.notifyIdle();
    for (const f of this.roomWaiters) f();
    if (this.ownsClient) this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

