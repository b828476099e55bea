package avro

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
)

// canonical writes the identity form of root. Named types in own are defined at their first
// occurrence and referenced by full name after; other named types (from references) are always
// referenced by name.
func canonical(root *node, own map[*node]bool) string {
	w := &canonWriter{own: own, done: map[*node]bool{}}
	w.node(root, "")
	return w.b.String()
}

// definition writes n's own definition regardless of where it came from: used to tell whether two
// references define a named type the same way.
func definition(n *node) string {
	w := &canonWriter{all: true, done: map[*node]bool{}}
	w.node(n, "")
	return w.b.String()
}

type canonWriter struct {
	b    bytes.Buffer
	own  map[*node]bool
	all  bool // define every named type (definition)
	done map[*node]bool
}

// node writes n in the context of enclosing namespace ns (what a reader of the output would use to
// qualify unqualified names at this point).
func (w *canonWriter) node(n *node, ns string) {
	b := &w.b
	if n.kind.named() {
		if w.done[n] || !(w.all || w.own[n]) {
			// A dotted full name is unambiguous; a null-namespace name is looked up in ns first and
			// then in the null namespace, which resolves as it did in the original text since the
			// definitions before this point are the same.
			writeString(b, n.name)
			return
		}
		w.done[n] = true
		b.WriteString(`{"type":`)
		if n.isError {
			b.WriteString(`"error"`)
		} else {
			writeString(b, n.kind.String())
		}
		b.WriteString(`,"name":`)
		writeString(b, n.name)
		if namespaceOf(n.name) == "" && ns != "" {
			b.WriteString(`,"namespace":""`)
		}
		if n.doc != nil {
			b.WriteString(`,"doc":`)
			writeString(b, *n.doc)
		}
		writeAliases(b, n.aliases)
		childNS := namespaceOf(n.name)
		switch n.kind {
		case kindRecord:
			b.WriteString(`,"fields":[`)
			for i, f := range n.fields {
				if i > 0 {
					b.WriteByte(',')
				}
				w.field(f, childNS)
			}
			b.WriteByte(']')
		case kindEnum:
			b.WriteString(`,"symbols":[`)
			for i, s := range n.symbols {
				if i > 0 {
					b.WriteByte(',')
				}
				writeString(b, s)
			}
			b.WriteByte(']')
			if n.enumDefault != nil {
				b.WriteString(`,"default":`)
				writeString(b, *n.enumDefault)
			}
		case kindFixed:
			b.WriteString(`,"size":`)
			b.WriteString(strconv.Itoa(n.size))
		}
		writeProps(b, n.props)
		b.WriteByte('}')
		return
	}
	switch n.kind {
	case kindUnion:
		b.WriteByte('[')
		for i, br := range n.branches {
			if i > 0 {
				b.WriteByte(',')
			}
			w.node(br, ns)
		}
		b.WriteByte(']')
	case kindArray, kindMap:
		b.WriteString(`{"type":`)
		writeString(b, n.kind.String())
		if n.kind == kindArray {
			b.WriteString(`,"items":`)
		} else {
			b.WriteString(`,"values":`)
		}
		w.node(n.items, ns)
		writeProps(b, n.props)
		b.WriteByte('}')
	default: // primitive
		if len(n.props) == 0 {
			writeString(b, n.kind.String())
			return
		}
		b.WriteString(`{"type":`)
		writeString(b, n.kind.String())
		writeProps(b, n.props)
		b.WriteByte('}')
	}
}

func (w *canonWriter) field(f *field, ns string) {
	b := &w.b
	b.WriteString(`{"name":`)
	writeString(b, f.name)
	if f.doc != nil {
		b.WriteString(`,"doc":`)
		writeString(b, *f.doc)
	}
	b.WriteString(`,"type":`)
	w.node(f.typ, ns)
	if f.hasDef {
		b.WriteString(`,"default":`)
		writeDefault(b, f.typ, f.def)
	}
	if f.order != "" {
		b.WriteString(`,"order":`)
		writeString(b, f.order)
	}
	writeAliases(b, f.aliases)
	writeProps(b, f.props)
	b.WriteByte('}')
}

func writeAliases(b *bytes.Buffer, aliases []string) {
	if len(aliases) == 0 {
		return
	}
	b.WriteString(`,"aliases":[`)
	for i, a := range aliases {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, a)
	}
	b.WriteByte(']')
}

// writeProps writes custom properties sorted by key, each preceded by a comma.
func writeProps(b *bytes.Buffer, props map[string]any) {
	for _, k := range sortedKeys(props) {
		b.WriteByte(',')
		writeString(b, k)
		b.WriteByte(':')
		writeJSON(b, props[k])
	}
}

// writeDefault writes a validated default value normalised by its type: integers and floating
// point numbers in one spelling, record defaults in field order.
func writeDefault(b *bytes.Buffer, n *node, v any) {
	switch n.kind {
	case kindInt, kindLong:
		i, _ := strconv.ParseInt(string(v.(json.Number)), 10, 64)
		b.WriteString(strconv.FormatInt(i, 10))
	case kindFloat, kindDouble:
		f, _ := floatDefault(v)
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	case kindArray:
		b.WriteByte('[')
		for i, e := range v.([]any) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeDefault(b, n.items, e)
		}
		b.WriteByte(']')
	case kindMap:
		m := v.(map[string]any)
		b.WriteByte('{')
		for i, k := range sortedKeys(m) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeDefault(b, n.items, m[k])
		}
		b.WriteByte('}')
	case kindRecord:
		m := v.(map[string]any)
		b.WriteByte('{')
		first := true
		known := map[string]bool{}
		for _, f := range n.fields {
			known[f.name] = true
			fv, ok := m[f.name]
			if !ok {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeString(b, f.name)
			b.WriteByte(':')
			writeDefault(b, f.typ, fv)
		}
		// Keys that are not fields are meaningless but kept: identity must not drop what was said.
		for _, k := range sortedKeys(m) {
			if known[k] {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, m[k])
		}
		b.WriteByte('}')
	case kindUnion:
		writeDefault(b, n.branches[0], v)
	default:
		writeJSON(b, v)
	}
}

// writeJSON writes a decoded JSON value deterministically: object keys sorted, numbers as written,
// strings escaped by writeString.
func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(string(v))
	case string:
		writeString(b, v)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, v[k])
		}
		b.WriteByte('}')
	}
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string in pure ASCII: '"' and '\' backslash-escaped, control
// characters, DEL and every non-ASCII character \u-escaped (UTF-16 surrogate pairs above U+FFFF).
// One spelling per string keeps Canonical deterministic, and code points 128-255 of bytes defaults
// come back exactly.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteByte(byte(r))
		case r >= 0x20 && r < 0x7f:
			b.WriteByte(byte(r))
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			writeU(b, r1)
			writeU(b, r2)
		default:
			writeU(b, r)
		}
	}
	b.WriteByte('"')
}

func writeU(b *bytes.Buffer, r rune) {
	b.WriteString(`\u`)
	b.WriteByte(hexDigits[r>>12&0xf])
	b.WriteByte(hexDigits[r>>8&0xf])
	b.WriteByte(hexDigits[r>>4&0xf])
	b.WriteByte(hexDigits[r&0xf])
}
