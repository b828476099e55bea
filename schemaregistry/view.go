package schemaregistry

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/fjordlog/fjord/schemaregistry/avro"
)

// view is the registry's state as of the records applied so far: subjects
// and their versions (soft-deleted ones included), schemas by id, configs
// and modes. The registry guards it with its own lock (Registry.mu); the
// parse cache inside has its own (parseMu), so readers holding the
// registry's read lock may fill it.
type view struct {
	subjects map[string]*subjectState
	ids      map[int32]*schemaInfo
	// maxID is the largest id ever handed out as far as the records tell.
	maxID int32
	// global config and mode; nil / "" means the defaults (BACKWARD,
	// READWRITE).
	config *configValue
	mode   string

	// parseMu guards the lazily filled fields of schemaInfo (parsed,
	// content, parseErr) and the content index.
	parseMu sync.Mutex
	// content maps a schema's identity (canonical form plus references) to
	// its id. Schemas are indexed lazily (indexAll) because after
	// compaction a schema's record may come before those of the schemas it
	// references.
	content   map[string]int32
	unindexed map[int32]bool
}

// subjectState is one subject: its versions and its own config and mode.
type subjectState struct {
	versions map[int32]*version
	// idUses counts the versions (soft-deleted included) per schema id,
	// for broker-side validation.
	idUses map[int32]int
	config *configValue
	mode   string
}

func (s *subjectState) dropID(id int32) {
	if s.idUses[id]--; s.idUses[id] <= 0 {
		delete(s.idUses, id)
	}
}

// hasID reports whether a subject has a version (soft-deleted included)
// with a schema id.
func (v *view) hasID(subject string, id int32) bool {
	s := v.subjects[subject]
	return s != nil && s.idUses[id] > 0
}

// version is one version of a subject.
type version struct {
	subject string
	version int32
	id      int32
	deleted bool
}

// schemaInfo is one schema id: its text as first registered and its
// references, shared by every subject version with that id.
type schemaInfo struct {
	id         int32
	text       string
	schemaType string
	refs       []reference
	// uses counts the subject versions with this id; the id is forgotten
	// when the last one is permanently deleted.
	uses int

	// Filled lazily under view.parseMu.
	parsed   *avro.Schema
	content  string
	parseErr error
}

func newView() *view {
	return &view{subjects: map[string]*subjectState{}, ids: map[int32]*schemaInfo{},
		content: map[string]int32{}, unindexed: map[int32]bool{}}
}

func (v *view) subject(name string, create bool) *subjectState {
	s := v.subjects[name]
	if s == nil && create {
		s = &subjectState{versions: map[int32]*version{}, idUses: map[int32]int{}}
		v.subjects[name] = s
	}
	return s
}

// dropIfEmpty forgets a subject with nothing left.
func (v *view) dropIfEmpty(name string) {
	if s := v.subjects[name]; s != nil && len(s.versions) == 0 && s.config == nil && s.mode == "" {
		delete(v.subjects, name)
	}
}

// apply applies one record of _schemas. A record it cannot decode is an
// error (the caller logs and skips it: the log is the truth and one bad
// record must not stop the registry).
func (v *view) apply(rec Record) error {
	k, err := decodeKey(rec.Key)
	if err != nil {
		return err
	}
	subject := ""
	if k.Subject != nil {
		subject = *k.Subject
	}
	switch k.KeyType {
	case keyTypeSchema:
		if rec.Value == nil {
			v.removeVersion(subject, k.Version)
			return nil
		}
		sv, err := decodeSchemaValue(rec.Value)
		if err != nil {
			return err
		}
		if sv.Subject != subject || sv.Version != k.Version || sv.ID <= 0 || sv.Version <= 0 {
			return fmt.Errorf("schemaregistry: schema record for %q version %d does not match its key", sv.Subject, sv.Version)
		}
		v.putVersion(sv)
	case keyTypeConfig:
		var cfg *configValue
		if rec.Value != nil {
			cfg = new(configValue)
			if err := json.Unmarshal(rec.Value, cfg); err != nil {
				return fmt.Errorf("schemaregistry: bad config record: %w", err)
			}
		}
		if subject == "" {
			v.config = cfg
		} else {
			v.subject(subject, true).config = cfg
			v.dropIfEmpty(subject)
		}
	case keyTypeMode:
		mode := ""
		if rec.Value != nil {
			var mv modeValue
			if err := json.Unmarshal(rec.Value, &mv); err != nil {
				return fmt.Errorf("schemaregistry: bad mode record: %w", err)
			}
			mode = mv.Mode
		}
		if subject == "" {
			v.mode = mode
		} else {
			v.subject(subject, true).mode = mode
			v.dropIfEmpty(subject)
		}
	case keyTypeIDWatermark:
		if rec.Value != nil {
			var wv watermarkValue
			if err := json.Unmarshal(rec.Value, &wv); err != nil {
				return fmt.Errorf("schemaregistry: bad id watermark record: %w", err)
			}
			v.maxID = max(v.maxID, wv.MaxID)
		}
	}
	return nil
}

func (v *view) putVersion(sv schemaValue) {
	s := v.subject(sv.Subject, true)
	if old := s.versions[sv.Version]; old != nil {
		if old.id == sv.ID {
			old.deleted = sv.Deleted
			return
		}
		v.release(old.id)
		s.dropID(old.id)
	}
	s.idUses[sv.ID]++
	s.versions[sv.Version] = &version{subject: sv.Subject, version: sv.Version, id: sv.ID, deleted: sv.Deleted}
	si := v.ids[sv.ID]
	if si == nil {
		si = &schemaInfo{id: sv.ID, text: sv.Schema, schemaType: sv.SchemaType, refs: sv.References}
		v.ids[sv.ID] = si
		v.parseMu.Lock()
		v.unindexed[sv.ID] = true
		v.parseMu.Unlock()
	}
	si.uses++
	v.maxID = max(v.maxID, sv.ID)
}

func (v *view) removeVersion(subject string, ver int32) {
	s := v.subjects[subject]
	if s == nil {
		return
	}
	if old := s.versions[ver]; old != nil {
		delete(s.versions, ver)
		v.release(old.id)
		s.dropID(old.id)
	}
	v.dropIfEmpty(subject)
}

// release drops one use of an id, forgetting it with its last use.
func (v *view) release(id int32) {
	si := v.ids[id]
	if si == nil {
		return
	}
	if si.uses--; si.uses > 0 {
		return
	}
	delete(v.ids, id)
	v.parseMu.Lock()
	delete(v.unindexed, id)
	if si.content != "" && v.content[si.content] == id {
		delete(v.content, si.content)
	}
	v.parseMu.Unlock()
}

// versions lists a subject's versions, ascending: the live ones, or with
// deleted also the soft-deleted ones, or with deletedOnly only those.
func (v *view) versions(subject string, deleted, deletedOnly bool) []*version {
	s := v.subjects[subject]
	if s == nil {
		return nil
	}
	var out []*version
	for _, ver := range s.versions {
		if (deletedOnly && ver.deleted) || (!deletedOnly && (deleted || !ver.deleted)) {
			out = append(out, ver)
		}
	}
	slices.SortFunc(out, func(a, b *version) int { return cmp.Compare(a.version, b.version) })
	return out
}

// latest returns a subject's latest version (live, or any with deleted).
func (v *view) latest(subject string, deleted bool) *version {
	vs := v.versions(subject, deleted, false)
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}

// nextVersion is the version number a new registration gets: one more
// than any version the subject has, soft-deleted ones included (it wraps
// to a negative number after math.MaxInt32, which the caller refuses).
func (v *view) nextVersion(subject string) int32 {
	n := int32(0)
	if s := v.subjects[subject]; s != nil {
		for ver := range s.versions {
			n = max(n, ver)
		}
	}
	return n + 1
}

// hasLive reports whether a subject has a version not soft-deleted.
func (v *view) hasLive(subject string) bool {
	if s := v.subjects[subject]; s != nil {
		for _, ver := range s.versions {
			if !ver.deleted {
				return true
			}
		}
	}
	return false
}

// hasAny reports whether a subject has any version.
func (v *view) hasAny(subject string) bool {
	s := v.subjects[subject]
	return s != nil && len(s.versions) > 0
}

// subjectNames lists subjects with versions, sorted.
func (v *view) subjectNames(prefix string, deleted, deletedOnly bool) []string {
	out := []string{}
	for name := range v.subjects {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		live, any := v.hasLive(name), v.hasAny(name)
		switch {
		case deletedOnly:
			if any && !live {
				out = append(out, name)
			}
		case deleted:
			if any {
				out = append(out, name)
			}
		default:
			if live {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// usesOf lists the subject versions with an id, sorted by subject then
// version.
func (v *view) usesOf(id int32, deleted bool) []*version {
	var out []*version
	for _, s := range v.subjects {
		for _, ver := range s.versions {
			if ver.id == id && (deleted || !ver.deleted) {
				out = append(out, ver)
			}
		}
	}
	slices.SortFunc(out, func(a, b *version) int {
		return cmp.Or(strings.Compare(a.subject, b.subject), cmp.Compare(a.version, b.version))
	})
	return out
}

// referencedBy lists the ids of schemas (still in use) whose references
// name subject version ver, ascending.
func (v *view) referencedBy(subject string, ver int32) []int32 {
	out := []int32{}
	for id, si := range v.ids {
		for _, r := range si.refs {
			if r.Subject == subject && r.Version == ver {
				out = append(out, id)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// effectiveConfig is the config in force for a subject.
func (v *view) effectiveConfig(subject string) configValue {
	if s := v.subjects[subject]; subject != "" && s != nil && s.config != nil {
		return *s.config
	}
	if v.config != nil {
		return *v.config
	}
	return configValue{CompatibilityLevel: string(avro.Backward)}
}

// effectiveMode is the mode in force for a subject.
func (v *view) effectiveMode(subject string) string {
	if s := v.subjects[subject]; subject != "" && s != nil && s.mode != "" {
		return s.mode
	}
	return cmp.Or(v.mode, modeReadWrite)
}

// anySchemas reports whether any subject has a version.
func (v *view) anySchemas() bool {
	for name := range v.subjects {
		if v.hasAny(name) {
			return true
		}
	}
	return false
}

// maxParseDepth bounds reference chains (and so reference cycles).
const maxParseDepth = 64

// schema returns the parsed schema of an id, parsing it (and what it
// references) on first use.
func (v *view) schema(id int32) (*avro.Schema, error) {
	v.parseMu.Lock()
	defer v.parseMu.Unlock()
	return v.parseLocked(id, 0)
}

func (v *view) parseLocked(id int32, depth int) (*avro.Schema, error) {
	si := v.ids[id]
	if si == nil {
		return nil, errSchemaNotFound("Schema %d not found", id)
	}
	if si.parsed != nil || si.parseErr != nil {
		return si.parsed, si.parseErr
	}
	refs, err := v.resolveLocked(si.refs, depth+1)
	if err != nil {
		// Not remembered: a reference may only be missing for now.
		return nil, err
	}
	si.parsed, si.parseErr = avro.Parse(si.text, refs...)
	if si.parseErr != nil {
		si.parseErr = errInvalidSchema(si.parseErr)
	} else {
		si.content = contentKey(si.parsed, si.refs)
	}
	return si.parsed, si.parseErr
}

// resolve turns references into parsed schemas.
func (v *view) resolve(refs []reference) ([]avro.Reference, error) {
	v.parseMu.Lock()
	defer v.parseMu.Unlock()
	return v.resolveLocked(refs, 0)
}

func (v *view) resolveLocked(refs []reference, depth int) ([]avro.Reference, error) {
	if depth > maxParseDepth {
		return nil, errorf(CodeInvalidSchema, "Invalid schema: references nest deeper than %d levels (a cycle?)", maxParseDepth)
	}
	out := make([]avro.Reference, 0, len(refs))
	for _, r := range refs {
		s := v.subjects[r.Subject]
		var ver *version
		if s != nil {
			ver = s.versions[r.Version]
		}
		if ver == nil {
			return nil, errorf(CodeInvalidSchema, "Invalid schema: reference %q to subject '%s' version %d not found", r.Name, r.Subject, r.Version)
		}
		parsed, err := v.parseLocked(ver.id, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, avro.Reference{Name: r.Name, Schema: parsed})
	}
	return out, nil
}

// contentKey is a schema's identity: its canonical form and its
// references.
func contentKey(s *avro.Schema, refs []reference) string {
	if len(refs) == 0 {
		return s.Canonical()
	}
	return s.Canonical() + "\x00" + string(mustJSON(refs))
}

// lookupContent returns the id of a schema with the given identity.
func (v *view) lookupContent(key string) (int32, bool) {
	v.parseMu.Lock()
	defer v.parseMu.Unlock()
	v.indexLocked()
	id, ok := v.content[key]
	return id, ok
}

// indexLocked parses schemas not yet in the content index.
func (v *view) indexLocked() {
	for _, id := range slices.Sorted(maps.Keys(v.unindexed)) {
		if _, err := v.parseLocked(id, 0); err != nil {
			if asError(err).Code == CodeInvalidSchema && v.ids[id] != nil && v.ids[id].parseErr != nil {
				delete(v.unindexed, id) // unparseable for good
			}
			continue
		}
		delete(v.unindexed, id)
		si := v.ids[id]
		if prev, ok := v.content[si.content]; !ok || id < prev {
			v.content[si.content] = id
		}
	}
}
