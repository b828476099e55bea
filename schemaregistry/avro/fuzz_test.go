package avro

import "testing"

// FuzzParse: Parse never panics; an accepted schema's Canonical re-parses to the same Canonical,
// and every schema can read its own data.
func FuzzParse(f *testing.F) {
	for _, s := range validSchemas {
		f.Add(s)
	}
	for _, s := range []string{
		``, `null`, `[]`, `[[]]`, `{}`, `{"type":null}`, `"\ud800"`, `{"type":"record","name":"R","fields":[{"name":"a","type":"R"}]}`,
		`{"type":"record","name":"a.R","fields":[{"name":"x","type":{"type":"record","name":"R","namespace":"","fields":[]}},{"name":"y","type":"R"},{"name":"z","type":{"type":"fixed","name":"a.S","size":1}}]}`,
		`{"type":"record","name":"R","fields":[{"name":"a","type":"bytes","default":"\u00ff\u0100"}]}`,
		`{"type":"record","name":"R","fields":[{"name":"a","type":["null","R"],"default":null,"x":{"b":[1e5,-0.0]}}]}`,
		linkedList,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text)
		if err != nil {
			if _, ok := err.(*SchemaError); !ok {
				t.Fatalf("error %v is %T, want *SchemaError", err, err)
			}
			return
		}
		again, err := Parse(s.Canonical())
		if err != nil {
			t.Fatalf("Canonical %s of %s does not parse: %v", s.Canonical(), text, err)
		}
		if again.Canonical() != s.Canonical() {
			t.Fatalf("Canonical not stable for %s:\n%s\n%s", text, s.Canonical(), again.Canonical())
		}
		if incs := CanRead(s, s); incs != nil {
			t.Fatalf("%s cannot read itself: %v", text, incs)
		}
		if incs := CanRead(s, again); incs != nil {
			t.Fatalf("%s cannot read its canonical form: %v", text, incs)
		}
	})
}
