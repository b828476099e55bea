package fjord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
)

// Reasons of calls refused by a broker running with --authorizer=acl
// (gRPC PERMISSION_DENIED). The error's Metadata names the principal,
// operation, resource_type and resource.
const (
	ReasonTopicAuthorizationFailed   = "TOPIC_AUTHORIZATION_FAILED"
	ReasonGroupAuthorizationFailed   = "GROUP_AUTHORIZATION_FAILED"
	ReasonSubjectAuthorizationFailed = "SUBJECT_AUTHORIZATION_FAILED"
	ReasonClusterAuthorizationFailed = "CLUSTER_AUTHORIZATION_FAILED"
)

// Sentinels for errors.Is on authorization failures.
var (
	ErrTopicAuthorizationFailed   = &Error{Reason: ReasonTopicAuthorizationFailed}
	ErrGroupAuthorizationFailed   = &Error{Reason: ReasonGroupAuthorizationFailed}
	ErrSubjectAuthorizationFailed = &Error{Reason: ReasonSubjectAuthorizationFailed}
	ErrClusterAuthorizationFailed = &Error{Reason: ReasonClusterAuthorizationFailed}
)

// ACLClusterName is the one name of the cluster resource (an empty
// ResourceName of an ACLCluster binding means it).
const ACLClusterName = "fjord-cluster"

// ACLWildcardPrincipal in a binding matches every principal.
const ACLWildcardPrincipal = "User:*"

// ACLResourceType is the kind of resource an ACL protects. The zero value
// matches any type in an ACLFilter.
type ACLResourceType int32

// ACL resource types.
const (
	ACLResourceAny ACLResourceType = iota
	ACLTopic
	ACLGroup
	ACLSubject
	ACLCluster
)

// ACLPatternType says how a binding's resource name matches. The zero value
// is ACLLiteral in a binding and any pattern type (with ResourceName as the
// exact name) in a filter.
type ACLPatternType int32

// ACL pattern types.
const (
	ACLPatternAny ACLPatternType = iota
	// ACLLiteral matches the exact name; the literal name "*" matches every
	// resource of the type.
	ACLLiteral
	// ACLPrefixed matches every name starting with the binding's name.
	ACLPrefixed
	// ACLMatch, in filters only, selects every binding that applies to
	// ResourceName: literal, wildcard and matching prefixes.
	ACLMatch
)

// ACLOperation is what a principal does to a resource. ACLRead, ACLWrite,
// ACLDelete and ACLAlter imply ACLDescribe; ACLAll covers every operation.
// The zero value matches any operation in an ACLFilter.
type ACLOperation int32

// ACL operations.
const (
	ACLOperationAny ACLOperation = iota
	ACLRead
	ACLWrite
	ACLCreate
	ACLDelete
	ACLAlter
	ACLDescribe
	// ACLIdempotentWrite on the cluster: get a producer id without WRITE on
	// any topic.
	ACLIdempotentWrite
	// ACLClusterAction on the cluster: inter-broker traffic.
	ACLClusterAction
	ACLAll
)

// ACLPermission is a binding's verdict; a matching deny always wins. The
// zero value matches either in an ACLFilter.
type ACLPermission int32

// ACL permissions.
const (
	ACLPermissionAny ACLPermission = iota
	ACLAllow
	ACLDeny
)

// Names as the CLI and the broker's messages spell them, indexed by value.
var (
	aclResourceNames   = []string{"any", "topic", "group", "subject", "cluster"}
	aclPatternNames    = []string{"any", "literal", "prefixed", "match"}
	aclOperationNames  = []string{"any", "read", "write", "create", "delete", "alter", "describe", "idempotent_write", "cluster_action", "all"}
	aclPermissionNames = []string{"any", "allow", "deny"}
)

func enumName(names []string, v int32) string {
	if v < 0 || int(v) >= len(names) {
		return fmt.Sprintf("unknown(%d)", v)
	}
	return names[v]
}

func (t ACLResourceType) String() string { return enumName(aclResourceNames, int32(t)) }
func (p ACLPatternType) String() string  { return enumName(aclPatternNames, int32(p)) }
func (o ACLOperation) String() string    { return enumName(aclOperationNames, int32(o)) }
func (p ACLPermission) String() string   { return enumName(aclPermissionNames, int32(p)) }

// parseEnum finds s (case-insensitive, "-" for "_") among names, skipping
// the zero value "any".
func parseEnum(names []string, what, s string) (int32, error) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	for i, name := range names[1:] {
		if n == name {
			return int32(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q: want one of %s", what, s, strings.Join(names[1:], ", "))
}

// ParseACLOperation parses an operation name such as "read" or
// "idempotent-write" (case-insensitive, "-" or "_").
func ParseACLOperation(s string) (ACLOperation, error) {
	v, err := parseEnum(aclOperationNames, "operation", s)
	return ACLOperation(v), err
}

// ParseACLResourceType parses "topic", "group", "subject" or "cluster".
func ParseACLResourceType(s string) (ACLResourceType, error) {
	v, err := parseEnum(aclResourceNames, "resource type", s)
	return ACLResourceType(v), err
}

// ACLBinding allows or denies one principal one operation on resources.
type ACLBinding struct {
	// Principal is "Type:Name" ("User:alice"), or ACLWildcardPrincipal.
	Principal string
	// Host is "*", the only host supported (empty means "*").
	Host         string
	ResourceType ACLResourceType
	// PatternType is ACLLiteral (the default) or ACLPrefixed.
	PatternType ACLPatternType
	// ResourceName is the topic, group or subject name (or prefix);
	// ACLClusterName (or empty) for the cluster.
	ResourceName string
	Operation    ACLOperation
	Permission   ACLPermission
}

// String formats the binding as "allow User:alice write topic orders
// (literal)".
func (b ACLBinding) String() string {
	pattern := b.PatternType
	if pattern == ACLPatternAny {
		pattern = ACLLiteral
	}
	return fmt.Sprintf("%s %s %s %s %s (%s)", b.Permission, b.Principal, b.Operation, b.ResourceType, b.ResourceName, pattern)
}

// ACLFilter selects bindings: a zero field matches anything, so the zero
// ACLFilter selects every binding.
type ACLFilter struct {
	Principal    string
	ResourceType ACLResourceType
	// PatternType ACLPatternAny matches any pattern type with ResourceName
	// as the exact name; ACLMatch selects every binding that applies to
	// ResourceName.
	PatternType  ACLPatternType
	ResourceName string
	Operation    ACLOperation
	Permission   ACLPermission
}

// IsZero reports whether the filter matches every binding.
func (f ACLFilter) IsZero() bool { return f == ACLFilter{} }

func invalidACL(format string, args ...any) *Error {
	return &Error{Code: codes.InvalidArgument, Reason: ReasonInvalidRequest, Message: fmt.Sprintf(format, args...), Partition: -1}
}

// checkEnums refuses values the broker does not know: it would read them
// as "any", and a filter meant to be narrow would match everything.
func checkEnums(t ACLResourceType, p ACLPatternType, o ACLOperation, perm ACLPermission) *Error {
	switch {
	case t < 0 || int(t) >= len(aclResourceNames):
		return invalidACL("unknown ACL resource type %d", t)
	case p < 0 || int(p) >= len(aclPatternNames):
		return invalidACL("unknown ACL pattern type %d", p)
	case o < 0 || int(o) >= len(aclOperationNames):
		return invalidACL("unknown ACL operation %d", o)
	case perm < 0 || int(perm) >= len(aclPermissionNames):
		return invalidACL("unknown ACL permission %d", perm)
	}
	return nil
}

func (b ACLBinding) toProto() (*fjordv1.AclBinding, *Error) {
	if err := checkEnums(b.ResourceType, b.PatternType, b.Operation, b.Permission); err != nil {
		return nil, err
	}
	return &fjordv1.AclBinding{Principal: b.Principal, Host: b.Host, ResourceType: fjordv1.AclResourceType(b.ResourceType),
		PatternType: fjordv1.AclPatternType(b.PatternType), ResourceName: b.ResourceName,
		Operation: fjordv1.AclOperation(b.Operation), Permission: fjordv1.AclPermission(b.Permission)}, nil
}

func aclBindingFromProto(pb *fjordv1.AclBinding) ACLBinding {
	return ACLBinding{Principal: pb.GetPrincipal(), Host: pb.GetHost(), ResourceType: ACLResourceType(pb.GetResourceType()),
		PatternType: ACLPatternType(pb.GetPatternType()), ResourceName: pb.GetResourceName(),
		Operation: ACLOperation(pb.GetOperation()), Permission: ACLPermission(pb.GetPermission())}
}

func (f ACLFilter) toProto() (*fjordv1.AclFilter, *Error) {
	if err := checkEnums(f.ResourceType, f.PatternType, f.Operation, f.Permission); err != nil {
		return nil, err
	}
	return &fjordv1.AclFilter{Principal: f.Principal, ResourceType: fjordv1.AclResourceType(f.ResourceType),
		PatternType: fjordv1.AclPatternType(f.PatternType), ResourceName: f.ResourceName,
		Operation: fjordv1.AclOperation(f.Operation), Permission: fjordv1.AclPermission(f.Permission)}, nil
}

// CreateACLs adds bindings (creating an existing one is a no-op). Each
// binding is checked on its own: the valid ones are created even when
// others fail, and the failures come back joined (errors.Join), one *Error
// per refused binding whose message names it. Needs ALTER on the cluster.
func (a *Admin) CreateACLs(ctx context.Context, bindings ...ACLBinding) error {
	req := &fjordv1.CreateAclsRequest{}
	for _, b := range bindings {
		pb, err := b.toProto()
		if err != nil {
			err.Message = fmt.Sprintf("binding %s: %s", b, err.Message)
			return err
		}
		req.Bindings = append(req.Bindings, pb)
	}
	if len(req.Bindings) == 0 {
		return nil
	}
	var errs []error
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.CreateAcls(ctx, req)
		if err != nil {
			return err
		}
		if len(resp.GetResults()) != len(req.Bindings) {
			return &Error{Reason: ReasonInternal, Message: fmt.Sprintf("create ACLs: %d results for %d bindings", len(resp.GetResults()), len(req.Bindings)), Partition: -1}
		}
		errs = errs[:0]
		for i, r := range resp.GetResults() {
			if e := errorFromProto(r.GetError(), "", -1); e != nil {
				e.Message = fmt.Sprintf("binding %s: %s", bindings[i], e.Message)
				errs = append(errs, e)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// DescribeACLs returns the bindings passing filter (the zero filter: all),
// sorted by resource, then principal, operation and permission. Needs
// DESCRIBE on the cluster.
func (a *Admin) DescribeACLs(ctx context.Context, filter ACLFilter) ([]ACLBinding, error) {
	pf, perr := filter.toProto()
	if perr != nil {
		return nil, perr
	}
	var out []ACLBinding
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DescribeAcls(ctx, &fjordv1.DescribeAclsRequest{Filter: pf})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, b := range resp.GetBindings() {
			out = append(out, aclBindingFromProto(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteACLs deletes every binding matching any of filters and returns
// those deleted (when a retry follows a lost answer, those the retry
// deleted). Beware: the zero ACLFilter matches every binding. At least one
// filter is needed. Needs ALTER on the cluster.
func (a *Admin) DeleteACLs(ctx context.Context, filters ...ACLFilter) ([]ACLBinding, error) {
	if len(filters) == 0 {
		return nil, invalidACL("delete ACLs needs at least one filter (the zero filter matches every binding)")
	}
	req := &fjordv1.DeleteAclsRequest{}
	for _, f := range filters {
		pf, err := f.toProto()
		if err != nil {
			return nil, err
		}
		req.Filters = append(req.Filters, pf)
	}
	var out []ACLBinding
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DeleteAcls(ctx, req)
		if err != nil {
			return err
		}
		// After a lost answer the retry's list lacks what the lost attempt
		// deleted: out is what this broker reports, not a ledger.
		out = out[:0]
		for _, b := range resp.GetDeleted() {
			out = append(out, aclBindingFromProto(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
