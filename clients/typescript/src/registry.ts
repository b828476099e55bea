// RegistryClient talks to the Confluent-compatible schema registry REST API
// (served by every broker on its HTTP port) and caches ids and schemas:
// a schema registered once is not registered again, an id is fetched once.
import { makeError, Reason, type FjordError } from "./errors.js";

/**
 * A Confluent schema reference: a named type the schema takes from
 * another registered schema. name is the type's full name as the
 * referencing schema uses it; subject and version locate the schema that
 * defines it.
 */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A registered schema. */
export interface RegisteredSchema {
  subject: string;
  version: number;
  id: number;
  schema: string;
  schemaType: string;
  /** The schema's references ([] when it has none). */
  references: SchemaReference[];
}

/** A schema fetched by id. */
export interface SchemaById {
  schema: string;
  schemaType: string;
  references: SchemaReference[];
}

function requestBody(schema: string, schemaType: string, references: SchemaReference[]): Record<string, unknown> {
  const body: Record<string, unknown> = { schema };
  if (schemaType !== "AVRO") body.schemaType = schemaType;
  if (references.length > 0) body.references = references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
  return body;
}

function registered(r: Partial<RegisteredSchema>): RegisteredSchema {
  return { subject: r.subject ?? "", version: r.version ?? 0, id: r.id ?? 0, schema: r.schema ?? "", schemaType: r.schemaType ?? "AVRO", references: r.references ?? [] };
}

export interface RegistryOptions {
  /** Base URL, e.g. http://127.0.0.1:8081. Required. */
  url: string;
  /** Extra HTTP headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Timeout of one request in ms. Default 10000. */
  timeoutMs?: number;
}

/** Confluent error codes to published reasons (schemaregistry/errors.go). */
const codeReasons: Record<number, string> = {
  40401: "SUBJECT_NOT_FOUND",
  40402: "VERSION_NOT_FOUND",
  40403: "SCHEMA_NOT_FOUND",
  40404: "SUBJECT_SOFT_DELETED",
  409: "INCOMPATIBLE_SCHEMA",
  42201: "INVALID_SCHEMA",
  42202: "INVALID_VERSION",
  42203: "INVALID_COMPATIBILITY_LEVEL",
  50001: "SCHEMA_STORE_ERROR",
  50002: "SCHEMA_STORE_TIMEOUT",
  50003: "SCHEMA_FORWARDING_ERROR",
};

export class RegistryClient {
  private readonly base: string;
  private readonly ids = new Map<string, Promise<number>>();
  private readonly byId = new Map<number, Promise<SchemaById>>();
  private readonly byVersion = new Map<string, Promise<RegisteredSchema>>();

  constructor(private readonly opts: RegistryOptions) {
    this.base = opts.url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let resp: Response;
    try {
      resp = await fetch(this.base + path, {
        method,
        headers: { "Content-Type": "application/vnd.schemaregistry.v1+json", Accept: "application/vnd.schemaregistry.v1+json, application/json", ...this.opts.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10000),
      });
    } catch (e) {
      throw makeError({ reason: Reason.Unavailable, message: `schema registry ${this.base}: ${(e as Error).message}`, retriable: true, cause: e });
    }
    const text = await resp.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = {};
    }
    if (!resp.ok) {
      const j = json as { error_code?: number; message?: string };
      const code = j.error_code ?? resp.status;
      const reason = codeReasons[code] ?? (resp.status === 404 ? "NOT_FOUND" : resp.status >= 500 ? Reason.Unavailable : Reason.InvalidRequest);
      throw makeError({ reason, message: `${j.message ?? resp.statusText} (error code ${code})`, retriable: resp.status >= 500, metadata: { error_code: String(code) } });
    }
    return json as T;
  }

  /** register registers schema (with its references) under subject (idempotent) and returns its id; cached. */
  register(subject: string, schema: string, schemaType = "AVRO", references: SchemaReference[] = []): Promise<number> {
    const k = `${subject}\u0000${schemaType}\u0000${JSON.stringify(references)}\u0000${schema}`;
    let p = this.ids.get(k);
    if (!p) {
      p = this.call<{ id: number }>("POST", `/subjects/${encodeURIComponent(subject)}/versions`, requestBody(schema, schemaType, references)).then((r) => r.id);
      p.catch(() => this.ids.delete(k));
      this.ids.set(k, p);
    }
    return p;
  }

  /** lookup returns the registered version of schema under subject (SUBJECT_NOT_FOUND / SCHEMA_NOT_FOUND otherwise). */
  async lookup(subject: string, schema: string, schemaType = "AVRO", references: SchemaReference[] = []): Promise<RegisteredSchema> {
    return registered(await this.call<Partial<RegisteredSchema>>("POST", `/subjects/${encodeURIComponent(subject)}`, requestBody(schema, schemaType, references)));
  }

  /** schemaById returns the schema with a global id, with its references; cached. */
  schemaById(id: number): Promise<SchemaById> {
    let p = this.byId.get(id);
    if (!p) {
      p = this.call<{ schema: string; schemaType?: string; references?: SchemaReference[] }>("GET", `/schemas/ids/${id}`)
        .then((r) => ({ schema: r.schema, schemaType: r.schemaType ?? "AVRO", references: r.references ?? [] }));
      p.catch(() => this.byId.delete(id));
      this.byId.set(id, p);
    }
    return p;
  }

  /** schemaByVersion returns one version of a subject (how references are resolved); cached. */
  schemaByVersion(subject: string, version: number): Promise<RegisteredSchema> {
    const k = `${subject}\u0000${version}`;
    let p = this.byVersion.get(k);
    if (!p) {
      p = this.call<Partial<RegisteredSchema>>("GET", `/subjects/${encodeURIComponent(subject)}/versions/${version}`).then(registered);
      p.catch(() => this.byVersion.delete(k));
      this.byVersion.set(k, p);
    }
    return p;
  }

  /** latest returns the latest version of a subject. */
  async latest(subject: string): Promise<RegisteredSchema> {
    return registered(await this.call<Partial<RegisteredSchema>>("GET", `/subjects/${encodeURIComponent(subject)}/versions/latest`));
  }

  subjects(): Promise<string[]> {
    return this.call<string[]>("GET", "/subjects");
  }

  versions(subject: string): Promise<number[]> {
    return this.call<number[]>("GET", `/subjects/${encodeURIComponent(subject)}/versions`);
  }

  /** deleteSubject soft-deletes (or with permanent, hard-deletes) a subject; returns the deleted versions. */
  deleteSubject(subject: string, permanent = false): Promise<number[]> {
    return this.call<number[]>("DELETE", `/subjects/${encodeURIComponent(subject)}${permanent ? "?permanent=true" : ""}`);
  }

  /** isCompatible checks schema against the subject's latest version under its compatibility level. */
  async isCompatible(subject: string, schema: string, schemaType = "AVRO", references: SchemaReference[] = []): Promise<boolean> {
    const r = await this.call<{ is_compatible: boolean }>("POST", `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, requestBody(schema, schemaType, references));
    return r.is_compatible;
  }

  /** setCompatibility sets the level (NONE, BACKWARD, FORWARD, FULL, *_TRANSITIVE) of a subject, or the global one. */
  async setCompatibility(level: string, subject?: string): Promise<void> {
    await this.call("PUT", subject ? `/config/${encodeURIComponent(subject)}` : "/config", { compatibility: level });
  }
}

export type { FjordError };
