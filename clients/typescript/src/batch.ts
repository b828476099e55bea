// Batch encoding: a batch is the serialized fjord.v1.RecordBatch message,
// header fields in field-number order then the payload (field 14, an
// embedded Records message, or field 15, the compressed Records bytes),
// byte-exact with the Go SDK (clients/testdata/batches.json).
import { promisify } from "node:util";
import { gzip as gzipCb, gunzip as gunzipCb } from "node:zlib";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { crc32c } from "@node-rs/crc32";
import * as zstd from "@mongodb-js/zstd";
import * as snappy from "snappy";
import * as lz4 from "lz4-napi";
import { Compression, type RecordBatch } from "./gen/fjord/v1/record_pb.js";
import { FjordError, makeError, Reason } from "./errors.js";

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** A header of a record. */
export interface Header {
  key: string;
  value: Uint8Array;
}

/** The parts of a record that go into a batch. */
export interface BatchRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Header[];
  timestampMs: number;
}

/** A record read back from a batch. */
export interface DecodedRecord extends BatchRecord {
  offset: number;
  leaderEpoch: number;
}

/** Idempotence stamp of a batch. */
export interface Stamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/**
 * A batch codec. "snappy" is the raw Snappy block format (not the framing
 * format) and "lz4" the LZ4 frame format, as proto/fjord/v1/record.proto
 * says and the Go SDK writes.
 */
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** The codec names a producer accepts. */
export const compressionNames: readonly CompressionName[] = ["none", "gzip", "snappy", "lz4", "zstd"];

/** Batches never decompress to more than this (like the Go SDK). */
const maxDecompressed = 512 << 20;

export function compressionCode(c: CompressionName): Compression {
  switch (c) {
    case "gzip":
      return Compression.GZIP;
    case "snappy":
      return Compression.SNAPPY;
    case "lz4":
      return Compression.LZ4;
    case "zstd":
      return Compression.ZSTD;
    default:
      return Compression.UNSPECIFIED;
  }
}

/** appendRecord writes one Record message (field 1 of Records) to w. */
export function appendRecord(w: BinaryWriter, index: number, tsDelta: number, r: BatchRecord): void {
  w.tag(1, WireType.LengthDelimited).fork();
  if (index !== 0) w.tag(1, WireType.Varint).int32(index);
  if (tsDelta !== 0) w.tag(2, WireType.Varint).int64(tsDelta);
  if (r.key !== null) w.tag(3, WireType.LengthDelimited).bytes(r.key);
  if (r.value !== null) w.tag(4, WireType.LengthDelimited).bytes(r.value);
  for (const h of r.headers) {
    w.tag(5, WireType.LengthDelimited).fork();
    if (h.key !== "") w.tag(1, WireType.LengthDelimited).string(h.key);
    if (h.value.length > 0) w.tag(2, WireType.LengthDelimited).bytes(h.value);
    w.join();
  }
  w.join();
}

function varintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** writeVarint writes a non-negative integer below 2^53 as a varint at pos; returns the new pos. */
function writeVarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** int64 varint of a possibly negative integer (two's complement, 10 bytes when negative). */
function int64Bytes(v: number): Uint8Array {
  return new BinaryWriter().int64(v).finish();
}

/**
 * encodeRecords serializes records as a fjord.v1.Records message, sizing
 * every record first and writing into one buffer (the hot path of the
 * producer: no per-field allocation).
 */
export function encodeRecords(recs: BatchRecord[]): { raw: Uint8Array; first: number; maxTs: number } {
  const first = recs[0]!.timestampMs;
  let maxTs = first;
  const sizes = new Array<number>(recs.length);
  const hsizes: number[] = [];
  let total = 0;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.timestampMs > maxTs) maxTs = r.timestampMs;
    const d = r.timestampMs - first;
    let n = 0;
    if (i !== 0) n += 1 + varintLen(i);
    if (d !== 0) n += 1 + (d > 0 ? varintLen(d) : 10);
    if (r.key !== null) n += 1 + varintLen(r.key.length) + r.key.length;
    if (r.value !== null) n += 1 + varintLen(r.value.length) + r.value.length;
    for (const h of r.headers) {
      const kl = Buffer.byteLength(h.key);
      let hs = 0;
      if (kl > 0) hs += 1 + varintLen(kl) + kl;
      if (h.value.length > 0) hs += 1 + varintLen(h.value.length) + h.value.length;
      hsizes.push(kl, hs);
      n += 1 + varintLen(hs) + hs;
    }
    sizes[i] = n;
    total += 1 + varintLen(n) + n;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  let hi = 0;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, sizes[i]!);
    if (i !== 0) {
      buf[pos++] = 0x08;
      pos = writeVarint(buf, pos, i);
    }
    const d = r.timestampMs - first;
    if (d !== 0) {
      buf[pos++] = 0x10;
      if (d > 0) pos = writeVarint(buf, pos, d);
      else {
        buf.set(int64Bytes(d), pos);
        pos += 10;
      }
    }
    if (r.key !== null) {
      buf[pos++] = 0x1a;
      pos = writeVarint(buf, pos, r.key.length);
      buf.set(r.key, pos);
      pos += r.key.length;
    }
    if (r.value !== null) {
      buf[pos++] = 0x22;
      pos = writeVarint(buf, pos, r.value.length);
      buf.set(r.value, pos);
      pos += r.value.length;
    }
    for (const h of r.headers) {
      const kl = hsizes[hi++]!;
      const hs = hsizes[hi++]!;
      buf[pos++] = 0x2a;
      pos = writeVarint(buf, pos, hs);
      if (kl > 0) {
        buf[pos++] = 0x0a;
        pos = writeVarint(buf, pos, kl);
        pos += buf.write(h.key, pos, "utf8");
      }
      if (h.value.length > 0) {
        buf[pos++] = 0x12;
        pos = writeVarint(buf, pos, h.value.length);
        buf.set(h.value, pos);
        pos += h.value.length;
      }
    }
  }
  return { raw: buf, first, maxTs };
}

export async function compress(codec: Compression, raw: Uint8Array): Promise<Uint8Array> {
  switch (codec) {
    case Compression.GZIP:
      return gzip(raw);
    case Compression.SNAPPY:
      return snappy.compress(raw);
    case Compression.LZ4:
      return lz4.compressFrame(raw);
    case Compression.ZSTD:
      return zstd.compress(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), 3);
    default:
      throw makeError({ reason: Reason.InvalidRequest, message: `compression ${Compression[codec]} is not supported by this SDK` });
  }
}

/** snappyDecodedLen reads the decoded length that starts a raw Snappy block (a uvarint). */
function snappyDecodedLen(data: Uint8Array): number {
  let n = 0;
  for (let i = 0, shift = 1; i < 5 && i < data.length; i++, shift *= 128) {
    n += (data[i] & 0x7f) * shift;
    if ((data[i] & 0x80) === 0) return n;
  }
  throw makeError({ reason: Reason.CorruptMessage, message: "snappy: corrupt input (invalid length header)" });
}

async function decompressRaw(codec: Compression, data: Uint8Array): Promise<Uint8Array> {
  switch (codec) {
    case Compression.GZIP:
      return gunzip(data, { maxOutputLength: maxDecompressed });
    case Compression.SNAPPY: {
      const n = snappyDecodedLen(data);
      if (n > maxDecompressed) {
        throw makeError({ reason: Reason.CorruptMessage, message: `snappy: decompressed size ${n} too large` });
      }
      return (await snappy.uncompress(data, { asBuffer: true })) as Buffer;
    }
    case Compression.LZ4:
      return lz4.decompressFrame(data);
    case Compression.ZSTD:
      return zstd.decompress(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    default:
      throw makeError({ reason: Reason.CorruptMessage, message: `compression ${Compression[codec] ?? codec} is not supported by this SDK` });
  }
}

/**
 * decompress undoes compress; a payload that does not decode (or decodes to
 * more than 512 MiB) is a CORRUPT_MESSAGE error.
 */
export async function decompress(codec: Compression, data: Uint8Array): Promise<Uint8Array> {
  let out: Uint8Array;
  try {
    out = await decompressRaw(codec, data);
  } catch (e) {
    if (e instanceof FjordError) throw e;
    const name = Compression[codec]?.toLowerCase() ?? String(codec);
    const msg = (e as Error).message;
    throw makeError({ reason: Reason.CorruptMessage, message: msg.startsWith(`${name}: `) ? msg : `${name}: ${msg}` });
  }
  if (out.length > maxDecompressed) {
    throw makeError({ reason: Reason.CorruptMessage, message: `${Compression[codec]?.toLowerCase()}: decompressed batch too large` });
  }
  return out;
}

function isCompressed(c: Compression): boolean {
  return c !== Compression.UNSPECIFIED && c !== Compression.NONE;
}

/**
 * finishBatch writes the RecordBatch header and payload for records already
 * serialized as raw (a Records message), compressing them with codec.
 */
export async function finishBatch(raw: Uint8Array, n: number, first: number, maxTs: number, codec: Compression, st: Stamp): Promise<Uint8Array> {
  const payload = isCompressed(codec) ? await compress(codec, raw) : raw;
  const w = new BinaryWriter();
  if (n - 1 !== 0) w.tag(3, WireType.Varint).int32(n - 1);
  if (n !== 0) w.tag(4, WireType.Varint).int32(n);
  if (first !== 0) w.tag(5, WireType.Varint).int64(first);
  if (maxTs !== 0) w.tag(6, WireType.Varint).int64(maxTs);
  if (isCompressed(codec)) w.tag(8, WireType.Varint).int32(codec);
  if (st.producerId !== 0n) w.tag(9, WireType.Varint).int64(st.producerId);
  if (st.producerEpoch !== 0) w.tag(10, WireType.Varint).int32(st.producerEpoch);
  if (st.baseSequence !== 0) w.tag(11, WireType.Varint).int32(st.baseSequence);
  w.tag(12, WireType.Bit32).fixed32(crc32c(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)) >>> 0);
  if (raw.length !== 0) w.tag(13, WireType.Varint).int32(raw.length);
  w.tag(isCompressed(codec) ? 15 : 14, WireType.LengthDelimited).bytes(payload);
  return w.finish();
}

/** encodeBatch serializes records as one RecordBatch. */
export async function encodeBatch(recs: BatchRecord[], codec: Compression, st: Stamp): Promise<Uint8Array> {
  if (recs.length === 0) throw makeError({ reason: Reason.InvalidRequest, message: "empty batch" });
  const { raw, first, maxTs } = encodeRecords(recs);
  return finishBatch(raw, recs.length, first, maxTs, codec, st);
}

/** crc32cOf is the CRC-32C (Castagnoli) of b. */
export function crc32cOf(b: Uint8Array): number {
  return crc32c(Buffer.from(b.buffer, b.byteOffset, b.byteLength)) >>> 0;
}

/** decodeRecordsBytes parses a serialized Records message. */
export function decodeRecordsBytes(raw: Uint8Array): { offsetDelta: number; tsDelta: number; key: Uint8Array | null; value: Uint8Array | null; headers: Header[] }[] {
  const r = new BinaryReader(raw);
  const out = [];
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no !== 1 || wt !== WireType.LengthDelimited) {
      r.skip(wt, no);
      continue;
    }
    const rr = new BinaryReader(r.bytes());
    const rec = { offsetDelta: 0, tsDelta: 0, key: null as Uint8Array | null, value: null as Uint8Array | null, headers: [] as Header[] };
    while (rr.pos < rr.len) {
      const [f, t] = rr.tag();
      switch (f) {
        case 1: rec.offsetDelta = rr.int32(); break;
        case 2: rec.tsDelta = Number(rr.int64()); break;
        case 3: rec.key = rr.bytes(); break;
        case 4: rec.value = rr.bytes(); break;
        case 5: {
          const hr = new BinaryReader(rr.bytes());
          const h: Header = { key: "", value: new Uint8Array(0) };
          while (hr.pos < hr.len) {
            const [hf, ht] = hr.tag();
            if (hf === 1) h.key = hr.string();
            else if (hf === 2) h.value = hr.bytes();
            else hr.skip(ht, hf);
          }
          rec.headers.push(h);
          break;
        }
        default: rr.skip(t, f);
      }
    }
    out.push(rec);
  }
  return out;
}

/**
 * decodeBatch returns the records of a fetched RecordBatch. Compressed
 * payloads are checked against the batch CRC before decompressing.
 */
export async function decodeBatch(b: RecordBatch): Promise<DecodedRecord[]> {
  const base = Number(b.baseOffset);
  const first = Number(b.firstTimestamp);
  const logAppend = b.timestampType === 2;
  const maxTs = Number(b.maxTimestamp);
  const out: DecodedRecord[] = [];
  if (b.payload.case === "records") {
    for (const r of b.payload.value.records) {
      out.push({
        offset: base + r.offsetDelta,
        leaderEpoch: b.leaderEpoch,
        timestampMs: logAppend ? maxTs : first + Number(r.timestampDelta),
        key: r.key ?? null,
        value: r.value ?? null,
        headers: r.headers.map((h) => ({ key: h.key, value: h.value })),
      });
    }
    return out;
  }
  if (b.payload.case === "compressedRecords") {
    const data = b.payload.value;
    if (b.crc !== undefined && crc32cOf(data) !== b.crc) {
      throw makeError({ reason: Reason.CorruptMessage, message: `batch at offset ${base}: CRC-32C mismatch` });
    }
    const raw = await decompress(b.compression, data);
    for (const r of decodeRecordsBytes(raw)) {
      out.push({ offset: base + r.offsetDelta, leaderEpoch: b.leaderEpoch, timestampMs: logAppend ? maxTs : first + r.tsDelta, key: r.key, value: r.value, headers: r.headers });
    }
  }
  return out;
}
