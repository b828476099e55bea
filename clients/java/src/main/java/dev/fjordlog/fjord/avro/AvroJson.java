package dev.fjordlog.fjord.avro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Converts between plain JSON (unions as plain values, records as objects, enums as strings,
 * bytes as ISO-8859-1 strings) and Avro generic values. This is the JSON form the shared vectors
 * in clients/testdata/avro_wire.json and the interop tool use.
 */
public final class AvroJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AvroJson() {}

  /** Parses JSON text into a generic value of schema. */
  public static Object fromJson(String json, Schema schema) {
    try {
      return fromJson(JSON.readTree(json), schema);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
    }
  }

  /** Converts a JSON node into a generic value of schema. */
  public static Object fromJson(JsonNode n, Schema s) {
    switch (s.getType()) {
      case NULL:
        if (n != null && !n.isNull()) {
          throw mismatch(n, s);
        }
        return null;
      case BOOLEAN:
        if (!n.isBoolean()) {
          throw mismatch(n, s);
        }
        return n.booleanValue();
      case INT:
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
          throw mismatch(n, s);
        }
        return n.intValue();
      case LONG:
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
          throw mismatch(n, s);
        }
        return n.longValue();
      case FLOAT:
        if (!n.isNumber()) {
          throw mismatch(n, s);
        }
        return n.floatValue();
      case DOUBLE:
        if (!n.isNumber()) {
          throw mismatch(n, s);
        }
        return n.doubleValue();
      case STRING:
        if (!n.isTextual()) {
          throw mismatch(n, s);
        }
        return n.textValue();
      case BYTES:
        if (!n.isTextual()) {
          throw mismatch(n, s);
        }
        return ByteBuffer.wrap(n.textValue().getBytes(StandardCharsets.ISO_8859_1));
      case FIXED:
        if (!n.isTextual() || n.textValue().length() != s.getFixedSize()) {
          throw mismatch(n, s);
        }
        return new GenericData.Fixed(s, n.textValue().getBytes(StandardCharsets.ISO_8859_1));
      case ENUM:
        if (!n.isTextual() || !s.hasEnumSymbol(n.textValue())) {
          throw mismatch(n, s);
        }
        return new GenericData.EnumSymbol(s, n.textValue());
      case ARRAY:
        {
          if (!n.isArray()) {
            throw mismatch(n, s);
          }
          List<Object> out = new ArrayList<>(n.size());
          for (JsonNode e : n) {
            out.add(fromJson(e, s.getElementType()));
          }
          return out;
        }
      case MAP:
        {
          if (!n.isObject()) {
            throw mismatch(n, s);
          }
          Map<String, Object> out = new LinkedHashMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = n.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), fromJson(e.getValue(), s.getValueType()));
          }
          return out;
        }
      case RECORD:
        {
          if (!n.isObject()) {
            throw mismatch(n, s);
          }
          GenericData.Record r = new GenericData.Record(s);
          for (Schema.Field f : s.getFields()) {
            JsonNode v = n.get(f.name());
            if (v == null) {
              if (!f.hasDefaultValue()) {
                throw new IllegalArgumentException("field " + f.name() + " of " + s.getFullName()
                    + " missing and has no default");
              }
              r.put(f.pos(), GenericData.get().getDefaultValue(f));
            } else {
              r.put(f.pos(), fromJson(v, f.schema()));
            }
          }
          return r;
        }
      case UNION:
        {
          IllegalArgumentException last = null;
          for (Schema branch : s.getTypes()) {
            try {
              return fromJson(n, branch);
            } catch (IllegalArgumentException e) {
              last = e;
            }
          }
          throw last != null ? last : mismatch(n, s);
        }
      default:
        throw mismatch(n, s);
    }
  }

  private static IllegalArgumentException mismatch(JsonNode n, Schema s) {
    return new IllegalArgumentException("JSON " + n + " does not match Avro " + s.getType()
        + (s.getType() == Schema.Type.RECORD || s.getType() == Schema.Type.ENUM
            ? " " + s.getFullName() : ""));
  }

  /** Converts a generic value of schema into plain JSON. */
  public static JsonNode toJson(Object v, Schema s) {
    switch (s.getType()) {
      case NULL:
        return F.nullNode();
      case BOOLEAN:
        return F.booleanNode((Boolean) v);
      case INT:
        return F.numberNode(((Number) v).intValue());
      case LONG:
        return F.numberNode(((Number) v).longValue());
      case FLOAT:
        return F.numberNode(((Number) v).floatValue());
      case DOUBLE:
        return F.numberNode(((Number) v).doubleValue());
      case STRING:
        return F.textNode(v.toString());
      case BYTES:
        {
          ByteBuffer b = ((ByteBuffer) v).duplicate();
          byte[] a = new byte[b.remaining()];
          b.get(a);
          return F.textNode(new String(a, StandardCharsets.ISO_8859_1));
        }
      case FIXED:
        return F.textNode(new String(((GenericFixed) v).bytes(), StandardCharsets.ISO_8859_1));
      case ENUM:
        return F.textNode(v.toString());
      case ARRAY:
        {
          ArrayNode a = F.arrayNode();
          for (Object e : (Iterable<?>) v) {
            a.add(toJson(e, s.getElementType()));
          }
          return a;
        }
      case MAP:
        {
          ObjectNode o = F.objectNode();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            o.set(e.getKey().toString(), toJson(e.getValue(), s.getValueType()));
          }
          return o;
        }
      case RECORD:
        {
          GenericRecord r = (GenericRecord) v;
          ObjectNode o = F.objectNode();
          for (Schema.Field f : s.getFields()) {
            o.set(f.name(), toJson(r.get(f.pos()), f.schema()));
          }
          return o;
        }
      case UNION:
        return toJson(v, s.getTypes().get(GenericData.get().resolveUnion(s, v)));
      default:
        throw new IllegalArgumentException("unsupported Avro type " + s.getType());
    }
  }
}
