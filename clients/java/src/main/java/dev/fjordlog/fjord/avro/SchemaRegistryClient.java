package dev.fjordlog.fjord.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fjordlog.fjord.SchemaRegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A caching client of the Confluent-compatible schema registry REST API that every Fjord broker
 * serves on its HTTP port. Registered ids and fetched schemas are cached for the client's life
 * (ids are immutable). Registry errors throw {@link SchemaRegistryException} with the reason
 * (e.g. INVALID_SCHEMA) and the Confluent error code (e.g. 42201).
 */
public final class SchemaRegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(40401, "SUBJECT_NOT_FOUND"),
      Map.entry(40402, "VERSION_NOT_FOUND"),
      Map.entry(40403, "SCHEMA_NOT_FOUND"),
      Map.entry(40404, "SUBJECT_SOFT_DELETED"),
      Map.entry(40405, "SUBJECT_NOT_SOFT_DELETED"),
      Map.entry(40406, "VERSION_SOFT_DELETED"),
      Map.entry(40407, "VERSION_NOT_SOFT_DELETED"),
      Map.entry(40408, "SUBJECT_CONFIG_NOT_FOUND"),
      Map.entry(40409, "SUBJECT_MODE_NOT_FOUND"),
      Map.entry(409, "INCOMPATIBLE_SCHEMA"),
      Map.entry(42201, "INVALID_SCHEMA"),
      Map.entry(42202, "INVALID_VERSION"),
      Map.entry(42203, "INVALID_COMPATIBILITY_LEVEL"),
      Map.entry(42204, "INVALID_MODE"),
      Map.entry(42205, "OPERATION_NOT_PERMITTED"),
      Map.entry(42206, "REFERENCE_EXISTS"),
      Map.entry(50001, "SCHEMA_STORE_ERROR"),
      Map.entry(50002, "SCHEMA_STORE_TIMEOUT"),
      Map.entry(50003, "SCHEMA_FORWARDING_ERROR"));

  private final String base;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  /** A client of the registry at baseUrl (e.g. http://127.0.0.1:8081). */
  public SchemaRegistryClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(10));
  }

  /** A client with a request timeout. */
  public SchemaRegistryClient(String baseUrl, Duration timeout) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Registers an Avro schema under subject (idempotent) and returns its global id. */
  public int register(String subject, String schema) {
    String key = subject + "\u0000" + schema;
    Integer id = ids.get(key);
    if (id != null) {
      return id;
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schema);
    JsonNode r = send("POST", "/subjects/" + enc(subject) + "/versions", body.toString());
    id = r.get("id").asInt();
    ids.put(key, id);
    return id;
  }

  /** Registers a parsed schema. */
  public int register(String subject, Schema schema) {
    return register(subject, schema.toString());
  }

  /** The schema with this global id. */
  public Schema schemaById(int id) {
    Schema s = schemas.get(id);
    if (s != null) {
      return s;
    }
    JsonNode r = send("GET", "/schemas/ids/" + id, null);
    try {
      s = new Schema.Parser().parse(r.get("schema").asText());
    } catch (RuntimeException e) {
      throw (SchemaRegistryException) new SchemaRegistryException("INVALID_SCHEMA",
          "schema " + id + " is not valid Avro: " + e.getMessage(), false, e).withErrorCode(42201);
    }
    schemas.put(id, s);
    return s;
  }

  /** The latest version of a subject: its id and schema text. */
  public Map.Entry<Integer, String> latest(String subject) {
    JsonNode r = send("GET", "/subjects/" + enc(subject) + "/versions/latest", null);
    return Map.entry(r.get("id").asInt(), r.get("schema").asText());
  }

  /** Deletes a subject (soft delete); returns the deleted versions' count. */
  public int deleteSubject(String subject) {
    JsonNode r = send("DELETE", "/subjects/" + enc(subject), null);
    return r.isArray() ? r.size() : 0;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
    if (body != null) {
      b.header("Content-Type", "application/vnd.schemaregistry.v1+json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> resp;
    try {
      resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException("UNAVAILABLE", "schema registry " + base + ": " + e, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException("UNAVAILABLE", "interrupted", true, e);
    }
    JsonNode json;
    try {
      json = JSON.readTree(resp.body().isEmpty() ? "{}" : resp.body());
    } catch (IOException e) {
      json = JSON.createObjectNode();
    }
    if (resp.statusCode() / 100 != 2) {
      int code = json.path("error_code").asInt(resp.statusCode());
      String reason = REASONS.getOrDefault(code, "REGISTRY_ERROR");
      String msg = json.path("message").asText("HTTP " + resp.statusCode());
      boolean retriable = code >= 50000 || resp.statusCode() >= 500;
      throw new SchemaRegistryException(reason, msg + " (error_code " + code + ")", retriable, null)
          .withErrorCode(code);
    }
    return json;
  }
}
