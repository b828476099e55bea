// Avro serde in the Confluent wire format: magic byte 0, the schema id as
// 4 bytes big-endian, then the Avro binary encoding (avsc). The serializer
// registers (or looks up) the writer schema under the subject
// (TopicNameStrategy: "<topic>-value" / "<topic>-key" by default); the
// deserializer fetches the writer schema by id and decodes with it,
// optionally resolving to a reader schema.
import avro from "avsc";
import { makeError, Reason, FjordError } from "./errors.js";
import type { RegistryClient, SchemaReference } from "./registry.js";

type AvroType = avro.Type;
/** avsc's named-type registry: full name -> type, shared by the parses that see each other's names. */
type NamedTypes = Record<string, AvroType>;

/**
 * An Avro long as the SDK hands it out: a number when it is a safe integer
 * (|n| <= 2^53 - 1), a bigint otherwise. serialize() takes either.
 */
export type AvroLong = number | bigint;

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** normLong returns v as an AvroLong (number when safe), or undefined when v is no 64-bit integer. */
function normLong(v: unknown): AvroLong | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== "bigint" || v < MIN_LONG || v > MAX_LONG) return undefined;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * longType replaces avsc's long, which refuses values beyond 2^53 ("potential
 * precision loss"), with one that covers all 64 bits: it decodes to a number
 * when safe and a bigint otherwise, and encodes a safe-integer number or any
 * bigint in range. avsc hands fromBuffer/toBuffer the value as 8 bytes,
 * little-endian two's complement, and does the zigzag varint itself.
 */
const longType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => normLong(buf.readBigInt64LE(0)),
  toBuffer: (v: AvroLong) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    return b;
  },
  fromJSON: (v: unknown) => {
    const n = normLong(v);
    if (n === undefined) throw new Error(typeof v === "number" ? `long ${v} is not a safe integer (pass longs beyond 2^53 as bigint)` : `${String(v)} is not a 64-bit long`);
    return n;
  },
  toJSON: (v: AvroLong) => v,
  isValid: (v: unknown) => normLong(v) !== undefined,
  compare: (a: AvroLong, b: AvroLong) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0),
});

/** typeHook makes every long (bare, {"type":"long"}, or a logical type on long) the 64-bit longType. */
function longHook(schema: unknown): AvroType | undefined {
  if (schema === "long") return longType;
  if (schema !== null && typeof schema === "object" && !Array.isArray(schema) && (schema as { type?: unknown }).type === "long") return longType;
  return undefined;
}

function parseType(schema: string | object, named?: NamedTypes, what = "Avro schema"): AvroType {
  try {
    const s = typeof schema === "string" ? JSON.parse(schema) : schema;
    return avro.Type.forSchema(s as avro.Schema, { wrapUnions: false, registry: named, typeHook: longHook } as never);
  } catch (e) {
    let msg = (e as Error).message;
    if (/^undefined type name/.test(msg)) msg += " (a type defined by another registered schema must be named in the references option)";
    throw makeError({ reason: Reason.InvalidSchema, message: `invalid ${what}: ${msg}`, cause: e });
  }
}

/**
 * resolveReferences parses the schemas that refs point to (depth first,
 * each subject version once) into named, so that a schema parsed with
 * named afterwards can use their types by name, like a Confluent client
 * resolves schema references.
 */
async function resolveReferences(registry: RegistryClient, refs: SchemaReference[], named: NamedTypes, done: Set<string>, path: string[] = []): Promise<void> {
  for (const ref of refs) {
    const at = `${ref.subject} version ${ref.version}`;
    if (path.includes(at)) {
      throw makeError({ reason: Reason.InvalidSchema, message: `Avro schema references form a cycle: ${[...path, at].join(" -> ")}` });
    }
    if (!done.has(at)) {
      const s = await registry.schemaByVersion(ref.subject, ref.version);
      if (s.schemaType !== "AVRO") {
        throw makeError({ reason: Reason.InvalidSchema, message: `reference ${ref.name}: ${at} is a ${s.schemaType} schema, not AVRO` });
      }
      await resolveReferences(registry, s.references, named, done, [...path, at]);
      parseType(s.schema, named, `Avro schema ${at} (referenced as ${ref.name})`);
      done.add(at);
    }
    if (!(ref.name in named)) {
      throw makeError({ reason: Reason.InvalidSchema, message: `reference ${ref.name}: ${at} defines no type named ${ref.name} (it defines ${Object.keys(named).filter((n) => !n.includes("<")).join(", ") || "no named type"})` });
    }
  }
}

async function parseWithReferences(registry: RegistryClient, schema: string | object, refs: SchemaReference[]): Promise<AvroType> {
  const named: NamedTypes = {};
  await resolveReferences(registry, refs, named, new Set());
  return parseType(schema, named);
}

export interface AvroSerializerOptions {
  /** Subject to register under; default "<topic>-value" (or "-key" with isKey). */
  subject?: string;
  /** Register the schema when missing (default true); false only looks it up. */
  autoRegister?: boolean;
  /**
   * Schema references: named types the schema uses that are defined by
   * other registered schemas. They are fetched from the registry (with
   * their own references) on the first serialize() or ready(), and sent
   * with the schema when it is registered or looked up.
   */
  references?: SchemaReference[];
}

/** invalidAt names the first place where value does not match type (avsc's own message JSON-encodes the value, which fails on a bigint). */
function invalidAt(type: AvroType, value: unknown): string | undefined {
  let found: string | undefined;
  try {
    type.isValid(value, {
      errorHook: (path: string[], v: unknown, t: AvroType) => {
        const shown = typeof v === "bigint" ? `${v}n` : (JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v));
        found ??= `${path.length ? `field ${path.join(".")}` : "value"} ${shown} is not a valid ${t.typeName === "abstract:long" ? "long (a safe-integer number or a bigint in 64 bits)" : (t.typeName ?? "value")}`;
      },
    });
  } catch {
    return undefined; // e.g. "ambiguous conversion": avsc's own message says it
  }
  return found;
}

/** Header written before every Avro payload. */
export function wireHeader(id: number): Uint8Array {
  const b = Buffer.alloc(5);
  b[0] = 0;
  b.writeUInt32BE(id, 1);
  return b;
}

export class AvroSerializer<T = unknown> {
  private type: AvroType | undefined;
  private typeP: Promise<AvroType> | undefined;
  private readonly schema: string | object;
  private readonly schemaText: string;
  private readonly refs: SchemaReference[];
  private readonly ids = new Map<string, Promise<number>>();

  constructor(private readonly registry: RegistryClient, schema: string | object, private readonly opts: AvroSerializerOptions = {}) {
    this.schema = schema;
    this.schemaText = typeof schema === "string" ? schema : JSON.stringify(schema);
    this.refs = opts.references ?? [];
    // Without references the schema is checked at once; with references
    // it can only be parsed once they are fetched (ready()).
    if (this.refs.length === 0) this.type = parseType(schema);
  }

  /**
   * ready resolves the schema's references from the registry and parses
   * it. serialize() calls it; call it yourself before encodeWithId() or
   * fromJSON() on a serializer with references.
   */
  async ready(): Promise<this> {
    if (this.type) return this;
    if (!this.typeP) {
      this.typeP = parseWithReferences(this.registry, this.schema, this.refs);
      this.typeP.catch(() => (this.typeP = undefined));
    }
    this.type = await this.typeP;
    return this;
  }

  private parsed(): AvroType {
    if (!this.type) {
      throw makeError({ reason: Reason.Serialization, message: "this AvroSerializer's schema has references that are not resolved yet: await serializer.ready() (or serialize()) first" });
    }
    return this.type;
  }

  /** subjectFor is the subject a topic's values (or keys) use. */
  subjectFor(topic: string, isKey = false): string {
    return this.opts.subject ?? `${topic}-${isKey ? "key" : "value"}`;
  }

  private id(subject: string): Promise<number> {
    let p = this.ids.get(subject);
    if (!p) {
      p = this.opts.autoRegister === false
        ? this.registry.lookup(subject, this.schemaText, "AVRO", this.refs).then((s) => s.id)
        : this.registry.register(subject, this.schemaText, "AVRO", this.refs);
      p.catch(() => this.ids.delete(subject));
      this.ids.set(subject, p);
    }
    return p;
  }

  /** serialize encodes value for topic (subject from the options or "<topic>-value"). */
  async serialize(topic: string, value: T, isKey = false): Promise<Uint8Array> {
    await this.ready();
    const id = await this.id(this.subjectFor(topic, isKey));
    return this.encodeWithId(id, value);
  }

  /** encodeWithId encodes value with a known schema id. */
  encodeWithId(id: number, value: T): Uint8Array {
    const type = this.parsed();
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch (e) {
      throw makeError({ reason: Reason.Serialization, message: `value does not match the Avro schema: ${invalidAt(type, value) ?? (e as Error).message}`, cause: e });
    }
    return Buffer.concat([wireHeader(id), body]);
  }

  /** fromJSON turns a JSON value (unions as plain values, bytes as ISO-8859-1 strings) into the value serialize() takes. */
  fromJSON(json: unknown): T {
    const type = this.parsed();
    try {
      return type.clone(json, { coerceBuffers: true }) as T;
    } catch (e) {
      throw makeError({ reason: Reason.Serialization, message: `JSON value does not match the Avro schema: ${(e as Error).message}`, cause: e });
    }
  }
}

export class AvroDeserializer<T = unknown> {
  private readonly types = new Map<number, Promise<{ type: AvroType; resolver?: unknown }>>();
  private readonly reader: AvroType | undefined;

  /** With readerSchema, values are resolved from each writer schema to it. */
  constructor(private readonly registry: RegistryClient, readerSchema?: string | object) {
    this.reader = readerSchema === undefined ? undefined : parseType(readerSchema);
  }

  private writer(id: number) {
    let p = this.types.get(id);
    if (!p) {
      p = this.registry.schemaById(id).then(async ({ schema, schemaType, references }) => {
        if (schemaType !== "AVRO") throw makeError({ reason: Reason.Serialization, message: `schema ${id} is ${schemaType}, not AVRO` });
        const type = references?.length ? await parseWithReferences(this.registry, schema, references) : parseType(schema);
        return { type, resolver: this.reader ? this.reader.createResolver(type) : undefined };
      });
      p.catch(() => this.types.delete(id));
      this.types.set(id, p);
    }
    return p;
  }

  /** schemaId reads the schema id of a Confluent-framed payload. */
  static schemaId(data: Uint8Array): number {
    if (data.length < 5 || data[0] !== 0) {
      throw makeError({ reason: Reason.Serialization, message: `not in the Confluent wire format (${data.length} bytes, magic byte ${data[0]})` });
    }
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).readUInt32BE(1);
  }

  /** deserialize decodes a Confluent-framed Avro payload. */
  async deserialize(data: Uint8Array): Promise<T> {
    const id = AvroDeserializer.schemaId(data);
    const { type, resolver } = await this.writer(id);
    const body = Buffer.from(data.buffer, data.byteOffset + 5, data.byteLength - 5);
    try {
      if (resolver && this.reader) return this.reader.fromBuffer(body, resolver as never) as T;
      return type.fromBuffer(body) as T;
    } catch (e) {
      if (e instanceof FjordError) throw e;
      throw makeError({ reason: Reason.Serialization, message: `payload does not decode with schema ${id}: ${(e as Error).message}`, cause: e });
    }
  }
}

/**
 * toJSONValue turns a decoded Avro value into plain JSON values (bytes as
 * ISO-8859-1 strings). Longs stay as decoded: a number, or a bigint beyond
 * 2^53, which JSON.stringify refuses; write them with a bigint-aware
 * stringifier (the interop tool uses lossless-json's stringify).
 */
export function toJSONValue(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString("latin1");
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toJSONValue(x)]));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJSONValue(x)]));
  return v;
}
