package avro

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Schema resolution (Avro specification, "Schema Resolution"): data
// written with one schema, read as another. goavro decodes only with the
// writer's schema, so resolve transcodes: it reads the writer's binary
// encoding and writes the reader's, filling reader fields the writer lacks
// from their defaults, dropping writer fields the reader lacks, promoting
// numbers (int -> long -> float -> double) and string <-> bytes, mapping
// enum symbols and picking union branches. The reader's codec then decodes
// the result.

var errShort = errors.New("avro: truncated data")

// maxZeroSizeItems bounds the array and map items of one value beyond one
// per byte of its data (zero-size items: null, a record without fields).
const maxZeroSizeItems = 1 << 16

// decoder reads Avro binary encoding.
type decoder struct {
	b []byte
}

func (d *decoder) long() (int64, error) {
	u, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errShort
	}
	d.b = d.b[n:]
	return int64(u>>1) ^ -int64(u&1), nil
}

func (d *decoder) take(n int64) ([]byte, error) {
	if n < 0 || n > int64(len(d.b)) {
		return nil, errShort
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) bytes() ([]byte, error) {
	n, err := d.long()
	if err != nil {
		return nil, err
	}
	return d.take(n)
}

func appendLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

func appendBytes(dst, b []byte) []byte {
	return append(appendLong(dst, int64(len(b))), b...)
}

// resolver transcodes writer data to reader data for one schema pair.
type resolver struct {
	path []string // where in the reader schema, for messages
	// items is how many more array and map items the value may have
	// (newResolver): every block's count is taken from it, so nested
	// blocks of zero-size items cannot multiply past it.
	items int64
}

// newResolver returns a resolver for one value of n bytes: the value may
// have one item per byte plus maxZeroSizeItems.
func newResolver(n int) *resolver {
	return &resolver{items: int64(n) + maxZeroSizeItems}
}

func (r *resolver) errorf(format string, args ...any) error {
	p := "/" + strings.Join(r.path, "/")
	return fmt.Errorf("avro: cannot read as the reader schema at %s: %s", p, fmt.Sprintf(format, args...))
}

// resolve reads one value of type w from d and appends it as type rd.
func (r *resolver) resolve(dst []byte, d *decoder, w, rd *node) ([]byte, error) {
	if w.kind == kUnion {
		i, err := d.long()
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= len(w.union) {
			return nil, r.errorf("writer union branch %d out of range", i)
		}
		return r.resolve(dst, d, w.union[i], rd)
	}
	if rd.kind == kUnion {
		i := pickBranch(w, rd.union)
		if i < 0 {
			return nil, r.errorf("writer type %s matches no branch of the reader union", w.typeName())
		}
		dst = appendLong(dst, int64(i))
		return r.resolve(dst, d, w, rd.union[i])
	}
	switch {
	case w.kind == rd.kind && w.kind <= kString:
		return copyPrimitive(dst, d, w.kind)
	case w.kind == kInt || w.kind == kLong:
		v, err := d.long()
		if err != nil {
			return nil, err
		}
		switch rd.kind {
		case kLong:
			return appendLong(dst, v), nil
		case kFloat:
			return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(v))), nil
		case kDouble:
			return binary.LittleEndian.AppendUint64(dst, math.Float64bits(float64(v))), nil
		}
	case w.kind == kFloat && rd.kind == kDouble:
		b, err := d.take(4)
		if err != nil {
			return nil, err
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(float64(f))), nil
	case (w.kind == kString && rd.kind == kBytes) || (w.kind == kBytes && rd.kind == kString):
		return copyPrimitive(dst, d, kBytes)
	case w.kind == kRecord && rd.kind == kRecord && namesMatch(w, rd):
		return r.record(dst, d, w, rd)
	case w.kind == kEnum && rd.kind == kEnum && namesMatch(w, rd):
		i, err := d.long()
		if err != nil {
			return nil, err
		}
		if i < 0 || int(i) >= len(w.symbols) {
			return nil, r.errorf("writer enum index %d out of range", i)
		}
		sym := w.symbols[i]
		j := slices.Index(rd.symbols, sym)
		if j < 0 && rd.hasDef {
			j = slices.Index(rd.symbols, rd.enumDef)
		}
		if j < 0 {
			return nil, r.errorf("symbol %s is not in reader enum %s, which has no default", sym, rd.name)
		}
		return appendLong(dst, int64(j)), nil
	case w.kind == kFixed && rd.kind == kFixed && namesMatch(w, rd) && w.size == rd.size:
		b, err := d.take(int64(w.size))
		if err != nil {
			return nil, err
		}
		return append(dst, b...), nil
	case w.kind == kArray && rd.kind == kArray:
		r.path = append(r.path, "items")
		defer func() { r.path = r.path[:len(r.path)-1] }()
		return r.blocks(dst, d, func(dst []byte) ([]byte, error) { return r.resolve(dst, d, w.items, rd.items) })
	case w.kind == kMap && rd.kind == kMap:
		r.path = append(r.path, "values")
		defer func() { r.path = r.path[:len(r.path)-1] }()
		return r.blocks(dst, d, func(dst []byte) ([]byte, error) {
			k, err := d.bytes()
			if err != nil {
				return nil, err
			}
			return r.resolve(appendBytes(dst, k), d, w.values, rd.values)
		})
	}
	return nil, r.errorf("reader type %s cannot read writer type %s", rd.typeName(), w.typeName())
}

// namesMatch reports whether reader type rd reads named writer type w: the
// same unqualified name, or w's full name among rd's aliases.
func namesMatch(w, rd *node) bool {
	short := func(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }
	return short(w.name) == short(rd.name) || slices.Contains(rd.aliases, w.name)
}

// pickBranch returns the reader union branch that reads writer type w: the
// first of the same type, else the first w promotes to; -1 if none.
func pickBranch(w *node, branches []*node) int {
	for i, b := range branches {
		if b.kind == w.kind && (b.name == "" || namesMatch(w, b)) && (b.kind != kFixed || b.size == w.size) {
			return i
		}
	}
	promotes := map[kind][]kind{kInt: {kLong, kFloat, kDouble}, kLong: {kFloat, kDouble}, kFloat: {kDouble}, kString: {kBytes}, kBytes: {kString}}
	for _, to := range promotes[w.kind] {
		for i, b := range branches {
			if b.kind == to {
				return i
			}
		}
	}
	return -1
}

func copyPrimitive(dst []byte, d *decoder, k kind) ([]byte, error) {
	switch k {
	case kNull:
		return dst, nil
	case kBoolean:
		b, err := d.take(1)
		return append(dst, b...), err
	case kInt, kLong:
		v, err := d.long()
		return appendLong(dst, v), err
	case kFloat:
		b, err := d.take(4)
		return append(dst, b...), err
	case kDouble:
		b, err := d.take(8)
		return append(dst, b...), err
	}
	b, err := d.bytes()
	return appendBytes(dst, b), err
}

// blocks transcodes the blocks of an array or map, writing each as a block
// of the same count (without the optional byte size), then the end marker.
func (r *resolver) blocks(dst []byte, d *decoder, item func([]byte) ([]byte, error)) ([]byte, error) {
	for {
		n, err := d.long()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return appendLong(dst, 0), nil
		}
		if n < 0 {
			n = -n
			if _, err := d.long(); err != nil { // the block's size in bytes
				return nil, err
			}
		}
		// Items take a byte or more, except nulls and empty records: a
		// count far beyond the data is corrupt, not a long loop nor (in
		// goavro) a huge allocation. The bound is for the whole value, as
		// blocks of empty arrays nested in blocks would multiply a
		// per-block one.
		if n < 0 || n > r.items {
			return nil, r.errorf("block of %d items in %d bytes", n, len(d.b))
		}
		r.items -= n
		dst = appendLong(dst, n)
		for range n {
			if dst, err = item(dst); err != nil {
				return nil, err
			}
		}
	}
}

func (r *resolver) record(dst []byte, d *decoder, w, rd *node) ([]byte, error) {
	// Each reader field's encoding, from the writer's data or a default.
	vals := make([][]byte, len(rd.fields))
	for _, wf := range w.fields {
		i := slices.IndexFunc(rd.fields, func(f *field) bool { return f.name == wf.name })
		if i < 0 {
			i = slices.IndexFunc(rd.fields, func(f *field) bool { return slices.Contains(f.aliases, wf.name) })
		}
		if i < 0 {
			if err := r.skip(d, wf.typ); err != nil {
				return nil, err
			}
			continue
		}
		r.path = append(r.path, "fields", rd.fields[i].name)
		v, err := r.resolve(nil, d, wf.typ, rd.fields[i].typ)
		r.path = r.path[:len(r.path)-2]
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	for i, f := range rd.fields {
		if vals[i] != nil {
			dst = append(dst, vals[i]...)
			continue
		}
		if !f.hasDef {
			r.path = append(r.path, "fields", f.name)
			err := r.errorf("the writer has no field %s and the reader's has no default", f.name)
			r.path = r.path[:len(r.path)-2]
			return nil, err
		}
		var err error
		if dst, err = encodeDefault(dst, f.typ, f.def); err != nil {
			return nil, fmt.Errorf("avro: default of field %s: %w", f.name, err)
		}
	}
	return dst, nil
}

// skip reads past one value of type t.
func (r *resolver) skip(d *decoder, t *node) error {
	_, err := r.resolve(nil, d, t, t)
	return err
}

// encodeDefault appends the binary encoding of a field default (JSON, as
// the Avro specification encodes defaults) of type t. A union's default is
// of its first branch.
func encodeDefault(dst []byte, t *node, v any) ([]byte, error) {
	bad := func() ([]byte, error) { return nil, fmt.Errorf("default %v is not a valid %s", v, t.typeName()) }
	switch t.kind {
	case kNull:
		if v != nil {
			return bad()
		}
		return dst, nil
	case kBoolean:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		if b {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case kInt, kLong:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		i, err := n.Int64()
		if err != nil {
			return bad()
		}
		return appendLong(dst, i), nil
	case kFloat, kDouble:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		f, err := n.Float64()
		if err != nil {
			return bad()
		}
		if t.kind == kFloat {
			return binary.LittleEndian.AppendUint32(dst, math.Float32bits(float32(f))), nil
		}
		return binary.LittleEndian.AppendUint64(dst, math.Float64bits(f)), nil
	case kString:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		return appendBytes(dst, []byte(s)), nil
	case kBytes, kFixed:
		// Bytes and fixed defaults are strings of code points 0-255.
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		b := make([]byte, 0, len(s))
		for _, c := range s {
			if c > 255 {
				return bad()
			}
			b = append(b, byte(c))
		}
		if t.kind == kFixed {
			if len(b) != t.size {
				return bad()
			}
			return append(dst, b...), nil
		}
		return appendBytes(dst, b), nil
	case kEnum:
		s, _ := v.(string)
		i := slices.Index(t.symbols, s)
		if i < 0 {
			return bad()
		}
		return appendLong(dst, int64(i)), nil
	case kArray:
		items, ok := v.([]any)
		if !ok {
			return bad()
		}
		if len(items) > 0 {
			dst = appendLong(dst, int64(len(items)))
		}
		for _, it := range items {
			var err error
			if dst, err = encodeDefault(dst, t.items, it); err != nil {
				return nil, err
			}
		}
		return appendLong(dst, 0), nil
	case kMap:
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			dst = appendLong(dst, int64(len(keys)))
		}
		for _, k := range keys {
			dst = appendBytes(dst, []byte(k))
			var err error
			if dst, err = encodeDefault(dst, t.values, m[k]); err != nil {
				return nil, err
			}
		}
		return appendLong(dst, 0), nil
	case kRecord:
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		for _, f := range t.fields {
			fv, ok := m[f.name]
			if !ok {
				if !f.hasDef {
					return nil, fmt.Errorf("default %v of record %s lacks field %s", v, t.name, f.name)
				}
				fv = f.def
			}
			var err error
			if dst, err = encodeDefault(dst, f.typ, fv); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case kUnion:
		if len(t.union) == 0 {
			return bad()
		}
		return encodeDefault(appendLong(dst, 0), t.union[0], v)
	}
	return bad()
}
