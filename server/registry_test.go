package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/schemaregistry/schemaregistrytest"
)

func (tb *testBroker) registryURL() string { return "http://" + tb.srv.HTTPAddr().String() }

func (tb *testBroker) registry(t testing.TB) *schemaregistrytest.Client {
	return &schemaregistrytest.Client{T: t, Base: tb.registryURL()}
}

func (tb *testBroker) schemas() fjordv1.SchemaRegistryServiceClient {
	return fjordv1.NewSchemaRegistryServiceClient(tb.conn)
}

// TestRegistryHTTPSuite runs every REST endpoint and error code against a
// real broker (the registry on its _schemas topic).
func TestRegistryHTTPSuite(t *testing.T) {
	tb := startBroker(t, "")
	schemaregistrytest.RunHTTPSuite(t, tb.registryURL())
	if r := tb.registry(t).Do("GET", "/healthz", "", ""); r.Status != http.StatusOK || string(r.Body) != "ok\n" {
		t.Fatalf("/healthz: %d %s", r.Status, r.Body)
	}
	if r := tb.registry(t).Do("GET", "/readyz", "", ""); r.Status != http.StatusOK {
		t.Fatalf("/readyz: %d %s", r.Status, r.Body)
	}
	// The registry survives a restart: the view is rebuilt from _schemas.
	before := tb.registry(t).OK("GET", "/subjects?deleted=true", "", "")
	tb.stop()
	tb = startBroker(t, tb.dir)
	tb.registry(t).OK("GET", "/subjects?deleted=true", "", string(before))
}

// TestRegistryGRPC exercises SchemaRegistryService: answers, and errors as
// a status with an ErrorInfo reason and the Confluent code.
func TestRegistryGRPC(t *testing.T) {
	tb := startBroker(t, "")
	c := tb.schemas()
	reg, err := c.Register(ctx(t), &fjordv1.RegisterRequest{Subject: "g", Schema: `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`})
	if err != nil || reg.GetId() != 1 || reg.GetVersion() != 1 {
		t.Fatalf("Register: %v %v", reg, err)
	}
	got, err := c.GetVersion(ctx(t), &fjordv1.GetVersionRequest{Subject: "g", Version: -1})
	if err != nil || got.GetSchema().GetId() != 1 || got.GetSchema().GetSchemaType() != "AVRO" || got.GetSchema().GetSubject() != "g" {
		t.Fatalf("GetVersion: %v %v", got, err)
	}
	cc, err := c.CheckCompatibility(ctx(t), &fjordv1.CheckCompatibilityRequest{Subject: "g", Version: -1, Verbose: true,
		Schema: `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`})
	if err != nil || cc.GetIsCompatible() || len(cc.GetMessages()) == 0 {
		t.Fatalf("CheckCompatibility: %v %v", cc, err)
	}
	types, err := c.ListSchemaTypes(ctx(t), &fjordv1.ListSchemaTypesRequest{})
	if err != nil || len(types.GetSchemaTypes()) != 1 {
		t.Fatalf("ListSchemaTypes: %v %v", types, err)
	}
	if _, err := c.SetConfig(ctx(t), &fjordv1.SetConfigRequest{Subject: "g", CompatibilityLevel: "FULL_TRANSITIVE"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.GetConfig(ctx(t), &fjordv1.GetConfigRequest{Subject: "g"})
	if err != nil || cfg.GetCompatibilityLevel() != "FULL_TRANSITIVE" {
		t.Fatalf("GetConfig: %v %v", cfg, err)
	}
	sv, err := c.GetSchemaVersions(ctx(t), &fjordv1.GetSchemaVersionsRequest{Id: 1})
	if err != nil || len(sv.GetVersions()) != 1 || sv.GetVersions()[0].GetSubject() != "g" {
		t.Fatalf("GetSchemaVersions: %v %v", sv, err)
	}
	for _, tc := range []struct {
		call   func() error
		code   codes.Code
		reason string
		ccode  string
	}{
		{func() error {
			_, err := c.GetVersion(ctx(t), &fjordv1.GetVersionRequest{Subject: "nope", Version: 1})
			return err
		}, codes.NotFound, "SUBJECT_NOT_FOUND", "40401"},
		{func() error {
			_, err := c.GetVersion(ctx(t), &fjordv1.GetVersionRequest{Subject: "g", Version: 0})
			return err
		}, codes.InvalidArgument, "INVALID_VERSION", "42202"},
		{func() error {
			_, err := c.GetSchemaByID(ctx(t), &fjordv1.GetSchemaByIDRequest{Id: 77})
			return err
		}, codes.NotFound, "SCHEMA_NOT_FOUND", "40403"},
		{func() error {
			_, err := c.Register(ctx(t), &fjordv1.RegisterRequest{Subject: "g", Schema: `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`})
			return err
		}, codes.FailedPrecondition, "INCOMPATIBLE_SCHEMA", "409"},
		{func() error {
			_, err := c.Register(ctx(t), &fjordv1.RegisterRequest{Subject: "g", Schema: `{"type":"nope"}`})
			return err
		}, codes.InvalidArgument, "INVALID_SCHEMA", "42201"},
		{func() error {
			_, err := c.SetMode(ctx(t), &fjordv1.SetModeRequest{Mode: "IMPORT"})
			return err
		}, codes.FailedPrecondition, "OPERATION_NOT_PERMITTED", "42205"},
		{func() error {
			_, err := c.DeleteSubject(ctx(t), &fjordv1.DeleteSubjectRequest{Subject: "g", Permanent: true})
			return err
		}, codes.FailedPrecondition, "SUBJECT_NOT_SOFT_DELETED", "40405"},
	} {
		code, reason, md := errorReason(t, tc.call())
		if code != tc.code || reason != tc.reason || md["error_code"] != tc.ccode {
			t.Errorf("got %v %s %v, want %v %s %s", code, reason, md, tc.code, tc.reason, tc.ccode)
		}
	}
	// A write returns the offset it is visible at, for forwarding brokers.
	var hdr metadata.MD
	del, err := c.DeleteSubject(ctx(t), &fjordv1.DeleteSubjectRequest{Subject: "g"}, grpc.Header(&hdr))
	if err != nil || len(del.GetVersions()) != 1 || len(hdr.Get(schemaregistry.OffsetHeader)) != 1 {
		t.Fatalf("DeleteSubject: %v %v (header %v)", del, err, hdr)
	}
}

// TestSchemasTopicIsProtected: clients cannot create, produce to, delete
// or trim _schemas.
func TestSchemasTopicIsProtected(t *testing.T) {
	tb := startBroker(t, "")
	resp, err := tb.admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: schemasTopic, Partitions: 1}}})
	if err != nil || resp.GetResults()[0].GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("create %s: %v %v", schemasTopic, resp, err)
	}
	tb.registry(t).ID("p", schemaregistrytest.Body(`"int"`))
	desc, err := tb.admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{schemasTopic}})
	if err != nil || !desc.GetTopics()[0].GetInternal() {
		t.Fatalf("describe %s: %v %v", schemasTopic, desc, err)
	}
	cfgs := map[string]string{}
	for _, e := range desc.GetTopics()[0].GetConfigs() {
		cfgs[e.GetName()] = e.GetValue()
	}
	if cfgs["cleanup.policy"] != "compact" || cfgs["min.insync.replicas"] != "1" {
		t.Errorf("%s configs: %v", schemasTopic, cfgs)
	}
	if r := tb.produceOne(schemasTopic, 0, fjordv1.Acks_ACKS_ALL, batch("x")); r.GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("produce to %s: %v", schemasTopic, r)
	}
	dresp, err := tb.admin.DeleteTopics(ctx(t), &fjordv1.DeleteTopicsRequest{Names: []string{schemasTopic}})
	if err != nil || dresp.GetResults()[0].GetError().GetReason() != string(ReasonInvalidTopic) {
		t.Fatalf("delete %s: %v %v", schemasTopic, dresp, err)
	}
}

// wire frames an Avro payload in the Confluent wire format.
func wire(id int, payload []byte) []byte {
	b := []byte{0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(id))
	return append(b, payload...)
}

// rawBatch builds a batch of records with the given keys and values (nil =
// absent).
func rawBatch(kvs ...[2][]byte) *fjordv1.RecordBatch {
	recs := &fjordv1.Records{}
	for i, kv := range kvs {
		recs.Records = append(recs.Records, &fjordv1.Record{OffsetDelta: int32(i), Key: kv[0], Value: kv[1]})
	}
	return &fjordv1.RecordBatch{Payload: &fjordv1.RecordBatch_Records{Records: recs}}
}

func val(v []byte) [2][]byte   { return [2][]byte{nil, v} }
func kv(k, v []byte) [2][]byte { return [2][]byte{k, v} }
func avroOf(t *testing.T, schema string, native any) []byte {
	t.Helper()
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := codec.BinaryFromNative(nil, native)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSchemaValidation: topics validating keys or values by id or fully,
// under each subject name strategy. A violating batch is rejected whole
// with INVALID_RECORD naming the record.
func TestSchemaValidation(t *testing.T) {
	tb := startBroker(t, "")
	c := tb.registry(t)
	const rec = `{"type":"record","name":"Rec","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"s","type":"string"}]}`
	good := avroOf(t, rec, map[string]any{"a": 1, "s": "x"})
	idV := c.ID("v-value", schemaregistrytest.Body(rec))
	idOther := c.ID("unrelated", schemaregistrytest.Body(`"string"`))

	produce := func(topic string, b *fjordv1.RecordBatch) *fjordv1.ProducePartitionResponse {
		t.Helper()
		return tb.produceOne(topic, 0, fjordv1.Acks_ACKS_ALL, b)
	}
	rejected := func(r *fjordv1.ProducePartitionResponse, index int, contains string) {
		t.Helper()
		e := r.GetError()
		if e.GetReason() != string(ReasonInvalidRecord) || e.GetMetadata()["record_index"] != fmt.Sprint(index) || !strings.Contains(e.GetMessage(), contains) {
			t.Fatalf("want INVALID_RECORD at record %d containing %q, got %v", index, contains, r)
		}
	}
	ok := func(r *fjordv1.ProducePartitionResponse) {
		t.Helper()
		if r.GetError() != nil {
			t.Fatalf("produce: %v", r.GetError())
		}
	}

	tb.createTopic("v", 1, map[string]string{"value.schema.validation": "id"})
	ok(produce("v", rawBatch(val(wire(idV, good)), val(wire(idV, []byte("not avro, but id only"))), val(nil))))
	rejected(produce("v", rawBatch(val(wire(idV, good)), val([]byte("plain")))), 1, "magic byte")
	rejected(produce("v", rawBatch(val(wire(idV, good)), val(wire(idV, good)), val(wire(999, good)))), 2, "not registered")
	rejected(produce("v", rawBatch(val(wire(idOther, good)))), 0, `"v-value"`)
	rejected(produce("v", rawBatch(val([]byte{0, 1}))), 0, "too short")
	// Nothing of a rejected batch was appended.
	if pr := tb.fetchOne(fetchReq("v", 0, 0)); pr.GetHighWatermark() != 3 {
		t.Fatalf("high watermark %d after rejected batches, want 3", pr.GetHighWatermark())
	}

	tb.createTopic("f", 1, map[string]string{"value.schema.validation": "full"})
	idF := c.ID("f-value", schemaregistrytest.Body(rec))
	ok(produce("f", rawBatch(val(wire(idF, good)))))
	rejected(produce("f", rawBatch(val(wire(idF, good)), val(wire(idF, []byte{0x02})))), 1, "does not decode")
	rejected(produce("f", rawBatch(val(wire(idF, append(slices.Clone(good), 7))))), 0, "left over")

	tb.createTopic("k", 1, map[string]string{"key.schema.validation": "full"})
	idK := c.ID("k-key", schemaregistrytest.Body(`"string"`))
	ok(produce("k", rawBatch(kv(wire(idK, avroOf(t, `"string"`, "key")), []byte("any value")), kv(nil, []byte("null key")))))
	rejected(produce("k", rawBatch(kv(wire(idV, good), nil))), 0, `"k-key"`)

	tb.createTopic("r", 1, map[string]string{"value.schema.validation": "id", "value.subject.name.strategy": "record"})
	idR := c.ID("t.Rec", schemaregistrytest.Body(rec))
	ok(produce("r", rawBatch(val(wire(idR, good)))))
	rejected(produce("r", rawBatch(val(wire(idOther, good)))), 0, "not a named type")

	tb.createTopic("tr", 1, map[string]string{"value.schema.validation": "id",
		"value.subject.name.strategy": "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"})
	rejected(produce("tr", rawBatch(val(wire(idR, good)))), 0, `"tr-t.Rec"`)
	c.ID("tr-t.Rec", schemaregistrytest.Body(rec))
	ok(produce("tr", rawBatch(val(wire(idR, good)))))

	resp, err := tb.admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "bad", Partitions: 1,
		Configs: map[string]string{"value.schema.validation": "sometimes"}}}})
	if err != nil || resp.GetResults()[0].GetError().GetReason() != string(ReasonInvalidConfig) {
		t.Fatalf("bad validation config accepted: %v %v", resp, err)
	}
}

func withHTTP(o *Options) { o.HTTPAddr = "127.0.0.1:0" }

// schemasLeader returns the broker leading _schemas-0 as bs[0]'s image says.
func schemasLeader(t *testing.T, bs []*testBroker, stopped map[int32]bool) int32 {
	t.Helper()
	if _, ok := bs[0].srv.ctl.image().Topic(schemasTopic); !ok && len(stopped) == 0 {
		return 0 // the first registration creates it
	}
	var leader int32
	waitUntil(t, "a live _schemas leader", func() bool {
		for _, tb := range bs {
			if stopped[tb.srv.opts.NodeID] {
				continue
			}
			if tm, ok := tb.srv.ctl.image().Topic(schemasTopic); ok {
				leader = tm.Partitions[0].Leader
				return leader > 0 && !stopped[leader]
			}
		}
		return false
	})
	return leader
}

// TestRegistryCluster: registrations through any broker (forwarded to the
// _schemas leader), read-your-writes on every broker, and the leader
// stopped between registrations (twice): ids stay unique and increasing and
// nothing registered is lost.
func TestRegistryCluster(t *testing.T) {
	bs := startCluster(t, 3, withHTTP)
	stopped := map[int32]bool{}
	live := func() []*testBroker {
		var out []*testBroker
		for _, tb := range bs {
			if !stopped[tb.srv.opts.NodeID] {
				out = append(out, tb)
			}
		}
		return out
	}
	type registered struct {
		subject string
		id      int
	}
	var all []registered
	lastID := 0
	register := func(n int) {
		t.Helper()
		leader := schemasLeader(t, bs, stopped)
		for i := range n {
			// Through a broker that is not the leader, then read it back
			// at once (no retry) from every live broker.
			var via *testBroker
			for _, tb := range live() {
				if tb.srv.opts.NodeID != leader || via == nil {
					via = tb
				}
			}
			subject := fmt.Sprintf("c-%d", len(all))
			schema := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"f","type":"long"}]}`, len(all))
			id := via.registry(t).ID(subject, schemaregistrytest.Body(schema))
			if id <= lastID {
				t.Fatalf("registration %d (%d of this round) got id %d after %d: not increasing", len(all), i, id, lastID)
			}
			lastID = id
			all = append(all, registered{subject, id})
			for _, tb := range live() {
				tb.registry(t).OK("GET", "/subjects/"+subject+"/versions/1", "", fmt.Sprintf(`{"subject":%q,"version":1,"id":%d,"schema":%q}`, subject, id, schema))
				tb.registry(t).OK("GET", fmt.Sprintf("/schemas/ids/%d/subjects", id), "", fmt.Sprintf(`[%q]`, subject))
			}
		}
	}
	checkAll := func() {
		t.Helper()
		for _, tb := range live() {
			var subjects []string
			if err := json.Unmarshal(tb.registry(t).OK("GET", "/subjects", "", ""), &subjects); err != nil || len(subjects) != len(all) {
				t.Fatalf("broker %d lists %v, want %d subjects", tb.srv.opts.NodeID, subjects, len(all))
			}
			for _, r := range all {
				tb.registry(t).OK("GET", fmt.Sprintf("/schemas/ids/%d/subjects", r.id), "", fmt.Sprintf(`[%q]`, r.subject))
			}
		}
	}

	register(3)
	tm, _ := bs[0].srv.ctl.image().Topic(schemasTopic)
	if rf := len(tm.Partitions[0].Replicas); rf != 3 {
		t.Fatalf("_schemas has %d replicas, want 3", rf)
	}
	for round := range 2 {
		leader := schemasLeader(t, bs, stopped)
		bs[leader-1].stop()
		stopped[leader] = true
		start := time.Now()
		register(3)
		checkAll()
		t.Logf("round %d: registered through the failover of leader %d in %v", round, leader, time.Since(start))
		// Bring it back (it catches up from the log) before the next round.
		bs[leader-1] = bs[leader-1].restart(t)
		delete(stopped, leader)
		waitUntil(t, "the restarted broker back in the ISR of _schemas", func() bool {
			for _, tb := range bs {
				if tm, ok := tb.srv.ctl.image().Topic(schemasTopic); !ok || len(tm.Partitions[0].ISR) != 3 {
					return false
				}
			}
			return true
		})
		checkAll()
		t.Logf("round %d: stopped leader %d; %d schemas, last id %d", round, leader, len(all), lastID)
	}

	// The same over gRPC: a write forwarded by a follower, read back at
	// once on every broker.
	leader := schemasLeader(t, bs, stopped)
	via := bs[leader%3]
	resp, err := via.schemas().Register(ctx(t), &fjordv1.RegisterRequest{Subject: "grpc", Schema: `"bytes"`})
	if err != nil || int(resp.GetId()) <= lastID {
		t.Fatalf("gRPC Register through broker %d (leader %d): %v %v", via.srv.opts.NodeID, leader, resp, err)
	}
	for _, tb := range bs {
		got, err := tb.schemas().GetSchemaSubjects(ctx(t), &fjordv1.GetSchemaSubjectsRequest{Id: resp.GetId()})
		if err != nil || len(got.GetSubjects()) != 1 || got.GetSubjects()[0] != "grpc" {
			t.Fatalf("broker %d: GetSchemaSubjects(%d): %v %v", tb.srv.opts.NodeID, resp.GetId(), got, err)
		}
	}
}

// TestRegistryFranzGoClient: the franz-go schema registry client registers,
// looks up, checks compatibility and serializes (sr.Serde) against a
// broker, whose full validation accepts what it serialized.
func TestRegistryFranzGoClient(t *testing.T) {
	tb := startBroker(t, "")
	cl, err := sr.NewClient(sr.URLs(tb.registryURL()))
	if err != nil {
		t.Fatal(err)
	}
	c := context.Background()
	const v1 = `{"type":"record","name":"User","namespace":"app","fields":[{"name":"name","type":"string"}]}`
	const v2 = `{"type":"record","name":"User","namespace":"app","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}`
	const bad = `{"type":"record","name":"User","namespace":"app","fields":[{"name":"name","type":"long"}]}`
	ss, err := cl.CreateSchema(c, "users-value", sr.Schema{Schema: v1, Type: sr.TypeAvro})
	if err != nil || ss.ID != 1 || ss.Version != 1 || ss.Subject != "users-value" {
		t.Fatalf("CreateSchema: %+v %v", ss, err)
	}
	got, err := cl.LookupSchema(c, "users-value", sr.Schema{Schema: v1})
	if err != nil || got.ID != 1 || got.Version != 1 {
		t.Fatalf("LookupSchema: %+v %v", got, err)
	}
	compat, err := cl.CheckCompatibility(c, "users-value", -1, sr.Schema{Schema: v2})
	if err != nil || !compat.Is {
		t.Fatalf("CheckCompatibility v2: %+v %v", compat, err)
	}
	compat, err = cl.CheckCompatibility(sr.WithParams(c, sr.Verbose), "users-value", -1, sr.Schema{Schema: bad})
	if err != nil || compat.Is || len(compat.Messages) == 0 {
		t.Fatalf("CheckCompatibility bad: %+v %v", compat, err)
	}
	_, err = cl.CreateSchema(c, "users-value", sr.Schema{Schema: bad})
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.ErrorCode != 409 {
		t.Fatalf("incompatible CreateSchema: %v", err)
	}
	ss2, err := cl.CreateSchema(c, "users-value", sr.Schema{Schema: v2})
	if err != nil || ss2.ID != 2 || ss2.Version != 2 {
		t.Fatalf("CreateSchema v2: %+v %v", ss2, err)
	}
	subjects, err := cl.Subjects(c)
	if err != nil || len(subjects) != 1 {
		t.Fatalf("Subjects: %v %v", subjects, err)
	}
	if _, err := cl.SchemaByVersion(c, "nope", -1); !errors.As(err, &re) || re.ErrorCode != 40401 {
		t.Fatalf("missing subject: %v", err)
	}

	codec, err := goavro.NewCodec(v2)
	if err != nil {
		t.Fatal(err)
	}
	type user struct {
		Name string
		Age  int32
	}
	var serde sr.Serde
	serde.Register(ss2.ID, user{},
		sr.EncodeFn(func(v any) ([]byte, error) {
			u := v.(user)
			return codec.BinaryFromNative(nil, map[string]any{"name": u.Name, "age": u.Age})
		}),
		sr.DecodeFn(func(b []byte, v any) error {
			native, _, err := codec.NativeFromBinary(b)
			if err != nil {
				return err
			}
			m := native.(map[string]any)
			*v.(*user) = user{Name: m["name"].(string), Age: m["age"].(int32)}
			return nil
		}))
	payload, err := serde.Encode(user{Name: "ada", Age: 36})
	if err != nil {
		t.Fatal(err)
	}
	tb.createTopic("users", 1, map[string]string{"value.schema.validation": "full"})
	if r := tb.produceOne("users", 0, fjordv1.Acks_ACKS_ALL, rawBatch(val(payload))); r.GetError() != nil {
		t.Fatalf("produce serialized record: %v", r.GetError())
	}
	var back user
	if err := serde.Decode(payload, &back); err != nil || back.Name != "ada" || back.Age != 36 {
		t.Fatalf("decode: %+v %v", back, err)
	}
}
