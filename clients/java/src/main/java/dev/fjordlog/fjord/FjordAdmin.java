package dev.fjordlog.fjord;

import dev.fjordlog.fjord.v1.AdminServiceGrpc;
import dev.fjordlog.fjord.v1.AlterConfigOp;
import dev.fjordlog.fjord.v1.AlterConfigOpType;
import dev.fjordlog.fjord.v1.AlterConfigsRequest;
import dev.fjordlog.fjord.v1.AlterConfigsResource;
import dev.fjordlog.fjord.v1.AlterConfigsResponse;
import dev.fjordlog.fjord.v1.AlterConfigsResult;
import dev.fjordlog.fjord.v1.ConfigEntry;
import dev.fjordlog.fjord.v1.ConfigResource;
import dev.fjordlog.fjord.v1.ConfigResourceType;
import dev.fjordlog.fjord.v1.CreatePartitionsRequest;
import dev.fjordlog.fjord.v1.CreatePartitionsResult;
import dev.fjordlog.fjord.v1.CreateTopicResult;
import dev.fjordlog.fjord.v1.CreateTopicsRequest;
import dev.fjordlog.fjord.v1.DeleteGroupRequest;
import dev.fjordlog.fjord.v1.DeleteRecordsPartition;
import dev.fjordlog.fjord.v1.DeleteRecordsPartitionResult;
import dev.fjordlog.fjord.v1.DeleteRecordsRequest;
import dev.fjordlog.fjord.v1.DeleteRecordsResponse;
import dev.fjordlog.fjord.v1.DeleteRecordsTopic;
import dev.fjordlog.fjord.v1.DeleteRecordsTopicResult;
import dev.fjordlog.fjord.v1.DeleteTopicResult;
import dev.fjordlog.fjord.v1.DeleteTopicsRequest;
import dev.fjordlog.fjord.v1.DescribeClusterRequest;
import dev.fjordlog.fjord.v1.DescribeClusterResponse;
import dev.fjordlog.fjord.v1.DescribeConfigsRequest;
import dev.fjordlog.fjord.v1.DescribeConfigsResult;
import dev.fjordlog.fjord.v1.DescribeGroupRequest;
import dev.fjordlog.fjord.v1.DescribeGroupResponse;
import dev.fjordlog.fjord.v1.DescribeTopicsRequest;
import dev.fjordlog.fjord.v1.FetchOffsetsRequest;
import dev.fjordlog.fjord.v1.FetchOffsetsResponse;
import dev.fjordlog.fjord.v1.GroupListing;
import dev.fjordlog.fjord.v1.GroupServiceGrpc;
import dev.fjordlog.fjord.v1.ListGroupsRequest;
import dev.fjordlog.fjord.v1.ListOffsetsPartition;
import dev.fjordlog.fjord.v1.ListOffsetsRequest;
import dev.fjordlog.fjord.v1.ListOffsetsResponse;
import dev.fjordlog.fjord.v1.ListOffsetsTopic;
import dev.fjordlog.fjord.v1.ListTopicsRequest;
import dev.fjordlog.fjord.v1.NewTopic;
import dev.fjordlog.fjord.v1.OffsetSpec;
import dev.fjordlog.fjord.v1.PartitionIncrease;
import dev.fjordlog.fjord.v1.ResetOffsetsPartitionResult;
import dev.fjordlog.fjord.v1.ResetOffsetsRequest;
import dev.fjordlog.fjord.v1.ResetOffsetsResponse;
import dev.fjordlog.fjord.v1.ResetOffsetsTopicResult;
import dev.fjordlog.fjord.v1.TopicDescription;
import dev.fjordlog.fjord.v1.TopicListing;
import io.grpc.Channel;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Administers topics, configs, consumer groups and offsets. Thread-safe. Calls block and throw
 * {@link FjordException} subclasses (e.g. {@link InvalidRequestException} with reason
 * TOPIC_ALREADY_EXISTS, {@link UnknownTopicOrPartitionException}). Descriptions are returned as
 * the protocol's messages (dev.fjordlog.fjord.v1), whose getters are documented in proto/.
 */
public final class FjordAdmin implements AutoCloseable {
  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Admin configuration. */
  public static final class Builder {
    private List<String> bootstrap = List.of();
    private String clientId = "";
    private Duration requestTimeout = Duration.ofSeconds(30);

    /** Broker addresses (host:port). */
    public Builder bootstrap(String... addresses) {
      this.bootstrap = List.of(addresses);
      return this;
    }

    /** Broker addresses (host:port). */
    public Builder bootstrap(List<String> addresses) {
      this.bootstrap = List.copyOf(addresses);
      return this;
    }

    /** Sent as fjord-client-id metadata. */
    public Builder clientId(String id) {
      this.clientId = id;
      return this;
    }

    /** Per-request timeout (default 30 s). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Creates the client. */
    public FjordAdmin build() {
      return new FjordAdmin(new ClientCore(bootstrap, clientId, requestTimeout));
    }
  }

  /** Where to reset a group's committed offsets. */
  public sealed interface ResetTo {
    /** The log start offsets. */
    record Earliest() implements ResetTo {}

    /** The high watermarks. */
    record Latest() implements ResetTo {}

    /** An absolute offset (clamped). */
    record Offset(long offset) implements ResetTo {}

    /** The first offset at or after a Unix-ms timestamp. */
    record Timestamp(long timestampMs) implements ResetTo {}

    /** The committed offset plus delta (clamped). */
    record ShiftBy(long delta) implements ResetTo {}
  }

  private final ClientCore core;

  private FjordAdmin(ClientCore core) {
    this.core = core;
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin(Channel ch) {
    return AdminServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(core.requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private GroupServiceGrpc.GroupServiceBlockingStub groups(Channel ch) {
    return GroupServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(core.requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T> T call(Function<Channel, T> f) {
    try {
      return core.any(f);
    } catch (RuntimeException e) {
      throw Errors.fromThrowable(e, false);
    }
  }

  /** Creates a topic; replicationFactor 0 means the broker default. */
  public CreateTopicResult createTopic(String name, int partitions, int replicationFactor) {
    return createTopic(name, partitions, replicationFactor, Map.of());
  }

  /** Creates a topic with configs (e.g. cleanup.policy=compact). */
  public CreateTopicResult createTopic(String name, int partitions, int replicationFactor,
      Map<String, String> configs) {
    CreateTopicsRequest req = CreateTopicsRequest.newBuilder()
        .addTopics(NewTopic.newBuilder().setName(name).setPartitions(partitions)
            .setReplicationFactor(replicationFactor).putAllConfigs(configs))
        .build();
    CreateTopicResult r = call(ch -> admin(ch).createTopics(req)).getResults(0);
    throwIf(r.getError(), name);
    return r;
  }

  /** Deletes topics; throws the first topic's error. */
  public void deleteTopics(String... names) {
    DeleteTopicsRequest req = DeleteTopicsRequest.newBuilder().addAllNames(List.of(names)).build();
    for (DeleteTopicResult r : call(ch -> admin(ch).deleteTopics(req)).getResultsList()) {
      throwIf(r.getError(), r.getName());
    }
  }

  /** Lists topics (without internal ones unless asked). */
  public List<TopicListing> listTopics(boolean includeInternal) {
    ListTopicsRequest req = ListTopicsRequest.newBuilder().setIncludeInternal(includeInternal).build();
    return call(ch -> admin(ch).listTopics(req)).getTopicsList();
  }

  /** Describes a topic: partitions, leaders, replicas, ISR, offsets, configs. */
  public TopicDescription describeTopic(String name) {
    DescribeTopicsRequest req = DescribeTopicsRequest.newBuilder().addNames(name).build();
    TopicDescription d = call(ch -> admin(ch).describeTopics(req)).getTopics(0);
    throwIf(d.getError(), name);
    return d;
  }

  /** Grows a topic to totalCount partitions. */
  public void createPartitions(String topic, int totalCount) {
    CreatePartitionsRequest req = CreatePartitionsRequest.newBuilder()
        .addTopics(PartitionIncrease.newBuilder().setTopic(topic).setTotalCount(totalCount)).build();
    for (CreatePartitionsResult r : call(ch -> admin(ch).createPartitions(req)).getResultsList()) {
      throwIf(r.getError(), r.getTopic());
    }
  }

  /** A topic's effective configs, name to value. */
  public Map<String, String> describeTopicConfigs(String topic) {
    return describeConfigs(ConfigResourceType.CONFIG_RESOURCE_TYPE_TOPIC, topic);
  }

  /** A broker's configs (name is the broker id). */
  public Map<String, String> describeBrokerConfigs(int brokerId) {
    return describeConfigs(ConfigResourceType.CONFIG_RESOURCE_TYPE_BROKER, String.valueOf(brokerId));
  }

  private Map<String, String> describeConfigs(ConfigResourceType type, String name) {
    DescribeConfigsRequest req = DescribeConfigsRequest.newBuilder()
        .addResources(ConfigResource.newBuilder().setType(type).setName(name)).build();
    DescribeConfigsResult r = call(ch -> admin(ch).describeConfigs(req)).getResults(0);
    throwIf(r.getError(), name);
    Map<String, String> out = new TreeMap<>();
    for (ConfigEntry e : r.getConfigsList()) {
      out.put(e.getName(), e.getValue());
    }
    return out;
  }

  /** Sets (value non-null) or deletes (value null) topic configs incrementally. */
  public void alterTopicConfigs(String topic, Map<String, String> changes) {
    AlterConfigsResource.Builder res = AlterConfigsResource.newBuilder()
        .setResource(ConfigResource.newBuilder()
            .setType(ConfigResourceType.CONFIG_RESOURCE_TYPE_TOPIC).setName(topic));
    changes.forEach((k, v) -> res.addOps(AlterConfigOp.newBuilder().setName(k)
        .setValue(v == null ? "" : v)
        .setOp(v == null ? AlterConfigOpType.ALTER_CONFIG_OP_TYPE_DELETE
            : AlterConfigOpType.ALTER_CONFIG_OP_TYPE_SET)));
    AlterConfigsRequest req = AlterConfigsRequest.newBuilder().addResources(res).build();
    AlterConfigsResponse resp = call(ch -> admin(ch).alterConfigs(req));
    for (AlterConfigsResult r : resp.getResultsList()) {
      throwIf(r.getError(), topic);
    }
  }

  /** Deletes records before the given offsets; returns the new low watermarks. */
  public Map<TopicPartition, Long> deleteRecords(Map<TopicPartition, Long> before) {
    Map<String, DeleteRecordsTopic.Builder> topics = new LinkedHashMap<>();
    before.forEach((tp, off) -> topics
        .computeIfAbsent(tp.topic(), t -> DeleteRecordsTopic.newBuilder().setTopic(t))
        .addPartitions(DeleteRecordsPartition.newBuilder().setPartition(tp.partition()).setOffset(off)));
    DeleteRecordsRequest.Builder req = DeleteRecordsRequest.newBuilder();
    topics.values().forEach(req::addTopics);
    DeleteRecordsResponse resp = call(ch -> admin(ch).deleteRecords(req.build()));
    Map<TopicPartition, Long> out = new HashMap<>();
    for (DeleteRecordsTopicResult t : resp.getTopicsList()) {
      for (DeleteRecordsPartitionResult p : t.getPartitionsList()) {
        throwIf(p.getError(), t.getTopic(), p.getPartition());
        out.put(new TopicPartition(t.getTopic(), p.getPartition()), p.getLowWatermark());
      }
    }
    return out;
  }

  /** Cluster id, controller and brokers. */
  public DescribeClusterResponse describeCluster() {
    return call(ch -> admin(ch).describeCluster(DescribeClusterRequest.getDefaultInstance()));
  }

  /** Earliest (log start) or latest (high watermark) offsets of a topic's partitions. */
  public Map<TopicPartition, Long> listOffsets(String topic, boolean latest) {
    ClientCore.TopicInfo ti = core.topic(topic, true);
    Map<TopicPartition, Long> out = new TreeMap<>();
    for (int p = 0; p < ti.partitions(); p++) {
      final int part = p;
      ListOffsetsRequest req = ListOffsetsRequest.newBuilder()
          .addTopics(ListOffsetsTopic.newBuilder().setTopic(topic)
              .addPartitions(ListOffsetsPartition.newBuilder().setPartition(part)
                  .setSpec(latest ? OffsetSpec.OFFSET_SPEC_LATEST : OffsetSpec.OFFSET_SPEC_EARLIEST)))
          .build();
      ListOffsetsResponse resp;
      try {
        resp = dev.fjordlog.fjord.v1.FetchServiceGrpc.newBlockingStub(
                core.brokerChannel(ti.leaders()[part]))
            .withDeadlineAfter(core.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .listOffsets(req);
      } catch (RuntimeException e) {
        throw Errors.fromThrowable(e, false);
      }
      var pr = resp.getTopics(0).getPartitions(0);
      throwIf(pr.getError(), topic, part);
      out.put(new TopicPartition(topic, part), pr.getOffset());
    }
    return out;
  }

  /** Lists every consumer group. */
  public List<GroupListing> listGroups() {
    return call(ch -> groups(ch).listGroups(ListGroupsRequest.getDefaultInstance())).getGroupsList();
  }

  /** A group's state, members, assignment and per-partition lag. */
  public DescribeGroupResponse describeGroup(String group) {
    DescribeGroupRequest req = DescribeGroupRequest.newBuilder().setGroupId(group).build();
    return call(ch -> groups(ch).describeGroup(req));
  }

  /** Deletes an empty group and its offsets. */
  public void deleteGroup(String group) {
    DeleteGroupRequest req = DeleteGroupRequest.newBuilder().setGroupId(group).build();
    call(ch -> groups(ch).deleteGroup(req));
  }

  /** A group's committed offsets (every partition with one). */
  public Map<TopicPartition, Long> groupOffsets(String group) {
    FetchOffsetsRequest req = FetchOffsetsRequest.newBuilder().setGroupId(group).build();
    FetchOffsetsResponse resp = call(ch -> groups(ch).fetchOffsets(req));
    Map<TopicPartition, Long> out = new TreeMap<>();
    resp.getTopicsList().forEach(t -> t.getPartitionsList().forEach(p -> {
      if (p.getOffset() >= 0) {
        out.put(new TopicPartition(t.getTopic(), p.getPartition()), p.getOffset());
      }
    }));
    return out;
  }

  /**
   * Resets a group's committed offsets for a topic (all its partitions); the group must have no
   * members unless force. Returns the new offsets.
   */
  public Map<TopicPartition, Long> resetGroupOffsets(String group, String topic, ResetTo to,
      boolean force, boolean dryRun) {
    ResetOffsetsRequest.Builder req = ResetOffsetsRequest.newBuilder().setGroupId(group)
        .setForce(force).setDryRun(dryRun)
        .addTopics(dev.fjordlog.fjord.v1.TopicPartitions.newBuilder().setTopic(topic));
    if (to instanceof ResetTo.Earliest) {
      req.setEarliest(true);
    } else if (to instanceof ResetTo.Latest) {
      req.setLatest(true);
    } else if (to instanceof ResetTo.Offset o) {
      req.setOffset(o.offset());
    } else if (to instanceof ResetTo.Timestamp t) {
      req.setTimestampMs(t.timestampMs());
    } else if (to instanceof ResetTo.ShiftBy s) {
      req.setShiftBy(s.delta());
    }
    ResetOffsetsResponse resp = call(ch -> groups(ch).resetOffsets(req.build()));
    Map<TopicPartition, Long> out = new TreeMap<>();
    for (ResetOffsetsTopicResult t : resp.getTopicsList()) {
      for (ResetOffsetsPartitionResult p : t.getPartitionsList()) {
        throwIf(p.getError(), t.getTopic(), p.getPartition());
        out.put(new TopicPartition(t.getTopic(), p.getPartition()), p.getOffset());
      }
    }
    return out;
  }

  private static void throwIf(dev.fjordlog.fjord.v1.Error e, String topic) {
    throwIf(e, topic, -1);
  }

  private static void throwIf(dev.fjordlog.fjord.v1.Error e, String topic, int partition) {
    FjordException fe = Errors.fromProto(e, topic, partition);
    if (fe != null) {
      throw fe;
    }
  }

  @Override
  public void close() {
    core.close();
  }
}
