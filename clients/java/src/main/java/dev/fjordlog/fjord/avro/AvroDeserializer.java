package dev.fjordlog.fjord.avro;

import dev.fjordlog.fjord.Deserializer;
import dev.fjordlog.fjord.Errors;
import dev.fjordlog.fjord.SerializationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Deserializes Confluent wire-format Avro: the writer schema is fetched by id from the registry
 * (cached), and values are read as GenericRecord (records), Utf8 (strings), Long, List, Map,
 * GenericData.EnumSymbol and so on; with a reader schema they are resolved to it.
 */
public final class AvroDeserializer implements Deserializer<Object> {
  private final SchemaRegistryClient registry;
  private final Schema reader;

  /** Reads with the writer's schema. */
  public AvroDeserializer(SchemaRegistryClient registry) {
    this(registry, null);
  }

  /** Reads resolving the writer's schema to readerSchema (schema evolution). */
  public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
    this.registry = registry;
    this.reader = readerSchema;
  }

  @Override
  public Object deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < 5 || data[0] != 0) {
      throw new SerializationException(Errors.SERIALIZATION_ERROR,
          "not Confluent wire-format Avro (magic byte 0 and a 4-byte schema id expected)", false,
          null);
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    Schema writer = registry.schemaById(id);
    return decode(writer, reader, data);
  }

  /** Decodes wire bytes with a known writer schema. */
  public static Object decode(Schema writer, Schema reader, byte[] data) {
    try {
      BinaryDecoder dec = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
      Object v = new GenericDatumReader<Object>(writer, reader == null ? writer : reader).read(null, dec);
      if (!dec.isEnd()) {
        throw new IOException("trailing bytes after the value");
      }
      return v;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(Errors.SERIALIZATION_ERROR,
          "cannot decode Avro with schema " + writer.getFullName() + ": " + e.getMessage(), false, e);
    }
  }
}
