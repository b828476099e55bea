package schemaregistry

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/schemaregistry/avro"
)

// This file holds the registry's operations with Confluent semantics. They
// take and return the gRPC API's messages, which the REST handler maps to
// Confluent's JSON; writes also return the _schemas offset they are
// visible at.

// schemaTypeAvro is the only schema type supported.
const schemaTypeAvro = "AVRO"

// latestVersion asks for a subject's latest version.
const latestVersion = -1

// forwardCall adapts a generated client method for writeOp.remote.
func forwardCall[Req, Resp any](req Req, call func(fjordv1.SchemaRegistryServiceClient, context.Context, Req, ...grpc.CallOption) (Resp, error)) func(context.Context, grpc.ClientConnInterface) (Resp, int64, error) {
	return func(ctx context.Context, conn grpc.ClientConnInterface) (Resp, int64, error) {
		var hdr metadata.MD
		resp, err := call(fjordv1.NewSchemaRegistryServiceClient(conn), ctx, req, grpc.Header(&hdr))
		return resp, offsetOf(hdr), err
	}
}

func checkSubject(subject string) error {
	if subject == "" {
		return errorf(codeBadRequest, "A subject is required")
	}
	return nil
}

func checkSchemaType(t string) error {
	if t != "" && !strings.EqualFold(t, schemaTypeAvro) {
		return errorf(CodeInvalidSchema, "Invalid schema: unsupported schema type %q (this registry supports AVRO)", t)
	}
	return nil
}

func referencesOf(refs []*fjordv1.SchemaReference) ([]reference, error) {
	var out []reference
	for _, r := range refs {
		if r.GetName() == "" || r.GetSubject() == "" || r.GetVersion() <= 0 {
			return nil, errorf(CodeInvalidSchema, "Invalid schema: reference %q needs a name, a subject and a version >= 1", r.GetName())
		}
		out = append(out, reference{Name: r.GetName(), Subject: r.GetSubject(), Version: r.GetVersion()})
	}
	return out, nil
}

func referencesProto(refs []reference) []*fjordv1.SchemaReference {
	var out []*fjordv1.SchemaReference
	for _, r := range refs {
		out = append(out, &fjordv1.SchemaReference{Name: r.Name, Subject: r.Subject, Version: r.Version})
	}
	return out
}

// parseCandidate parses a schema sent by a client, resolving its
// references in the view.
func parseCandidate(v *view, text, schemaType string, refs []*fjordv1.SchemaReference) (*avro.Schema, []reference, error) {
	if err := checkSchemaType(schemaType); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil, errorf(CodeInvalidSchema, "Invalid schema: the schema is empty")
	}
	rs, err := referencesOf(refs)
	if err != nil {
		return nil, nil, err
	}
	resolved, err := v.resolve(rs)
	if err != nil {
		return nil, nil, err
	}
	s, err := avro.Parse(text, resolved...)
	if err != nil {
		return nil, nil, errInvalidSchema(err)
	}
	return s, rs, nil
}

// schemaProto is a subject version (or, with ver nil, an id) as returned.
func schemaProto(v *view, id int32, ver *version) *fjordv1.Schema {
	si := v.ids[id]
	out := &fjordv1.Schema{Id: id, SchemaType: schemaTypeAvro}
	if si != nil {
		out.Schema = si.text
		out.SchemaType = cmp.Or(si.schemaType, schemaTypeAvro)
		out.References = referencesProto(si.refs)
	}
	if ver != nil {
		out.Subject, out.Version, out.Deleted = ver.subject, ver.version, ver.deleted
	}
	return out
}

// findVersion returns a subject's version (-1: the latest) or Confluent's
// error: subject not found when the subject has no (live, unless deleted)
// version, version not found otherwise.
func findVersion(v *view, subject string, ver int32, deleted bool) (*version, error) {
	if ver != latestVersion && ver <= 0 {
		return nil, errInvalidVersion(fmt.Sprint(ver))
	}
	var found *version
	if ver == latestVersion {
		found = v.latest(subject, deleted)
	} else if s := v.subjects[subject]; s != nil {
		if x := s.versions[ver]; x != nil && (deleted || !x.deleted) {
			found = x
		}
	}
	if found != nil {
		return found, nil
	}
	if (deleted && !v.hasAny(subject)) || (!deleted && !v.hasLive(subject)) {
		return nil, errSubjectNotFound(subject)
	}
	return nil, errVersionNotFound(subject, ver)
}

// liveSchemas parses a subject's live versions, oldest first.
func liveSchemas(v *view, subject string) ([]*avro.Schema, error) {
	var out []*avro.Schema
	for _, ver := range v.versions(subject, false, false) {
		s, err := v.schema(ver.id)
		if err != nil {
			return nil, &Error{Code: CodeStoreError, Message: fmt.Sprintf("Error in the schema store: cannot parse schema %d (subject '%s' version %d): %v", ver.id, subject, ver.version, err), Err: err}
		}
		out = append(out, s)
	}
	return out, nil
}

func incompatibilityMessages(issues []avro.Incompatibility) []string {
	out := make([]string, 0, len(issues))
	for _, i := range issues {
		out = append(out, i.String())
	}
	return out
}

// Register registers a schema under a subject.
func (r *Registry) Register(ctx context.Context, req *fjordv1.RegisterRequest) (*fjordv1.RegisterResponse, error) {
	resp, _, err := r.register(ctx, req)
	return resp, err
}

func (r *Registry) register(ctx context.Context, req *fjordv1.RegisterRequest) (*fjordv1.RegisterResponse, int64, error) {
	if err := checkSubject(req.GetSubject()); err != nil {
		return nil, 0, err
	}
	return write(r, ctx, writeOp[*fjordv1.RegisterResponse]{
		idempotent: true,
		plan:       func(v *view) ([]Record, *fjordv1.RegisterResponse, error) { return planRegister(v, req) },
		remote:     forwardCall(req, fjordv1.SchemaRegistryServiceClient.Register),
	})
}

func planRegister(v *view, req *fjordv1.RegisterRequest) ([]Record, *fjordv1.RegisterResponse, error) {
	subject := req.GetSubject()
	mode := v.effectiveMode(subject)
	if mode == modeReadOnly {
		return nil, nil, errReadOnly(subject)
	}
	s, refs, err := parseCandidate(v, req.GetSchema(), req.GetSchemaType(), req.GetReferences())
	if err != nil {
		return nil, nil, err
	}
	cfg := v.effectiveConfig(subject)
	key := contentKey(s, refs)
	id, known := v.lookupContent(key)
	if known {
		// Already registered under the subject: same id and version, no
		// new version.
		var match *version
		for _, ver := range v.versions(subject, false, false) {
			if ver.id == id {
				match = ver
			}
		}
		if match != nil && (req.GetVersion() <= 0 || req.GetVersion() == match.version) {
			return nil, &fjordv1.RegisterResponse{Id: id, Version: match.version}, nil
		}
	}
	if req.GetId() > 0 || req.GetVersion() > 0 {
		if mode != modeImport {
			if !(known && req.GetId() == id && req.GetVersion() <= 0) {
				return nil, nil, errorf(CodeOperationNotPermitted, "Subject %s is not in import mode: a schema id or version cannot be chosen", subject)
			}
		}
	}
	if mode != modeImport {
		level, err := avro.ParseLevel(cfg.CompatibilityLevel)
		if err != nil {
			level = avro.Backward
		}
		existing, err := liveSchemas(v, subject)
		if err != nil {
			return nil, nil, err
		}
		if issues := avro.Check(level, s, existing); len(issues) > 0 {
			return nil, nil, errorf(CodeIncompatibleSchema, "Schema being registered is incompatible with an earlier schema for subject \"%s\", details: [%s]",
				subject, strings.Join(incompatibilityMessages(issues), ", "))
		}
	}
	text := req.GetSchema()
	switch {
	case known && req.GetId() > 0 && req.GetId() != id:
		return nil, nil, errorf(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: the schema is registered with id %d", req.GetId(), id)
	case known:
		text = v.ids[id].text
	case req.GetId() > 0:
		if v.ids[req.GetId()] != nil {
			return nil, nil, errorf(CodeOperationNotPermitted, "Overwrite new schema with id %d is not permitted: id %d belongs to another schema", req.GetId(), req.GetId())
		}
		id = req.GetId()
	case v.maxID == math.MaxInt32:
		return nil, nil, errorf(CodeOperationNotPermitted, "No schema id left: id %d, the largest, is taken", v.maxID)
	default:
		id = v.maxID + 1
	}
	if !known && (req.GetNormalize() || cfg.Normalize) {
		text = s.Canonical()
	}
	ver := v.nextVersion(subject)
	if req.GetVersion() <= 0 && ver <= 0 {
		return nil, nil, errorf(CodeOperationNotPermitted, "No version left for subject '%s': version %d, the largest, is taken", subject, int32(math.MaxInt32))
	}
	if req.GetVersion() > 0 {
		if sub := v.subjects[subject]; sub != nil && sub.versions[req.GetVersion()] != nil {
			return nil, nil, errorf(CodeOperationNotPermitted, "Overwrite of subject '%s' version %d is not permitted", subject, req.GetVersion())
		}
		ver = req.GetVersion()
	}
	rec := schemaRecord(schemaValue{Subject: subject, Version: ver, ID: id, References: refs, Schema: text})
	return []Record{rec}, &fjordv1.RegisterResponse{Id: id, Version: ver}, nil
}

// LookupSchema finds a schema's registration under a subject.
func (r *Registry) LookupSchema(ctx context.Context, req *fjordv1.LookupSchemaRequest) (*fjordv1.LookupSchemaResponse, error) {
	if err := checkSubject(req.GetSubject()); err != nil {
		return nil, err
	}
	return read(r, ctx, func(v *view) (*fjordv1.LookupSchemaResponse, error) {
		subject, deleted := req.GetSubject(), req.GetDeleted()
		if (deleted && !v.hasAny(subject)) || (!deleted && !v.hasLive(subject)) {
			return nil, errSubjectNotFound(subject)
		}
		s, refs, err := parseCandidate(v, req.GetSchema(), req.GetSchemaType(), req.GetReferences())
		if err != nil {
			return nil, err
		}
		id, ok := v.lookupContent(contentKey(s, refs))
		if ok {
			var match *version
			for _, ver := range v.versions(subject, deleted, false) {
				// The latest match, a live one before a deleted one.
				if ver.id == id && (match == nil || !ver.deleted || match.deleted) {
					match = ver
				}
			}
			if match != nil {
				return &fjordv1.LookupSchemaResponse{Schema: schemaProto(v, id, match)}, nil
			}
		}
		return nil, errSchemaNotFound("Schema not found")
	})
}

// GetSchemaByID returns a schema by id.
func (r *Registry) GetSchemaByID(ctx context.Context, req *fjordv1.GetSchemaByIDRequest) (*fjordv1.GetSchemaByIDResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetSchemaByIDResponse, error) {
		if v.ids[req.GetId()] == nil {
			return nil, errSchemaNotFound("Schema %d not found", req.GetId())
		}
		return &fjordv1.GetSchemaByIDResponse{Schema: schemaProto(v, req.GetId(), nil)}, nil
	})
}

// GetSchemaSubjects lists the subjects using a schema id.
func (r *Registry) GetSchemaSubjects(ctx context.Context, req *fjordv1.GetSchemaSubjectsRequest) (*fjordv1.GetSchemaSubjectsResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetSchemaSubjectsResponse, error) {
		if v.ids[req.GetId()] == nil {
			return nil, errSchemaNotFound("Schema %d not found", req.GetId())
		}
		out := []string{}
		for _, ver := range v.usesOf(req.GetId(), req.GetDeleted()) {
			if len(out) == 0 || out[len(out)-1] != ver.subject {
				out = append(out, ver.subject)
			}
		}
		return &fjordv1.GetSchemaSubjectsResponse{Subjects: out}, nil
	})
}

// SubjectsUsing lists the subjects with a version (soft-deleted ones
// included) using schema id; none when the id is unknown. Authorization
// uses it: a schema read by id is allowed to a reader of one of them.
func (r *Registry) SubjectsUsing(ctx context.Context, id int32) ([]string, error) {
	return read(r, ctx, func(v *view) ([]string, error) {
		var out []string
		if v.ids[id] == nil {
			return out, nil
		}
		for _, ver := range v.usesOf(id, true) {
			if len(out) == 0 || out[len(out)-1] != ver.subject {
				out = append(out, ver.subject)
			}
		}
		return out, nil
	})
}

// GetSchemaVersions lists the subject versions using a schema id.
func (r *Registry) GetSchemaVersions(ctx context.Context, req *fjordv1.GetSchemaVersionsRequest) (*fjordv1.GetSchemaVersionsResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetSchemaVersionsResponse, error) {
		if v.ids[req.GetId()] == nil {
			return nil, errSchemaNotFound("Schema %d not found", req.GetId())
		}
		out := []*fjordv1.SubjectVersion{}
		for _, ver := range v.usesOf(req.GetId(), req.GetDeleted()) {
			out = append(out, &fjordv1.SubjectVersion{Subject: ver.subject, Version: ver.version})
		}
		return &fjordv1.GetSchemaVersionsResponse{Versions: out}, nil
	})
}

// ListSubjects lists subjects.
func (r *Registry) ListSubjects(ctx context.Context, req *fjordv1.ListSubjectsRequest) (*fjordv1.ListSubjectsResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.ListSubjectsResponse, error) {
		return &fjordv1.ListSubjectsResponse{Subjects: v.subjectNames(req.GetSubjectPrefix(), req.GetDeleted(), req.GetDeletedOnly())}, nil
	})
}

// ListVersions lists a subject's versions.
func (r *Registry) ListVersions(ctx context.Context, req *fjordv1.ListVersionsRequest) (*fjordv1.ListVersionsResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.ListVersionsResponse, error) {
		subject := req.GetSubject()
		if !v.hasAny(subject) || (!req.GetDeleted() && !req.GetDeletedOnly() && !v.hasLive(subject)) {
			return nil, errSubjectNotFound(subject)
		}
		out := []int32{}
		for _, ver := range v.versions(subject, req.GetDeleted(), req.GetDeletedOnly()) {
			out = append(out, ver.version)
		}
		return &fjordv1.ListVersionsResponse{Versions: out}, nil
	})
}

// GetVersion returns one version of a subject.
func (r *Registry) GetVersion(ctx context.Context, req *fjordv1.GetVersionRequest) (*fjordv1.GetVersionResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetVersionResponse, error) {
		ver, err := findVersion(v, req.GetSubject(), req.GetVersion(), req.GetDeleted())
		if err != nil {
			return nil, err
		}
		return &fjordv1.GetVersionResponse{Schema: schemaProto(v, ver.id, ver)}, nil
	})
}

// GetReferencedBy lists the ids of schemas referencing a subject version.
func (r *Registry) GetReferencedBy(ctx context.Context, req *fjordv1.GetReferencedByRequest) (*fjordv1.GetReferencedByResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetReferencedByResponse, error) {
		ver, err := findVersion(v, req.GetSubject(), req.GetVersion(), false)
		if err != nil {
			return nil, err
		}
		return &fjordv1.GetReferencedByResponse{Ids: v.referencedBy(ver.subject, ver.version)}, nil
	})
}

func errReferenced(subject string, ver int32, ids []int32) *Error {
	return errorf(CodeReferenceExists, "One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=%s,version=%d}: schema ids %v reference it", subject, ver, ids)
}

// DeleteSubject deletes a subject's versions, softly or permanently.
func (r *Registry) DeleteSubject(ctx context.Context, req *fjordv1.DeleteSubjectRequest) (*fjordv1.DeleteSubjectResponse, error) {
	resp, _, err := r.deleteSubject(ctx, req)
	return resp, err
}

func (r *Registry) deleteSubject(ctx context.Context, req *fjordv1.DeleteSubjectRequest) (*fjordv1.DeleteSubjectResponse, int64, error) {
	if err := checkSubject(req.GetSubject()); err != nil {
		return nil, 0, err
	}
	return write(r, ctx, writeOp[*fjordv1.DeleteSubjectResponse]{
		remote: forwardCall(req, fjordv1.SchemaRegistryServiceClient.DeleteSubject),
		plan: func(v *view) ([]Record, *fjordv1.DeleteSubjectResponse, error) {
			subject := req.GetSubject()
			if v.effectiveMode(subject) == modeReadOnly {
				return nil, nil, errReadOnly(subject)
			}
			if !v.hasAny(subject) {
				return nil, nil, errSubjectNotFound(subject)
			}
			live := v.hasLive(subject)
			if !req.GetPermanent() && !live {
				return nil, nil, errorf(CodeSubjectSoftDeleted, "Subject '%s' was soft deleted. Set permanent=true to delete permanently", subject)
			}
			if req.GetPermanent() && live {
				return nil, nil, errorf(CodeSubjectNotSoftDeleted, "Subject '%s' was not deleted first before being permanently deleted", subject)
			}
			vers := v.versions(subject, true, false)
			var recs []Record
			resp := &fjordv1.DeleteSubjectResponse{Versions: []int32{}}
			for _, ver := range vers {
				if ids := v.referencedBy(subject, ver.version); len(ids) > 0 {
					return nil, nil, errReferenced(subject, ver.version, ids)
				}
				if req.GetPermanent() {
					recs = append(recs, schemaTombstone(subject, ver.version))
				} else {
					recs = append(recs, schemaRecord(schemaValue{Subject: subject, Version: ver.version, ID: ver.id,
						References: v.ids[ver.id].refs, Schema: v.ids[ver.id].text, SchemaType: v.ids[ver.id].schemaType, Deleted: true}))
				}
				resp.Versions = append(resp.Versions, ver.version)
			}
			if req.GetPermanent() {
				if s := v.subjects[subject]; s.config != nil {
					recs = append(recs, configTombstone(subject))
				}
				if s := v.subjects[subject]; s.mode != "" {
					recs = append(recs, modeTombstone(subject))
				}
				recs = append(recs, watermarkRecord(v.maxID))
			}
			return recs, resp, nil
		},
	})
}

// DeleteVersion deletes one version, softly or permanently.
func (r *Registry) DeleteVersion(ctx context.Context, req *fjordv1.DeleteVersionRequest) (*fjordv1.DeleteVersionResponse, error) {
	resp, _, err := r.deleteVersion(ctx, req)
	return resp, err
}

func (r *Registry) deleteVersion(ctx context.Context, req *fjordv1.DeleteVersionRequest) (*fjordv1.DeleteVersionResponse, int64, error) {
	if err := checkSubject(req.GetSubject()); err != nil {
		return nil, 0, err
	}
	return write(r, ctx, writeOp[*fjordv1.DeleteVersionResponse]{
		remote: forwardCall(req, fjordv1.SchemaRegistryServiceClient.DeleteVersion),
		plan: func(v *view) ([]Record, *fjordv1.DeleteVersionResponse, error) {
			subject, permanent := req.GetSubject(), req.GetPermanent()
			if v.effectiveMode(subject) == modeReadOnly {
				return nil, nil, errReadOnly(subject)
			}
			ver, err := findVersion(v, subject, req.GetVersion(), true)
			if err != nil {
				return nil, nil, err
			}
			if req.GetVersion() == latestVersion && !permanent {
				if ver, err = findVersion(v, subject, latestVersion, false); err != nil {
					return nil, nil, err
				}
			}
			if !permanent && ver.deleted {
				return nil, nil, errorf(CodeVersionSoftDeleted, "Subject '%s' Version %d was soft deleted. Set permanent=true to delete permanently", subject, ver.version)
			}
			if permanent && !ver.deleted {
				return nil, nil, errorf(CodeVersionNotSoftDeleted, "Subject '%s' Version %d was not deleted first before being permanently deleted", subject, ver.version)
			}
			if ids := v.referencedBy(subject, ver.version); len(ids) > 0 {
				return nil, nil, errReferenced(subject, ver.version, ids)
			}
			resp := &fjordv1.DeleteVersionResponse{Version: ver.version}
			if permanent {
				return []Record{schemaTombstone(subject, ver.version), watermarkRecord(v.maxID)}, resp, nil
			}
			si := v.ids[ver.id]
			return []Record{schemaRecord(schemaValue{Subject: subject, Version: ver.version, ID: ver.id,
				References: si.refs, Schema: si.text, SchemaType: si.schemaType, Deleted: true})}, resp, nil
		},
	})
}

// CheckCompatibility tests a schema against a subject's versions.
func (r *Registry) CheckCompatibility(ctx context.Context, req *fjordv1.CheckCompatibilityRequest) (*fjordv1.CheckCompatibilityResponse, error) {
	if err := checkSubject(req.GetSubject()); err != nil {
		return nil, err
	}
	return read(r, ctx, func(v *view) (*fjordv1.CheckCompatibilityResponse, error) {
		subject := req.GetSubject()
		var against []*avro.Schema
		if req.GetVersion() != 0 {
			ver, err := findVersion(v, subject, req.GetVersion(), false)
			if err != nil {
				return nil, err
			}
			s, err := v.schema(ver.id)
			if err != nil {
				return nil, asError(err)
			}
			against = []*avro.Schema{s}
		}
		s, _, err := parseCandidate(v, req.GetSchema(), req.GetSchemaType(), req.GetReferences())
		if err != nil {
			return nil, err
		}
		if req.GetVersion() == 0 {
			if against, err = liveSchemas(v, subject); err != nil {
				return nil, err
			}
		}
		level, err := avro.ParseLevel(v.effectiveConfig(subject).CompatibilityLevel)
		if err != nil {
			level = avro.Backward
		}
		issues := avro.Check(level, s, against)
		resp := &fjordv1.CheckCompatibilityResponse{IsCompatible: len(issues) == 0}
		if req.GetVerbose() {
			resp.Messages = incompatibilityMessages(issues)
		}
		return resp, nil
	})
}

func parseLevel(s string) (avro.Level, error) {
	l, err := avro.ParseLevel(strings.ToUpper(strings.TrimSpace(s)))
	if err != nil || s == "" {
		return "", errorf(CodeInvalidCompatibilityLevel, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")
	}
	return l, nil
}

// GetConfig returns the global or a subject's config.
func (r *Registry) GetConfig(ctx context.Context, req *fjordv1.GetConfigRequest) (*fjordv1.GetConfigResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetConfigResponse, error) {
		subject := req.GetSubject()
		if subject != "" && !req.GetDefaultToGlobal() {
			if s := v.subjects[subject]; s == nil || s.config == nil {
				return nil, errorf(CodeSubjectConfigNotFound, "Subject '%s' does not have subject-level compatibility configured", subject)
			}
		}
		c := v.effectiveConfig(subject)
		return &fjordv1.GetConfigResponse{CompatibilityLevel: c.CompatibilityLevel, Normalize: c.Normalize}, nil
	})
}

// SetConfig sets the global or a subject's config.
func (r *Registry) SetConfig(ctx context.Context, req *fjordv1.SetConfigRequest) (*fjordv1.SetConfigResponse, error) {
	resp, _, err := r.setConfig(ctx, req)
	return resp, err
}

func (r *Registry) setConfig(ctx context.Context, req *fjordv1.SetConfigRequest) (*fjordv1.SetConfigResponse, int64, error) {
	level, err := parseLevel(req.GetCompatibilityLevel())
	if err != nil {
		return nil, 0, err
	}
	return write(r, ctx, writeOp[*fjordv1.SetConfigResponse]{
		idempotent: true,
		remote:     forwardCall(req, fjordv1.SchemaRegistryServiceClient.SetConfig),
		plan: func(v *view) ([]Record, *fjordv1.SetConfigResponse, error) {
			subject := req.GetSubject()
			if v.effectiveMode(subject) == modeReadOnly {
				return nil, nil, errReadOnly(subject)
			}
			cv := configValue{CompatibilityLevel: string(level)}
			if req.Normalize != nil {
				cv.Normalize = req.GetNormalize()
			} else if subject == "" && v.config != nil {
				cv.Normalize = v.config.Normalize
			} else if s := v.subjects[subject]; subject != "" && s != nil && s.config != nil {
				cv.Normalize = s.config.Normalize
			}
			return []Record{configRecord(subject, cv)}, &fjordv1.SetConfigResponse{CompatibilityLevel: cv.CompatibilityLevel, Normalize: cv.Normalize}, nil
		},
	})
}

// DeleteConfig deletes a subject's config, or resets the global one.
func (r *Registry) DeleteConfig(ctx context.Context, req *fjordv1.DeleteConfigRequest) (*fjordv1.DeleteConfigResponse, error) {
	resp, _, err := r.deleteConfig(ctx, req)
	return resp, err
}

func (r *Registry) deleteConfig(ctx context.Context, req *fjordv1.DeleteConfigRequest) (*fjordv1.DeleteConfigResponse, int64, error) {
	return write(r, ctx, writeOp[*fjordv1.DeleteConfigResponse]{
		idempotent: true,
		remote:     forwardCall(req, fjordv1.SchemaRegistryServiceClient.DeleteConfig),
		plan: func(v *view) ([]Record, *fjordv1.DeleteConfigResponse, error) {
			subject := req.GetSubject()
			if v.effectiveMode(subject) == modeReadOnly {
				return nil, nil, errReadOnly(subject)
			}
			prev := v.effectiveConfig(subject)
			if subject == "" {
				if v.config == nil {
					return nil, &fjordv1.DeleteConfigResponse{CompatibilityLevel: prev.CompatibilityLevel}, nil
				}
				return []Record{configTombstone("")}, &fjordv1.DeleteConfigResponse{CompatibilityLevel: prev.CompatibilityLevel}, nil
			}
			if s := v.subjects[subject]; s == nil || s.config == nil {
				if !v.hasAny(subject) {
					return nil, nil, errSubjectNotFound(subject)
				}
				return nil, nil, errorf(CodeSubjectConfigNotFound, "Subject '%s' does not have subject-level compatibility configured", subject)
			}
			return []Record{configTombstone(subject)}, &fjordv1.DeleteConfigResponse{CompatibilityLevel: prev.CompatibilityLevel}, nil
		},
	})
}

func parseMode(s string) (string, error) {
	m := strings.ToUpper(strings.TrimSpace(s))
	switch m {
	case modeReadWrite, modeReadOnly, modeImport:
		return m, nil
	}
	return "", errorf(CodeInvalidMode, "Invalid mode. Valid values are READWRITE, READONLY, IMPORT")
}

// GetMode returns the global or a subject's mode.
func (r *Registry) GetMode(ctx context.Context, req *fjordv1.GetModeRequest) (*fjordv1.GetModeResponse, error) {
	return read(r, ctx, func(v *view) (*fjordv1.GetModeResponse, error) {
		subject := req.GetSubject()
		if subject != "" && !req.GetDefaultToGlobal() {
			if s := v.subjects[subject]; s == nil || s.mode == "" {
				return nil, errorf(CodeSubjectModeNotFound, "Subject '%s' does not have subject-level mode configured", subject)
			}
		}
		return &fjordv1.GetModeResponse{Mode: v.effectiveMode(subject)}, nil
	})
}

// SetMode sets the global or a subject's mode.
func (r *Registry) SetMode(ctx context.Context, req *fjordv1.SetModeRequest) (*fjordv1.SetModeResponse, error) {
	resp, _, err := r.setMode(ctx, req)
	return resp, err
}

func (r *Registry) setMode(ctx context.Context, req *fjordv1.SetModeRequest) (*fjordv1.SetModeResponse, int64, error) {
	mode, err := parseMode(req.GetMode())
	if err != nil {
		return nil, 0, err
	}
	return write(r, ctx, writeOp[*fjordv1.SetModeResponse]{
		idempotent: true,
		remote:     forwardCall(req, fjordv1.SchemaRegistryServiceClient.SetMode),
		plan: func(v *view) ([]Record, *fjordv1.SetModeResponse, error) {
			subject := req.GetSubject()
			if mode == modeImport && !req.GetForce() {
				if (subject == "" && v.anySchemas()) || (subject != "" && v.hasAny(subject)) {
					return nil, nil, errorf(CodeOperationNotPermitted, "Cannot import since found existing subjects")
				}
			}
			return []Record{modeRecord(subject, mode)}, &fjordv1.SetModeResponse{Mode: mode}, nil
		},
	})
}

// DeleteMode deletes a subject's mode, or resets the global one.
func (r *Registry) DeleteMode(ctx context.Context, req *fjordv1.DeleteModeRequest) (*fjordv1.DeleteModeResponse, error) {
	resp, _, err := r.deleteMode(ctx, req)
	return resp, err
}

func (r *Registry) deleteMode(ctx context.Context, req *fjordv1.DeleteModeRequest) (*fjordv1.DeleteModeResponse, int64, error) {
	return write(r, ctx, writeOp[*fjordv1.DeleteModeResponse]{
		idempotent: true,
		remote:     forwardCall(req, fjordv1.SchemaRegistryServiceClient.DeleteMode),
		plan: func(v *view) ([]Record, *fjordv1.DeleteModeResponse, error) {
			subject := req.GetSubject()
			prev := v.effectiveMode(subject)
			if subject == "" {
				if v.mode == "" {
					return nil, &fjordv1.DeleteModeResponse{Mode: prev}, nil
				}
				return []Record{modeTombstone("")}, &fjordv1.DeleteModeResponse{Mode: prev}, nil
			}
			if s := v.subjects[subject]; s == nil || s.mode == "" {
				if !v.hasAny(subject) {
					return nil, nil, errSubjectNotFound(subject)
				}
				return nil, nil, errorf(CodeSubjectModeNotFound, "Subject '%s' does not have subject-level mode configured", subject)
			}
			return []Record{modeTombstone(subject)}, &fjordv1.DeleteModeResponse{Mode: prev}, nil
		},
	})
}

// ListSchemaTypes lists the supported schema types.
func (r *Registry) ListSchemaTypes(context.Context, *fjordv1.ListSchemaTypesRequest) (*fjordv1.ListSchemaTypesResponse, error) {
	return &fjordv1.ListSchemaTypesResponse{SchemaTypes: []string{schemaTypeAvro}}, nil
}
