// Consumer reads partitions it was assigned by hand (assign) or by its
// group (subscribe), with long-poll fetches to every partition leader in
// parallel, positions, seek, pause/resume, and auto or manual commit.
// Records come out of poll() or `for await (const r of consumer)`.
import { FetchService, OffsetSpec } from "./gen/fjord/v1/fetch_pb.js";
import { GroupService } from "./gen/fjord/v1/group_pb.js";
import { Client, sleep, type ClientOptions } from "./client.js";
import { type Header } from "./batch.js";
import { RawFetchService, decodeRawBatch, parseBatch } from "./rawfetch.js";
import { closedError, errorFromProto, errorFromRPC, FjordError, makeError, Reason } from "./errors.js";
import { GroupMembership, type GroupOptions, type RebalanceListener } from "./group.js";

/** A record read from a partition. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  /** null for a null key. */
  key: Uint8Array | null;
  /** null for a tombstone. */
  value: Uint8Array | null;
  headers: Header[];
  timestampMs: number;
  leaderEpoch: number;
}

/** A topic partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Where to start a partition: an offset, or the earliest or latest one. */
export type StartOffset = number | "earliest" | "latest";

/** Consumer options; each states its default. */
export interface ConsumerOptions extends ClientOptions, GroupOptions {
  /** Consumer group; needed by subscribe() and commits. */
  groupId?: string;
  /** Where to start a partition without a committed offset (or out of range). Default "latest". */
  autoOffsetReset?: "earliest" | "latest";
  /** Commit consumed positions every autoCommitIntervalMs, before a revocation and at close. Default true with a group. */
  autoCommit?: boolean;
  /** Default 5000 ms. */
  autoCommitIntervalMs?: number;
  /** Longest wait of a fetch for data. Default 500 ms. */
  maxWaitMs?: number;
  /** Most bytes per partition per fetch. Default 8 MiB. */
  partitionMaxBytes?: number;
  /** Most bytes per fetch. Default 50 MiB. */
  maxBytes?: number;
  /** Stop fetching while this many records wait to be consumed. Default 50000. */
  maxBufferedRecords?: number;
  /**
   * A group member that does not poll (or iterate) for this long leaves the
   * group so that its partitions move; it loses them (onLost) and joins
   * again at its next poll. Default 300000 ms.
   */
  maxPollIntervalMs?: number;
}

interface PState {
  topic: string;
  partition: number;
  /** Next offset to fetch; undefined until resolved. */
  fetchOffset?: number;
  /** Next offset to hand out (the consumed position). */
  position?: number;
  positionEpoch: number;
  committed: number;
  paused: boolean;
  /** Bumped by seek and removal: fetch results of an older generation are dropped. */
  gen: number;
  start: StartOffset | "committed";
  resolving: boolean;
  backoffUntil: number;
}

const tpKey = (topic: string, partition: number) => `${partition}\u0000${topic}`;

export class Consumer implements AsyncDisposable, AsyncIterable<ConsumerRecord> {
  readonly client: Client;
  private readonly ownsClient: boolean;
  private readonly opts: ConsumerOptions;
  private readonly parts = new Map<string, PState>();
  private buffer: ConsumerRecord[] = [];
  private head = 0;
  private readonly inflight = new Map<string, Promise<void>>();
  private decodeChain: Promise<void> = Promise.resolve();
  private wakeFetch: (() => void) | undefined;
  private dataWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private group: GroupMembership | undefined;
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private fatal: FjordError | undefined;
  private mode: "none" | "assign" | "subscribe" = "none";
  private inPoll = 0;
  private lastPoll = Date.now();

  constructor(opts: ConsumerOptions, client?: Client) {
    this.client = client ?? new Client(opts);
    this.ownsClient = !client;
    this.opts = opts;
  }

  private get autoCommit(): boolean {
    return this.opts.groupId !== undefined && (this.opts.autoCommit ?? true);
  }

  /** assign consumes exactly these partitions, outside any group. */
  assign(tps: (TopicPartition & { offset?: StartOffset })[]): void {
    if (this.closed) throw closedError("consumer");
    if (this.mode === "subscribe") throw makeError({ reason: Reason.InvalidRequest, message: "assign after subscribe" });
    this.mode = "assign";
    const keep = new Set(tps.map((t) => tpKey(t.topic, t.partition)));
    for (const [k, p] of this.parts) if (!keep.has(k)) this.removePartition(p);
    for (const t of tps) {
      const k = tpKey(t.topic, t.partition);
      if (!this.parts.has(k)) this.addPartition(t.topic, t.partition, t.offset ?? (this.opts.groupId ? "committed" : this.opts.autoOffsetReset ?? "latest"));
      else if (t.offset !== undefined) this.seek(t.topic, t.partition, t.offset);
    }
    this.start();
  }

  /** assignment lists the partitions the consumer owns now. */
  assignment(): TopicPartition[] {
    return [...this.parts.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  /**
   * subscribe joins the group (groupId) consuming topics (or a regex
   * pattern); partitions come and go through the listener's cooperative
   * callbacks (onAssigned, onRevoked, onLost).
   */
  subscribe(topics: string[] | { pattern: string }, listener: RebalanceListener = {}): void {
    if (this.closed) throw closedError("consumer");
    if (!this.opts.groupId) throw makeError({ reason: Reason.InvalidGroupId, message: "subscribe needs the groupId option" });
    if (this.mode === "assign") throw makeError({ reason: Reason.InvalidRequest, message: "subscribe after assign" });
    this.mode = "subscribe";
    const sub = Array.isArray(topics) ? { topics, pattern: "" } : { topics: [], pattern: topics.pattern };
    if (this.group) {
      this.group.updateSubscription(sub);
      return;
    }
    this.group = new GroupMembership(this.client, this.opts.groupId, sub, this.opts, listener, {
      revoke: async (tps) => {
        const ps = tps.map((t) => this.parts.get(tpKey(t.topic, t.partition))).filter((p): p is PState => !!p);
        if (this.autoCommit) await this.commitStates(ps).catch(() => undefined);
        for (const p of ps) this.removePartition(p);
      },
      assign: (tps) => {
        for (const t of tps) if (!this.parts.has(tpKey(t.topic, t.partition))) this.addPartition(t.topic, t.partition, "committed");
        this.kick();
      },
      lose: (tps) => {
        for (const t of tps) {
          const p = this.parts.get(tpKey(t.topic, t.partition));
          if (p) this.removePartition(p);
        }
      },
      fatal: (e) => {
        this.fatal = e;
        this.wakeData();
      },
      pollExpired: () => this.inPoll === 0 && Date.now() - this.lastPoll > (this.opts.maxPollIntervalMs ?? 300000),
    });
    this.group.start();
    this.start();
  }

  private addPartition(topic: string, partition: number, start: StartOffset | "committed"): void {
    const p: PState = { topic, partition, positionEpoch: -1, committed: -1, paused: false, gen: 0, start, resolving: false, backoffUntil: 0 };
    if (typeof start === "number") {
      p.fetchOffset = start;
      p.position = start;
    }
    this.parts.set(tpKey(topic, partition), p);
    this.kick();
  }

  private removePartition(p: PState): void {
    p.gen++;
    this.parts.delete(tpKey(p.topic, p.partition));
    this.dropBuffered((r) => r.topic === p.topic && r.partition === p.partition);
  }

  private dropBuffered(pred: (r: ConsumerRecord) => boolean): void {
    const rest = this.buffer.slice(this.head).filter((r) => !pred(r));
    this.buffer = rest;
    this.head = 0;
  }

  /** seek moves a partition's position; buffered records of it are dropped. */
  seek(topic: string, partition: number, offset: StartOffset): void {
    const p = this.parts.get(tpKey(topic, partition));
    if (!p) throw makeError({ reason: Reason.InvalidRequest, message: "seek on a partition that is not assigned", topic, partition });
    p.gen++;
    this.dropBuffered((r) => r.topic === topic && r.partition === partition);
    if (typeof offset === "number") {
      p.fetchOffset = offset;
      p.position = offset;
    } else {
      p.start = offset;
      p.fetchOffset = undefined;
      p.position = undefined;
    }
    this.kick();
  }

  /** position is the next offset poll() will return for a partition (undefined until known). */
  position(topic: string, partition: number): number | undefined {
    return this.parts.get(tpKey(topic, partition))?.position;
  }

  /** pause stops fetching the partitions (buffered records of them are kept for after resume). */
  pause(tps: TopicPartition[]): void {
    for (const t of tps) {
      const p = this.parts.get(tpKey(t.topic, t.partition));
      if (p) {
        p.paused = true;
        p.gen++;
        // Rewind to the first record not handed out; the buffer is refetched after resume.
        p.fetchOffset = p.position;
        this.dropBuffered((r) => r.topic === t.topic && r.partition === t.partition);
      }
    }
  }

  resume(tps: TopicPartition[]): void {
    for (const t of tps) {
      const p = this.parts.get(tpKey(t.topic, t.partition));
      if (p) p.paused = false;
    }
    this.kick();
  }

  paused(): TopicPartition[] {
    return [...this.parts.values()].filter((p) => p.paused).map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  private start(): void {
    if (!this.loop) this.loop = this.fetchLoop();
    if (this.autoCommit && !this.autoCommitTimer) {
      this.autoCommitTimer = setInterval(() => void this.commit().catch(() => undefined), this.opts.autoCommitIntervalMs ?? 5000);
      this.autoCommitTimer.unref();
    }
  }

  private kick(): void {
    const w = this.wakeFetch;
    this.wakeFetch = undefined;
    w?.();
  }

  private wakeData(): void {
    const w = this.dataWaiters;
    this.dataWaiters = [];
    for (const f of w) f();
  }

  private async resolveStart(p: PState): Promise<void> {
    p.resolving = true;
    const gen = p.gen;
    try {
      let start: StartOffset | "committed" = p.start;
      if (start === "committed" && this.opts.groupId) {
        const r = await this.client.retry((a) => this.client.rpc(GroupService, this.client.anyBroker(a)).fetchOffsets(
          { groupId: this.opts.groupId!, topics: [{ topic: p.topic, partitions: [p.partition] }] }, this.client.callOptions()), 15000, this.abort.signal);
        const c = r.topics.find((t) => t.topic === p.topic)?.partitions.find((x) => x.partition === p.partition);
        const off = c ? Number(c.offset) : -1;
        if (off >= 0) {
          p.committed = off;
          start = off;
        } else start = this.opts.autoOffsetReset ?? "latest";
      } else if (start === "committed") start = this.opts.autoOffsetReset ?? "latest";
      if (typeof start !== "number") start = await this.listOffset(p.topic, p.partition, start);
      if (gen === p.gen && this.parts.get(tpKey(p.topic, p.partition)) === p) {
        p.fetchOffset = start;
        p.position = start;
      }
    } catch (e) {
      p.backoffUntil = Date.now() + 500;
      if (!(e instanceof FjordError) || !e.retriable) this.fatalPartition(p, errorFromRPC(e));
    } finally {
      p.resolving = false;
      this.kick();
    }
  }

  private fatalPartition(p: PState, e: FjordError): void {
    // An unknown topic in assign() is the caller's mistake: surface it.
    if (this.mode === "assign" && e.reason === Reason.UnknownTopicOrPartition) {
      this.fatal = e;
      this.wakeData();
    }
    p.backoffUntil = Date.now() + 1000;
  }

  private async listOffset(topic: string, partition: number, spec: "earliest" | "latest"): Promise<number> {
    return this.client.retry(async () => {
      const leader = await this.client.leader(topic, partition);
      const resp = await this.client.rpc(FetchService, leader.addr).listOffsets({
        topics: [{ topic, partitions: [{ partition, spec: spec === "earliest" ? OffsetSpec.EARLIEST : OffsetSpec.LATEST }] }],
      }, this.client.callOptions());
      const r = resp.topics[0]?.partitions[0];
      const err = errorFromProto(r?.error, topic, partition);
      if (err) {
        this.client.invalidate(topic);
        throw err;
      }
      return Number(r?.offset ?? 0);
    }, 15000, this.abort.signal);
  }

  private buffered(): number {
    return this.buffer.length - this.head;
  }

  private async fetchLoop(): Promise<void> {
    while (!this.closed) {
      const now = Date.now();
      const byLeader = new Map<string, PState[]>();
      let waitMs = 1000;
      if (this.buffered() < (this.opts.maxBufferedRecords ?? 50000)) {
        for (const p of this.parts.values()) {
          if (p.paused || p.resolving) continue;
          if (p.backoffUntil > now) {
            waitMs = Math.min(waitMs, p.backoffUntil - now);
            continue;
          }
          if (p.fetchOffset === undefined) {
            void this.resolveStart(p);
            continue;
          }
          const info = this.client.cachedPartitions(p.topic)?.[p.partition];
          const addr = info ? this.client.brokerAddr(info.leaderId) : undefined;
          if (!info || !addr || info.leaderId < 0) {
            p.resolving = true;
            void this.client.partitions(p.topic).catch((e) => this.fatalPartition(p, errorFromRPC(e))).finally(() => {
              p.resolving = false;
              if (!this.client.cachedPartitions(p.topic)?.[p.partition]) p.backoffUntil = Date.now() + 200;
              this.kick();
            });
            continue;
          }
          if (this.inflight.has(addr)) continue;
          let l = byLeader.get(addr);
          if (!l) byLeader.set(addr, (l = []));
          l.push(p);
        }
      }
      for (const [addr, ps] of byLeader) {
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          this.inflight.delete(addr);
          this.kick();
        };
        this.inflight.set(addr, this.fetchFrom(addr, ps, release).finally(release));
      }
      await new Promise<void>((resolve) => {
        this.wakeFetch = resolve;
        setTimeout(resolve, waitMs).unref();
      });
    }
  }

  private async fetchFrom(addr: string, ps: PState[], release: () => void): Promise<void> {
    const gens = ps.map((p) => p.gen);
    const offs = ps.map((p) => p.fetchOffset!);
    const byTopic = new Map<string, PState[]>();
    for (const p of ps) {
      let l = byTopic.get(p.topic);
      if (!l) byTopic.set(p.topic, (l = []));
      l.push(p);
    }
    let resp;
    try {
      resp = await this.client.rpc(RawFetchService as typeof FetchService, addr).fetch({
        maxWaitMs: this.opts.maxWaitMs ?? 500,
        minBytes: 1,
        maxBytes: this.opts.maxBytes ?? 50 << 20,
        topics: [...byTopic].map(([topic, l]) => ({
          topic,
          partitions: l.map((p) => ({ partition: p.partition, offset: BigInt(p.fetchOffset!), maxBytes: this.opts.partitionMaxBytes ?? 8 << 20 })),
        })),
      }, { timeoutMs: (this.opts.maxWaitMs ?? 500) + this.client.opts.requestTimeoutMs, signal: this.abort.signal });
    } catch (e) {
      if (this.closed) return;
      const err = errorFromRPC(e);
      for (const p of ps) {
        this.client.invalidate(p.topic);
        // A quota throttle (RESOURCE_EXHAUSTED + RetryInfo) says exactly how long to wait.
        p.backoffUntil = Date.now() + Math.max(err.retryAfterMs, this.client.backoff(1));
      }
      if (!err.retriable) for (const p of ps) this.fatalPartition(p, err);
      return;
    }
    // Advance the fetch positions from the batch headers first and free the
    // leader, so its next fetch goes out while these records are decoded;
    // decodes run one after another in arrival order (decodeChain), which
    // keeps each partition's records in offset order.
    const work: { p: PState; gen: number; from: number; batches: Uint8Array[] }[] = [];
    for (const t of resp.topics) {
      for (const pr of t.partitions) {
        const i = ps.findIndex((p) => p.topic === t.topic && p.partition === pr.partition);
        const p = ps[i];
        if (!p || p.gen !== gens[i] || this.parts.get(tpKey(p.topic, p.partition)) !== p) continue;
        const err = errorFromProto(pr.error, t.topic, pr.partition);
        if (err) {
          if (err.reason === Reason.OffsetOutOfRange) {
            p.start = this.opts.autoOffsetReset ?? "latest";
            p.fetchOffset = undefined;
            p.position = undefined;
          } else {
            this.client.invalidate(t.topic);
            p.backoffUntil = Date.now() + Math.max(err.retryAfterMs, this.client.backoff(1));
            if (!err.retriable) this.fatalPartition(p, err);
          }
          continue;
        }
        // RawFetchService delivers each stored batch as its bytes.
        const batches = pr.batches as unknown as Uint8Array[];
        let next = offs[i]!;
        try {
          for (const raw of batches) {
            const h = parseBatch(raw);
            next = Math.max(next, h.baseOffset + h.lastOffsetDelta + 1);
          }
        } catch (e) {
          this.fatal = e instanceof FjordError ? e : errorFromRPC(e);
          this.wakeData();
          return;
        }
        if (batches.length > 0) work.push({ p, gen: gens[i]!, from: offs[i]!, batches });
        p.fetchOffset = next;
      }
    }
    release();
    const decode = async () => {
      let added = false;
      for (const w of work) {
        let from = w.from;
        for (const raw of w.batches) {
          if (w.p.gen !== w.gen) break;
          let dec;
          try {
            dec = await decodeRawBatch(raw, from);
          } catch (e) {
            this.fatal = e instanceof FjordError ? e : errorFromRPC(e);
            this.wakeData();
            return;
          }
          if (w.p.gen !== w.gen) break;
          for (const r of dec.records) {
            this.buffer.push({ topic: w.p.topic, partition: w.p.partition, offset: r.offset, key: r.key, value: r.value, headers: r.headers, timestampMs: r.timestampMs, leaderEpoch: r.leaderEpoch });
            added = true;
          }
          from = Math.max(from, dec.next);
        }
      }
      if (added) this.wakeData();
    };
    this.decodeChain = this.decodeChain.then(decode);
    await this.decodeChain;
  }

  /**
   * poll returns the records buffered now (at most maxRecords), waiting up
   * to timeoutMs for some. An empty array means none arrived in time.
   */
  async poll(maxRecords = 10000, timeoutMs = 1000): Promise<ConsumerRecord[]> {
    this.inPoll++;
    this.group?.notifyPoll();
    try {
      return await this.pollInner(maxRecords, timeoutMs);
    } finally {
      this.inPoll--;
      this.lastPoll = Date.now();
    }
  }

  private async pollInner(maxRecords: number, timeoutMs: number): Promise<ConsumerRecord[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (this.fatal) {
        const e = this.fatal;
        this.fatal = undefined;
        throw e;
      }
      if (this.closed) throw closedError("consumer");
      if (this.buffered() > 0) break;
      const left = end - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        this.dataWaiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
    const n = Math.min(maxRecords, this.buffered());
    const out = this.buffer.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    for (const r of out) {
      const p = this.parts.get(tpKey(r.topic, r.partition));
      if (p) {
        p.position = r.offset + 1;
        p.positionEpoch = r.leaderEpoch;
      }
    }
    this.kick();
    return out;
  }

  /** Iterates records until close(); group and fetch failures that are not retriable are thrown. */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    while (!this.closed) {
      let recs: ConsumerRecord[];
      try {
        recs = await this.poll(1000, 1000);
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
      for (const r of recs) yield r;
    }
  }

  /**
   * commit stores offsets for the group: the given ones, or the consumed
   * position of every owned partition. Members commit with their id and
   * epoch; an assign() consumer commits as a client outside the group.
   */
  async commit(offsets?: (TopicPartition & { offset: number })[]): Promise<void> {
    if (!this.opts.groupId) throw makeError({ reason: Reason.InvalidGroupId, message: "commit needs the groupId option" });
    if (offsets) {
      await this.commitRaw(offsets.map((o) => ({ ...o, epoch: -1 })));
      for (const o of offsets) {
        const p = this.parts.get(tpKey(o.topic, o.partition));
        if (p) p.committed = o.offset;
      }
      return;
    }
    await this.commitStates([...this.parts.values()]);
  }

  private async commitStates(ps: PState[]): Promise<void> {
    const want = ps.filter((p) => p.position !== undefined && p.position > p.committed);
    if (want.length === 0) return;
    const pos = want.map((p) => p.position!);
    await this.commitRaw(want.map((p, i) => ({ topic: p.topic, partition: p.partition, offset: pos[i]!, epoch: p.positionEpoch })));
    want.forEach((p, i) => (p.committed = Math.max(p.committed, pos[i]!)));
  }

  private async commitRaw(offs: (TopicPartition & { offset: number; epoch: number })[]): Promise<void> {
    const byTopic = new Map<string, typeof offs>();
    for (const o of offs) {
      let l = byTopic.get(o.topic);
      if (!l) byTopic.set(o.topic, (l = []));
      l.push(o);
    }
    await this.client.retry(async (a) => {
      const m = this.group?.member();
      const r = await this.client.rpc(GroupService, this.client.anyBroker(a)).commitOffsets({
        groupId: this.opts.groupId!,
        memberId: m?.memberId ?? "",
        memberEpoch: m?.epoch ?? 0,
        topics: [...byTopic].map(([topic, l]) => ({ topic, partitions: l.map((o) => ({ partition: o.partition, offset: BigInt(o.offset), leaderEpoch: o.epoch })) })),
      }, this.client.callOptions());
      for (const t of r.topics) for (const p of t.partitions) {
        const e = errorFromProto(p.error, t.topic, p.partition);
        if (e && e.reason === Reason.StaleMemberEpoch && a < 3) {
          throw makeError({ reason: e.reason, message: e.message, retriable: true, topic: e.topic, partition: e.partition });
        }
        if (e) throw e;
      }
    }, 15000);
  }

  /** committed returns the group's committed offsets of partitions (-1 if none). */
  async committed(tps: TopicPartition[]): Promise<Map<string, number>> {
    if (!this.opts.groupId) throw makeError({ reason: Reason.InvalidGroupId, message: "committed needs the groupId option" });
    const byTopic = new Map<string, number[]>();
    for (const t of tps) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t.partition]);
    const r = await this.client.retry((a) => this.client.rpc(GroupService, this.client.anyBroker(a)).fetchOffsets(
      { groupId: this.opts.groupId!, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) }, this.client.callOptions()));
    const out = new Map<string, number>();
    for (const t of r.topics) for (const p of t.partitions) out.set(`${t.topic}/${p.partition}`, Number(p.offset));
    return out;
  }

  /** memberId is the consumer's group member id (subscribe only). */
  get memberId(): string | undefined {
    return this.group?.member().memberId;
  }

  /** close commits (auto-commit), leaves the group and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    if (this.autoCommit && this.parts.size > 0) await this.commit().catch((e) => { if (process.env.FJORD_DEBUG) console.error("close commit", e); });
    if (this.group) await this.group.leave();
    this.closed = true;
    this.abort.abort();
    this.kick();
    this.wakeData();
    await Promise.allSettled([...this.inflight.values(), this.decodeChain]);
    if (this.loop) await this.loop;
    if (this.ownsClient) this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export { sleep };
