// Client holds the connections to the brokers (one HTTP/2 session per
// broker, shared by every call) and the cluster metadata cache. Producer,
// Consumer and Admin each own one unless given a shared one.
import { createClient, type Client as RpcClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { MetadataService, type GetMetadataResponse } from "./gen/fjord/v1/metadata_pb.js";
import { GroupService } from "./gen/fjord/v1/group_pb.js";
import { closedError, errorFromProto, errorFromRPC, FjordError, makeError, Reason } from "./errors.js";

/** Options shared by every client. */
export interface ClientOptions {
  /** Broker addresses (host:port of the gRPC listener) to bootstrap from. Required. */
  bootstrap: string | string[];
  /** Sent as gRPC metadata "fjord-client-id" on every call. Default none. */
  clientId?: string;
  /** Timeout of one RPC attempt in milliseconds. Default 30000. */
  requestTimeoutMs?: number;
  /** First retry backoff in milliseconds, doubled per attempt. Default 100. */
  retryBackoffMs?: number;
  /** Largest retry backoff in milliseconds. Default 1000. */
  maxRetryBackoffMs?: number;
  /** How long metadata is cached before a refresh, in milliseconds. Default 60000. */
  metadataMaxAgeMs?: number;
}

/** One partition of the metadata cache. */
export interface PartitionInfo {
  partition: number;
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

interface TopicInfo {
  partitions: PartitionInfo[];
  fetchedAt: number;
  error?: FjordError;
}

/** sleep resolves after ms, or at once when signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export class Client {
  readonly opts: Required<Omit<ClientOptions, "clientId" | "bootstrap">> & { clientId?: string; bootstrap: string[] };
  private readonly sessions = new Map<string, Http2SessionManager>();
  private readonly transports = new Map<string, Transport>();
  private readonly brokers = new Map<number, string>();
  private readonly topics = new Map<string, TopicInfo>();
  private inflightMeta = new Map<string, Promise<void>>();
  private closed = false;

  constructor(opts: ClientOptions) {
    const bootstrap = typeof opts.bootstrap === "string" ? opts.bootstrap.split(",").filter((s) => s) : [...opts.bootstrap];
    if (bootstrap.length === 0) throw makeError({ reason: Reason.InvalidRequest, message: "bootstrap: no broker address" });
    this.opts = {
      bootstrap,
      clientId: opts.clientId,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30000,
      retryBackoffMs: opts.retryBackoffMs ?? 100,
      maxRetryBackoffMs: opts.maxRetryBackoffMs ?? 1000,
      metadataMaxAgeMs: opts.metadataMaxAgeMs ?? 60000,
    };
  }

  /** backoff is the delay before retry attempt n (1-based), with jitter. */
  backoff(attempt: number): number {
    const d = Math.min(this.opts.maxRetryBackoffMs, this.opts.retryBackoffMs * 2 ** Math.max(0, attempt - 1));
    return d * (0.8 + Math.random() * 0.4);
  }

  private transport(addr: string): Transport {
    if (this.closed) throw closedError("client");
    let t = this.transports.get(addr);
    if (!t) {
      const url = `http://${addr}`;
      const sm = new Http2SessionManager(url, { pingIntervalMs: 10000, pingTimeoutMs: 5000, idleConnectionTimeoutMs: 60000 }, { maxSessionMemory: 512 });
      const interceptors: Interceptor[] = [];
      const cid = this.opts.clientId;
      if (cid) {
        interceptors.push((next) => (req) => {
          req.header.set("fjord-client-id", cid);
          return next(req);
        });
      }
      t = createGrpcTransport({ baseUrl: url, sessionManager: sm, interceptors });
      this.sessions.set(addr, sm);
      this.transports.set(addr, t);
    }
    return t;
  }

  /** rpc returns a typed client of service on the broker at addr. */
  rpc<T extends DescService>(service: T, addr: string): RpcClient<T> {
    return createClient(service, this.transport(addr));
  }

  /** callOptions bounds one attempt by requestTimeoutMs. */
  callOptions(timeoutMs?: number): { timeoutMs: number } {
    return { timeoutMs: timeoutMs ?? this.opts.requestTimeoutMs };
  }

  /** anyBroker is a known broker address (a live one first), for calls any broker answers. */
  anyBroker(attempt = 0): string {
    const known = [...this.brokers.values()];
    const all = known.length > 0 ? [...known, ...this.opts.bootstrap] : this.opts.bootstrap;
    return all[attempt % all.length]!;
  }

  brokerAddr(id: number): string | undefined {
    return this.brokers.get(id);
  }

  /**
   * retry runs fn until it succeeds, fails with an error that is not
   * retriable, or deadlineMs passes. fn gets the attempt number (0-based).
   */
  async retry<T>(fn: (attempt: number) => Promise<T>, deadlineMs = this.opts.requestTimeoutMs, signal?: AbortSignal): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw closedError("client");
      try {
        return await fn(attempt);
      } catch (e) {
        const fe = errorFromRPC(e);
        if (!fe.retriable || Date.now() >= end || signal?.aborted) throw fe;
        await sleep(Math.max(fe.retryAfterMs, this.backoff(attempt + 1)), signal);
      }
    }
  }

  /** getMetadata asks any broker for metadata of topics (all when empty). */
  async getMetadata(topics: string[], attempt = 0): Promise<GetMetadataResponse> {
    const addr = this.anyBroker(attempt);
    const resp = await this.rpc(MetadataService, addr).getMetadata({ topics }, this.callOptions(Math.min(this.opts.requestTimeoutMs, 10000)));
    for (const b of resp.brokers) this.brokers.set(b.id, b.address);
    const now = Date.now();
    for (const t of resp.topics) {
      const err = errorFromProto(t.error, t.name);
      this.topics.set(t.name, {
        partitions: t.partitions.map((p) => ({ partition: p.partition, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [...p.replicas], isr: [...p.isr] })),
        fetchedAt: now,
        error: err,
      });
    }
    return resp;
  }

  /** refreshMetadata reloads topic metadata, coalescing concurrent refreshes of one topic. */
  refreshMetadata(topic: string): Promise<void> {
    let p = this.inflightMeta.get(topic);
    if (!p) {
      p = this.retry((a) => this.getMetadata([topic], a).then(() => undefined), 10000).finally(() => this.inflightMeta.delete(topic));
      this.inflightMeta.set(topic, p);
    }
    return p;
  }

  /** invalidate drops the cached metadata of topic (after a leadership error). */
  invalidate(topic: string): void {
    const t = this.topics.get(topic);
    if (t) t.fetchedAt = 0;
  }

  /** noteLeader records a leader hint (from a NOT_LEADER error or a response). */
  noteLeader(topic: string, partition: number, leaderId: number, epoch: number): void {
    const p = this.topics.get(topic)?.partitions[partition];
    if (p && leaderId >= 0 && this.brokers.has(leaderId) && epoch >= p.leaderEpoch) {
      p.leaderId = leaderId;
      p.leaderEpoch = epoch;
    }
  }

  /**
   * partitions returns the topic's partitions from the cache, loading it
   * when missing or stale; it throws UNKNOWN_TOPIC_OR_PARTITION for a topic
   * that does not exist.
   */
  async partitions(topic: string): Promise<PartitionInfo[]> {
    let t = this.topics.get(topic);
    const end = Date.now() + Math.min(this.opts.requestTimeoutMs, 10000);
    for (let attempt = 1; !t || Date.now() - t.fetchedAt > this.opts.metadataMaxAgeMs; attempt++) {
      await this.refreshMetadata(topic);
      t = this.topics.get(topic);
      // A topic being created or moving its leaders answers with a
      // retriable error for a moment: ask again within the bound.
      if (t?.error?.retriable && Date.now() < end && !this.closed) {
        await sleep(Math.max(t.error.retryAfterMs, this.backoff(attempt)));
        t.fetchedAt = 0;
      }
    }
    if (!t) throw makeError({ reason: Reason.UnknownTopicOrPartition, message: "topic not in metadata", topic });
    if (t.error) throw t.error;
    return t.partitions;
  }

  /** cachedPartitionCount is the known partition count of topic, or undefined. */
  cachedPartitions(topic: string): PartitionInfo[] | undefined {
    const t = this.topics.get(topic);
    return t && !t.error && Date.now() - t.fetchedAt <= this.opts.metadataMaxAgeMs ? t.partitions : undefined;
  }

  /** leader returns the leader's address of a partition, refreshing metadata while it has none. */
  async leader(topic: string, partition: number): Promise<{ addr: string; epoch: number; id: number }> {
    const parts = await this.partitions(topic);
    const p = parts[partition];
    if (!p) throw makeError({ reason: Reason.UnknownTopicOrPartition, message: `partition ${partition} does not exist (topic has ${parts.length})`, topic, partition });
    const addr = this.brokers.get(p.leaderId);
    if (p.leaderId < 0 || !addr) {
      this.invalidate(topic);
      throw makeError({ reason: Reason.LeaderNotAvailable, message: "partition has no leader", topic, partition, retriable: true });
    }
    return { addr, epoch: p.leaderEpoch, id: p.leaderId };
  }

  /** findCoordinator names the broker coordinating group. */
  async findCoordinator(group: string): Promise<string> {
    return this.retry(async (a) => {
      const resp = await this.rpc(GroupService, this.anyBroker(a)).findCoordinator({ groupId: group }, this.callOptions(10000));
      const c = resp.coordinator;
      if (!c) throw makeError({ reason: Reason.CoordinatorNotAvailable, message: "no coordinator", retriable: true });
      this.brokers.set(c.id, c.address);
      return c.address;
    }, this.opts.requestTimeoutMs);
  }

  /** close closes every connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sm of this.sessions.values()) sm.abort();
    this.sessions.clear();
    this.transports.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
