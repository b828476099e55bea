package dev.fjordlog.fjord;

/** Turns a key or value into bytes. Null stays null (a null key or a tombstone). */
@FunctionalInterface
public interface Serializer<T> {
  /** Serializes data written to topic. */
  byte[] serialize(String topic, T data);

  /** The identity serializer. */
  static Serializer<byte[]> bytes() {
    return (t, d) -> d;
  }

  /** UTF-8 strings. */
  static Serializer<String> string() {
    return (t, d) -> d == null ? null : d.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
