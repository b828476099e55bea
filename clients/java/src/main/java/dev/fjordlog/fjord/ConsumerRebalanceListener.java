package dev.fjordlog.fjord;

import java.util.Collection;

/**
 * Cooperative rebalance callbacks, called on the thread that calls {@code poll} (from inside
 * poll). Revocation is incremental: only the partitions that move are revoked, after their
 * positions were committed when auto commit is on.
 */
public interface ConsumerRebalanceListener {
  /** Partitions the consumer starts owning (not called with an empty collection). */
  default void onAssigned(Collection<TopicPartition> partitions) {}

  /** Partitions the consumer must give up; commit what was processed here when committing manually. */
  default void onRevoked(Collection<TopicPartition> partitions) {}

  /**
   * Partitions the consumer lost without a chance to commit (its session expired or it was
   * fenced); another member may already own them. Defaults to {@link #onRevoked}.
   */
  default void onLost(Collection<TopicPartition> partitions) {
    onRevoked(partitions);
  }
}
