package avro

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"
)

// TestCheckBinary: data goavro encodes passes, every strict prefix and a
// trailing byte fail, and hostile lengths and counts get an error.
func TestCheckBinary(t *testing.T) {
	for _, tc := range []struct {
		schema string
		native any
	}{
		{`"null"`, nil},
		{`"boolean"`, true},
		{`"int"`, int32(-300)},
		{`"long"`, int64(1) << 40},
		{`"float"`, float32(1.5)},
		{`"double"`, 2.5},
		{`"bytes"`, []byte("abc")},
		{`"string"`, "héllo"},
		{`{"type":"fixed","name":"F","size":3}`, []byte("xyz")},
		{`{"type":"enum","name":"E","symbols":["A","B"]}`, "B"},
		{`["null","string"]`, map[string]any{"string": "s"}},
		{`{"type":"array","items":"long"}`, []any{int64(1), int64(2)}},
		{`{"type":"array","items":"null"}`, []any{nil, nil, nil}},
		{`{"type":"map","values":"int"}`, map[string]any{"a": int32(1), "b": int32(2)}},
		{linkedList, map[string]any{"value": int32(1), "next": map[string]any{"LinkedList": map[string]any{"value": int32(2), "next": nil}}}},
	} {
		s := mustParse(t, tc.schema)
		codec, err := goavro.NewCodec(tc.schema)
		if err != nil {
			t.Fatal(err)
		}
		data, err := codec.BinaryFromNative(nil, tc.native)
		if err != nil {
			t.Fatalf("%s: %v", tc.schema, err)
		}
		if err := s.CheckBinary(data); err != nil {
			t.Errorf("%s: %x: %v", tc.schema, data, err)
		}
		for i := range data {
			if err := s.CheckBinary(data[:i]); err == nil {
				t.Errorf("%s: prefix %x of %x accepted", tc.schema, data[:i], data)
			}
		}
		if err := s.CheckBinary(append(data, 0)); err == nil {
			t.Errorf("%s: trailing byte accepted", tc.schema)
		}
	}
	long := func(vs ...int64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.AppendVarint(b, v)
		}
		return b
	}
	for _, tc := range []struct {
		schema, want string
		data         []byte
	}{
		{`"boolean"`, "not 0 or 1", []byte{2}},
		{`"int"`, "out of range", long(1 << 40)},
		{`"long"`, "overflows", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{`"string"`, "negative length", long(-1)},
		{`"bytes"`, "ends early", long(1 << 40)},
		{`{"type":"enum","name":"E","symbols":["A"]}`, "out of range", long(1)},
		{`["null","int"]`, "union branch", long(2)},
		{`{"type":"array","items":"int"}`, "items with", long(1<<31-1, 0)},
		{`{"type":"array","items":"int"}`, "block size", long(-2, 1<<40)},
		{`{"type":"array","items":"int"}`, "block count", long(-1 << 63)},
		{`{"type":"map","values":"null"}`, "items with", long(1<<31-1, 0)},
		{`{"type":"array","items":"null"}`, "encode to no bytes", long(1<<31-1, 0)},
		{`{"type":"array","items":{"type":"array","items":"null"}}`, "encode to no bytes", long(2, 1<<15+1, 0, 1<<15, 0, 0)},
	} {
		err := mustParse(t, tc.schema).CheckBinary(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %x: %v, want an error containing %q", tc.schema, tc.data, err, tc.want)
		}
	}
}

// FuzzCheckBinary: CheckBinary never panics, and what it accepts goavro
// decodes entirely.
func FuzzCheckBinary(f *testing.F) {
	schemas := []string{`{"type":"array","items":{"type":"map","values":["null","string",{"type":"enum","name":"E","symbols":["A","B"]}]}}`, linkedList,
		`{"type":"record","name":"R","fields":[{"name":"a","type":"boolean"},{"name":"b","type":"float"},{"name":"c","type":{"type":"fixed","name":"F","size":2}},{"name":"d","type":{"type":"array","items":"null"}}]}`}
	for i := range schemas {
		f.Add(uint8(i), []byte{})
		f.Add(uint8(i), []byte{2, 2, 0, 0})
		f.Add(uint8(i), []byte{3, 4, 2, 'a', 0, 0})
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		text := schemas[int(which)%len(schemas)]
		if mustParse(t, text).CheckBinary(data) != nil {
			return
		}
		codec, err := goavro.NewCodec(text)
		if err != nil {
			t.Fatal(err)
		}
		if _, rest, err := codec.NativeFromBinary(data); err != nil || len(rest) > 0 {
			t.Fatalf("%s: CheckBinary accepts %x, goavro: %v (%d bytes left)", text, data, err, len(rest))
		}
	})
}
