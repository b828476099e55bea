package avro

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// validDefault checks that the JSON value v is a valid default for type n, per the specification's
// table of default values: a union's default matches its first branch; bytes and fixed defaults are
// strings of code points 0-255 (a fixed one exactly size long); a record's default is an object
// with a valid value for every field, or the field has a default of its own.
func validDefault(n *node, v any) error {
	switch n.kind {
	case kindNull:
		if v != nil {
			return fmt.Errorf("%s is not null", compactJSON(v))
		}
	case kindBoolean:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s is not a boolean", compactJSON(v))
		}
	case kindInt, kindLong:
		num, ok := v.(json.Number)
		bits := 32
		if n.kind == kindLong {
			bits = 64
		}
		if !ok {
			return fmt.Errorf("%s is not an %s", compactJSON(v), n.kind)
		}
		if _, err := strconv.ParseInt(string(num), 10, bits); err != nil {
			return fmt.Errorf("%s is not an integer in the range of %s", num, n.kind)
		}
	case kindFloat, kindDouble:
		if _, err := floatDefault(v); err != nil {
			return fmt.Errorf("%s is not a %s: %v", compactJSON(v), n.kind, err)
		}
	case kindString:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s is not a string", compactJSON(v))
		}
	case kindBytes, kindFixed:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s is not a string (%s defaults are strings of code points 0-255)", compactJSON(v), n.kind)
		}
		count := 0
		for _, r := range s {
			if r > 255 {
				return fmt.Errorf("%s has code point U+%04X; %s defaults are strings of code points 0-255", compactJSON(v), r, n.kind)
			}
			count++
		}
		if n.kind == kindFixed && count != n.size {
			return fmt.Errorf("%s has %d bytes; fixed %q has size %d", compactJSON(v), count, n.name, n.size)
		}
	case kindEnum:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s is not a string", compactJSON(v))
		}
		for _, sym := range n.symbols {
			if sym == s {
				return nil
			}
		}
		return fmt.Errorf("%q is not a symbol of enum %q", s, n.name)
	case kindArray:
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s is not an array", compactJSON(v))
		}
		for i, e := range a {
			if err := validDefault(n.items, e); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	case kindMap:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not an object", compactJSON(v))
		}
		for _, k := range sortedKeys(m) {
			if err := validDefault(n.items, m[k]); err != nil {
				return fmt.Errorf("value %q: %w", k, err)
			}
		}
	case kindRecord:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not an object", compactJSON(v))
		}
		for _, f := range n.fields {
			fv, ok := m[f.name]
			if !ok {
				if f.hasDef {
					continue
				}
				return fmt.Errorf("field %q of record %q is missing and has no default", f.name, n.name)
			}
			if err := validDefault(f.typ, fv); err != nil {
				return fmt.Errorf("field %q: %w", f.name, err)
			}
		}
	case kindUnion:
		if err := validDefault(n.branches[0], v); err != nil {
			return fmt.Errorf("a union's default must match its first branch (%s): %w", n.branches[0].describe(), err)
		}
	}
	return nil
}

// floatDefault reads a float or double default: a JSON number in the range of a double.
func floatDefault(v any) (float64, error) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, errors.New("not a number")
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, errors.New("out of range")
	}
	return f, nil
}
