package avro

import (
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"
)

// TestGoavroAccepts cross-checks Parse against goavro, the codec the broker and SDK encode and
// decode with: every schema we accept, and its Canonical form, builds a goavro codec. (goavro's own
// Parsing Canonical Form gets nested namespaces wrong, "a.b.c.E" for namespace "c" inside "a.b",
// so it is not compared.)
//
// goavro is stricter than the specification and Java in a few places; those schemas are listed in
// goavroRejects, with why we accept them.
func TestGoavroAccepts(t *testing.T) {
	goavroRejects := map[string]string{
		`{"type":"bytes","logicalType":"decimal","precision":-1}`:                      "the specification says to ignore an invalid logical type",
		`{"type":"enum","name":"Empty","symbols":[]}`:                                  "the specification does not require a symbol",
		`{"type":"fixed","name":"zero","size":0}`:                                      "the specification allows size 0",
		`{"type":"error","name":"Oops","fields":[{"name":"message","type":"string"}]}`: `Java parses "error" as a record`,
		`{"type":"record","name":"FixedDefault","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"\u00ff\u0001"}]}`: "goavro counts the UTF-8 bytes of a default, not its code points",
	}
	for _, text := range validSchemas {
		s := mustParse(t, text)
		if _, ok := goavroRejects[text]; ok {
			if _, err := goavro.NewCodec(text); err == nil {
				t.Errorf("goavro now accepts %s: drop it from goavroRejects", text)
			}
			continue
		}
		if _, err := goavro.NewCodec(text); err != nil {
			t.Errorf("goavro rejects %s: %v", text, err)
		}
		if _, err := goavro.NewCodec(s.Canonical()); err != nil {
			t.Errorf("goavro rejects Canonical %s: %v", s.Canonical(), err)
		}
	}
}

// FuzzGoavroStricter: whatever goavro accepts, we accept too, except where the specification and
// Java reject it and goavro does not look (listed with the reason). A rejection of a schema that
// clients can use must be deliberate.
func FuzzGoavroStricter(f *testing.F) {
	for _, s := range validSchemas {
		f.Add(s)
	}
	deliberate := []string{
		`"type" must be a string`, // Java: "No type" unless "type" is text; goavro parses a nested schema
		"duplicate symbol",        // the specification: symbols must be unique
		"invalid alias",           // Java validates alias names
		"an alias must be a string",
		`"aliases" must be`,
		"enum default",           // Java and the specification: the default must be a symbol
		"defined more than once", // Java: "Can't redefine"
		"invalid order",          // Java: Order.valueOf fails
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, err := Parse(text)
		if err == nil {
			return
		}
		if _, gerr := goavro.NewCodec(text); gerr != nil {
			return
		}
		for _, d := range deliberate {
			if strings.Contains(err.Error(), d) {
				return
			}
		}
		t.Fatalf("goavro accepts %s; we reject it: %v", text, err)
	})
}
