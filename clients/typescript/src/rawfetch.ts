// A view of FetchService whose FetchPartitionResponse.batches is `repeated
// bytes` instead of `repeated RecordBatch`: the two have the same wire
// encoding (DESIGN.md, "Batches are protobuf all the way down"), so the
// consumer receives each stored batch as the broker sent it and decodes it
// with a hand-written reader, checking the CRC-32C of every payload,
// instead of building a message object per record by reflection.
import { clone, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FieldDescriptorProto_Type } from "@bufbuild/protobuf/wkt";
import { file_fjord_v1_fetch } from "./gen/fjord/v1/fetch_pb.js";
import { file_fjord_v1_common } from "./gen/fjord/v1/common_pb.js";
import { file_fjord_v1_record } from "./gen/fjord/v1/record_pb.js";
import { Compression } from "./gen/fjord/v1/record_pb.js";
import { crc32cOf, decompress, type DecodedRecord, type Header } from "./batch.js";
import { makeError, Reason } from "./errors.js";

function buildRawFetch(): DescService {
  const proto = clone(FileDescriptorProtoSchema, file_fjord_v1_fetch.proto);
  const m = proto.messageType.find((x) => x.name === "FetchPartitionResponse");
  const f = m?.field.find((x) => x.name === "batches");
  if (!f) throw new Error("fjord: FetchPartitionResponse.batches not found in the generated descriptor");
  f.type = FieldDescriptorProto_Type.BYTES;
  f.typeName = "";
  const deps = new Map([file_fjord_v1_common, file_fjord_v1_record].map((d) => [d.proto.name, d]));
  const reg = createFileRegistry(proto, (name) => deps.get(name));
  const svc = reg.getService("fjord.v1.FetchService");
  if (!svc) throw new Error("fjord: FetchService not found");
  return svc;
}

/** RawFetchService is FetchService with batches as bytes. */
export const RawFetchService = buildRawFetch();
export type RawDesc = DescMessage;

const td = new TextDecoder();

/** Reader over a protobuf buffer, just what batches and records need. */
class Rd {
  pos: number;
  constructor(readonly b: Uint8Array, pos: number, readonly end: number) {
    this.pos = pos;
  }
  varint(): number {
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const c = this.b[this.pos++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
    throw makeError({ reason: Reason.CorruptMessage, message: "bad varint in a batch" });
  }
  /** int64 varint as a signed number (negatives are 10-byte two's complement varints). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start < 10) return v;
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(this.b[i]! & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }
  int32(): number {
    return this.int64() | 0;
  }
  fixed32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  bytesRange(): [number, number] {
    const n = this.varint();
    const s = this.pos;
    this.pos += n;
    if (this.pos > this.end) throw makeError({ reason: Reason.CorruptMessage, message: "truncated batch" });
    return [s, this.pos];
  }
  skip(wt: number): void {
    switch (wt) {
      case 0: this.varint(); break;
      case 1: this.pos += 8; break;
      case 2: this.bytesRange(); break;
      case 5: this.pos += 4; break;
      default: throw makeError({ reason: Reason.CorruptMessage, message: `wire type ${wt} in a batch` });
    }
  }
}

/** RawBatch is a stored batch's header and payload. */
export interface RawBatch {
  baseOffset: number;
  leaderEpoch: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  logAppendTime: boolean;
  compression: Compression;
  crc: number | undefined;
  payload: Uint8Array;
}

/** parseBatch reads a serialized RecordBatch. */
export function parseBatch(b: Uint8Array): RawBatch {
  const r = new Rd(b, 0, b.length);
  const out: RawBatch = { baseOffset: 0, leaderEpoch: 0, lastOffsetDelta: 0, firstTimestamp: 0, maxTimestamp: 0, logAppendTime: false, compression: Compression.UNSPECIFIED, crc: undefined, payload: new Uint8Array(0) };
  while (r.pos < b.length) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    switch (no) {
      case 1: out.baseOffset = r.int64(); break;
      case 2: out.leaderEpoch = r.int32(); break;
      case 3: out.lastOffsetDelta = r.int32(); break;
      case 5: out.firstTimestamp = r.int64(); break;
      case 6: out.maxTimestamp = r.int64(); break;
      case 7: out.logAppendTime = r.varint() === 2; break;
      case 8: out.compression = r.varint(); break;
      case 12: if (wt === 5) out.crc = r.fixed32(); else r.skip(wt); break;
      case 14:
      case 15: {
        const [s, e] = r.bytesRange();
        out.payload = b.subarray(s, e);
        break;
      }
      default: r.skip(wt);
    }
  }
  return out;
}

/**
 * decodeRawBatch returns the records of a serialized RecordBatch at or
 * after minOffset, after checking the payload's CRC-32C.
 */
export async function decodeRawBatch(bytes: Uint8Array, minOffset: number): Promise<{ records: DecodedRecord[]; next: number }> {
  const b = parseBatch(bytes);
  const next = b.baseOffset + b.lastOffsetDelta + 1;
  if (next <= minOffset) return { records: [], next };
  if (b.crc !== undefined && crc32cOf(b.payload) !== b.crc) {
    throw makeError({ reason: Reason.CorruptMessage, message: `batch at offset ${b.baseOffset}: CRC-32C mismatch` });
  }
  const raw = b.compression === Compression.UNSPECIFIED || b.compression === Compression.NONE ? b.payload : await decompress(b.compression, b.payload);
  const out: DecodedRecord[] = [];
  const r = new Rd(raw, 0, raw.length);
  while (r.pos < raw.length) {
    const tag = r.varint();
    if (tag !== 0x0a) {
      r.skip(tag & 7);
      continue;
    }
    const [s, e] = r.bytesRange();
    const rr = new Rd(raw, s, e);
    let offsetDelta = 0, tsDelta = 0;
    let key: Uint8Array | null = null, value: Uint8Array | null = null;
    const headers: Header[] = [];
    while (rr.pos < e) {
      const t = rr.varint();
      switch (t) {
        case 0x08: offsetDelta = rr.int32(); break;
        case 0x10: tsDelta = rr.int64(); break;
        case 0x1a: { const [ks, ke] = rr.bytesRange(); key = raw.subarray(ks, ke); break; }
        case 0x22: { const [vs, ve] = rr.bytesRange(); value = raw.subarray(vs, ve); break; }
        case 0x2a: {
          const [hs, he] = rr.bytesRange();
          const hr = new Rd(raw, hs, he);
          let hk = "", hv: Uint8Array = raw.subarray(0, 0);
          while (hr.pos < he) {
            const ht = hr.varint();
            if (ht === 0x0a) { const [a, z] = hr.bytesRange(); hk = td.decode(raw.subarray(a, z)); }
            else if (ht === 0x12) { const [a, z] = hr.bytesRange(); hv = raw.subarray(a, z); }
            else hr.skip(ht & 7);
          }
          headers.push({ key: hk, value: hv });
          break;
        }
        default: rr.skip(t & 7);
      }
    }
    rr.pos = e;
    const offset = b.baseOffset + offsetDelta;
    if (offset < minOffset) continue;
    out.push({ offset, leaderEpoch: b.leaderEpoch, timestampMs: b.logAppendTime ? b.maxTimestamp : b.firstTimestamp + tsDelta, key, value, headers });
  }
  return { records: out, next };
}
