package dev.fjordlog.fjord;

/** Delivery callback: exactly one of metadata and exception is non-null. */
@FunctionalInterface
public interface Callback {
  /** Called once the record is acknowledged or has failed for good. */
  void onCompletion(RecordMetadata metadata, Exception exception);
}
