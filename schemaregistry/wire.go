package schemaregistry

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/linkedin/goavro/v2"
)

// This file checks produced records on the broker: the Confluent wire
// format (magic byte 0, a 4-byte big-endian schema id, the Avro binary
// payload), the id's registration under the record's subject and, on
// request, that the payload decodes with the schema (goavro).

// Subject name strategies (topic configs key.subject.name.strategy and
// value.subject.name.strategy).
const (
	StrategyTopic       = "topic"        // <topic>-key, <topic>-value
	StrategyRecord      = "record"       // the schema's record full name
	StrategyTopicRecord = "topic-record" // <topic>-<record full name>
)

// WireHeaderSize is the magic byte plus the schema id.
const WireHeaderSize = 5

// codecCache holds goavro codecs and record names by schema id. Schema ids
// are immutable, so entries never go stale.
type codecCache struct {
	// mu guards the maps.
	mu     sync.Mutex
	codecs map[int32]*idCodec
	names  map[int32]string
}

// idCodec decodes payloads of one schema id. A schema with references is
// decoded as a union of the referenced schemas and its own branches (goavro
// has no references; a union makes their named types known to it), the
// payload's branch index remapped into that union.
type idCodec struct {
	codec *goavro.Codec
	// branches maps the schema's union branches (one for a schema that is
	// not a union) to their index in codec's union; nil without
	// references.
	branches []int64
	union    bool // the schema itself is a union
}

// SubjectFor returns the subject a record's key or value belongs to under a
// strategy: for record and topic-record it needs the schema's record name.
func SubjectFor(strategy, topic string, isKey bool, recordName string) string {
	switch strategy {
	case StrategyRecord:
		return recordName
	case StrategyTopicRecord:
		return topic + "-" + recordName
	}
	if isKey {
		return topic + "-key"
	}
	return topic + "-value"
}

// CheckPayload checks one key or value produced to topic: the wire format,
// that its schema id is registered (soft-deleted versions included) under
// the subject the strategy names and, with full, that the payload decodes
// with that schema. An unknown id or subject is looked up again once this
// broker's view caught up with the registry, so a schema registered just
// before the produce is found. The error says what is wrong, for an
// INVALID_RECORD answer.
func (r *Registry) CheckPayload(ctx context.Context, topic string, isKey bool, strategy string, full bool, data []byte) error {
	what := "value"
	if isKey {
		what = "key"
	}
	if len(data) < WireHeaderSize {
		return fmt.Errorf("%s of %d bytes is too short for the schema registry wire format (magic byte 0 and a 4-byte schema id)", what, len(data))
	}
	if data[0] != 0 {
		return fmt.Errorf("%s starts with magic byte %d, not 0 (the schema registry wire format)", what, data[0])
	}
	id := int32(binary.BigEndian.Uint32(data[1:5]))
	subject, err := r.registeredSubject(topic, isKey, strategy, id)
	if err != nil {
		// Perhaps registered a moment ago through another broker.
		if cerr := r.catchUp(ctx); cerr != nil {
			return fmt.Errorf("%s: %v (and the registry could not catch up: %v)", what, err, cerr)
		}
		if subject, err = r.registeredSubject(topic, isKey, strategy, id); err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
	}
	if !full {
		return nil
	}
	// Checked without goavro first: it preallocates arrays and maps from
	// their block counts, which a few hostile bytes set to 2^31.
	r.mu.RLock()
	s, err := r.v.schema(id)
	r.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("%s: cannot parse schema %d: %v", what, id, err)
	}
	if err := s.CheckBinary(data[WireHeaderSize:]); err != nil {
		return fmt.Errorf("%s does not decode with schema %d (subject %q): %v", what, id, subject, err)
	}
	c, err := r.codecFor(id)
	if err != nil {
		return fmt.Errorf("%s: cannot build a decoder for schema %d: %v", what, id, err)
	}
	if err := c.decode(data[WireHeaderSize:]); err != nil {
		return fmt.Errorf("%s does not decode with schema %d (subject %q): %v", what, id, subject, err)
	}
	return nil
}

// registeredSubject checks id's registration under its subject.
func (r *Registry) registeredSubject(topic string, isKey bool, strategy string, id int32) (string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	si := r.v.ids[id]
	if si == nil {
		return "", fmt.Errorf("schema id %d is not registered", id)
	}
	name := ""
	if strategy == StrategyRecord || strategy == StrategyTopicRecord {
		var err error
		if name, err = r.recordName(si); err != nil {
			return "", err
		}
	}
	subject := SubjectFor(strategy, topic, isKey, name)
	if !r.v.hasID(subject, id) {
		return "", fmt.Errorf("schema id %d is not registered under subject %q", id, subject)
	}
	return subject, nil
}

// recordName is the full name of a schema's top-level named type.
func (r *Registry) recordName(si *schemaInfo) (string, error) {
	c := &r.codecs
	c.mu.Lock()
	name, ok := c.names[si.id]
	c.mu.Unlock()
	if ok {
		return name, nil
	}
	if name = topName(si.text); name == "" {
		return "", fmt.Errorf("schema %d is not a named type, so it has no record name for the subject name strategy", si.id)
	}
	c.mu.Lock()
	if c.names == nil {
		c.names = map[int32]string{}
	}
	c.names[si.id] = name
	c.mu.Unlock()
	return name, nil
}

// codecFor returns the decoder of a schema id, building it on first use.
func (r *Registry) codecFor(id int32) (*idCodec, error) {
	c := &r.codecs
	c.mu.Lock()
	ic, ok := c.codecs[id]
	c.mu.Unlock()
	if ok {
		return ic, nil
	}
	r.mu.RLock()
	texts, err := r.dependencyTexts(id)
	r.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if ic, err = newIDCodec(texts); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.codecs == nil {
		c.codecs = map[int32]*idCodec{}
	}
	c.codecs[id] = ic
	c.mu.Unlock()
	return ic, nil
}

// dependencyTexts lists the texts of id's referenced schemas, transitively
// and dependencies first, then id's own; r.mu is held.
func (r *Registry) dependencyTexts(id int32) ([]string, error) {
	var out []string
	seen := map[int32]bool{}
	var visit func(id int32, depth int) error
	visit = func(id int32, depth int) error {
		if seen[id] {
			return nil
		}
		if depth > maxParseDepth {
			return fmt.Errorf("references nest deeper than %d levels", maxParseDepth)
		}
		seen[id] = true
		si := r.v.ids[id]
		if si == nil {
			return fmt.Errorf("schema %d is not registered", id)
		}
		for _, ref := range si.refs {
			s := r.v.subjects[ref.Subject]
			if s == nil || s.versions[ref.Version] == nil {
				return fmt.Errorf("reference %q (subject %q version %d) is not registered", ref.Name, ref.Subject, ref.Version)
			}
			if err := visit(s.versions[ref.Version].id, depth+1); err != nil {
				return err
			}
		}
		out = append(out, si.text)
		return nil
	}
	return out, visit(id, 0)
}

// newIDCodec builds the decoder of the last of texts, the others being
// the schemas it references (dependencies first).
func newIDCodec(texts []string) (*idCodec, error) {
	main := texts[len(texts)-1]
	if len(texts) == 1 {
		codec, err := goavro.NewCodec(main)
		return &idCodec{codec: codec}, err
	}
	ic := &idCodec{}
	var branches []json.RawMessage
	roots := map[string]int64{} // full name of a referenced schema -> its branch
	for _, t := range texts[:len(texts)-1] {
		if name := topName(t); name != "" {
			if _, dup := roots[name]; dup {
				continue
			}
			roots[name] = int64(len(branches))
		}
		branches = append(branches, json.RawMessage(t))
	}
	var own []json.RawMessage
	if err := json.Unmarshal([]byte(main), &own); err == nil {
		ic.union = true
	} else {
		own = []json.RawMessage{json.RawMessage(main)}
	}
	for _, b := range own {
		// A branch naming a referenced type is that type's branch (a
		// union may not hold one name twice).
		var name string
		if json.Unmarshal(b, &name) == nil {
			if i, ok := roots[name]; ok {
				ic.branches = append(ic.branches, i)
				continue
			}
		}
		ic.branches = append(ic.branches, int64(len(branches)))
		branches = append(branches, b)
	}
	union, err := json.Marshal(branches)
	if err != nil {
		return nil, err
	}
	ic.codec, err = goavro.NewCodec(string(union))
	return ic, err
}

// topName is the full name of a schema text's top-level named type, or "".
func topName(text string) string {
	var top struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	}
	if json.Unmarshal([]byte(text), &top) != nil || top.Name == "" {
		return ""
	}
	if !strings.Contains(top.Name, ".") && top.Namespace != "" {
		return top.Namespace + "." + top.Name
	}
	return top.Name
}

// decode decodes one payload entirely.
func (c *idCodec) decode(payload []byte) error {
	if c.branches != nil {
		branch := int64(0)
		if c.union {
			idx, n := binary.Varint(payload)
			if n <= 0 || idx < 0 || idx >= int64(len(c.branches)) {
				return fmt.Errorf("bad union branch index")
			}
			branch, payload = idx, payload[n:]
		}
		payload = append(binary.AppendVarint(nil, c.branches[branch]), payload...)
	}
	_, rest, err := c.codec.NativeFromBinary(payload)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%d bytes left over after the data", len(rest))
	}
	return nil
}
