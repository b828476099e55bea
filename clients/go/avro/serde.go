package avro

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/linkedin/goavro/v2"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// Registry is what serializers and deserializers need of a schema
// registry. *fjord.SchemaRegistry implements it (with its caches: ids
// by registration and schemas by id are asked for once).
type Registry interface {
	Register(ctx context.Context, subject string, s fjord.Schema) (fjord.Schema, error)
	Lookup(ctx context.Context, subject string, s fjord.Schema) (fjord.Schema, error)
	SchemaByID(ctx context.Context, id int) (fjord.Schema, error)
	Latest(ctx context.Context, subject string) (fjord.Schema, error)
	Version(ctx context.Context, subject string, version int, deleted bool) (fjord.Schema, error)
}

var _ Registry = (*fjord.SchemaRegistry)(nil)

// SubjectNameStrategy names the subject under which a topic's keys or
// values are registered and looked up. record is the full name of the
// schema's top-level named type ("" for a schema without one).
type SubjectNameStrategy func(topic string, key bool, record string) (string, error)

// TopicName is the default strategy: TOPIC-key or TOPIC-value.
func TopicName(topic string, key bool, _ string) (string, error) {
	if key {
		return topic + "-key", nil
	}
	return topic + "-value", nil
}

// RecordName names the subject after the record's full name, whatever the
// topic, so one type may go to many topics.
func RecordName(_ string, _ bool, record string) (string, error) {
	if record == "" {
		return "", errors.New("avro: the record name strategy needs a schema whose top-level type is named")
	}
	return record, nil
}

// TopicRecordName names the subject TOPIC-RECORD, so one topic may carry
// several record types, each evolving on its own.
func TopicRecordName(topic string, _ bool, record string) (string, error) {
	if record == "" {
		return "", errors.New("avro: the topic-record name strategy needs a schema whose top-level type is named")
	}
	return topic + "-" + record, nil
}

// compiled is a schema ready for use: the goavro codec (standard JSON for
// text, so unions are plain JSON values) and the tree that drives schema
// resolution.
type compiled struct {
	text  string // the schema with its references written out
	codec *goavro.Codec
	tree  *node
}

// name is the full name of the schema's top-level named type, or "".
func (c *compiled) name() string { return c.tree.name }

func compile(text string) (*compiled, error) {
	codec, err := goavro.NewCodecForStandardJSONFull(text)
	if err != nil {
		return nil, fmt.Errorf("avro: invalid schema: %w", err)
	}
	tree, err := parseSchema(text)
	if err != nil {
		return nil, err
	}
	if err := checkFinite(tree); err != nil {
		return nil, err
	}
	return &compiled{text: text, codec: codec, tree: tree}, nil
}

// schemas compiles registered schemas, caching them by id.
type schemas struct {
	reg Registry

	mu   sync.Mutex // guards byID
	byID map[int]*compiled
}

func newSchemas(reg Registry) *schemas {
	return &schemas{reg: reg, byID: map[int]*compiled{}}
}

// get returns schema id compiled.
func (s *schemas) get(ctx context.Context, id int) (*compiled, error) {
	s.mu.Lock()
	c, ok := s.byID[id]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	sch, err := s.reg.SchemaByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("avro: schema id %d: %w", id, err)
	}
	if c, err = s.compile(ctx, sch.Schema, sch.References); err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	s.mu.Lock()
	s.byID[id] = c
	s.mu.Unlock()
	return c, nil
}

// compile compiles text, fetching its references from the registry.
func (s *schemas) compile(ctx context.Context, text string, refs []fjord.SchemaReference) (*compiled, error) {
	full, err := s.expand(ctx, text, refs, 0)
	if err != nil {
		return nil, err
	}
	return compile(full)
}

// expand writes text's references out into it (see inline), recursively.
func (s *schemas) expand(ctx context.Context, text string, refs []fjord.SchemaReference, depth int) (string, error) {
	if len(refs) == 0 {
		return text, nil
	}
	if depth > 32 {
		return "", errors.New("avro: schema references nest too deep (a cycle?)")
	}
	defs := map[string]any{}
	for _, r := range refs {
		v, err := s.reg.Version(ctx, r.Subject, r.Version, true)
		if err != nil {
			return "", fmt.Errorf("avro: reference %s (subject %q version %d): %w", r.Name, r.Subject, r.Version, err)
		}
		inner, err := s.expand(ctx, v.Schema, v.References, depth+1)
		if err != nil {
			return "", err
		}
		if defs[r.Name], err = decodeJSON(inner); err != nil {
			return "", fmt.Errorf("avro: reference %s is not JSON: %w", r.Name, err)
		}
	}
	return inline(text, defs)
}

// SerializerOpt configures a Serializer.
type SerializerOpt func(*Serializer)

// WithSchema sets the writer schema (Avro JSON text) and the references it
// takes from other registered schemas. It is required unless
// UseLatestVersion is on with a strategy that needs no record name.
func WithSchema(text string, refs ...fjord.SchemaReference) SerializerOpt {
	return func(s *Serializer) { s.schema, s.refs = text, refs }
}

// SubjectStrategy sets how subjects are named. Default: TopicName.
func SubjectStrategy(f SubjectNameStrategy) SerializerOpt {
	return func(s *Serializer) { s.strategy = f }
}

// ForKeys makes the serializer name key subjects (TOPIC-key with
// TopicName). Default: values.
func ForKeys() SerializerOpt {
	return func(s *Serializer) { s.key = true }
}

// AutoRegister registers the writer schema under the subject on first use
// (on) or only looks its id up, failing with fjord.ErrSubjectNotFound or
// fjord.ErrSchemaNotFound when it is not registered (off). Default: on.
func AutoRegister(on bool) SerializerOpt {
	return func(s *Serializer) { s.autoRegister = on }
}

// UseLatestVersion encodes with the subject's latest registered schema
// (cached by the registry client for its LatestTTL) and its id, instead of
// the writer schema: values must fit that schema. Nothing is registered.
// Default: off.
func UseLatestVersion(on bool) SerializerOpt {
	return func(s *Serializer) { s.useLatest = on }
}

// Serializer encodes values in the Confluent wire format: the magic byte
// 0, the schema id (4 bytes, big-endian), then the Avro binary encoding.
// It finds the id through the registry once per subject (registering the
// schema unless AutoRegister(false)). It is safe for concurrent use.
//
// Values are given in one of three forms:
//   - Encode: goavro's native form: map[string]any for records (missing
//     fields take their defaults), int32/int64/float32/float64/string/
//     []byte/bool, []any, map[string]any, and for unions nil or
//     goavro.Union("type", value) (a map with the branch's type name).
//   - EncodeJSON: JSON text, with unions as plain JSON values (the branch
//     is inferred: "x" for ["null","string"]), not Avro's {"string":"x"}.
//     bytes and fixed are JSON strings whose code points are the bytes.
//   - Marshal: any Go value, through encoding/json and then EncodeJSON: a
//     struct whose JSON form is the schema's record (use json tags for
//     field names). It costs a JSON round trip, and []byte fields do not
//     work (encoding/json writes base64; use string fields for bytes).
type Serializer struct {
	reg          Registry
	schemas      *schemas
	strategy     SubjectNameStrategy
	key          bool
	autoRegister bool
	useLatest    bool
	schema       string
	refs         []fjord.SchemaReference

	mu     sync.Mutex     // guards the fields below
	writer *compiled      // schema, compiled (once its references are fetched)
	ids    map[string]int // subject -> the writer schema's id there
}

// NewSerializer returns a serializer using reg. A writer schema without
// references is checked here; one with references on first use.
func NewSerializer(reg Registry, opts ...SerializerOpt) (*Serializer, error) {
	s := &Serializer{reg: reg, schemas: newSchemas(reg), strategy: TopicName, autoRegister: true, ids: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	if s.schema == "" && !s.useLatest {
		return nil, errors.New("avro: a serializer needs a schema (WithSchema) or UseLatestVersion")
	}
	if s.schema != "" && len(s.refs) == 0 {
		c, err := compile(s.schema)
		if err != nil {
			return nil, err
		}
		s.writer = c
	}
	return s, nil
}

// writerSchema returns the writer schema compiled, or nil without one.
func (s *Serializer) writerSchema(ctx context.Context) (*compiled, error) {
	s.mu.Lock()
	w := s.writer
	s.mu.Unlock()
	if w != nil || s.schema == "" {
		return w, nil
	}
	w, err := s.schemas.compile(ctx, s.schema, s.refs)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.writer = w
	s.mu.Unlock()
	return w, nil
}

// Subject returns the subject the serializer uses for topic.
func (s *Serializer) Subject(ctx context.Context, topic string) (string, error) {
	_, subject, err := s.subject(ctx, topic)
	return subject, err
}

// subject returns the writer schema (nil without one) and the subject for
// topic.
func (s *Serializer) subject(ctx context.Context, topic string) (*compiled, string, error) {
	w, err := s.writerSchema(ctx)
	if err != nil {
		return nil, "", err
	}
	record := ""
	if w != nil {
		record = w.name()
	}
	subject, err := s.strategy(topic, s.key, record)
	return w, subject, err
}

// resolve returns the schema to encode with for topic and its id.
func (s *Serializer) resolve(ctx context.Context, topic string) (*compiled, int, error) {
	w, subject, err := s.subject(ctx, topic)
	if err != nil {
		return nil, 0, err
	}
	if s.useLatest {
		l, err := s.reg.Latest(ctx, subject)
		if err != nil {
			return nil, 0, fmt.Errorf("avro: latest schema of subject %q: %w", subject, err)
		}
		c, err := s.schemas.get(ctx, l.ID)
		return c, l.ID, err
	}
	s.mu.Lock()
	id, ok := s.ids[subject]
	s.mu.Unlock()
	if ok {
		return w, id, nil
	}
	in := fjord.Schema{Schema: s.schema, References: s.refs}
	var got fjord.Schema
	if s.autoRegister {
		got, err = s.reg.Register(ctx, subject, in)
	} else {
		got, err = s.reg.Lookup(ctx, subject, in)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("avro: subject %q: %w", subject, err)
	}
	s.mu.Lock()
	s.ids[subject] = got.ID
	s.mu.Unlock()
	return w, got.ID, nil
}

// Encode encodes native (goavro's native form, see Serializer) for topic.
func (s *Serializer) Encode(ctx context.Context, topic string, native any) ([]byte, error) {
	c, id, err := s.resolve(ctx, topic)
	if err != nil {
		return nil, err
	}
	out, err := c.codec.BinaryFromNative(AppendHeader(nil, id), native)
	if err != nil {
		return nil, fmt.Errorf("avro: value does not fit schema id %d: %w", id, err)
	}
	return out, nil
}

// EncodeJSON encodes a value given as JSON text (unions as plain JSON
// values, see Serializer) for topic.
func (s *Serializer) EncodeJSON(ctx context.Context, topic string, text []byte) ([]byte, error) {
	c, id, err := s.resolve(ctx, topic)
	if err != nil {
		return nil, err
	}
	native, rest, err := c.codec.NativeFromTextual(text)
	if err != nil {
		return nil, fmt.Errorf("avro: JSON value does not fit schema id %d: %w", id, err)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("avro: JSON value has trailing data: %.20q", rest)
	}
	out, err := c.codec.BinaryFromNative(AppendHeader(nil, id), native)
	if err != nil {
		return nil, fmt.Errorf("avro: value does not fit schema id %d: %w", id, err)
	}
	return out, nil
}

// Marshal encodes v, converted to JSON with encoding/json, for topic (see
// Serializer for what v may be).
func (s *Serializer) Marshal(ctx context.Context, topic string, v any) ([]byte, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	return s.EncodeJSON(ctx, topic, text)
}

// DeserializerOpt configures a Deserializer.
type DeserializerOpt func(*Deserializer)

// ReaderSchema sets the schema values are decoded as (Avro JSON text and
// its references). Data written with another schema is resolved to it by
// the Avro specification's rules: reader fields missing from the writer's
// schema take their defaults, writer fields the reader lacks are dropped,
// numbers are promoted (int -> long -> float -> double), string and bytes
// convert, enum symbols map by name (or to the reader's default), union
// branches are chosen by type. Data that cannot be resolved fails to
// decode. Default: none, values are decoded with the schema they were
// written with.
func ReaderSchema(text string, refs ...fjord.SchemaReference) DeserializerOpt {
	return func(d *Deserializer) { d.readerText, d.readerRefs = text, refs }
}

// Deserializer decodes Confluent-framed values: it reads the schema id,
// fetches the schema from the registry (once per id) and decodes, as the
// ReaderSchema if one is set. It is safe for concurrent use.
type Deserializer struct {
	schemas    *schemas
	readerText string
	readerRefs []fjord.SchemaReference

	mu     sync.Mutex // guards reader
	reader *compiled
}

// NewDeserializer returns a deserializer using reg. A reader schema
// without references is checked here; one with references on first use.
func NewDeserializer(reg Registry, opts ...DeserializerOpt) (*Deserializer, error) {
	d := &Deserializer{schemas: newSchemas(reg)}
	for _, o := range opts {
		o(d)
	}
	if d.readerText != "" && len(d.readerRefs) == 0 {
		c, err := compile(d.readerText)
		if err != nil {
			return nil, err
		}
		d.reader = c
	}
	return d, nil
}

func (d *Deserializer) readerSchema(ctx context.Context) (*compiled, error) {
	d.mu.Lock()
	r := d.reader
	d.mu.Unlock()
	if r != nil || d.readerText == "" {
		return r, nil
	}
	r, err := d.schemas.compile(ctx, d.readerText, d.readerRefs)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.reader = r
	d.mu.Unlock()
	return r, nil
}

// decode returns the value in data natively and the schema it is in.
func (d *Deserializer) decode(ctx context.Context, data []byte) (any, *compiled, error) {
	id, payload, err := ParseHeader(data)
	if err != nil {
		return nil, nil, err
	}
	w, err := d.schemas.get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := d.readerSchema(ctx)
	if err != nil {
		return nil, nil, err
	}
	// Transcoding also checks the data before goavro sees it: goavro
	// allocates what a block's count says, so a corrupt count could take
	// gigabytes; the transcoder bounds counts by the data left.
	if r == nil {
		r = w
	}
	dec := &decoder{b: payload}
	if payload, err = newResolver(len(payload)).resolve(nil, dec, w.tree, r.tree); err != nil {
		return nil, nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	if len(dec.b) > 0 {
		return nil, nil, fmt.Errorf("avro: %d bytes after the value (schema id %d)", len(dec.b), id)
	}
	w = r
	native, rest, err := w.codec.NativeFromBinary(payload)
	if err != nil {
		return nil, nil, fmt.Errorf("avro: cannot decode with schema id %d: %w", id, err)
	}
	if len(rest) > 0 {
		return nil, nil, fmt.Errorf("avro: %d bytes after the value (schema id %d)", len(rest), id)
	}
	return native, w, nil
}

// Decode decodes data into goavro's native form (see Serializer).
func (d *Deserializer) Decode(ctx context.Context, data []byte) (any, error) {
	v, _, err := d.decode(ctx, data)
	return v, err
}

// DecodeJSON decodes data into JSON text, unions as plain JSON values,
// record fields in schema order, map keys sorted.
func (d *Deserializer) DecodeJSON(ctx context.Context, data []byte) ([]byte, error) {
	v, c, err := d.decode(ctx, data)
	if err != nil {
		return nil, err
	}
	out, err := c.codec.TextualFromNative(nil, v)
	if err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	if out, err = orderJSON(out, c.tree); err != nil {
		return nil, fmt.Errorf("avro: %w", err)
	}
	return out, nil
}

// Unmarshal decodes data into v through JSON (DecodeJSON, then
// encoding/json): v is typically a pointer to a struct whose JSON form is
// the record (see Serializer for the limits).
func (d *Deserializer) Unmarshal(ctx context.Context, data []byte, v any) error {
	text, err := d.DecodeJSON(ctx, data)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(text, v); err != nil {
		return fmt.Errorf("avro: %w", err)
	}
	return nil
}
