package server

import (
	"context"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

// The produce and fetch services are registered with hand-written service
// descriptors that decode requests into, and encode responses from, the wire
// twins in fjord.wire.v1 (record batches as bytes). Clients and reflection
// see the public fjord.v1 services: method names, paths and wire bytes are
// identical (wire_test.go checks the descriptors against the generated ones).

// produceServer is what produceServiceDesc dispatches to.
type produceServer interface {
	produce(ctx context.Context, req *wirev1.ProduceRequest) (*fjordv1.ProduceResponse, error)
	produceStream(stream grpc.ServerStream) error
	initProducerID(ctx context.Context, req *fjordv1.InitProducerIdRequest) (*fjordv1.InitProducerIdResponse, error)
}

// fetchServer is what fetchServiceDesc dispatches to.
type fetchServer interface {
	fetch(ctx context.Context, req *fjordv1.FetchRequest) (*wirev1.FetchResponse, error)
	subscribe(stream grpc.ServerStream) error
	listOffsets(ctx context.Context, req *fjordv1.ListOffsetsRequest) (*fjordv1.ListOffsetsResponse, error)
}

// unary adapts a typed handler to grpc.MethodDesc.Handler.
func unary[Req any, Resp any, PReq interface {
	*Req
}](fullMethod string, call func(srv any, ctx context.Context, req PReq) (Resp, error)) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := PReq(new(Req))
		if err := dec(in); err != nil {
			return nil, err
		}
		if interceptor == nil {
			return call(srv, ctx, in)
		}
		info := &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod}
		return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
			return call(srv, ctx, req.(PReq))
		})
	}
}

var produceServiceDesc = grpc.ServiceDesc{
	ServiceName: fjordv1.ProduceService_ServiceDesc.ServiceName,
	HandlerType: (*produceServer)(nil),
	Methods: []grpc.MethodDesc{
		{
			MethodName: "Produce",
			Handler: unary(fjordv1.ProduceService_Produce_FullMethodName,
				func(srv any, ctx context.Context, req *wirev1.ProduceRequest) (*fjordv1.ProduceResponse, error) {
					return srv.(produceServer).produce(ctx, req)
				}),
		},
		{
			MethodName: "InitProducerId",
			Handler: unary(fjordv1.ProduceService_InitProducerId_FullMethodName,
				func(srv any, ctx context.Context, req *fjordv1.InitProducerIdRequest) (*fjordv1.InitProducerIdResponse, error) {
					return srv.(produceServer).initProducerID(ctx, req)
				}),
		},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "ProduceStream",
		Handler:       func(srv any, stream grpc.ServerStream) error { return srv.(produceServer).produceStream(stream) },
		ServerStreams: true,
		ClientStreams: true,
	}},
	Metadata: fjordv1.ProduceService_ServiceDesc.Metadata,
}

var fetchServiceDesc = grpc.ServiceDesc{
	ServiceName: fjordv1.FetchService_ServiceDesc.ServiceName,
	HandlerType: (*fetchServer)(nil),
	Methods: []grpc.MethodDesc{
		{
			MethodName: "Fetch",
			Handler: unary(fjordv1.FetchService_Fetch_FullMethodName,
				func(srv any, ctx context.Context, req *fjordv1.FetchRequest) (*wirev1.FetchResponse, error) {
					return srv.(fetchServer).fetch(ctx, req)
				}),
		},
		{
			MethodName: "ListOffsets",
			Handler: unary(fjordv1.FetchService_ListOffsets_FullMethodName,
				func(srv any, ctx context.Context, req *fjordv1.ListOffsetsRequest) (*fjordv1.ListOffsetsResponse, error) {
					return srv.(fetchServer).listOffsets(ctx, req)
				}),
		},
	},
	Streams: []grpc.StreamDesc{{
		StreamName:    "Subscribe",
		Handler:       func(srv any, stream grpc.ServerStream) error { return srv.(fetchServer).subscribe(stream) },
		ServerStreams: true,
		ClientStreams: true,
	}},
	Metadata: fjordv1.FetchService_ServiceDesc.Metadata,
}
