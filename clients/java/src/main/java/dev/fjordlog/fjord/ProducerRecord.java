package dev.fjordlog.fjord;

import java.util.ArrayList;
import java.util.List;

/**
 * A record to send. {@code partition} null lets the producer's partitioner choose; {@code
 * timestampMs} null means the producer's clock.
 */
public record ProducerRecord<K, V>(
    String topic, Integer partition, K key, V value, List<Header> headers, Long timestampMs) {

  /** Normalizes headers to an unmodifiable list. */
  public ProducerRecord {
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("topic must be set");
    }
    headers = headers == null ? List.of() : List.copyOf(headers);
  }

  /** A record with a key and value. */
  public ProducerRecord(String topic, K key, V value) {
    this(topic, null, key, value, List.of(), null);
  }

  /** A keyless record. */
  public ProducerRecord(String topic, V value) {
    this(topic, null, null, value, List.of(), null);
  }

  /** Returns a copy with one more header. */
  public ProducerRecord<K, V> withHeader(String key, byte[] value) {
    List<Header> h = new ArrayList<>(headers);
    h.add(new Header(key, value));
    return new ProducerRecord<>(topic, partition, key(), value(), h, timestampMs);
  }

  /** Returns a copy sent to the given partition. */
  public ProducerRecord<K, V> withPartition(int p) {
    return new ProducerRecord<>(topic, p, key, value, headers, timestampMs);
  }

  /** Returns a copy with the given timestamp (Unix ms). */
  public ProducerRecord<K, V> withTimestamp(long ts) {
    return new ProducerRecord<>(topic, partition, key, value, headers, ts);
  }
}
