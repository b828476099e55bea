// Errors of the Fjord SDK. Every failure a broker reports becomes a
// FjordError carrying the published reason (ErrorInfo.reason or the
// per-item Error.reason), whether retrying may help (retriable) and, for
// writes, whether the write may have happened anyway (indefinite).
import { Code, ConnectError } from "@connectrpc/connect";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { Error as WireError } from "./gen/fjord/v1/common_pb.js";

/** Published reasons (stable; never renamed by the broker). */
export const Reason = {
  UnknownTopicOrPartition: "UNKNOWN_TOPIC_OR_PARTITION",
  NotLeaderOrFollower: "NOT_LEADER_OR_FOLLOWER",
  LeaderNotAvailable: "LEADER_NOT_AVAILABLE",
  OffsetOutOfRange: "OFFSET_OUT_OF_RANGE",
  MessageTooLarge: "MESSAGE_TOO_LARGE",
  InvalidRecord: "INVALID_RECORD",
  CorruptMessage: "CORRUPT_MESSAGE",
  InvalidConfig: "INVALID_CONFIG",
  InvalidTopic: "INVALID_TOPIC",
  InvalidPartitions: "INVALID_PARTITIONS",
  InvalidReplicationFactor: "INVALID_REPLICATION_FACTOR",
  TopicAlreadyExists: "TOPIC_ALREADY_EXISTS",
  InvalidRequest: "INVALID_REQUEST",
  RequestTimedOut: "REQUEST_TIMED_OUT",
  NotEnoughReplicas: "NOT_ENOUGH_REPLICAS",
  NotEnoughReplicasAfterAppend: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  StorageError: "STORAGE_ERROR",
  BrokerShuttingDown: "BROKER_SHUTTING_DOWN",
  FencedLeaderEpoch: "FENCED_LEADER_EPOCH",
  UnknownLeaderEpoch: "UNKNOWN_LEADER_EPOCH",
  Internal: "INTERNAL",
  InvalidProducerEpoch: "INVALID_PRODUCER_EPOCH",
  OutOfOrderSequenceNumber: "OUT_OF_ORDER_SEQUENCE_NUMBER",
  UnknownProducerId: "UNKNOWN_PRODUCER_ID",
  Unavailable: "UNAVAILABLE",
  ThrottlingQuotaExceeded: "THROTTLING_QUOTA_EXCEEDED",
  NotCoordinator: "NOT_COORDINATOR",
  CoordinatorLoadInProgress: "COORDINATOR_LOAD_IN_PROGRESS",
  CoordinatorNotAvailable: "COORDINATOR_NOT_AVAILABLE",
  InvalidGroupId: "INVALID_GROUP_ID",
  UnknownMemberId: "UNKNOWN_MEMBER_ID",
  FencedMemberEpoch: "FENCED_MEMBER_EPOCH",
  StaleMemberEpoch: "STALE_MEMBER_EPOCH",
  FencedInstanceId: "FENCED_INSTANCE_ID",
  InconsistentGroupProtocol: "INCONSISTENT_GROUP_PROTOCOL",
  UnsupportedAssignor: "UNSUPPORTED_ASSIGNOR",
  GroupIdNotFound: "GROUP_ID_NOT_FOUND",
  NonEmptyGroup: "NON_EMPTY_GROUP",
  InvalidSchema: "INVALID_SCHEMA",
  SubjectNotFound: "SUBJECT_NOT_FOUND",
  SchemaNotFound: "SCHEMA_NOT_FOUND",
  IncompatibleSchema: "INCOMPATIBLE_SCHEMA",
  /** Client side: the producer, consumer or admin was closed. */
  Closed: "CLOSED",
  /** Client side: a record could not be delivered within deliveryTimeoutMs. */
  DeliveryTimeout: "DELIVERY_TIMEOUT",
  /** Client side: a record larger than the producer's maxBatchBytes. */
  RecordTooLarge: "RECORD_TOO_LARGE",
  /** Client side: Avro serialization or deserialization failed. */
  Serialization: "SERIALIZATION",
} as const;

/** How a reason behaves when the broker did not say (RPC statuses carry only RetryInfo). */
const reasonInfo: Record<string, { retriable: boolean; indefinite: boolean }> = {
  NOT_LEADER_OR_FOLLOWER: { retriable: true, indefinite: false },
  LEADER_NOT_AVAILABLE: { retriable: true, indefinite: false },
  REQUEST_TIMED_OUT: { retriable: true, indefinite: true },
  NOT_ENOUGH_REPLICAS: { retriable: true, indefinite: false },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { retriable: true, indefinite: true },
  BROKER_SHUTTING_DOWN: { retriable: true, indefinite: false },
  FENCED_LEADER_EPOCH: { retriable: true, indefinite: false },
  UNKNOWN_LEADER_EPOCH: { retriable: true, indefinite: false },
  UNAVAILABLE: { retriable: true, indefinite: false },
  THROTTLING_QUOTA_EXCEEDED: { retriable: true, indefinite: false },
  NOT_COORDINATOR: { retriable: true, indefinite: false },
  COORDINATOR_LOAD_IN_PROGRESS: { retriable: true, indefinite: false },
  COORDINATOR_NOT_AVAILABLE: { retriable: true, indefinite: false },
};

export interface FjordErrorInit {
  code?: Code;
  reason: string;
  message: string;
  retriable?: boolean;
  indefinite?: boolean;
  retryAfterMs?: number;
  topic?: string;
  partition?: number;
  metadata?: Record<string, string>;
  cause?: unknown;
}

/**
 * FjordError is every failure the SDK reports: a broker's gRPC status
 * (ErrorInfo/RetryInfo details), a per-partition error inside a response,
 * or a client-side failure with a reason of its own (CLOSED,
 * DELIVERY_TIMEOUT, RECORD_TOO_LARGE, SERIALIZATION).
 */
export class FjordError extends Error {
  /** gRPC status code (Code.Unknown for client-side errors). */
  readonly code: Code;
  /** Stable machine-readable reason, e.g. NOT_LEADER_OR_FOLLOWER. */
  readonly reason: string;
  /** True when the same request may succeed if retried. */
  readonly retriable: boolean;
  /** For writes: true when the write may have been applied although it failed. */
  readonly indefinite: boolean;
  /** The broker's suggested delay before retrying, 0 if none. */
  readonly retryAfterMs: number;
  /** Topic of the failure, when known. */
  readonly topic: string | undefined;
  /** Partition of the failure, -1 when unknown. */
  readonly partition: number;
  /** Extra context from the broker (leader_id, offset, ...). */
  readonly metadata: Record<string, string>;

  constructor(init: FjordErrorInit) {
    const loc = init.topic ? ` (topic "${init.topic}"${(init.partition ?? -1) >= 0 ? ` partition ${init.partition}` : ""})` : "";
    super(`fjord: ${init.reason}${init.message ? ": " + init.message : ""}${loc}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = new.target.name;
    this.code = init.code ?? Code.Unknown;
    this.reason = init.reason;
    this.retriable = init.retriable ?? false;
    this.indefinite = init.indefinite ?? false;
    this.retryAfterMs = init.retryAfterMs ?? 0;
    this.metadata = init.metadata ?? {};
    this.topic = init.topic ?? this.metadata["topic"];
    let p = init.partition ?? -1;
    if (p < 0 && this.metadata["partition"] !== undefined) {
      const n = Number.parseInt(this.metadata["partition"], 10);
      if (Number.isInteger(n)) p = n;
    }
    this.partition = p;
  }
}

/** A topic or partition that does not exist (UNKNOWN_TOPIC_OR_PARTITION). */
export class UnknownTopicError extends FjordError {}
/** A record or batch over the broker's or topic's size limit (MESSAGE_TOO_LARGE) or the producer's (RECORD_TOO_LARGE). */
export class RecordTooLargeError extends FjordError {}
/** A request the broker refused as invalid (INVALID_*, TOPIC_ALREADY_EXISTS, ...). */
export class InvalidRequestError extends FjordError {}
/** Leadership or coordinator moved or is unavailable; retriable. */
export class NotLeaderError extends FjordError {}
/** The broker could not be reached or did not answer in time. */
export class UnavailableError extends FjordError {}
/** Schema registry failures (INVALID_SCHEMA, SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND, INCOMPATIBLE_SCHEMA) and serde failures. */
export class SchemaError extends FjordError {}
/** Group membership failures (UNKNOWN_MEMBER_ID, FENCED_*, STALE_MEMBER_EPOCH, ...). */
export class GroupError extends FjordError {}
/** The client was closed. */
export class ClosedError extends FjordError {}
/** A record could not be delivered within the producer's delivery timeout. */
export class DeliveryTimeoutError extends FjordError {}

const classByReason: Record<string, new (init: FjordErrorInit) => FjordError> = {
  UNKNOWN_TOPIC_OR_PARTITION: UnknownTopicError,
  MESSAGE_TOO_LARGE: RecordTooLargeError,
  RECORD_TOO_LARGE: RecordTooLargeError,
  NOT_LEADER_OR_FOLLOWER: NotLeaderError,
  LEADER_NOT_AVAILABLE: NotLeaderError,
  FENCED_LEADER_EPOCH: NotLeaderError,
  UNKNOWN_LEADER_EPOCH: NotLeaderError,
  NOT_COORDINATOR: NotLeaderError,
  COORDINATOR_LOAD_IN_PROGRESS: NotLeaderError,
  COORDINATOR_NOT_AVAILABLE: NotLeaderError,
  UNAVAILABLE: UnavailableError,
  REQUEST_TIMED_OUT: UnavailableError,
  BROKER_SHUTTING_DOWN: UnavailableError,
  INVALID_SCHEMA: SchemaError,
  SUBJECT_NOT_FOUND: SchemaError,
  SCHEMA_NOT_FOUND: SchemaError,
  INCOMPATIBLE_SCHEMA: SchemaError,
  SERIALIZATION: SchemaError,
  UNKNOWN_MEMBER_ID: GroupError,
  FENCED_MEMBER_EPOCH: GroupError,
  STALE_MEMBER_EPOCH: GroupError,
  FENCED_INSTANCE_ID: GroupError,
  INVALID_GROUP_ID: GroupError,
  INCONSISTENT_GROUP_PROTOCOL: GroupError,
  UNSUPPORTED_ASSIGNOR: GroupError,
  GROUP_ID_NOT_FOUND: GroupError,
  NON_EMPTY_GROUP: GroupError,
  CLOSED: ClosedError,
  DELIVERY_TIMEOUT: DeliveryTimeoutError,
};

/** makeError builds the FjordError subclass matching init.reason. */
export function makeError(init: FjordErrorInit): FjordError {
  let cls = classByReason[init.reason];
  if (!cls && init.reason.startsWith("INVALID_")) cls = InvalidRequestError;
  if (!cls && init.reason === "TOPIC_ALREADY_EXISTS") cls = InvalidRequestError;
  return new (cls ?? FjordError)(init);
}

/** closedError is the error of any call after close(). */
export function closedError(what: string): FjordError {
  return makeError({ reason: Reason.Closed, message: `${what} is closed` });
}

/** errorFromProto maps a per-item error of a response; an unset error maps to undefined. */
export function errorFromProto(pe: WireError | undefined, topic?: string, partition?: number): FjordError | undefined {
  if (!pe || (pe.code === 0 && pe.reason === "")) return undefined;
  const ri = reasonInfo[pe.reason];
  return makeError({
    code: pe.code as Code,
    reason: pe.reason,
    message: pe.message,
    retriable: pe.retriable || (ri?.retriable ?? false),
    indefinite: pe.indefinite || (ri?.indefinite ?? false),
    retryAfterMs: pe.retryAfterMs,
    topic,
    partition,
    metadata: { ...pe.metadata },
  });
}

/** Details decoded from google.rpc.ErrorInfo / google.rpc.RetryInfo. */
interface StatusDetails {
  reason?: string;
  metadata: Record<string, string>;
  retryAfterMs?: number;
}

/**
 * decodeErrorInfo parses google.rpc.ErrorInfo {reason=1, domain=2,
 * metadata=3 map<string,string>} with the protobuf wire reader (the
 * googleapis descriptors are not published on npm in a form we can pin).
 */
export function decodeErrorInfo(b: Uint8Array): { reason: string; domain: string; metadata: Record<string, string> } {
  const r = new BinaryReader(b);
  const out = { reason: "", domain: "", metadata: {} as Record<string, string> };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) out.reason = r.string();
    else if (no === 2 && wt === WireType.LengthDelimited) out.domain = r.string();
    else if (no === 3 && wt === WireType.LengthDelimited) {
      const entry = new BinaryReader(r.bytes());
      let k = "", v = "";
      while (entry.pos < entry.len) {
        const [eno, ewt] = entry.tag();
        if (eno === 1 && ewt === WireType.LengthDelimited) k = entry.string();
        else if (eno === 2 && ewt === WireType.LengthDelimited) v = entry.string();
        else entry.skip(ewt, eno);
      }
      out.metadata[k] = v;
    } else r.skip(wt, no);
  }
  return out;
}

/** decodeRetryInfo parses google.rpc.RetryInfo {retry_delay=1 google.protobuf.Duration{seconds=1, nanos=2}} into milliseconds. */
export function decodeRetryInfo(b: Uint8Array): number {
  const r = new BinaryReader(b);
  let ms = 0;
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1 && wt === WireType.LengthDelimited) {
      const d = new BinaryReader(r.bytes());
      let s = 0, n = 0;
      while (d.pos < d.len) {
        const [dno, dwt] = d.tag();
        if (dno === 1 && dwt === WireType.Varint) s = Number(d.int64());
        else if (dno === 2 && dwt === WireType.Varint) n = d.int32();
        else d.skip(dwt, dno);
      }
      ms = s * 1000 + Math.floor(n / 1e6);
    } else r.skip(wt, no);
  }
  return ms;
}

function statusDetails(err: ConnectError): StatusDetails {
  const out: StatusDetails = { metadata: {} };
  for (const d of err.details) {
    if (!("type" in d) || !(d.value instanceof Uint8Array)) continue;
    try {
      if (d.type === "google.rpc.ErrorInfo") {
        const ei = decodeErrorInfo(d.value);
        out.reason = ei.reason;
        out.metadata = ei.metadata;
      } else if (d.type === "google.rpc.RetryInfo") {
        out.retryAfterMs = decodeRetryInfo(d.value);
      }
    } catch {
      // A detail we cannot parse is ignored: the status code still maps.
    }
  }
  return out;
}

/**
 * errorFromRPC maps an RPC failure to a FjordError. write says whether the
 * RPC was a write that may have reached the broker, which makes transport
 * failures and timeouts indefinite.
 */
export function errorFromRPC(err: unknown, write = false): FjordError {
  if (err instanceof FjordError) return err;
  const ce = ConnectError.from(err);
  const det = statusDetails(ce);
  const base = { code: ce.code, message: ce.rawMessage, metadata: det.metadata, retryAfterMs: det.retryAfterMs, cause: err };
  if (det.reason) {
    const ri = reasonInfo[det.reason];
    return makeError({
      ...base,
      reason: det.reason,
      retriable: det.retryAfterMs !== undefined || (ri?.retriable ?? false),
      indefinite: det.metadata["indefinite"] === "true" || ((ri?.indefinite ?? false) && write),
    });
  }
  // A transport failure (connection reset or refused, HTTP/2 stream
  // error) arrives as a ConnectError whose cause is a Node system error:
  // the broker could not be reached or went away mid-call.
  const cause = (ce.cause ?? err) as { code?: unknown } | undefined;
  const transport = typeof cause?.code === "string" && /^(E[A-Z]+|ERR_HTTP2_.*|ERR_STREAM_.*)$/.test(cause.code);
  switch (transport ? Code.Unavailable : ce.code) {
    case Code.Unavailable:
    case Code.Unknown:
    case Code.Aborted:
      return makeError({ ...base, reason: Reason.Unavailable, retriable: true, indefinite: write });
    case Code.DeadlineExceeded:
    case Code.Canceled:
      return makeError({ ...base, reason: Reason.RequestTimedOut, retriable: true, indefinite: write });
    case Code.ResourceExhausted:
      return makeError({ ...base, reason: Reason.ThrottlingQuotaExceeded, retriable: true });
    default:
      return makeError({ ...base, reason: Code[ce.code] ?? "UNKNOWN", retriable: det.retryAfterMs !== undefined, indefinite: write });
  }
}

/** isRetriable reports whether err is a FjordError marked retriable. */
export function isRetriable(err: unknown): boolean {
  return err instanceof FjordError && err.retriable;
}
