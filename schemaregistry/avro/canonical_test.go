package avro

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCanonicalSame(t *testing.T) {
	tests := []struct{ name, a, b string }{
		{"name+namespace vs full name", `{"type":"record","name":"baz","namespace":"foo.bar","fields":[]}`, `{"type":"record","name":"foo.bar.baz","fields":[]}`},
		{"full name ignores namespace", `{"type":"record","name":"foo.bar.baz","namespace":"other","fields":[]}`, `{"type":"record","name":"foo.bar.baz","fields":[]}`},
		{"int vs object", `"int"`, `{"type":"int"}`},
		{"field type object", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"string"}}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`},
		{"whitespace", "{ \"type\" : \"array\",\n\t\"items\" : \"long\" }", `{"type":"array","items":"long"}`},
		{"key order", `{"items":"long","type":"array"}`, `{"type":"array","items":"long"}`},
		{"prop key order", `{"type":"int","b":1,"a":{"y":2,"x":1}}`, `{"a":{"x":1,"y":2},"type":"int","b":1}`},
		{"nested namespace inherited", `{"type":"record","name":"Outer","namespace":"a","fields":[{"name":"i","type":{"type":"record","name":"Inner","fields":[]}},{"name":"j","type":"Inner"}]}`,
			`{"type":"record","name":"a.Outer","fields":[{"name":"i","type":{"type":"record","name":"a.Inner","fields":[]}},{"name":"j","type":"a.Inner"}]}`},
		{"nested namespace inherited through union and array", `{"type":"record","name":"a.Outer","fields":[{"name":"i","type":["null",{"type":"array","items":{"type":"enum","name":"E","symbols":["X"]}}]}]}`,
			`{"type":"record","name":"a.Outer","fields":[{"name":"i","type":["null",{"type":"array","items":{"type":"enum","name":"a.E","symbols":["X"]}}]}]}`},
		{"reference spelled as object", `{"type":"record","name":"L","fields":[{"name":"n","type":["null",{"type":"L"}]}]}`,
			`{"type":"record","name":"L","fields":[{"name":"n","type":["null","L"]}]}`},
		{"ascending order is the default", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"ascending"}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`},
		{"relative alias", `{"type":"record","name":"R","namespace":"n","aliases":["Old"],"fields":[]}`, `{"type":"record","name":"n.R","aliases":["n.Old"],"fields":[]}`},
		{"empty aliases", `{"type":"record","name":"R","aliases":[],"fields":[]}`, `{"type":"record","name":"R","fields":[]}`},
		{"double default spelling", `{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1.0}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1}]}`},
		{"double default exponent", `{"type":"record","name":"R","fields":[{"name":"a","type":"float","default":1e2}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"float","default":100.00}]}`},
		{"int default negative zero", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":-0}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}`},
		{"string escapes", `{"type":"enum","name":"E","doc":"caf\u00e9 \/","symbols":[]}`, `{"type":"enum","name":"E","doc":"café /","symbols":[]}`},
		{"record default key order", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]},"default":{"y":2,"x":1}}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]},"default":{"x":1,"y":2}}]}`},
		{"null namespace", `{"type":"record","name":"R","namespace":"","fields":[]}`, `{"type":"record","name":"R","fields":[]}`},
		{"namespace null", `{"type":"record","name":"R","namespace":null,"fields":[]}`, `{"type":"record","name":"R","fields":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustParse(t, tt.a), mustParse(t, tt.b)
			if a.Canonical() != b.Canonical() {
				t.Errorf("Canonical differs:\n%s\n%s", a.Canonical(), b.Canonical())
			}
		})
	}
}

func TestCanonicalDifferent(t *testing.T) {
	base := `{"type":"record","name":"n.R","doc":"d","fields":[{"name":"a","type":"int","default":1},{"name":"b","type":"string"}]}`
	tests := []struct{ name, other string }{
		{"different default", strings.Replace(base, `"default":1`, `"default":2`, 1)},
		{"default removed", strings.Replace(base, `,"default":1`, ``, 1)},
		{"doc changed", strings.Replace(base, `"doc":"d"`, `"doc":"e"`, 1)},
		{"doc removed", strings.Replace(base, `"doc":"d",`, ``, 1)},
		{"doc empty", strings.Replace(base, `"doc":"d"`, `"doc":""`, 1)},
		{"field doc", strings.Replace(base, `"type":"string"`, `"type":"string","doc":"x"`, 1)},
		{"aliases added", strings.Replace(base, `"doc":"d"`, `"doc":"d","aliases":["Old"]`, 1)},
		{"field aliases added", strings.Replace(base, `"type":"string"`, `"type":"string","aliases":["c"]`, 1)},
		{"logicalType added", strings.Replace(base, `"type":"string"`, `"type":{"type":"string","logicalType":"uuid"}`, 1)},
		{"custom property on type", strings.Replace(base, `"doc":"d"`, `"doc":"d","x-owner":"team"`, 1)},
		{"custom property on field", strings.Replace(base, `"type":"string"`, `"type":"string","x-pii":true`, 1)},
		{"custom property on primitive", strings.Replace(base, `"type":"string"`, `"type":{"type":"string","x-pii":true}`, 1)},
		{"field order", `{"type":"record","name":"n.R","doc":"d","fields":[{"name":"b","type":"string"},{"name":"a","type":"int","default":1}]}`},
		{"sort order", strings.Replace(base, `"type":"string"`, `"type":"string","order":"descending"`, 1)},
		{"namespace", strings.Replace(base, `"n.R"`, `"m.R"`, 1)},
		{"no namespace", strings.Replace(base, `"n.R"`, `"R"`, 1)},
		{"field renamed", strings.Replace(base, `"b"`, `"c"`, 1)},
		{"type changed", strings.Replace(base, `"type":"string"`, `"type":"bytes"`, 1)},
		{"error vs record", strings.Replace(base, `"type":"record"`, `"type":"error"`, 1)},
	}
	b := mustParse(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mustParse(t, tt.other)
			if o.Canonical() == b.Canonical() {
				t.Errorf("Canonical equal for\n%s\n%s", base, tt.other)
			}
		})
	}
	pairs := [][2]string{
		{`{"type":"enum","name":"E","symbols":["A","B"]}`, `{"type":"enum","name":"E","symbols":["B","A"]}`},
		{`{"type":"enum","name":"E","symbols":["A","B"]}`, `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`},
		{`["null","int"]`, `["int","null"]`},
		{`{"type":"fixed","name":"F","size":1}`, `{"type":"fixed","name":"F","size":2}`},
		{`{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}`},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u00ff"}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u00fe"}]}`},
		{`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{"a":1}}]}`,
			`{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{"a":1,"b":2}}]}`},
	}
	for _, p := range pairs {
		if mustParse(t, p[0]).Canonical() == mustParse(t, p[1]).Canonical() {
			t.Errorf("Canonical equal for\n%s\n%s", p[0], p[1])
		}
	}
}

func TestCanonicalForm(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"type":"int"}`, `"int"`},
		{`{"type":"long","logicalType":"timestamp-millis"}`, `{"type":"long","logicalType":"timestamp-millis"}`},
		{`{"namespace":"foo.bar","name":"baz","type":"record","fields":[{"type":"int","name":"a","default":1,"doc":"the a","x":1,"order":"descending","aliases":["b"]}],"doc":"baz!","aliases":["qux"]}`,
			`{"type":"record","name":"foo.bar.baz","doc":"baz!","aliases":["foo.bar.qux"],"fields":[{"name":"a","doc":"the a","type":"int","default":1,"order":"descending","aliases":["b"],"x":1}]}`},
		{`{"type":"enum","name":"E","namespace":"n","symbols":["A"],"default":"A","doc":"e"}`, `{"type":"enum","name":"n.E","doc":"e","symbols":["A"],"default":"A"}`},
		{`{"type":"fixed","size":16,"name":"F","logicalType":"uuid"}`, `{"type":"fixed","name":"F","size":16,"logicalType":"uuid"}`},
		{`{"type":"map","values":{"type":"array","items":"string","x":[1,2]}}`, `{"type":"map","values":{"type":"array","items":"string","x":[1,2]}}`},
		// A null-namespace type inside a namespaced one keeps "namespace":"" so that it re-parses.
		{`{"type":"record","name":"a.Outer","fields":[{"name":"i","type":{"type":"record","name":"Inner","namespace":"","fields":[]}},{"name":"j","type":"Inner"}]}`,
			`{"type":"record","name":"a.Outer","fields":[{"name":"i","type":{"type":"record","name":"Inner","namespace":"","fields":[]}},{"name":"j","type":"Inner"}]}`},
		// Strings are ASCII: everything else is \u-escaped.
		{`{"type":"string","x":"é😀<>&\t\u007f"}`, `{"type":"string","x":"\u00e9\ud83d\ude00<>&\u0009\u007f"}`},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.in).Canonical(); got != tt.want {
			t.Errorf("Canonical(%s)\n = %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestCanonicalBytesDefault: code points 128-255 of a bytes default survive byte for byte, the bug
// of libraries that turn the default into []byte and write it back as UTF-8.
func TestCanonicalBytesDefault(t *testing.T) {
	in := `{"type":"record","name":"R","fields":[{"name":"b","type":"bytes","default":"\u0000\u0001\u007f\u0080\u00c3\u00a9\u00ff"},` +
		`{"name":"f","type":{"type":"fixed","name":"F","size":3},"default":"\u0080\u0090\u00ff"}]}`
	s := mustParse(t, in)
	want := `{"type":"record","name":"R","fields":[{"name":"b","type":"bytes","default":"\u0000\u0001\u007f\u0080\u00c3\u00a9\u00ff"},` +
		`{"name":"f","type":{"type":"fixed","name":"F","size":3},"default":"\u0080\u0090\u00ff"}]}`
	if s.Canonical() != want {
		t.Fatalf("Canonical = %s\nwant        %s", s.Canonical(), want)
	}
	var decoded struct {
		Fields []struct{ Default string }
	}
	if err := json.Unmarshal([]byte(s.Canonical()), &decoded); err != nil {
		t.Fatal(err)
	}
	wantBytes := []rune{0, 1, 0x7f, 0x80, 0xc3, 0xa9, 0xff}
	if got := []rune(decoded.Fields[0].Default); string(got) != string(wantBytes) {
		t.Errorf("bytes default code points = %U, want %U", got, wantBytes)
	}
	again := mustParse(t, s.Canonical())
	if again.Canonical() != s.Canonical() {
		t.Errorf("re-parsed Canonical differs: %s", again.Canonical())
	}
}

func TestCanonicalReparses(t *testing.T) {
	for _, text := range validSchemas {
		s := mustParse(t, text)
		again, err := Parse(s.Canonical())
		if err != nil {
			t.Errorf("Canonical %s does not parse: %v", s.Canonical(), err)
			continue
		}
		if again.Canonical() != s.Canonical() {
			t.Errorf("Canonical not stable:\n%s\n%s", s.Canonical(), again.Canonical())
		}
	}
}
