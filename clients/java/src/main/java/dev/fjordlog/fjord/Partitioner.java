package dev.fjordlog.fjord;

/**
 * Chooses the partition of a record that names none. Implementations must be thread-safe.
 * {@link Partitioners} has the built-in ones.
 */
@FunctionalInterface
public interface Partitioner {
  /**
   * Returns a partition in [0, numPartitions) for a record with the given serialized key (null for
   * a keyless record).
   */
  int partition(String topic, byte[] key, int numPartitions);

  /** Called when the batch of a partition is sealed (sticky partitioners move on). */
  default void onBatchSealed(String topic, int partition) {}
}
