package dev.fjordlog.fjord.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * FetchService reads records.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class FetchServiceGrpc {

  private FetchServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "fjord.v1.FetchService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchRequest,
      dev.fjordlog.fjord.v1.FetchResponse> getFetchMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Fetch",
      requestType = dev.fjordlog.fjord.v1.FetchRequest.class,
      responseType = dev.fjordlog.fjord.v1.FetchResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchRequest,
      dev.fjordlog.fjord.v1.FetchResponse> getFetchMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.FetchRequest, dev.fjordlog.fjord.v1.FetchResponse> getFetchMethod;
    if ((getFetchMethod = FetchServiceGrpc.getFetchMethod) == null) {
      synchronized (FetchServiceGrpc.class) {
        if ((getFetchMethod = FetchServiceGrpc.getFetchMethod) == null) {
          FetchServiceGrpc.getFetchMethod = getFetchMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.FetchRequest, dev.fjordlog.fjord.v1.FetchResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Fetch"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FetchRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.FetchResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FetchServiceMethodDescriptorSupplier("Fetch"))
              .build();
        }
      }
    }
    return getFetchMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SubscribeRequest,
      dev.fjordlog.fjord.v1.SubscribeResponse> getSubscribeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Subscribe",
      requestType = dev.fjordlog.fjord.v1.SubscribeRequest.class,
      responseType = dev.fjordlog.fjord.v1.SubscribeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SubscribeRequest,
      dev.fjordlog.fjord.v1.SubscribeResponse> getSubscribeMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SubscribeRequest, dev.fjordlog.fjord.v1.SubscribeResponse> getSubscribeMethod;
    if ((getSubscribeMethod = FetchServiceGrpc.getSubscribeMethod) == null) {
      synchronized (FetchServiceGrpc.class) {
        if ((getSubscribeMethod = FetchServiceGrpc.getSubscribeMethod) == null) {
          FetchServiceGrpc.getSubscribeMethod = getSubscribeMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.SubscribeRequest, dev.fjordlog.fjord.v1.SubscribeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Subscribe"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SubscribeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SubscribeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FetchServiceMethodDescriptorSupplier("Subscribe"))
              .build();
        }
      }
    }
    return getSubscribeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListOffsetsRequest,
      dev.fjordlog.fjord.v1.ListOffsetsResponse> getListOffsetsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListOffsets",
      requestType = dev.fjordlog.fjord.v1.ListOffsetsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListOffsetsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListOffsetsRequest,
      dev.fjordlog.fjord.v1.ListOffsetsResponse> getListOffsetsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListOffsetsRequest, dev.fjordlog.fjord.v1.ListOffsetsResponse> getListOffsetsMethod;
    if ((getListOffsetsMethod = FetchServiceGrpc.getListOffsetsMethod) == null) {
      synchronized (FetchServiceGrpc.class) {
        if ((getListOffsetsMethod = FetchServiceGrpc.getListOffsetsMethod) == null) {
          FetchServiceGrpc.getListOffsetsMethod = getListOffsetsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListOffsetsRequest, dev.fjordlog.fjord.v1.ListOffsetsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListOffsets"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListOffsetsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListOffsetsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new FetchServiceMethodDescriptorSupplier("ListOffsets"))
              .build();
        }
      }
    }
    return getListOffsetsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static FetchServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FetchServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FetchServiceStub>() {
        @java.lang.Override
        public FetchServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FetchServiceStub(channel, callOptions);
        }
      };
    return FetchServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static FetchServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FetchServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FetchServiceBlockingV2Stub>() {
        @java.lang.Override
        public FetchServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FetchServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return FetchServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static FetchServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FetchServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FetchServiceBlockingStub>() {
        @java.lang.Override
        public FetchServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FetchServiceBlockingStub(channel, callOptions);
        }
      };
    return FetchServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static FetchServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<FetchServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<FetchServiceFutureStub>() {
        @java.lang.Override
        public FetchServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new FetchServiceFutureStub(channel, callOptions);
        }
      };
    return FetchServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Fetch reads from many partitions, waiting up to max_wait_ms for
     * min_bytes to be available (long poll).
     * </pre>
     */
    default void fetch(dev.fjordlog.fjord.v1.FetchRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFetchMethod(), responseObserver);
    }

    /**
     * <pre>
     * Subscribe streams one partition's records with client-granted flow
     * control: the server sends batches only while the client's byte and
     * record credits are positive.
     * </pre>
     */
    default io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SubscribeRequest> subscribe(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SubscribeResponse> responseObserver) {
      return io.grpc.stub.ServerCalls.asyncUnimplementedStreamingCall(getSubscribeMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListOffsets finds offsets by position or by time.
     * </pre>
     */
    default void listOffsets(dev.fjordlog.fjord.v1.ListOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListOffsetsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListOffsetsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service FetchService.
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public static abstract class FetchServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return FetchServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service FetchService.
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public static final class FetchServiceStub
      extends io.grpc.stub.AbstractAsyncStub<FetchServiceStub> {
    private FetchServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FetchServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FetchServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Fetch reads from many partitions, waiting up to max_wait_ms for
     * min_bytes to be available (long poll).
     * </pre>
     */
    public void fetch(dev.fjordlog.fjord.v1.FetchRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFetchMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Subscribe streams one partition's records with client-granted flow
     * control: the server sends batches only while the client's byte and
     * record credits are positive.
     * </pre>
     */
    public io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SubscribeRequest> subscribe(
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SubscribeResponse> responseObserver) {
      return io.grpc.stub.ClientCalls.asyncBidiStreamingCall(
          getChannel().newCall(getSubscribeMethod(), getCallOptions()), responseObserver);
    }

    /**
     * <pre>
     * ListOffsets finds offsets by position or by time.
     * </pre>
     */
    public void listOffsets(dev.fjordlog.fjord.v1.ListOffsetsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListOffsetsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListOffsetsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service FetchService.
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public static final class FetchServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<FetchServiceBlockingV2Stub> {
    private FetchServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FetchServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FetchServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Fetch reads from many partitions, waiting up to max_wait_ms for
     * min_bytes to be available (long poll).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FetchResponse fetch(dev.fjordlog.fjord.v1.FetchRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFetchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Subscribe streams one partition's records with client-granted flow
     * control: the server sends batches only while the client's byte and
     * record credits are positive.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<dev.fjordlog.fjord.v1.SubscribeRequest, dev.fjordlog.fjord.v1.SubscribeResponse>
        subscribe() {
      return io.grpc.stub.ClientCalls.blockingBidiStreamingCall(
          getChannel(), getSubscribeMethod(), getCallOptions());
    }

    /**
     * <pre>
     * ListOffsets finds offsets by position or by time.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListOffsetsResponse listOffsets(dev.fjordlog.fjord.v1.ListOffsetsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListOffsetsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service FetchService.
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public static final class FetchServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<FetchServiceBlockingStub> {
    private FetchServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FetchServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FetchServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Fetch reads from many partitions, waiting up to max_wait_ms for
     * min_bytes to be available (long poll).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.FetchResponse fetch(dev.fjordlog.fjord.v1.FetchRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFetchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListOffsets finds offsets by position or by time.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListOffsetsResponse listOffsets(dev.fjordlog.fjord.v1.ListOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListOffsetsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service FetchService.
   * <pre>
   * FetchService reads records.
   * </pre>
   */
  public static final class FetchServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<FetchServiceFutureStub> {
    private FetchServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected FetchServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new FetchServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Fetch reads from many partitions, waiting up to max_wait_ms for
     * min_bytes to be available (long poll).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.FetchResponse> fetch(
        dev.fjordlog.fjord.v1.FetchRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFetchMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListOffsets finds offsets by position or by time.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListOffsetsResponse> listOffsets(
        dev.fjordlog.fjord.v1.ListOffsetsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListOffsetsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_FETCH = 0;
  private static final int METHODID_LIST_OFFSETS = 1;
  private static final int METHODID_SUBSCRIBE = 2;

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
        case METHODID_FETCH:
          serviceImpl.fetch((dev.fjordlog.fjord.v1.FetchRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.FetchResponse>) responseObserver);
          break;
        case METHODID_LIST_OFFSETS:
          serviceImpl.listOffsets((dev.fjordlog.fjord.v1.ListOffsetsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListOffsetsResponse>) responseObserver);
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
        case METHODID_SUBSCRIBE:
          return (io.grpc.stub.StreamObserver<Req>) serviceImpl.subscribe(
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SubscribeResponse>) responseObserver);
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getFetchMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.FetchRequest,
              dev.fjordlog.fjord.v1.FetchResponse>(
                service, METHODID_FETCH)))
        .addMethod(
          getSubscribeMethod(),
          io.grpc.stub.ServerCalls.asyncBidiStreamingCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.SubscribeRequest,
              dev.fjordlog.fjord.v1.SubscribeResponse>(
                service, METHODID_SUBSCRIBE)))
        .addMethod(
          getListOffsetsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListOffsetsRequest,
              dev.fjordlog.fjord.v1.ListOffsetsResponse>(
                service, METHODID_LIST_OFFSETS)))
        .build();
  }

  private static abstract class FetchServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    FetchServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.fjordlog.fjord.v1.FetchProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("FetchService");
    }
  }

  private static final class FetchServiceFileDescriptorSupplier
      extends FetchServiceBaseDescriptorSupplier {
    FetchServiceFileDescriptorSupplier() {}
  }

  private static final class FetchServiceMethodDescriptorSupplier
      extends FetchServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    FetchServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (FetchServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new FetchServiceFileDescriptorSupplier())
              .addMethod(getFetchMethod())
              .addMethod(getSubscribeMethod())
              .addMethod(getListOffsetsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
