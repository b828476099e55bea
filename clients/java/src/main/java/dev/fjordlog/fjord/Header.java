package dev.fjordlog.fjord;

import java.nio.charset.StandardCharsets;

/** A record header; keys may repeat within a record. The value is never null (may be empty). */
public record Header(String key, byte[] value) {
  /** Creates a header, mapping a null value to an empty one. */
  public Header {
    if (key == null) {
      throw new IllegalArgumentException("header key must not be null");
    }
    value = value == null ? new byte[0] : value;
  }

  /** A header with a UTF-8 value. */
  public static Header of(String key, String value) {
    return new Header(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The value decoded as UTF-8. */
  public String valueString() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
