package avro

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/linkedin/goavro/v2"

	fjord "github.com/fjordlog/fjord/clients/go"
)

const userV1 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null}]}`

func TestHeader(t *testing.T) {
	for _, id := range []int{0, 1, 255, 256, 1 << 24, 1<<31 - 1} {
		b := AppendHeader([]byte("x"), id)
		got, rest, err := ParseHeader(append(b[1:], 9))
		if err != nil || got != id || !bytes.Equal(rest, []byte{9}) {
			t.Errorf("id %d: header % x parsed as %d, %v, %v", id, b[1:], got, rest, err)
		}
	}
	if got := AppendHeader(nil, 0x01020304); !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Errorf("AppendHeader = % x, want big-endian after a 0 byte", got)
	}
	for _, bad := range [][]byte{nil, {0}, {0, 0, 0, 1}, {1, 0, 0, 0, 1}, {0xc3, 0x01, 0, 0, 0, 0}} {
		if _, _, err := ParseHeader(bad); !errors.Is(err, ErrNotFramed) {
			t.Errorf("ParseHeader(% x) = %v, want ErrNotFramed", bad, err)
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 2})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, rest, err := ParseHeader(b)
		if err != nil {
			return
		}
		if !bytes.Equal(append(AppendHeader(nil, id), rest...), b) {
			t.Fatalf("ParseHeader(% x) does not round trip", b)
		}
	})
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// TestWireVectors checks the shared cross-language vectors in
// clients/testdata/avro_wire.json both ways.
func TestWireVectors(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/avro_wire.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Schema string `json:"schema"`
			ID     int    `json:"id"`
			JSON   string `json:"json"`
			Hex    string `json:"hex"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, c := range file.Cases {
		reg := newFakeRegistry()
		reg.put("t-value", c.ID, fjord.Schema{Schema: c.Schema})
		ser, err := NewSerializer(reg, WithSchema(c.Schema), AutoRegister(false))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ser.EncodeJSON(ctx, "t", []byte(c.JSON))
		if err != nil {
			t.Errorf("case %d: EncodeJSON: %v", i, err)
			continue
		}
		if hex.EncodeToString(got) != c.Hex {
			t.Errorf("case %d: encoded %x, want %s", i, got, c.Hex)
		}
		want, _ := hex.DecodeString(c.Hex)
		de, _ := NewDeserializer(reg)
		js, err := de.DecodeJSON(ctx, want)
		if err != nil {
			t.Errorf("case %d: DecodeJSON: %v", i, err)
			continue
		}
		if !jsonEqual(t, js, []byte(c.JSON)) {
			t.Errorf("case %d: decoded %s, want %s", i, js, c.JSON)
		}
	}
}

func TestSubjectStrategies(t *testing.T) {
	for _, tt := range []struct {
		f            SubjectNameStrategy
		key          bool
		record, want string
		wantErr      bool
	}{
		{TopicName, false, "", "orders-value", false},
		{TopicName, true, "com.example.User", "orders-key", false},
		{RecordName, false, "com.example.User", "com.example.User", false},
		{RecordName, false, "", "", true},
		{TopicRecordName, true, "com.example.User", "orders-com.example.User", false},
		{TopicRecordName, false, "", "", true},
	} {
		got, err := tt.f("orders", tt.key, tt.record)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("strategy(orders, %t, %q) = %q, %v; want %q (error %t)", tt.key, tt.record, got, err, tt.want, tt.wantErr)
		}
	}
	// Through a serializer: the record name is the schema's full name.
	reg := newFakeRegistry()
	ser, _ := NewSerializer(reg, WithSchema(userV1), SubjectStrategy(TopicRecordName), ForKeys())
	if _, err := ser.Encode(context.Background(), "orders", map[string]any{"name": "a", "age": int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := reg.subjects["orders-com.example.User"]; !ok {
		t.Errorf("subjects %v, want orders-com.example.User", reg.subjects)
	}
	if _, err := NewSerializer(reg, WithSchema(`"string"`), SubjectStrategy(RecordName)); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTripForms(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	ser, err := NewSerializer(reg, WithSchema(userV1))
	if err != nil {
		t.Fatal(err)
	}
	de, _ := NewDeserializer(reg)

	// Native: unions as goavro.Union, a missing field takes its default.
	b, err := ser.Encode(ctx, "users", map[string]any{"name": "ann", "age": int32(41), "email": goavro.Union("string", "ann@x")})
	if err != nil {
		t.Fatal(err)
	}
	v, err := de.Decode(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "ann", "age": int32(41), "email": map[string]any{"string": "ann@x"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("Decode = %#v, want %#v", v, want)
	}
	b, err = ser.Encode(ctx, "users", map[string]any{"name": "bob", "age": int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	js, err := de.DecodeJSON(ctx, b)
	if err != nil || !jsonEqual(t, js, []byte(`{"name":"bob","age":7,"email":null}`)) {
		t.Errorf("DecodeJSON = %s, %v", js, err)
	}

	// Structs through encoding/json.
	type user struct {
		Name  string  `json:"name"`
		Age   int     `json:"age"`
		Email *string `json:"email"`
	}
	mail := "cy@x"
	b, err = ser.Marshal(ctx, "users", user{Name: "cy", Age: 30, Email: &mail})
	if err != nil {
		t.Fatal(err)
	}
	var u user
	if err := de.Unmarshal(ctx, b, &u); err != nil || u.Name != "cy" || u.Age != 30 || u.Email == nil || *u.Email != mail {
		t.Errorf("Unmarshal = %+v, %v", u, err)
	}

	// Values that do not fit.
	if _, err := ser.EncodeJSON(ctx, "users", []byte(`{"name":1,"age":2}`)); err == nil {
		t.Error("EncodeJSON of a mistyped field: no error")
	}
	if _, err := ser.EncodeJSON(ctx, "users", []byte(`{"name":"a","age":2} x`)); err == nil {
		t.Error("EncodeJSON with trailing data: no error")
	}
	if _, err := ser.Encode(ctx, "users", map[string]any{"age": int32(2)}); err == nil {
		t.Error("Encode without a required field: no error")
	}
	// Data that is not framed, or names an unknown id, or has extra bytes.
	if _, err := de.Decode(ctx, []byte("plain text")); !errors.Is(err, ErrNotFramed) {
		t.Errorf("Decode(plain text) = %v, want ErrNotFramed", err)
	}
	if _, err := de.Decode(ctx, AppendHeader(nil, 99)); !errors.Is(err, fjord.ErrSchemaNotFound) {
		t.Errorf("Decode(unknown id) = %v, want ErrSchemaNotFound", err)
	}
	if _, err := de.Decode(ctx, append(bytes.Clone(b), 0)); err == nil || !strings.Contains(err.Error(), "bytes after the value") {
		t.Errorf("Decode(extra byte) = %v", err)
	}
}

func TestAutoRegisterAndCaching(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	off, _ := NewSerializer(reg, WithSchema(userV1), AutoRegister(false))
	_, err := off.Encode(ctx, "users", map[string]any{"name": "a", "age": int32(1)})
	var fe *fjord.Error
	if !errors.Is(err, fjord.ErrSubjectNotFound) || !errors.As(err, &fe) || !strings.Contains(err.Error(), `subject "users-value"`) {
		t.Fatalf("Encode with auto-register off, unregistered = %v, want ErrSubjectNotFound naming the subject", err)
	}

	on, _ := NewSerializer(reg, WithSchema(userV1))
	de, _ := NewDeserializer(reg)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				b, err := on.Encode(ctx, "users", map[string]any{"name": "a", "age": int32(1)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := de.Decode(ctx, b); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// Concurrent first uses may each ask; later ones must not.
	if n := reg.count("Register"); n < 1 || n > 8 {
		t.Errorf("Register called %d times for 400 encodes", n)
	}
	if n := reg.count("SchemaByID"); n < 1 || n > 8 {
		t.Errorf("SchemaByID called %d times for 400 decodes", n)
	}
	// Now registered: the lookup-only serializer finds it, once.
	for range 3 {
		if _, err := off.Encode(ctx, "users", map[string]any{"name": "a", "age": int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.count("Lookup"); n != 2 {
		t.Errorf("Lookup called %d times, want 2 (the failure, then once)", n)
	}
}

func TestUseLatestVersion(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	if _, err := NewSerializer(reg); err == nil {
		t.Fatal("NewSerializer without a schema or UseLatestVersion: no error")
	}
	reg.put("users-value", 10, fjord.Schema{Schema: userV1})
	reg.put("users-value", 11, fjord.Schema{Schema: userV2})
	ser, err := NewSerializer(reg, UseLatestVersion(true))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ser.EncodeJSON(ctx, "users", []byte(`{"name":"a","age":1,"email":null,"country":"NO"}`))
	if err != nil {
		t.Fatal(err)
	}
	if id, _, _ := ParseHeader(b); id != 11 {
		t.Errorf("encoded with id %d, want the latest, 11", id)
	}
	if reg.count("Register") != 0 {
		t.Error("UseLatestVersion registered a schema")
	}
	if _, err := ser.EncodeJSON(ctx, "nope", []byte(`{}`)); !errors.Is(err, fjord.ErrSubjectNotFound) {
		t.Errorf("latest of a missing subject: %v", err)
	}
}

func TestReferences(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	addr := `{"type":"record","name":"Address","namespace":"com.example","fields":[{"name":"city","type":"string"}]}`
	reg.put("address", 1, fjord.Schema{Schema: addr})
	order := `{"type":"record","name":"Order","namespace":"com.example","fields":[
	  {"name":"from","type":"com.example.Address"},{"name":"to","type":"Address"}]}`
	refs := []fjord.SchemaReference{{Name: "com.example.Address", Subject: "address", Version: 1}}
	ser, err := NewSerializer(reg, WithSchema(order, refs...))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ser.EncodeJSON(ctx, "orders", []byte(`{"from":{"city":"Oslo"},"to":{"city":"Bergen"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := reg.subjects["orders-value"][0].References; !reflect.DeepEqual(got, refs) {
		t.Errorf("registered with references %v, want %v", got, refs)
	}
	de, _ := NewDeserializer(reg)
	js, err := de.DecodeJSON(ctx, b)
	if err != nil || !jsonEqual(t, js, []byte(`{"from":{"city":"Oslo"},"to":{"city":"Bergen"}}`)) {
		t.Errorf("DecodeJSON = %s, %v", js, err)
	}
	// A reference that is not registered.
	bad, _ := NewSerializer(reg, WithSchema(order, fjord.SchemaReference{Name: "com.example.Address", Subject: "nope", Version: 1}))
	if _, err := bad.EncodeJSON(ctx, "o2", []byte(`{}`)); !errors.Is(err, fjord.ErrSubjectNotFound) {
		t.Errorf("missing reference: %v", err)
	}
}

func TestDecodeJSONOrder(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	schema := `{"type":"record","name":"R","fields":[{"name":"z","type":"int"},{"name":"a","type":"string"},
	  {"name":"m","type":{"type":"map","values":{"type":"record","name":"In","fields":[{"name":"y","type":"int"},{"name":"b","type":"int"}]}}},
	  {"name":"u","type":["null",{"type":"map","values":"int"},"In"]},{"name":"l","type":{"type":"array","items":"In"}}]}`
	ser, _ := NewSerializer(reg, WithSchema(schema))
	de, _ := NewDeserializer(reg)
	in := `{"z":1,"a":"x","m":{"k2":{"y":1,"b":2},"k1":{"y":3,"b":4}},"u":{"y":5,"b":6},"l":[{"y":7,"b":8}]}`
	want := `{"z":1,"a":"x","m":{"k1":{"y":3,"b":4},"k2":{"y":1,"b":2}},"u":{"y":5,"b":6},"l":[{"y":7,"b":8}]}`
	b, err := ser.EncodeJSON(ctx, "t", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 { // goavro's own order changes from call to call
		js, err := de.DecodeJSON(ctx, b)
		if err != nil || string(js) != want {
			t.Fatalf("DecodeJSON = %s, %v; want %s", js, err, want)
		}
	}
}
