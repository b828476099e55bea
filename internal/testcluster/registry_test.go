package testcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// The schema registry's topic and the REST API's media type (written out:
// the test speaks to the brokers as a Confluent client would).
const (
	srTopic       = "_schemas"
	srContentType = "application/vnd.schemaregistry.v1+json"
)

// srSubjects are the subjects the failover test registers under; one
// needs URL escaping on the REST API.
var srSubjects = []string{"orders-value", "users-value", "payments-key", "team/a-value"}

// srReg is one registration the test made: retried until acknowledged.
type srReg struct {
	worker, seq     int
	subject, schema string
	// fresh: the schema was never sent before (a new id is due);
	// otherwise it is an earlier registration's schema, under the same
	// subject (same id and version due) or another (same id due).
	fresh bool
	// first is when the first attempt was sent, acked when the answer
	// that acknowledged it arrived.
	first, acked time.Time
	id           int32
	// version is the version the gRPC API answered (the REST API's
	// answer carries only the id): 0 when acknowledged over REST.
	version  int32
	attempts int
	node     int32  // the broker that acknowledged it
	via      string // the protocol and broker that acknowledged it
}

// srClient speaks the registry's REST API (a plain net/http client) and
// gRPC API to the nodes of a cluster.
type srClient struct {
	c    *Cluster
	http *http.Client
}

func newSRClient(t *testing.T, c *Cluster) *srClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	t.Cleanup(tr.CloseIdleConnections)
	return &srClient{c: c, http: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

// srError is an answer of the registry with an error code; status is the
// HTTP status (REST) or 0 (gRPC).
type srError struct {
	status  int
	code    int
	grpc    codes.Code
	message string
}

func (e *srError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("HTTP %d, error_code %d: %s", e.status, e.code, e.message)
	}
	return fmt.Sprintf("gRPC %s, error_code %d: %s", e.grpc, e.code, e.message)
}

// retriable reports whether a failed request may have happened or not and
// is worth retrying: a transport failure, a timeout, a 5xx (REST) or
// UNAVAILABLE (gRPC). A definite 4xx answer is not.
func srRetriable(err error) bool {
	var e *srError
	if !errors.As(err, &e) {
		return true // a transport error: the request may or may not have arrived
	}
	if e.status != 0 {
		return e.status >= 500
	}
	switch e.grpc {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Aborted:
		return true
	}
	return e.code >= 50000
}

// rest sends one request to node id's REST API and decodes a 200 answer
// into out.
func (s *srClient) rest(ctx context.Context, id int32, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.c.Node(id).HTTPAddr+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", srContentType)
	}
	req.Header.Set("Accept", srContentType)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Code    int    `json:"error_code"`
			Message string `json:"message"`
		}
		if jerr := json.Unmarshal(b, &e); jerr != nil {
			e.Message = string(b)
		}
		return &srError{status: resp.StatusCode, code: e.Code, message: e.Message}
	}
	if ct := resp.Header.Get("Content-Type"); ct != srContentType {
		return fmt.Errorf("%s %s on broker %d: Content-Type %q, want %q", method, path, id, ct, srContentType)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s on broker %d: %v in %q", method, path, id, err, b)
	}
	return nil
}

// fromGRPC converts a registry gRPC error into an srError.
func srFromGRPC(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &srError{grpc: st.Code(), message: st.Message()}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			e.code, _ = strconv.Atoi(info.GetMetadata()["error_code"])
		}
	}
	return e
}

// registerOnce makes one registration attempt on node id over REST or
// gRPC; version is 0 over REST.
func (s *srClient) registerOnce(ctx context.Context, id int32, viaGRPC bool, subject, schema string) (sid, version int32, err error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if viaGRPC {
		resp, err := fjordv1.NewSchemaRegistryServiceClient(s.c.Conn(id)).Register(ctx, &fjordv1.RegisterRequest{Subject: subject, Schema: schema})
		if err != nil {
			return 0, 0, srFromGRPC(err)
		}
		return resp.GetId(), resp.GetVersion(), nil
	}
	var out struct {
		ID int32 `json:"id"`
	}
	err = s.rest(ctx, id, http.MethodPost, "/subjects/"+url.PathEscape(subject)+"/versions", map[string]string{"schema": schema}, &out)
	return out.ID, 0, err
}

// schemaByID reads schema id on node id over REST or gRPC.
func (s *srClient) schemaByID(ctx context.Context, node int32, viaGRPC bool, id int32) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if viaGRPC {
		resp, err := fjordv1.NewSchemaRegistryServiceClient(s.c.Conn(node)).GetSchemaByID(ctx, &fjordv1.GetSchemaByIDRequest{Id: id})
		if err != nil {
			return "", srFromGRPC(err)
		}
		return resp.GetSchema().GetSchema(), nil
	}
	var out struct {
		Schema string `json:"schema"`
	}
	err := s.rest(ctx, node, http.MethodGet, fmt.Sprintf("/schemas/ids/%d", id), nil, &out)
	return out.Schema, err
}

// readBack reads an acknowledged registration's id on node: an error
// when the broker answers that it does not know it, or answers another
// schema (read-your-writes on any broker); ok is false when the broker
// did not answer (down, catching up, no leader).
func (s *srClient) readBack(ctx context.Context, node int32, viaGRPC bool, r *srReg) (ok bool, err error) {
	sent := time.Now()
	got, err := s.schemaByID(ctx, node, viaGRPC, r.id)
	switch {
	case err != nil && srRetriable(err):
		return false, nil
	case err != nil:
		return true, fmt.Errorf("read-your-writes: id %d (%s under %s, acknowledged by %s at %s) read on broker %d (grpc=%v) at %s: %v",
			r.id, r.schema, r.subject, r.via, r.acked.Format("15:04:05.000"), node, viaGRPC, sent.Format("15:04:05.000"), err)
	case got != r.schema:
		return true, fmt.Errorf("read-your-writes: id %d read on broker %d (grpc=%v) is %s, acknowledged (by %s) as %s", r.id, node, viaGRPC, got, r.via, r.schema)
	}
	return true, nil
}

// register retries a registration, rotating brokers and protocols, until
// it is acknowledged: a failed attempt may or may not have registered the
// schema, and registering it again is idempotent. It gives up on a
// definite error or after 45s.
func (s *srClient) register(ctx context.Context, r *srReg) error {
	r.first = time.Now()
	deadline := r.first.Add(45 * time.Second)
	backoff := 25 * time.Millisecond
	var errs []string
	for attempt := 0; ; attempt++ {
		node := int32((r.worker+r.seq+attempt)%len(s.c.Nodes)) + 1
		viaGRPC := (r.seq+attempt)%2 == 1
		id, version, err := s.registerOnce(ctx, node, viaGRPC, r.subject, r.schema)
		r.attempts = attempt + 1
		if err == nil {
			r.acked, r.id, r.version, r.node = time.Now(), id, version, node
			r.via = fmt.Sprintf("REST on broker %d", node)
			if viaGRPC {
				r.via = fmt.Sprintf("gRPC on broker %d", node)
			}
			return nil
		}
		errs = append(errs, fmt.Sprintf("broker %d (grpc=%v): %v", node, viaGRPC, err))
		if !srRetriable(err) {
			return fmt.Errorf("register %q under %s: definite error after %d attempts: %s", r.schema, r.subject, r.attempts, strings.Join(errs, "; "))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("register %q under %s: not acknowledged within 45s (%d attempts): %s", r.schema, r.subject, r.attempts, strings.Join(errs[max(0, len(errs)-5):], "; "))
		}
		sleepCtx(ctx, backoff)
		backoff = min(2*backoff, 400*time.Millisecond)
	}
}

// srWorkers run registrations from a budget the test hands out, so it
// knows how many are done and when to kill.
type srWorkers struct {
	t      *testing.T
	sc     *srClient
	ctx    context.Context
	cancel context.CancelFunc

	// mu guards everything below.
	mu      sync.Mutex
	cond    *sync.Cond
	budget  int // registrations allowed and not yet started
	stopped bool
	regs    []*srReg // acknowledged, in acknowledgement order
	errs    []error
	wg      sync.WaitGroup
}

func startSRWorkers(t *testing.T, sc *srClient, n int) *srWorkers {
	w := &srWorkers{t: t, sc: sc}
	w.ctx, w.cancel = context.WithTimeout(context.Background(), 3*time.Minute)
	w.cond = sync.NewCond(&w.mu)
	t.Cleanup(w.halt) // before the brokers stop
	for i := range n {
		w.wg.Add(1)
		go w.run(i)
	}
	w.wg.Add(1)
	go w.readBack()
	return w
}

// readBack reads the latest acknowledged registration back on every
// broker in turn, all the time, so reads also land in the failover
// windows: each read starts after the acknowledgement, so it must see it.
func (w *srWorkers) readBack() {
	defer w.wg.Done()
	ctx := w.ctx
	nodes := len(w.sc.c.Nodes)
	for i := 0; i < 100000 && ctx.Err() == nil; i++ {
		w.mu.Lock()
		stopped := w.stopped
		var last *srReg
		if len(w.regs) > 0 {
			last = w.regs[len(w.regs)-1]
		}
		w.mu.Unlock()
		if stopped {
			return
		}
		if last == nil {
			sleepCtx(ctx, 10*time.Millisecond)
			continue
		}
		if _, err := w.sc.readBack(ctx, int32(i%nodes)+1, i/nodes%2 == 1, last); err != nil {
			w.mu.Lock()
			w.errs = append(w.errs, fmt.Errorf("reader: %w", err))
			w.cond.Broadcast()
			w.mu.Unlock()
			return
		}
		sleepCtx(ctx, 2*time.Millisecond)
	}
}

// take waits for a unit of budget; false once stopped.
func (w *srWorkers) take() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.budget == 0 && !w.stopped {
		w.cond.Wait()
	}
	if w.stopped {
		return false
	}
	w.budget--
	return true
}

// srMaxPerWorker bounds a worker's registrations (the budget ends them far
// sooner).
const srMaxPerWorker = 1000

func (w *srWorkers) run(worker int) {
	defer w.wg.Done()
	ctx := w.ctx
	var mine []*srReg // this worker's acknowledged registrations
	for seq := 0; seq < srMaxPerWorker && w.take(); seq++ {
		r := &srReg{worker: worker, seq: seq, subject: srSubjects[(worker+seq)%len(srSubjects)]}
		switch {
		case seq%7 == 6 && len(mine) > 0:
			// The same registration again: same id and version.
			old := mine[(seq*5)%len(mine)]
			r.subject, r.schema = old.subject, old.schema
		case seq%5 == 3 && len(mine) > 0:
			// An earlier schema under another subject: its id.
			old := mine[(seq*3)%len(mine)]
			r.schema = old.schema
			r.subject = srSubjects[(slices.Index(srSubjects, old.subject)+1+seq%3)%len(srSubjects)]
		default:
			r.fresh = true
			r.schema = fmt.Sprintf(`{"type":"record","name":"W%dR%d","namespace":"fjord.failover","fields":[{"name":"n","type":"long","default":%d}]}`, worker, seq, seq)
		}
		err := w.sc.register(ctx, r)
		if err == nil {
			// Read it back at once on another broker (the one that
			// acknowledged it last).
			n := int32(len(w.sc.c.Nodes))
			for i := int32(1); i <= n; i++ {
				node := (r.node-1+i)%n + 1
				var ok bool
				if ok, err = w.sc.readBack(ctx, node, seq%2 == 0, r); ok || err != nil {
					break
				}
			}
		}
		w.mu.Lock()
		if err != nil {
			w.errs = append(w.errs, fmt.Errorf("worker %d registration %d: %w", worker, seq, err))
		} else {
			w.regs = append(w.regs, r)
			mine = append(mine, r)
		}
		w.cond.Broadcast()
		w.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// allow adds n registrations to the budget.
func (w *srWorkers) allow(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.budget += n
	w.cond.Broadcast()
}

// waitAcked waits until n registrations are acknowledged, failing the
// test after timeout or as soon as a worker failed.
func (w *srWorkers) waitAcked(n int, timeout time.Duration) {
	w.t.Helper()
	deadline := time.Now().Add(timeout)
	// Wake the waiter when the deadline passes.
	timer := time.AfterFunc(timeout, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer timer.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.regs) < n && len(w.errs) == 0 && time.Now().Before(deadline) {
		w.cond.Wait()
	}
	if len(w.errs) > 0 {
		w.t.Fatalf("registry workload: %v", errors.Join(w.errs...))
	}
	if len(w.regs) < n {
		w.t.Fatalf("%d registrations acknowledged within %s, want %d", len(w.regs), timeout, n)
	}
}

// halt stops the workers and the reader, cancelling what is in flight,
// and waits for them.
func (w *srWorkers) halt() {
	w.mu.Lock()
	w.stopped = true
	w.cond.Broadcast()
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
}

// stop halts the workers, once every registration handed out was
// acknowledged, and returns the registrations in acknowledgement order.
func (w *srWorkers) stop() []*srReg {
	w.halt()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.errs) > 0 {
		w.t.Fatalf("registry workload: %v", errors.Join(w.errs...))
	}
	return slices.Clone(w.regs)
}

// TestRegistryLeaderKill9 registers schemas under several subjects through
// every broker's REST API and gRPC while the leader of _schemas-0, the
// registry's single writer, is killed with SIGKILL (three times, each
// restarted later). A registration whose request failed is retried until
// acknowledged (registering is idempotent by content). At the end every
// broker must answer the same registry: each acknowledged registration
// with its id (and, over gRPC, its version), one id per schema, ids
// increasing in the order fresh schemas were acknowledged, each subject's
// versions 1..n without gaps, and every id resolvable.
func TestRegistryLeaderKill9(t *testing.T) {
	processTest(t)
	c := StartCluster(t, 3, WithHTTP())
	sc := newSRClient(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Any schema may follow any other: the test is about ids and versions.
	// The first write creates _schemas.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var out struct {
			Compatibility string `json:"compatibility"`
		}
		err := sc.rest(ctx, 2, http.MethodPut, "/config", map[string]string{"compatibility": "NONE"}, &out)
		if err == nil && out.Compatibility == "NONE" {
			break
		}
		if time.Now().After(deadline) || (err != nil && !srRetriable(err)) {
			t.Fatalf("PUT /config: %+v, %v", out, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	waitFullISR(t, c, srTopic, 1, 20*time.Second)

	w := startSRWorkers(t, sc, 3)
	target := 0
	allow := func(n int) int {
		target += n
		w.allow(n)
		return target
	}
	w.waitAcked(allow(20), 30*time.Second)
	for round := range 3 {
		end := allow(40)
		// Kill the writer while registrations are in flight.
		w.waitAcked(end-30, 20*time.Second)
		st := c.Leader(srTopic, 0, 10*time.Second)
		killed := time.Now()
		c.Node(st.Leader).Kill()
		t.Logf("round %d: killed broker %d, leader of %s-0 in epoch %d, at %s", round, st.Leader, srTopic, st.LeaderEpoch, killed.Format("15:04:05.000"))
		w.waitAcked(end, 45*time.Second)
		t.Logf("round %d: the round's registrations acknowledged %s after the kill", round, time.Since(killed).Round(time.Millisecond))
		c.Node(st.Leader).Restart()
		t.Logf("round %d: restarted broker %d at %s", round, st.Leader, time.Now().Format("15:04:05.000"))
		c.WaitAllActive(20 * time.Second)
		waitFullISR(t, c, srTopic, 1, 20*time.Second)
		// The restarted broker serves registrations and reads too.
		w.waitAcked(allow(20), 30*time.Second)
	}
	regs := w.stop()
	retried := 0
	for _, r := range regs {
		if r.attempts > 1 {
			retried++
		}
	}
	t.Logf("%d registrations acknowledged, %d of them after retries", len(regs), retried)
	checkRegistry(t, c, sc, regs)
}

// srVersion is one subject version as a broker answers it.
type srVersion struct {
	Subject string `json:"subject"`
	Version int32  `json:"version"`
	ID      int32  `json:"id"`
	Schema  string `json:"schema"`
}

// checkRegistry checks every broker's registry against the acknowledged
// registrations.
func checkRegistry(t *testing.T, c *Cluster, sc *srClient, regs []*srReg) {
	t.Helper()
	type key struct{ subject, schema string }
	// What the acknowledgements say.
	idOf := map[string]int32{}     // schema -> id
	schemaOf := map[int32]string{} // id -> schema
	versionOf := map[key]int32{}   // from gRPC answers
	bySubject := map[string]map[string]bool{}
	for _, r := range regs {
		if id, ok := idOf[r.schema]; ok && id != r.id {
			t.Errorf("schema %s acknowledged with ids %d and %d (the later: %s, worker %d registration %d under %s)", r.schema, id, r.id, r.via, r.worker, r.seq, r.subject)
		}
		if s, ok := schemaOf[r.id]; ok && s != r.schema {
			t.Errorf("id %d acknowledged for two schemas: %s and %s (the later: %s under %s)", r.id, s, r.schema, r.via, r.subject)
		}
		idOf[r.schema], schemaOf[r.id] = r.id, r.schema
		k := key{r.subject, r.schema}
		if r.version != 0 {
			if v, ok := versionOf[k]; ok && v != r.version {
				t.Errorf("%s: schema %s acknowledged as versions %d and %d", r.subject, r.schema, v, r.version)
			}
			versionOf[k] = r.version
		}
		if bySubject[r.subject] == nil {
			bySubject[r.subject] = map[string]bool{}
		}
		bySubject[r.subject][r.schema] = true
	}
	// Ids grow with the real-time order of fresh registrations: one
	// acknowledged before another was first sent has the smaller id.
	var fresh []*srReg
	for _, r := range regs {
		if r.fresh {
			fresh = append(fresh, r)
		}
	}
	for _, a := range fresh {
		for _, b := range fresh {
			if a.acked.Before(b.first) && a.id >= b.id {
				t.Errorf("id %d (%s under %s, acknowledged %s) is not below id %d (%s under %s, first sent %s later)",
					a.id, a.via, a.subject, a.acked.Format("15:04:05.000"), b.id, b.via, b.subject, b.first.Sub(a.acked))
			}
		}
	}
	var maxID int32
	for id := range schemaOf {
		maxID = max(maxID, id)
	}
	subjects := slices.Sorted(func(yield func(string) bool) {
		for s := range bySubject {
			if !yield(s) {
				return
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// get reads from one broker, retrying what a catching-up broker may
	// answer (5xx) for a while.
	get := func(id int32, path string, out any) error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			err := sc.rest(ctx, id, http.MethodGet, path, nil, out)
			if err == nil || !srRetriable(err) || time.Now().After(deadline) {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// Every broker's subject versions, to compare between brokers.
	answers := make([]map[key]int32, len(c.Nodes))
	var wg sync.WaitGroup
	var mu sync.Mutex // guards t's error reporting order a little: one broker at a time
	for i, n := range c.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errs []string
			fail := func(format string, args ...any) {
				errs = append(errs, fmt.Sprintf(format, args...))
			}
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				for _, e := range errs[:min(len(errs), 40)] {
					t.Errorf("broker %d: %s", n.ID, e)
				}
				if len(errs) > 40 {
					t.Errorf("broker %d: ... and %d more", n.ID, len(errs)-40)
				}
			}()
			got := map[key]int32{}
			answers[i] = got
			var listed []string
			if err := get(n.ID, "/subjects", &listed); err != nil {
				fail("GET /subjects: %v", err)
				return
			}
			sort.Strings(listed)
			if !slices.Equal(listed, subjects) {
				fail("GET /subjects = %q, want %q", listed, subjects)
			}
			for _, s := range subjects {
				var vs []int32
				if err := get(n.ID, "/subjects/"+url.PathEscape(s)+"/versions", &vs); err != nil {
					fail("GET versions of %s: %v", s, err)
					continue
				}
				want := make([]int32, len(bySubject[s]))
				for j := range want {
					want[j] = int32(j + 1)
				}
				if !slices.Equal(vs, want) {
					fail("subject %s has versions %v, want 1..%d (one per acknowledged schema, no gaps)", s, vs, len(want))
				}
				seen := map[string]int32{}
				for _, v := range vs {
					var sv srVersion
					if err := get(n.ID, fmt.Sprintf("/subjects/%s/versions/%d", url.PathEscape(s), v), &sv); err != nil {
						fail("GET %s version %d: %v", s, v, err)
						continue
					}
					if sv.Subject != s || sv.Version != v {
						fail("GET %s version %d answered %s version %d", s, v, sv.Subject, sv.Version)
					}
					if old, dup := seen[sv.Schema]; dup {
						fail("subject %s has schema %s as versions %d and %d", s, sv.Schema, old, v)
					}
					seen[sv.Schema] = v
					switch id, ok := idOf[sv.Schema]; {
					case !ok:
						fail("subject %s version %d (id %d) holds a schema never registered: %s", s, v, sv.ID, sv.Schema)
					case !bySubject[s][sv.Schema]:
						fail("subject %s version %d holds %s, registered only under other subjects", s, v, sv.Schema)
					case sv.ID != id:
						fail("subject %s version %d: id %d, acknowledged as id %d", s, v, sv.ID, id)
					}
					got[key{s, sv.Schema}] = v
				}
				for schema := range bySubject[s] {
					k := key{s, schema}
					v, ok := got[k]
					if !ok {
						fail("acknowledged registration of %s under %s (id %d) is missing", schema, s, idOf[schema])
					} else if want, ok := versionOf[k]; ok && v != want {
						fail("%s under %s is version %d, acknowledged as version %d", schema, s, v, want)
					}
				}
			}
			// Every id up to the largest acknowledged one (and one more)
			// resolves to its schema, or to nothing if none was
			// acknowledged with it.
			for id := int32(1); id <= maxID+1; id++ {
				var byID struct {
					Schema string `json:"schema"`
				}
				err := get(n.ID, fmt.Sprintf("/schemas/ids/%d", id), &byID)
				want, acked := schemaOf[id]
				var se *srError
				switch {
				case acked && err != nil:
					fail("GET /schemas/ids/%d: %v", id, err)
				case acked && byID.Schema != want:
					fail("GET /schemas/ids/%d = %s, acknowledged as %s", id, byID.Schema, want)
				case !acked && err == nil:
					fail("GET /schemas/ids/%d = %s: an id no registration was acknowledged with", id, byID.Schema)
				case !acked && !(errors.As(err, &se) && se.code == 40403):
					fail("GET /schemas/ids/%d: %v, want 40403", id, err)
				}
			}
		}()
	}
	wg.Wait()
	for i := 1; i < len(answers); i++ {
		if !maps.Equal(answers[0], answers[i]) {
			t.Errorf("broker %d and broker %d answer different subject versions", c.Nodes[0].ID, c.Nodes[i].ID)
		}
	}
	// Versions grow with the real-time order of registrations in a
	// subject, as ids do.
	type span struct{ first, acked time.Time }
	spans := map[key]span{} // earliest first attempt and acknowledgement
	for _, r := range regs {
		k := key{r.subject, r.schema}
		sp, ok := spans[k]
		if !ok || r.first.Before(sp.first) {
			sp.first = r.first
		}
		if !ok || r.acked.Before(sp.acked) {
			sp.acked = r.acked
		}
		spans[k] = sp
	}
	for ka, a := range spans {
		for kb, b := range spans {
			if ka.subject == kb.subject && a.acked.Before(b.first) && answers[0][ka] >= answers[0][kb] {
				t.Errorf("subject %s: version %d (%s, acknowledged first) is not below version %d (%s, sent after)",
					ka.subject, answers[0][ka], ka.schema, answers[0][kb], kb.schema)
			}
		}
	}
	t.Logf("every broker: %d subjects, %d schema ids (largest %d), %d subject versions", len(subjects), len(schemaOf), maxID, len(answers[0]))
}
