// Package acl is the pure core of Fjord's authorization: ACL bindings and
// the Authorizer deciding whether a principal may perform an operation on a
// resource. It does no I/O and keeps no goroutines; an Authorizer is
// immutable and safe for concurrent use (replace it to change the ACLs).
//
// The semantics are Kafka's: a binding allows or denies one principal (or
// "User:*", every principal) one operation on resources named literally or
// by prefix; a matching DENY always wins over any ALLOW; when no binding
// allows a request it is denied (default deny); super users bypass every
// check; READ, WRITE, DELETE and ALTER each imply DESCRIBE.
package acl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ResourceType is the kind of resource a binding protects.
type ResourceType string

// Resource types.
const (
	Topic   ResourceType = "topic"
	Group   ResourceType = "group"
	Subject ResourceType = "subject"
	Cluster ResourceType = "cluster"
)

// ClusterName is the one name of the Cluster resource.
const ClusterName = "fjord-cluster"

// PatternType says how a binding's resource name matches.
type PatternType string

// Pattern types.
const (
	// Literal matches the name exactly; the literal name "*" matches every
	// resource of the type.
	Literal PatternType = "literal"
	// Prefixed matches every name starting with the binding's name.
	Prefixed PatternType = "prefixed"
)

// Operation is what a principal does to a resource.
type Operation string

// Operations.
const (
	Read     Operation = "read"
	Write    Operation = "write"
	Create   Operation = "create"
	Delete   Operation = "delete"
	Alter    Operation = "alter"
	Describe Operation = "describe"
	// IdempotentWrite on the cluster lets a producer get a producer id
	// (InitProducerId) without WRITE on any topic.
	IdempotentWrite Operation = "idempotent_write"
	// ClusterAction on the cluster is inter-broker traffic (replication,
	// the controller's RPCs).
	ClusterAction Operation = "cluster_action"
	// All matches every operation in a binding; it is never asked about.
	All Operation = "all"
)

// Permission is a binding's verdict.
type Permission string

// Permissions.
const (
	Allow Permission = "allow"
	Deny  Permission = "deny"
)

// WildcardPrincipal in a binding matches every principal.
const WildcardPrincipal = "User:*"

// WildcardHost is the only host Fjord supports in a binding.
const WildcardHost = "*"

// Binding is one ACL entry.
type Binding struct {
	Principal    string       `json:"principal"`
	Host         string       `json:"host"`
	ResourceType ResourceType `json:"resource_type"`
	PatternType  PatternType  `json:"pattern_type"`
	ResourceName string       `json:"resource_name"`
	Operation    Operation    `json:"operation"`
	Permission   Permission   `json:"permission"`
}

// String renders the binding for logs and the CLI.
func (b Binding) String() string {
	return fmt.Sprintf("%s %s %s on %s:%s:%s from %s", b.Permission, b.Principal, b.Operation, b.ResourceType, b.PatternType, b.ResourceName, b.Host)
}

// ErrInvalidBinding is wrapped by Validate's errors.
var ErrInvalidBinding = errors.New("acl: invalid binding")

var (
	resourceTypes = []ResourceType{Topic, Group, Subject, Cluster}
	operations    = []Operation{Read, Write, Create, Delete, Alter, Describe, IdempotentWrite, ClusterAction, All}
)

// ParseResourceType parses a resource type name (case-insensitive).
func ParseResourceType(s string) (ResourceType, error) {
	t := ResourceType(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(resourceTypes, t) {
		return "", fmt.Errorf("%w: unknown resource type %q (topic, group, subject, cluster)", ErrInvalidBinding, s)
	}
	return t, nil
}

// ParseOperation parses an operation name (case-insensitive; "-" and "_"
// are the same).
func ParseOperation(s string) (Operation, error) {
	op := Operation(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if !slices.Contains(operations, op) {
		return "", fmt.Errorf("%w: unknown operation %q (read, write, create, delete, alter, describe, idempotent_write, cluster_action, all)", ErrInvalidBinding, s)
	}
	return op, nil
}

// Validate checks a binding before it is stored.
func (b Binding) Validate() error {
	typ, name, ok := strings.Cut(b.Principal, ":")
	switch {
	case !ok || typ == "" || name == "":
		return fmt.Errorf("%w: principal %q is not Type:Name (for example User:alice, or User:* for everyone)", ErrInvalidBinding, b.Principal)
	case b.Host != WildcardHost:
		return fmt.Errorf("%w: host %q: only \"*\" is supported", ErrInvalidBinding, b.Host)
	case !slices.Contains(resourceTypes, b.ResourceType):
		return fmt.Errorf("%w: unknown resource type %q", ErrInvalidBinding, b.ResourceType)
	case b.PatternType != Literal && b.PatternType != Prefixed:
		return fmt.Errorf("%w: unknown pattern type %q (literal or prefixed)", ErrInvalidBinding, b.PatternType)
	case b.ResourceName == "":
		return fmt.Errorf("%w: empty resource name", ErrInvalidBinding)
	case b.ResourceType == Cluster && (b.ResourceName != ClusterName || b.PatternType != Literal):
		return fmt.Errorf("%w: the cluster resource is the literal name %q", ErrInvalidBinding, ClusterName)
	case !slices.Contains(operations, b.Operation):
		return fmt.Errorf("%w: unknown operation %q", ErrInvalidBinding, b.Operation)
	case b.Permission != Allow && b.Permission != Deny:
		return fmt.Errorf("%w: unknown permission %q (allow or deny)", ErrInvalidBinding, b.Permission)
	}
	return nil
}

// Less orders bindings for stable listings and snapshots.
func Less(a, b Binding) bool { return Compare(a, b) < 0 }

// Compare orders bindings by resource, then principal, operation and
// permission.
func Compare(a, b Binding) int {
	for _, c := range [][2]string{
		{string(a.ResourceType), string(b.ResourceType)},
		{string(a.PatternType), string(b.PatternType)},
		{a.ResourceName, b.ResourceName},
		{a.Principal, b.Principal},
		{a.Host, b.Host},
		{string(a.Operation), string(b.Operation)},
		{string(a.Permission), string(b.Permission)},
	} {
		if r := strings.Compare(c[0], c[1]); r != 0 {
			return r
		}
	}
	return 0
}

// matchesResource reports whether b covers the resource (typ, name).
func (b Binding) matchesResource(typ ResourceType, name string) bool {
	if b.ResourceType != typ {
		return false
	}
	switch b.PatternType {
	case Literal:
		return b.ResourceName == "*" || b.ResourceName == name
	case Prefixed:
		return strings.HasPrefix(name, b.ResourceName)
	}
	return false
}

func (b Binding) matchesPrincipal(principal string) bool {
	return b.Principal == principal || b.Principal == WildcardPrincipal
}

// implies reports whether a binding for operation have covers a request
// for want: ALL covers everything, and an ALLOW of READ, WRITE, DELETE or
// ALTER covers DESCRIBE (Kafka's implied describe). Deny bindings never
// imply: a DENY READ does not deny DESCRIBE.
func implies(have, want Operation, perm Permission) bool {
	if have == want || have == All {
		return true
	}
	if perm == Allow && want == Describe {
		switch have {
		case Read, Write, Delete, Alter:
			return true
		}
	}
	return false
}

// Filter selects bindings for listing and deleting. Empty fields match
// anything. With PatternType empty or "any", Name matches bindings by exact
// name; with "match", it selects every binding that would apply to the
// resource called Name (literal, wildcard and prefixes).
type Filter struct {
	Principal    string
	ResourceType ResourceType
	PatternType  string // "", "any", "literal", "prefixed", "match"
	ResourceName string
	Operation    Operation
	Permission   Permission
}

// Matches reports whether b passes the filter.
func (f Filter) Matches(b Binding) bool {
	switch {
	case f.Principal != "" && f.Principal != b.Principal:
		return false
	case f.ResourceType != "" && f.ResourceType != b.ResourceType:
		return false
	case f.Operation != "" && f.Operation != b.Operation:
		return false
	case f.Permission != "" && f.Permission != b.Permission:
		return false
	}
	switch f.PatternType {
	case "", "any":
		return f.ResourceName == "" || f.ResourceName == b.ResourceName
	case "match":
		if f.ResourceName == "" {
			return true
		}
		return b.matchesResource(b.ResourceType, f.ResourceName)
	default:
		return string(b.PatternType) == f.PatternType && (f.ResourceName == "" || f.ResourceName == b.ResourceName)
	}
}

// Select returns the bindings passing the filter, in order.
func (f Filter) Select(bs []Binding) []Binding {
	var out []Binding
	for _, b := range bs {
		if f.Matches(b) {
			out = append(out, b)
		}
	}
	return out
}

// Authorizer decides requests against a fixed set of bindings.
type Authorizer struct {
	// Enabled turns authorization on; a disabled Authorizer allows
	// everything.
	enabled    bool
	superUsers map[string]bool
	bindings   []Binding
}

// New returns an authorizer. Disabled, it allows everything; enabled, it
// denies whatever no binding allows, except to super users.
func New(enabled bool, superUsers []string, bindings []Binding) *Authorizer {
	a := &Authorizer{enabled: enabled, superUsers: make(map[string]bool, len(superUsers)), bindings: slices.Clone(bindings)}
	for _, u := range superUsers {
		a.superUsers[u] = true
	}
	return a
}

// Enabled reports whether the authorizer checks anything.
func (a *Authorizer) Enabled() bool { return a != nil && a.enabled }

// SuperUser reports whether principal bypasses every check.
func (a *Authorizer) SuperUser(principal string) bool { return a.superUsers[principal] }

// Decision explains an authorization result.
type Decision struct {
	Allowed bool
	// Binding is the deciding binding: the matching deny, or an allow.
	// Nil for a super user, a disabled authorizer or a default deny.
	Binding *Binding
}

// Authorize decides whether principal may perform op on the resource
// (typ, name): allowed when authorization is off, for super users, and
// when some binding allows it and none denies it.
func (a *Authorizer) Authorize(principal string, op Operation, typ ResourceType, name string) Decision {
	if !a.Enabled() || a.superUsers[principal] {
		return Decision{Allowed: true}
	}
	var allow *Binding
	for i := range a.bindings {
		b := &a.bindings[i]
		if !b.matchesPrincipal(principal) || !b.matchesResource(typ, name) || !implies(b.Operation, op, b.Permission) {
			continue
		}
		if b.Permission == Deny {
			return Decision{Allowed: false, Binding: b}
		}
		if allow == nil {
			allow = b
		}
	}
	return Decision{Allowed: allow != nil, Binding: allow}
}

// Allowed is Authorize(...).Allowed.
func (a *Authorizer) Allowed(principal string, op Operation, typ ResourceType, name string) bool {
	return a.Authorize(principal, op, typ, name).Allowed
}

// AllowedAny reports whether principal may perform op on at least one
// resource of type typ: some allow binding applies to it and no deny
// binding for every resource of the type ("*" literal or the empty
// prefix) takes it back. It answers requests that name no resource but
// need some right of the kind (Kafka's KIP-679 for InitProducerId: WRITE on
// any topic).
func (a *Authorizer) AllowedAny(principal string, op Operation, typ ResourceType) bool {
	if !a.Enabled() || a.superUsers[principal] {
		return true
	}
	allowed := false
	for _, b := range a.bindings {
		if b.ResourceType != typ || !b.matchesPrincipal(principal) || !implies(b.Operation, op, b.Permission) {
			continue
		}
		if b.Permission == Deny && ((b.PatternType == Literal && b.ResourceName == "*") || (b.PatternType == Prefixed && b.ResourceName == "")) {
			return false
		}
		if b.Permission == Allow {
			allowed = true
		}
	}
	return allowed
}
