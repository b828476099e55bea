// Partitioners choose a partition for each record: Kafka-compatible murmur2
// for keyed records, sticky or round-robin for keyless ones, or custom.

/** A record as a partitioner sees it. */
export interface PartitionerRecord {
  topic: string;
  key?: Uint8Array | null;
  partition?: number;
}

/**
 * Partitioner chooses the partition of a record among numPartitions.
 * onBatchSealed, when present, is told when the producer closed a batch of
 * a partition (the sticky partitioner then moves keyless records on).
 */
export interface Partitioner {
  partition(record: PartitionerRecord, numPartitions: number): number;
  onBatchSealed?(topic: string, partition: number): void;
}

/** murmur2 is Kafka's 32-bit murmur2 hash (Utils.murmur2), as a signed int32. */
export function murmur2(data: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (seed ^ length) | 0;
  const n4 = length >>> 2;
  for (let i = 0; i < n4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  switch (length % 4) {
    case 3:
      h ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      h ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** keyHashPartition is Kafka's default partition of a key: (murmur2(key) & 0x7fffffff) % n. */
export function keyHashPartition(key: Uint8Array, numPartitions: number): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}

/**
 * stickyKeyPartitioner is the default: murmur2 for keyed records; keyless
 * records stick to one random partition until its batch is sealed, then
 * move to another (Kafka's KIP-480).
 */
export function stickyKeyPartitioner(): Partitioner {
  const sticky = new Map<string, number>();
  return {
    partition(r, n) {
      if (r.key != null) return keyHashPartition(r.key, n);
      let p = sticky.get(r.topic);
      if (p === undefined || p >= n) {
        p = Math.floor(Math.random() * n);
        sticky.set(r.topic, p);
      }
      return p;
    },
    onBatchSealed(topic, partition) {
      if (sticky.get(topic) === partition) sticky.delete(topic);
    },
  };
}

/** roundRobinPartitioner spreads records over partitions in turn, keys ignored. */
export function roundRobinPartitioner(): Partitioner {
  const next = new Map<string, number>();
  return {
    partition(r, n) {
      const p = (next.get(r.topic) ?? 0) % n;
      next.set(r.topic, (p + 1) % n);
      return p;
    },
  };
}

/** manualPartitioner uses each record's partition field. */
export function manualPartitioner(): Partitioner {
  return { partition: (r) => r.partition ?? 0 };
}
