package avro

// kind is an Avro type.
type kind uint8

const (
	kindNull kind = iota
	kindBoolean
	kindInt
	kindLong
	kindFloat
	kindDouble
	kindBytes
	kindString
	kindRecord
	kindEnum
	kindFixed
	kindArray
	kindMap
	kindUnion
)

var kindNames = [...]string{
	kindNull:    "null",
	kindBoolean: "boolean",
	kindInt:     "int",
	kindLong:    "long",
	kindFloat:   "float",
	kindDouble:  "double",
	kindBytes:   "bytes",
	kindString:  "string",
	kindRecord:  "record",
	kindEnum:    "enum",
	kindFixed:   "fixed",
	kindArray:   "array",
	kindMap:     "map",
	kindUnion:   "union",
}

func (k kind) String() string { return kindNames[k] }

var primitives = map[string]kind{
	"null":    kindNull,
	"boolean": kindBoolean,
	"int":     kindInt,
	"long":    kindLong,
	"float":   kindFloat,
	"double":  kindDouble,
	"bytes":   kindBytes,
	"string":  kindString,
}

func (k kind) named() bool { return k == kindRecord || k == kindEnum || k == kindFixed }

// node is one Avro type. Named types are shared: every reference points to the defining node, so
// recursive schemas are cyclic graphs. Nodes are immutable once Parse returns.
type node struct {
	kind kind

	// Named types.
	name    string   // full name
	aliases []string // full names
	doc     *string
	isError bool // a record spelled "error"

	fields      []*field       // record
	symbols     []string       // enum
	enumDefault *string        // enum
	size        int            // fixed
	items       *node          // array items, map values
	branches    []*node        // union
	props       map[string]any // every attribute not part of the type's definition (logicalType, custom)
}

// field is one record field.
type field struct {
	name    string
	doc     *string
	typ     *node
	def     any // decoded JSON (json.Number for numbers); valid only if hasDef
	hasDef  bool
	order   string // "" (ascending), "descending" or "ignore"
	aliases []string
	props   map[string]any
}

// describe names a type in messages: "int", "record a.B", "array".
func (n *node) describe() string {
	if n.kind.named() {
		return n.kind.String() + " " + n.name
	}
	return n.kind.String()
}

// namespaceOf returns the namespace part of a full name.
func namespaceOf(full string) string {
	for i := len(full) - 1; i >= 0; i-- {
		if full[i] == '.' {
			return full[:i]
		}
	}
	return ""
}

// simpleName returns the unqualified part of a full name.
func simpleName(full string) string {
	for i := len(full) - 1; i >= 0; i-- {
		if full[i] == '.' {
			return full[i+1:]
		}
	}
	return full
}

// Schema is a parsed, validated Avro schema. It is immutable and safe for concurrent use.
type Schema struct {
	text      string
	root      *node
	defined   []*node          // named types this schema defines, in definition order
	visible   map[string]*node // every named type this schema can see (its own and its references')
	canonical string
}

// Reference is a named type provided by another registered schema (Confluent schema references).
// Name is the reference's name as registered (for Avro, conventionally the full name of the
// referenced type); Parse does not interpret it: every named type reachable from Schema becomes
// visible.
type Reference struct {
	Name   string
	Schema *Schema
}

// Text returns the schema text as given to Parse.
func (s *Schema) Text() string { return s.text }

// Canonical returns the registry identity form of the schema: deterministic JSON that keeps doc,
// defaults, aliases, logicalType, order and custom properties; writes full names everywhere; keeps
// the order of fields, symbols and union branches; writes object keys in a fixed order (known
// attributes first, then custom properties sorted); and normalises equivalent spellings ("int" and
// {"type":"int"}, name+namespace and full name, "order":"ascending" and no order, number spellings
// of defaults, whitespace). Strings are written with every non-ASCII character \u-escaped, so bytes
// defaults survive byte for byte. Named types from references are written as names. Two schemas are
// the same registry schema iff their Canonical forms are equal (and their references are).
func (s *Schema) Canonical() string { return s.canonical }

// Names lists the full names of the named types the schema defines (not those of its
// references), in definition order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.defined))
	for i, n := range s.defined {
		out[i] = n.name
	}
	return out
}

// String returns the canonical form.
func (s *Schema) String() string { return s.canonical }
