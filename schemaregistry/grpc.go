package schemaregistry

import (
	"context"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// grpcService implements fjord.v1.SchemaRegistryService over a Registry.
// Writes return the _schemas offset they are visible at in the
// OffsetHeader response header, for a forwarding broker.
type grpcService struct {
	fjordv1.UnimplementedSchemaRegistryServiceServer
	r *Registry
}

var _ fjordv1.SchemaRegistryServiceServer = (*grpcService)(nil)

// GRPC returns the registry's gRPC service, to register on a grpc.Server.
func (r *Registry) GRPC() fjordv1.SchemaRegistryServiceServer { return &grpcService{r: r} }

func answer[T any](resp T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, toStatus(err)
	}
	return resp, nil
}

func answerWrite[T any](ctx context.Context, resp T, offset int64, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, toStatus(err)
	}
	_ = grpc.SetHeader(ctx, metadata.Pairs(OffsetHeader, strconv.FormatInt(offset, 10)))
	return resp, nil
}

func (g *grpcService) Register(ctx context.Context, req *fjordv1.RegisterRequest) (*fjordv1.RegisterResponse, error) {
	resp, off, err := g.r.register(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) LookupSchema(ctx context.Context, req *fjordv1.LookupSchemaRequest) (*fjordv1.LookupSchemaResponse, error) {
	return answer(g.r.LookupSchema(ctx, req))
}

func (g *grpcService) GetSchemaByID(ctx context.Context, req *fjordv1.GetSchemaByIDRequest) (*fjordv1.GetSchemaByIDResponse, error) {
	return answer(g.r.GetSchemaByID(ctx, req))
}

func (g *grpcService) GetSchemaSubjects(ctx context.Context, req *fjordv1.GetSchemaSubjectsRequest) (*fjordv1.GetSchemaSubjectsResponse, error) {
	return answer(g.r.GetSchemaSubjects(ctx, req))
}

func (g *grpcService) GetSchemaVersions(ctx context.Context, req *fjordv1.GetSchemaVersionsRequest) (*fjordv1.GetSchemaVersionsResponse, error) {
	return answer(g.r.GetSchemaVersions(ctx, req))
}

func (g *grpcService) ListSubjects(ctx context.Context, req *fjordv1.ListSubjectsRequest) (*fjordv1.ListSubjectsResponse, error) {
	return answer(g.r.ListSubjects(ctx, req))
}

func (g *grpcService) ListVersions(ctx context.Context, req *fjordv1.ListVersionsRequest) (*fjordv1.ListVersionsResponse, error) {
	return answer(g.r.ListVersions(ctx, req))
}

func (g *grpcService) GetVersion(ctx context.Context, req *fjordv1.GetVersionRequest) (*fjordv1.GetVersionResponse, error) {
	return answer(g.r.GetVersion(ctx, req))
}

func (g *grpcService) GetReferencedBy(ctx context.Context, req *fjordv1.GetReferencedByRequest) (*fjordv1.GetReferencedByResponse, error) {
	return answer(g.r.GetReferencedBy(ctx, req))
}

func (g *grpcService) DeleteSubject(ctx context.Context, req *fjordv1.DeleteSubjectRequest) (*fjordv1.DeleteSubjectResponse, error) {
	resp, off, err := g.r.deleteSubject(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) DeleteVersion(ctx context.Context, req *fjordv1.DeleteVersionRequest) (*fjordv1.DeleteVersionResponse, error) {
	resp, off, err := g.r.deleteVersion(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) CheckCompatibility(ctx context.Context, req *fjordv1.CheckCompatibilityRequest) (*fjordv1.CheckCompatibilityResponse, error) {
	return answer(g.r.CheckCompatibility(ctx, req))
}

func (g *grpcService) GetConfig(ctx context.Context, req *fjordv1.GetConfigRequest) (*fjordv1.GetConfigResponse, error) {
	return answer(g.r.GetConfig(ctx, req))
}

func (g *grpcService) SetConfig(ctx context.Context, req *fjordv1.SetConfigRequest) (*fjordv1.SetConfigResponse, error) {
	resp, off, err := g.r.setConfig(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) DeleteConfig(ctx context.Context, req *fjordv1.DeleteConfigRequest) (*fjordv1.DeleteConfigResponse, error) {
	resp, off, err := g.r.deleteConfig(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) GetMode(ctx context.Context, req *fjordv1.GetModeRequest) (*fjordv1.GetModeResponse, error) {
	return answer(g.r.GetMode(ctx, req))
}

func (g *grpcService) SetMode(ctx context.Context, req *fjordv1.SetModeRequest) (*fjordv1.SetModeResponse, error) {
	resp, off, err := g.r.setMode(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) DeleteMode(ctx context.Context, req *fjordv1.DeleteModeRequest) (*fjordv1.DeleteModeResponse, error) {
	resp, off, err := g.r.deleteMode(ctx, req)
	return answerWrite(ctx, resp, off, err)
}

func (g *grpcService) ListSchemaTypes(ctx context.Context, req *fjordv1.ListSchemaTypesRequest) (*fjordv1.ListSchemaTypesResponse, error) {
	return answer(g.r.ListSchemaTypes(ctx, req))
}
