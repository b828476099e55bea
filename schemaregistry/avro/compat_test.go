package avro

import (
	"fmt"
	"strings"
	"testing"
)

func mustParse(t testing.TB, text string, refs ...Reference) *Schema {
	t.Helper()
	s, err := Parse(text, refs...)
	if err != nil {
		t.Fatalf("Parse(%s): %v", text, err)
	}
	return s
}

// rec builds a record schema text named name with the given field JSON objects.
func rec(name string, fields ...string) string {
	return fmt.Sprintf(`{"type":"record","name":%q,"fields":[%s]}`, name, strings.Join(fields, ","))
}

const linkedList = `{"type":"record","name":"LinkedList","fields":[
	{"name":"value","type":"int"},
	{"name":"next","type":["null","LinkedList"],"default":null}]}`

func TestCanRead(t *testing.T) {
	tests := []struct {
		name           string
		reader, writer string
		// want lists the expected incompatibilities as "path: message substring"; empty means
		// compatible.
		want []string
	}{
		// Primitives and promotions.
		{"same int", `"int"`, `"int"`, nil},
		{"null", `"null"`, `"null"`, nil},
		{"int to long", `"long"`, `"int"`, nil},
		{"int to float", `"float"`, `"int"`, nil},
		{"int to double", `"double"`, `"int"`, nil},
		{"long to float", `"float"`, `"long"`, nil},
		{"long to double", `"double"`, `"long"`, nil},
		{"float to double", `"double"`, `"float"`, nil},
		{"string to bytes", `"bytes"`, `"string"`, nil},
		{"bytes to string", `"string"`, `"bytes"`, nil},
		{"long to int", `"int"`, `"long"`, []string{"/: reader type int cannot read writer type long"}},
		{"double to float", `"float"`, `"double"`, []string{"/: reader type float cannot read writer type double"}},
		{"float to long", `"long"`, `"float"`, []string{"/: reader type long cannot read writer type float"}},
		{"string to int", `"int"`, `"string"`, []string{"/: reader type int cannot read writer type string"}},
		{"int to string", `"string"`, `"int"`, []string{"/: reader type string cannot read writer type int"}},
		{"boolean to int", `"int"`, `"boolean"`, []string{"/: reader type int cannot read writer type boolean"}},
		{"null to string", `"string"`, `"null"`, []string{"/: reader type string cannot read writer type null"}},
		{"record to map", `{"type":"map","values":"int"}`, rec("R"), []string{"/: reader type map cannot read writer type record R"}},

		// Records.
		{"record same", rec("R", `{"name":"a","type":"int"}`), rec("R", `{"name":"a","type":"int"}`), nil},
		{"field added with default", rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string","default":"x"}`),
			rec("R", `{"name":"a","type":"int"}`), nil},
		{"field added with null default", rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":["null","string"],"default":null}`),
			rec("R", `{"name":"a","type":"int"}`), nil},
		{"field added without default", rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string"}`),
			rec("R", `{"name":"a","type":"int"}`),
			[]string{`/fields/1: reader field "b" is missing from writer record R and has no default`}},
		{"field removed", rec("R", `{"name":"a","type":"int"}`),
			rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string"}`), nil},
		{"field reordered", rec("R", `{"name":"b","type":"string"}`, `{"name":"a","type":"int"}`),
			rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string"}`), nil},
		{"field type promoted", rec("R", `{"name":"a","type":"long"}`), rec("R", `{"name":"a","type":"int"}`), nil},
		{"field type changed", rec("R", `{"name":"x","type":"int"}`, `{"name":"a","type":"long"}`),
			rec("R", `{"name":"a","type":"string"}`, `{"name":"x","type":"int"}`),
			[]string{"/fields/1/type: reader type long cannot read writer type string"}},
		{"reader field alias", rec("R", `{"name":"renamed","type":"int","aliases":["old"]}`), rec("R", `{"name":"old","type":"int"}`), nil},
		{"renamed field without alias", rec("R", `{"name":"renamed","type":"int"}`), rec("R", `{"name":"old","type":"int"}`),
			[]string{`/fields/0: reader field "renamed" is missing`}},
		{"writer field alias does not count", rec("R", `{"name":"renamed","type":"int"}`), rec("R", `{"name":"old","type":"int","aliases":["renamed"]}`),
			[]string{`/fields/0: reader field "renamed" is missing`}},
		{"every incompatibility listed", rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"string"}`, `{"name":"c","type":"boolean"}`),
			rec("R", `{"name":"a","type":"long"}`, `{"name":"c","type":"boolean"}`),
			[]string{"/fields/0/type: reader type int cannot read writer type long", `/fields/1: reader field "b"`}},
		{"record renamed", rec("B", `{"name":"a","type":"int"}`), rec("A", `{"name":"a","type":"int"}`),
			[]string{"/name: reader record B does not match writer name A"}},
		{"record renamed with alias", `{"type":"record","name":"B","aliases":["A"],"fields":[]}`, rec("A"), nil},
		{"record renamed with namespaced alias", `{"type":"record","name":"B","namespace":"n","aliases":["m.A"],"fields":[]}`,
			`{"type":"record","name":"A","namespace":"m","fields":[]}`, nil},
		{"alias resolved in reader namespace", `{"type":"record","name":"B","namespace":"n","aliases":["A"],"fields":[]}`,
			`{"type":"record","name":"A","namespace":"m","fields":[]}`, []string{"/name: reader record n.B does not match writer name m.A"}},
		{"namespace change keeps unqualified name", `{"type":"record","name":"a.R","fields":[]}`, `{"type":"record","name":"b.R","fields":[]}`, nil},
		{"nested record field", rec("R", `{"name":"in","type":`+rec("In", `{"name":"x","type":"int"}`, `{"name":"y","type":"int"}`)+`}`),
			rec("R", `{"name":"in","type":`+rec("In", `{"name":"x","type":"int"}`)+`}`),
			[]string{`/fields/0/type/fields/1: reader field "y" is missing from writer record In`}},

		// Enums.
		{"enum same", `{"type":"enum","name":"E","symbols":["A","B"]}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, nil},
		{"enum symbol added in reader", `{"type":"enum","name":"E","symbols":["A","B","C"]}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, nil},
		{"enum symbols reordered", `{"type":"enum","name":"E","symbols":["B","A"]}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, nil},
		{"enum symbol missing in reader", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A","B","C"]}`,
			[]string{"/symbols: reader enum E has no default and lacks writer symbols B, C"}},
		{"enum symbol missing, reader default", `{"type":"enum","name":"E","symbols":["A","U"],"default":"U"}`, `{"type":"enum","name":"E","symbols":["A","B"]}`, nil},
		{"enum writer default does not help", `{"type":"enum","name":"E","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}`,
			[]string{"/symbols: reader enum E has no default and lacks writer symbols B"}},
		{"enum renamed", `{"type":"enum","name":"F","symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A"]}`,
			[]string{"/name: reader enum F does not match writer name E"}},
		{"enum renamed with alias", `{"type":"enum","name":"F","aliases":["E"],"symbols":["A"]}`, `{"type":"enum","name":"E","symbols":["A"]}`, nil},
		{"enum to string", `"string"`, `{"type":"enum","name":"E","symbols":["A"]}`, []string{"/: reader type string cannot read writer type enum E"}},

		// Fixed.
		{"fixed same", `{"type":"fixed","name":"F","size":4}`, `{"type":"fixed","name":"F","size":4}`, nil},
		{"fixed size", `{"type":"fixed","name":"F","size":8}`, `{"type":"fixed","name":"F","size":4}`,
			[]string{"/size: reader fixed F has size 8, writer fixed F has size 4"}},
		{"fixed name", `{"type":"fixed","name":"G","size":4}`, `{"type":"fixed","name":"F","size":4}`,
			[]string{"/name: reader fixed G does not match writer name F"}},
		{"fixed name and size", `{"type":"fixed","name":"G","size":2}`, `{"type":"fixed","name":"F","size":4}`,
			[]string{"/name: ", "/size: "}},
		{"fixed alias", `{"type":"fixed","name":"G","aliases":["F"],"size":4}`, `{"type":"fixed","name":"F","size":4}`, nil},
		{"fixed to bytes", `"bytes"`, `{"type":"fixed","name":"F","size":4}`, []string{"/: reader type bytes cannot read writer type fixed F"}},

		// Arrays and maps recurse.
		{"array promoted", `{"type":"array","items":"long"}`, `{"type":"array","items":"int"}`, nil},
		{"array items", `{"type":"array","items":"int"}`, `{"type":"array","items":"long"}`,
			[]string{"/items: reader type int cannot read writer type long"}},
		{"map values", `{"type":"map","values":"int"}`, `{"type":"map","values":"string"}`,
			[]string{"/values: reader type int cannot read writer type string"}},
		{"map promoted", `{"type":"map","values":"bytes"}`, `{"type":"map","values":"string"}`, nil},
		{"array of records", `{"type":"array","items":` + rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int"}`) + `}`,
			`{"type":"array","items":` + rec("R", `{"name":"a","type":"int"}`) + `}`,
			[]string{`/items/fields/1: reader field "b"`}},
		{"map of arrays", `{"type":"map","values":{"type":"array","items":"float"}}`, `{"type":"map","values":{"type":"array","items":"double"}}`,
			[]string{"/values/items: reader type float cannot read writer type double"}},
		{"array vs map", `{"type":"array","items":"int"}`, `{"type":"map","values":"int"}`, []string{"/: reader type array cannot read writer type map"}},

		// Unions: both, writer only, reader only (neither is everything above).
		{"union same", `["null","int"]`, `["null","int"]`, nil},
		{"union reordered", `["int","null"]`, `["null","int"]`, nil},
		{"union branch promoted", `["null","long"]`, `["null","int"]`, nil},
		{"union reader has more", `["null","int","string"]`, `["null","int"]`, nil},
		{"union writer has more", `["null","int"]`, `["null","int","string"]`,
			[]string{"/2: reader union has no branch that can read writer type string"}},
		{"union writer has two more", `["int"]`, `["null","int","string"]`,
			[]string{"/0: reader union has no branch that can read writer type null", "/2: reader union has no branch that can read writer type string"}},
		{"reader union, writer branch present", `["null","string"]`, `"string"`, nil},
		{"reader union, writer promoted", `["null","double"]`, `"int"`, nil},
		{"reader union, writer absent", `["null","string"]`, `"int"`,
			[]string{"/: reader union has no branch that can read writer type int"}},
		{"writer union, reader has every branch", `"long"`, `["int"]`, nil},
		{"writer union, reader lacks a branch", `"string"`, `["null","string"]`,
			[]string{"/0: reader type string cannot read writer type null"}},
		{"optional field made required", rec("R", `{"name":"a","type":"string"}`), rec("R", `{"name":"a","type":["null","string"],"default":null}`),
			[]string{"/fields/0/type/0: reader type string cannot read writer type null"}},
		{"required field made optional", rec("R", `{"name":"a","type":["null","string"],"default":null}`), rec("R", `{"name":"a","type":"string"}`), nil},
		{"nested record in union compatible",
			`["null",` + rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int","default":0}`) + `]`,
			`["null",` + rec("R", `{"name":"a","type":"int"}`) + `]`, nil},
		{"nested record in union incompatible",
			`["null",` + rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int"}`) + `]`,
			`["null",` + rec("R", `{"name":"a","type":"int"}`) + `]`,
			[]string{`/1/fields/1: reader field "b" is missing from writer record R and has no default`}},
		{"nested record in reader union only",
			`["null",` + rec("R", `{"name":"a","type":"long"}`) + `]`, rec("R", `{"name":"a","type":"string"}`),
			[]string{"/fields/0/type: reader type long cannot read writer type string"}},
		{"record in union picked by name", `[` + rec("A", `{"name":"x","type":"int"}`) + `,` + rec("B", `{"name":"y","type":"int"}`) + `]`,
			rec("B", `{"name":"y","type":"int"}`), nil},
		{"record in union renamed", `["null",` + rec("B") + `]`, rec("A"),
			[]string{"/: reader union has no branch that can read writer type record A"}},

		// Recursive types.
		{"linked list same", linkedList, linkedList, nil},
		{"linked list promoted", strings.Replace(linkedList, `"type":"int"`, `"type":"long"`, 1), linkedList, nil},
		{"linked list narrowed", linkedList, strings.Replace(linkedList, `"type":"int"`, `"type":"long"`, 1),
			[]string{"/fields/0/type: reader type int cannot read writer type long"}},
		{"linked list field added without default",
			strings.Replace(linkedList, `{"name":"value","type":"int"}`, `{"name":"value","type":"int"},{"name":"extra","type":"int"}`, 1), linkedList,
			[]string{`/fields/1: reader field "extra" is missing from writer record LinkedList and has no default`}},
		{"tree through array and map",
			rec("T", `{"name":"v","type":"long"}`, `{"name":"kids","type":{"type":"array","items":"T"}}`, `{"name":"named","type":{"type":"map","values":"T"}}`),
			rec("T", `{"name":"v","type":"int"}`, `{"name":"kids","type":{"type":"array","items":"T"}}`, `{"name":"named","type":{"type":"map","values":"T"}}`), nil},
		{"mutual recursion",
			rec("A", `{"name":"b","type":["null",`+rec("B", `{"name":"a","type":["null","A"]}`, `{"name":"n","type":"long"}`)+`]}`),
			rec("A", `{"name":"b","type":["null",`+rec("B", `{"name":"a","type":["null","A"]}`, `{"name":"n","type":"int"}`)+`]}`), nil},
		{"mutual recursion incompatible",
			rec("A", `{"name":"b","type":["null",`+rec("B", `{"name":"a","type":["null","A"]}`, `{"name":"n","type":"int"}`)+`]}`),
			rec("A", `{"name":"b","type":["null",`+rec("B", `{"name":"a","type":["null","A"]}`, `{"name":"n","type":"long"}`)+`]}`),
			[]string{"/fields/0/type/1/fields/1/type: reader type int cannot read writer type long"}},

		// Logical types: the underlying type decides; decimals must agree on precision and scale.
		{"date reads int", `{"type":"int","logicalType":"date"}`, `"int"`, nil},
		{"int reads date", `"int"`, `{"type":"int","logicalType":"date"}`, nil},
		{"timestamp reads date via promotion", `{"type":"long","logicalType":"timestamp-millis"}`, `{"type":"int","logicalType":"date"}`, nil},
		{"uuid reads string", `{"type":"string","logicalType":"uuid"}`, `"string"`, nil},
		{"timestamp-micros cannot read string", `{"type":"long","logicalType":"timestamp-micros"}`, `"string"`,
			[]string{"/: reader type long cannot read writer type string"}},
		{"decimal same", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, nil},
		{"decimal scale differs", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}`,
			[]string{"/: reader decimal(4,2) cannot read writer decimal(4,1)"}},
		{"decimal precision differs", `{"type":"bytes","logicalType":"decimal","precision":5}`, `{"type":"bytes","logicalType":"decimal","precision":4,"scale":0}`,
			[]string{"/: reader decimal(5,0) cannot read writer decimal(4,0)"}},
		{"fixed decimal precision differs", `{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":2}`,
			`{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":12,"scale":2}`,
			[]string{"/: reader decimal(10,2) cannot read writer decimal(12,2)"}},
		{"decimal reads bytes", `{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}`, `"bytes"`, nil},
		{"invalid decimal is ignored", `{"type":"bytes","logicalType":"decimal","precision":0}`, `{"type":"bytes","logicalType":"decimal","precision":4}`, nil},
		{"fixed decimal too precise for size is ignored", `{"type":"fixed","name":"D","size":1,"logicalType":"decimal","precision":3}`,
			`{"type":"fixed","name":"D","size":1,"logicalType":"decimal","precision":2}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CanRead(mustParse(t, tt.reader), mustParse(t, tt.writer))
			if len(got) != len(tt.want) {
				t.Fatalf("CanRead = %v, want %d incompatibilities %v", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i].String(), w) {
					t.Errorf("incompatibility %d = %q, want prefix %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCanReadSelf(t *testing.T) {
	for _, text := range validSchemas {
		s := mustParse(t, text)
		if got := CanRead(s, s); got != nil {
			t.Errorf("%s cannot read itself: %v", text, got)
		}
	}
}

func TestCanReadWithReferences(t *testing.T) {
	addr1 := mustParse(t, `{"type":"record","name":"Address","namespace":"com.x","fields":[{"name":"street","type":"string"}]}`)
	addr2 := mustParse(t, `{"type":"record","name":"Address","namespace":"com.x","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string"}]}`)
	addr3 := mustParse(t, `{"type":"record","name":"Address","namespace":"com.x","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string","default":""}]}`)
	user := `{"type":"record","name":"User","namespace":"com.x","fields":[{"name":"home","type":"Address"}]}`
	u1 := mustParse(t, user, Reference{Name: "com.x.Address", Schema: addr1})
	u2 := mustParse(t, user, Reference{Name: "com.x.Address", Schema: addr2})
	u3 := mustParse(t, user, Reference{Name: "com.x.Address", Schema: addr3})
	if u1.Canonical() != u2.Canonical() {
		t.Errorf("canonical forms differ with only references changed: %s vs %s", u1.Canonical(), u2.Canonical())
	}
	got := CanRead(u2, u1)
	if len(got) != 1 || got[0].Path != "/fields/0/type/fields/1" {
		t.Errorf("CanRead(u2, u1) = %v, want the missing zip", got)
	}
	if got := CanRead(u3, u1); got != nil {
		t.Errorf("CanRead(u3, u1) = %v, want compatible", got)
	}
	if got := CanRead(u1, u2); got != nil {
		t.Errorf("CanRead(u1, u2) = %v, want compatible", got)
	}
}

// TestCanReadBounded: a named type used twice at every level reports its incompatibilities 2^depth
// times; CanRead stops at MaxIncompatibilities instead of exhausting memory.
func TestCanReadBounded(t *testing.T) {
	chain := func(depth int, leaf string) string {
		s := fmt.Sprintf(`{"type":"record","name":"L%d","fields":[{"name":"x","type":%q}]}`, depth, leaf)
		for i := depth - 1; i >= 0; i-- {
			s = fmt.Sprintf(`{"type":"record","name":"L%d","fields":[{"name":"a","type":%s},{"name":"b","type":"L%d"}]}`, i, s, i+1)
		}
		return s
	}
	got := CanRead(mustParse(t, chain(60, "int")), mustParse(t, chain(60, "string")))
	if len(got) != MaxIncompatibilities+1 {
		t.Fatalf("len(CanRead) = %d, want %d", len(got), MaxIncompatibilities+1)
	}
	if want := "/fields/0/type/fields/0/type/"; !strings.HasPrefix(got[0].Path, want) {
		t.Errorf("first incompatibility %v, want a path under %s", got[0], want)
	}
	if last := got[len(got)-1].Message; !strings.Contains(last, "more incompatibilities not listed") {
		t.Errorf("last incompatibility %q does not say the list was cut", last)
	}
}
