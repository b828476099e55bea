package fjord_test

import (
	"context"
	"errors"
	"net"
	"strconv"
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
	modes    map[string]string // by subject, "" for the global mode
	refs     map[int32][]int32 // ids referencing subject "s" by version
	last     any               // the last mode or referenced-by request
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

func (f *fakeSR) GetMode(_ context.Context, req *fjordv1.GetModeRequest) (*fjordv1.GetModeResponse, error) {
	if err := f.enter("GetMode"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	m, ok := f.modes[req.GetSubject()]
	switch {
	case ok:
	case req.GetSubject() != "" && !req.GetDefaultToGlobal():
		return nil, srError(codes.NotFound, "SUBJECT_MODE_NOT_FOUND", "40409", "Subject '"+req.GetSubject()+"' does not have subject-level mode configured")
	default:
		if m, ok = f.modes[""]; !ok {
			m = "READWRITE"
		}
	}
	return &fjordv1.GetModeResponse{Mode: m}, nil
}

func (f *fakeSR) SetMode(_ context.Context, req *fjordv1.SetModeRequest) (*fjordv1.SetModeResponse, error) {
	if err := f.enter("SetMode"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	switch req.GetMode() {
	case "READWRITE", "READONLY":
	case "IMPORT":
		if len(f.versions) > 0 && !req.GetForce() {
			return nil, srError(codes.FailedPrecondition, "OPERATION_NOT_PERMITTED", "42205", "Cannot import since found existing subjects")
		}
	default:
		return nil, srError(codes.InvalidArgument, "INVALID_MODE", "42204", "Invalid mode "+req.GetMode())
	}
	f.modes[req.GetSubject()] = req.GetMode()
	return &fjordv1.SetModeResponse{Mode: req.GetMode()}, nil
}

func (f *fakeSR) DeleteMode(_ context.Context, req *fjordv1.DeleteModeRequest) (*fjordv1.DeleteModeResponse, error) {
	if err := f.enter("DeleteMode"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	m, ok := f.modes[req.GetSubject()]
	switch {
	case ok:
		delete(f.modes, req.GetSubject())
	case req.GetSubject() == "":
		m = "READWRITE"
	default:
		return nil, srError(codes.NotFound, "SUBJECT_MODE_NOT_FOUND", "40409", "Subject '"+req.GetSubject()+"' does not have subject-level mode configured")
	}
	return &fjordv1.DeleteModeResponse{Mode: m}, nil
}

func (f *fakeSR) GetReferencedBy(_ context.Context, req *fjordv1.GetReferencedByRequest) (*fjordv1.GetReferencedByResponse, error) {
	if err := f.enter("GetReferencedBy"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	if req.GetSubject() != "s" {
		return nil, srError(codes.NotFound, "SUBJECT_NOT_FOUND", "40401", "Subject '"+req.GetSubject()+"' not found.")
	}
	v := req.GetVersion()
	if v == -1 {
		v = int32(len(f.versions))
	}
	ids, ok := f.refs[v]
	if !ok {
		return nil, srError(codes.NotFound, "VERSION_NOT_FOUND", "40402", "Version not found.")
	}
	return &fjordv1.GetReferencedByResponse{Ids: ids}, nil
}

func startFakeSR(t *testing.T, opts ...fjord.RegistryOpt) (*fakeSR, *fjord.SchemaRegistry) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSR{calls: map[string]int{}, modes: map[string]string{}, refs: map[int32][]int32{}}
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

func TestSchemaRegistryModes(t *testing.T) {
	f, reg := startFakeSR(t)
	ctx := testCtx(t)

	if m, err := reg.Mode(ctx, "", false); err != nil || m != fjord.ModeReadWrite {
		t.Errorf("global Mode = %q, %v", m, err)
	}
	_, err := reg.Mode(ctx, "s", false)
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrSubjectModeNotFound) || fjord.SchemaErrorCode(err) != 40409 || !errors.As(err, &fe) || fe.Retriable {
		t.Errorf("Mode of a subject without one = %v, want a definite SUBJECT_MODE_NOT_FOUND (40409)", err)
	}
	if m, err := reg.Mode(ctx, "s", true); err != nil || m != fjord.ModeReadWrite {
		t.Errorf("Mode(s, defaultToGlobal) = %q, %v", m, err)
	}
	if req, _ := f.last.(*fjordv1.GetModeRequest); req.GetSubject() != "s" || !req.GetDefaultToGlobal() {
		t.Errorf("GetMode request = %v", req)
	}

	if m, err := reg.SetMode(ctx, "s", fjord.ModeReadOnly, false); err != nil || m != fjord.ModeReadOnly {
		t.Fatalf("SetMode(s, READONLY) = %q, %v", m, err)
	}
	if m, err := reg.Mode(ctx, "s", false); err != nil || m != fjord.ModeReadOnly {
		t.Errorf("Mode(s) after SetMode = %q, %v", m, err)
	}
	_, err = reg.SetMode(ctx, "", "FROZEN", false)
	if !errors.As(err, &fe) || fe.Reason != fjord.ReasonInvalidMode || fjord.SchemaErrorCode(err) != 42204 || fe.Retriable {
		t.Errorf("SetMode(FROZEN) = %v, want a definite INVALID_MODE (42204)", err)
	}
	// IMPORT over existing schemas needs force, which is sent.
	if _, err := reg.Register(ctx, "s", fjord.Schema{Schema: `"int"`}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.SetMode(ctx, "", fjord.ModeImport, false); !errors.Is(err, fjord.ErrOperationNotPermitted) || fjord.SchemaErrorCode(err) != 42205 {
		t.Errorf("SetMode(IMPORT) over schemas = %v, want OPERATION_NOT_PERMITTED (42205)", err)
	}
	if m, err := reg.SetMode(ctx, "", fjord.ModeImport, true); err != nil || m != fjord.ModeImport {
		t.Errorf("SetMode(IMPORT, force) = %q, %v", m, err)
	}
	if req, _ := f.last.(*fjordv1.SetModeRequest); req.GetSubject() != "" || req.GetMode() != "IMPORT" || !req.GetForce() {
		t.Errorf("SetMode request = %v", req)
	}

	// A write retried after a forwarding error.
	f.mu.Lock()
	f.fail = []error{srError(codes.Unavailable, "SCHEMA_FORWARDING_ERROR", "50003", "leader moved")}
	f.mu.Unlock()
	before := f.count("DeleteMode")
	if old, err := reg.DeleteMode(ctx, "s"); err != nil || old != fjord.ModeReadOnly {
		t.Errorf("DeleteMode(s) = %q, %v", old, err)
	}
	if n := f.count("DeleteMode") - before; n != 2 {
		t.Errorf("DeleteMode sent %d times, want 2 (one retry)", n)
	}
	if req, _ := f.last.(*fjordv1.DeleteModeRequest); req.GetSubject() != "s" {
		t.Errorf("DeleteMode request = %v", req)
	}
	if _, err := reg.DeleteMode(ctx, "s"); !errors.Is(err, fjord.ErrSubjectModeNotFound) {
		t.Errorf("DeleteMode(s) again = %v, want SUBJECT_MODE_NOT_FOUND", err)
	}
	if old, err := reg.DeleteMode(ctx, ""); err != nil || old != fjord.ModeImport {
		t.Errorf("DeleteMode(global) = %q, %v", old, err)
	}
	if m, err := reg.Mode(ctx, "", false); err != nil || m != fjord.ModeReadWrite {
		t.Errorf("global Mode after DeleteMode = %q, %v", m, err)
	}
}

func TestSchemaRegistryReferencedBy(t *testing.T) {
	f, reg := startFakeSR(t)
	ctx := testCtx(t)
	for _, s := range []string{`"int"`, `"long"`} {
		if _, err := reg.Register(ctx, "s", fjord.Schema{Schema: s}); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	f.refs[1] = []int32{103, 107}
	f.refs[2] = []int32{}
	f.mu.Unlock()

	if ids, err := reg.ReferencedBy(ctx, "s", 1); err != nil || len(ids) != 2 || ids[0] != 103 || ids[1] != 107 {
		t.Errorf("ReferencedBy(s, 1) = %v, %v", ids, err)
	}
	// -1 is the latest version, sent as is.
	ids, err := reg.ReferencedBy(ctx, "s", -1)
	if err != nil || len(ids) != 0 {
		t.Errorf("ReferencedBy(s, latest) = %v, %v", ids, err)
	}
	if req, _ := f.last.(*fjordv1.GetReferencedByRequest); req.GetVersion() != -1 {
		t.Errorf("GetReferencedBy request = %v", req)
	}
	if _, err := reg.ReferencedBy(ctx, "s", 9); !errors.Is(err, fjord.ErrVersionNotFound) || fjord.SchemaErrorCode(err) != 40402 {
		t.Errorf("ReferencedBy(s, 9) = %v, want VERSION_NOT_FOUND (40402)", err)
	}
	if _, err := reg.ReferencedBy(ctx, "nope", 1); !errors.Is(err, fjord.ErrSubjectNotFound) {
		t.Errorf("ReferencedBy(nope) = %v, want SUBJECT_NOT_FOUND", err)
	}
	// A store error is retried.
	f.mu.Lock()
	f.fail = []error{srError(codes.Unavailable, "SCHEMA_STORE_TIMEOUT", "50002", "catching up")}
	f.mu.Unlock()
	before := f.count("GetReferencedBy")
	if ids, err := reg.ReferencedBy(ctx, "s", 1); err != nil || len(ids) != 2 {
		t.Errorf("ReferencedBy after a store timeout = %v, %v", ids, err)
	}
	if n := f.count("GetReferencedBy") - before; n != 2 {
		t.Errorf("GetReferencedBy sent %d times, want 2 (one retry)", n)
	}
}

// TestSchemaRegistryIntRange: an id or version beyond the wire's int32 is
// refused before any request; truncated, SchemaByID(1<<32+100) asked for
// schema 100 and cached it under the huge id.
func TestSchemaRegistryIntRange(t *testing.T) {
	if strconv.IntSize == 32 {
		t.Skip("every int fits the wire")
	}
	f, reg := startFakeSR(t)
	ctx := testCtx(t)
	h64 := int64(1<<32 + 100)
	huge := int(h64)
	big := fjord.Schema{Schema: `"string"`, References: []fjord.SchemaReference{{Name: "x", Subject: "s", Version: huge}}}
	for name, call := range map[string]func() error{
		"SchemaByID":        func() error { _, err := reg.SchemaByID(ctx, huge); return err },
		"Version":           func() error { _, err := reg.Version(ctx, "s", -huge, false); return err },
		"SubjectVersionsOf": func() error { _, err := reg.SubjectVersionsOf(ctx, huge, false); return err },
		"CheckCompatibility": func() error {
			_, err := reg.CheckCompatibility(ctx, "s", huge, fjord.Schema{Schema: `"string"`}, false)
			return err
		},
		"ReferencedBy":  func() error { _, err := reg.ReferencedBy(ctx, "s", huge); return err },
		"DeleteVersion": func() error { _, err := reg.DeleteVersion(ctx, "s", huge, false); return err },
		"Register":      func() error { _, err := reg.Register(ctx, "s", big); return err },
		"Lookup":        func() error { _, err := reg.Lookup(ctx, "s", big); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s with %d: no error", name, int64(huge))
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 0 {
		t.Errorf("requests sent: %v", f.calls)
	}
}
