package dev.fjordlog.fjord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The records one {@code poll} returned, in offset order per partition. */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
  private final List<ConsumerRecord<K, V>> all;

  ConsumerRecords(List<ConsumerRecord<K, V>> all) {
    this.all = Collections.unmodifiableList(all);
  }

  /** No records. */
  public static <K, V> ConsumerRecords<K, V> empty() {
    return new ConsumerRecords<>(List.of());
  }

  /** Number of records. */
  public int count() {
    return all.size();
  }

  /** True when there are none. */
  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** The records of one partition. */
  public List<ConsumerRecord<K, V>> records(TopicPartition tp) {
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    for (ConsumerRecord<K, V> r : all) {
      if (r.partition() == tp.partition() && r.topic().equals(tp.topic())) {
        out.add(r);
      }
    }
    return out;
  }

  /** The partitions that have records. */
  public Set<TopicPartition> partitions() {
    Map<TopicPartition, Boolean> m = new LinkedHashMap<>();
    for (ConsumerRecord<K, V> r : all) {
      m.put(r.topicPartition(), true);
    }
    return m.keySet();
  }

  /** All records as a list. */
  public List<ConsumerRecord<K, V>> asList() {
    return all;
  }

  @Override
  public Iterator<ConsumerRecord<K, V>> iterator() {
    return all.iterator();
  }
}
