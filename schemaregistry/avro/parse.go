package avro

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Parse parses and validates schema text. The named types of refs (in order; each reference's
// schema and every named type reachable from it) are visible to the schema by name. Errors are
// *SchemaError. Logical types are not validated: per the specification an invalid logical type is
// ignored and the underlying type used.
func Parse(text string, refs ...Reference) (*Schema, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf("", "not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errorf("", "not valid JSON: unexpected data after the schema")
	}
	p := &parser{names: map[string]*node{}, own: map[*node]bool{}}
	for i, ref := range refs {
		if ref.Schema == nil {
			return nil, errorf("", "reference %d (%q) has no schema", i, ref.Name)
		}
		if err := p.addReference(ref); err != nil {
			return nil, err
		}
	}
	root, err := p.parse(v, "", "")
	if err != nil {
		return nil, err
	}
	s := &Schema{text: text, root: root, defined: p.defined, visible: p.names}
	s.canonical = canonical(root, p.own)
	return s, nil
}

type parser struct {
	names   map[string]*node // visible named types by full name
	own     map[*node]bool   // named types defined by the schema being parsed
	defined []*node
}

// addReference makes every named type reachable from ref's schema visible.
func (p *parser) addReference(ref Reference) error {
	var walk func(n *node) error
	seen := map[*node]bool{}
	walk = func(n *node) error {
		if seen[n] {
			return nil
		}
		seen[n] = true
		if n.kind.named() {
			if prev, ok := p.names[n.name]; ok && prev != n {
				if definition(prev) != definition(n) {
					return errorf("", "reference %q: named type %q conflicts with a different definition of it in an earlier reference", ref.Name, n.name)
				}
			} else if !ok {
				p.names[n.name] = n
			}
		}
		for _, f := range n.fields {
			if err := walk(f.typ); err != nil {
				return err
			}
		}
		if n.items != nil {
			if err := walk(n.items); err != nil {
				return err
			}
		}
		for _, b := range n.branches {
			if err := walk(b); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(ref.Schema.root); err != nil {
		return err
	}
	// Named types visible to the referenced schema through its own references.
	for _, name := range sortedKeys(ref.Schema.visible) {
		if err := walk(ref.Schema.visible[name]); err != nil {
			return err
		}
	}
	return nil
}

// resolve finds a named type referenced as ref from namespace ns: a dotted reference is a full
// name; otherwise the enclosing namespace is tried first, then the null namespace (as Java does).
func (p *parser) resolve(ref, ns string) *node {
	if strings.Contains(ref, ".") {
		return p.names[ref]
	}
	if ns != "" {
		if n, ok := p.names[ns+"."+ref]; ok {
			return n
		}
	}
	return p.names[ref]
}

func (p *parser) parse(v any, ns, path string) (*node, error) {
	switch v := v.(type) {
	case string:
		return p.parseRef(v, ns, path)
	case []any:
		return p.parseUnion(v, ns, path)
	case map[string]any:
		return p.parseObject(v, ns, path)
	default:
		return nil, errorf(path, "a schema must be a string, an object or an array, not %s", jsonKind(v))
	}
}

func (p *parser) parseRef(name, ns, path string) (*node, error) {
	if k, ok := primitives[name]; ok {
		return &node{kind: k}, nil
	}
	if n := p.resolve(name, ns); n != nil {
		return n, nil
	}
	if !strings.Contains(name, ".") && ns != "" {
		return nil, errorf(path, "unknown type %q (neither %q nor %q is defined)", name, ns+"."+name, name)
	}
	return nil, errorf(path, "unknown type %q", name)
}

func (p *parser) parseUnion(v []any, ns, path string) (*node, error) {
	if len(v) == 0 {
		return nil, errorf(path, "a union must have at least one branch")
	}
	n := &node{kind: kindUnion}
	seen := map[string]int{}
	for i, b := range v {
		bpath := path + "/" + strconv.Itoa(i)
		bn, err := p.parse(b, ns, bpath)
		if err != nil {
			return nil, err
		}
		if bn.kind == kindUnion {
			return nil, errorf(bpath, "a union may not directly contain another union")
		}
		key := bn.kind.String()
		if bn.kind.named() {
			key = bn.name
		}
		if j, dup := seen[key]; dup {
			return nil, errorf(bpath, "duplicate union branch %q (same as branch %d)", key, j)
		}
		seen[key] = i
		n.branches = append(n.branches, bn)
	}
	return n, nil
}

func (p *parser) parseObject(m map[string]any, ns, path string) (*node, error) {
	tv, ok := m["type"]
	if !ok {
		return nil, errorf(path, `missing "type"`)
	}
	t, ok := tv.(string)
	if !ok {
		return nil, errorf(path+"/type", `"type" must be a string, not %s`, jsonKind(tv))
	}
	if k, ok := primitives[t]; ok {
		return &node{kind: k, props: props(m, "type")}, nil
	}
	switch t {
	case "record", "error":
		return p.parseRecord(m, t == "error", ns, path)
	case "enum":
		return p.parseEnum(m, ns, path)
	case "fixed":
		return p.parseFixed(m, ns, path)
	case "array", "map":
		k, key := kindArray, "items"
		if t == "map" {
			k, key = kindMap, "values"
		}
		iv, ok := m[key]
		if !ok {
			return nil, errorf(path, "%s is missing %q", t, key)
		}
		items, err := p.parse(iv, ns, path+"/"+key)
		if err != nil {
			return nil, err
		}
		return &node{kind: k, items: items, props: props(m, "type", key)}, nil
	}
	// {"type":"a.B"} is a reference to a named type (Java accepts it, for self-references in
	// unions); other attributes are ignored as a reference cannot carry any.
	if n := p.resolve(t, ns); n != nil {
		return n, nil
	}
	return p.parseRef(t, ns, path+"/type")
}

// parseNamed reads name, namespace, aliases and doc, and registers the (still empty) type so
// that it can refer to itself.
func (p *parser) parseNamed(n *node, m map[string]any, ns, path string) (childNS string, err error) {
	nv, ok := m["name"]
	if !ok {
		return "", errorf(path, "%s is missing %q", n.kind, "name")
	}
	name, ok := nv.(string)
	if !ok {
		return "", errorf(path+"/name", `"name" must be a string, not %s`, jsonKind(nv))
	}
	full := name
	if !strings.Contains(name, ".") {
		if nsv, ok := m["namespace"]; ok && nsv != nil {
			s, ok := nsv.(string)
			if !ok {
				return "", errorf(path+"/namespace", `"namespace" must be a string, not %s`, jsonKind(nsv))
			}
			if s != "" {
				if err := checkFullName(s); err != nil {
					return "", errorf(path+"/namespace", "invalid namespace %q: %v", s, err)
				}
			}
			ns = s
		}
		if ns != "" {
			full = ns + "." + name
		}
	}
	if err := checkFullName(full); err != nil {
		return "", errorf(path+"/name", "invalid name %q: %v", name, err)
	}
	if _, ok := primitives[simpleName(full)]; ok {
		return "", errorf(path+"/name", "invalid name %q: a primitive type name cannot name a %s", name, n.kind)
	}
	if _, ok := p.names[full]; ok {
		return "", errorf(path+"/name", "named type %q is defined more than once", full)
	}
	n.name = full
	childNS = namespaceOf(full)
	if n.aliases, err = aliases(m, childNS, true, path); err != nil {
		return "", err
	}
	if n.doc, err = doc(m, path); err != nil {
		return "", err
	}
	p.names[full] = n
	p.own[n] = true
	p.defined = append(p.defined, n)
	return childNS, nil
}

func (p *parser) parseRecord(m map[string]any, isError bool, ns, path string) (*node, error) {
	n := &node{kind: kindRecord, isError: isError}
	childNS, err := p.parseNamed(n, m, ns, path)
	if err != nil {
		return nil, err
	}
	n.props = props(m, "type", "name", "namespace", "aliases", "doc", "fields")
	fv, ok := m["fields"]
	if !ok {
		return nil, errorf(path, "record %q is missing %q", n.name, "fields")
	}
	fs, ok := fv.([]any)
	if !ok {
		return nil, errorf(path+"/fields", `"fields" must be an array, not %s`, jsonKind(fv))
	}
	seen := map[string]int{}
	for i, f := range fs {
		fpath := path + "/fields/" + strconv.Itoa(i)
		fm, ok := f.(map[string]any)
		if !ok {
			return nil, errorf(fpath, "a field must be an object, not %s", jsonKind(f))
		}
		fld, err := p.parseField(fm, childNS, fpath)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[fld.name]; dup {
			return nil, errorf(fpath+"/name", "duplicate field %q in record %q (same as field %d)", fld.name, n.name, j)
		}
		seen[fld.name] = i
		n.fields = append(n.fields, fld)
	}
	return n, nil
}

func (p *parser) parseField(m map[string]any, ns, path string) (*field, error) {
	nv, ok := m["name"]
	if !ok {
		return nil, errorf(path, `field is missing "name"`)
	}
	name, ok := nv.(string)
	if !ok {
		return nil, errorf(path+"/name", `"name" must be a string, not %s`, jsonKind(nv))
	}
	if err := checkName(name); err != nil {
		return nil, errorf(path+"/name", "invalid field name %q: %v", name, err)
	}
	f := &field{name: name}
	tv, ok := m["type"]
	if !ok {
		return nil, errorf(path, `field %q is missing "type"`, name)
	}
	var err error
	if f.typ, err = p.parse(tv, ns, path+"/type"); err != nil {
		return nil, err
	}
	if f.doc, err = doc(m, path); err != nil {
		return nil, err
	}
	if f.aliases, err = aliases(m, "", false, path); err != nil {
		return nil, err
	}
	if ov, ok := m["order"]; ok {
		switch ov {
		case "ascending":
		case "descending", "ignore":
			f.order = ov.(string)
		default:
			return nil, errorf(path+"/order", `invalid order %s for field %q: must be "ascending", "descending" or "ignore"`, compactJSON(ov), name)
		}
	}
	if dv, ok := m["default"]; ok {
		if err := validDefault(f.typ, dv); err != nil {
			return nil, errorf(path+"/default", "invalid default %s for field %q: %v", compactJSON(dv), name, err)
		}
		f.def, f.hasDef = dv, true
	}
	f.props = props(m, "name", "type", "doc", "aliases", "order", "default")
	return f, nil
}

func (p *parser) parseEnum(m map[string]any, ns, path string) (*node, error) {
	n := &node{kind: kindEnum}
	if _, err := p.parseNamed(n, m, ns, path); err != nil {
		return nil, err
	}
	n.props = props(m, "type", "name", "namespace", "aliases", "doc", "symbols", "default")
	sv, ok := m["symbols"]
	if !ok {
		return nil, errorf(path, "enum %q is missing %q", n.name, "symbols")
	}
	ss, ok := sv.([]any)
	if !ok {
		return nil, errorf(path+"/symbols", `"symbols" must be an array, not %s`, jsonKind(sv))
	}
	seen := map[string]int{}
	for i, s := range ss {
		spath := path + "/symbols/" + strconv.Itoa(i)
		sym, ok := s.(string)
		if !ok {
			return nil, errorf(spath, "an enum symbol must be a string, not %s", jsonKind(s))
		}
		if err := checkName(sym); err != nil {
			return nil, errorf(spath, "invalid symbol %q in enum %q: %v", sym, n.name, err)
		}
		if j, dup := seen[sym]; dup {
			return nil, errorf(spath, "duplicate symbol %q in enum %q (same as symbol %d)", sym, n.name, j)
		}
		seen[sym] = i
		n.symbols = append(n.symbols, sym)
	}
	if dv, ok := m["default"]; ok {
		d, ok := dv.(string)
		if !ok {
			return nil, errorf(path+"/default", "enum default must be a string, not %s", jsonKind(dv))
		}
		if _, ok := seen[d]; !ok {
			return nil, errorf(path+"/default", "enum default %q is not one of the symbols of enum %q", d, n.name)
		}
		n.enumDefault = &d
	}
	return n, nil
}

func (p *parser) parseFixed(m map[string]any, ns, path string) (*node, error) {
	n := &node{kind: kindFixed}
	if _, err := p.parseNamed(n, m, ns, path); err != nil {
		return nil, err
	}
	n.props = props(m, "type", "name", "namespace", "aliases", "doc", "size")
	sv, ok := m["size"]
	if !ok {
		return nil, errorf(path, "fixed %q is missing %q", n.name, "size")
	}
	num, ok := sv.(json.Number)
	if !ok {
		return nil, errorf(path+"/size", "size of fixed %q must be a non-negative integer, not %s", n.name, jsonKind(sv))
	}
	size, err := strconv.ParseInt(string(num), 10, 32)
	if err != nil || size < 0 {
		return nil, errorf(path+"/size", "size of fixed %q must be a non-negative integer that fits in an int, not %s", n.name, num)
	}
	n.size = int(size)
	return n, nil
}

// checkName validates a simple name: [A-Za-z_][A-Za-z0-9_]*.
func checkName(s string) error {
	if s == "" {
		return errors.New("a name cannot be empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9':
			if i == 0 {
				return errors.New("a name must start with a letter or '_'")
			}
		default:
			return fmt.Errorf("a name may contain only letters, digits and '_', not %q", string(rune(c)))
		}
	}
	return nil
}

// checkFullName validates a dotted full name (or namespace): every part a valid name.
func checkFullName(s string) error {
	if s == "" {
		return errors.New("a name cannot be empty")
	}
	parts := strings.Split(s, ".")
	for _, part := range parts {
		if part == "" {
			return errors.New("a name or namespace cannot have an empty part")
		}
		if err := checkName(part); err != nil {
			if len(parts) == 1 {
				return err
			}
			return fmt.Errorf("part %q: %w", part, err)
		}
	}
	return nil
}

// aliases reads "aliases": names qualified relative to ns (named types) or simple names (fields).
func aliases(m map[string]any, ns string, named bool, path string) ([]string, error) {
	av, ok := m["aliases"]
	if !ok || av == nil {
		return nil, nil
	}
	as, ok := av.([]any)
	if !ok {
		return nil, errorf(path+"/aliases", `"aliases" must be an array of strings, not %s`, jsonKind(av))
	}
	var out []string
	for i, a := range as {
		apath := path + "/aliases/" + strconv.Itoa(i)
		s, ok := a.(string)
		if !ok {
			return nil, errorf(apath, "an alias must be a string, not %s", jsonKind(a))
		}
		if !named {
			if err := checkName(s); err != nil {
				return nil, errorf(apath, "invalid field alias %q: %v", s, err)
			}
			out = append(out, s)
			continue
		}
		full := s
		if !strings.Contains(s, ".") && ns != "" {
			full = ns + "." + s
		}
		if err := checkFullName(full); err != nil {
			return nil, errorf(apath, "invalid alias %q: %v", s, err)
		}
		out = append(out, full)
	}
	return out, nil
}

func doc(m map[string]any, path string) (*string, error) {
	dv, ok := m["doc"]
	if !ok {
		return nil, nil
	}
	s, ok := dv.(string)
	if !ok {
		return nil, errorf(path+"/doc", `"doc" must be a string, not %s`, jsonKind(dv))
	}
	return &s, nil
}

// props returns the attributes of m other than reserved, or nil.
func props(m map[string]any, reserved ...string) map[string]any {
	var out map[string]any
outer:
	for k, v := range m {
		for _, r := range reserved {
			if k == r {
				continue outer
			}
		}
		if out == nil {
			out = map[string]any{}
		}
		out[k] = v
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// compactJSON renders a decoded JSON value for messages, shortened if long.
func compactJSON(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	s := b.String()
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
