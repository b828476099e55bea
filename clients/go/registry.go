package fjord

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// Schema is one registered schema: a subject version, or a schema by id.
// As an argument (Register, Lookup, CheckCompatibility) only Type, Schema
// and References are read.
type Schema struct {
	// Subject and Version locate the schema in a subject; they are empty
	// for a schema fetched by id.
	Subject string
	Version int
	// ID is the schema's global id, the one the wire format carries.
	ID int
	// Type is the schema type; empty means AVRO, the only type.
	Type string
	// Schema is the schema text exactly as registered.
	Schema string
	// References are the named types the schema takes from other
	// registered schemas.
	References []SchemaReference
	// Deleted is true for a soft-deleted subject version.
	Deleted bool
}

// SchemaReference names a type defined by another registered schema
// (Confluent references): Name is the type's full name as the referencing
// schema uses it, Subject and Version where that schema is registered.
type SchemaReference struct {
	Name    string
	Subject string
	Version int
}

// Compatibility is the answer of CheckCompatibility.
type Compatibility struct {
	// Compatible is true when the schema may be registered.
	Compatible bool
	// Messages lists every incompatibility found ("path: message"), when
	// the check was verbose.
	Messages []string
}

// SchemaConfig is a global or subject-level registry config.
type SchemaConfig struct {
	// Level is the compatibility level: NONE, BACKWARD, BACKWARD_TRANSITIVE,
	// FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE.
	Level string
	// Normalize is whether schemas are normalized by default on
	// registration and lookup.
	Normalize bool
}

// Registry modes: what SetMode sets and Mode answers.
const (
	// ModeReadWrite is the default: schemas may be registered and
	// deleted.
	ModeReadWrite = "READWRITE"
	// ModeReadOnly refuses registrations, deletes and config changes
	// with ErrOperationNotPermitted.
	ModeReadOnly = "READONLY"
	// ModeImport lets registrations choose their ids and versions (as a
	// migration from another registry does) and skips compatibility
	// checks.
	ModeImport = "IMPORT"
)

// Reasons of the schema registry's errors. The Confluent error code the
// REST API would answer (40401, 42201, ...) is in Error.Metadata under
// "error_code"; SchemaErrorCode returns it.
const (
	ReasonSubjectNotFound           = "SUBJECT_NOT_FOUND"
	ReasonVersionNotFound           = "VERSION_NOT_FOUND"
	ReasonSchemaNotFound            = "SCHEMA_NOT_FOUND"
	ReasonSubjectSoftDeleted        = "SUBJECT_SOFT_DELETED"
	ReasonSubjectNotSoftDeleted     = "SUBJECT_NOT_SOFT_DELETED"
	ReasonVersionSoftDeleted        = "VERSION_SOFT_DELETED"
	ReasonVersionNotSoftDeleted     = "VERSION_NOT_SOFT_DELETED"
	ReasonSubjectConfigNotFound     = "SUBJECT_CONFIG_NOT_FOUND"
	ReasonSubjectModeNotFound       = "SUBJECT_MODE_NOT_FOUND"
	ReasonIncompatibleSchema        = "INCOMPATIBLE_SCHEMA"
	ReasonInvalidSchema             = "INVALID_SCHEMA"
	ReasonInvalidVersion            = "INVALID_VERSION"
	ReasonInvalidCompatibilityLevel = "INVALID_COMPATIBILITY_LEVEL"
	ReasonInvalidMode               = "INVALID_MODE"
	ReasonOperationNotPermitted     = "OPERATION_NOT_PERMITTED"
	ReasonReferenceExists           = "REFERENCE_EXISTS"
	ReasonSchemaStoreError          = "SCHEMA_STORE_ERROR"
	ReasonSchemaStoreTimeout        = "SCHEMA_STORE_TIMEOUT"
	ReasonSchemaForwardingError     = "SCHEMA_FORWARDING_ERROR"
)

// Sentinels for the schema registry's errors, matched by reason with
// errors.Is.
var (
	ErrSubjectNotFound       = &Error{Reason: ReasonSubjectNotFound}
	ErrVersionNotFound       = &Error{Reason: ReasonVersionNotFound}
	ErrSchemaNotFound        = &Error{Reason: ReasonSchemaNotFound}
	ErrSubjectConfigNotFound = &Error{Reason: ReasonSubjectConfigNotFound}
	ErrSubjectModeNotFound   = &Error{Reason: ReasonSubjectModeNotFound}
	ErrOperationNotPermitted = &Error{Reason: ReasonOperationNotPermitted}
	ErrIncompatibleSchema    = &Error{Reason: ReasonIncompatibleSchema}
	ErrInvalidSchema         = &Error{Reason: ReasonInvalidSchema}
	ErrReferenceExists       = &Error{Reason: ReasonReferenceExists}
)

// registryRetriable are the registry reasons worth retrying: the store was
// briefly unavailable (a `_schemas` leader change, a forwarding failure).
var registryRetriable = []string{ReasonSchemaStoreError, ReasonSchemaStoreTimeout, ReasonSchemaForwardingError}

// SchemaErrorCode returns the Confluent error code of a schema registry
// error (40401 for SUBJECT_NOT_FOUND, 42201 for INVALID_SCHEMA, ...), or 0
// when err carries none.
func SchemaErrorCode(err error) int {
	var fe *Error
	if !errors.As(err, &fe) {
		return 0
	}
	n, _ := strconv.Atoi(fe.Metadata["error_code"])
	return n
}

// SchemaRegistry is a client of the brokers' schema registry
// (SchemaRegistryService), reached through a Client's brokers: every broker
// serves it, forwards writes to the registry's single writer, and answers a
// client's reads after its own writes. Calls retry retriable failures (see
// RetryBackoff, MaxRetries) until ctx ends; registry errors are *Error with
// the registry's reason (ErrSubjectNotFound, ErrIncompatibleSchema, ...).
//
// It caches what does not change: schemas by id, and the id and version a
// schema has under a subject once Register or Lookup found it (until this
// client deletes something of the subject; deletes by others are not seen,
// so a Register after another client's delete may answer the old
// registration). Latest caches a subject's latest version for LatestTTL.
// It is safe for concurrent use.
type SchemaRegistry struct {
	c         *Client
	latestTTL time.Duration
	normalize bool

	mu         sync.Mutex               // guards the maps below
	byID       map[int]Schema           // id -> schema (subject and version unset)
	registered map[registeredKey]Schema // (subject, schema) -> registration
	latest     map[string]latestSchema  // subject -> latest version
}

type registeredKey struct {
	subject, schema string
	refs            string // the references, flattened
}

type latestSchema struct {
	s       Schema
	fetched time.Time
}

// RegistryOpt configures a SchemaRegistry.
type RegistryOpt interface{ applyRegistry(*SchemaRegistry) }

type registryOpt func(*SchemaRegistry)

func (o registryOpt) applyRegistry(r *SchemaRegistry) { o(r) }

// LatestTTL is how long Latest answers a subject's latest version from its
// cache; 0 asks the registry every time. Default: 30s.
func LatestTTL(d time.Duration) RegistryOpt {
	return registryOpt(func(r *SchemaRegistry) { r.latestTTL = d })
}

// NormalizeSchemas makes Register, Lookup and CheckCompatibility ask the
// registry to normalize schemas first, so that equivalent spellings of a
// schema find one registration. Default: false (the registry's config
// decides).
func NormalizeSchemas(on bool) RegistryOpt {
	return registryOpt(func(r *SchemaRegistry) { r.normalize = on })
}

// NewSchemaRegistry returns a schema registry client using c's connections.
func NewSchemaRegistry(c *Client, opts ...RegistryOpt) *SchemaRegistry {
	r := &SchemaRegistry{
		c:          c,
		latestTTL:  30 * time.Second,
		byID:       map[int]Schema{},
		registered: map[registeredKey]Schema{},
		latest:     map[string]latestSchema{},
	}
	for _, o := range opts {
		o.applyRegistry(r)
	}
	return r
}

// call runs fn against some broker's SchemaRegistryService, retrying
// retriable failures (the broker chosen rotates between attempts).
func (r *SchemaRegistry) call(ctx context.Context, write bool, fn func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error) error {
	return r.c.do(ctx, write, 0, func(ctx context.Context) error {
		cc, err := r.c.anyConn()
		if err != nil {
			return err
		}
		err = errorFromRPC(ctx, fn(ctx, fjordv1.NewSchemaRegistryServiceClient(cc)), write)
		var fe *Error
		if errors.As(err, &fe) && slices.Contains(registryRetriable, fe.Reason) {
			fe.Retriable = true
		}
		return err
	})
}

// wireInt converts an id or version argument to its wire form, refusing
// one that does not fit: truncated, it would name another schema.
func wireInt(what string, v int) (int32, error) {
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("fjord: schema %s %d out of range", what, v)
	}
	return int32(v), nil
}

func refsToProto(refs []SchemaReference) ([]*fjordv1.SchemaReference, error) {
	out := make([]*fjordv1.SchemaReference, 0, len(refs))
	for _, r := range refs {
		v, err := wireInt("reference version", r.Version)
		if err != nil {
			return nil, err
		}
		out = append(out, &fjordv1.SchemaReference{Name: r.Name, Subject: r.Subject, Version: v})
	}
	return out, nil
}

func schemaFromProto(p *fjordv1.Schema) Schema {
	s := Schema{
		Subject: p.GetSubject(),
		Version: int(p.GetVersion()),
		ID:      int(p.GetId()),
		Type:    p.GetSchemaType(),
		Schema:  p.GetSchema(),
		Deleted: p.GetDeleted(),
	}
	for _, ref := range p.GetReferences() {
		s.References = append(s.References, SchemaReference{Name: ref.GetName(), Subject: ref.GetSubject(), Version: int(ref.GetVersion())})
	}
	return s
}

func keyOf(subject string, s Schema) registeredKey {
	var b strings.Builder
	for _, r := range s.References {
		b.WriteString(r.Name)
		b.WriteByte(0)
		b.WriteString(r.Subject)
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(r.Version))
		b.WriteByte(0)
	}
	return registeredKey{subject: subject, schema: s.Type + "\x00" + s.Schema, refs: b.String()}
}

// Register registers s (its Type, Schema and References) under subject
// and returns the registration: its id and version. A schema already in
// the subject keeps its id and version; the same schema under another
// subject gets the same id. The answer is cached: registering the same
// schema again costs no request. Fails with ErrIncompatibleSchema when the
// subject's compatibility level refuses it, ErrInvalidSchema when it does
// not parse.
func (r *SchemaRegistry) Register(ctx context.Context, subject string, s Schema) (Schema, error) {
	key := keyOf(subject, s)
	r.mu.Lock()
	got, ok := r.registered[key]
	r.mu.Unlock()
	if ok {
		return got, nil
	}
	refs, err := refsToProto(s.References)
	if err != nil {
		return Schema{}, err
	}
	var resp *fjordv1.RegisterResponse
	err = r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		var err error
		resp, err = sc.Register(ctx, &fjordv1.RegisterRequest{
			Subject: subject, Schema: s.Schema, SchemaType: s.Type, References: refs, Normalize: r.normalize,
		})
		return err
	})
	if err != nil {
		return Schema{}, err
	}
	got = Schema{Subject: subject, Version: int(resp.GetVersion()), ID: int(resp.GetId()), Type: s.Type, Schema: s.Schema,
		References: slices.Clone(s.References)}
	r.mu.Lock()
	r.registered[key] = got
	r.mu.Unlock()
	return got, nil
}

// Lookup finds the registration of s under subject (not soft-deleted):
// its id and version. Found registrations are cached. Fails with
// ErrSubjectNotFound or ErrSchemaNotFound.
func (r *SchemaRegistry) Lookup(ctx context.Context, subject string, s Schema) (Schema, error) {
	key := keyOf(subject, s)
	r.mu.Lock()
	got, ok := r.registered[key]
	r.mu.Unlock()
	if ok {
		return got, nil
	}
	refs, err := refsToProto(s.References)
	if err != nil {
		return Schema{}, err
	}
	var resp *fjordv1.LookupSchemaResponse
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		var err error
		resp, err = sc.LookupSchema(ctx, &fjordv1.LookupSchemaRequest{
			Subject: subject, Schema: s.Schema, SchemaType: s.Type, References: refs, Normalize: r.normalize,
		})
		return err
	})
	if err != nil {
		return Schema{}, err
	}
	got = schemaFromProto(resp.GetSchema())
	if got.Subject == "" {
		got.Subject = subject
	}
	r.mu.Lock()
	r.registered[key] = got
	r.mu.Unlock()
	return got, nil
}

// SchemaByID returns the schema with a global id (Subject and Version
// unset). Schemas by id never change, so each id is asked for once. Fails
// with ErrSchemaNotFound.
func (r *SchemaRegistry) SchemaByID(ctx context.Context, id int) (Schema, error) {
	r.mu.Lock()
	got, ok := r.byID[id]
	r.mu.Unlock()
	if ok {
		return got, nil
	}
	wid, err := wireInt("id", id)
	if err != nil {
		return Schema{}, err
	}
	var resp *fjordv1.GetSchemaByIDResponse
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		var err error
		resp, err = sc.GetSchemaByID(ctx, &fjordv1.GetSchemaByIDRequest{Id: wid})
		return err
	})
	if err != nil {
		return Schema{}, err
	}
	got = schemaFromProto(resp.GetSchema())
	got.ID, got.Subject, got.Version, got.Deleted = id, "", 0, false
	r.mu.Lock()
	r.byID[id] = got
	r.mu.Unlock()
	return got, nil
}

// Version returns version v of subject (-1: the latest), soft-deleted
// versions included when deleted is set. It is not cached. Fails with
// ErrSubjectNotFound or ErrVersionNotFound.
func (r *SchemaRegistry) Version(ctx context.Context, subject string, v int, deleted bool) (Schema, error) {
	wv, err := wireInt("version", v)
	if err != nil {
		return Schema{}, err
	}
	var resp *fjordv1.GetVersionResponse
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		var err error
		resp, err = sc.GetVersion(ctx, &fjordv1.GetVersionRequest{Subject: subject, Version: wv, Deleted: deleted})
		return err
	})
	if err != nil {
		return Schema{}, err
	}
	got := schemaFromProto(resp.GetSchema())
	if got.Subject == "" {
		got.Subject = subject
	}
	return got, nil
}

// Latest returns subject's latest version, from a cache for LatestTTL.
func (r *SchemaRegistry) Latest(ctx context.Context, subject string) (Schema, error) {
	r.mu.Lock()
	l, ok := r.latest[subject]
	r.mu.Unlock()
	if ok && time.Since(l.fetched) < r.latestTTL {
		return l.s, nil
	}
	s, err := r.Version(ctx, subject, -1, false)
	if err != nil {
		return Schema{}, err
	}
	r.mu.Lock()
	r.latest[subject] = latestSchema{s: s, fetched: time.Now()}
	r.mu.Unlock()
	return s, nil
}

// Subjects lists subjects whose name starts with prefix (all for ""),
// sorted; with deleted, also those whose versions are all soft-deleted.
func (r *SchemaRegistry) Subjects(ctx context.Context, prefix string, deleted bool) ([]string, error) {
	var out []string
	err := r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.ListSubjects(ctx, &fjordv1.ListSubjectsRequest{SubjectPrefix: prefix, Deleted: deleted})
		out = resp.GetSubjects()
		return err
	})
	return out, err
}

// Versions lists subject's versions, ascending; with deleted, soft-deleted
// ones too. Fails with ErrSubjectNotFound.
func (r *SchemaRegistry) Versions(ctx context.Context, subject string, deleted bool) ([]int, error) {
	var out []int
	err := r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.ListVersions(ctx, &fjordv1.ListVersionsRequest{Subject: subject, Deleted: deleted})
		out = out[:0]
		for _, v := range resp.GetVersions() {
			out = append(out, int(v))
		}
		return err
	})
	return out, err
}

// SubjectVersionsOf lists the subject versions schema id is registered as
// (soft-deleted ones too with deleted), sorted by subject then version.
func (r *SchemaRegistry) SubjectVersionsOf(ctx context.Context, id int, deleted bool) ([]Schema, error) {
	wid, err := wireInt("id", id)
	if err != nil {
		return nil, err
	}
	var out []Schema
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.GetSchemaVersions(ctx, &fjordv1.GetSchemaVersionsRequest{Id: wid, Deleted: deleted})
		out = out[:0]
		for _, sv := range resp.GetVersions() {
			out = append(out, Schema{Subject: sv.GetSubject(), Version: int(sv.GetVersion()), ID: id})
		}
		return err
	})
	return out, err
}

// CheckCompatibility tests s against subject's version v (-1: the latest;
// 0: the versions the subject's compatibility level selects, every
// non-deleted one for the transitive levels). With verbose, Messages lists
// every incompatibility.
func (r *SchemaRegistry) CheckCompatibility(ctx context.Context, subject string, v int, s Schema, verbose bool) (Compatibility, error) {
	wv, err := wireInt("version", v)
	if err != nil {
		return Compatibility{}, err
	}
	refs, err := refsToProto(s.References)
	if err != nil {
		return Compatibility{}, err
	}
	var out Compatibility
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.CheckCompatibility(ctx, &fjordv1.CheckCompatibilityRequest{
			Subject: subject, Version: wv, Schema: s.Schema, SchemaType: s.Type, References: refs,
			Normalize: r.normalize, Verbose: verbose,
		})
		out = Compatibility{Compatible: resp.GetIsCompatible(), Messages: resp.GetMessages()}
		return err
	})
	return out, err
}

// Config returns subject's config (the global one for ""). A subject
// without a config of its own fails with ErrSubjectConfigNotFound unless
// defaultToGlobal is set, which answers the global config instead.
func (r *SchemaRegistry) Config(ctx context.Context, subject string, defaultToGlobal bool) (SchemaConfig, error) {
	var out SchemaConfig
	err := r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.GetConfig(ctx, &fjordv1.GetConfigRequest{Subject: subject, DefaultToGlobal: defaultToGlobal})
		out = SchemaConfig{Level: resp.GetCompatibilityLevel(), Normalize: resp.GetNormalize()}
		return err
	})
	return out, err
}

// SetConfig sets subject's compatibility level (the global one for "")
// and returns the config now in force. An unknown level fails with reason
// INVALID_COMPATIBILITY_LEVEL.
func (r *SchemaRegistry) SetConfig(ctx context.Context, subject, level string) (SchemaConfig, error) {
	var out SchemaConfig
	err := r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.SetConfig(ctx, &fjordv1.SetConfigRequest{Subject: subject, CompatibilityLevel: level})
		out = SchemaConfig{Level: resp.GetCompatibilityLevel(), Normalize: resp.GetNormalize()}
		return err
	})
	return out, err
}

// DeleteConfig removes subject's config (so the global one applies), or
// resets the global config to the default for "". It returns the level
// the deleted config had.
func (r *SchemaRegistry) DeleteConfig(ctx context.Context, subject string) (string, error) {
	var out string
	err := r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.DeleteConfig(ctx, &fjordv1.DeleteConfigRequest{Subject: subject})
		out = resp.GetCompatibilityLevel()
		return err
	})
	return out, err
}

// Mode returns subject's mode (the global one for ""): ModeReadWrite,
// ModeReadOnly or ModeImport. A subject without a mode of its own fails
// with ErrSubjectModeNotFound unless defaultToGlobal is set, which answers
// the global mode instead.
func (r *SchemaRegistry) Mode(ctx context.Context, subject string, defaultToGlobal bool) (string, error) {
	var out string
	err := r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.GetMode(ctx, &fjordv1.GetModeRequest{Subject: subject, DefaultToGlobal: defaultToGlobal})
		out = resp.GetMode()
		return err
	})
	return out, err
}

// SetMode sets subject's mode (the global one for "") and returns the mode
// now in force. An unknown mode fails with reason INVALID_MODE. ModeImport
// is refused with ErrOperationNotPermitted while the subject (the
// registry, for "") has schemas, unless force is set.
func (r *SchemaRegistry) SetMode(ctx context.Context, subject, mode string, force bool) (string, error) {
	var out string
	err := r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.SetMode(ctx, &fjordv1.SetModeRequest{Subject: subject, Mode: mode, Force: force})
		out = resp.GetMode()
		return err
	})
	return out, err
}

// DeleteMode removes subject's mode (so the global one applies), or
// resets the global mode to ModeReadWrite for "". It returns the mode the
// deleted setting had. A subject without a mode of its own fails with
// ErrSubjectModeNotFound (ErrSubjectNotFound if it has no versions either).
func (r *SchemaRegistry) DeleteMode(ctx context.Context, subject string) (string, error) {
	var out string
	err := r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.DeleteMode(ctx, &fjordv1.DeleteModeRequest{Subject: subject})
		out = resp.GetMode()
		return err
	})
	return out, err
}

// ReferencedBy lists the ids of the schemas that reference version v of
// subject (-1: the latest), ascending; such a version cannot be deleted
// for good (ErrReferenceExists). Fails with ErrSubjectNotFound or
// ErrVersionNotFound.
func (r *SchemaRegistry) ReferencedBy(ctx context.Context, subject string, v int) ([]int, error) {
	wv, err := wireInt("version", v)
	if err != nil {
		return nil, err
	}
	var out []int
	err = r.call(ctx, false, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.GetReferencedBy(ctx, &fjordv1.GetReferencedByRequest{Subject: subject, Version: wv})
		out = out[:0]
		for _, id := range resp.GetIds() {
			out = append(out, int(id))
		}
		return err
	})
	return out, err
}

// DeleteSubject deletes every version of subject: soft first (readable
// with deleted set, ids still resolve), then, with permanent, for good.
// It returns the versions deleted.
func (r *SchemaRegistry) DeleteSubject(ctx context.Context, subject string, permanent bool) ([]int, error) {
	var out []int
	err := r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.DeleteSubject(ctx, &fjordv1.DeleteSubjectRequest{Subject: subject, Permanent: permanent})
		out = out[:0]
		for _, v := range resp.GetVersions() {
			out = append(out, int(v))
		}
		return err
	})
	if err == nil {
		r.forget(subject)
	}
	return out, err
}

// DeleteVersion deletes version v of subject (-1: the latest), soft first,
// then with permanent for good; it returns the version deleted.
func (r *SchemaRegistry) DeleteVersion(ctx context.Context, subject string, v int, permanent bool) (int, error) {
	wv, err := wireInt("version", v)
	if err != nil {
		return 0, err
	}
	var out int
	err = r.call(ctx, true, func(ctx context.Context, sc fjordv1.SchemaRegistryServiceClient) error {
		resp, err := sc.DeleteVersion(ctx, &fjordv1.DeleteVersionRequest{Subject: subject, Version: wv, Permanent: permanent})
		out = int(resp.GetVersion())
		return err
	})
	if err == nil {
		r.forget(subject)
	}
	return out, err
}

// forget drops what the cache knows of subject's registrations, so that a
// schema registered again after a delete gets its new version.
func (r *SchemaRegistry) forget(subject string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.latest, subject)
	for k := range r.registered {
		if k.subject == subject {
			delete(r.registered, k)
		}
	}
}
