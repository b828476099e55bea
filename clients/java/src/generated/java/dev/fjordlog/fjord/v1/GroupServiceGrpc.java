package dev.fjordlog.fjord.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * GroupService runs consumer groups: membership with server-side
 * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
 * committed offsets, and their administration.
 * Each group has one coordinator: the broker leading partition
 * hash(group_id) mod N of the internal topic __consumer_offsets, where it
 * stores the group's state and offsets (replicated, written with
 * acks=all). Membership must be opened on the coordinator (FindCoordinator
 * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
 * calls may be sent to any broker, which forwards them to the coordinator.
 * While a new coordinator loads a group's partition it answers
 * COORDINATOR_LOAD_IN_PROGRESS (retriable).
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class GroupServiceGrpc {

  private GroupServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "fjord.v1.GroupService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FindCoordinatorRequest,
      dev.fjordlog.fjord.v1.FindCoordinatorResponse> getFindCoordinatorMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "FindCoordinator",
      requestType = dev.fjordlog.fjord.v1.FindCoordinatorRequest.class,
      responseType = dev.fjordlog.fjord.v1.FindCoordinatorResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FindCoordinatorRequest,
      dev.fjordlog.fjord.v1.FindCoordinatorResponse> getFindCoordinatorMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FindCoordinatorRequest, dev.fjordlog.fjord.v1.FindCoordinatorResponse> getFindCoordinatorMethod;
    if ((getFindCoordinatorMethod = GroupServiceGrpc.getFindCoordinatorMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getFindCoordinatorMethod = GroupServiceGrpc.getFindCoordinatorMethod) == null) {
          GroupServiceGrpc.getFindCoordinatorMethod = getFindCoordinatorMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.FindCoordinatorRequest, dev.fjordlog.fjord.v1.FindCoordinatorResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "FindCoordinator"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FindCoordinatorRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FindCoordinatorResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("FindCoordinator"))
              .build();
        }
      }
    }
    return getFindCoordinatorMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.MembershipRequest,
      dev.fjordlog.fjord.v1.MembershipResponse> getMembershipMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Membership",
      requestType = dev.fjordlog.fjord.v1.MembershipRequest.class,
      responseType = dev.fjordlog.fjord.v1.MembershipResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.MembershipRequest,
      dev.fjordlog.fjord.v1.MembershipResponse> getMembershipMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.MembershipRequest, dev.fjordlog.fjord.v1.MembershipResponse> getMembershipMethod;
    if ((getMembershipMethod = GroupServiceGrpc.getMembershipMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getMembershipMethod = GroupServiceGrpc.getMembershipMethod) == null) {
          GroupServiceGrpc.getMembershipMethod = getMembershipMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.MembershipRequest, dev.fjordlog.fjord.v1.MembershipResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Membership"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.MembershipRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.MembershipResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("Membership"))
              .build();
        }
      }
    }
    return getMembershipMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CommitOffsetsRequest,
      dev.fjordlog.fjord.v1.CommitOffsetsResponse> getCommitOffsetsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CommitOffsets",
      requestType = dev.fjordlog.fjord.v1.CommitOffsetsRequest.class,
      responseType = dev.fjordlog.fjord.v1.CommitOffsetsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CommitOffsetsRequest,
      dev.fjordlog.fjord.v1.CommitOffsetsResponse> getCommitOffsetsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CommitOffsetsRequest, dev.fjordlog.fjord.v1.CommitOffsetsResponse> getCommitOffsetsMethod;
    if ((getCommitOffsetsMethod = GroupServiceGrpc.getCommitOffsetsMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getCommitOffsetsMethod = GroupServiceGrpc.getCommitOffsetsMethod) == null) {
          GroupServiceGrpc.getCommitOffsetsMethod = getCommitOffsetsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.CommitOffsetsRequest, dev.fjordlog.fjord.v1.CommitOffsetsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CommitOffsets"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CommitOffsetsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CommitOffsetsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("CommitOffsets"))
              .build();
        }
      }
    }
    return getCommitOffsetsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchOffsetsRequest,
      dev.fjordlog.fjord.v1.FetchOffsetsResponse> getFetchOffsetsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "FetchOffsets",
      requestType = dev.fjordlog.fjord.v1.FetchOffsetsRequest.class,
      responseType = dev.fjordlog.fjord.v1.FetchOffsetsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchOffsetsRequest,
      dev.fjordlog.fjord.v1.FetchOffsetsResponse> getFetchOffsetsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchOffsetsRequest, dev.fjordlog.fjord.v1.FetchOffsetsResponse> getFetchOffsetsMethod;
    if ((getFetchOffsetsMethod = GroupServiceGrpc.getFetchOffsetsMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getFetchOffsetsMethod = GroupServiceGrpc.getFetchOffsetsMethod) == null) {
          GroupServiceGrpc.getFetchOffsetsMethod = getFetchOffsetsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.FetchOffsetsRequest, dev.fjordlog.fjord.v1.FetchOffsetsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "FetchOffsets"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FetchOffsetsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FetchOffsetsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("FetchOffsets"))
              .build();
        }
      }
    }
    return getFetchOffsetsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeGroupRequest,
      dev.fjordlog.fjord.v1.DescribeGroupResponse> getDescribeGroupMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeGroup",
      requestType = dev.fjordlog.fjord.v1.DescribeGroupRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeGroupResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeGroupRequest,
      dev.fjordlog.fjord.v1.DescribeGroupResponse> getDescribeGroupMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeGroupRequest, dev.fjordlog.fjord.v1.DescribeGroupResponse> getDescribeGroupMethod;
    if ((getDescribeGroupMethod = GroupServiceGrpc.getDescribeGroupMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getDescribeGroupMethod = GroupServiceGrpc.getDescribeGroupMethod) == null) {
          GroupServiceGrpc.getDescribeGroupMethod = getDescribeGroupMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeGroupRequest, dev.fjordlog.fjord.v1.DescribeGroupResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeGroup"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeGroupRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeGroupResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("DescribeGroup"))
              .build();
        }
      }
    }
    return getDescribeGroupMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListGroupsRequest,
      dev.fjordlog.fjord.v1.ListGroupsResponse> getListGroupsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListGroups",
      requestType = dev.fjordlog.fjord.v1.ListGroupsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListGroupsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListGroupsRequest,
      dev.fjordlog.fjord.v1.ListGroupsResponse> getListGroupsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListGroupsRequest, dev.fjordlog.fjord.v1.ListGroupsResponse> getListGroupsMethod;
    if ((getListGroupsMethod = GroupServiceGrpc.getListGroupsMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getListGroupsMethod = GroupServiceGrpc.getListGroupsMethod) == null) {
          GroupServiceGrpc.getListGroupsMethod = getListGroupsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListGroupsRequest, dev.fjordlog.fjord.v1.ListGroupsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListGroups"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListGroupsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListGroupsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("ListGroups"))
              .build();
        }
      }
    }
    return getListGroupsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteGroupRequest,
      dev.fjordlog.fjord.v1.DeleteGroupResponse> getDeleteGroupMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteGroup",
      requestType = dev.fjordlog.fjord.v1.DeleteGroupRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteGroupResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteGroupRequest,
      dev.fjordlog.fjord.v1.DeleteGroupResponse> getDeleteGroupMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteGroupRequest, dev.fjordlog.fjord.v1.DeleteGroupResponse> getDeleteGroupMethod;
    if ((getDeleteGroupMethod = GroupServiceGrpc.getDeleteGroupMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getDeleteGroupMethod = GroupServiceGrpc.getDeleteGroupMethod) == null) {
          GroupServiceGrpc.getDeleteGroupMethod = getDeleteGroupMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteGroupRequest, dev.fjordlog.fjord.v1.DeleteGroupResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteGroup"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteGroupRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteGroupResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("DeleteGroup"))
              .build();
        }
      }
    }
    return getDeleteGroupMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ResetOffsetsRequest,
      dev.fjordlog.fjord.v1.ResetOffsetsResponse> getResetOffsetsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResetOffsets",
      requestType = dev.fjordlog.fjord.v1.ResetOffsetsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ResetOffsetsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ResetOffsetsRequest,
      dev.fjordlog.fjord.v1.ResetOffsetsResponse> getResetOffsetsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ResetOffsetsRequest, dev.fjordlog.fjord.v1.ResetOffsetsResponse> getResetOffsetsMethod;
    if ((getResetOffsetsMethod = GroupServiceGrpc.getResetOffsetsMethod) == null) {
      synchronized (GroupServiceGrpc.class) {
        if ((getResetOffsetsMethod = GroupServiceGrpc.getResetOffsetsMethod) == null) {
          GroupServiceGrpc.getResetOffsetsMethod = getResetOffsetsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ResetOffsetsRequest, dev.fjordlog.fjord.v1.ResetOffsetsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResetOffsets"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ResetOffsetsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ResetOffsetsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GroupServiceMethodDescriptorSupplier("ResetOffsets"))
              .build();
        }
      }
    }
    return getResetOffsetsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GroupServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GroupServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GroupServiceStub>() {
        @java.lang.Override
        public GroupServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GroupServiceStub(channel, callOptions);
        }
      };
    return GroupServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static GroupServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GroupServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GroupServiceBlockingV2Stub>() {
        @java.lang.Override
        public GroupServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GroupServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return GroupServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GroupServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GroupServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GroupServiceBlockingStub>() {
        @java.lang.Override
        public GroupServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GroupServiceBlockingStub(channel, callOptions);
        }
      };
    return GroupServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GroupServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GroupServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GroupServiceFutureStub>() {
        @java.lang.Override
        public GroupServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GroupServiceFutureStub(channel, callOptions);
        }
      };
    return GroupServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * FindCoordinator names the broker coordinating a group. It creates
     * __consumer_offsets on first use.
     * </pre>
     */
    default void findCoordinator(dev.fjordlog.fjord.v1.FindCoordinatorRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FindCoordinatorResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFindCoordinatorMethod(), responseObserver);
    }

    /**
     * <pre>
     * Membership is one member's session. The client's first message is a
     * JoinGroup; then it sends heartbeats, acknowledgements and subscription
     * updates. The server answers the join and pushes a new
     * MembershipResponse whenever the member's epoch or assignment changes.
     * A broken stream is not a leave: the member keeps its partitions until
     * its session times out, and a new stream joining with the same member id
     * and epoch resumes without a rebalance. The server ends the stream with
     * an error status when the member is fenced (FENCED_MEMBER_EPOCH,
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) or the broker stops coordinating
     * the group (NOT_COORDINATOR).
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.MembershipRequest> membership(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.MembershipResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getMembershipMethod(), responseObserver);
    }

    /**
     * <pre>
     * CommitOffsets stores committed offsets for a group. A member commits
     * with its id and current epoch, only for partitions it owns; a client
     * outside the group (member_id empty) may commit only while the group has
     * no members. A commit never moves an offset backwards (see
     * ResetOffsets). Each partition succeeds or fails on its own.
     * </pre>
     */
    default void commitOffsets(dev.fjordlog.fjord.v1.CommitOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CommitOffsetsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCommitOffsetsMethod(), responseObserver);
    }

    /**
     * <pre>
     * FetchOffsets returns committed offsets.
     * </pre>
     */
    default void fetchOffsets(dev.fjordlog.fjord.v1.FetchOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchOffsetsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFetchOffsetsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeGroup returns a group's state, members, assignment and per
     * partition committed offset, log end offset and lag.
     * </pre>
     */
    default void describeGroup(dev.fjordlog.fjord.v1.DescribeGroupRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeGroupResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeGroupMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListGroups lists every group of the cluster.
     * </pre>
     */
    default void listGroups(dev.fjordlog.fjord.v1.ListGroupsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListGroupsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListGroupsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteGroup deletes an empty group and its committed offsets.
     * </pre>
     */
    default void deleteGroup(dev.fjordlog.fjord.v1.DeleteGroupRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteGroupResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteGroupMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResetOffsets sets committed offsets to a chosen position, backwards
     * too. Only while the group has no members, unless force is set.
     * </pre>
     */
    default void resetOffsets(dev.fjordlog.fjord.v1.ResetOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ResetOffsetsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResetOffsetsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service GroupService.
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public static abstract class GroupServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return GroupServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service GroupService.
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public static final class GroupServiceStub
      extends io.grpc.stub.AbstractAsyncStub<GroupServiceStub> {
    private GroupServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GroupServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GroupServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * FindCoordinator names the broker coordinating a group. It creates
     * __consumer_offsets on first use.
     * </pre>
     */
    public void findCoordinator(dev.fjordlog.fjord.v1.FindCoordinatorRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FindCoordinatorResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFindCoordinatorMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Membership is one member's session. The client's first message is a
     * JoinGroup; then it sends heartbeats, acknowledgements and subscription
     * updates. The server answers the join and pushes a new
     * MembershipResponse whenever the member's epoch or assignment changes.
     * A broken stream is not a leave: the member keeps its partitions until
     * its session times out, and a new stream joining with the same member id
     * and epoch resumes without a rebalance. The server ends the stream with
     * an error status when the member is fenced (FENCED_MEMBER_EPOCH,
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) or the broker stops coordinating
     * the group (NOT_COORDINATOR).
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.MembershipRequest> membership(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.MembershipResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getMembershipMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * CommitOffsets stores committed offsets for a group. A member commits
     * with its id and current epoch, only for partitions it owns; a client
     * outside the group (member_id empty) may commit only while the group has
     * no members. A commit never moves an offset backwards (see
     * ResetOffsets). Each partition succeeds or fails on its own.
     * </pre>
     */
    public void commitOffsets(dev.fjordlog.fjord.v1.CommitOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CommitOffsetsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCommitOffsetsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * FetchOffsets returns committed offsets.
     * </pre>
     */
    public void fetchOffsets(dev.fjordlog.fjord.v1.FetchOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchOffsetsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFetchOffsetsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeGroup returns a group's state, members, assignment and per
     * partition committed offset, log end offset and lag.
     * </pre>
     */
    public void describeGroup(dev.fjordlog.fjord.v1.DescribeGroupRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeGroupResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeGroupMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListGroups lists every group of the cluster.
     * </pre>
     */
    public void listGroups(dev.fjordlog.fjord.v1.ListGroupsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListGroupsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListGroupsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteGroup deletes an empty group and its committed offsets.
     * </pre>
     */
    public void deleteGroup(dev.fjordlog.fjord.v1.DeleteGroupRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteGroupResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteGroupMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResetOffsets sets committed offsets to a chosen position, backwards
     * too. Only while the group has no members, unless force is set.
     * </pre>
     */
    public void resetOffsets(dev.fjordlog.fjord.v1.ResetOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ResetOffsetsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResetOffsetsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service GroupService.
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public static final class GroupServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<GroupServiceBlockingV2Stub> {
    private GroupServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GroupServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GroupServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * FindCoordinator names the broker coordinating a group. It creates
     * __consumer_offsets on first use.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FindCoordinatorResponse findCoordinator(dev.fjordlog.fjord.v1.FindCoordinatorRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFindCoordinatorMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Membership is one member's session. The client's first message is a
     * JoinGroup; then it sends heartbeats, acknowledgements and subscription
     * updates. The server answers the join and pushes a new
     * MembershipResponse whenever the member's epoch or assignment changes.
     * A broken stream is not a leave: the member keeps its partitions until
     * its session times out, and a new stream joining with the same member id
     * and epoch resumes without a rebalance. The server ends the stream with
     * an error status when the member is fenced (FENCED_MEMBER_EPOCH,
     * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) or the broker stops coordinating
     * the group (NOT_COORDINATOR).
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dev.fjordlog.fjord.v1.MembershipRequest, dev.fjordlog.fjord.v1.MembershipResponse>
        membership() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getMembershipMethod(), getCallOptions());
    }

    /**
     * <pre>
     * CommitOffsets stores committed offsets for a group. A member commits
     * with its id and current epoch, only for partitions it owns; a client
     * outside the group (member_id empty) may commit only while the group has
     * no members. A commit never moves an offset backwards (see
     * ResetOffsets). Each partition succeeds or fails on its own.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CommitOffsetsResponse commitOffsets(dev.fjordlog.fjord.v1.CommitOffsetsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCommitOffsetsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * FetchOffsets returns committed offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FetchOffsetsResponse fetchOffsets(dev.fjordlog.fjord.v1.FetchOffsetsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFetchOffsetsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeGroup returns a group's state, members, assignment and per
     * partition committed offset, log end offset and lag.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeGroupResponse describeGroup(dev.fjordlog.fjord.v1.DescribeGroupRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeGroupMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListGroups lists every group of the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListGroupsResponse listGroups(dev.fjordlog.fjord.v1.ListGroupsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListGroupsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteGroup deletes an empty group and its committed offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteGroupResponse deleteGroup(dev.fjordlog.fjord.v1.DeleteGroupRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteGroupMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResetOffsets sets committed offsets to a chosen position, backwards
     * too. Only while the group has no members, unless force is set.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ResetOffsetsResponse resetOffsets(dev.fjordlog.fjord.v1.ResetOffsetsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getResetOffsetsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service GroupService.
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public static final class GroupServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<GroupServiceBlockingStub> {
    private GroupServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GroupServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GroupServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * FindCoordinator names the broker coordinating a group. It creates
     * __consumer_offsets on first use.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FindCoordinatorResponse findCoordinator(dev.fjordlog.fjord.v1.FindCoordinatorRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFindCoordinatorMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CommitOffsets stores committed offsets for a group. A member commits
     * with its id and current epoch, only for partitions it owns; a client
     * outside the group (member_id empty) may commit only while the group has
     * no members. A commit never moves an offset backwards (see
     * ResetOffsets). Each partition succeeds or fails on its own.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CommitOffsetsResponse commitOffsets(dev.fjordlog.fjord.v1.CommitOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCommitOffsetsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * FetchOffsets returns committed offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FetchOffsetsResponse fetchOffsets(dev.fjordlog.fjord.v1.FetchOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFetchOffsetsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeGroup returns a group's state, members, assignment and per
     * partition committed offset, log end offset and lag.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeGroupResponse describeGroup(dev.fjordlog.fjord.v1.DescribeGroupRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeGroupMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListGroups lists every group of the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListGroupsResponse listGroups(dev.fjordlog.fjord.v1.ListGroupsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListGroupsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteGroup deletes an empty group and its committed offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteGroupResponse deleteGroup(dev.fjordlog.fjord.v1.DeleteGroupRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteGroupMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResetOffsets sets committed offsets to a chosen position, backwards
     * too. Only while the group has no members, unless force is set.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ResetOffsetsResponse resetOffsets(dev.fjordlog.fjord.v1.ResetOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResetOffsetsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service GroupService.
   * <pre>
   * GroupService runs consumer groups: membership with server-side
   * assignment (Kafka's KIP-848 protocol over one gRPC stream per member),
   * committed offsets, and their administration.
   * Each group has one coordinator: the broker leading partition
   * hash(group_id) mod N of the internal topic __consumer_offsets, where it
   * stores the group's state and offsets (replicated, written with
   * acks=all). Membership must be opened on the coordinator (FindCoordinator
   * names it; other brokers answer NOT_COORDINATOR with a hint). The unary
   * calls may be sent to any broker, which forwards them to the coordinator.
   * While a new coordinator loads a group's partition it answers
   * COORDINATOR_LOAD_IN_PROGRESS (retriable).
   * </pre>
   */
  public static final class GroupServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<GroupServiceFutureStub> {
    private GroupServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GroupServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GroupServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * FindCoordinator names the broker coordinating a group. It creates
     * __consumer_offsets on first use.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.FindCoordinatorResponse> findCoordinator(
        dev.fjordlog.fjord.v1.FindCoordinatorRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFindCoordinatorMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CommitOffsets stores committed offsets for a group. A member commits
     * with its id and current epoch, only for partitions it owns; a client
     * outside the group (member_id empty) may commit only while the group has
     * no members. A commit never moves an offset backwards (see
     * ResetOffsets). Each partition succeeds or fails on its own.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.CommitOffsetsResponse> commitOffsets(
        dev.fjordlog.fjord.v1.CommitOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCommitOffsetsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * FetchOffsets returns committed offsets.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.FetchOffsetsResponse> fetchOffsets(
        dev.fjordlog.fjord.v1.FetchOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFetchOffsetsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeGroup returns a group's state, members, assignment and per
     * partition committed offset, log end offset and lag.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeGroupResponse> describeGroup(
        dev.fjordlog.fjord.v1.DescribeGroupRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeGroupMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListGroups lists every group of the cluster.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListGroupsResponse> listGroups(
        dev.fjordlog.fjord.v1.ListGroupsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListGroupsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteGroup deletes an empty group and its committed offsets.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteGroupResponse> deleteGroup(
        dev.fjordlog.fjord.v1.DeleteGroupRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteGroupMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResetOffsets sets committed offsets to a chosen position, backwards
     * too. Only while the group has no members, unless force is set.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ResetOffsetsResponse> resetOffsets(
        dev.fjordlog.fjord.v1.ResetOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResetOffsetsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_FIND_COORDINATOR = 0;
  private static final int METHODID_COMMIT_OFFSETS = 1;
  private static final int METHODID_FETCH_OFFSETS = 2;
  private static final int METHODID_DESCRIBE_GROUP = 3;
  private static final int METHODID_LIST_GROUPS = 4;
  private static final int METHODID_DELETE_GROUP = 5;
  private static final int METHODID_RESET_OFFSETS = 6;
  private static final int METHODID_MEMBERSHIP = 7;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_FIND_COORDINATOR:
          serviceImpl.findCoordinator((dev.fjordlog.fjord.v1.FindCoordinatorRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FindCoordinatorResponse>) responseObserver);
          break;
        case METHODID_COMMIT_OFFSETS:
          serviceImpl.commitOffsets((dev.fjordlog.fjord.v1.CommitOffsetsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CommitOffsetsResponse>) responseObserver);
          break;
        case METHODID_FETCH_OFFSETS:
          serviceImpl.fetchOffsets((dev.fjordlog.fjord.v1.FetchOffsetsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchOffsetsResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_GROUP:
          serviceImpl.describeGroup((dev.fjordlog.fjord.v1.DescribeGroupRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeGroupResponse>) responseObserver);
          break;
        case METHODID_LIST_GROUPS:
          serviceImpl.listGroups((dev.fjordlog.fjord.v1.ListGroupsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListGroupsResponse>) responseObserver);
          break;
        case METHODID_DELETE_GROUP:
          serviceImpl.deleteGroup((dev.fjordlog.fjord.v1.DeleteGroupRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteGroupResponse>) responseObserver);
          break;
        case METHODID_RESET_OFFSETS:
          serviceImpl.resetOffsets((dev.fjordlog.fjord.v1.ResetOffsetsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ResetOffsetsResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_MEMBERSHIP:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.membership(
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.MembershipResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getFindCoordinatorMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.FindCoordinatorRequest,
              dev.fjordlog.fjord.v1.FindCoordinatorResponse>(
                service, METHODID_FIND_COORDINATOR)))
        .addMethod(
          getMembershipMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.MembershipRequest,
              dev.fjordlog.fjord.v1.MembershipResponse>(
                service, METHODID_MEMBERSHIP)))
        .addMethod(
          getCommitOffsetsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.CommitOffsetsRequest,
              dev.fjordlog.fjord.v1.CommitOffsetsResponse>(
                service, METHODID_COMMIT_OFFSETS)))
        .addMethod(
          getFetchOffsetsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.FetchOffsetsRequest,
              dev.fjordlog.fjord.v1.FetchOffsetsResponse>(
                service, METHODID_FETCH_OFFSETS)))
        .addMethod(
          getDescribeGroupMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeGroupRequest,
              dev.fjordlog.fjord.v1.DescribeGroupResponse>(
                service, METHODID_DESCRIBE_GROUP)))
        .addMethod(
          getListGroupsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListGroupsRequest,
              dev.fjordlog.fjord.v1.ListGroupsResponse>(
                service, METHODID_LIST_GROUPS)))
        .addMethod(
          getDeleteGroupMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteGroupRequest,
              dev.fjordlog.fjord.v1.DeleteGroupResponse>(
                service, METHODID_DELETE_GROUP)))
        .addMethod(
          getResetOffsetsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ResetOffsetsRequest,
              dev.fjordlog.fjord.v1.ResetOffsetsResponse>(
                service, METHODID_RESET_OFFSETS)))
        .build();
  }

  private static abstract class GroupServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GroupServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.fjordlog.fjord.v1.GroupProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GroupService");
    }
  }

  private static final class GroupServiceFileDescriptorSupplier
      extends GroupServiceBaseDescriptorSupplier {
    GroupServiceFileDescriptorSupplier() {}
  }

  private static final class GroupServiceMethodDescriptorSupplier
      extends GroupServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    GroupServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GroupServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GroupServiceFileDescriptorSupplier())
              .addMethod(getFindCoordinatorMethod())
              .addMethod(getMembershipMethod())
              .addMethod(getCommitOffsetsMethod())
              .addMethod(getFetchOffsetsMethod())
              .addMethod(getDescribeGroupMethod())
              .addMethod(getListGroupsMethod())
              .addMethod(getDeleteGroupMethod())
              .addMethod(getResetOffsetsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
