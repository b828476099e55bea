package avro

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// bigSchema uses every feature: nested namespaces, references, defaults of every type, custom
// properties, orders, aliases.
const bigSchema = `{"type":"record","name":"Outer","namespace":"a.b","doc":"outer","aliases":["Old","x.y.Older"],"fields":[
		{"name":"inner","type":{"type":"record","name":"Inner","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"c","symbols":["X"]}}]}},
		{"name":"again","type":"Inner"},
		{"name":"qualified","type":"a.b.Inner"},
		{"name":"enum","type":"c.E","default":"X"},
		{"name":"nullns","type":{"type":"record","name":"N","namespace":"","fields":[]}},
		{"name":"nullnsRef","type":"N"},
		{"name":"f","type":"float","default":1.5,"order":"descending","aliases":["g","h"],"doc":"a float","x-custom":true},
		{"name":"ignored","type":"double","default":-1.5e-300,"order":"ignore"},
		{"name":"asc","type":"long","default":-9223372036854775808,"order":"ascending"},
		{"name":"by","type":"bytes","default":"\u0000\u007f\u0080\u00ff"},
		{"name":"fx","type":{"type":"fixed","name":"F2","size":2},"default":"\u0041\u0001"},
		{"name":"arr","type":{"type":"array","items":"Inner"},"default":[{"e":"X"}]},
		{"name":"m","type":{"type":"map","values":"int"},"default":{"b":2,"a":1}},
		{"name":"u","type":["null","Inner"],"default":null},
		{"name":"u2","type":["Inner","null"],"default":{"e":"X"}},
		{"name":"rd","type":{"type":"record","name":"RD","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":3}]},"default":{"x":1}},
		{"name":"bo","type":"boolean","default":false},
		{"name":"nu","type":"null","default":null},
		{"name":"s","type":"string","default":"\ud83d\ude00 \"quoted\" \\ <html>"}
	]}`

// validSchemas are accepted; they also seed the fuzz test and the goavro cross-check.
var validSchemas = []string{
	`"null"`, `"boolean"`, `"int"`, `"long"`, `"float"`, `"double"`, `"bytes"`, `"string"`,
	`{"type":"string"}`,
	`{"type":"int","logicalType":"date"}`,
	`{"type":"long","logicalType":"timestamp-millis","custom":{"b":[1,2.50,"x"],"a":null}}`,
	`{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`,
	`{"type":"bytes","logicalType":"decimal","precision":-1}`, // invalid logical type: ignored
	`{"type":"string","logicalType":"no-such-logical-type"}`,
	`{"type":"fixed","name":"Duration","size":12,"logicalType":"duration"}`,
	`{"type":"array","items":"int"}`,
	`{"type":"map","values":{"type":"array","items":"string"}}`,
	`["null","int","string",{"type":"array","items":"int"},{"type":"map","values":"int"}]`,
	`{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS","DIAMONDS","CLUBS"],"default":"SPADES","doc":"a suit"}`,
	`{"type":"enum","name":"Empty","symbols":[]}`,
	`{"type":"fixed","name":"md5","namespace":"org.x","size":16,"aliases":["hash"]}`,
	`{"type":"fixed","name":"zero","size":0}`,
	`{"type":"record","name":"Empty","fields":[]}`,
	`{"type":"error","name":"Oops","fields":[{"name":"message","type":"string"}]}`,
	linkedList,
	`{"type":"record","name":"LL","fields":[{"name":"next","type":["null",{"type":"LL"}]}]}`,
	bigSchema,
	`{"type":"record","name":"FixedDefault","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"\u00ff\u0001"}]}`,
	`{"type":"record","name":"Dotted.Name.R","namespace":"ignored.ns","fields":[{"name":"r","type":["null","Dotted.Name.R"]}]}`,
}

func TestParseValid(t *testing.T) {
	for _, text := range validSchemas {
		s, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(%s): %v", text, err)
			continue
		}
		if s.Text() != text {
			t.Errorf("Text() = %q, want the input", s.Text())
		}
	}
}

func TestNames(t *testing.T) {
	s := mustParse(t, bigSchema)
	want := []string{"a.b.Outer", "a.b.Inner", "c.E", "N", "a.b.F2", "a.b.RD"}
	if got := s.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got := mustParse(t, `"int"`).Names(); len(got) != 0 {
		t.Errorf("Names() of int = %v", got)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name, text string
		path       string // SchemaError.Path
		reason     string // substring of SchemaError.Reason
	}{
		{"not json", `{"type":`, "", "not valid JSON"},
		{"trailing data", `"int" "long"`, "", "unexpected data after the schema"},
		{"number", `12`, "", "a schema must be a string, an object or an array, not a number"},
		{"missing type", `{"name":"x"}`, "", `missing "type"`},
		{"type not a string", `{"type":5}`, "/type", `"type" must be a string, not a number`},
		{"unknown type", `"Foo"`, "", `unknown type "Foo"`},
		{"unknown type object", `{"type":"Foo"}`, "/type", `unknown type "Foo"`},
		{"unknown type in namespace", `{"type":"record","name":"a.R","fields":[{"name":"f","type":"Foo"}]}`,
			"/fields/0/type", `unknown type "Foo" (neither "a.Foo" nor "Foo" is defined)`},
		{"unknown qualified type", `{"type":"record","name":"a.R","fields":[{"name":"f","type":"b.R"}]}`, "/fields/0/type", `unknown type "b.R"`},
		{"use before definition", `{"type":"record","name":"R","fields":[{"name":"a","type":"S"},{"name":"b","type":{"type":"fixed","name":"S","size":1}}]}`,
			"/fields/0/type", `unknown type "S"`},
		{"name starts with digit", `{"type":"record","name":"1abc","fields":[]}`, "/name", `invalid name "1abc": a name must start with a letter or '_'`},
		{"name with dash", `{"type":"record","name":"a-b","fields":[]}`, "/name", `invalid name "a-b": a name may contain only letters, digits and '_', not "-"`},
		{"empty name", `{"type":"enum","name":"","symbols":[]}`, "/name", `invalid name "": a name cannot be empty`},
		{"name part bad", `{"type":"fixed","name":"a.1b.C","size":1}`, "/name", `invalid name "a.1b.C": part "1b": a name must start with a letter or '_'`},
		{"name empty part", `{"type":"fixed","name":"a..C","size":1}`, "/name", "empty part"},
		{"bad namespace", `{"type":"fixed","name":"C","namespace":"a-b","size":1}`, "/namespace", `invalid namespace "a-b"`},
		{"name missing", `{"type":"record","fields":[]}`, "", `record is missing "name"`},
		{"name not string", `{"type":"record","name":1,"fields":[]}`, "/name", `"name" must be a string`},
		{"primitive name", `{"type":"fixed","name":"int","size":1}`, "/name", "a primitive type name cannot name a fixed"},
		{"primitive name in namespace", `{"type":"record","name":"a.string","fields":[]}`, "/name", "a primitive type name cannot name a record"},
		{"redefined", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"R","size":1}}]}`,
			"/fields/0/type/name", `named type "R" is defined more than once`},
		{"redefined via namespace", `{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"fixed","name":"n.R","size":1}}]}`,
			"/fields/0/type/name", `named type "n.R" is defined more than once`},
		{"bad alias", `{"type":"record","name":"R","aliases":["1x"],"fields":[]}`, "/aliases/0", `invalid alias "1x"`},
		{"bad field alias", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["a.b"]}]}`, "/fields/0/aliases/0", `invalid field alias "a.b"`},
		{"doc not string", `{"type":"record","name":"R","doc":1,"fields":[]}`, "/doc", `"doc" must be a string`},

		// Records and fields.
		{"record without fields", `{"type":"record","name":"R"}`, "", `record "R" is missing "fields"`},
		{"fields not array", `{"type":"record","name":"R","fields":{}}`, "/fields", `"fields" must be an array, not an object`},
		{"field not object", `{"type":"record","name":"R","fields":["int"]}`, "/fields/0", "a field must be an object, not a string"},
		{"field without name", `{"type":"record","name":"R","fields":[{"type":"int"}]}`, "/fields/0", `field is missing "name"`},
		{"field without type", `{"type":"record","name":"R","fields":[{"name":"a"}]}`, "/fields/0", `field "a" is missing "type"`},
		{"bad field name", `{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}`, "/fields/0/name", `invalid field name "a-b"`},
		{"dotted field name", `{"type":"record","name":"R","fields":[{"name":"a.b","type":"int"}]}`, "/fields/0/name", `invalid field name "a.b"`},
		{"duplicate fields", `{"type":"record","name":"n.R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"},{"name":"a","type":"string"}]}`,
			"/fields/2/name", `duplicate field "a" in record "n.R" (same as field 0)`},
		{"bad order", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}`, "/fields/0/order", `invalid order "up" for field "a"`},

		// Defaults.
		{"string default for int", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"1"}]}`,
			"/fields/0/default", `invalid default "1" for field "a": "1" is not an int`},
		{"float default for int", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1.5}]}`,
			"/fields/0/default", "1.5 is not an integer in the range of int"},
		{"int default out of range", `{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]}`,
			"/fields/0/default", "2147483648 is not an integer in the range of int"},
		{"long default out of range", `{"type":"record","name":"R","fields":[{"name":"a","type":"long","default":9223372036854775808}]}`,
			"/fields/0/default", "is not an integer in the range of long"},
		{"string default for double", `{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"x"}]}`,
			"/fields/0/default", `"x" is not a double`},
		{"NaN default for double", `{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":"NaN"}]}`,
			"/fields/0/default", `"NaN" is not a double: not a number`},
		{"double default out of range", `{"type":"record","name":"R","fields":[{"name":"a","type":"double","default":1e999}]}`,
			"/fields/0/default", "1e999 is not a double: out of range"},
		{"null default for string", `{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":null}]}`,
			"/fields/0/default", "null is not a string"},
		{"int default for boolean", `{"type":"record","name":"R","fields":[{"name":"a","type":"boolean","default":0}]}`,
			"/fields/0/default", "0 is not a boolean"},
		{"union default not first branch", `{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"}]}`,
			"/fields/0/default", `a union's default must match its first branch (null): "x" is not null`},
		{"union default null not first", `{"type":"record","name":"R","fields":[{"name":"a","type":["string","null"],"default":null}]}`,
			"/fields/0/default", "a union's default must match its first branch (string): null is not a string"},
		{"record default missing field", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]},"default":{"x":1}}]}`,
			"/fields/0/default", `field "y" of record "S" is missing and has no default`},
		{"record default wrong field type", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[{"name":"x","type":"int"}]},"default":{"x":"1"}}]}`,
			"/fields/0/default", `field "x": "1" is not an int`},
		{"record default not object", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"S","fields":[]},"default":[]}]}`,
			"/fields/0/default", "[] is not an object"},
		{"array default item", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"},"default":[1,"2"]}]}`,
			"/fields/0/default", `item 1: "2" is not an int`},
		{"map default value", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"},"default":{"k":true}}]}`,
			"/fields/0/default", `value "k": true is not an int`},
		{"bytes default above 255", `{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u0100"}]}`,
			"/fields/0/default", "has code point U+0100; bytes defaults are strings of code points 0-255"},
		{"fixed default wrong size", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":2},"default":"abc"}]}`,
			"/fields/0/default", `"abc" has 3 bytes; fixed "F" has size 2`},
		{"enum field default not symbol", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"B"}]}`,
			"/fields/0/default", `"B" is not a symbol of enum "E"`},

		// Enums.
		{"enum default not in symbols", `{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}`, "/default", `enum default "C" is not one of the symbols of enum "E"`},
		{"enum default not string", `{"type":"enum","name":"E","symbols":["A"],"default":0}`, "/default", "enum default must be a string, not a number"},
		{"duplicate symbols", `{"type":"enum","name":"E","symbols":["A","B","A"]}`, "/symbols/2", `duplicate symbol "A" in enum "E" (same as symbol 0)`},
		{"bad symbol", `{"type":"enum","name":"E","symbols":["A","1B"]}`, "/symbols/1", `invalid symbol "1B" in enum "E"`},
		{"symbol not string", `{"type":"enum","name":"E","symbols":[1]}`, "/symbols/0", "an enum symbol must be a string"},
		{"enum without symbols", `{"type":"enum","name":"E"}`, "", `enum "E" is missing "symbols"`},

		// Unions.
		{"empty union", `[]`, "", "a union must have at least one branch"},
		{"nested union", `["null",["int","string"]]`, "/1", "a union may not directly contain another union"},
		{"nested union in field", `{"type":"record","name":"R","fields":[{"name":"a","type":["null",["int"]]}]}`, "/fields/0/type/1", "a union may not directly contain another union"},
		{"duplicate union branch", `["null","int","null"]`, "/2", `duplicate union branch "null" (same as branch 0)`},
		{"duplicate union branch spelled differently", `["int",{"type":"int","logicalType":"date"}]`, "/1", `duplicate union branch "int"`},
		{"duplicate union arrays", `[{"type":"array","items":"int"},{"type":"array","items":"string"}]`, "/1", `duplicate union branch "array"`},
		{"duplicate union named", `[{"type":"fixed","name":"F","size":1},"F"]`, "/1", `duplicate union branch "F"`},

		// Fixed, arrays, maps.
		{"fixed without size", `{"type":"fixed","name":"F"}`, "", `fixed "F" is missing "size"`},
		{"fixed negative size", `{"type":"fixed","name":"F","size":-1}`, "/size", `size of fixed "F" must be a non-negative integer`},
		{"fixed fractional size", `{"type":"fixed","name":"F","size":1.5}`, "/size", `size of fixed "F" must be a non-negative integer`},
		{"fixed string size", `{"type":"fixed","name":"F","size":"16"}`, "/size", `size of fixed "F" must be a non-negative integer, not a string`},
		{"map without values", `{"type":"map"}`, "", `map is missing "values"`},
		{"array without items", `{"type":"array"}`, "", `array is missing "items"`},
		{"array of unknown", `{"type":"array","items":"Nope"}`, "/items", `unknown type "Nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.text)
			if err == nil {
				t.Fatalf("Parse(%s) = %s, want an error", tt.text, s.Canonical())
			}
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *SchemaError", err, err)
			}
			if se.Path != tt.path || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("error = %q (path %q), want path %q and reason containing %q", err, se.Path, tt.path, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "avro: invalid schema") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	c := mustParse(t, `{"type":"enum","name":"com.x.Color","symbols":["RED","GREEN"]}`)
	b := mustParse(t, `{"type":"record","name":"com.x.Paint","fields":[{"name":"color","type":"Color"}]}`,
		Reference{Name: "com.x.Color", Schema: c})
	// a sees Paint from b and, through b, Color from c.
	a := mustParse(t, `{"type":"record","name":"Wall","namespace":"com.x","fields":[{"name":"paint","type":"Paint"},{"name":"trim","type":"com.x.Color","default":"RED"}]}`,
		Reference{Name: "com.x.Paint", Schema: b})
	if got, want := a.Names(), []string{"com.x.Wall"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	want := `{"type":"record","name":"com.x.Wall","fields":[{"name":"paint","type":"com.x.Paint"},{"name":"trim","type":"com.x.Color","default":"RED"}]}`
	if a.Canonical() != want {
		t.Errorf("Canonical() = %s\nwant          %s", a.Canonical(), want)
	}
	if _, err := Parse(a.Text()); err == nil || !strings.Contains(err.Error(), `unknown type "Paint"`) {
		t.Errorf("Parse without references: %v, want unknown type", err)
	}

	// Redefining a referenced type is an error, as is a conflict between references.
	if _, err := Parse(`{"type":"enum","name":"com.x.Color","symbols":["RED"]}`, Reference{Name: "c", Schema: c}); err == nil ||
		!strings.Contains(err.Error(), `named type "com.x.Color" is defined more than once`) {
		t.Errorf("redefinition: %v", err)
	}
	c2 := mustParse(t, `{"type":"enum","name":"com.x.Color","symbols":["BLUE"]}`)
	if _, err := Parse(`"com.x.Color"`, Reference{Name: "c", Schema: c}, Reference{Name: "c2", Schema: c2}); err == nil ||
		!strings.Contains(err.Error(), "conflicts with a different definition") {
		t.Errorf("conflicting references: %v", err)
	}
	// The same definition from two references is fine.
	c3 := mustParse(t, ` { "symbols":["RED","GREEN"], "type":"enum","name":"Color","namespace":"com.x"}`)
	mustParse(t, `"com.x.Color"`, Reference{Name: "c", Schema: c}, Reference{Name: "c3", Schema: c3})
	if _, err := Parse(`"int"`, Reference{Name: "nil"}); err == nil {
		t.Error("a reference without a schema was accepted")
	}
}
