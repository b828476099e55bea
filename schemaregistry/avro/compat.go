package avro

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Incompatibility is one reason a reader schema cannot read data written with a writer schema.
// Path locates it in the reader schema ("/fields/2/type", "/items", "/symbols"; "/" for the whole
// schema); a numeric segment after a union is the index of the writer's union branch.
type Incompatibility struct {
	Path    string
	Message string
}

// String returns "path: message".
func (i Incompatibility) String() string { return i.Path + ": " + i.Message }

// CanRead reports whether a reader with schema reader can decode every datum written with schema
// writer, per the Avro specification's schema resolution rules. It returns every incompatibility
// found (nil = compatible):
//   - primitives match themselves and the promotions int->long, float, double; long->float,
//     double; float->double; string<->bytes;
//   - records, enums and fixed match when their unqualified names are equal or the reader has an
//     alias equal to the writer's full name;
//   - record fields match by name or by a reader field alias; a reader field absent from the
//     writer needs a default; writer fields absent from the reader are skipped;
//   - an enum's writer symbols must all be reader symbols unless the reader enum has a default;
//   - fixed sizes must be equal; decimal logical types (valid ones) must agree on precision and
//     scale;
//   - arrays and maps recurse into items and values;
//   - a writer union needs every branch readable by the reader; a reader union reads a
//     non-union writer if some branch can (when none can, the reasons of the first branch of the
//     same kind and name are reported);
//   - recursive types terminate: a reader/writer pair already being checked is assumed compatible.
//
// Other logical types are ignored (the underlying types are compared), as in the specification.
//
// At most MaxIncompatibilities are listed, then one saying that more were left out: a named type
// used at many places reports its incompatibilities at each, which grows exponentially with
// nesting.
func CanRead(reader, writer *Schema) []Incompatibility {
	c := &checker{memo: map[[2]*node][]Incompatibility{}}
	out := c.check(reader.root, writer.root)
	if len(out) == 0 {
		return nil
	}
	res := make([]Incompatibility, len(out), len(out)+1)
	for i, inc := range out {
		if inc.Path == "" {
			inc.Path = "/"
		}
		res[i] = inc
	}
	if c.truncated {
		res = append(res, Incompatibility{Path: "/", Message: fmt.Sprintf("more incompatibilities not listed (at most %d are)", MaxIncompatibilities)})
	}
	return res
}

// MaxIncompatibilities bounds the incompatibilities CanRead lists.
const MaxIncompatibilities = 100

type checker struct {
	// memo holds the result for each reader/writer pair; nil while the pair is being checked, so
	// recursion through a named type assumes compatibility, which a failing ancestor still refutes.
	memo      map[[2]*node][]Incompatibility
	truncated bool // some incompatibilities were dropped to stay within MaxIncompatibilities
}

// add appends more to out within MaxIncompatibilities.
func (c *checker) add(out, more []Incompatibility) []Incompatibility {
	if room := MaxIncompatibilities - len(out); len(more) > room {
		more = more[:max(room, 0)]
		c.truncated = true
	}
	return append(out, more...)
}

func (c *checker) check(r, w *node) []Incompatibility {
	key := [2]*node{r, w}
	if res, ok := c.memo[key]; ok {
		return res
	}
	c.memo[key] = nil
	res := c.calc(r, w)
	c.memo[key] = res
	return res
}

// under returns incs with their paths placed under segment.
func under(segment string, incs []Incompatibility) []Incompatibility {
	out := make([]Incompatibility, len(incs))
	for i, inc := range incs {
		out[i] = Incompatibility{Path: "/" + segment + inc.Path, Message: inc.Message}
	}
	return out
}

func incompatible(path, format string, args ...any) []Incompatibility {
	return []Incompatibility{{Path: path, Message: fmt.Sprintf(format, args...)}}
}

func (c *checker) calc(r, w *node) []Incompatibility {
	if w.kind == kindUnion {
		var out []Incompatibility
		for i, wb := range w.branches {
			out = c.add(out, under(strconv.Itoa(i), c.check(r, wb)))
		}
		return out
	}
	if r.kind == kindUnion {
		var first *node
		for _, rb := range r.branches {
			if len(c.check(rb, w)) == 0 {
				return nil
			}
			if first == nil && shallowMatch(rb, w) {
				first = rb
			}
		}
		if first != nil {
			return c.check(first, w)
		}
		return incompatible("", "reader union has no branch that can read writer type %s", w.describe())
	}
	if r.kind != w.kind {
		if promotable(w.kind, r.kind) {
			return nil
		}
		return incompatible("", "reader type %s cannot read writer type %s", r.describe(), w.describe())
	}
	var out []Incompatibility
	if r.kind.named() && !nameMatch(r, w) {
		out = c.add(out, incompatible("/name", "reader %s does not match writer name %s (unqualified names differ and no reader alias is %s)", r.describe(), w.name, w.name))
	}
	switch r.kind {
	case kindBytes, kindFixed:
		if r.kind == kindFixed && r.size != w.size {
			out = c.add(out, incompatible("/size", "reader %s has size %d, writer %s has size %d", r.describe(), r.size, w.describe(), w.size))
		}
		rp, rs, rok := decimal(r)
		wp, ws, wok := decimal(w)
		if rok && wok && (rp != wp || rs != ws) {
			out = c.add(out, incompatible("", "reader decimal(%d,%d) cannot read writer decimal(%d,%d): precision and scale must match", rp, rs, wp, ws))
		}
	case kindEnum:
		if r.enumDefault == nil {
			have := map[string]bool{}
			for _, s := range r.symbols {
				have[s] = true
			}
			var missing []string
			for _, s := range w.symbols {
				if !have[s] {
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 {
				out = c.add(out, incompatible("/symbols", "reader %s has no default and lacks writer symbols %s", r.describe(), strings.Join(missing, ", ")))
			}
		}
	case kindRecord:
		for i, rf := range r.fields {
			wf := writerField(w, rf)
			seg := "fields/" + strconv.Itoa(i)
			if wf == nil {
				if !rf.hasDef {
					out = c.add(out, incompatible("/"+seg, "reader field %q is missing from writer %s and has no default", rf.name, w.describe()))
				}
				continue
			}
			out = c.add(out, under(seg+"/type", c.check(rf.typ, wf.typ)))
		}
	case kindArray:
		out = c.add(out, under("items", c.check(r.items, w.items)))
	case kindMap:
		out = c.add(out, under("values", c.check(r.items, w.items)))
	}
	return out
}

// promotable reports whether data written as from can be read as to (different kinds).
func promotable(from, to kind) bool {
	switch from {
	case kindInt:
		return to == kindLong || to == kindFloat || to == kindDouble
	case kindLong:
		return to == kindFloat || to == kindDouble
	case kindFloat:
		return to == kindDouble
	case kindString:
		return to == kindBytes
	case kindBytes:
		return to == kindString
	}
	return false
}

// shallowMatch is the specification's "match" used to pick a reader union branch: same kind (and
// name for named types) or a promotion.
func shallowMatch(r, w *node) bool {
	if r.kind == w.kind {
		return !r.kind.named() || nameMatch(r, w)
	}
	return promotable(w.kind, r.kind)
}

// nameMatch: unqualified names equal, or a reader alias equal to the writer's full name.
func nameMatch(r, w *node) bool {
	if simpleName(r.name) == simpleName(w.name) {
		return true
	}
	for _, a := range r.aliases {
		if a == w.name {
			return true
		}
	}
	return false
}

// writerField finds the writer field for reader field rf: by name, then by the reader's aliases.
func writerField(w *node, rf *field) *field {
	for _, wf := range w.fields {
		if wf.name == rf.name {
			return wf
		}
	}
	for _, a := range rf.aliases {
		for _, wf := range w.fields {
			if wf.name == a {
				return wf
			}
		}
	}
	return nil
}

// decimal returns the precision and scale of a valid decimal logical type on n (bytes or fixed).
// An invalid one is ignored, as the specification requires.
func decimal(n *node) (precision, scale int64, ok bool) {
	if n.props["logicalType"] != "decimal" {
		return 0, 0, false
	}
	precision, ok = jsonInt(n.props["precision"])
	if !ok || precision <= 0 {
		return 0, 0, false
	}
	if sv, present := n.props["scale"]; present {
		if scale, ok = jsonInt(sv); !ok || scale < 0 || scale > precision {
			return 0, 0, false
		}
	}
	if n.kind == kindFixed {
		// A fixed of size n holds at most floor(log10(2^(8n-1) - 1)) digits.
		if n.size == 0 || float64(precision) > math.Floor(math.Log10(2)*float64(8*n.size-1)) {
			return 0, 0, false
		}
	}
	return precision, scale, true
}

func jsonInt(v any) (int64, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(num), 10, 64)
	return i, err == nil
}
