package avro

import (
	"fmt"
	"strings"
)

// Level is a compatibility level, as Confluent's schema registry names them.
type Level string

// The compatibility levels. Backward is the registry default.
const (
	None               Level = "NONE"
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
)

// Levels lists every level.
var Levels = []Level{None, Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive}

// ParseLevel parses a level name, ignoring case. An unknown name gives an error wrapping
// ErrInvalidLevel.
func ParseLevel(s string) (Level, error) {
	u := Level(strings.ToUpper(strings.TrimSpace(s)))
	for _, l := range Levels {
		if u == l {
			return l, nil
		}
	}
	return "", fmt.Errorf("%w %q: must be one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE", ErrInvalidLevel, s)
}

// Transitive reports whether l checks against every existing version rather than the latest.
func (l Level) Transitive() bool { return strings.HasSuffix(string(l), "_TRANSITIVE") }

func (l Level) backward() bool {
	return strings.HasPrefix(string(l), "BACKWARD") || strings.HasPrefix(string(l), "FULL")
}

func (l Level) forward() bool {
	return strings.HasPrefix(string(l), "FORWARD") || strings.HasPrefix(string(l), "FULL")
}

// Check applies level to candidate against existing (a subject's non-deleted versions, oldest
// first) and returns every incompatibility (nil = allowed). Non-transitive levels check only the
// latest existing schema, transitive ones all of them. Backward means the candidate can read the
// existing schema's data (CanRead(candidate, old)), forward that the existing schema can read the
// candidate's (CanRead(old, candidate)), full both. An empty existing list accepts anything; so
// does NONE. Each message ends with which schema read which, naming the existing schema by its
// index in existing ("(new schema reading existing[2])"). An unknown level (not from ParseLevel)
// rejects everything.
func Check(level Level, candidate *Schema, existing []*Schema) []Incompatibility {
	if level == None || len(existing) == 0 {
		return nil
	}
	known := false
	for _, l := range Levels {
		known = known || l == level
	}
	if !known {
		return []Incompatibility{{Path: "/", Message: fmt.Sprintf("unknown compatibility level %q", level)}}
	}
	first := len(existing) - 1
	if level.Transitive() {
		first = 0
	}
	var out []Incompatibility
	for i := len(existing) - 1; i >= first; i-- {
		old := existing[i]
		if level.backward() {
			for _, inc := range CanRead(candidate, old) {
				inc.Message += fmt.Sprintf(" (new schema reading existing[%d])", i)
				out = append(out, inc)
			}
		}
		if level.forward() {
			for _, inc := range CanRead(old, candidate) {
				inc.Message += fmt.Sprintf(" (existing[%d] reading new schema)", i)
				out = append(out, inc)
			}
		}
	}
	return out
}
