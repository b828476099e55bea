package dev.fjordlog.fjord.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * ProduceService appends record batches to partitions.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class ProduceServiceGrpc {

  private ProduceServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "fjord.v1.ProduceService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceRequest,
      dev.fjordlog.fjord.v1.ProduceResponse> getProduceMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Produce",
      requestType = dev.fjordlog.fjord.v1.ProduceRequest.class,
      responseType = dev.fjordlog.fjord.v1.ProduceResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceRequest,
      dev.fjordlog.fjord.v1.ProduceResponse> getProduceMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceRequest, dev.fjordlog.fjord.v1.ProduceResponse> getProduceMethod;
    if ((getProduceMethod = ProduceServiceGrpc.getProduceMethod) == null) {
      synchronized (ProduceServiceGrpc.class) {
        if ((getProduceMethod = ProduceServiceGrpc.getProduceMethod) == null) {
          ProduceServiceGrpc.getProduceMethod = getProduceMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ProduceRequest, dev.fjordlog.fjord.v1.ProduceResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Produce"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ProduceRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ProduceResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ProduceServiceMethodDescriptorSupplier("Produce"))
              .build();
        }
      }
    }
    return getProduceMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceStreamRequest,
      dev.fjordlog.fjord.v1.ProduceStreamResponse> getProduceStreamMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ProduceStream",
      requestType = dev.fjordlog.fjord.v1.ProduceStreamRequest.class,
      responseType = dev.fjordlog.fjord.v1.ProduceStreamResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceStreamRequest,
      dev.fjordlog.fjord.v1.ProduceStreamResponse> getProduceStreamMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ProduceStreamRequest, dev.fjordlog.fjord.v1.ProduceStreamResponse> getProduceStreamMethod;
    if ((getProduceStreamMethod = ProduceServiceGrpc.getProduceStreamMethod) == null) {
      synchronized (ProduceServiceGrpc.class) {
        if ((getProduceStreamMethod = ProduceServiceGrpc.getProduceStreamMethod) == null) {
          ProduceServiceGrpc.getProduceStreamMethod = getProduceStreamMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ProduceStreamRequest, dev.fjordlog.fjord.v1.ProduceStreamResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ProduceStream"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ProduceStreamRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ProduceStreamResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ProduceServiceMethodDescriptorSupplier("ProduceStream"))
              .build();
        }
      }
    }
    return getProduceStreamMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.InitProducerIdRequest,
      dev.fjordlog.fjord.v1.InitProducerIdResponse> getInitProducerIdMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "InitProducerId",
      requestType = dev.fjordlog.fjord.v1.InitProducerIdRequest.class,
      responseType = dev.fjordlog.fjord.v1.InitProducerIdResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.InitProducerIdRequest,
      dev.fjordlog.fjord.v1.InitProducerIdResponse> getInitProducerIdMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.InitProducerIdRequest, dev.fjordlog.fjord.v1.InitProducerIdResponse> getInitProducerIdMethod;
    if ((getInitProducerIdMethod = ProduceServiceGrpc.getInitProducerIdMethod) == null) {
      synchronized (ProduceServiceGrpc.class) {
        if ((getInitProducerIdMethod = ProduceServiceGrpc.getInitProducerIdMethod) == null) {
          ProduceServiceGrpc.getInitProducerIdMethod = getInitProducerIdMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.InitProducerIdRequest, dev.fjordlog.fjord.v1.InitProducerIdResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "InitProducerId"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.InitProducerIdRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.InitProducerIdResponse.getDefaultInstance()))
              .setSchemaDescriptor(new ProduceServiceMethodDescriptorSupplier("InitProducerId"))
              .build();
        }
      }
    }
    return getInitProducerIdMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static ProduceServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ProduceServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ProduceServiceStub>() {
        @java.lang.Override
        public ProduceServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ProduceServiceStub(channel, callOptions);
        }
      };
    return ProduceServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static ProduceServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ProduceServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ProduceServiceBlockingV2Stub>() {
        @java.lang.Override
        public ProduceServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ProduceServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return ProduceServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static ProduceServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ProduceServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ProduceServiceBlockingStub>() {
        @java.lang.Override
        public ProduceServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ProduceServiceBlockingStub(channel, callOptions);
        }
      };
    return ProduceServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static ProduceServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<ProduceServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<ProduceServiceFutureStub>() {
        @java.lang.Override
        public ProduceServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new ProduceServiceFutureStub(channel, callOptions);
        }
      };
    return ProduceServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Produce appends batches to many partitions in one call.
     * </pre>
     */
    default void produce(dev.fjordlog.fjord.v1.ProduceRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getProduceMethod(), responseObserver);
    }

    /**
     * <pre>
     * ProduceStream pipelines produce requests on one stream. Responses come
     * back in request order, each carrying its request's correlation_id.
     * Requests with acks NONE get no response message.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceStreamRequest> produceStream(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceStreamResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getProduceStreamMethod(), responseObserver);
    }

    /**
     * <pre>
     * InitProducerId gives an idempotent producer its producer id and epoch,
     * or bumps the epoch of the id it has (after UNKNOWN_PRODUCER_ID or
     * OUT_OF_ORDER_SEQUENCE, KIP-360). Ids are unique cluster-wide and never
     * reused.
     * </pre>
     */
    default void initProducerId(dev.fjordlog.fjord.v1.InitProducerIdRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.InitProducerIdResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getInitProducerIdMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service ProduceService.
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public static abstract class ProduceServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return ProduceServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service ProduceService.
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public static final class ProduceServiceStub
      extends io.grpc.stub.AbstractAsyncStub<ProduceServiceStub> {
    private ProduceServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ProduceServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ProduceServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Produce appends batches to many partitions in one call.
     * </pre>
     */
    public void produce(dev.fjordlog.fjord.v1.ProduceRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getProduceMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ProduceStream pipelines produce requests on one stream. Responses come
     * back in request order, each carrying its request's correlation_id.
     * Requests with acks NONE get no response message.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceStreamRequest> produceStream(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceStreamResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getProduceStreamMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * InitProducerId gives an idempotent producer its producer id and epoch,
     * or bumps the epoch of the id it has (after UNKNOWN_PRODUCER_ID or
     * OUT_OF_ORDER_SEQUENCE, KIP-360). Ids are unique cluster-wide and never
     * reused.
     * </pre>
     */
    public void initProducerId(dev.fjordlog.fjord.v1.InitProducerIdRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.InitProducerIdResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getInitProducerIdMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service ProduceService.
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public static final class ProduceServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<ProduceServiceBlockingV2Stub> {
    private ProduceServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ProduceServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ProduceServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Produce appends batches to many partitions in one call.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ProduceResponse produce(dev.fjordlog.fjord.v1.ProduceRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getProduceMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ProduceStream pipelines produce requests on one stream. Responses come
     * back in request order, each carrying its request's correlation_id.
     * Requests with acks NONE get no response message.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dev.fjordlog.fjord.v1.ProduceStreamRequest, dev.fjordlog.fjord.v1.ProduceStreamResponse>
        produceStream() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getProduceStreamMethod(), getCallOptions());
    }

    /**
     * <pre>
     * InitProducerId gives an idempotent producer its producer id and epoch,
     * or bumps the epoch of the id it has (after UNKNOWN_PRODUCER_ID or
     * OUT_OF_ORDER_SEQUENCE, KIP-360). Ids are unique cluster-wide and never
     * reused.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.InitProducerIdResponse initProducerId(dev.fjordlog.fjord.v1.InitProducerIdRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getInitProducerIdMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service ProduceService.
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public static final class ProduceServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<ProduceServiceBlockingStub> {
    private ProduceServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ProduceServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ProduceServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Produce appends batches to many partitions in one call.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ProduceResponse produce(dev.fjordlog.fjord.v1.ProduceRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getProduceMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * InitProducerId gives an idempotent producer its producer id and epoch,
     * or bumps the epoch of the id it has (after UNKNOWN_PRODUCER_ID or
     * OUT_OF_ORDER_SEQUENCE, KIP-360). Ids are unique cluster-wide and never
     * reused.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.InitProducerIdResponse initProducerId(dev.fjordlog.fjord.v1.InitProducerIdRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getInitProducerIdMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service ProduceService.
   * <pre>
   * ProduceService appends record batches to partitions.
   * </pre>
   */
  public static final class ProduceServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<ProduceServiceFutureStub> {
    private ProduceServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected ProduceServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new ProduceServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Produce appends batches to many partitions in one call.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ProduceResponse> produce(
        dev.fjordlog.fjord.v1.ProduceRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getProduceMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * InitProducerId gives an idempotent producer its producer id and epoch,
     * or bumps the epoch of the id it has (after UNKNOWN_PRODUCER_ID or
     * OUT_OF_ORDER_SEQUENCE, KIP-360). Ids are unique cluster-wide and never
     * reused.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.InitProducerIdResponse> initProducerId(
        dev.fjordlog.fjord.v1.InitProducerIdRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getInitProducerIdMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_PRODUCE = 0;
  private static final int METHODID_INIT_PRODUCER_ID = 1;
  private static final int METHODID_PRODUCE_STREAM = 2;

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
        case METHODID_PRODUCE:
          serviceImpl.produce((dev.fjordlog.fjord.v1.ProduceRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceResponse>) responseObserver);
          break;
        case METHODID_INIT_PRODUCER_ID:
          serviceImpl.initProducerId((dev.fjordlog.fjord.v1.InitProducerIdRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.InitProducerIdResponse>) responseObserver);
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
        case METHODID_PRODUCE_STREAM:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.produceStream(
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ProduceStreamResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getProduceMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ProduceRequest,
              dev.fjordlog.fjord.v1.ProduceResponse>(
                service, METHODID_PRODUCE)))
        .addMethod(
          getProduceStreamMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ProduceStreamRequest,
              dev.fjordlog.fjord.v1.ProduceStreamResponse>(
                service, METHODID_PRODUCE_STREAM)))
        .addMethod(
          getInitProducerIdMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.InitProducerIdRequest,
              dev.fjordlog.fjord.v1.InitProducerIdResponse>(
                service, METHODID_INIT_PRODUCER_ID)))
        .build();
  }

  private static abstract class ProduceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    ProduceServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.fjordlog.fjord.v1.ProduceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("ProduceService");
    }
  }

  private static final class ProduceServiceFileDescriptorSupplier
      extends ProduceServiceBaseDescriptorSupplier {
    ProduceServiceFileDescriptorSupplier() {}
  }

  private static final class ProduceServiceMethodDescriptorSupplier
      extends ProduceServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    ProduceServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (ProduceServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new ProduceServiceFileDescriptorSupplier())
              .addMethod(getProduceMethod())
              .addMethod(getProduceStreamMethod())
              .addMethod(getInitProducerIdMethod())
              .build();
        }
      }
    }
    return result;
  }
}
