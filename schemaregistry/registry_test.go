package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/schemaregistry/schemaregistrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memBackend is an in-memory _schemas partition led by this broker.
type memBackend struct {
	// mu guards the fields below.
	mu      sync.Mutex
	recs    []Record
	changed chan struct{}
	epoch   int32
	// Injected failures.
	writerErr, appendErr, endErr error
}

func newMemBackend() *memBackend { return &memBackend{changed: make(chan struct{}), epoch: 1} }

func (m *memBackend) Writer(context.Context) (Writer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.writerErr != nil {
		return Writer{}, m.writerErr
	}
	return Writer{Local: true, Epoch: m.epoch, LogEnd: int64(len(m.recs))}, nil
}

func (m *memBackend) Append(_ context.Context, epoch int32, recs []Record) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.appendErr != nil {
		return 0, m.appendErr
	}
	if epoch != m.epoch {
		return 0, ErrNotLeader
	}
	for _, r := range recs {
		r.Offset = int64(len(m.recs))
		m.recs = append(m.recs, r)
	}
	close(m.changed)
	m.changed = make(chan struct{})
	return int64(len(m.recs)), nil
}

func (m *memBackend) Read(ctx context.Context, offset int64, wait time.Duration) (ReadResult, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		m.mu.Lock()
		n, ch := int64(len(m.recs)), m.changed
		if offset < n {
			out := append([]Record(nil), m.recs[offset:]...)
			m.mu.Unlock()
			return ReadResult{Records: out, Next: n, End: n}, nil
		}
		m.mu.Unlock()
		select {
		case <-ch:
		case <-t.C:
			return ReadResult{Next: offset, End: n}, nil
		case <-ctx.Done():
			return ReadResult{}, ctx.Err()
		}
	}
}

func (m *memBackend) CommittedEnd(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.recs)), m.endErr
}

func (m *memBackend) set(f func(m *memBackend)) {
	m.mu.Lock()
	f(m)
	m.mu.Unlock()
}

func newTestRegistry(t *testing.T, be Backend, opts ...func(*Options)) *Registry {
	t.Helper()
	o := Options{Backend: be, PollWait: 50 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestHTTPSuiteInMemory(t *testing.T) {
	r := newTestRegistry(t, newMemBackend())
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	schemaregistrytest.RunHTTPSuite(t, srv.URL)
}

func codeOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestStoreErrors(t *testing.T) {
	be := newMemBackend()
	r := newTestRegistry(t, be, func(o *Options) { o.WriteTimeout, o.ReadTimeout = 300*time.Millisecond, 300*time.Millisecond })
	reg := &fjordv1.RegisterRequest{Subject: "s", Schema: `"int"`}

	be.set(func(m *memBackend) { m.appendErr = errors.New("disk on fire") })
	if _, err := r.Register(testCtx(t), reg); codeOf(err) != CodeStoreError {
		t.Fatalf("append failure: %v (code %d), want 50001", err, codeOf(err))
	}
	be.set(func(m *memBackend) { m.appendErr, m.writerErr = nil, fmt.Errorf("%w: electing", ErrUnavailable) })
	if _, err := r.Register(testCtx(t), reg); codeOf(err) != CodeForwardingError {
		t.Fatalf("no writer: %v (code %d), want 50003", err, codeOf(err))
	}
	be.set(func(m *memBackend) { m.writerErr, m.endErr = nil, errors.New("leader unreachable") })
	if _, err := r.ListSubjects(testCtx(t), &fjordv1.ListSubjectsRequest{}); codeOf(err) != CodeTimeout {
		t.Fatalf("read barrier failure: %v (code %d), want 50002", err, codeOf(err))
	}
	be.set(func(m *memBackend) { m.endErr = nil })
	resp, err := r.Register(testCtx(t), reg)
	if err != nil || resp.GetId() != 1 {
		t.Fatalf("after recovery: %v %v", resp, err)
	}
	// The gRPC status carries the reason and the Confluent code.
	_, err = r.GRPC().GetVersion(testCtx(t), &fjordv1.GetVersionRequest{Subject: "nope", Version: -1})
	if e, ok := fromStatus(err); !ok || e.Code != CodeSubjectNotFound {
		t.Fatalf("gRPC error: %v", err)
	}
}

// TestRestartAndEpochs: a new registry on the same log rebuilds the view;
// a writer in a new epoch catches up before assigning ids; an append in a
// stale epoch is retried in the new one.
func TestRestartAndEpochs(t *testing.T) {
	be := newMemBackend()
	r1 := newTestRegistry(t, be)
	ctx := testCtx(t)
	if _, err := r1.SetConfig(ctx, &fjordv1.SetConfigRequest{CompatibilityLevel: "NONE"}); err != nil {
		t.Fatal(err)
	}
	var ids []int32
	for i := range 5 {
		resp, err := r1.Register(ctx, &fjordv1.RegisterRequest{Subject: fmt.Sprint("s", i%2), Schema: fmt.Sprintf(`{"type":"fixed","name":"F%d","size":%d}`, i, i+1)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.GetId())
	}
	r1.Close()
	be.set(func(m *memBackend) { m.epoch = 2 })
	r2 := newTestRegistry(t, be)
	resp, err := r2.Register(ctx, &fjordv1.RegisterRequest{Subject: "s0", Schema: `"string"`})
	if err != nil || resp.GetId() != 6 || resp.GetVersion() != 4 {
		t.Fatalf("after restart: %v %v (ids before %v)", resp, err, ids)
	}
	got, err := r2.ListVersions(ctx, &fjordv1.ListVersionsRequest{Subject: "s1"})
	if err != nil || len(got.GetVersions()) != 2 {
		t.Fatalf("versions after restart: %v %v", got, err)
	}
}

func TestConcurrentRegistrationsGetUniqueIDs(t *testing.T) {
	r := newTestRegistry(t, newMemBackend())
	ctx := testCtx(t)
	const n = 40
	ids := make([]int32, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := r.Register(ctx, &fjordv1.RegisterRequest{Subject: fmt.Sprint("s", i), Schema: fmt.Sprintf(`{"type":"enum","name":"E%d","symbols":["A"]}`, i)})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = resp.GetId()
		})
	}
	wg.Wait()
	seen := map[int32]bool{}
	for _, id := range ids {
		if id <= 0 || seen[id] {
			t.Fatalf("ids not unique: %v", ids)
		}
		seen[id] = true
	}
}

// Ids and versions are int32: a registration past the largest is refused,
// not handed a negative number that the view then drops as a bad record.
func TestRegisterIDAndVersionExhausted(t *testing.T) {
	r := newTestRegistry(t, newMemBackend())
	ctx := testCtx(t)
	setMode := func(mode string) {
		t.Helper()
		if _, err := r.SetMode(ctx, &fjordv1.SetModeRequest{Mode: mode, Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	schema := func(field string) string {
		return `{"type":"record","name":"R","fields":[{"name":"` + field + `","type":"int","default":0}]}`
	}
	register := func(req *fjordv1.RegisterRequest) (*fjordv1.RegisterResponse, error) {
		t.Helper()
		return r.Register(ctx, req)
	}

	setMode(modeImport)
	if _, err := register(&fjordv1.RegisterRequest{Subject: "s", Schema: schema("a"), Id: 1, Version: math.MaxInt32}); err != nil {
		t.Fatalf("import at the largest version: %v", err)
	}
	setMode(modeReadWrite)
	if resp, err := register(&fjordv1.RegisterRequest{Subject: "s", Schema: schema("b")}); codeOf(err) != CodeOperationNotPermitted {
		t.Errorf("register past the largest version: %v, %v; want error code %d", resp, err, CodeOperationNotPermitted)
	}

	setMode(modeImport)
	if _, err := register(&fjordv1.RegisterRequest{Subject: "u", Schema: schema("c"), Id: math.MaxInt32, Version: 1}); err != nil {
		t.Fatalf("import at the largest id: %v", err)
	}
	setMode(modeReadWrite)
	if resp, err := register(&fjordv1.RegisterRequest{Subject: "t", Schema: schema("d")}); codeOf(err) != CodeOperationNotPermitted {
		t.Errorf("register past the largest id: %v, %v; want error code %d", resp, err, CodeOperationNotPermitted)
	}
	// An existing schema keeps its id under a new subject.
	if resp, err := register(&fjordv1.RegisterRequest{Subject: "t", Schema: schema("a")}); err != nil || resp.GetId() != 1 || resp.GetVersion() != 1 {
		t.Errorf("register a known schema = %v, %v; want id 1 version 1", resp, err)
	}
}

// A read reaching a closed registry (the broker shutting down) while no
// leader answers fails at once with a store error, not after retrying
// until its timeout.
func TestReadAfterClose(t *testing.T) {
	be := newMemBackend()
	r := newTestRegistry(t, be, func(o *Options) { o.ReadTimeout = time.Hour })
	r.Close()
	be.set(func(m *memBackend) { m.endErr = ErrUnavailable })
	_, err := r.ListSubjects(testCtx(t), &fjordv1.ListSubjectsRequest{})
	if codeOf(err) != CodeStoreError {
		t.Fatalf("ListSubjects after Close: %v, want error code %d", err, CodeStoreError)
	}
}
