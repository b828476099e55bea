package avro

import (
	"context"
	"strings"
	"testing"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// userV2 adds a defaulted field to userV1 (a BACKWARD compatible change).
const userV2 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"age","type":"int"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"country","type":"string","default":"unknown"}]}`

// resolveJSON writes value (JSON) with writer, then reads it with reader.
func resolveJSON(t *testing.T, writer, reader, value string) (string, error) {
	t.Helper()
	ctx := context.Background()
	reg := newFakeRegistry()
	ser, err := NewSerializer(reg, WithSchema(writer))
	if err != nil {
		t.Fatalf("writer schema: %v", err)
	}
	b, err := ser.EncodeJSON(ctx, "t", []byte(value))
	if err != nil {
		t.Fatalf("EncodeJSON(%s): %v", value, err)
	}
	de, err := NewDeserializer(reg, ReaderSchema(reader))
	if err != nil {
		t.Fatalf("reader schema: %v", err)
	}
	js, err := de.DecodeJSON(ctx, b)
	return string(js), err
}

func TestResolve(t *testing.T) {
	rec := func(fields string) string {
		return `{"type":"record","name":"R","namespace":"n","fields":[` + fields + `]}`
	}
	for _, tt := range []struct {
		name, writer, reader, value, want string
	}{
		{"added field takes its default", userV1, userV2,
			`{"name":"a","age":1,"email":"e"}`, `{"name":"a","age":1,"email":"e","country":"unknown"}`},
		{"removed field is dropped", userV2, userV1,
			`{"name":"a","age":1,"email":null,"country":"NO"}`, `{"name":"a","age":1,"email":null}`},
		{"fields reordered", rec(`{"name":"a","type":"int"},{"name":"b","type":"string"}`), rec(`{"name":"b","type":"string"},{"name":"a","type":"int"}`),
			`{"a":1,"b":"x"}`, `{"b":"x","a":1}`},
		{"promotions", rec(`{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},{"name":"s","type":"string"},{"name":"b","type":"bytes"}`),
			rec(`{"name":"i","type":"double"},{"name":"l","type":"float"},{"name":"f","type":"double"},{"name":"s","type":"bytes"},{"name":"b","type":"string"}`),
			`{"i":3,"l":4,"f":1.5,"s":"hi","b":"yo"}`, `{"i":3,"l":4,"f":1.5,"s":"hi","b":"yo"}`},
		{"field alias", rec(`{"name":"old","type":"int"}`), rec(`{"name":"new","type":"int","aliases":["old"]}`), `{"old":5}`, `{"new":5}`},
		{"record renamed with an alias", `{"type":"record","name":"a.Old","fields":[{"name":"x","type":"int"}]}`,
			`{"type":"record","name":"b.New","aliases":["a.Old"],"fields":[{"name":"x","type":"int"}]}`, `{"x":1}`, `{"x":1}`},
		{"enum symbol mapped by name", rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["A","B"]}}`),
			rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["B","A"]}}`), `{"c":"A"}`, `{"c":"A"}`},
		{"unknown enum symbol takes the reader default", rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["A","NEW"]}}`),
			rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["A","OTHER"],"default":"OTHER"}}`), `{"c":"NEW"}`, `{"c":"OTHER"}`},
		{"writer non-union into reader union", rec(`{"name":"x","type":"int"}`), rec(`{"name":"x","type":["null","long"]}`), `{"x":7}`, `{"x":7}`},
		{"writer union into reader non-union", rec(`{"name":"x","type":["null","string"]}`), rec(`{"name":"x","type":"string"}`), `{"x":"s"}`, `{"x":"s"}`},
		{"arrays and maps recurse", rec(`{"name":"a","type":{"type":"array","items":"int"}},{"name":"m","type":{"type":"map","values":"int"}}`),
			rec(`{"name":"a","type":{"type":"array","items":"long"}},{"name":"m","type":{"type":"map","values":"double"}}`),
			`{"a":[1,2,3],"m":{"k":4}}`, `{"a":[1,2,3],"m":{"k":4}}`},
		{"nested record with a new field", rec(`{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"x","type":"int"}]}}`),
			rec(`{"name":"in","type":{"type":"record","name":"I","fields":[{"name":"x","type":"int"},{"name":"y","type":{"type":"array","items":"int"},"default":[1]}]}}`),
			`{"in":{"x":1}}`, `{"in":{"x":1,"y":[1]}}`},
		{"defaults of every kind", rec(`{"name":"x","type":"int"}`),
			rec(`{"name":"x","type":"int"},{"name":"b","type":"boolean","default":true},{"name":"l","type":"long","default":9007199254740993},
			{"name":"d","type":"double","default":2.5},{"name":"by","type":"bytes","default":"\u00ff"},{"name":"u","type":["null","int"],"default":null},
			{"name":"u2","type":["int","null"],"default":3},{"name":"m","type":{"type":"map","values":"int"},"default":{"a":1}},
			{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"ab"},
			{"name":"r","type":{"type":"record","name":"D","fields":[{"name":"q","type":"int","default":4},{"name":"p","type":"string"}]},"default":{"p":"z"}}`),
			`{"x":1}`, `{"x":1,"b":true,"l":9007199254740993,"d":2.5,"by":"\u00ff","u":null,"u2":3,"m":{"a":1},"f":"ab","r":{"q":4,"p":"z"}}`},
		{"recursive type", `{"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]}`,
			`{"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]},{"name":"tag","type":"string","default":"t"}]}`,
			`{"v":1,"next":{"v":2,"next":null}}`, `{"v":1,"next":{"v":2,"next":null,"tag":"t"},"tag":"t"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveJSON(t, tt.writer, tt.reader, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, []byte(got), []byte(tt.want)) {
				t.Errorf("read %s, want %s", got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	rec := func(fields string) string {
		return `{"type":"record","name":"R","fields":[` + fields + `]}`
	}
	for _, tt := range []struct {
		name, writer, reader, value, want string
	}{
		{"new field without a default", rec(`{"name":"a","type":"int"}`), rec(`{"name":"a","type":"int"},{"name":"b","type":"int"}`),
			`{"a":1}`, "/fields/b: the writer has no field b"},
		{"narrowing", rec(`{"name":"a","type":"long"}`), rec(`{"name":"a","type":"int"}`), `{"a":1}`,
			"/fields/a: reader type int cannot read writer type long"},
		{"unknown symbol without a default", rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["A","B"]}}`),
			rec(`{"name":"c","type":{"type":"enum","name":"C","symbols":["A"]}}`), `{"c":"B"}`, "symbol B is not in reader enum C"},
		{"other record name", `{"type":"record","name":"A","fields":[]}`, `{"type":"record","name":"B","fields":[]}`, `{}`,
			"reader type B cannot read writer type A"},
		{"no matching union branch", rec(`{"name":"x","type":"string"}`), rec(`{"name":"x","type":["null","int"]}`), `{"x":"s"}`,
			"writer type string matches no branch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveJSON(t, tt.writer, tt.reader, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestEvolution is the schema evolution round trip: v1 data read by a
// v2 reader that added a defaulted field, v2 data read by the v1 reader,
// through one Deserializer each.
func TestEvolution(t *testing.T) {
	ctx := context.Background()
	reg := newFakeRegistry()
	w1, _ := NewSerializer(reg, WithSchema(userV1))
	w2, _ := NewSerializer(reg, WithSchema(userV2))
	old, err := w1.Marshal(ctx, "users", map[string]any{"name": "ann", "age": 41, "email": nil})
	if err != nil {
		t.Fatal(err)
	}
	recent, err := w2.Marshal(ctx, "users", map[string]any{"name": "bob", "age": 7, "email": "b@x", "country": "NO"})
	if err != nil {
		t.Fatal(err)
	}
	type userV2T struct {
		Name    string  `json:"name"`
		Age     int     `json:"age"`
		Email   *string `json:"email"`
		Country string  `json:"country"`
	}
	r2, _ := NewDeserializer(reg, ReaderSchema(userV2))
	var u userV2T
	if err := r2.Unmarshal(ctx, old, &u); err != nil || u.Name != "ann" || u.Country != "unknown" || u.Email != nil {
		t.Errorf("v1 data read as v2: %+v, %v", u, err)
	}
	if err := r2.Unmarshal(ctx, recent, &u); err != nil || u.Name != "bob" || u.Country != "NO" || *u.Email != "b@x" {
		t.Errorf("v2 data read as v2: %+v, %v", u, err)
	}
	r1, _ := NewDeserializer(reg, ReaderSchema(userV1))
	v, err := r1.Decode(ctx, recent)
	if m, ok := v.(map[string]any); err != nil || !ok || len(m) != 3 || m["name"] != "bob" {
		t.Errorf("v2 data read as v1: %v, %v", v, err)
	}
	// A reader schema with references takes them from the registry.
	reg.put("ref", 50, fjord.Schema{Schema: `{"type":"enum","name":"x.Country","symbols":["NO","SE"],"default":"NO"}`})
	r3, err := NewDeserializer(reg, ReaderSchema(`{"type":"record","name":"User","namespace":"com.example","fields":[
	  {"name":"name","type":"string"},{"name":"c","type":"x.Country","default":"SE"}]}`,
		fjord.SchemaReference{Name: "x.Country", Subject: "ref", Version: 1}))
	if err != nil {
		t.Fatal(err)
	}
	js, err := r3.DecodeJSON(ctx, old)
	if err != nil || !jsonEqual(t, js, []byte(`{"name":"ann","c":"SE"}`)) {
		t.Errorf("read with a referencing reader schema: %s, %v", js, err)
	}
}

// FuzzResolve decodes arbitrary payloads written "with" one schema as
// another: errors are fine, panics and hangs are not.
func FuzzResolve(f *testing.F) {
	writer := `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"null"}},
	  {"name":"m","type":{"type":"map","values":["null","int","string"]}},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
	  {"name":"n","type":["null","R"]}]}`
	reader := `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"null"}},
	  {"name":"m","type":{"type":"map","values":["null","long","bytes"]}},{"name":"e","type":{"type":"enum","name":"E","symbols":["B","A"]}},
	  {"name":"n","type":["null","R"]},{"name":"x","type":"double","default":1.5}]}`
	reg := newFakeRegistry()
	reg.put("s", 1, fjord.Schema{Schema: writer})
	de, err := NewDeserializer(reg, ReaderSchema(reader))
	if err != nil {
		f.Fatal(err)
	}
	plain, _ := NewDeserializer(reg)
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 1, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 1, 2, 2, 0, 2, 2, 0x61, 2, 4, 0, 2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		de.Decode(context.Background(), b)
		plain.Decode(context.Background(), b)
	})
}

// TestNestedEmptyBlocks: blocks of empty items nested in blocks cannot
// multiply past one value's item budget (803 bytes of arrays of 65536
// nulls each made goavro allocate 200 MB), while as many items as the
// budget allows still decode.
func TestNestedEmptyBlocks(t *testing.T) {
	reg := newFakeRegistry()
	reg.put("s", 1, fjord.Schema{Schema: `{"type":"array","items":{"type":"array","items":"null"}}`})
	de, err := NewDeserializer(reg)
	if err != nil {
		t.Fatal(err)
	}
	frame := func(outer, inner int) []byte {
		b := appendLong(AppendHeader(nil, 1), int64(outer))
		for range outer {
			b = appendLong(appendLong(b, int64(inner)), 0)
		}
		return appendLong(b, 0)
	}
	if _, err := de.Decode(context.Background(), frame(200, maxZeroSizeItems)); err == nil || !strings.Contains(err.Error(), "items in") {
		t.Fatalf("200 blocks of %d nulls: error %v, want a corrupt block count", maxZeroSizeItems, err)
	}
	v, err := de.Decode(context.Background(), frame(4, maxZeroSizeItems/4))
	if err != nil {
		t.Fatalf("4 blocks of %d nulls: %v", maxZeroSizeItems/4, err)
	}
	if got := v.([]any); len(got) != 4 || len(got[3].([]any)) != maxZeroSizeItems/4 {
		t.Fatalf("decoded %d outer items", len(got))
	}
}

// TestInfiniteRecord: a record that always contains itself has no finite
// value; it is refused as a schema (reading with it recursed until the
// stack overflowed), while a record that may end (through a union with
// another branch, an array or a map) is fine.
func TestInfiniteRecord(t *testing.T) {
	for _, tt := range []struct {
		schema string
		bad    bool
	}{
		{`{"type":"record","name":"N","fields":[{"name":"n","type":"N"}]}`, true},
		{`{"type":"record","name":"N","fields":[{"name":"n","type":["N"]}]}`, true},
		{`{"type":"record","name":"A","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[{"name":"a","type":"A"}]}}]}`, true},
		{`{"type":"record","name":"N","fields":[{"name":"n","type":["null","N"]}]}`, false},
		{`{"type":"record","name":"N","fields":[{"name":"n","type":{"type":"array","items":"N"}}]}`, false},
		{`{"type":"record","name":"N","fields":[{"name":"n","type":{"type":"map","values":"N"}}]}`, false},
		{`{"type":"record","name":"A","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]}]}}]}`, false},
	} {
		_, err := NewDeserializer(newFakeRegistry(), ReaderSchema(tt.schema))
		if bad := err != nil && strings.Contains(err.Error(), "no finite value"); bad != tt.bad || (!tt.bad && err != nil) {
			t.Errorf("%s: error %v, want refused %v", tt.schema, err, tt.bad)
		}
	}
	// A writer schema fetched by id is refused too, with the id named.
	reg := newFakeRegistry()
	reg.put("s", 1, fjord.Schema{Schema: `{"type":"record","name":"N","fields":[{"name":"n","type":"N"}]}`})
	de, err := NewDeserializer(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := de.Decode(context.Background(), AppendHeader(nil, 1)); err == nil || !strings.Contains(err.Error(), "no finite value") {
		t.Fatalf("Decode with an infinite writer schema: %v", err)
	}
}
