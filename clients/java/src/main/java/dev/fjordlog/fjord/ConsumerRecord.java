package dev.fjordlog.fjord;

import java.util.List;

/** A record read from a partition. A null key or value is absent (distinct from empty). */
public record ConsumerRecord<K, V>(
    String topic,
    int partition,
    long offset,
    long timestampMs,
    K key,
    V value,
    List<Header> headers,
    int leaderEpoch) {
  /** The record's partition. */
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }

  /** The first header with this key, or null. */
  public Header lastHeader(String key) {
    Header found = null;
    for (Header h : headers) {
      if (h.key().equals(key)) {
        found = h;
      }
    }
    return found;
  }
}
