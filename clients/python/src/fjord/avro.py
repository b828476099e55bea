"""Avro serde in the Confluent wire format, with a caching schema registry client.

Wire format: magic byte 0, the schema id as 4 bytes big-endian, then the
Avro binary encoding (fastavro). The registry client speaks the Confluent
REST API (Fjord serves it on its HTTP port) with urllib and caches ids and
schemas, so a serializer registers a schema once and a deserializer fetches
each writer schema once.
"""

from __future__ import annotations

import io
import json
import struct
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import fastavro

from fjord.errors import REASON_SCHEMA, SchemaError

_CT = "application/vnd.schemaregistry.v1+json"


class SchemaRegistryClient:
    """A Confluent-REST schema registry client with id and schema caches. Thread-safe."""

    def __init__(self, url: str, *, timeout: float = 10.0, headers: dict[str, str] | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self._lock = threading.Lock()  # guards the caches
        self._ids: dict[tuple[str, str], int] = {}
        self._schemas: dict[int, str] = {}

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": _CT, "Accept": _CT, **self.headers})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            try:
                detail = json.loads(e.read())
            except ValueError:
                detail = {}
            code = detail.get("error_code", e.code)
            raise SchemaError(f"registry {method} {path}: {detail.get('message', e.reason)}", reason=REASON_SCHEMA,
                              metadata={"error_code": str(code), "http_status": str(e.code)},
                              retriable=e.code >= 500) from None
        except urllib.error.URLError as e:
            raise SchemaError(f"registry {method} {path}: {e.reason}", reason=REASON_SCHEMA, retriable=True) from None

    def register(self, subject: str, schema: str) -> int:
        """Registers schema under subject (idempotent) and returns its global id."""
        key = (subject, schema)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        resp = self._request("POST", f"/subjects/{urllib.parse.quote(subject, safe='')}/versions",
                             {"schema": schema})
        sid = int(resp["id"])
        with self._lock:
            self._ids[key] = sid
            self._schemas[sid] = schema
        return sid

    def get_schema(self, schema_id: int) -> str:
        """The schema with this id (cached)."""
        with self._lock:
            if schema_id in self._schemas:
                return self._schemas[schema_id]
        schema = str(self._request("GET", f"/schemas/ids/{schema_id}")["schema"])
        with self._lock:
            self._schemas[schema_id] = schema
        return schema

    def latest(self, subject: str) -> tuple[int, int, str]:
        """(id, version, schema) of the subject's latest version."""
        r = self._request("GET", f"/subjects/{urllib.parse.quote(subject, safe='')}/versions/latest")
        return int(r["id"]), int(r["version"]), str(r["schema"])


def _parse(schema: str) -> Any:
    try:
        return fastavro.parse_schema(json.loads(schema))
    except (ValueError, fastavro.schema.SchemaParseException, TypeError, KeyError) as e:
        raise SchemaError(f"invalid Avro schema: {e}", reason=REASON_SCHEMA) from None


class AvroSerializer:
    """Serializes values with one schema under one subject (e.g. "<topic>-value"), registering it on first use."""

    def __init__(self, registry: SchemaRegistryClient, subject: str, schema: str) -> None:
        self.registry = registry
        self.subject = subject
        self.schema_str = schema
        self._parsed = _parse(schema)
        self._id: int | None = None

    def __call__(self, value: Any) -> bytes:
        if self._id is None:
            self._id = self.registry.register(self.subject, self.schema_str)
        buf = io.BytesIO()
        buf.write(struct.pack(">bI", 0, self._id))
        try:
            fastavro.schemaless_writer(buf, self._parsed, value)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise SchemaError(f"value does not match the schema: {e}", reason=REASON_SCHEMA) from None
        return buf.getvalue()


class AvroDeserializer:
    """Deserializes Confluent-framed Avro with the writer schema fetched by id (optionally into a reader schema)."""

    def __init__(self, registry: SchemaRegistryClient, reader_schema: str | None = None) -> None:
        self.registry = registry
        self._reader = _parse(reader_schema) if reader_schema else None
        self._writers: dict[int, Any] = {}

    def __call__(self, data: bytes) -> Any:
        if len(data) < 5 or data[0] != 0:
            raise SchemaError("not Confluent wire format (magic byte 0 + 4-byte schema id)", reason=REASON_SCHEMA)
        sid = struct.unpack(">I", data[1:5])[0]
        w = self._writers.get(sid)
        if w is None:
            w = self._writers[sid] = _parse(self.registry.get_schema(sid))
        try:
            return fastavro.schemaless_reader(io.BytesIO(data[5:]), w, self._reader)
        except (EOFError, ValueError, TypeError, IndexError, fastavro.read.SchemaResolutionError) as e:
            raise SchemaError(f"cannot decode with schema {sid}: {e}", reason=REASON_SCHEMA) from None
