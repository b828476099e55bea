package avro

import (
	"bytes"
	"encoding/json"
	"slices"
)

// orderJSON rewrites goavro's JSON text of a value of type t with record
// fields in schema order (goavro writes them in map order, which changes
// from one value to the next) and map keys sorted. It only reorders: every
// key and value is kept as goavro wrote it.
func orderJSON(text []byte, t *node) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeOrdered(&b, v, t); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeOrdered(b *bytes.Buffer, v any, t *node) error {
	if t != nil && t.kind == kUnion {
		t = branchFor(v, t.union)
	}
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		var fields map[string]*node
		if t != nil && t.kind == kRecord {
			fields = make(map[string]*node, len(t.fields))
			for _, f := range t.fields {
				if _, ok := v[f.name]; ok {
					keys = append(keys, f.name)
					fields[f.name] = f.typ
				}
			}
		}
		var rest []string
		for k := range v {
			if _, ok := fields[k]; !ok {
				rest = append(rest, k)
			}
		}
		slices.Sort(rest)
		keys = append(keys, rest...)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeScalar(b, k); err != nil {
				return err
			}
			b.WriteByte(':')
			var vt *node
			switch {
			case fields[k] != nil:
				vt = fields[k]
			case t != nil && t.kind == kMap:
				vt = t.values
			}
			if err := writeOrdered(b, v[k], vt); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case []any:
		var it *node
		if t != nil && t.kind == kArray {
			it = t.items
		}
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeOrdered(b, x, it); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	return writeScalar(b, v)
}

func writeScalar(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // the encoder's newline
	return nil
}

// branchFor guesses which union branch a JSON value (plain, as standard
// JSON writes unions) belongs to; only its records' field order depends on
// the guess. nil when no branch fits.
func branchFor(v any, branches []*node) *node {
	var objects []*node
	for _, b := range branches {
		switch v.(type) {
		case []any:
			if b.kind == kArray {
				return b
			}
		case map[string]any:
			if b.kind == kRecord || b.kind == kMap {
				objects = append(objects, b)
			}
		}
	}
	m, _ := v.(map[string]any)
	for _, b := range objects {
		if b.kind != kRecord || len(b.fields) != len(m) {
			continue
		}
		all := true
		for _, f := range b.fields {
			if _, ok := m[f.name]; !ok {
				all = false
			}
		}
		if all {
			return b
		}
	}
	if len(objects) > 0 {
		return objects[0]
	}
	return nil
}
