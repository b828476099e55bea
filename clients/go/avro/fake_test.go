package avro

import (
	"context"
	"slices"
	"sync"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// fakeRegistry is an in-memory Registry counting calls. It does no
// compatibility checks.
type fakeRegistry struct {
	mu       sync.Mutex
	subjects map[string][]fjord.Schema
	byID     map[int]fjord.Schema
	calls    map[string]int
}

var _ Registry = (*fakeRegistry)(nil)

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{subjects: map[string][]fjord.Schema{}, byID: map[int]fjord.Schema{}, calls: map[string]int{}}
}

func (f *fakeRegistry) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func sameRefs(a, b []fjord.SchemaReference) bool { return slices.Equal(a, b) }

func (f *fakeRegistry) Register(_ context.Context, subject string, s fjord.Schema) (fjord.Schema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["Register"]++
	for _, v := range f.subjects[subject] {
		if v.Schema == s.Schema && sameRefs(v.References, s.References) {
			return v, nil
		}
	}
	id := 0
	for i, x := range f.byID {
		if x.Schema == s.Schema && sameRefs(x.References, s.References) {
			id = i
		}
	}
	if id == 0 {
		id = len(f.byID) + 1
		f.byID[id] = fjord.Schema{ID: id, Schema: s.Schema, References: s.References}
	}
	got := fjord.Schema{Subject: subject, Version: len(f.subjects[subject]) + 1, ID: id, Schema: s.Schema, References: s.References}
	f.subjects[subject] = append(f.subjects[subject], got)
	return got, nil
}

func (f *fakeRegistry) Lookup(_ context.Context, subject string, s fjord.Schema) (fjord.Schema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["Lookup"]++
	vs, ok := f.subjects[subject]
	if !ok {
		return fjord.Schema{}, &fjord.Error{Reason: fjord.ReasonSubjectNotFound, Message: "subject " + subject + " not found", Partition: -1}
	}
	for _, v := range vs {
		if v.Schema == s.Schema {
			return v, nil
		}
	}
	return fjord.Schema{}, &fjord.Error{Reason: fjord.ReasonSchemaNotFound, Message: "schema not found", Partition: -1}
}

func (f *fakeRegistry) SchemaByID(_ context.Context, id int) (fjord.Schema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["SchemaByID"]++
	s, ok := f.byID[id]
	if !ok {
		return fjord.Schema{}, &fjord.Error{Reason: fjord.ReasonSchemaNotFound, Message: "schema not found", Partition: -1}
	}
	return s, nil
}

func (f *fakeRegistry) Latest(ctx context.Context, subject string) (fjord.Schema, error) {
	return f.Version(ctx, subject, -1, false)
}

func (f *fakeRegistry) Version(_ context.Context, subject string, v int, _ bool) (fjord.Schema, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls["Version"]++
	vs, ok := f.subjects[subject]
	if !ok {
		return fjord.Schema{}, &fjord.Error{Reason: fjord.ReasonSubjectNotFound, Message: "subject " + subject + " not found", Partition: -1}
	}
	if v == -1 {
		v = len(vs)
	}
	if v < 1 || v > len(vs) {
		return fjord.Schema{}, &fjord.Error{Reason: fjord.ReasonVersionNotFound, Message: "version not found", Partition: -1}
	}
	return vs[v-1], nil
}

// put registers s under subject with a chosen id.
func (f *fakeRegistry) put(subject string, id int, s fjord.Schema) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.ID = id
	f.byID[id] = s
	s.Subject, s.Version = subject, len(f.subjects[subject])+1
	f.subjects[subject] = append(f.subjects[subject], s)
}
