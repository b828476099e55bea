package dev.fjordlog.fjord.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AdminService manages topics, partitions and configuration.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class AdminServiceGrpc {

  private AdminServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "fjord.v1.AdminService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateTopicsRequest,
      dev.fjordlog.fjord.v1.CreateTopicsResponse> getCreateTopicsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateTopics",
      requestType = dev.fjordlog.fjord.v1.CreateTopicsRequest.class,
      responseType = dev.fjordlog.fjord.v1.CreateTopicsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateTopicsRequest,
      dev.fjordlog.fjord.v1.CreateTopicsResponse> getCreateTopicsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateTopicsRequest, dev.fjordlog.fjord.v1.CreateTopicsResponse> getCreateTopicsMethod;
    if ((getCreateTopicsMethod = AdminServiceGrpc.getCreateTopicsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateTopicsMethod = AdminServiceGrpc.getCreateTopicsMethod) == null) {
          AdminServiceGrpc.getCreateTopicsMethod = getCreateTopicsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.CreateTopicsRequest, dev.fjordlog.fjord.v1.CreateTopicsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateTopics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreateTopicsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreateTopicsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateTopics"))
              .build();
        }
      }
    }
    return getCreateTopicsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteTopicsRequest,
      dev.fjordlog.fjord.v1.DeleteTopicsResponse> getDeleteTopicsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteTopics",
      requestType = dev.fjordlog.fjord.v1.DeleteTopicsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteTopicsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteTopicsRequest,
      dev.fjordlog.fjord.v1.DeleteTopicsResponse> getDeleteTopicsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteTopicsRequest, dev.fjordlog.fjord.v1.DeleteTopicsResponse> getDeleteTopicsMethod;
    if ((getDeleteTopicsMethod = AdminServiceGrpc.getDeleteTopicsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteTopicsMethod = AdminServiceGrpc.getDeleteTopicsMethod) == null) {
          AdminServiceGrpc.getDeleteTopicsMethod = getDeleteTopicsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteTopicsRequest, dev.fjordlog.fjord.v1.DeleteTopicsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteTopics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteTopicsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteTopicsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteTopics"))
              .build();
        }
      }
    }
    return getDeleteTopicsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListTopicsRequest,
      dev.fjordlog.fjord.v1.ListTopicsResponse> getListTopicsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListTopics",
      requestType = dev.fjordlog.fjord.v1.ListTopicsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListTopicsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListTopicsRequest,
      dev.fjordlog.fjord.v1.ListTopicsResponse> getListTopicsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListTopicsRequest, dev.fjordlog.fjord.v1.ListTopicsResponse> getListTopicsMethod;
    if ((getListTopicsMethod = AdminServiceGrpc.getListTopicsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListTopicsMethod = AdminServiceGrpc.getListTopicsMethod) == null) {
          AdminServiceGrpc.getListTopicsMethod = getListTopicsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListTopicsRequest, dev.fjordlog.fjord.v1.ListTopicsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListTopics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListTopicsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListTopicsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListTopics"))
              .build();
        }
      }
    }
    return getListTopicsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeTopicsRequest,
      dev.fjordlog.fjord.v1.DescribeTopicsResponse> getDescribeTopicsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeTopics",
      requestType = dev.fjordlog.fjord.v1.DescribeTopicsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeTopicsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeTopicsRequest,
      dev.fjordlog.fjord.v1.DescribeTopicsResponse> getDescribeTopicsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeTopicsRequest, dev.fjordlog.fjord.v1.DescribeTopicsResponse> getDescribeTopicsMethod;
    if ((getDescribeTopicsMethod = AdminServiceGrpc.getDescribeTopicsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDescribeTopicsMethod = AdminServiceGrpc.getDescribeTopicsMethod) == null) {
          AdminServiceGrpc.getDescribeTopicsMethod = getDescribeTopicsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeTopicsRequest, dev.fjordlog.fjord.v1.DescribeTopicsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeTopics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeTopicsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeTopicsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DescribeTopics"))
              .build();
        }
      }
    }
    return getDescribeTopicsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeConfigsRequest,
      dev.fjordlog.fjord.v1.DescribeConfigsResponse> getDescribeConfigsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeConfigs",
      requestType = dev.fjordlog.fjord.v1.DescribeConfigsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeConfigsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeConfigsRequest,
      dev.fjordlog.fjord.v1.DescribeConfigsResponse> getDescribeConfigsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeConfigsRequest, dev.fjordlog.fjord.v1.DescribeConfigsResponse> getDescribeConfigsMethod;
    if ((getDescribeConfigsMethod = AdminServiceGrpc.getDescribeConfigsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDescribeConfigsMethod = AdminServiceGrpc.getDescribeConfigsMethod) == null) {
          AdminServiceGrpc.getDescribeConfigsMethod = getDescribeConfigsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeConfigsRequest, dev.fjordlog.fjord.v1.DescribeConfigsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeConfigs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeConfigsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeConfigsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DescribeConfigs"))
              .build();
        }
      }
    }
    return getDescribeConfigsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterConfigsRequest,
      dev.fjordlog.fjord.v1.AlterConfigsResponse> getAlterConfigsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AlterConfigs",
      requestType = dev.fjordlog.fjord.v1.AlterConfigsRequest.class,
      responseType = dev.fjordlog.fjord.v1.AlterConfigsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterConfigsRequest,
      dev.fjordlog.fjord.v1.AlterConfigsResponse> getAlterConfigsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterConfigsRequest, dev.fjordlog.fjord.v1.AlterConfigsResponse> getAlterConfigsMethod;
    if ((getAlterConfigsMethod = AdminServiceGrpc.getAlterConfigsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getAlterConfigsMethod = AdminServiceGrpc.getAlterConfigsMethod) == null) {
          AdminServiceGrpc.getAlterConfigsMethod = getAlterConfigsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.AlterConfigsRequest, dev.fjordlog.fjord.v1.AlterConfigsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AlterConfigs"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterConfigsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterConfigsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("AlterConfigs"))
              .build();
        }
      }
    }
    return getAlterConfigsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreatePartitionsRequest,
      dev.fjordlog.fjord.v1.CreatePartitionsResponse> getCreatePartitionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreatePartitions",
      requestType = dev.fjordlog.fjord.v1.CreatePartitionsRequest.class,
      responseType = dev.fjordlog.fjord.v1.CreatePartitionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreatePartitionsRequest,
      dev.fjordlog.fjord.v1.CreatePartitionsResponse> getCreatePartitionsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreatePartitionsRequest, dev.fjordlog.fjord.v1.CreatePartitionsResponse> getCreatePartitionsMethod;
    if ((getCreatePartitionsMethod = AdminServiceGrpc.getCreatePartitionsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreatePartitionsMethod = AdminServiceGrpc.getCreatePartitionsMethod) == null) {
          AdminServiceGrpc.getCreatePartitionsMethod = getCreatePartitionsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.CreatePartitionsRequest, dev.fjordlog.fjord.v1.CreatePartitionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreatePartitions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreatePartitionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreatePartitionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreatePartitions"))
              .build();
        }
      }
    }
    return getCreatePartitionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteRecordsRequest,
      dev.fjordlog.fjord.v1.DeleteRecordsResponse> getDeleteRecordsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteRecords",
      requestType = dev.fjordlog.fjord.v1.DeleteRecordsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteRecordsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteRecordsRequest,
      dev.fjordlog.fjord.v1.DeleteRecordsResponse> getDeleteRecordsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteRecordsRequest, dev.fjordlog.fjord.v1.DeleteRecordsResponse> getDeleteRecordsMethod;
    if ((getDeleteRecordsMethod = AdminServiceGrpc.getDeleteRecordsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteRecordsMethod = AdminServiceGrpc.getDeleteRecordsMethod) == null) {
          AdminServiceGrpc.getDeleteRecordsMethod = getDeleteRecordsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteRecordsRequest, dev.fjordlog.fjord.v1.DeleteRecordsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteRecords"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteRecordsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteRecordsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteRecords"))
              .build();
        }
      }
    }
    return getDeleteRecordsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClusterRequest,
      dev.fjordlog.fjord.v1.DescribeClusterResponse> getDescribeClusterMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeCluster",
      requestType = dev.fjordlog.fjord.v1.DescribeClusterRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeClusterResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClusterRequest,
      dev.fjordlog.fjord.v1.DescribeClusterResponse> getDescribeClusterMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClusterRequest, dev.fjordlog.fjord.v1.DescribeClusterResponse> getDescribeClusterMethod;
    if ((getDescribeClusterMethod = AdminServiceGrpc.getDescribeClusterMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDescribeClusterMethod = AdminServiceGrpc.getDescribeClusterMethod) == null) {
          AdminServiceGrpc.getDescribeClusterMethod = getDescribeClusterMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeClusterRequest, dev.fjordlog.fjord.v1.DescribeClusterResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeCluster"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeClusterRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeClusterResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DescribeCluster"))
              .build();
        }
      }
    }
    return getDescribeClusterMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ElectLeadersRequest,
      dev.fjordlog.fjord.v1.ElectLeadersResponse> getElectLeadersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ElectLeaders",
      requestType = dev.fjordlog.fjord.v1.ElectLeadersRequest.class,
      responseType = dev.fjordlog.fjord.v1.ElectLeadersResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ElectLeadersRequest,
      dev.fjordlog.fjord.v1.ElectLeadersResponse> getElectLeadersMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ElectLeadersRequest, dev.fjordlog.fjord.v1.ElectLeadersResponse> getElectLeadersMethod;
    if ((getElectLeadersMethod = AdminServiceGrpc.getElectLeadersMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getElectLeadersMethod = AdminServiceGrpc.getElectLeadersMethod) == null) {
          AdminServiceGrpc.getElectLeadersMethod = getElectLeadersMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ElectLeadersRequest, dev.fjordlog.fjord.v1.ElectLeadersResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ElectLeaders"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ElectLeadersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ElectLeadersResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ElectLeaders"))
              .build();
        }
      }
    }
    return getElectLeadersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest,
      dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> getAlterPartitionReassignmentsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AlterPartitionReassignments",
      requestType = dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest.class,
      responseType = dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest,
      dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> getAlterPartitionReassignmentsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest, dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> getAlterPartitionReassignmentsMethod;
    if ((getAlterPartitionReassignmentsMethod = AdminServiceGrpc.getAlterPartitionReassignmentsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getAlterPartitionReassignmentsMethod = AdminServiceGrpc.getAlterPartitionReassignmentsMethod) == null) {
          AdminServiceGrpc.getAlterPartitionReassignmentsMethod = getAlterPartitionReassignmentsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest, dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AlterPartitionReassignments"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("AlterPartitionReassignments"))
              .build();
        }
      }
    }
    return getAlterPartitionReassignmentsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest,
      dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> getListPartitionReassignmentsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPartitionReassignments",
      requestType = dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest,
      dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> getListPartitionReassignmentsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest, dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> getListPartitionReassignmentsMethod;
    if ((getListPartitionReassignmentsMethod = AdminServiceGrpc.getListPartitionReassignmentsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListPartitionReassignmentsMethod = AdminServiceGrpc.getListPartitionReassignmentsMethod) == null) {
          AdminServiceGrpc.getListPartitionReassignmentsMethod = getListPartitionReassignmentsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest, dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPartitionReassignments"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListPartitionReassignments"))
              .build();
        }
      }
    }
    return getListPartitionReassignmentsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterClientQuotasRequest,
      dev.fjordlog.fjord.v1.AlterClientQuotasResponse> getAlterClientQuotasMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AlterClientQuotas",
      requestType = dev.fjordlog.fjord.v1.AlterClientQuotasRequest.class,
      responseType = dev.fjordlog.fjord.v1.AlterClientQuotasResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterClientQuotasRequest,
      dev.fjordlog.fjord.v1.AlterClientQuotasResponse> getAlterClientQuotasMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.AlterClientQuotasRequest, dev.fjordlog.fjord.v1.AlterClientQuotasResponse> getAlterClientQuotasMethod;
    if ((getAlterClientQuotasMethod = AdminServiceGrpc.getAlterClientQuotasMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getAlterClientQuotasMethod = AdminServiceGrpc.getAlterClientQuotasMethod) == null) {
          AdminServiceGrpc.getAlterClientQuotasMethod = getAlterClientQuotasMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.AlterClientQuotasRequest, dev.fjordlog.fjord.v1.AlterClientQuotasResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AlterClientQuotas"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterClientQuotasRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.AlterClientQuotasResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("AlterClientQuotas"))
              .build();
        }
      }
    }
    return getAlterClientQuotasMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClientQuotasRequest,
      dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> getDescribeClientQuotasMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeClientQuotas",
      requestType = dev.fjordlog.fjord.v1.DescribeClientQuotasRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeClientQuotasResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClientQuotasRequest,
      dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> getDescribeClientQuotasMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeClientQuotasRequest, dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> getDescribeClientQuotasMethod;
    if ((getDescribeClientQuotasMethod = AdminServiceGrpc.getDescribeClientQuotasMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDescribeClientQuotasMethod = AdminServiceGrpc.getDescribeClientQuotasMethod) == null) {
          AdminServiceGrpc.getDescribeClientQuotasMethod = getDescribeClientQuotasMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeClientQuotasRequest, dev.fjordlog.fjord.v1.DescribeClientQuotasResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeClientQuotas"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeClientQuotasRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeClientQuotasResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DescribeClientQuotas"))
              .build();
        }
      }
    }
    return getDescribeClientQuotasMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateAclsRequest,
      dev.fjordlog.fjord.v1.CreateAclsResponse> getCreateAclsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateAcls",
      requestType = dev.fjordlog.fjord.v1.CreateAclsRequest.class,
      responseType = dev.fjordlog.fjord.v1.CreateAclsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateAclsRequest,
      dev.fjordlog.fjord.v1.CreateAclsResponse> getCreateAclsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CreateAclsRequest, dev.fjordlog.fjord.v1.CreateAclsResponse> getCreateAclsMethod;
    if ((getCreateAclsMethod = AdminServiceGrpc.getCreateAclsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getCreateAclsMethod = AdminServiceGrpc.getCreateAclsMethod) == null) {
          AdminServiceGrpc.getCreateAclsMethod = getCreateAclsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.CreateAclsRequest, dev.fjordlog.fjord.v1.CreateAclsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateAcls"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreateAclsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CreateAclsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("CreateAcls"))
              .build();
        }
      }
    }
    return getCreateAclsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeAclsRequest,
      dev.fjordlog.fjord.v1.DescribeAclsResponse> getDescribeAclsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DescribeAcls",
      requestType = dev.fjordlog.fjord.v1.DescribeAclsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DescribeAclsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeAclsRequest,
      dev.fjordlog.fjord.v1.DescribeAclsResponse> getDescribeAclsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DescribeAclsRequest, dev.fjordlog.fjord.v1.DescribeAclsResponse> getDescribeAclsMethod;
    if ((getDescribeAclsMethod = AdminServiceGrpc.getDescribeAclsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDescribeAclsMethod = AdminServiceGrpc.getDescribeAclsMethod) == null) {
          AdminServiceGrpc.getDescribeAclsMethod = getDescribeAclsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DescribeAclsRequest, dev.fjordlog.fjord.v1.DescribeAclsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DescribeAcls"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeAclsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DescribeAclsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DescribeAcls"))
              .build();
        }
      }
    }
    return getDescribeAclsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteAclsRequest,
      dev.fjordlog.fjord.v1.DeleteAclsResponse> getDeleteAclsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteAcls",
      requestType = dev.fjordlog.fjord.v1.DeleteAclsRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteAclsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteAclsRequest,
      dev.fjordlog.fjord.v1.DeleteAclsResponse> getDeleteAclsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteAclsRequest, dev.fjordlog.fjord.v1.DeleteAclsResponse> getDeleteAclsMethod;
    if ((getDeleteAclsMethod = AdminServiceGrpc.getDeleteAclsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteAclsMethod = AdminServiceGrpc.getDeleteAclsMethod) == null) {
          AdminServiceGrpc.getDeleteAclsMethod = getDeleteAclsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteAclsRequest, dev.fjordlog.fjord.v1.DeleteAclsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteAcls"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteAclsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteAclsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteAcls"))
              .build();
        }
      }
    }
    return getDeleteAclsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AdminServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub>() {
        @java.lang.Override
        public AdminServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceStub(channel, callOptions);
        }
      };
    return AdminServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static AdminServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingV2Stub>() {
        @java.lang.Override
        public AdminServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return AdminServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AdminServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub>() {
        @java.lang.Override
        public AdminServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingStub(channel, callOptions);
        }
      };
    return AdminServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AdminServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub>() {
        @java.lang.Override
        public AdminServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceFutureStub(channel, callOptions);
        }
      };
    return AdminServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * CreateTopics creates topics; each result carries its own error.
     * </pre>
     */
    default void createTopics(dev.fjordlog.fjord.v1.CreateTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateTopicsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateTopicsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteTopics deletes topics and their data.
     * </pre>
     */
    default void deleteTopics(dev.fjordlog.fjord.v1.DeleteTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteTopicsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteTopicsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListTopics lists topic names and sizes.
     * </pre>
     */
    default void listTopics(dev.fjordlog.fjord.v1.ListTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListTopicsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListTopicsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeTopics returns partitions with replica state and offsets, and configs.
     * </pre>
     */
    default void describeTopics(dev.fjordlog.fjord.v1.DescribeTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeTopicsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeTopicsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeConfigs returns topic or broker configuration with sources.
     * </pre>
     */
    default void describeConfigs(dev.fjordlog.fjord.v1.DescribeConfigsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeConfigsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeConfigsMethod(), responseObserver);
    }

    /**
     * <pre>
     * AlterConfigs sets or deletes individual configuration keys (incremental).
     * </pre>
     */
    default void alterConfigs(dev.fjordlog.fjord.v1.AlterConfigsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterConfigsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAlterConfigsMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreatePartitions raises topics' partition counts.
     * </pre>
     */
    default void createPartitions(dev.fjordlog.fjord.v1.CreatePartitionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreatePartitionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreatePartitionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteRecords advances partitions' log start offsets.
     * </pre>
     */
    default void deleteRecords(dev.fjordlog.fjord.v1.DeleteRecordsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteRecordsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteRecordsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeCluster returns the brokers and the controller, every
     * registered broker's session state, and the partitions that are under
     * replicated, under min.insync.replicas or offline, as this broker's copy
     * of the cluster metadata shows them.
     * </pre>
     */
    default void describeCluster(dev.fjordlog.fjord.v1.DescribeClusterRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClusterResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeClusterMethod(), responseObserver);
    }

    /**
     * <pre>
     * ElectLeaders moves leadership of partitions to their preferred replica
     * (the first of their replicas) where it is alive and in the ISR. Each
     * partition succeeds or fails on its own. Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    default void electLeaders(dev.fjordlog.fjord.v1.ElectLeadersRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ElectLeadersResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getElectLeadersMethod(), responseObserver);
    }

    /**
     * <pre>
     * AlterPartitionReassignments starts, replaces or cancels the
     * reassignment of partitions to new replica lists (Kafka's KIP-455). A
     * reassignment adds the new replicas, waits until every target replica
     * is in the ISR, then drops the replicas outside the target, whose
     * brokers delete their copy. Each partition succeeds or fails on its own.
     * Sent to any broker; it is forwarded to the controller leader.
     * </pre>
     */
    default void alterPartitionReassignments(dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAlterPartitionReassignmentsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListPartitionReassignments lists ongoing reassignments with their
     * replicas and the replicas being added and removed.
     * </pre>
     */
    default void listPartitionReassignments(dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPartitionReassignmentsMethod(), responseObserver);
    }

    /**
     * <pre>
     * AlterClientQuotas sets or removes client quotas (byte rates per user
     * and client id, enforced by every broker). Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    default void alterClientQuotas(dev.fjordlog.fjord.v1.AlterClientQuotasRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterClientQuotasResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAlterClientQuotasMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeClientQuotas lists the client quotas.
     * </pre>
     */
    default void describeClientQuotas(dev.fjordlog.fjord.v1.DescribeClientQuotasRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeClientQuotasMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateAcls adds ACL bindings (stored in the cluster metadata, enforced
     * by every broker). Needs ALTER on the cluster.
     * </pre>
     */
    default void createAcls(dev.fjordlog.fjord.v1.CreateAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateAclsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateAclsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DescribeAcls lists the bindings matching a filter. Needs DESCRIBE on
     * the cluster.
     * </pre>
     */
    default void describeAcls(dev.fjordlog.fjord.v1.DescribeAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeAclsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDescribeAclsMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteAcls deletes the bindings matching any filter and returns them.
     * Needs ALTER on the cluster.
     * </pre>
     */
    default void deleteAcls(dev.fjordlog.fjord.v1.DeleteAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteAclsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteAclsMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service AdminService.
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public static abstract class AdminServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return AdminServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public static final class AdminServiceStub
      extends io.grpc.stub.AbstractAsyncStub<AdminServiceStub> {
    private AdminServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateTopics creates topics; each result carries its own error.
     * </pre>
     */
    public void createTopics(dev.fjordlog.fjord.v1.CreateTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateTopicsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateTopicsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteTopics deletes topics and their data.
     * </pre>
     */
    public void deleteTopics(dev.fjordlog.fjord.v1.DeleteTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteTopicsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteTopicsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListTopics lists topic names and sizes.
     * </pre>
     */
    public void listTopics(dev.fjordlog.fjord.v1.ListTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListTopicsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListTopicsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeTopics returns partitions with replica state and offsets, and configs.
     * </pre>
     */
    public void describeTopics(dev.fjordlog.fjord.v1.DescribeTopicsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeTopicsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeTopicsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeConfigs returns topic or broker configuration with sources.
     * </pre>
     */
    public void describeConfigs(dev.fjordlog.fjord.v1.DescribeConfigsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeConfigsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeConfigsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * AlterConfigs sets or deletes individual configuration keys (incremental).
     * </pre>
     */
    public void alterConfigs(dev.fjordlog.fjord.v1.AlterConfigsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterConfigsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAlterConfigsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreatePartitions raises topics' partition counts.
     * </pre>
     */
    public void createPartitions(dev.fjordlog.fjord.v1.CreatePartitionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreatePartitionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreatePartitionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteRecords advances partitions' log start offsets.
     * </pre>
     */
    public void deleteRecords(dev.fjordlog.fjord.v1.DeleteRecordsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteRecordsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteRecordsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeCluster returns the brokers and the controller, every
     * registered broker's session state, and the partitions that are under
     * replicated, under min.insync.replicas or offline, as this broker's copy
     * of the cluster metadata shows them.
     * </pre>
     */
    public void describeCluster(dev.fjordlog.fjord.v1.DescribeClusterRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClusterResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeClusterMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ElectLeaders moves leadership of partitions to their preferred replica
     * (the first of their replicas) where it is alive and in the ISR. Each
     * partition succeeds or fails on its own. Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public void electLeaders(dev.fjordlog.fjord.v1.ElectLeadersRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ElectLeadersResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getElectLeadersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * AlterPartitionReassignments starts, replaces or cancels the
     * reassignment of partitions to new replica lists (Kafka's KIP-455). A
     * reassignment adds the new replicas, waits until every target replica
     * is in the ISR, then drops the replicas outside the target, whose
     * brokers delete their copy. Each partition succeeds or fails on its own.
     * Sent to any broker; it is forwarded to the controller leader.
     * </pre>
     */
    public void alterPartitionReassignments(dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAlterPartitionReassignmentsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListPartitionReassignments lists ongoing reassignments with their
     * replicas and the replicas being added and removed.
     * </pre>
     */
    public void listPartitionReassignments(dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPartitionReassignmentsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * AlterClientQuotas sets or removes client quotas (byte rates per user
     * and client id, enforced by every broker). Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public void alterClientQuotas(dev.fjordlog.fjord.v1.AlterClientQuotasRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterClientQuotasResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAlterClientQuotasMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeClientQuotas lists the client quotas.
     * </pre>
     */
    public void describeClientQuotas(dev.fjordlog.fjord.v1.DescribeClientQuotasRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeClientQuotasMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateAcls adds ACL bindings (stored in the cluster metadata, enforced
     * by every broker). Needs ALTER on the cluster.
     * </pre>
     */
    public void createAcls(dev.fjordlog.fjord.v1.CreateAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateAclsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateAclsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DescribeAcls lists the bindings matching a filter. Needs DESCRIBE on
     * the cluster.
     * </pre>
     */
    public void describeAcls(dev.fjordlog.fjord.v1.DescribeAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeAclsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDescribeAclsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteAcls deletes the bindings matching any filter and returns them.
     * Needs ALTER on the cluster.
     * </pre>
     */
    public void deleteAcls(dev.fjordlog.fjord.v1.DeleteAclsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteAclsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteAclsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public static final class AdminServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingV2Stub> {
    private AdminServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateTopics creates topics; each result carries its own error.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreateTopicsResponse createTopics(dev.fjordlog.fjord.v1.CreateTopicsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteTopics deletes topics and their data.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteTopicsResponse deleteTopics(dev.fjordlog.fjord.v1.DeleteTopicsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTopics lists topic names and sizes.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListTopicsResponse listTopics(dev.fjordlog.fjord.v1.ListTopicsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeTopics returns partitions with replica state and offsets, and configs.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeTopicsResponse describeTopics(dev.fjordlog.fjord.v1.DescribeTopicsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeConfigs returns topic or broker configuration with sources.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeConfigsResponse describeConfigs(dev.fjordlog.fjord.v1.DescribeConfigsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeConfigsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterConfigs sets or deletes individual configuration keys (incremental).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterConfigsResponse alterConfigs(dev.fjordlog.fjord.v1.AlterConfigsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAlterConfigsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreatePartitions raises topics' partition counts.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreatePartitionsResponse createPartitions(dev.fjordlog.fjord.v1.CreatePartitionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreatePartitionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteRecords advances partitions' log start offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteRecordsResponse deleteRecords(dev.fjordlog.fjord.v1.DeleteRecordsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteRecordsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeCluster returns the brokers and the controller, every
     * registered broker's session state, and the partitions that are under
     * replicated, under min.insync.replicas or offline, as this broker's copy
     * of the cluster metadata shows them.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeClusterResponse describeCluster(dev.fjordlog.fjord.v1.DescribeClusterRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeClusterMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ElectLeaders moves leadership of partitions to their preferred replica
     * (the first of their replicas) where it is alive and in the ISR. Each
     * partition succeeds or fails on its own. Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ElectLeadersResponse electLeaders(dev.fjordlog.fjord.v1.ElectLeadersRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getElectLeadersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterPartitionReassignments starts, replaces or cancels the
     * reassignment of partitions to new replica lists (Kafka's KIP-455). A
     * reassignment adds the new replicas, waits until every target replica
     * is in the ISR, then drops the replicas outside the target, whose
     * brokers delete their copy. Each partition succeeds or fails on its own.
     * Sent to any broker; it is forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse alterPartitionReassignments(dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAlterPartitionReassignmentsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListPartitionReassignments lists ongoing reassignments with their
     * replicas and the replicas being added and removed.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse listPartitionReassignments(dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPartitionReassignmentsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterClientQuotas sets or removes client quotas (byte rates per user
     * and client id, enforced by every broker). Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterClientQuotasResponse alterClientQuotas(dev.fjordlog.fjord.v1.AlterClientQuotasRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAlterClientQuotasMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeClientQuotas lists the client quotas.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeClientQuotasResponse describeClientQuotas(dev.fjordlog.fjord.v1.DescribeClientQuotasRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeClientQuotasMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateAcls adds ACL bindings (stored in the cluster metadata, enforced
     * by every broker). Needs ALTER on the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreateAclsResponse createAcls(dev.fjordlog.fjord.v1.CreateAclsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateAclsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeAcls lists the bindings matching a filter. Needs DESCRIBE on
     * the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeAclsResponse describeAcls(dev.fjordlog.fjord.v1.DescribeAclsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDescribeAclsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteAcls deletes the bindings matching any filter and returns them.
     * Needs ALTER on the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteAclsResponse deleteAcls(dev.fjordlog.fjord.v1.DeleteAclsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteAclsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service AdminService.
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public static final class AdminServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingStub> {
    private AdminServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateTopics creates topics; each result carries its own error.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreateTopicsResponse createTopics(dev.fjordlog.fjord.v1.CreateTopicsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteTopics deletes topics and their data.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteTopicsResponse deleteTopics(dev.fjordlog.fjord.v1.DeleteTopicsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListTopics lists topic names and sizes.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListTopicsResponse listTopics(dev.fjordlog.fjord.v1.ListTopicsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeTopics returns partitions with replica state and offsets, and configs.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeTopicsResponse describeTopics(dev.fjordlog.fjord.v1.DescribeTopicsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeTopicsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeConfigs returns topic or broker configuration with sources.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeConfigsResponse describeConfigs(dev.fjordlog.fjord.v1.DescribeConfigsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeConfigsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterConfigs sets or deletes individual configuration keys (incremental).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterConfigsResponse alterConfigs(dev.fjordlog.fjord.v1.AlterConfigsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAlterConfigsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreatePartitions raises topics' partition counts.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreatePartitionsResponse createPartitions(dev.fjordlog.fjord.v1.CreatePartitionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreatePartitionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteRecords advances partitions' log start offsets.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteRecordsResponse deleteRecords(dev.fjordlog.fjord.v1.DeleteRecordsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteRecordsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeCluster returns the brokers and the controller, every
     * registered broker's session state, and the partitions that are under
     * replicated, under min.insync.replicas or offline, as this broker's copy
     * of the cluster metadata shows them.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeClusterResponse describeCluster(dev.fjordlog.fjord.v1.DescribeClusterRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeClusterMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ElectLeaders moves leadership of partitions to their preferred replica
     * (the first of their replicas) where it is alive and in the ISR. Each
     * partition succeeds or fails on its own. Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ElectLeadersResponse electLeaders(dev.fjordlog.fjord.v1.ElectLeadersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getElectLeadersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterPartitionReassignments starts, replaces or cancels the
     * reassignment of partitions to new replica lists (Kafka's KIP-455). A
     * reassignment adds the new replicas, waits until every target replica
     * is in the ISR, then drops the replicas outside the target, whose
     * brokers delete their copy. Each partition succeeds or fails on its own.
     * Sent to any broker; it is forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse alterPartitionReassignments(dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAlterPartitionReassignmentsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListPartitionReassignments lists ongoing reassignments with their
     * replicas and the replicas being added and removed.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse listPartitionReassignments(dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPartitionReassignmentsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * AlterClientQuotas sets or removes client quotas (byte rates per user
     * and client id, enforced by every broker). Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.AlterClientQuotasResponse alterClientQuotas(dev.fjordlog.fjord.v1.AlterClientQuotasRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAlterClientQuotasMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeClientQuotas lists the client quotas.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeClientQuotasResponse describeClientQuotas(dev.fjordlog.fjord.v1.DescribeClientQuotasRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeClientQuotasMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateAcls adds ACL bindings (stored in the cluster metadata, enforced
     * by every broker). Needs ALTER on the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CreateAclsResponse createAcls(dev.fjordlog.fjord.v1.CreateAclsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateAclsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DescribeAcls lists the bindings matching a filter. Needs DESCRIBE on
     * the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DescribeAclsResponse describeAcls(dev.fjordlog.fjord.v1.DescribeAclsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDescribeAclsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteAcls deletes the bindings matching any filter and returns them.
     * Needs ALTER on the cluster.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteAclsResponse deleteAcls(dev.fjordlog.fjord.v1.DeleteAclsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteAclsMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service AdminService.
   * <pre>
   * AdminService manages topics, partitions and configuration.
   * </pre>
   */
  public static final class AdminServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<AdminServiceFutureStub> {
    private AdminServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateTopics creates topics; each result carries its own error.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.CreateTopicsResponse> createTopics(
        dev.fjordlog.fjord.v1.CreateTopicsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateTopicsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteTopics deletes topics and their data.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteTopicsResponse> deleteTopics(
        dev.fjordlog.fjord.v1.DeleteTopicsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteTopicsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListTopics lists topic names and sizes.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListTopicsResponse> listTopics(
        dev.fjordlog.fjord.v1.ListTopicsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListTopicsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeTopics returns partitions with replica state and offsets, and configs.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeTopicsResponse> describeTopics(
        dev.fjordlog.fjord.v1.DescribeTopicsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeTopicsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeConfigs returns topic or broker configuration with sources.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeConfigsResponse> describeConfigs(
        dev.fjordlog.fjord.v1.DescribeConfigsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeConfigsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * AlterConfigs sets or deletes individual configuration keys (incremental).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.AlterConfigsResponse> alterConfigs(
        dev.fjordlog.fjord.v1.AlterConfigsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAlterConfigsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreatePartitions raises topics' partition counts.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.CreatePartitionsResponse> createPartitions(
        dev.fjordlog.fjord.v1.CreatePartitionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreatePartitionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteRecords advances partitions' log start offsets.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteRecordsResponse> deleteRecords(
        dev.fjordlog.fjord.v1.DeleteRecordsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteRecordsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeCluster returns the brokers and the controller, every
     * registered broker's session state, and the partitions that are under
     * replicated, under min.insync.replicas or offline, as this broker's copy
     * of the cluster metadata shows them.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeClusterResponse> describeCluster(
        dev.fjordlog.fjord.v1.DescribeClusterRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeClusterMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ElectLeaders moves leadership of partitions to their preferred replica
     * (the first of their replicas) where it is alive and in the ISR. Each
     * partition succeeds or fails on its own. Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ElectLeadersResponse> electLeaders(
        dev.fjordlog.fjord.v1.ElectLeadersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getElectLeadersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * AlterPartitionReassignments starts, replaces or cancels the
     * reassignment of partitions to new replica lists (Kafka's KIP-455). A
     * reassignment adds the new replicas, waits until every target replica
     * is in the ISR, then drops the replicas outside the target, whose
     * brokers delete their copy. Each partition succeeds or fails on its own.
     * Sent to any broker; it is forwarded to the controller leader.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse> alterPartitionReassignments(
        dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAlterPartitionReassignmentsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListPartitionReassignments lists ongoing reassignments with their
     * replicas and the replicas being added and removed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse> listPartitionReassignments(
        dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPartitionReassignmentsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * AlterClientQuotas sets or removes client quotas (byte rates per user
     * and client id, enforced by every broker). Sent to any broker; it is
     * forwarded to the controller leader.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.AlterClientQuotasResponse> alterClientQuotas(
        dev.fjordlog.fjord.v1.AlterClientQuotasRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAlterClientQuotasMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeClientQuotas lists the client quotas.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeClientQuotasResponse> describeClientQuotas(
        dev.fjordlog.fjord.v1.DescribeClientQuotasRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeClientQuotasMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateAcls adds ACL bindings (stored in the cluster metadata, enforced
     * by every broker). Needs ALTER on the cluster.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.CreateAclsResponse> createAcls(
        dev.fjordlog.fjord.v1.CreateAclsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateAclsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DescribeAcls lists the bindings matching a filter. Needs DESCRIBE on
     * the cluster.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DescribeAclsResponse> describeAcls(
        dev.fjordlog.fjord.v1.DescribeAclsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDescribeAclsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteAcls deletes the bindings matching any filter and returns them.
     * Needs ALTER on the cluster.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteAclsResponse> deleteAcls(
        dev.fjordlog.fjord.v1.DeleteAclsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteAclsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CREATE_TOPICS = 0;
  private static final int METHODID_DELETE_TOPICS = 1;
  private static final int METHODID_LIST_TOPICS = 2;
  private static final int METHODID_DESCRIBE_TOPICS = 3;
  private static final int METHODID_DESCRIBE_CONFIGS = 4;
  private static final int METHODID_ALTER_CONFIGS = 5;
  private static final int METHODID_CREATE_PARTITIONS = 6;
  private static final int METHODID_DELETE_RECORDS = 7;
  private static final int METHODID_DESCRIBE_CLUSTER = 8;
  private static final int METHODID_ELECT_LEADERS = 9;
  private static final int METHODID_ALTER_PARTITION_REASSIGNMENTS = 10;
  private static final int METHODID_LIST_PARTITION_REASSIGNMENTS = 11;
  private static final int METHODID_ALTER_CLIENT_QUOTAS = 12;
  private static final int METHODID_DESCRIBE_CLIENT_QUOTAS = 13;
  private static final int METHODID_CREATE_ACLS = 14;
  private static final int METHODID_DESCRIBE_ACLS = 15;
  private static final int METHODID_DELETE_ACLS = 16;

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
        case METHODID_CREATE_TOPICS:
          serviceImpl.createTopics((dev.fjordlog.fjord.v1.CreateTopicsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateTopicsResponse>) responseObserver);
          break;
        case METHODID_DELETE_TOPICS:
          serviceImpl.deleteTopics((dev.fjordlog.fjord.v1.DeleteTopicsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteTopicsResponse>) responseObserver);
          break;
        case METHODID_LIST_TOPICS:
          serviceImpl.listTopics((dev.fjordlog.fjord.v1.ListTopicsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListTopicsResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_TOPICS:
          serviceImpl.describeTopics((dev.fjordlog.fjord.v1.DescribeTopicsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeTopicsResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_CONFIGS:
          serviceImpl.describeConfigs((dev.fjordlog.fjord.v1.DescribeConfigsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeConfigsResponse>) responseObserver);
          break;
        case METHODID_ALTER_CONFIGS:
          serviceImpl.alterConfigs((dev.fjordlog.fjord.v1.AlterConfigsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterConfigsResponse>) responseObserver);
          break;
        case METHODID_CREATE_PARTITIONS:
          serviceImpl.createPartitions((dev.fjordlog.fjord.v1.CreatePartitionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreatePartitionsResponse>) responseObserver);
          break;
        case METHODID_DELETE_RECORDS:
          serviceImpl.deleteRecords((dev.fjordlog.fjord.v1.DeleteRecordsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteRecordsResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_CLUSTER:
          serviceImpl.describeCluster((dev.fjordlog.fjord.v1.DescribeClusterRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClusterResponse>) responseObserver);
          break;
        case METHODID_ELECT_LEADERS:
          serviceImpl.electLeaders((dev.fjordlog.fjord.v1.ElectLeadersRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ElectLeadersResponse>) responseObserver);
          break;
        case METHODID_ALTER_PARTITION_REASSIGNMENTS:
          serviceImpl.alterPartitionReassignments((dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse>) responseObserver);
          break;
        case METHODID_LIST_PARTITION_REASSIGNMENTS:
          serviceImpl.listPartitionReassignments((dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse>) responseObserver);
          break;
        case METHODID_ALTER_CLIENT_QUOTAS:
          serviceImpl.alterClientQuotas((dev.fjordlog.fjord.v1.AlterClientQuotasRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.AlterClientQuotasResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_CLIENT_QUOTAS:
          serviceImpl.describeClientQuotas((dev.fjordlog.fjord.v1.DescribeClientQuotasRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeClientQuotasResponse>) responseObserver);
          break;
        case METHODID_CREATE_ACLS:
          serviceImpl.createAcls((dev.fjordlog.fjord.v1.CreateAclsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CreateAclsResponse>) responseObserver);
          break;
        case METHODID_DESCRIBE_ACLS:
          serviceImpl.describeAcls((dev.fjordlog.fjord.v1.DescribeAclsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DescribeAclsResponse>) responseObserver);
          break;
        case METHODID_DELETE_ACLS:
          serviceImpl.deleteAcls((dev.fjordlog.fjord.v1.DeleteAclsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteAclsResponse>) responseObserver);
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
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getCreateTopicsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.CreateTopicsRequest,
              dev.fjordlog.fjord.v1.CreateTopicsResponse>(
                service, METHODID_CREATE_TOPICS)))
        .addMethod(
          getDeleteTopicsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteTopicsRequest,
              dev.fjordlog.fjord.v1.DeleteTopicsResponse>(
                service, METHODID_DELETE_TOPICS)))
        .addMethod(
          getListTopicsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListTopicsRequest,
              dev.fjordlog.fjord.v1.ListTopicsResponse>(
                service, METHODID_LIST_TOPICS)))
        .addMethod(
          getDescribeTopicsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeTopicsRequest,
              dev.fjordlog.fjord.v1.DescribeTopicsResponse>(
                service, METHODID_DESCRIBE_TOPICS)))
        .addMethod(
          getDescribeConfigsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeConfigsRequest,
              dev.fjordlog.fjord.v1.DescribeConfigsResponse>(
                service, METHODID_DESCRIBE_CONFIGS)))
        .addMethod(
          getAlterConfigsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.AlterConfigsRequest,
              dev.fjordlog.fjord.v1.AlterConfigsResponse>(
                service, METHODID_ALTER_CONFIGS)))
        .addMethod(
          getCreatePartitionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.CreatePartitionsRequest,
              dev.fjordlog.fjord.v1.CreatePartitionsResponse>(
                service, METHODID_CREATE_PARTITIONS)))
        .addMethod(
          getDeleteRecordsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteRecordsRequest,
              dev.fjordlog.fjord.v1.DeleteRecordsResponse>(
                service, METHODID_DELETE_RECORDS)))
        .addMethod(
          getDescribeClusterMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeClusterRequest,
              dev.fjordlog.fjord.v1.DescribeClusterResponse>(
                service, METHODID_DESCRIBE_CLUSTER)))
        .addMethod(
          getElectLeadersMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ElectLeadersRequest,
              dev.fjordlog.fjord.v1.ElectLeadersResponse>(
                service, METHODID_ELECT_LEADERS)))
        .addMethod(
          getAlterPartitionReassignmentsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.AlterPartitionReassignmentsRequest,
              dev.fjordlog.fjord.v1.AlterPartitionReassignmentsResponse>(
                service, METHODID_ALTER_PARTITION_REASSIGNMENTS)))
        .addMethod(
          getListPartitionReassignmentsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListPartitionReassignmentsRequest,
              dev.fjordlog.fjord.v1.ListPartitionReassignmentsResponse>(
                service, METHODID_LIST_PARTITION_REASSIGNMENTS)))
        .addMethod(
          getAlterClientQuotasMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.AlterClientQuotasRequest,
              dev.fjordlog.fjord.v1.AlterClientQuotasResponse>(
                service, METHODID_ALTER_CLIENT_QUOTAS)))
        .addMethod(
          getDescribeClientQuotasMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeClientQuotasRequest,
              dev.fjordlog.fjord.v1.DescribeClientQuotasResponse>(
                service, METHODID_DESCRIBE_CLIENT_QUOTAS)))
        .addMethod(
          getCreateAclsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.CreateAclsRequest,
              dev.fjordlog.fjord.v1.CreateAclsResponse>(
                service, METHODID_CREATE_ACLS)))
        .addMethod(
          getDescribeAclsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DescribeAclsRequest,
              dev.fjordlog.fjord.v1.DescribeAclsResponse>(
                service, METHODID_DESCRIBE_ACLS)))
        .addMethod(
          getDeleteAclsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteAclsRequest,
              dev.fjordlog.fjord.v1.DeleteAclsResponse>(
                service, METHODID_DELETE_ACLS)))
        .build();
  }

  private static abstract class AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AdminServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.fjordlog.fjord.v1.AdminProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AdminService");
    }
  }

  private static final class AdminServiceFileDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier {
    AdminServiceFileDescriptorSupplier() {}
  }

  private static final class AdminServiceMethodDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    AdminServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (AdminServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AdminServiceFileDescriptorSupplier())
              .addMethod(getCreateTopicsMethod())
              .addMethod(getDeleteTopicsMethod())
              .addMethod(getListTopicsMethod())
              .addMethod(getDescribeTopicsMethod())
              .addMethod(getDescribeConfigsMethod())
              .addMethod(getAlterConfigsMethod())
              .addMethod(getCreatePartitionsMethod())
              .addMethod(getDeleteRecordsMethod())
              .addMethod(getDescribeClusterMethod())
              .addMethod(getElectLeadersMethod())
              .addMethod(getAlterPartitionReassignmentsMethod())
              .addMethod(getListPartitionReassignmentsMethod())
              .addMethod(getAlterClientQuotasMethod())
              .addMethod(getDescribeClientQuotasMethod())
              .addMethod(getCreateAclsMethod())
              .addMethod(getDescribeAclsMethod())
              .addMethod(getDeleteAclsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
