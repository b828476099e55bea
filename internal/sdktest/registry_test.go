package sdktest_test

import (
	"errors"
	"testing"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
)

const userV1 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null}]}`

// userV2 adds a defaulted field: BACKWARD compatible with userV1.
const userV2 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"country","type":"string","default":"unknown"}]}`

// userBad changes a field's type: incompatible with userV1 and userV2.
const userBad = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"long"},
  {"name":"age","type":"int"}]}`

type userV2T struct {
	Name    string  `json:"name"`
	Age     int     `json:"age"`
	Email   *string `json:"email"`
	Country string  `json:"country"`
}

func TestSchemaRegistryAdmin(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	reg := fjord.NewSchemaRegistry(cl)
	ctx := ctxT(t)

	s1, err := reg.Register(ctx, "users-value", fjord.Schema{Schema: userV1})
	if err != nil {
		t.Fatalf("Register v1: %v", err)
	}
	if s1.Version != 1 || s1.ID < 1 {
		t.Fatalf("Register v1 = %+v", s1)
	}
	// The same schema again: same id and version; under another subject:
	// same id.
	if again, err := fjord.NewSchemaRegistry(cl).Register(ctx, "users-value", fjord.Schema{Schema: userV1}); err != nil || again.ID != s1.ID || again.Version != 1 {
		t.Errorf("Register v1 again = %+v, %v", again, err)
	}
	if other, err := reg.Register(ctx, "people-value", fjord.Schema{Schema: userV1}); err != nil || other.ID != s1.ID {
		t.Errorf("Register v1 under another subject = %+v, %v; want id %d", other, err, s1.ID)
	}
	got, err := fjord.NewSchemaRegistry(cl).SchemaByID(ctx, s1.ID)
	if err != nil || got.Schema != userV1 {
		t.Errorf("SchemaByID = %+v, %v", got, err)
	}
	if l, err := fjord.NewSchemaRegistry(cl).Lookup(ctx, "users-value", fjord.Schema{Schema: userV1}); err != nil || l.ID != s1.ID || l.Version != 1 {
		t.Errorf("Lookup = %+v, %v", l, err)
	}

	// Compatibility under the default level, BACKWARD.
	if c, err := reg.CheckCompatibility(ctx, "users-value", -1, fjord.Schema{Schema: userV2}, false); err != nil || !c.Compatible {
		t.Errorf("CheckCompatibility v2 = %+v, %v", c, err)
	}
	c, err := reg.CheckCompatibility(ctx, "users-value", 0, fjord.Schema{Schema: userBad}, true)
	if err != nil || c.Compatible || len(c.Messages) == 0 {
		t.Errorf("CheckCompatibility bad (verbose) = %+v, %v", c, err)
	}
	_, err = reg.Register(ctx, "users-value", fjord.Schema{Schema: userBad})
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrIncompatibleSchema) || !errors.As(err, &fe) || fjord.SchemaErrorCode(err) != 409 {
		t.Errorf("Register incompatible = %v, want INCOMPATIBLE_SCHEMA (409)", err)
	}
	if _, err := reg.Register(ctx, "x-value", fjord.Schema{Schema: `{"type":"record","name":"1bad","fields":[]}`}); !errors.Is(err, fjord.ErrInvalidSchema) || fjord.SchemaErrorCode(err) != 42201 {
		t.Errorf("Register invalid = %v, want INVALID_SCHEMA (42201)", err)
	}
	s2, err := reg.Register(ctx, "users-value", fjord.Schema{Schema: userV2})
	if err != nil || s2.Version != 2 || s2.ID == s1.ID {
		t.Fatalf("Register v2 = %+v, %v", s2, err)
	}
	if vs, err := reg.Versions(ctx, "users-value", false); err != nil || len(vs) != 2 {
		t.Errorf("Versions = %v, %v", vs, err)
	}
	if l, err := fjord.NewSchemaRegistry(cl).Latest(ctx, "users-value"); err != nil || l.ID != s2.ID || l.Version != 2 {
		t.Errorf("Latest = %+v, %v", l, err)
	}
	if subs, err := reg.Subjects(ctx, "us", false); err != nil || len(subs) != 1 || subs[0] != "users-value" {
		t.Errorf("Subjects(us) = %v, %v", subs, err)
	}
	if _, err := reg.Version(ctx, "nope", -1, false); !errors.Is(err, fjord.ErrSubjectNotFound) || fjord.SchemaErrorCode(err) != 40401 {
		t.Errorf("Version(nope) = %v, want SUBJECT_NOT_FOUND (40401)", err)
	}

	// Config: global, subject-level, FULL refuses what BACKWARD took.
	if cfg, err := reg.Config(ctx, "", false); err != nil || cfg.Level != "BACKWARD" {
		t.Errorf("global Config = %+v, %v", cfg, err)
	}
	if _, err := reg.Config(ctx, "users-value", false); !errors.Is(err, fjord.ErrSubjectConfigNotFound) {
		t.Errorf("subject Config without one = %v", err)
	}
	if cfg, err := reg.SetConfig(ctx, "users-value", "NONE"); err != nil || cfg.Level != "NONE" {
		t.Errorf("SetConfig = %+v, %v", cfg, err)
	}
	if s3, err := reg.Register(ctx, "users-value", fjord.Schema{Schema: userBad}); err != nil || s3.Version != 3 {
		t.Errorf("Register under NONE = %+v, %v", s3, err)
	}
	if old, err := reg.DeleteConfig(ctx, "users-value"); err != nil || old != "NONE" {
		t.Errorf("DeleteConfig = %q, %v", old, err)
	}

	// Deletes: soft, then permanent; ids keep resolving after a soft delete.
	if v, err := reg.DeleteVersion(ctx, "users-value", 3, false); err != nil || v != 3 {
		t.Errorf("DeleteVersion = %d, %v", v, err)
	}
	if vs, err := reg.DeleteSubject(ctx, "people-value", false); err != nil || len(vs) != 1 {
		t.Errorf("DeleteSubject soft = %v, %v", vs, err)
	}
	if _, err := fjord.NewSchemaRegistry(cl).SchemaByID(ctx, s1.ID); err != nil {
		t.Errorf("SchemaByID after soft deletes: %v", err)
	}
	if vs, err := reg.DeleteSubject(ctx, "people-value", true); err != nil || len(vs) != 1 {
		t.Errorf("DeleteSubject permanent = %v, %v", vs, err)
	}
	if subs, err := reg.Subjects(ctx, "", true); err != nil || len(subs) != 1 {
		t.Errorf("Subjects with deleted after a permanent delete = %v, %v", subs, err)
	}
}

// TestSchemaRegistryModesAndReferences sets and deletes modes against a
// broker (READONLY refuses registrations, IMPORT needs force over
// existing schemas) and lists the schemas referencing a version.
func TestSchemaRegistryModesAndReferences(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	reg := fjord.NewSchemaRegistry(cl)
	ctx := ctxT(t)

	addr, err := reg.Register(ctx, "address-value", fjord.Schema{Schema: `{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	user, err := reg.Register(ctx, "customer-value", fjord.Schema{
		Schema:     `{"type":"record","name":"Customer","namespace":"com.example","fields":[{"name":"home","type":"com.example.Address"}]}`,
		References: []fjord.SchemaReference{{Name: "com.example.Address", Subject: "address-value", Version: addr.Version}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []int{1, -1} {
		if ids, err := reg.ReferencedBy(ctx, "address-value", v); err != nil || len(ids) != 1 || ids[0] != user.ID {
			t.Errorf("ReferencedBy(address-value, %d) = %v, %v; want [%d]", v, ids, err, user.ID)
		}
	}
	if ids, err := reg.ReferencedBy(ctx, "customer-value", 1); err != nil || len(ids) != 0 {
		t.Errorf("ReferencedBy(customer-value, 1) = %v, %v; want none", ids, err)
	}
	if _, err := reg.ReferencedBy(ctx, "address-value", 2); !errors.Is(err, fjord.ErrVersionNotFound) {
		t.Errorf("ReferencedBy(address-value, 2) = %v, want VERSION_NOT_FOUND", err)
	}

	if m, err := reg.Mode(ctx, "", false); err != nil || m != fjord.ModeReadWrite {
		t.Errorf("global Mode = %q, %v", m, err)
	}
	if _, err := reg.Mode(ctx, "address-value", false); !errors.Is(err, fjord.ErrSubjectModeNotFound) || fjord.SchemaErrorCode(err) != 40409 {
		t.Errorf("Mode of a subject without one = %v, want SUBJECT_MODE_NOT_FOUND (40409)", err)
	}
	if m, err := reg.SetMode(ctx, "address-value", fjord.ModeReadOnly, false); err != nil || m != fjord.ModeReadOnly {
		t.Fatalf("SetMode(READONLY) = %q, %v", m, err)
	}
	if m, err := fjord.NewSchemaRegistry(cl).Mode(ctx, "address-value", false); err != nil || m != fjord.ModeReadOnly {
		t.Errorf("Mode after SetMode = %q, %v", m, err)
	}
	v2 := fjord.Schema{Schema: `{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string","default":""}]}`}
	if _, err := reg.Register(ctx, "address-value", v2); !errors.Is(err, fjord.ErrOperationNotPermitted) || fjord.SchemaErrorCode(err) != 42205 {
		t.Errorf("Register in READONLY = %v, want OPERATION_NOT_PERMITTED (42205)", err)
	}
	if old, err := reg.DeleteMode(ctx, "address-value"); err != nil || old != fjord.ModeReadOnly {
		t.Errorf("DeleteMode = %q, %v", old, err)
	}
	if _, err := reg.DeleteMode(ctx, "address-value"); !errors.Is(err, fjord.ErrSubjectModeNotFound) {
		t.Errorf("DeleteMode again = %v, want SUBJECT_MODE_NOT_FOUND", err)
	}
	if s, err := reg.Register(ctx, "address-value", v2); err != nil || s.Version != 2 {
		t.Errorf("Register after DeleteMode = %+v, %v", s, err)
	}

	var fe *fjord.Error
	if _, err := reg.SetMode(ctx, "", "FROZEN", false); !errors.As(err, &fe) || fe.Reason != fjord.ReasonInvalidMode || fjord.SchemaErrorCode(err) != 42204 {
		t.Errorf("SetMode(FROZEN) = %v, want INVALID_MODE (42204)", err)
	}
	if _, err := reg.SetMode(ctx, "", fjord.ModeImport, false); !errors.Is(err, fjord.ErrOperationNotPermitted) {
		t.Errorf("SetMode(IMPORT) over schemas = %v, want OPERATION_NOT_PERMITTED", err)
	}
	if m, err := reg.SetMode(ctx, "", fjord.ModeImport, true); err != nil || m != fjord.ModeImport {
		t.Errorf("SetMode(IMPORT, force) = %q, %v", m, err)
	}
	if old, err := reg.DeleteMode(ctx, ""); err != nil || old != fjord.ModeImport {
		t.Errorf("DeleteMode(global) = %q, %v", old, err)
	}
	if m, err := reg.Mode(ctx, "", false); err != nil || m != fjord.ModeReadWrite {
		t.Errorf("global Mode after DeleteMode = %q, %v", m, err)
	}
}

// TestAvroProduceConsume registers, serializes, produces, consumes and
// deserializes against a broker, and evolves the schema: v1 data read by a
// v2 reader gets the new field's default.
func TestAvroProduceConsume(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "users", 1, nil)
	reg := fjord.NewSchemaRegistry(cl)
	ctx := ctxT(t)

	w1, err := avro.NewSerializer(reg, avro.WithSchema(userV1))
	if err != nil {
		t.Fatal(err)
	}
	w2, err := avro.NewSerializer(reg, avro.WithSchema(userV2))
	if err != nil {
		t.Fatal(err)
	}
	p := newProducer(t, cl)
	mail := "ann@x"
	old, err := w1.Marshal(ctx, "users", struct {
		Name  string  `json:"name"`
		Age   int     `json:"age"`
		Email *string `json:"email"`
	}{"ann", 41, &mail})
	if err != nil {
		t.Fatalf("Marshal v1: %v", err)
	}
	recent, err := w2.Encode(ctx, "users", map[string]any{"name": "bob", "age": int32(7), "country": "NO"})
	if err != nil {
		t.Fatalf("Encode v2: %v", err)
	}
	for _, v := range [][]byte{old, recent} {
		if err := p.ProduceSync(ctx, &fjord.Record{Topic: "users", Value: v}); err != nil {
			t.Fatalf("ProduceSync: %v", err)
		}
	}
	if vs, err := reg.Versions(ctx, "users-value", false); err != nil || len(vs) != 2 {
		t.Errorf("auto-registered versions = %v, %v; want 2", vs, err)
	}

	c := newConsumer(t, cl)
	c.Assign("users", 0, fjord.AtStart())
	recs := pollN(t, c, 2)

	// Without a reader schema: each value as written.
	de, _ := avro.NewDeserializer(fjord.NewSchemaRegistry(cl))
	js, err := de.DecodeJSON(ctx, recs[0].Value)
	if err != nil || string(js) != `{"name":"ann","age":41,"email":"ann@x"}` {
		t.Errorf("DecodeJSON(v1 data) = %s, %v", js, err)
	}
	// As v2: old data gets the default.
	r2, _ := avro.NewDeserializer(fjord.NewSchemaRegistry(cl), avro.ReaderSchema(userV2))
	var u userV2T
	if err := r2.Unmarshal(ctx, recs[0].Value, &u); err != nil || u.Name != "ann" || u.Age != 41 || u.Country != "unknown" || u.Email == nil || *u.Email != mail {
		t.Errorf("v1 data as v2 = %+v, %v", u, err)
	}
	if err := r2.Unmarshal(ctx, recs[1].Value, &u); err != nil || u.Name != "bob" || u.Country != "NO" || u.Email != nil {
		t.Errorf("v2 data as v2 = %+v, %v", u, err)
	}
	// As v1: the new field is dropped.
	r1, _ := avro.NewDeserializer(fjord.NewSchemaRegistry(cl), avro.ReaderSchema(userV1))
	if js, err := r1.DecodeJSON(ctx, recs[1].Value); err != nil || string(js) != `{"name":"bob","age":7,"email":null}` {
		t.Errorf("v2 data as v1 = %s, %v", js, err)
	}

	// Lookup only, and the latest version.
	lookup, _ := avro.NewSerializer(fjord.NewSchemaRegistry(cl), avro.WithSchema(userV1), avro.AutoRegister(false))
	if v, err := lookup.EncodeJSON(ctx, "users", []byte(`{"name":"c","age":1}`)); err != nil {
		t.Errorf("lookup-only serializer: %v", err)
	} else if id, _, _ := avro.ParseHeader(v); id != mustID(t, reg, "users-value", userV1) {
		t.Errorf("lookup-only serializer used id %d", id)
	}
	if _, err := lookup.EncodeJSON(ctx, "other", []byte(`{"name":"c","age":1}`)); !errors.Is(err, fjord.ErrSubjectNotFound) {
		t.Errorf("lookup-only serializer, unregistered subject: %v", err)
	}
	latest, _ := avro.NewSerializer(fjord.NewSchemaRegistry(cl), avro.UseLatestVersion(true))
	if v, err := latest.EncodeJSON(ctx, "users", []byte(`{"name":"d","age":2}`)); err != nil {
		t.Errorf("use-latest serializer: %v", err)
	} else if id, _, _ := avro.ParseHeader(v); id != mustID(t, reg, "users-value", userV2) {
		t.Errorf("use-latest serializer used id %d", id)
	}
	// An incompatible writer schema is refused at registration.
	bad, _ := avro.NewSerializer(reg, avro.WithSchema(userBad))
	if _, err := bad.EncodeJSON(ctx, "users", []byte(`{"name":1,"age":2}`)); !errors.Is(err, fjord.ErrIncompatibleSchema) {
		t.Errorf("incompatible writer schema: %v", err)
	}
}

func mustID(t *testing.T, reg *fjord.SchemaRegistry, subject, schema string) int {
	t.Helper()
	s, err := reg.Lookup(ctxT(t), subject, fjord.Schema{Schema: schema})
	if err != nil {
		t.Fatalf("Lookup(%s): %v", subject, err)
	}
	return s.ID
}

// TestAvroSchemaValidation produces through the SDK serializer to topics
// whose brokers check values: Confluent-framed values with the subject's
// ids pass, anything else is refused with INVALID_RECORD.
func TestAvroSchemaValidation(t *testing.T) {
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "checked", 1, map[string]string{"value.schema.validation": "full"})
	createTopic(t, cl, "by-record", 1, map[string]string{"value.schema.validation": "id", "value.subject.name.strategy": "record"})
	reg := fjord.NewSchemaRegistry(cl)
	ctx := ctxT(t)
	p := newProducer(t, cl, fjord.MaxRetries(0))

	ser, _ := avro.NewSerializer(reg, avro.WithSchema(userV1))
	good, err := ser.EncodeJSON(ctx, "checked", []byte(`{"name":"ann","age":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "checked", Value: good}); err != nil {
		t.Fatalf("a valid value was refused: %v", err)
	}
	// Not framed; framed with an id the subject does not have; framed but
	// not decodable with the schema (full).
	other, _ := avro.NewSerializer(reg, avro.WithSchema(`"string"`))
	foreign, err := other.EncodeJSON(ctx, "elsewhere", []byte(`"x"`))
	if err != nil {
		t.Fatal(err)
	}
	truncated := good[:len(good)-1]
	for name, v := range map[string][]byte{"plain": []byte("plain text"), "foreign id": foreign, "truncated": truncated} {
		err := p.ProduceSync(ctx, &fjord.Record{Topic: "checked", Value: v})
		if !errors.Is(err, fjord.ErrInvalidRecord) {
			t.Errorf("%s value: %v, want INVALID_RECORD", name, err)
		}
	}

	// The record name strategy: the subject is the record's full name.
	byRecord, _ := avro.NewSerializer(reg, avro.WithSchema(userV1), avro.SubjectStrategy(avro.RecordName))
	v, err := byRecord.EncodeJSON(ctx, "by-record", []byte(`{"name":"bob","age":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "by-record", Value: v}); err != nil {
		t.Errorf("record-named value refused: %v", err)
	}
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "by-record", Value: foreign}); !errors.Is(err, fjord.ErrInvalidRecord) {
		t.Errorf("foreign id on by-record: %v, want INVALID_RECORD", err)
	}

	c := newConsumer(t, cl)
	c.Assign("checked", 0, fjord.AtStart())
	if recs := pollN(t, c, 1); string(recs[0].Value) != string(good) {
		t.Errorf("checked holds %q", recs[0].Value)
	}
	expectNoMore(t, c)
}
