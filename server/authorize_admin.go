package server

import (
	"context"
	"slices"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/acl"
	"github.com/fjordlog/fjord/server/cluster"
)

// ACL RPCs of AdminService. Changes go through the controller leader like
// topic changes; reads answer from this broker's image.

var (
	aclResourceTypes = map[fjordv1.AclResourceType]acl.ResourceType{
		fjordv1.AclResourceType_ACL_RESOURCE_TYPE_TOPIC: acl.Topic, fjordv1.AclResourceType_ACL_RESOURCE_TYPE_GROUP: acl.Group,
		fjordv1.AclResourceType_ACL_RESOURCE_TYPE_SUBJECT: acl.Subject, fjordv1.AclResourceType_ACL_RESOURCE_TYPE_CLUSTER: acl.Cluster,
	}
	aclPatternTypes = map[fjordv1.AclPatternType]string{
		fjordv1.AclPatternType_ACL_PATTERN_TYPE_LITERAL: string(acl.Literal), fjordv1.AclPatternType_ACL_PATTERN_TYPE_PREFIXED: string(acl.Prefixed),
		fjordv1.AclPatternType_ACL_PATTERN_TYPE_MATCH: "match",
	}
	aclOperations = map[fjordv1.AclOperation]acl.Operation{
		fjordv1.AclOperation_ACL_OPERATION_READ: acl.Read, fjordv1.AclOperation_ACL_OPERATION_WRITE: acl.Write,
		fjordv1.AclOperation_ACL_OPERATION_CREATE: acl.Create, fjordv1.AclOperation_ACL_OPERATION_DELETE: acl.Delete,
		fjordv1.AclOperation_ACL_OPERATION_ALTER: acl.Alter, fjordv1.AclOperation_ACL_OPERATION_DESCRIBE: acl.Describe,
		fjordv1.AclOperation_ACL_OPERATION_IDEMPOTENT_WRITE: acl.IdempotentWrite, fjordv1.AclOperation_ACL_OPERATION_CLUSTER_ACTION: acl.ClusterAction,
		fjordv1.AclOperation_ACL_OPERATION_ALL: acl.All,
	}
	aclPermissions = map[fjordv1.AclPermission]acl.Permission{
		fjordv1.AclPermission_ACL_PERMISSION_ALLOW: acl.Allow, fjordv1.AclPermission_ACL_PERMISSION_DENY: acl.Deny,
	}
)

func reverse[K comparable, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	aclResourceTypesPB = reverse(aclResourceTypes)
	aclPatternTypesPB  = reverse(aclPatternTypes)
	aclOperationsPB    = reverse(aclOperations)
	aclPermissionsPB   = reverse(aclPermissions)
)

// bindingFromProto converts and validates a binding (host empty means
// "*", pattern unspecified means literal).
func bindingFromProto(b *fjordv1.AclBinding) (acl.Binding, error) {
	out := acl.Binding{Principal: b.GetPrincipal(), Host: b.GetHost(), ResourceType: aclResourceTypes[b.GetResourceType()],
		PatternType: acl.PatternType(aclPatternTypes[b.GetPatternType()]), ResourceName: b.GetResourceName(),
		Operation: aclOperations[b.GetOperation()], Permission: aclPermissions[b.GetPermission()]}
	if out.Host == "" {
		out.Host = acl.WildcardHost
	}
	if b.GetPatternType() == fjordv1.AclPatternType_ACL_PATTERN_TYPE_UNSPECIFIED {
		out.PatternType = acl.Literal
	}
	if out.ResourceType == acl.Cluster && out.ResourceName == "" {
		out.ResourceName = acl.ClusterName
	}
	if err := out.Validate(); err != nil {
		return acl.Binding{}, errorf(ReasonInvalidRequest, "%s", err.Error()).with("principal", b.GetPrincipal(), "resource", b.GetResourceName())
	}
	return out, nil
}

func bindingToProto(b acl.Binding) *fjordv1.AclBinding {
	return &fjordv1.AclBinding{Principal: b.Principal, Host: b.Host, ResourceType: aclResourceTypesPB[b.ResourceType],
		PatternType: aclPatternTypesPB[string(b.PatternType)], ResourceName: b.ResourceName,
		Operation: aclOperationsPB[b.Operation], Permission: aclPermissionsPB[b.Permission]}
}

func filterFromProto(f *fjordv1.AclFilter) acl.Filter {
	return acl.Filter{Principal: f.GetPrincipal(), ResourceType: aclResourceTypes[f.GetResourceType()], PatternType: aclPatternTypes[f.GetPatternType()],
		ResourceName: f.GetResourceName(), Operation: aclOperations[f.GetOperation()], Permission: aclPermissions[f.GetPermission()]}
}

func (s *adminService) CreateAcls(ctx context.Context, req *fjordv1.CreateAclsRequest) (*fjordv1.CreateAclsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.CreateAclsResponse, error) {
		return c.CreateAcls(ctx, req)
	}, func(img *cluster.Image, resp *fjordv1.CreateAclsResponse) bool {
		for _, r := range resp.GetResults() {
			if b, err := bindingFromProto(r.GetBinding()); r.GetError() == nil && err == nil && !slices.Contains(img.ACLs(), b) {
				return false
			}
		}
		return true
	}); ok {
		return resp, err
	}
	resp := &fjordv1.CreateAclsResponse{}
	var valid []acl.Binding
	for _, pb := range req.GetBindings() {
		b, err := bindingFromProto(pb)
		res := &fjordv1.CreateAclResult{Binding: pb, Error: toProto(err)}
		if err == nil {
			res.Binding = bindingToProto(b)
			valid = append(valid, b)
		}
		resp.Results = append(resp.Results, res)
	}
	if len(valid) > 0 {
		if err := s.b.ctl.ctrl.CreateACLs(ctx, valid); err != nil {
			return nil, toStatus(err)
		}
	}
	return resp, nil
}

func (s *adminService) DescribeAcls(ctx context.Context, req *fjordv1.DescribeAclsRequest) (*fjordv1.DescribeAclsResponse, error) {
	resp := &fjordv1.DescribeAclsResponse{}
	for _, b := range filterFromProto(req.GetFilter()).Select(s.b.ctl.image().ACLs()) {
		resp.Bindings = append(resp.Bindings, bindingToProto(b))
	}
	return resp, nil
}

func (s *adminService) DeleteAcls(ctx context.Context, req *fjordv1.DeleteAclsRequest) (*fjordv1.DeleteAclsResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.DeleteAclsResponse, error) {
		return c.DeleteAcls(ctx, req)
	}, func(img *cluster.Image, resp *fjordv1.DeleteAclsResponse) bool {
		for _, pb := range resp.GetDeleted() {
			if b, err := bindingFromProto(pb); err == nil && slices.Contains(img.ACLs(), b) {
				return false
			}
		}
		return true
	}); ok {
		return resp, err
	}
	if len(req.GetFilters()) == 0 {
		return nil, toStatus(errorf(ReasonInvalidRequest, "delete ACLs needs at least one filter (an empty filter matches every binding)"))
	}
	var filters []acl.Filter
	for _, f := range req.GetFilters() {
		filters = append(filters, filterFromProto(f))
	}
	deleted, err := s.b.ctl.ctrl.DeleteACLs(ctx, filters)
	if err != nil {
		return nil, toStatus(err)
	}
	resp := &fjordv1.DeleteAclsResponse{}
	for _, b := range deleted {
		resp.Deleted = append(resp.Deleted, bindingToProto(b))
	}
	return resp, nil
}
