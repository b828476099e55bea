package avro

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLevel(t *testing.T) {
	for _, l := range Levels {
		got, err := ParseLevel(string(l))
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %q, %v", l, got, err)
		}
		got, err = ParseLevel(strings.ToLower(string(l)))
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q) = %q, %v", strings.ToLower(string(l)), got, err)
		}
	}
	for _, s := range []string{"", "BACK", "FULL_TRANSITIVE_", "transitive"} {
		if _, err := ParseLevel(s); !errors.Is(err, ErrInvalidLevel) {
			t.Errorf("ParseLevel(%q) error = %v, want ErrInvalidLevel", s, err)
		}
	}
}

func TestCheck(t *testing.T) {
	a := rec("R", `{"name":"a","type":"int"}`)
	ab := rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int"}`)
	abDefault := rec("R", `{"name":"a","type":"int"}`, `{"name":"b","type":"int","default":0}`)
	str := `"string"`
	// Chains that pass step by step but fail end to end.
	//   backward: a -> abDefault -> ab: ab reads abDefault, but not a (b has no default).
	//   forward:  ab -> abDefault -> a: abDefault reads a, ab cannot.
	tests := []struct {
		name      string
		candidate string
		existing  []string
		want      map[Level][]string // level -> expected messages (prefixes); missing = compatible
	}{
		{"empty subject accepts anything", str, nil, nil},
		{"identical", a, []string{a}, nil},
		{"type change", str, []string{a}, map[Level][]string{
			Backward: {"/: reader type string cannot read writer type record R (new schema reading existing[0])"},
			Forward:  {"/: reader type record R cannot read writer type string (existing[0] reading new schema)"},
			Full: {"/: reader type string cannot read writer type record R (new schema reading existing[0])",
				"/: reader type record R cannot read writer type string (existing[0] reading new schema)"},
		}},
		{"field added without default", ab, []string{a}, map[Level][]string{
			Backward: {`/fields/1: reader field "b" is missing from writer record R and has no default (new schema reading existing[0])`},
			Full:     {`/fields/1: reader field "b"`},
		}},
		{"field added with default", abDefault, []string{a}, nil},
		{"field removed without default", a, []string{ab}, map[Level][]string{
			Forward: {`/fields/1: reader field "b" is missing from writer record R and has no default (existing[0] reading new schema)`},
			Full:    {`/fields/1: reader field "b"`},
		}},
		{"field removed with default", a, []string{abDefault}, nil},
		{"backward chain", ab, []string{a, abDefault}, map[Level][]string{
			BackwardTransitive: {`/fields/1: reader field "b" is missing from writer record R and has no default (new schema reading existing[0])`},
			FullTransitive:     {`/fields/1: reader field "b" is missing from writer record R and has no default (new schema reading existing[0])`},
		}},
		{"forward chain", a, []string{ab, abDefault}, map[Level][]string{
			ForwardTransitive: {`/fields/1: reader field "b" is missing from writer record R and has no default (existing[0] reading new schema)`},
			FullTransitive:    {`/fields/1: reader field "b" is missing from writer record R and has no default (existing[0] reading new schema)`},
		}},
		{"only the latest for non-transitive levels", a, []string{str, a}, map[Level][]string{
			BackwardTransitive: {"/: reader type record R cannot read writer type string (new schema reading existing[0])"},
			ForwardTransitive:  {"/: reader type string cannot read writer type record R (existing[0] reading new schema)"},
			FullTransitive:     {"/: reader type record R", "/: reader type string"},
		}},
		{"transitive lists every version, newest first", str, []string{a, ab}, map[Level][]string{
			Backward:           {"/: reader type string cannot read writer type record R (new schema reading existing[1])"},
			BackwardTransitive: {"/: reader type string cannot read writer type record R (new schema reading existing[1])", "/: reader type string cannot read writer type record R (new schema reading existing[0])"},
			Forward:            {"/: reader type record R cannot read writer type string (existing[1] reading new schema)"},
			ForwardTransitive:  {"/: reader type record R cannot read writer type string (existing[1] reading new schema)", "/: reader type record R cannot read writer type string (existing[0] reading new schema)"},
			Full:               {"/: reader type string", "/: reader type record R"},
			FullTransitive:     {"/: reader type string", "/: reader type record R", "/: reader type string", "/: reader type record R"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cand := mustParse(t, tt.candidate)
			var existing []*Schema
			for _, e := range tt.existing {
				existing = append(existing, mustParse(t, e))
			}
			for _, level := range Levels {
				got := Check(level, cand, existing)
				want, ok := tt.want[level]
				if !ok && level.Transitive() && len(existing) <= 1 {
					// Against one version, transitive and not are the same.
					want = tt.want[Level(strings.TrimSuffix(string(level), "_TRANSITIVE"))]
				}
				if len(got) != len(want) {
					t.Errorf("%s: Check = %v, want %v", level, got, want)
					continue
				}
				for i := range want {
					if !strings.HasPrefix(got[i].String(), want[i]) {
						t.Errorf("%s: incompatibility %d = %q, want prefix %q", level, i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestCheckUnknownLevel(t *testing.T) {
	s := mustParse(t, `"int"`)
	if got := Check(Level("SIDEWAYS"), s, []*Schema{s}); len(got) != 1 {
		t.Errorf("Check with an unknown level = %v, want a rejection", got)
	}
	if got := Check(Level("SIDEWAYS"), s, nil); got != nil {
		t.Errorf("Check with an unknown level and no existing = %v, want nil", got)
	}
}
