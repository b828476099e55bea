// Admin administers topics, configurations, groups and offsets. Every call
// goes to any broker (it forwards to the controller or the group
// coordinator) and is retried on retriable errors within requestTimeoutMs.
import { AdminService, AlterConfigOpType, ConfigResourceType } from "./gen/fjord/v1/admin_pb.js";
import { FetchService, OffsetSpec } from "./gen/fjord/v1/fetch_pb.js";
import { GroupService, GroupState } from "./gen/fjord/v1/group_pb.js";
import { Client, type ClientOptions } from "./client.js";
import { errorFromProto, FjordError } from "./errors.js";

/** A topic to create. */
export interface NewTopic {
  name: string;
  /** Default: the broker's default partitions. */
  partitions?: number;
  /** Default: the broker's default replication factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicListing {
  name: string;
  topicId: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
}

export interface PartitionDescription {
  partition: number;
  leaderId: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
}

export interface TopicDescription {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionDescription[];
  configs: Record<string, string>;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  groupEpoch: number;
  assignor: string;
  coordinatorId: number;
  members: { memberId: string; instanceId: string; clientId: string; memberEpoch: number; assigned: { topic: string; partition: number }[] }[];
  partitions: { topic: string; partition: number; committedOffset: number; logEndOffset: number; lag: number; memberId: string }[];
}

export type ResetTo = { earliest: true } | { latest: true } | { offset: number } | { timestampMs: number } | { shiftBy: number };

function throwFirst(errs: (FjordError | undefined)[]): void {
  const e = errs.find((x) => x !== undefined);
  if (e) throw e;
}

export class Admin implements AsyncDisposable {
  readonly client: Client;
  private readonly ownsClient: boolean;

  constructor(opts: ClientOptions, client?: Client) {
    this.client = client ?? new Client(opts);
    this.ownsClient = !client;
  }

  private admin(a: number) {
    return this.client.rpc(AdminService, this.client.anyBroker(a));
  }

  private groups(a: number) {
    return this.client.rpc(GroupService, this.client.anyBroker(a));
  }

  /** createTopics creates topics; it fails with the first topic's error (e.g. TOPIC_ALREADY_EXISTS). */
  async createTopics(topics: NewTopic[], opts: { validateOnly?: boolean } = {}): Promise<void> {
    const resp = await this.client.retry((a) =>
      this.admin(a).createTopics({
        topics: topics.map((t) => ({ name: t.name, partitions: t.partitions ?? 0, replicationFactor: t.replicationFactor ?? 0, configs: t.configs ?? {} })),
        validateOnly: opts.validateOnly ?? false,
      }, this.client.callOptions()),
    );
    throwFirst(resp.results.map((r) => errorFromProto(r.error, r.name)));
  }

  /** createTopic creates one topic. */
  createTopic(name: string, partitions?: number, replicationFactor?: number, configs?: Record<string, string>): Promise<void> {
    return this.createTopics([{ name, partitions, replicationFactor, configs }]);
  }

  async deleteTopics(names: string[]): Promise<void> {
    const resp = await this.client.retry((a) => this.admin(a).deleteTopics({ names }, this.client.callOptions()));
    throwFirst(resp.results.map((r) => errorFromProto(r.error, r.name)));
  }

  async listTopics(opts: { includeInternal?: boolean } = {}): Promise<TopicListing[]> {
    const resp = await this.client.retry((a) => this.admin(a).listTopics({ includeInternal: opts.includeInternal ?? false }, this.client.callOptions()));
    return resp.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions, replicationFactor: t.replicationFactor, internal: t.internal }));
  }

  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    const resp = await this.client.retry((a) => this.admin(a).describeTopics({ names }, this.client.callOptions()));
    throwFirst(resp.topics.map((t) => errorFromProto(t.error, t.name)));
    return resp.topics.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      internal: t.internal,
      configs: Object.fromEntries(t.configs.map((c) => [c.name, c.value])),
      partitions: t.partitions.map((p) => ({
        partition: p.partition, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: [...p.replicas], isr: [...p.isr],
        logStartOffset: Number(p.logStartOffset), highWatermark: Number(p.highWatermark), logEndOffset: Number(p.logEndOffset),
      })),
    }));
  }

  /** describeTopicConfigs returns every key of the topic with its effective value. */
  async describeTopicConfigs(topic: string): Promise<Record<string, string>> {
    const resp = await this.client.retry((a) => this.admin(a).describeConfigs({ resources: [{ type: ConfigResourceType.TOPIC, name: topic }] }, this.client.callOptions()));
    throwFirst(resp.results.map((r) => errorFromProto(r.error, topic)));
    return Object.fromEntries((resp.results[0]?.configs ?? []).map((c) => [c.name, c.value]));
  }

  /** alterTopicConfigs sets keys (a null value deletes the override). */
  async alterTopicConfigs(topic: string, changes: Record<string, string | null>): Promise<void> {
    const ops = Object.entries(changes).map(([name, value]) => value === null ? { name, op: AlterConfigOpType.DELETE } : { name, value, op: AlterConfigOpType.SET });
    const resp = await this.client.retry((a) => this.admin(a).alterConfigs({ resources: [{ resource: { type: ConfigResourceType.TOPIC, name: topic }, ops }] }, this.client.callOptions()));
    throwFirst(resp.results.map((r) => errorFromProto(r.error, topic)));
  }

  /** createPartitions raises the topic's partition count to totalCount. */
  async createPartitions(topic: string, totalCount: number): Promise<void> {
    const resp = await this.client.retry((a) => this.admin(a).createPartitions({ topics: [{ topic, totalCount }] }, this.client.callOptions()));
    throwFirst(resp.results.map((r) => errorFromProto(r.error, r.topic)));
  }

  /** deleteRecords deletes records below offset in each partition. */
  async deleteRecords(topic: string, offsets: Record<number, number>): Promise<void> {
    const resp = await this.client.retry((a) => this.admin(a).deleteRecords({ topics: [{ topic, partitions: Object.entries(offsets).map(([p, o]) => ({ partition: Number(p), offset: BigInt(o) })) }] }, this.client.callOptions()));
    throwFirst(resp.topics.flatMap((t) => t.partitions.map((p) => errorFromProto(p.error, t.topic, p.partition))));
  }

  async describeCluster(): Promise<{ clusterId: string; controllerId: number; brokers: { id: number; address: string }[] }> {
    const r = await this.client.retry((a) => this.admin(a).describeCluster({}, this.client.callOptions()));
    return { clusterId: r.clusterId, controllerId: r.controllerId, brokers: r.brokers.map((b) => ({ id: b.id, address: b.address })) };
  }

  /** listOffsets returns, per partition, the earliest or latest offset (or the first at a timestamp). */
  async listOffsets(topic: string, spec: "earliest" | "latest" | { timestampMs: number }): Promise<Map<number, number>> {
    const parts = await this.client.partitions(topic);
    const out = new Map<number, number>();
    await Promise.all(parts.map(async (p) => {
      out.set(p.partition, await this.client.retry(async () => {
        const leader = await this.client.leader(topic, p.partition);
        const resp = await this.client.rpc(FetchService, leader.addr).listOffsets({
          topics: [{ topic, partitions: [{ partition: p.partition, spec: spec === "earliest" ? OffsetSpec.EARLIEST : spec === "latest" ? OffsetSpec.LATEST : OffsetSpec.TIMESTAMP, timestampMs: typeof spec === "object" ? BigInt(spec.timestampMs) : 0n }] }],
        }, this.client.callOptions());
        const r = resp.topics[0]?.partitions[0];
        const err = errorFromProto(r?.error, topic, p.partition);
        if (err) {
          this.client.invalidate(topic);
          throw err;
        }
        return Number(r?.offset ?? -1);
      }));
    }));
    return out;
  }

  async listGroups(): Promise<{ groupId: string; state: string; members: number }[]> {
    const r = await this.client.retry((a) => this.groups(a).listGroups({}, this.client.callOptions()));
    return r.groups.map((g) => ({ groupId: g.groupId, state: GroupState[g.state] ?? "UNSPECIFIED", members: g.members }));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const r = await this.client.retry((a) => this.groups(a).describeGroup({ groupId }, this.client.callOptions()));
    return {
      groupId: r.groupId,
      state: GroupState[r.state] ?? "UNSPECIFIED",
      groupEpoch: r.groupEpoch,
      assignor: r.assignor,
      coordinatorId: r.coordinatorId,
      members: r.members.map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, memberEpoch: m.memberEpoch,
        assigned: m.assigned.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p }))),
      })),
      partitions: r.partitions.map((p) => ({ topic: p.topic, partition: p.partition, committedOffset: Number(p.committedOffset), logEndOffset: Number(p.logEndOffset), lag: Number(p.lag), memberId: p.memberId })),
    };
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.client.retry((a) => this.groups(a).deleteGroup({ groupId }, this.client.callOptions()));
  }

  /** fetchOffsets returns committed offsets of a group ("topic" -> partition -> offset, -1 if none). */
  async fetchOffsets(groupId: string, topics?: { topic: string; partitions: number[] }[]): Promise<Map<string, Map<number, number>>> {
    const r = await this.client.retry((a) => this.groups(a).fetchOffsets({ groupId, topics: topics ?? [] }, this.client.callOptions()));
    const out = new Map<string, Map<number, number>>();
    for (const t of r.topics) out.set(t.topic, new Map(t.partitions.map((p) => [p.partition, Number(p.offset)])));
    return out;
  }

  /** commitOffsets commits offsets for a group without members (outside the group). */
  async commitOffsets(groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
    const r = await this.client.retry((a) => this.groups(a).commitOffsets({
      groupId, topics: [{ topic, partitions: Object.entries(offsets).map(([p, o]) => ({ partition: Number(p), offset: BigInt(o), leaderEpoch: -1 })) }],
    }, this.client.callOptions()));
    throwFirst(r.topics.flatMap((t) => t.partitions.map((p) => errorFromProto(p.error, t.topic, p.partition))));
  }

  /** resetOffsets moves a group's committed offsets (only while it has no members unless force). */
  async resetOffsets(groupId: string, topic: string, to: ResetTo, opts: { force?: boolean; dryRun?: boolean } = {}): Promise<Map<number, number>> {
    const toCase =
      "earliest" in to ? { case: "earliest" as const, value: true } :
      "latest" in to ? { case: "latest" as const, value: true } :
      "offset" in to ? { case: "offset" as const, value: BigInt(to.offset) } :
      "timestampMs" in to ? { case: "timestampMs" as const, value: BigInt(to.timestampMs) } :
      { case: "shiftBy" as const, value: BigInt(to.shiftBy) };
    const r = await this.client.retry((a) => this.groups(a).resetOffsets({ groupId, topics: [{ topic, partitions: [] }], to: toCase, force: opts.force ?? false, dryRun: opts.dryRun ?? false }, this.client.callOptions()));
    throwFirst(r.topics.flatMap((t) => t.partitions.map((p) => errorFromProto(p.error, t.topic, p.partition))));
    return new Map(r.topics.flatMap((t) => t.partitions.map((p) => [p.partition, Number(p.offset)] as [number, number])));
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
