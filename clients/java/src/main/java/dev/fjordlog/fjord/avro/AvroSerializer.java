package dev.fjordlog.fjord.avro;

import dev.fjordlog.fjord.Errors;
import dev.fjordlog.fjord.FjordException;
import dev.fjordlog.fjord.SerializationException;
import dev.fjordlog.fjord.Serializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Serializes Avro values (GenericRecord, or primitives with a fixed schema) in the Confluent wire
 * format: magic byte 0, the schema's registry id (4 bytes big-endian), the Avro binary encoding.
 * The schema is registered under {@code <topic>-value} (or {@code -key}) on first use, cached.
 */
public final class AvroSerializer implements Serializer<Object> {
  private final SchemaRegistryClient registry;
  private final Schema schema;
  private final boolean isKey;

  /** Uses each value's own schema (values must be GenericContainers, e.g. GenericRecord). */
  public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
    this(registry, null, isKey);
  }

  /** Writes every value with this schema. */
  public AvroSerializer(SchemaRegistryClient registry, Schema schema, boolean isKey) {
    this.registry = registry;
    this.schema = schema;
    this.isKey = isKey;
  }

  @Override
  public byte[] serialize(String topic, Object data) {
    if (data == null) {
      return null;
    }
    Schema s = schema;
    if (s == null) {
      if (!(data instanceof GenericContainer gc)) {
        throw new SerializationException(Errors.SERIALIZATION_ERROR,
            "no schema for a " + data.getClass().getName() + " (give the serializer a schema)",
            false, null);
      }
      s = gc.getSchema();
    }
    return serialize(topic + (isKey ? "-key" : "-value"), s, data);
  }

  /** Serializes data with schema, registered under subject. */
  public byte[] serialize(String subject, Schema s, Object data) {
    int id = registry.register(subject, s);
    return encode(id, s, data);
  }

  /** The Confluent wire bytes of data with a known schema id (no registry call). */
  public static byte[] encode(int id, Schema s, Object data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    try {
      BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
      new GenericDatumWriter<Object>(s).write(data, enc);
      enc.flush();
    } catch (IOException | RuntimeException e) {
      if (e instanceof FjordException fe) {
        throw fe;
      }
      throw new SerializationException(Errors.SERIALIZATION_ERROR,
          "value does not match schema " + s.getFullName() + ": " + e.getMessage(), false, e);
    }
    return out.toByteArray();
  }
}
