// GroupMembership keeps one Membership stream open on the group's
// coordinator (mirroring clients/go/group_member.go): it joins (or resumes
// with its epoch and owned partitions), heartbeats, reconciles every new
// assignment cooperatively (revoke, then assign, then acknowledge), finds
// the coordinator again when the stream breaks or the coordinator goes
// silent, and rejoins as a new member after being fenced (onLost).
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { GroupService, MembershipRequestSchema, type MembershipRequest, type MembershipResponse, type TopicPartitions } from "./gen/fjord/v1/group_pb.js";
import { Client, sleep } from "./client.js";
import { errorFromRPC, FjordError, makeError, Reason } from "./errors.js";
import type { TopicPartition } from "./consumer.js";

/** Cooperative rebalance callbacks; each may be async (the rebalance waits for it). */
export interface RebalanceListener {
  /** Partitions newly given to the member (after their committed offsets are looked up lazily). */
  onAssigned?(tps: TopicPartition[]): void | Promise<void>;
  /** Partitions taken away; with auto-commit their positions were committed just before. */
  onRevoked?(tps: TopicPartition[]): void | Promise<void>;
  /** Partitions lost without a chance to commit (the member was fenced or its session expired). */
  onLost?(tps: TopicPartition[]): void | Promise<void>;
}

/** Group membership options. */
export interface GroupOptions {
  /** Session timeout asked of the coordinator. Default: the broker's (45 s). */
  sessionTimeoutMs?: number;
  /** How long the member may take to release revoked partitions. Default: the broker's (5 min). */
  rebalanceTimeoutMs?: number;
  /** Assignor: uniform (default), sticky, range, roundrobin. */
  assignor?: string;
  /** Static membership id. */
  instanceId?: string;
  /** Rack, for rack-aware assignors. */
  rack?: string;
}

/** What the membership asks of its consumer. */
export interface MembershipHooks {
  revoke(tps: TopicPartition[]): Promise<void>;
  assign(tps: TopicPartition[]): void;
  lose(tps: TopicPartition[]): void;
  fatal(e: FjordError): void;
  /** True when the application has not polled within maxPollIntervalMs. */
  pollExpired(): boolean;
}

/** The member left because the application stopped polling. */
const POLL_EXPIRED = "POLL_EXPIRED";

const FATAL = new Set([Reason.FencedInstanceId, Reason.InvalidGroupId, Reason.InvalidRequest, Reason.InconsistentGroupProtocol, Reason.UnsupportedAssignor]);
const SILENT_INTERVALS = 2;

/** AsyncQueue is the request side of a bidi stream. */
class AsyncQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  push(v: T): void {
    if (this.ended) return;
    this.items.push(v);
    this.waiter?.();
  }
  end(): void {
    this.ended = true;
    this.waiter?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }
}

const key = (t: TopicPartition) => `${t.partition}\u0000${t.topic}`;

function fromWire(tps: TopicPartitions[]): TopicPartition[] {
  const out = tps.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
  return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

function toWire(tps: TopicPartition[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const t of tps) m.set(t.topic, [...(m.get(t.topic) ?? []), t.partition]);
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([topic, ps]) => ({ topic, partitions: ps.sort((a, b) => a - b) }));
}

export class GroupMembership {
  private readonly memberId = randomUUID();
  private epoch = 0;
  private owned = new Map<string, TopicPartition>();
  private stopped = false;
  private leaving = false;
  private run: Promise<void> | undefined;
  private queue: AsyncQueue<MembershipRequest> | undefined;
  private abort: AbortController | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private leftResolve: (() => void) | undefined;
  private pollWake: (() => void) | undefined;
  /** Membership streams opened so far (diagnostics; 1 on a healthy coordinator). */
  sessions = 0;

  constructor(
    private readonly client: Client,
    private readonly groupId: string,
    private sub: { topics: string[]; pattern: string },
    private readonly opts: GroupOptions,
    private readonly listener: RebalanceListener,
    private readonly hooks: MembershipHooks,
  ) {}

  member(): { memberId: string; epoch: number } {
    return { memberId: this.memberId, epoch: this.epoch };
  }

  /** notifyPoll tells a member that left for lack of polling that the application polls again. */
  notifyPoll(): void {
    const w = this.pollWake;
    this.pollWake = undefined;
    w?.();
  }

  start(): void {
    this.run ??= this.loop();
  }

  updateSubscription(sub: { topics: string[]; pattern: string }): void {
    this.sub = sub;
    this.send({ kind: { case: "subscribe", value: sub } } as never);
  }

  private send(init: Parameters<typeof create<typeof MembershipRequestSchema>>[1]): void {
    this.queue?.push(create(MembershipRequestSchema, init));
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let healthy = false;
      let err: FjordError | undefined;
      try {
        healthy = await this.session();
      } catch (e) {
        err = e instanceof FjordError ? e : errorFromRPC(e);
        healthy = (e as { healthy?: boolean }).healthy ?? false;
      }
      if (this.stopped || this.leaving) return;
      if (healthy) attempt = 0;
      if (err?.reason === POLL_EXPIRED) {
        // It left because the application stopped polling: what it owned
        // is lost; it joins again as a new member once the application polls.
        await this.reconciling;
        await this.loseAll();
        await new Promise<void>((r) => (this.pollWake = r));
        attempt = 0;
        continue;
      }
      if (err && (err.reason === Reason.UnknownMemberId || err.reason === Reason.FencedMemberEpoch)) {
        await this.reconciling;
        await this.loseAll();
        attempt = 0;
        continue;
      }
      if (err && (FATAL.has(err.reason as never) || err.reason === "PERMISSION_DENIED" || err.reason === "UNAUTHENTICATED" || err.reason === "UNIMPLEMENTED" || err.reason === "INVALID_ARGUMENT")) {
        this.stopped = true;
        await this.reconciling;
        await this.loseAll();
        this.hooks.fatal(err);
        return;
      }
      attempt++;
      await sleep(this.client.backoff(attempt));
    }
  }

  private async loseAll(): Promise<void> {
    const lost = [...this.owned.values()];
    this.owned.clear();
    this.epoch = 0;
    if (lost.length > 0) {
      this.hooks.lose(lost);
      try {
        await this.listener.onLost?.(lost);
      } catch {
        // A listener's failure does not stop the member.
      }
    }
  }

  /** session runs one Membership stream; it resolves true if the coordinator answered. */
  private async session(): Promise<boolean> {
    const addr = await this.client.findCoordinator(this.groupId);
    this.sessions++;
    const queue = new AsyncQueue<MembershipRequest>();
    const abort = new AbortController();
    this.queue = queue;
    this.abort = abort;
    let healthy = false;
    const join = {
      groupId: this.groupId,
      memberId: this.memberId,
      instanceId: this.opts.instanceId ?? "",
      rack: this.opts.rack ?? "",
      clientId: this.client.opts.clientId ?? "",
      subscription: this.sub,
      assignor: this.opts.assignor ?? "",
      rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs ?? 0,
      sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 0,
      memberEpoch: this.epoch,
      owned: this.epoch > 0 ? toWire([...this.owned.values()]) : [],
    };
    this.send({ kind: { case: "join", value: join } } as never);
    let interval = Math.min(5000, this.opts.sessionTimeoutMs ? this.opts.sessionTimeoutMs / 3 : 5000);
    // firstUnanswered is when the oldest request not answered yet was
    // sent: heartbeats are acknowledged, so a coordinator silent for
    // SILENT_INTERVALS intervals after a request is gone even though its
    // connection is open (a frozen process keeps its sockets).
    let firstUnanswered: number | undefined = Date.now();
    let silent = false;
    let pollLeft = false;
    const sent = () => {
      firstUnanswered ??= Date.now();
    };
    const tick = async () => {
      for (;;) {
        await sleep(interval, abort.signal);
        if (abort.signal.aborted) return;
        if (firstUnanswered !== undefined && Date.now() - firstUnanswered > SILENT_INTERVALS * interval + 50) {
          silent = true;
          abort.abort();
          return;
        }
        if (healthy && !this.leaving && !pollLeft && this.hooks.pollExpired()) {
          // The application stopped polling: leave so that the partitions
          // move (a static member leaves temporarily).
          pollLeft = true;
          sent();
          this.send({ kind: { case: "leave", value: { temporary: !!this.opts.instanceId } } } as never);
          continue;
        }
        if (healthy && !this.leaving && !pollLeft) {
          sent();
          this.send({ kind: { case: "heartbeat", value: { memberEpoch: this.epoch } } } as never);
        }
      }
    };
    const ticker = tick();
    try {
      const stream = this.client.rpc(GroupService, addr).membership(queue, { signal: abort.signal });
      for await (const resp of stream) {
        firstUnanswered = undefined;
        if (resp.heartbeatAck || this.leaving || pollLeft) continue;
        healthy = true;
        if (resp.heartbeatIntervalMs > 0) interval = resp.heartbeatIntervalMs;
        this.epoch = resp.memberEpoch;
        const r = resp;
        this.reconciling = this.reconciling.then(() => this.reconcile(r, queue));
      }
      if (this.leaving) return healthy;
      if (pollLeft) throw makeError({ reason: POLL_EXPIRED, message: "left the group: no poll within maxPollIntervalMs" });
      throw makeError({ reason: Reason.Unavailable, message: "membership stream ended", retriable: true });
    } catch (e) {
      if (this.leaving || this.stopped) return healthy;
      if (pollLeft) throw Object.assign(makeError({ reason: POLL_EXPIRED, message: "left the group: no poll within maxPollIntervalMs" }), { healthy });
      const err = silent
        ? makeError({ reason: Reason.Unavailable, message: "the group coordinator stopped answering heartbeats", retriable: true })
        : errorFromRPC(e);
      throw Object.assign(err, { healthy });
    } finally {
      abort.abort();
      queue.end();
      await ticker;
      this.leftResolve?.();
    }
  }

  private async reconcile(resp: MembershipResponse, queue: AsyncQueue<MembershipRequest>): Promise<void> {
    if (this.stopped) return;
    const assigned = fromWire(resp.assigned);
    const want = new Set(assigned.map(key));
    const revoked = [...this.owned.values()].filter((t) => !want.has(key(t)));
    const added = assigned.filter((t) => !this.owned.has(key(t)));
    if (revoked.length > 0) {
      await this.hooks.revoke(revoked);
      for (const t of revoked) this.owned.delete(key(t));
      try {
        await this.listener.onRevoked?.(revoked);
      } catch {
        // A listener's failure does not stop the rebalance.
      }
    }
    if (added.length > 0) {
      for (const t of added) this.owned.set(key(t), t);
      this.hooks.assign(added);
      try {
        await this.listener.onAssigned?.(added);
      } catch {
        // A listener's failure does not stop the rebalance.
      }
    }
    if (queue === this.queue && !this.leaving) {
      this.send({ kind: { case: "ack", value: { memberEpoch: resp.memberEpoch, owned: toWire(assigned) } } } as never);
    }
  }

  /** leave revokes what the member owns (onRevoked) and leaves the group, waiting up to 5 s for the coordinator. */
  async leave(): Promise<void> {
    if (this.stopped) return;
    await this.reconciling;
    const owned = [...this.owned.values()];
    if (owned.length > 0) {
      try {
        await this.listener.onRevoked?.(owned);
      } catch {
        // closing anyway
      }
    }
    this.leaving = true;
    const done = new Promise<void>((r) => (this.leftResolve = r));
    if (this.queue && this.abort && !this.abort.signal.aborted) {
      this.send({ kind: { case: "leave", value: { temporary: !!this.opts.instanceId } } } as never);
      const t = setTimeout(() => this.abort?.abort(), 5000);
      await done;
      clearTimeout(t);
    }
    this.stopped = true;
    this.abort?.abort();
    this.owned.clear();
    this.notifyPoll();
    await this.run;
  }
}
