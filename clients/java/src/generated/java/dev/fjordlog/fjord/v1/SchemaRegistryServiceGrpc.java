package dev.fjordlog.fjord.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * SchemaRegistryService is the integrated Avro schema registry over gRPC:
 * the same registry, operations and semantics as the Confluent-compatible
 * REST API every broker serves on its HTTP listener.
 * Schemas live in the internal compacted topic _schemas. Every broker
 * answers every call: writes are forwarded to the leader of _schemas
 * partition 0, the single writer that assigns ids; reads are answered once
 * the broker's view has caught up with everything committed when the call
 * arrived, so a client sees its own writes on any broker.
 * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
 * "error_code": the Confluent error code (as a decimal string) the REST API
 * would answer with:
 *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
 *   VERSION_NOT_FOUND            40402  NOT_FOUND
 *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
 *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
 *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
 *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
 *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
 *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
 *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
 *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
 *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
 *   INVALID_VERSION              42202  INVALID_ARGUMENT
 *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
 *   INVALID_MODE                 42204  INVALID_ARGUMENT
 *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
 *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
 *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
 *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
 *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
 * Versions are numbered from 1 per subject and count soft-deleted ones.
 * Where a request takes a version, -1 means the latest; 0 is invalid
 * (INVALID_VERSION) unless the field says otherwise.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class SchemaRegistryServiceGrpc {

  private SchemaRegistryServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "fjord.v1.SchemaRegistryService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.RegisterRequest,
      dev.fjordlog.fjord.v1.RegisterResponse> getRegisterMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Register",
      requestType = dev.fjordlog.fjord.v1.RegisterRequest.class,
      responseType = dev.fjordlog.fjord.v1.RegisterResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.RegisterRequest,
      dev.fjordlog.fjord.v1.RegisterResponse> getRegisterMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.RegisterRequest, dev.fjordlog.fjord.v1.RegisterResponse> getRegisterMethod;
    if ((getRegisterMethod = SchemaRegistryServiceGrpc.getRegisterMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getRegisterMethod = SchemaRegistryServiceGrpc.getRegisterMethod) == null) {
          SchemaRegistryServiceGrpc.getRegisterMethod = getRegisterMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.RegisterRequest, dev.fjordlog.fjord.v1.RegisterResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Register"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.RegisterRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.RegisterResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("Register"))
              .build();
        }
      }
    }
    return getRegisterMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.LookupSchemaRequest,
      dev.fjordlog.fjord.v1.LookupSchemaResponse> getLookupSchemaMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "LookupSchema",
      requestType = dev.fjordlog.fjord.v1.LookupSchemaRequest.class,
      responseType = dev.fjordlog.fjord.v1.LookupSchemaResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.LookupSchemaRequest,
      dev.fjordlog.fjord.v1.LookupSchemaResponse> getLookupSchemaMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.LookupSchemaRequest, dev.fjordlog.fjord.v1.LookupSchemaResponse> getLookupSchemaMethod;
    if ((getLookupSchemaMethod = SchemaRegistryServiceGrpc.getLookupSchemaMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getLookupSchemaMethod = SchemaRegistryServiceGrpc.getLookupSchemaMethod) == null) {
          SchemaRegistryServiceGrpc.getLookupSchemaMethod = getLookupSchemaMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.LookupSchemaRequest, dev.fjordlog.fjord.v1.LookupSchemaResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "LookupSchema"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.LookupSchemaRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.LookupSchemaResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("LookupSchema"))
              .build();
        }
      }
    }
    return getLookupSchemaMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaByIDRequest,
      dev.fjordlog.fjord.v1.GetSchemaByIDResponse> getGetSchemaByIDMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSchemaByID",
      requestType = dev.fjordlog.fjord.v1.GetSchemaByIDRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetSchemaByIDResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaByIDRequest,
      dev.fjordlog.fjord.v1.GetSchemaByIDResponse> getGetSchemaByIDMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaByIDRequest, dev.fjordlog.fjord.v1.GetSchemaByIDResponse> getGetSchemaByIDMethod;
    if ((getGetSchemaByIDMethod = SchemaRegistryServiceGrpc.getGetSchemaByIDMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetSchemaByIDMethod = SchemaRegistryServiceGrpc.getGetSchemaByIDMethod) == null) {
          SchemaRegistryServiceGrpc.getGetSchemaByIDMethod = getGetSchemaByIDMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetSchemaByIDRequest, dev.fjordlog.fjord.v1.GetSchemaByIDResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSchemaByID"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaByIDRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaByIDResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetSchemaByID"))
              .build();
        }
      }
    }
    return getGetSchemaByIDMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest,
      dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> getGetSchemaSubjectsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSchemaSubjects",
      requestType = dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest,
      dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> getGetSchemaSubjectsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest, dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> getGetSchemaSubjectsMethod;
    if ((getGetSchemaSubjectsMethod = SchemaRegistryServiceGrpc.getGetSchemaSubjectsMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetSchemaSubjectsMethod = SchemaRegistryServiceGrpc.getGetSchemaSubjectsMethod) == null) {
          SchemaRegistryServiceGrpc.getGetSchemaSubjectsMethod = getGetSchemaSubjectsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest, dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSchemaSubjects"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetSchemaSubjects"))
              .build();
        }
      }
    }
    return getGetSchemaSubjectsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaVersionsRequest,
      dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> getGetSchemaVersionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSchemaVersions",
      requestType = dev.fjordlog.fjord.v1.GetSchemaVersionsRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetSchemaVersionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaVersionsRequest,
      dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> getGetSchemaVersionsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetSchemaVersionsRequest, dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> getGetSchemaVersionsMethod;
    if ((getGetSchemaVersionsMethod = SchemaRegistryServiceGrpc.getGetSchemaVersionsMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetSchemaVersionsMethod = SchemaRegistryServiceGrpc.getGetSchemaVersionsMethod) == null) {
          SchemaRegistryServiceGrpc.getGetSchemaVersionsMethod = getGetSchemaVersionsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetSchemaVersionsRequest, dev.fjordlog.fjord.v1.GetSchemaVersionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSchemaVersions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaVersionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetSchemaVersionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetSchemaVersions"))
              .build();
        }
      }
    }
    return getGetSchemaVersionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSubjectsRequest,
      dev.fjordlog.fjord.v1.ListSubjectsResponse> getListSubjectsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSubjects",
      requestType = dev.fjordlog.fjord.v1.ListSubjectsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListSubjectsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSubjectsRequest,
      dev.fjordlog.fjord.v1.ListSubjectsResponse> getListSubjectsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSubjectsRequest, dev.fjordlog.fjord.v1.ListSubjectsResponse> getListSubjectsMethod;
    if ((getListSubjectsMethod = SchemaRegistryServiceGrpc.getListSubjectsMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getListSubjectsMethod = SchemaRegistryServiceGrpc.getListSubjectsMethod) == null) {
          SchemaRegistryServiceGrpc.getListSubjectsMethod = getListSubjectsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListSubjectsRequest, dev.fjordlog.fjord.v1.ListSubjectsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSubjects"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListSubjectsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListSubjectsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("ListSubjects"))
              .build();
        }
      }
    }
    return getListSubjectsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListVersionsRequest,
      dev.fjordlog.fjord.v1.ListVersionsResponse> getListVersionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListVersions",
      requestType = dev.fjordlog.fjord.v1.ListVersionsRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListVersionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListVersionsRequest,
      dev.fjordlog.fjord.v1.ListVersionsResponse> getListVersionsMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListVersionsRequest, dev.fjordlog.fjord.v1.ListVersionsResponse> getListVersionsMethod;
    if ((getListVersionsMethod = SchemaRegistryServiceGrpc.getListVersionsMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getListVersionsMethod = SchemaRegistryServiceGrpc.getListVersionsMethod) == null) {
          SchemaRegistryServiceGrpc.getListVersionsMethod = getListVersionsMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListVersionsRequest, dev.fjordlog.fjord.v1.ListVersionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListVersions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListVersionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListVersionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("ListVersions"))
              .build();
        }
      }
    }
    return getListVersionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetVersionRequest,
      dev.fjordlog.fjord.v1.GetVersionResponse> getGetVersionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetVersion",
      requestType = dev.fjordlog.fjord.v1.GetVersionRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetVersionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetVersionRequest,
      dev.fjordlog.fjord.v1.GetVersionResponse> getGetVersionMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetVersionRequest, dev.fjordlog.fjord.v1.GetVersionResponse> getGetVersionMethod;
    if ((getGetVersionMethod = SchemaRegistryServiceGrpc.getGetVersionMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetVersionMethod = SchemaRegistryServiceGrpc.getGetVersionMethod) == null) {
          SchemaRegistryServiceGrpc.getGetVersionMethod = getGetVersionMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetVersionRequest, dev.fjordlog.fjord.v1.GetVersionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetVersion"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetVersionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetVersionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetVersion"))
              .build();
        }
      }
    }
    return getGetVersionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetReferencedByRequest,
      dev.fjordlog.fjord.v1.GetReferencedByResponse> getGetReferencedByMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetReferencedBy",
      requestType = dev.fjordlog.fjord.v1.GetReferencedByRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetReferencedByResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetReferencedByRequest,
      dev.fjordlog.fjord.v1.GetReferencedByResponse> getGetReferencedByMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetReferencedByRequest, dev.fjordlog.fjord.v1.GetReferencedByResponse> getGetReferencedByMethod;
    if ((getGetReferencedByMethod = SchemaRegistryServiceGrpc.getGetReferencedByMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetReferencedByMethod = SchemaRegistryServiceGrpc.getGetReferencedByMethod) == null) {
          SchemaRegistryServiceGrpc.getGetReferencedByMethod = getGetReferencedByMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetReferencedByRequest, dev.fjordlog.fjord.v1.GetReferencedByResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetReferencedBy"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetReferencedByRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetReferencedByResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetReferencedBy"))
              .build();
        }
      }
    }
    return getGetReferencedByMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteSubjectRequest,
      dev.fjordlog.fjord.v1.DeleteSubjectResponse> getDeleteSubjectMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteSubject",
      requestType = dev.fjordlog.fjord.v1.DeleteSubjectRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteSubjectResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteSubjectRequest,
      dev.fjordlog.fjord.v1.DeleteSubjectResponse> getDeleteSubjectMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteSubjectRequest, dev.fjordlog.fjord.v1.DeleteSubjectResponse> getDeleteSubjectMethod;
    if ((getDeleteSubjectMethod = SchemaRegistryServiceGrpc.getDeleteSubjectMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getDeleteSubjectMethod = SchemaRegistryServiceGrpc.getDeleteSubjectMethod) == null) {
          SchemaRegistryServiceGrpc.getDeleteSubjectMethod = getDeleteSubjectMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteSubjectRequest, dev.fjordlog.fjord.v1.DeleteSubjectResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteSubject"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteSubjectRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteSubjectResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("DeleteSubject"))
              .build();
        }
      }
    }
    return getDeleteSubjectMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteVersionRequest,
      dev.fjordlog.fjord.v1.DeleteVersionResponse> getDeleteVersionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteVersion",
      requestType = dev.fjordlog.fjord.v1.DeleteVersionRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteVersionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteVersionRequest,
      dev.fjordlog.fjord.v1.DeleteVersionResponse> getDeleteVersionMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteVersionRequest, dev.fjordlog.fjord.v1.DeleteVersionResponse> getDeleteVersionMethod;
    if ((getDeleteVersionMethod = SchemaRegistryServiceGrpc.getDeleteVersionMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getDeleteVersionMethod = SchemaRegistryServiceGrpc.getDeleteVersionMethod) == null) {
          SchemaRegistryServiceGrpc.getDeleteVersionMethod = getDeleteVersionMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteVersionRequest, dev.fjordlog.fjord.v1.DeleteVersionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteVersion"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteVersionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteVersionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("DeleteVersion"))
              .build();
        }
      }
    }
    return getDeleteVersionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CheckCompatibilityRequest,
      dev.fjordlog.fjord.v1.CheckCompatibilityResponse> getCheckCompatibilityMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CheckCompatibility",
      requestType = dev.fjordlog.fjord.v1.CheckCompatibilityRequest.class,
      responseType = dev.fjordlog.fjord.v1.CheckCompatibilityResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CheckCompatibilityRequest,
      dev.fjordlog.fjord.v1.CheckCompatibilityResponse> getCheckCompatibilityMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.CheckCompatibilityRequest, dev.fjordlog.fjord.v1.CheckCompatibilityResponse> getCheckCompatibilityMethod;
    if ((getCheckCompatibilityMethod = SchemaRegistryServiceGrpc.getCheckCompatibilityMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getCheckCompatibilityMethod = SchemaRegistryServiceGrpc.getCheckCompatibilityMethod) == null) {
          SchemaRegistryServiceGrpc.getCheckCompatibilityMethod = getCheckCompatibilityMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.CheckCompatibilityRequest, dev.fjordlog.fjord.v1.CheckCompatibilityResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CheckCompatibility"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CheckCompatibilityRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.CheckCompatibilityResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("CheckCompatibility"))
              .build();
        }
      }
    }
    return getCheckCompatibilityMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetConfigRequest,
      dev.fjordlog.fjord.v1.GetConfigResponse> getGetConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetConfig",
      requestType = dev.fjordlog.fjord.v1.GetConfigRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetConfigRequest,
      dev.fjordlog.fjord.v1.GetConfigResponse> getGetConfigMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetConfigRequest, dev.fjordlog.fjord.v1.GetConfigResponse> getGetConfigMethod;
    if ((getGetConfigMethod = SchemaRegistryServiceGrpc.getGetConfigMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetConfigMethod = SchemaRegistryServiceGrpc.getGetConfigMethod) == null) {
          SchemaRegistryServiceGrpc.getGetConfigMethod = getGetConfigMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetConfigRequest, dev.fjordlog.fjord.v1.GetConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetConfig"))
              .build();
        }
      }
    }
    return getGetConfigMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetConfigRequest,
      dev.fjordlog.fjord.v1.SetConfigResponse> getSetConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetConfig",
      requestType = dev.fjordlog.fjord.v1.SetConfigRequest.class,
      responseType = dev.fjordlog.fjord.v1.SetConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetConfigRequest,
      dev.fjordlog.fjord.v1.SetConfigResponse> getSetConfigMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetConfigRequest, dev.fjordlog.fjord.v1.SetConfigResponse> getSetConfigMethod;
    if ((getSetConfigMethod = SchemaRegistryServiceGrpc.getSetConfigMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getSetConfigMethod = SchemaRegistryServiceGrpc.getSetConfigMethod) == null) {
          SchemaRegistryServiceGrpc.getSetConfigMethod = getSetConfigMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.SetConfigRequest, dev.fjordlog.fjord.v1.SetConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SetConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SetConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("SetConfig"))
              .build();
        }
      }
    }
    return getSetConfigMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteConfigRequest,
      dev.fjordlog.fjord.v1.DeleteConfigResponse> getDeleteConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteConfig",
      requestType = dev.fjordlog.fjord.v1.DeleteConfigRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteConfigRequest,
      dev.fjordlog.fjord.v1.DeleteConfigResponse> getDeleteConfigMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteConfigRequest, dev.fjordlog.fjord.v1.DeleteConfigResponse> getDeleteConfigMethod;
    if ((getDeleteConfigMethod = SchemaRegistryServiceGrpc.getDeleteConfigMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getDeleteConfigMethod = SchemaRegistryServiceGrpc.getDeleteConfigMethod) == null) {
          SchemaRegistryServiceGrpc.getDeleteConfigMethod = getDeleteConfigMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteConfigRequest, dev.fjordlog.fjord.v1.DeleteConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("DeleteConfig"))
              .build();
        }
      }
    }
    return getDeleteConfigMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetModeRequest,
      dev.fjordlog.fjord.v1.GetModeResponse> getGetModeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetMode",
      requestType = dev.fjordlog.fjord.v1.GetModeRequest.class,
      responseType = dev.fjordlog.fjord.v1.GetModeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetModeRequest,
      dev.fjordlog.fjord.v1.GetModeResponse> getGetModeMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.GetModeRequest, dev.fjordlog.fjord.v1.GetModeResponse> getGetModeMethod;
    if ((getGetModeMethod = SchemaRegistryServiceGrpc.getGetModeMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getGetModeMethod = SchemaRegistryServiceGrpc.getGetModeMethod) == null) {
          SchemaRegistryServiceGrpc.getGetModeMethod = getGetModeMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.GetModeRequest, dev.fjordlog.fjord.v1.GetModeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetMode"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetModeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.GetModeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("GetMode"))
              .build();
        }
      }
    }
    return getGetModeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetModeRequest,
      dev.fjordlog.fjord.v1.SetModeResponse> getSetModeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetMode",
      requestType = dev.fjordlog.fjord.v1.SetModeRequest.class,
      responseType = dev.fjordlog.fjord.v1.SetModeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetModeRequest,
      dev.fjordlog.fjord.v1.SetModeResponse> getSetModeMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.SetModeRequest, dev.fjordlog.fjord.v1.SetModeResponse> getSetModeMethod;
    if ((getSetModeMethod = SchemaRegistryServiceGrpc.getSetModeMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getSetModeMethod = SchemaRegistryServiceGrpc.getSetModeMethod) == null) {
          SchemaRegistryServiceGrpc.getSetModeMethod = getSetModeMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.SetModeRequest, dev.fjordlog.fjord.v1.SetModeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetMode"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SetModeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.SetModeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("SetMode"))
              .build();
        }
      }
    }
    return getSetModeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteModeRequest,
      dev.fjordlog.fjord.v1.DeleteModeResponse> getDeleteModeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteMode",
      requestType = dev.fjordlog.fjord.v1.DeleteModeRequest.class,
      responseType = dev.fjordlog.fjord.v1.DeleteModeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteModeRequest,
      dev.fjordlog.fjord.v1.DeleteModeResponse> getDeleteModeMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.DeleteModeRequest, dev.fjordlog.fjord.v1.DeleteModeResponse> getDeleteModeMethod;
    if ((getDeleteModeMethod = SchemaRegistryServiceGrpc.getDeleteModeMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getDeleteModeMethod = SchemaRegistryServiceGrpc.getDeleteModeMethod) == null) {
          SchemaRegistryServiceGrpc.getDeleteModeMethod = getDeleteModeMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.DeleteModeRequest, dev.fjordlog.fjord.v1.DeleteModeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteMode"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteModeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.DeleteModeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("DeleteMode"))
              .build();
        }
      }
    }
    return getDeleteModeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSchemaTypesRequest,
      dev.fjordlog.fjord.v1.ListSchemaTypesResponse> getListSchemaTypesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListSchemaTypes",
      requestType = dev.fjordlog.fjord.v1.ListSchemaTypesRequest.class,
      responseType = dev.fjordlog.fjord.v1.ListSchemaTypesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSchemaTypesRequest,
      dev.fjordlog.fjord.v1.ListSchemaTypesResponse> getListSchemaTypesMethod() {
    io.grpc.MethodDescriptor<dev.fjordlog.fjord.v1.ListSchemaTypesRequest, dev.fjordlog.fjord.v1.ListSchemaTypesResponse> getListSchemaTypesMethod;
    if ((getListSchemaTypesMethod = SchemaRegistryServiceGrpc.getListSchemaTypesMethod) == null) {
      synchronized (SchemaRegistryServiceGrpc.class) {
        if ((getListSchemaTypesMethod = SchemaRegistryServiceGrpc.getListSchemaTypesMethod) == null) {
          SchemaRegistryServiceGrpc.getListSchemaTypesMethod = getListSchemaTypesMethod =
              io.grpc.MethodDescriptor.<dev.fjordlog.fjord.v1.ListSchemaTypesRequest, dev.fjordlog.fjord.v1.ListSchemaTypesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListSchemaTypes"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListSchemaTypesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.fjordlog.fjord.v1.ListSchemaTypesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SchemaRegistryServiceMethodDescriptorSupplier("ListSchemaTypes"))
              .build();
        }
      }
    }
    return getListSchemaTypesMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static SchemaRegistryServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceStub>() {
        @java.lang.Override
        public SchemaRegistryServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaRegistryServiceStub(channel, callOptions);
        }
      };
    return SchemaRegistryServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static SchemaRegistryServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceBlockingV2Stub>() {
        @java.lang.Override
        public SchemaRegistryServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaRegistryServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return SchemaRegistryServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static SchemaRegistryServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceBlockingStub>() {
        @java.lang.Override
        public SchemaRegistryServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaRegistryServiceBlockingStub(channel, callOptions);
        }
      };
    return SchemaRegistryServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static SchemaRegistryServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SchemaRegistryServiceFutureStub>() {
        @java.lang.Override
        public SchemaRegistryServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SchemaRegistryServiceFutureStub(channel, callOptions);
        }
      };
    return SchemaRegistryServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Register registers a schema under a subject (POST
     * /subjects/{subject}/versions). A schema already registered (not
     * deleted) under the subject returns its id and version without a new
     * version; the same schema under another subject reuses its id.
     * </pre>
     */
    default void register(dev.fjordlog.fjord.v1.RegisterRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.RegisterResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterMethod(), responseObserver);
    }

    /**
     * <pre>
     * LookupSchema finds a schema's registration under a subject (POST
     * /subjects/{subject}).
     * </pre>
     */
    default void lookupSchema(dev.fjordlog.fjord.v1.LookupSchemaRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.LookupSchemaResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLookupSchemaMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetSchemaByID returns the schema with a global id (GET
     * /schemas/ids/{id}).
     * </pre>
     */
    default void getSchemaByID(dev.fjordlog.fjord.v1.GetSchemaByIDRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaByIDResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSchemaByIDMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetSchemaSubjects lists the subjects a schema id is registered under
     * (GET /schemas/ids/{id}/subjects).
     * </pre>
     */
    default void getSchemaSubjects(dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSchemaSubjectsMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetSchemaVersions lists the subject-versions a schema id is registered
     * as (GET /schemas/ids/{id}/versions).
     * </pre>
     */
    default void getSchemaVersions(dev.fjordlog.fjord.v1.GetSchemaVersionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSchemaVersionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSubjects lists subjects (GET /subjects).
     * </pre>
     */
    default void listSubjects(dev.fjordlog.fjord.v1.ListSubjectsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSubjectsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSubjectsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListVersions lists a subject's versions (GET
     * /subjects/{subject}/versions).
     * </pre>
     */
    default void listVersions(dev.fjordlog.fjord.v1.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListVersionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetVersion returns one version of a subject (GET
     * /subjects/{subject}/versions/{version}).
     * </pre>
     */
    default void getVersion(dev.fjordlog.fjord.v1.GetVersionRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetVersionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetVersionMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetReferencedBy lists the ids of schemas that reference a version (GET
     * /subjects/{subject}/versions/{version}/referencedby).
     * </pre>
     */
    default void getReferencedBy(dev.fjordlog.fjord.v1.GetReferencedByRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetReferencedByResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetReferencedByMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteSubject deletes every version of a subject (DELETE
     * /subjects/{subject}): soft first, then permanently with permanent set.
     * </pre>
     */
    default void deleteSubject(dev.fjordlog.fjord.v1.DeleteSubjectRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteSubjectResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteSubjectMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteVersion deletes one version (DELETE
     * /subjects/{subject}/versions/{version}): soft first, then permanently.
     * </pre>
     */
    default void deleteVersion(dev.fjordlog.fjord.v1.DeleteVersionRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteVersionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteVersionMethod(), responseObserver);
    }

    /**
     * <pre>
     * CheckCompatibility tests a schema against a subject's versions (POST
     * /compatibility/subjects/{subject}/versions[/{version}]).
     * </pre>
     */
    default void checkCompatibility(dev.fjordlog.fjord.v1.CheckCompatibilityRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CheckCompatibilityResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCheckCompatibilityMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetConfig returns the global or a subject's compatibility config (GET
     * /config[/{subject}]).
     * </pre>
     */
    default void getConfig(dev.fjordlog.fjord.v1.GetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetConfigMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetConfig sets the global or a subject's compatibility config (PUT
     * /config[/{subject}]).
     * </pre>
     */
    default void setConfig(dev.fjordlog.fjord.v1.SetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetConfigMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteConfig removes a subject's config, or resets the global one to
     * the default (DELETE /config[/{subject}]).
     * </pre>
     */
    default void deleteConfig(dev.fjordlog.fjord.v1.DeleteConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteConfigMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetMode returns the global or a subject's mode (GET /mode[/{subject}]).
     * </pre>
     */
    default void getMode(dev.fjordlog.fjord.v1.GetModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetModeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetModeMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetMode sets the global or a subject's mode (PUT /mode[/{subject}]).
     * </pre>
     */
    default void setMode(dev.fjordlog.fjord.v1.SetModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetModeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetModeMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteMode removes a subject's mode, or resets the global one to
     * READWRITE (DELETE /mode[/{subject}]).
     * </pre>
     */
    default void deleteMode(dev.fjordlog.fjord.v1.DeleteModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteModeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteModeMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListSchemaTypes lists the supported schema types (GET /schemas/types).
     * </pre>
     */
    default void listSchemaTypes(dev.fjordlog.fjord.v1.ListSchemaTypesRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSchemaTypesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListSchemaTypesMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service SchemaRegistryService.
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public static abstract class SchemaRegistryServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return SchemaRegistryServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service SchemaRegistryService.
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public static final class SchemaRegistryServiceStub
      extends io.grpc.stub.AbstractAsyncStub<SchemaRegistryServiceStub> {
    private SchemaRegistryServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaRegistryServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaRegistryServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Register registers a schema under a subject (POST
     * /subjects/{subject}/versions). A schema already registered (not
     * deleted) under the subject returns its id and version without a new
     * version; the same schema under another subject reuses its id.
     * </pre>
     */
    public void register(dev.fjordlog.fjord.v1.RegisterRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.RegisterResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * LookupSchema finds a schema's registration under a subject (POST
     * /subjects/{subject}).
     * </pre>
     */
    public void lookupSchema(dev.fjordlog.fjord.v1.LookupSchemaRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.LookupSchemaResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLookupSchemaMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetSchemaByID returns the schema with a global id (GET
     * /schemas/ids/{id}).
     * </pre>
     */
    public void getSchemaByID(dev.fjordlog.fjord.v1.GetSchemaByIDRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaByIDResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSchemaByIDMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetSchemaSubjects lists the subjects a schema id is registered under
     * (GET /schemas/ids/{id}/subjects).
     * </pre>
     */
    public void getSchemaSubjects(dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSchemaSubjectsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetSchemaVersions lists the subject-versions a schema id is registered
     * as (GET /schemas/ids/{id}/versions).
     * </pre>
     */
    public void getSchemaVersions(dev.fjordlog.fjord.v1.GetSchemaVersionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSchemaVersionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSubjects lists subjects (GET /subjects).
     * </pre>
     */
    public void listSubjects(dev.fjordlog.fjord.v1.ListSubjectsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSubjectsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSubjectsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListVersions lists a subject's versions (GET
     * /subjects/{subject}/versions).
     * </pre>
     */
    public void listVersions(dev.fjordlog.fjord.v1.ListVersionsRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListVersionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetVersion returns one version of a subject (GET
     * /subjects/{subject}/versions/{version}).
     * </pre>
     */
    public void getVersion(dev.fjordlog.fjord.v1.GetVersionRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetVersionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetVersionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetReferencedBy lists the ids of schemas that reference a version (GET
     * /subjects/{subject}/versions/{version}/referencedby).
     * </pre>
     */
    public void getReferencedBy(dev.fjordlog.fjord.v1.GetReferencedByRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetReferencedByResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetReferencedByMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteSubject deletes every version of a subject (DELETE
     * /subjects/{subject}): soft first, then permanently with permanent set.
     * </pre>
     */
    public void deleteSubject(dev.fjordlog.fjord.v1.DeleteSubjectRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteSubjectResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteSubjectMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteVersion deletes one version (DELETE
     * /subjects/{subject}/versions/{version}): soft first, then permanently.
     * </pre>
     */
    public void deleteVersion(dev.fjordlog.fjord.v1.DeleteVersionRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteVersionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteVersionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CheckCompatibility tests a schema against a subject's versions (POST
     * /compatibility/subjects/{subject}/versions[/{version}]).
     * </pre>
     */
    public void checkCompatibility(dev.fjordlog.fjord.v1.CheckCompatibilityRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CheckCompatibilityResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCheckCompatibilityMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetConfig returns the global or a subject's compatibility config (GET
     * /config[/{subject}]).
     * </pre>
     */
    public void getConfig(dev.fjordlog.fjord.v1.GetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetConfigMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetConfig sets the global or a subject's compatibility config (PUT
     * /config[/{subject}]).
     * </pre>
     */
    public void setConfig(dev.fjordlog.fjord.v1.SetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetConfigMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteConfig removes a subject's config, or resets the global one to
     * the default (DELETE /config[/{subject}]).
     * </pre>
     */
    public void deleteConfig(dev.fjordlog.fjord.v1.DeleteConfigRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteConfigMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetMode returns the global or a subject's mode (GET /mode[/{subject}]).
     * </pre>
     */
    public void getMode(dev.fjordlog.fjord.v1.GetModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetModeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetModeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetMode sets the global or a subject's mode (PUT /mode[/{subject}]).
     * </pre>
     */
    public void setMode(dev.fjordlog.fjord.v1.SetModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetModeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetModeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteMode removes a subject's mode, or resets the global one to
     * READWRITE (DELETE /mode[/{subject}]).
     * </pre>
     */
    public void deleteMode(dev.fjordlog.fjord.v1.DeleteModeRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteModeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteModeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListSchemaTypes lists the supported schema types (GET /schemas/types).
     * </pre>
     */
    public void listSchemaTypes(dev.fjordlog.fjord.v1.ListSchemaTypesRequest request,
        io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSchemaTypesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListSchemaTypesMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service SchemaRegistryService.
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public static final class SchemaRegistryServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<SchemaRegistryServiceBlockingV2Stub> {
    private SchemaRegistryServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaRegistryServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaRegistryServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Register registers a schema under a subject (POST
     * /subjects/{subject}/versions). A schema already registered (not
     * deleted) under the subject returns its id and version without a new
     * version; the same schema under another subject reuses its id.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.RegisterResponse register(dev.fjordlog.fjord.v1.RegisterRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRegisterMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * LookupSchema finds a schema's registration under a subject (POST
     * /subjects/{subject}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.LookupSchemaResponse lookupSchema(dev.fjordlog.fjord.v1.LookupSchemaRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getLookupSchemaMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaByID returns the schema with a global id (GET
     * /schemas/ids/{id}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaByIDResponse getSchemaByID(dev.fjordlog.fjord.v1.GetSchemaByIDRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetSchemaByIDMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaSubjects lists the subjects a schema id is registered under
     * (GET /schemas/ids/{id}/subjects).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse getSchemaSubjects(dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetSchemaSubjectsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaVersions lists the subject-versions a schema id is registered
     * as (GET /schemas/ids/{id}/versions).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaVersionsResponse getSchemaVersions(dev.fjordlog.fjord.v1.GetSchemaVersionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetSchemaVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSubjects lists subjects (GET /subjects).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListSubjectsResponse listSubjects(dev.fjordlog.fjord.v1.ListSubjectsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSubjectsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListVersions lists a subject's versions (GET
     * /subjects/{subject}/versions).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListVersionsResponse listVersions(dev.fjordlog.fjord.v1.ListVersionsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetVersion returns one version of a subject (GET
     * /subjects/{subject}/versions/{version}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetVersionResponse getVersion(dev.fjordlog.fjord.v1.GetVersionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetVersionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetReferencedBy lists the ids of schemas that reference a version (GET
     * /subjects/{subject}/versions/{version}/referencedby).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetReferencedByResponse getReferencedBy(dev.fjordlog.fjord.v1.GetReferencedByRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetReferencedByMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSubject deletes every version of a subject (DELETE
     * /subjects/{subject}): soft first, then permanently with permanent set.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteSubjectResponse deleteSubject(dev.fjordlog.fjord.v1.DeleteSubjectRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteSubjectMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteVersion deletes one version (DELETE
     * /subjects/{subject}/versions/{version}): soft first, then permanently.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteVersionResponse deleteVersion(dev.fjordlog.fjord.v1.DeleteVersionRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteVersionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CheckCompatibility tests a schema against a subject's versions (POST
     * /compatibility/subjects/{subject}/versions[/{version}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CheckCompatibilityResponse checkCompatibility(dev.fjordlog.fjord.v1.CheckCompatibilityRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCheckCompatibilityMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetConfig returns the global or a subject's compatibility config (GET
     * /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetConfigResponse getConfig(dev.fjordlog.fjord.v1.GetConfigRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetConfig sets the global or a subject's compatibility config (PUT
     * /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.SetConfigResponse setConfig(dev.fjordlog.fjord.v1.SetConfigRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSetConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteConfig removes a subject's config, or resets the global one to
     * the default (DELETE /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteConfigResponse deleteConfig(dev.fjordlog.fjord.v1.DeleteConfigRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetMode returns the global or a subject's mode (GET /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetModeResponse getMode(dev.fjordlog.fjord.v1.GetModeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetMode sets the global or a subject's mode (PUT /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.SetModeResponse setMode(dev.fjordlog.fjord.v1.SetModeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSetModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteMode removes a subject's mode, or resets the global one to
     * READWRITE (DELETE /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteModeResponse deleteMode(dev.fjordlog.fjord.v1.DeleteModeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSchemaTypes lists the supported schema types (GET /schemas/types).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListSchemaTypesResponse listSchemaTypes(dev.fjordlog.fjord.v1.ListSchemaTypesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListSchemaTypesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service SchemaRegistryService.
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public static final class SchemaRegistryServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<SchemaRegistryServiceBlockingStub> {
    private SchemaRegistryServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaRegistryServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaRegistryServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Register registers a schema under a subject (POST
     * /subjects/{subject}/versions). A schema already registered (not
     * deleted) under the subject returns its id and version without a new
     * version; the same schema under another subject reuses its id.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.RegisterResponse register(dev.fjordlog.fjord.v1.RegisterRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * LookupSchema finds a schema's registration under a subject (POST
     * /subjects/{subject}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.LookupSchemaResponse lookupSchema(dev.fjordlog.fjord.v1.LookupSchemaRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLookupSchemaMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaByID returns the schema with a global id (GET
     * /schemas/ids/{id}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaByIDResponse getSchemaByID(dev.fjordlog.fjord.v1.GetSchemaByIDRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSchemaByIDMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaSubjects lists the subjects a schema id is registered under
     * (GET /schemas/ids/{id}/subjects).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse getSchemaSubjects(dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSchemaSubjectsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSchemaVersions lists the subject-versions a schema id is registered
     * as (GET /schemas/ids/{id}/versions).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetSchemaVersionsResponse getSchemaVersions(dev.fjordlog.fjord.v1.GetSchemaVersionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSchemaVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSubjects lists subjects (GET /subjects).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListSubjectsResponse listSubjects(dev.fjordlog.fjord.v1.ListSubjectsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSubjectsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListVersions lists a subject's versions (GET
     * /subjects/{subject}/versions).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListVersionsResponse listVersions(dev.fjordlog.fjord.v1.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListVersionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetVersion returns one version of a subject (GET
     * /subjects/{subject}/versions/{version}).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetVersionResponse getVersion(dev.fjordlog.fjord.v1.GetVersionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetVersionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetReferencedBy lists the ids of schemas that reference a version (GET
     * /subjects/{subject}/versions/{version}/referencedby).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetReferencedByResponse getReferencedBy(dev.fjordlog.fjord.v1.GetReferencedByRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetReferencedByMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteSubject deletes every version of a subject (DELETE
     * /subjects/{subject}): soft first, then permanently with permanent set.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteSubjectResponse deleteSubject(dev.fjordlog.fjord.v1.DeleteSubjectRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteSubjectMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteVersion deletes one version (DELETE
     * /subjects/{subject}/versions/{version}): soft first, then permanently.
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteVersionResponse deleteVersion(dev.fjordlog.fjord.v1.DeleteVersionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteVersionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CheckCompatibility tests a schema against a subject's versions (POST
     * /compatibility/subjects/{subject}/versions[/{version}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.CheckCompatibilityResponse checkCompatibility(dev.fjordlog.fjord.v1.CheckCompatibilityRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCheckCompatibilityMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetConfig returns the global or a subject's compatibility config (GET
     * /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetConfigResponse getConfig(dev.fjordlog.fjord.v1.GetConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetConfig sets the global or a subject's compatibility config (PUT
     * /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.SetConfigResponse setConfig(dev.fjordlog.fjord.v1.SetConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteConfig removes a subject's config, or resets the global one to
     * the default (DELETE /config[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteConfigResponse deleteConfig(dev.fjordlog.fjord.v1.DeleteConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetMode returns the global or a subject's mode (GET /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.GetModeResponse getMode(dev.fjordlog.fjord.v1.GetModeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetMode sets the global or a subject's mode (PUT /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.SetModeResponse setMode(dev.fjordlog.fjord.v1.SetModeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteMode removes a subject's mode, or resets the global one to
     * READWRITE (DELETE /mode[/{subject}]).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.DeleteModeResponse deleteMode(dev.fjordlog.fjord.v1.DeleteModeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteModeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListSchemaTypes lists the supported schema types (GET /schemas/types).
     * </pre>
     */
    public dev.fjordlog.fjord.v1.ListSchemaTypesResponse listSchemaTypes(dev.fjordlog.fjord.v1.ListSchemaTypesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListSchemaTypesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service SchemaRegistryService.
   * <pre>
   * SchemaRegistryService is the integrated Avro schema registry over gRPC:
   * the same registry, operations and semantics as the Confluent-compatible
   * REST API every broker serves on its HTTP listener.
   * Schemas live in the internal compacted topic _schemas. Every broker
   * answers every call: writes are forwarded to the leader of _schemas
   * partition 0, the single writer that assigns ids; reads are answered once
   * the broker's view has caught up with everything committed when the call
   * arrived, so a client sees its own writes on any broker.
   * Errors carry google.rpc.ErrorInfo with a reason and, in its metadata,
   * "error_code": the Confluent error code (as a decimal string) the REST API
   * would answer with:
   *   SUBJECT_NOT_FOUND            40401  NOT_FOUND
   *   VERSION_NOT_FOUND            40402  NOT_FOUND
   *   SCHEMA_NOT_FOUND             40403  NOT_FOUND
   *   SUBJECT_SOFT_DELETED         40404  FAILED_PRECONDITION
   *   SUBJECT_NOT_SOFT_DELETED     40405  FAILED_PRECONDITION
   *   VERSION_SOFT_DELETED         40406  FAILED_PRECONDITION
   *   VERSION_NOT_SOFT_DELETED     40407  FAILED_PRECONDITION
   *   SUBJECT_CONFIG_NOT_FOUND     40408  NOT_FOUND
   *   SUBJECT_MODE_NOT_FOUND       40409  NOT_FOUND
   *   INCOMPATIBLE_SCHEMA          409    FAILED_PRECONDITION
   *   INVALID_SCHEMA               42201  INVALID_ARGUMENT
   *   INVALID_VERSION              42202  INVALID_ARGUMENT
   *   INVALID_COMPATIBILITY_LEVEL  42203  INVALID_ARGUMENT
   *   INVALID_MODE                 42204  INVALID_ARGUMENT
   *   OPERATION_NOT_PERMITTED      42205  FAILED_PRECONDITION
   *   REFERENCE_EXISTS             42206  FAILED_PRECONDITION
   *   SCHEMA_STORE_ERROR           50001  UNAVAILABLE (retriable)
   *   SCHEMA_STORE_TIMEOUT         50002  UNAVAILABLE (retriable)
   *   SCHEMA_FORWARDING_ERROR      50003  UNAVAILABLE (retriable)
   * Versions are numbered from 1 per subject and count soft-deleted ones.
   * Where a request takes a version, -1 means the latest; 0 is invalid
   * (INVALID_VERSION) unless the field says otherwise.
   * </pre>
   */
  public static final class SchemaRegistryServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<SchemaRegistryServiceFutureStub> {
    private SchemaRegistryServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SchemaRegistryServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SchemaRegistryServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Register registers a schema under a subject (POST
     * /subjects/{subject}/versions). A schema already registered (not
     * deleted) under the subject returns its id and version without a new
     * version; the same schema under another subject reuses its id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.RegisterResponse> register(
        dev.fjordlog.fjord.v1.RegisterRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * LookupSchema finds a schema's registration under a subject (POST
     * /subjects/{subject}).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.LookupSchemaResponse> lookupSchema(
        dev.fjordlog.fjord.v1.LookupSchemaRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLookupSchemaMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetSchemaByID returns the schema with a global id (GET
     * /schemas/ids/{id}).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetSchemaByIDResponse> getSchemaByID(
        dev.fjordlog.fjord.v1.GetSchemaByIDRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSchemaByIDMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetSchemaSubjects lists the subjects a schema id is registered under
     * (GET /schemas/ids/{id}/subjects).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse> getSchemaSubjects(
        dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSchemaSubjectsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetSchemaVersions lists the subject-versions a schema id is registered
     * as (GET /schemas/ids/{id}/versions).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetSchemaVersionsResponse> getSchemaVersions(
        dev.fjordlog.fjord.v1.GetSchemaVersionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSchemaVersionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSubjects lists subjects (GET /subjects).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListSubjectsResponse> listSubjects(
        dev.fjordlog.fjord.v1.ListSubjectsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSubjectsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListVersions lists a subject's versions (GET
     * /subjects/{subject}/versions).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListVersionsResponse> listVersions(
        dev.fjordlog.fjord.v1.ListVersionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListVersionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetVersion returns one version of a subject (GET
     * /subjects/{subject}/versions/{version}).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetVersionResponse> getVersion(
        dev.fjordlog.fjord.v1.GetVersionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetVersionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetReferencedBy lists the ids of schemas that reference a version (GET
     * /subjects/{subject}/versions/{version}/referencedby).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetReferencedByResponse> getReferencedBy(
        dev.fjordlog.fjord.v1.GetReferencedByRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetReferencedByMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteSubject deletes every version of a subject (DELETE
     * /subjects/{subject}): soft first, then permanently with permanent set.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteSubjectResponse> deleteSubject(
        dev.fjordlog.fjord.v1.DeleteSubjectRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteSubjectMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteVersion deletes one version (DELETE
     * /subjects/{subject}/versions/{version}): soft first, then permanently.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteVersionResponse> deleteVersion(
        dev.fjordlog.fjord.v1.DeleteVersionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteVersionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CheckCompatibility tests a schema against a subject's versions (POST
     * /compatibility/subjects/{subject}/versions[/{version}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.CheckCompatibilityResponse> checkCompatibility(
        dev.fjordlog.fjord.v1.CheckCompatibilityRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCheckCompatibilityMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetConfig returns the global or a subject's compatibility config (GET
     * /config[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetConfigResponse> getConfig(
        dev.fjordlog.fjord.v1.GetConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetConfigMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetConfig sets the global or a subject's compatibility config (PUT
     * /config[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.SetConfigResponse> setConfig(
        dev.fjordlog.fjord.v1.SetConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetConfigMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteConfig removes a subject's config, or resets the global one to
     * the default (DELETE /config[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteConfigResponse> deleteConfig(
        dev.fjordlog.fjord.v1.DeleteConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteConfigMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetMode returns the global or a subject's mode (GET /mode[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.GetModeResponse> getMode(
        dev.fjordlog.fjord.v1.GetModeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetModeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetMode sets the global or a subject's mode (PUT /mode[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.SetModeResponse> setMode(
        dev.fjordlog.fjord.v1.SetModeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetModeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteMode removes a subject's mode, or resets the global one to
     * READWRITE (DELETE /mode[/{subject}]).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.DeleteModeResponse> deleteMode(
        dev.fjordlog.fjord.v1.DeleteModeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteModeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListSchemaTypes lists the supported schema types (GET /schemas/types).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.fjordlog.fjord.v1.ListSchemaTypesResponse> listSchemaTypes(
        dev.fjordlog.fjord.v1.ListSchemaTypesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListSchemaTypesMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_REGISTER = 0;
  private static final int METHODID_LOOKUP_SCHEMA = 1;
  private static final int METHODID_GET_SCHEMA_BY_ID = 2;
  private static final int METHODID_GET_SCHEMA_SUBJECTS = 3;
  private static final int METHODID_GET_SCHEMA_VERSIONS = 4;
  private static final int METHODID_LIST_SUBJECTS = 5;
  private static final int METHODID_LIST_VERSIONS = 6;
  private static final int METHODID_GET_VERSION = 7;
  private static final int METHODID_GET_REFERENCED_BY = 8;
  private static final int METHODID_DELETE_SUBJECT = 9;
  private static final int METHODID_DELETE_VERSION = 10;
  private static final int METHODID_CHECK_COMPATIBILITY = 11;
  private static final int METHODID_GET_CONFIG = 12;
  private static final int METHODID_SET_CONFIG = 13;
  private static final int METHODID_DELETE_CONFIG = 14;
  private static final int METHODID_GET_MODE = 15;
  private static final int METHODID_SET_MODE = 16;
  private static final int METHODID_DELETE_MODE = 17;
  private static final int METHODID_LIST_SCHEMA_TYPES = 18;

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
        case METHODID_REGISTER:
          serviceImpl.register((dev.fjordlog.fjord.v1.RegisterRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.RegisterResponse>) responseObserver);
          break;
        case METHODID_LOOKUP_SCHEMA:
          serviceImpl.lookupSchema((dev.fjordlog.fjord.v1.LookupSchemaRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.LookupSchemaResponse>) responseObserver);
          break;
        case METHODID_GET_SCHEMA_BY_ID:
          serviceImpl.getSchemaByID((dev.fjordlog.fjord.v1.GetSchemaByIDRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaByIDResponse>) responseObserver);
          break;
        case METHODID_GET_SCHEMA_SUBJECTS:
          serviceImpl.getSchemaSubjects((dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse>) responseObserver);
          break;
        case METHODID_GET_SCHEMA_VERSIONS:
          serviceImpl.getSchemaVersions((dev.fjordlog.fjord.v1.GetSchemaVersionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetSchemaVersionsResponse>) responseObserver);
          break;
        case METHODID_LIST_SUBJECTS:
          serviceImpl.listSubjects((dev.fjordlog.fjord.v1.ListSubjectsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSubjectsResponse>) responseObserver);
          break;
        case METHODID_LIST_VERSIONS:
          serviceImpl.listVersions((dev.fjordlog.fjord.v1.ListVersionsRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListVersionsResponse>) responseObserver);
          break;
        case METHODID_GET_VERSION:
          serviceImpl.getVersion((dev.fjordlog.fjord.v1.GetVersionRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetVersionResponse>) responseObserver);
          break;
        case METHODID_GET_REFERENCED_BY:
          serviceImpl.getReferencedBy((dev.fjordlog.fjord.v1.GetReferencedByRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetReferencedByResponse>) responseObserver);
          break;
        case METHODID_DELETE_SUBJECT:
          serviceImpl.deleteSubject((dev.fjordlog.fjord.v1.DeleteSubjectRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteSubjectResponse>) responseObserver);
          break;
        case METHODID_DELETE_VERSION:
          serviceImpl.deleteVersion((dev.fjordlog.fjord.v1.DeleteVersionRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteVersionResponse>) responseObserver);
          break;
        case METHODID_CHECK_COMPATIBILITY:
          serviceImpl.checkCompatibility((dev.fjordlog.fjord.v1.CheckCompatibilityRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.CheckCompatibilityResponse>) responseObserver);
          break;
        case METHODID_GET_CONFIG:
          serviceImpl.getConfig((dev.fjordlog.fjord.v1.GetConfigRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetConfigResponse>) responseObserver);
          break;
        case METHODID_SET_CONFIG:
          serviceImpl.setConfig((dev.fjordlog.fjord.v1.SetConfigRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetConfigResponse>) responseObserver);
          break;
        case METHODID_DELETE_CONFIG:
          serviceImpl.deleteConfig((dev.fjordlog.fjord.v1.DeleteConfigRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteConfigResponse>) responseObserver);
          break;
        case METHODID_GET_MODE:
          serviceImpl.getMode((dev.fjordlog.fjord.v1.GetModeRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.GetModeResponse>) responseObserver);
          break;
        case METHODID_SET_MODE:
          serviceImpl.setMode((dev.fjordlog.fjord.v1.SetModeRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.SetModeResponse>) responseObserver);
          break;
        case METHODID_DELETE_MODE:
          serviceImpl.deleteMode((dev.fjordlog.fjord.v1.DeleteModeRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.DeleteModeResponse>) responseObserver);
          break;
        case METHODID_LIST_SCHEMA_TYPES:
          serviceImpl.listSchemaTypes((dev.fjordlog.fjord.v1.ListSchemaTypesRequest) request,
              (io.grpc.stub.StreamObserver<dev.fjordlog.fjord.v1.ListSchemaTypesResponse>) responseObserver);
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
          getRegisterMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.RegisterRequest,
              dev.fjordlog.fjord.v1.RegisterResponse>(
                service, METHODID_REGISTER)))
        .addMethod(
          getLookupSchemaMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.LookupSchemaRequest,
              dev.fjordlog.fjord.v1.LookupSchemaResponse>(
                service, METHODID_LOOKUP_SCHEMA)))
        .addMethod(
          getGetSchemaByIDMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetSchemaByIDRequest,
              dev.fjordlog.fjord.v1.GetSchemaByIDResponse>(
                service, METHODID_GET_SCHEMA_BY_ID)))
        .addMethod(
          getGetSchemaSubjectsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetSchemaSubjectsRequest,
              dev.fjordlog.fjord.v1.GetSchemaSubjectsResponse>(
                service, METHODID_GET_SCHEMA_SUBJECTS)))
        .addMethod(
          getGetSchemaVersionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetSchemaVersionsRequest,
              dev.fjordlog.fjord.v1.GetSchemaVersionsResponse>(
                service, METHODID_GET_SCHEMA_VERSIONS)))
        .addMethod(
          getListSubjectsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListSubjectsRequest,
              dev.fjordlog.fjord.v1.ListSubjectsResponse>(
                service, METHODID_LIST_SUBJECTS)))
        .addMethod(
          getListVersionsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListVersionsRequest,
              dev.fjordlog.fjord.v1.ListVersionsResponse>(
                service, METHODID_LIST_VERSIONS)))
        .addMethod(
          getGetVersionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetVersionRequest,
              dev.fjordlog.fjord.v1.GetVersionResponse>(
                service, METHODID_GET_VERSION)))
        .addMethod(
          getGetReferencedByMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetReferencedByRequest,
              dev.fjordlog.fjord.v1.GetReferencedByResponse>(
                service, METHODID_GET_REFERENCED_BY)))
        .addMethod(
          getDeleteSubjectMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteSubjectRequest,
              dev.fjordlog.fjord.v1.DeleteSubjectResponse>(
                service, METHODID_DELETE_SUBJECT)))
        .addMethod(
          getDeleteVersionMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteVersionRequest,
              dev.fjordlog.fjord.v1.DeleteVersionResponse>(
                service, METHODID_DELETE_VERSION)))
        .addMethod(
          getCheckCompatibilityMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.CheckCompatibilityRequest,
              dev.fjordlog.fjord.v1.CheckCompatibilityResponse>(
                service, METHODID_CHECK_COMPATIBILITY)))
        .addMethod(
          getGetConfigMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetConfigRequest,
              dev.fjordlog.fjord.v1.GetConfigResponse>(
                service, METHODID_GET_CONFIG)))
        .addMethod(
          getSetConfigMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.SetConfigRequest,
              dev.fjordlog.fjord.v1.SetConfigResponse>(
                service, METHODID_SET_CONFIG)))
        .addMethod(
          getDeleteConfigMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteConfigRequest,
              dev.fjordlog.fjord.v1.DeleteConfigResponse>(
                service, METHODID_DELETE_CONFIG)))
        .addMethod(
          getGetModeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.GetModeRequest,
              dev.fjordlog.fjord.v1.GetModeResponse>(
                service, METHODID_GET_MODE)))
        .addMethod(
          getSetModeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.SetModeRequest,
              dev.fjordlog.fjord.v1.SetModeResponse>(
                service, METHODID_SET_MODE)))
        .addMethod(
          getDeleteModeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.DeleteModeRequest,
              dev.fjordlog.fjord.v1.DeleteModeResponse>(
                service, METHODID_DELETE_MODE)))
        .addMethod(
          getListSchemaTypesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.fjordlog.fjord.v1.ListSchemaTypesRequest,
              dev.fjordlog.fjord.v1.ListSchemaTypesResponse>(
                service, METHODID_LIST_SCHEMA_TYPES)))
        .build();
  }

  private static abstract class SchemaRegistryServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    SchemaRegistryServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.fjordlog.fjord.v1.RegistryProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("SchemaRegistryService");
    }
  }

  private static final class SchemaRegistryServiceFileDescriptorSupplier
      extends SchemaRegistryServiceBaseDescriptorSupplier {
    SchemaRegistryServiceFileDescriptorSupplier() {}
  }

  private static final class SchemaRegistryServiceMethodDescriptorSupplier
      extends SchemaRegistryServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    SchemaRegistryServiceMethodDescriptorSupplier(java.lang.String methodName) {
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
      synchronized (SchemaRegistryServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new SchemaRegistryServiceFileDescriptorSupplier())
              .addMethod(getRegisterMethod())
              .addMethod(getLookupSchemaMethod())
              .addMethod(getGetSchemaByIDMethod())
              .addMethod(getGetSchemaSubjectsMethod())
              .addMethod(getGetSchemaVersionsMethod())
              .addMethod(getListSubjectsMethod())
              .addMethod(getListVersionsMethod())
              .addMethod(getGetVersionMethod())
              .addMethod(getGetReferencedByMethod())
              .addMethod(getDeleteSubjectMethod())
              .addMethod(getDeleteVersionMethod())
              .addMethod(getCheckCompatibilityMethod())
              .addMethod(getGetConfigMethod())
              .addMethod(getSetConfigMethod())
              .addMethod(getDeleteConfigMethod())
              .addMethod(getGetModeMethod())
              .addMethod(getSetModeMethod())
              .addMethod(getDeleteModeMethod())
              .addMethod(getListSchemaTypesMethod())
              .build();
        }
      }
    }
    return result;
  }
}
