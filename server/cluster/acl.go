package cluster

import (
	"context"
	"fmt"
	"slices"

	"github.com/fjordlog/fjord/server/acl"
)

// Record types of ACLs (stored in the metadata log so that every broker
// enforces the same set).
const (
	TypeCreateACLs RecordType = "create_acls"
	TypeDeleteACLs RecordType = "delete_acls"
)

// CreateACLs adds bindings; a binding already present is kept once.
type CreateACLs struct {
	Bindings []acl.Binding `json:"bindings"`
}

// DeleteACLs removes every binding matching any of the filters;
// Result.ACLs lists what was removed.
type DeleteACLs struct {
	Filters []ACLFilter `json:"filters"`
}

// ACLFilter is acl.Filter as persisted in the log.
type ACLFilter struct {
	Principal    string           `json:"principal,omitempty"`
	ResourceType acl.ResourceType `json:"resource_type,omitempty"`
	PatternType  string           `json:"pattern_type,omitempty"`
	ResourceName string           `json:"resource_name,omitempty"`
	Operation    acl.Operation    `json:"operation,omitempty"`
	Permission   acl.Permission   `json:"permission,omitempty"`
}

// Filter returns f as an acl.Filter.
func (f ACLFilter) Filter() acl.Filter {
	return acl.Filter{Principal: f.Principal, ResourceType: f.ResourceType, PatternType: f.PatternType,
		ResourceName: f.ResourceName, Operation: f.Operation, Permission: f.Permission}
}

// ACLFilterOf converts an acl.Filter for a DeleteACLs record.
func ACLFilterOf(f acl.Filter) ACLFilter {
	return ACLFilter{Principal: f.Principal, ResourceType: f.ResourceType, PatternType: f.PatternType,
		ResourceName: f.ResourceName, Operation: f.Operation, Permission: f.Permission}
}

// ACLs returns every binding in acl.Compare order; the result must not be
// modified.
func (img *Image) ACLs() []acl.Binding { return img.acls }

func (img *Image) createACLs(r *CreateACLs) (Result, bool, error) {
	if len(r.Bindings) == 0 {
		return Result{}, false, fmt.Errorf("%w: create_acls without bindings", ErrInvalidRecord)
	}
	for _, b := range r.Bindings {
		if err := b.Validate(); err != nil {
			return Result{}, false, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
		}
	}
	next := slices.Clone(img.acls)
	changed := false
	for _, b := range r.Bindings {
		if i, found := slices.BinarySearchFunc(next, b, acl.Compare); !found {
			next = slices.Insert(next, i, b)
			changed = true
		}
	}
	if changed {
		img.acls = next
	}
	return Result{ACLs: slices.Clone(r.Bindings)}, changed, nil
}

func (img *Image) deleteACLs(r *DeleteACLs) (Result, bool, error) {
	var kept, deleted []acl.Binding
	for _, b := range img.acls {
		match := false
		for _, f := range r.Filters {
			if f.Filter().Matches(b) {
				match = true
				break
			}
		}
		if match {
			deleted = append(deleted, b)
		} else {
			kept = append(kept, b)
		}
	}
	if len(deleted) == 0 {
		return Result{}, false, nil
	}
	img.acls = kept
	return Result{ACLs: deleted}, true, nil
}

// restoreACLs sorts and deduplicates bindings read from a snapshot.
func restoreACLs(bs []acl.Binding) ([]acl.Binding, error) {
	for _, b := range bs {
		if err := b.Validate(); err != nil {
			return nil, fmt.Errorf("cluster: decode snapshot: %w", err)
		}
	}
	bs = slices.Clone(bs)
	slices.SortFunc(bs, acl.Compare)
	return slices.CompactFunc(bs, func(a, b acl.Binding) bool { return a == b }), nil
}

// CreateACLs stores bindings (validated by the caller and again on apply).
func (c *Controller) CreateACLs(ctx context.Context, bindings []acl.Binding) error {
	_, err := c.Propose(ctx, NewRecord(&CreateACLs{Bindings: bindings}))
	return err
}

// DeleteACLs removes the bindings matching any filter and returns them.
func (c *Controller) DeleteACLs(ctx context.Context, filters []acl.Filter) ([]acl.Binding, error) {
	rec := &DeleteACLs{}
	for _, f := range filters {
		rec.Filters = append(rec.Filters, ACLFilterOf(f))
	}
	res, err := c.Propose(ctx, NewRecord(rec))
	return res.ACLs, err
}
