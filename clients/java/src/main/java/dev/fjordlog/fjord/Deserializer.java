package dev.fjordlog.fjord;

/** Turns bytes back into a key or value. Null stays null. */
@FunctionalInterface
public interface Deserializer<T> {
  /** Deserializes data read from topic. */
  T deserialize(String topic, byte[] data);

  /** The identity deserializer. */
  static Deserializer<byte[]> bytes() {
    return (t, d) -> d;
  }

  /** UTF-8 strings. */
  static Deserializer<String> string() {
    return (t, d) -> d == null ? null : new String(d, java.nio.charset.StandardCharsets.UTF_8);
  }
}
