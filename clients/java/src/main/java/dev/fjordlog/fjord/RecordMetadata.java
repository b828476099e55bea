package dev.fjordlog.fjord;

/** Where an acknowledged record was written. {@code offset} is -1 with acks=none. */
public record RecordMetadata(String topic, int partition, long offset, long timestampMs) {
  /** The record's partition. */
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }
}
