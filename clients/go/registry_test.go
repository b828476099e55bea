package fjord_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// fakeSR is a SchemaRegistryService holding one subject's versions,
// counting calls, failing the next calls with queued errors.
type fakeSR struct {
	fjordv1.UnimplementedSchemaRegistryServiceServer

	mu       sync.Mutex
	versions []*fjordv1.Schema // of subject "s"
	calls    map[string]int
	fail     []error
}

func (f *fakeSR) enter(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return err
	}
	return nil
}

func (f *fakeSR) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func srError(c codes.Code, reason, code, msg string) error {
	st, _ := status.New(c, msg).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: "fjord", Metadata: map[string]string{"error_code": code}})
	return st.Err()
}

func (f *fakeSR) Register(_ context.Context, req *fjordv1.RegisterRequest) (*fjordv1.RegisterResponse, error) {
	if err := f.enter("Register"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.versions {
		if v.Schema == req.GetSchema() {
			return &fjordv1.RegisterResponse{Id: v.Id, Version: v.Version}, nil
		}
	}
	v := &fjordv1.Schema{Subject: req.GetSubject(), Version: int32(len(f.versions) + 1), Id: int32(100 + len(f.versions)), Schema: req.GetSchema(), References: req.GetReferences()}
	f.versions = append(f.versions, v)
	return &fjordv1.RegisterResponse{Id: v.Id, Version: v.Version}, nil
}

func (f *fakeSR) LookupSchema(_ context.Context, req *fjordv1.LookupSchemaRequest) (*fjordv1.LookupSchemaResponse, error) {
	if err := f.enter("LookupSchema"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.versions {
		if v.Schema == req.GetSchema() {
			return &fjordv1.LookupSchemaResponse{Schema: v}, nil
		}
	}
	return nil, srError(codes.NotFound, "SCHEMA_NOT_FOUND", "40403", "schema not found")
}

func (f *fakeSR) GetSchemaByID(_ context.Context, req *fjordv1.GetSchemaByIDRequest) (*fjordv1.GetSchemaByIDResponse, error) {
	if err := f.enter("GetSchemaByID"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.versions {
		if v.Id == req.GetId() {
			return &fjordv1.GetSchemaByIDResponse{Schema: &fjordv1.Schema{Id: v.Id, Schema: v.Schema, SchemaType: "AVRO"}}, nil
		}
	}
	return nil, srError(codes.NotFound, "SCHEMA_NOT_FOUND", "40403", "schema 7 not found")
}

func (f *fakeSR) GetVersion(_ context.Context, req *fjordv1.GetVersionRequest) (*fjordv1.GetVersionResponse, error) {
	if err := f.enter("GetVersion"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if req.GetSubject() != "s" || len(f.versions) == 0 {
		return nil, srError(codes.NotFound, "SUBJECT_NOT_FOUND", "40401", "subject not found")
	}
	return &fjordv1.GetVersionResponse{Schema: f.versions[len(f.versions)-1]}, nil
}

func (f *fakeSR) DeleteSubject(_ context.Context, req *fjordv1.DeleteSubjectRequest) (*fjordv1.DeleteSubjectResponse, error) {
	if err := f.enter("DeleteSubject"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	resp := &fjordv1.DeleteSubjectResponse{}
	for _, v := range f.versions {
		resp.Versions = append(resp.Versions, v.Version)
	}
	f.versions = nil
	return resp, nil
}

func startFakeSR(t *testing.T, opts ...fjord.RegistryOpt) (*fakeSR, *fjord.SchemaRegistry) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSR{calls: map[string]int{}}
	srv := grpc.NewServer()
	fjordv1.RegisterSchemaRegistryServiceServer(srv, f)
	go srv.Serve(l)
	cl, err := fjord.NewClient(context.Background(), fjord.SeedBrokers(l.Addr().String()), fjord.RetryBackoff(fastBackoff))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cl.Close()
		srv.Stop()
	})
	return f, fjord.NewSchemaRegistry(cl, opts...)
}

func TestSchemaRegistryCaching(t *testing.T) {
	f, reg := startFakeSR(t)
	ctx := testCtx(t)
	in := fjord.Schema{Schema: `"string"`}
	for range 3 {
		got, err := reg.Register(ctx, "s", in)
		if err != nil || got.ID != 100 || got.Version != 1 || got.Subject != "s" {
			t.Fatalf("Register = %+v, %v", got, err)
		}
	}
	if n := f.count("Register"); n != 1 {
		t.Errorf("Register sent %d times, want 1", n)
	}
	// A registration found by Register answers Lookup too.
	if got, err := reg.Lookup(ctx, "s", in); err != nil || got.ID != 100 || f.count("LookupSchema") != 0 {
		t.Errorf("Lookup = %+v, %v (%d requests)", got, err, f.count("LookupSchema"))
	}
	for range 3 {
		got, err := reg.SchemaByID(ctx, 100)
		if err != nil || got.Schema != `"string"` || got.ID != 100 || got.Type != "AVRO" {
			t.Fatalf("SchemaByID = %+v, %v", got, err)
		}
	}
	if n := f.count("GetSchemaByID"); n != 1 {
		t.Errorf("GetSchemaByID sent %d times, want 1", n)
	}
	for range 3 {
		if got, err := reg.Latest(ctx, "s"); err != nil || got.ID != 100 {
			t.Fatalf("Latest = %+v, %v", got, err)
		}
	}
	if n := f.count("GetVersion"); n != 1 {
		t.Errorf("GetVersion sent %d times within LatestTTL, want 1", n)
	}
	// A delete through this client forgets the subject's registrations.
	if vs, err := reg.DeleteSubject(ctx, "s", false); err != nil || len(vs) != 1 {
		t.Fatalf("DeleteSubject = %v, %v", vs, err)
	}
	if _, err := reg.Register(ctx, "s", in); err != nil || f.count("Register") != 2 {
		t.Errorf("Register after a delete: %v, %d requests (want 2)", err, f.count("Register"))
	}
}

func TestSchemaRegistryLatestTTLZero(t *testing.T) {
	f, reg := startFakeSR(t, fjord.LatestTTL(0))
	ctx := testCtx(t)
	if _, err := reg.Register(ctx, "s", fjord.Schema{Schema: `"int"`}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := reg.Latest(ctx, "s"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("GetVersion"); n != 2 {
		t.Errorf("GetVersion sent %d times with LatestTTL(0), want 2", n)
	}
}

func TestSchemaRegistryErrors(t *testing.T) {
	f, reg := startFakeSR(t)
	ctx := testCtx(t)

	_, err := reg.SchemaByID(ctx, 7)
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrSchemaNotFound) || !errors.As(err, &fe) || fe.Code != codes.NotFound || fe.Retriable {
		t.Fatalf("SchemaByID(7) = %#v, want a definite SCHEMA_NOT_FOUND", err)
	}
	if fjord.SchemaErrorCode(err) != 40403 || fjord.SchemaErrorCode(errors.New("x")) != 0 {
		t.Errorf("SchemaErrorCode = %d", fjord.SchemaErrorCode(err))
	}
	if _, err := reg.Latest(ctx, "nope"); !errors.Is(err, fjord.ErrSubjectNotFound) {
		t.Errorf("Latest(nope) = %v", err)
	}
	if _, err := reg.Lookup(ctx, "s", fjord.Schema{Schema: `"x"`}); !errors.Is(err, fjord.ErrSchemaNotFound) {
		t.Errorf("Lookup = %v", err)
	}

	// A store failure is retried; an incompatible schema is not.
	f.mu.Lock()
	f.fail = []error{srError(codes.Unavailable, "SCHEMA_FORWARDING_ERROR", "50003", "leader moved")}
	f.mu.Unlock()
	if _, err := reg.Register(ctx, "s", fjord.Schema{Schema: `"long"`}); err != nil {
		t.Fatalf("Register after a forwarding error: %v", err)
	}
	if n := f.count("Register"); n != 2 {
		t.Errorf("Register sent %d times, want 2 (one retry)", n)
	}
	f.mu.Lock()
	f.fail = []error{srError(codes.FailedPrecondition, "INCOMPATIBLE_SCHEMA", "409", "schema incompatible: /fields/0: ...")}
	f.mu.Unlock()
	_, err = reg.Register(ctx, "s", fjord.Schema{Schema: `"double"`})
	if !errors.Is(err, fjord.ErrIncompatibleSchema) || fjord.SchemaErrorCode(err) != 409 || f.count("Register") != 3 {
		t.Errorf("Register incompatible = %v (%d requests)", err, f.count("Register"))
	}

	// The caller's context bounds retries.
	f.mu.Lock()
	for range 1000 {
		f.fail = append(f.fail, srError(codes.Unavailable, "SCHEMA_STORE_ERROR", "50001", "store down"))
	}
	f.mu.Unlock()
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := reg.Register(sctx, "s", fjord.Schema{Schema: `"float"`}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Register while the store is down = %v, want the context's deadline", err)
	}
}
