package dev.fjordlog.fjord;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Built-in partitioners, byte-compatible with Kafka's Java client for keyed records. */
public final class Partitioners {
  private Partitioners() {}

  /** Kafka's murmur2 hash ({@code org.apache.kafka.common.utils.Utils.murmur2}). */
  public static int murmur2(byte[] data) {
    final int length = data.length;
    final int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      final int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = length & ~3;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= m;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }

  /** The partition Kafka's default partitioner picks for a key: toPositive(murmur2) % n. */
  public static int keyPartition(byte[] key, int numPartitions) {
    return (murmur2(key) & 0x7fffffff) % numPartitions;
  }

  /**
   * The default: murmur2 of the key for keyed records; keyless records stick to one random
   * partition per topic until its batch is sealed (Kafka's sticky partitioning, KIP-480).
   */
  public static Partitioner stickyKey() {
    return new Partitioner() {
      private final Map<String, Integer> sticky = new HashMap<>();

      @Override
      public synchronized int partition(String topic, byte[] key, int n) {
        if (key != null) {
          return keyPartition(key, n);
        }
        Integer p = sticky.get(topic);
        if (p == null || p >= n) {
          p = ThreadLocalRandom.current().nextInt(n);
          sticky.put(topic, p);
        }
        return p;
      }

      @Override
      public synchronized void onBatchSealed(String topic, int partition) {
        Integer p = sticky.get(topic);
        if (p != null && p == partition) {
          sticky.remove(topic);
        }
      }
    };
  }

  /** Round robin over partitions, ignoring keys. */
  public static Partitioner roundRobin() {
    return new Partitioner() {
      private final Map<String, Integer> next = new HashMap<>();

      @Override
      public synchronized int partition(String topic, byte[] key, int n) {
        int p = next.getOrDefault(topic, 0) % n;
        next.put(topic, (p + 1) % n);
        return p;
      }
    };
  }
}
