// Avro serde in the Confluent wire format: magic byte 0, the schema id as
// 4 bytes big-endian, then the Avro binary encoding (avsc). The serializer
// registers (or looks up) the writer schema under the subject
// (TopicNameStrategy: "<topic>-value" / "<topic>-key" by default); the
// deserializer fetches the writer schema by id and decodes with it,
// optionally resolving to a reader schema.
import avro from "avsc";
import { makeError, Reason, FjordError } from "./errors.js";
import type { RegistryClient } from "./registry.js";

type AvroType = avro.Type;

function parseType(schema: string | object): AvroType {
  try {
    const s = typeof schema === "string" ? JSON.parse(schema) : schema;
    return avro.Type.forSchema(s as avro.Schema, { wrapUnions: false } as never);
  } catch (e) {
    throw makeError({ reason: Reason.InvalidSchema, message: `invalid Avro schema: ${(e as Error).message}`, cause: e });
  }
}

export interface AvroSerializerOptions {
  /** Subject to register under; default "<topic>-value" (or "-key" with isKey). */
  subject?: string;
  /** Register the schema when missing (default true); false only looks it up. */
  autoRegister?: boolean;
}

/** Header written before every Avro payload. */
export function wireHeader(id: number): Uint8Array {
  const b = Buffer.alloc(5);
  b[0] = 0;
  b.writeUInt32BE(id, 1);
  return b;
}

export class AvroSerializer<T = unknown> {
  private readonly type: AvroType;
  private readonly schemaText: string;
  private readonly ids = new Map<string, Promise<number>>();

  constructor(private readonly registry: RegistryClient, schema: string | object, private readonly opts: AvroSerializerOptions = {}) {
    this.type = parseType(schema);
    this.schemaText = typeof schema === "string" ? schema : JSON.stringify(schema);
  }

  /** subjectFor is the subject a topic's values (or keys) use. */
  subjectFor(topic: string, isKey = false): string {
    return this.opts.subject ?? `${topic}-${isKey ? "key" : "value"}`;
  }

  private id(subject: string): Promise<number> {
    let p = this.ids.get(subject);
    if (!p) {
      p = this.opts.autoRegister === false
        ? this.registry.lookup(subject, this.schemaText).then((s) => s.id)
        : this.registry.register(subject, this.schemaText);
      p.catch(() => this.ids.delete(subject));
      this.ids.set(subject, p);
    }
    return p;
  }

  /** serialize encodes value for topic (subject from the options or "<topic>-value"). */
  async serialize(topic: string, value: T, isKey = false): Promise<Uint8Array> {
    const id = await this.id(this.subjectFor(topic, isKey));
    return this.encodeWithId(id, value);
  }

  /** encodeWithId encodes value with a known schema id. */
  encodeWithId(id: number, value: T): Uint8Array {
    let body: Buffer;
    try {
      body = this.type.toBuffer(value);
    } catch (e) {
      throw makeError({ reason: Reason.Serialization, message: `value does not match the Avro schema: ${(e as Error).message}`, cause: e });
    }
    return Buffer.concat([wireHeader(id), body]);
  }

  /** fromJSON turns a JSON value (unions as plain values, bytes as ISO-8859-1 strings) into the value serialize() takes. */
  fromJSON(json: unknown): T {
    try {
      return this.type.clone(json, { coerceBuffers: true }) as T;
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
      p = this.registry.schemaById(id).then(({ schema, schemaType }) => {
        if (schemaType !== "AVRO") throw makeError({ reason: Reason.Serialization, message: `schema ${id} is ${schemaType}, not AVRO` });
        const type = parseType(schema);
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

/** toJSONValue turns a decoded Avro value into plain JSON (bytes as ISO-8859-1 strings, longs as numbers). */
export function toJSONValue(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString("latin1");
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toJSONValue(x)]));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJSONValue(x)]));
  return v;
}
