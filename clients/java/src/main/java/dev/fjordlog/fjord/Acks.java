package dev.fjordlog.fjord;

/** When the broker acknowledges a produce. */
public enum Acks {
  /** Fire and forget: nothing is reported back; offsets are -1. */
  NONE,
  /** Acknowledged once the leader appended the batch. */
  LEADER,
  /** Acknowledged once every in-sync replica has the batch (the default; idempotence needs it). */
  ALL;

  dev.fjordlog.fjord.v1.Acks wire() {
    return switch (this) {
      case NONE -> dev.fjordlog.fjord.v1.Acks.ACKS_NONE;
      case LEADER -> dev.fjordlog.fjord.v1.Acks.ACKS_LEADER;
      case ALL -> dev.fjordlog.fjord.v1.Acks.ACKS_ALL;
    };
  }
}
