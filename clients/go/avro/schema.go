package avro

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// kind is an Avro type.
type kind uint8

const (
	kNull kind = iota
	kBoolean
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kRecord
	kEnum
	kArray
	kMap
	kFixed
	kUnion
)

var primitives = map[string]kind{
	"null": kNull, "boolean": kBoolean, "int": kInt, "long": kLong,
	"float": kFloat, "double": kDouble, "bytes": kBytes, "string": kString,
}

func (k kind) String() string {
	for name, p := range primitives {
		if p == k {
			return name
		}
	}
	return [...]string{kRecord: "record", kEnum: "enum", kArray: "array", kMap: "map", kFixed: "fixed", kUnion: "union"}[k]
}

// node is a parsed Avro type: what the resolver needs of a schema (names,
// fields, defaults, symbols, sizes, branches), nothing more. goavro does
// the validation and the encoding; this tree only drives schema
// resolution, which goavro lacks.
type node struct {
	kind    kind
	name    string   // full name of a named type
	aliases []string // full names (records, enums, fixed)
	fields  []*field // record
	symbols []string // enum
	enumDef string   // enum default symbol ("" if none)
	hasDef  bool     // enum has a default
	size    int      // fixed
	items   *node    // array
	values  *node    // map
	union   []*node  // union branches
}

type field struct {
	name    string
	aliases []string
	typ     *node
	def     any // the default as JSON (json.Number for numbers)
	hasDef  bool
}

// typeName names t in messages.
func (t *node) typeName() string {
	if t.name != "" {
		return t.name
	}
	return t.kind.String()
}

// parseSchema parses schema JSON text into a tree.
func parseSchema(text string) (*node, error) {
	v, err := decodeJSON(text)
	if err != nil {
		return nil, fmt.Errorf("avro: schema is not JSON: %w", err)
	}
	p := &parser{named: map[string]*node{}}
	return p.parse(v, "")
}

func decodeJSON(text string) (any, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

type parser struct {
	named map[string]*node // full name -> type
}

// fullName qualifies name with namespace ns (as goavro does: a name with a
// dot is full, else the namespace given, else the enclosing one).
func fullName(name, ns, enclosing string) string {
	switch {
	case strings.Contains(name, "."):
		return name
	case ns != "":
		return ns + "." + name
	case enclosing != "":
		return enclosing + "." + name
	}
	return name
}

// namespaceOf returns the namespace part of a full name.
func namespaceOf(full string) string {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i]
	}
	return ""
}

func (p *parser) parse(v any, ns string) (*node, error) {
	switch v := v.(type) {
	case string:
		if k, ok := primitives[v]; ok {
			return &node{kind: k}, nil
		}
		if t, ok := p.named[fullName(v, "", ns)]; ok {
			return t, nil
		}
		if t, ok := p.named[v]; ok {
			return t, nil
		}
		return nil, fmt.Errorf("avro: unknown type %q", v)
	case []any:
		u := &node{kind: kUnion}
		for _, b := range v {
			t, err := p.parse(b, ns)
			if err != nil {
				return nil, err
			}
			u.union = append(u.union, t)
		}
		return u, nil
	case map[string]any:
		return p.parseObject(v, ns)
	}
	return nil, fmt.Errorf("avro: invalid schema element %v", v)
}

func (p *parser) parseObject(m map[string]any, ns string) (*node, error) {
	typ, ok := m["type"].(string)
	if !ok {
		// {"type": {...}} or {"type": [...]}: a wrapped type.
		if inner, ok := m["type"]; ok {
			return p.parse(inner, ns)
		}
		return nil, fmt.Errorf("avro: schema object without a type")
	}
	switch typ {
	case "record", "error", "enum", "fixed":
	case "array":
		items, err := p.parse(m["items"], ns)
		if err != nil {
			return nil, err
		}
		return &node{kind: kArray, items: items}, nil
	case "map":
		values, err := p.parse(m["values"], ns)
		if err != nil {
			return nil, err
		}
		return &node{kind: kMap, values: values}, nil
	default:
		// A primitive with attributes (logicalType...), or a named type.
		return p.parse(typ, ns)
	}
	name, _ := m["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("avro: %s without a name", typ)
	}
	space, _ := m["namespace"].(string)
	t := &node{name: fullName(name, space, ns)}
	inner := namespaceOf(t.name)
	if al, ok := m["aliases"].([]any); ok {
		for _, a := range al {
			if s, ok := a.(string); ok {
				t.aliases = append(t.aliases, fullName(s, "", inner))
			}
		}
	}
	p.named[t.name] = t // before the fields: a record may refer to itself
	switch typ {
	case "enum":
		t.kind = kEnum
		syms, _ := m["symbols"].([]any)
		for _, s := range syms {
			str, _ := s.(string)
			t.symbols = append(t.symbols, str)
		}
		t.enumDef, t.hasDef = m["default"].(string)
	case "fixed":
		t.kind = kFixed
		n, _ := m["size"].(json.Number)
		size, err := n.Int64()
		if err != nil || size < 0 {
			return nil, fmt.Errorf("avro: fixed %s has an invalid size", t.name)
		}
		t.size = int(size)
	default:
		t.kind = kRecord
		fs, _ := m["fields"].([]any)
		for _, f := range fs {
			fm, ok := f.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("avro: record %s has an invalid field", t.name)
			}
			ft, err := p.parse(fm["type"], inner)
			if err != nil {
				return nil, err
			}
			fd := &field{typ: ft}
			fd.name, _ = fm["name"].(string)
			if al, ok := fm["aliases"].([]any); ok {
				for _, a := range al {
					if s, ok := a.(string); ok {
						fd.aliases = append(fd.aliases, s)
					}
				}
			}
			fd.def, fd.hasDef = fm["default"]
			t.fields = append(t.fields, fd)
		}
	}
	return t, nil
}

// definedNames lists the full names of the named types schema JSON v
// defines, in document order.
func definedNames(v any, ns string, out []string) []string {
	switch v := v.(type) {
	case []any:
		for _, b := range v {
			out = definedNames(b, ns, out)
		}
	case map[string]any:
		typ, _ := v["type"].(string)
		switch typ {
		case "record", "error", "enum", "fixed":
			name, _ := v["name"].(string)
			space, _ := v["namespace"].(string)
			full := fullName(name, space, ns)
			out = append(out, full)
			if fs, ok := v["fields"].([]any); ok {
				for _, f := range fs {
					if fm, ok := f.(map[string]any); ok {
						out = definedNames(fm["type"], namespaceOf(full), out)
					}
				}
			}
		case "array":
			out = definedNames(v["items"], ns, out)
		case "map":
			out = definedNames(v["values"], ns, out)
		case "":
			out = definedNames(v["type"], ns, out)
		}
	}
	return out
}

// inline returns schema text main with the referenced schemas (full name
// -> schema JSON, their own references already inlined) written out where
// main first uses each, so that a codec can be built from one document:
// goavro has no notion of references. A referenced type whose name has no
// namespace cannot be inlined inside a namespace (goavro would qualify it),
// which is an error.
func inline(main string, refs map[string]any) (string, error) {
	if len(refs) == 0 {
		return main, nil
	}
	v, err := decodeJSON(main)
	if err != nil {
		return "", fmt.Errorf("avro: schema is not JSON: %w", err)
	}
	in := &inliner{refs: refs, defined: map[string]bool{}}
	for _, n := range definedNames(v, "", nil) {
		in.defined[n] = true
	}
	v, err = in.walk(v, "")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

type inliner struct {
	refs    map[string]any  // full name -> referenced schema JSON
	defined map[string]bool // names defined so far (or by main itself)
}

func (in *inliner) walk(v any, ns string) (any, error) {
	switch v := v.(type) {
	case string:
		if _, ok := primitives[v]; ok {
			return v, nil
		}
		for _, full := range []string{fullName(v, "", ns), v} {
			ref, ok := in.refs[full]
			if !ok || in.defined[full] {
				continue
			}
			if !strings.Contains(full, ".") && ns != "" {
				return nil, fmt.Errorf("avro: referenced type %s has no namespace and is used inside namespace %s: not supported", full, ns)
			}
			for _, n := range definedNames(ref, "", nil) {
				in.defined[n] = true
			}
			return ref, nil
		}
		return v, nil
	case []any:
		out := make([]any, len(v))
		for i, b := range v {
			w, err := in.walk(b, ns)
			if err != nil {
				return nil, err
			}
			out[i] = w
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = x
		}
		typ, _ := v["type"].(string)
		var err error
		switch typ {
		case "record", "error":
			name, _ := v["name"].(string)
			space, _ := v["namespace"].(string)
			inner := namespaceOf(fullName(name, space, ns))
			fs, _ := v["fields"].([]any)
			nfs := make([]any, len(fs))
			for i, f := range fs {
				fm, ok := f.(map[string]any)
				if !ok {
					nfs[i] = f
					continue
				}
				nf := make(map[string]any, len(fm))
				for k, x := range fm {
					nf[k] = x
				}
				if nf["type"], err = in.walk(fm["type"], inner); err != nil {
					return nil, err
				}
				nfs[i] = nf
			}
			out["fields"] = nfs
		case "array":
			out["items"], err = in.walk(v["items"], ns)
		case "map":
			out["values"], err = in.walk(v["values"], ns)
		case "enum", "fixed":
		default:
			out["type"], err = in.walk(v["type"], ns)
		}
		return out, err
	}
	return v, nil
}

// checkFinite fails for a schema with a record that has no finite value:
// one that contains itself through record fields alone (or unions of such
// branches only), as {"type":"record","name":"N","fields":[{"name":"n",
// "type":"N"}]}. goavro accepts such a schema, but reading data with it
// would recurse without consuming a byte until the stack overflows.
func checkFinite(root *node) error {
	var records []*node
	seen := map[*node]bool{}
	var walk func(t *node)
	walk = func(t *node) {
		if t == nil || seen[t] {
			return
		}
		seen[t] = true
		if t.kind == kRecord {
			records = append(records, t)
		}
		for _, f := range t.fields {
			walk(f.typ)
		}
		walk(t.items)
		walk(t.values)
		for _, b := range t.union {
			walk(b)
		}
	}
	walk(root)
	// A record is finite once all its fields are; arrays and maps may be
	// empty, a union needs one finite branch. Iterate to the fixpoint.
	finite := map[*node]bool{}
	var ok func(t *node) bool
	ok = func(t *node) bool {
		switch t.kind {
		case kRecord:
			return finite[t]
		case kUnion:
			return slices.ContainsFunc(t.union, ok)
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for _, r := range records {
			if !finite[r] && !slices.ContainsFunc(r.fields, func(f *field) bool { return !ok(f.typ) }) {
				finite[r], changed = true, true
			}
		}
	}
	for _, r := range records {
		if !finite[r] {
			return fmt.Errorf("avro: record %s has no finite value: it always contains itself", r.name)
		}
	}
	return nil
}
