package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	clusterv1 "github.com/fjordlog/fjord/gen/go/fjord/cluster/v1"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/server/acl"
	"github.com/fjordlog/fjord/server/auth"
	"github.com/fjordlog/fjord/server/cluster"
)

// Authorization modes (Options.Authorizer).
const (
	AuthorizerOff = "off"
	AuthorizerACL = "acl"
)

// Authorization failure reasons (ErrorInfo). Published: never renamed.
const (
	ReasonTopicAuthorizationFailed   Reason = "TOPIC_AUTHORIZATION_FAILED"
	ReasonGroupAuthorizationFailed   Reason = "GROUP_AUTHORIZATION_FAILED"
	ReasonSubjectAuthorizationFailed Reason = "SUBJECT_AUTHORIZATION_FAILED"
	ReasonClusterAuthorizationFailed Reason = "CLUSTER_AUTHORIZATION_FAILED"
)

// testPrincipalHeader carries the caller's principal in tests that run
// without authentication (Options.testPrincipals). Never honoured otherwise.
const testPrincipalHeader = "x-fjord-test-principal"

// authorizer decides every RPC and REST call against the ACLs of the
// current metadata image. It is safe for concurrent use.
type authorizer struct {
	enabled    bool
	superUsers []string
	// isBroker reports the brokers' own principals (authentication), which
	// are super users: inter-broker calls must pass.
	isBroker func(auth.Principal) bool
	image    func() *cluster.Image
	// testPrincipals: take the principal from testPrincipalHeader
	// (tests only); a call without it is a broker's ("User:broker").
	testPrincipals bool
	// cache holds the acl.Authorizer built for the last image seen.
	cache atomic.Pointer[authzCache]
}

type authzCache struct {
	img *cluster.Image
	a   *acl.Authorizer
}

// newAuthorizer builds the authorizer from the options. The brokers'
// principals become super users once authentication provides them: set
// isBroker here (one line) when it does.
func (s *Server) newAuthorizer() *authorizer {
	return &authorizer{
		enabled:        s.opts.Authorizer == AuthorizerACL,
		superUsers:     s.opts.SuperUsers,
		isBroker:       func(p auth.Principal) bool { return s.authn != nil && s.authn.IsBroker(p) },
		image:          func() *cluster.Image { return s.ctl.image() },
		testPrincipals: s.opts.testPrincipals,
	}
}

// acls returns the acl.Authorizer of the current image.
func (a *authorizer) acls() *acl.Authorizer {
	img := a.image()
	if c := a.cache.Load(); c != nil && c.img == img {
		return c.a
	}
	c := &authzCache{img: img, a: acl.New(a.enabled, a.superUsers, img.ACLs())}
	a.cache.Store(c)
	return c.a
}

// principal returns the caller of ctx.
func (a *authorizer) principal(ctx context.Context) auth.Principal {
	if a.testPrincipals {
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			if v := md.Get(testPrincipalHeader); len(v) > 0 {
				if p, err := auth.ParsePrincipal(v[0]); err == nil {
					return p
				}
			}
			return auth.User("broker")
		}
	}
	return auth.FromContext(ctx)
}

// check is one call's authorization context.
type check struct {
	ctx       context.Context
	a         *acl.Authorizer
	principal auth.Principal
	super     bool
	s         *Server
}

func (a *authorizer) newCheck(s *Server, ctx context.Context) *check {
	p := a.principal(ctx)
	super := !a.enabled || (a.isBroker != nil && a.isBroker(p))
	return &check{ctx: ctx, a: a.acls(), principal: p, super: super, s: s}
}

func (c *check) allowed(op acl.Operation, typ acl.ResourceType, name string) bool {
	return c.super || c.a.Allowed(c.principal.String(), op, typ, name)
}

// need fails with PERMISSION_DENIED unless the caller may op the resource.
func (c *check) need(op acl.Operation, typ acl.ResourceType, names ...string) error {
	for _, n := range names {
		if !c.allowed(op, typ, n) {
			return denied(c.principal, op, typ, n)
		}
	}
	return nil
}

func (c *check) cluster(op acl.Operation) error { return c.need(op, acl.Cluster, acl.ClusterName) }

// superOnly passes brokers, super users and principals with CLUSTER_ACTION.
func (c *check) superOnly() error { return c.cluster(acl.ClusterAction) }

// denied is the PERMISSION_DENIED status naming principal, operation and
// resource in its ErrorInfo.
func denied(p auth.Principal, op acl.Operation, typ acl.ResourceType, name string) error {
	reason := map[acl.ResourceType]Reason{acl.Topic: ReasonTopicAuthorizationFailed, acl.Group: ReasonGroupAuthorizationFailed,
		acl.Subject: ReasonSubjectAuthorizationFailed, acl.Cluster: ReasonClusterAuthorizationFailed}[typ]
	msg := fmt.Sprintf("server: principal %s is not authorized to %s %s %s", p, strings.ToUpper(string(op)), typ, clipText(name, 256))
	st := status.New(codes.PermissionDenied, msg)
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: string(reason), Domain: errorDomain, Metadata: map[string]string{
		"principal": p.String(), "operation": string(op), "resource_type": string(typ), "resource": clipText(name, maxStatusValue)}}); err == nil {
		st = d
	}
	return st.Err()
}

// rpcRule authorizes one method. pre runs on the request of a unary call;
// post may filter its response (Kafka hides what the caller may not
// describe rather than failing); msg runs on every message a stream
// receives. open marks methods needing no right (health, reflection).
type rpcRule struct {
	open bool
	pre  func(c *check, req any) error
	post func(c *check, resp any)
	msg  func(c *check, st *streamState, m any) error
}

// streamState is what a stream's earlier messages established.
type streamState struct {
	group string
}

func topicNames[T interface{ GetTopic() string }](ts []T) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.GetTopic())
	}
	return out
}

func clusterRule(op acl.Operation) rpcRule {
	return rpcRule{pre: func(c *check, _ any) error { return c.cluster(op) }}
}

var superRule = rpcRule{pre: func(c *check, _ any) error { return c.superOnly() }}

var openRule = rpcRule{open: true}

// subjectOrCluster: a subject-level registry setting needs op on the
// subject, the global one op on the cluster.
func subjectOrCluster(op acl.Operation, subject string, c *check) error {
	if subject == "" {
		return c.cluster(op)
	}
	return c.need(op, acl.Subject, subject)
}

// rpcRules maps every method the broker serves to its rule. A method
// missing here is denied when authorization is on (and fails
// TestEveryRPCHasAnAuthorizationRule).
var rpcRules = map[string]rpcRule{
	// Produce: WRITE on every topic of the request, checked before
	// anything is appended.
	fjordv1.ProduceService_Produce_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Write, acl.Topic, topicNames(req.(*wirev1.ProduceRequest).GetTopics())...)
	}},
	fjordv1.ProduceService_ProduceStream_FullMethodName: {msg: func(c *check, _ *streamState, m any) error {
		return c.need(acl.Write, acl.Topic, topicNames(m.(*wirev1.ProduceStreamRequest).GetTopics())...)
	}},
	// InitProducerId: IDEMPOTENT_WRITE on the cluster, or WRITE on at least
	// one topic (Kafka's KIP-679).
	fjordv1.ProduceService_InitProducerId_FullMethodName: {pre: func(c *check, _ any) error {
		if c.super || c.allowed(acl.IdempotentWrite, acl.Cluster, acl.ClusterName) || c.a.AllowedAny(c.principal.String(), acl.Write, acl.Topic) {
			return nil
		}
		return denied(c.principal, acl.IdempotentWrite, acl.Cluster, acl.ClusterName)
	}},

	fjordv1.FetchService_Fetch_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Topic, topicNames(req.(*fjordv1.FetchRequest).GetTopics())...)
	}},
	fjordv1.FetchService_ListOffsets_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Topic, topicNames(req.(*fjordv1.ListOffsetsRequest).GetTopics())...)
	}},
	fjordv1.FetchService_Subscribe_FullMethodName: {msg: func(c *check, _ *streamState, m any) error {
		if start := m.(*fjordv1.SubscribeRequest).GetStart(); start != nil {
			return c.need(acl.Read, acl.Topic, start.GetTopic())
		}
		return nil
	}},

	// Metadata: named topics need DESCRIBE (and CREATE where auto-creation
	// would create them); a listing of all topics leaves out those the
	// caller may not describe.
	fjordv1.MetadataService_GetMetadata_FullMethodName: {
		pre: func(c *check, req any) error {
			r := req.(*fjordv1.GetMetadataRequest)
			img := c.s.ctl.image()
			for _, t := range r.GetTopics() {
				if err := c.need(acl.Describe, acl.Topic, t); err != nil {
					return err
				}
				if _, ok := img.Topic(t); !ok && c.s.opts.AutoCreateTopics && !c.allowed(acl.Create, acl.Cluster, acl.ClusterName) {
					if err := c.need(acl.Create, acl.Topic, t); err != nil {
						return err
					}
				}
			}
			return nil
		},
		post: func(c *check, resp any) {
			r := resp.(*fjordv1.GetMetadataResponse)
			r.Topics = slices.DeleteFunc(r.Topics, func(t *fjordv1.TopicMetadata) bool { return !c.allowed(acl.Describe, acl.Topic, t.GetName()) })
		},
	},

	fjordv1.AdminService_CreateTopics_FullMethodName: {pre: func(c *check, req any) error {
		if c.allowed(acl.Create, acl.Cluster, acl.ClusterName) {
			return nil
		}
		for _, t := range req.(*fjordv1.CreateTopicsRequest).GetTopics() {
			if err := c.need(acl.Create, acl.Topic, t.GetName()); err != nil {
				return err
			}
		}
		return nil
	}},
	fjordv1.AdminService_DeleteTopics_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Delete, acl.Topic, req.(*fjordv1.DeleteTopicsRequest).GetNames()...)
	}},
	fjordv1.AdminService_ListTopics_FullMethodName: {post: func(c *check, resp any) {
		r := resp.(*fjordv1.ListTopicsResponse)
		r.Topics = slices.DeleteFunc(r.Topics, func(t *fjordv1.TopicListing) bool { return !c.allowed(acl.Describe, acl.Topic, t.GetName()) })
	}},
	fjordv1.AdminService_DescribeTopics_FullMethodName: {
		pre: func(c *check, req any) error {
			return c.need(acl.Describe, acl.Topic, req.(*fjordv1.DescribeTopicsRequest).GetNames()...)
		},
		post: func(c *check, resp any) {
			r := resp.(*fjordv1.DescribeTopicsResponse)
			r.Topics = slices.DeleteFunc(r.Topics, func(t *fjordv1.TopicDescription) bool { return !c.allowed(acl.Describe, acl.Topic, t.GetName()) })
		},
	},
	fjordv1.AdminService_DescribeConfigs_FullMethodName: {pre: func(c *check, req any) error {
		for _, r := range req.(*fjordv1.DescribeConfigsRequest).GetResources() {
			if err := configResource(c, acl.Describe, r); err != nil {
				return err
			}
		}
		return nil
	}},
	fjordv1.AdminService_AlterConfigs_FullMethodName: {pre: func(c *check, req any) error {
		for _, r := range req.(*fjordv1.AlterConfigsRequest).GetResources() {
			if err := configResource(c, acl.Alter, r.GetResource()); err != nil {
				return err
			}
		}
		return nil
	}},
	fjordv1.AdminService_CreatePartitions_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Alter, acl.Topic, topicNames(req.(*fjordv1.CreatePartitionsRequest).GetTopics())...)
	}},
	fjordv1.AdminService_DeleteRecords_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Delete, acl.Topic, topicNames(req.(*fjordv1.DeleteRecordsRequest).GetTopics())...)
	}},
	fjordv1.AdminService_DescribeCluster_FullMethodName:             clusterRule(acl.Describe),
	fjordv1.AdminService_ElectLeaders_FullMethodName:                clusterRule(acl.Alter),
	fjordv1.AdminService_AlterPartitionReassignments_FullMethodName: clusterRule(acl.Alter),
	fjordv1.AdminService_ListPartitionReassignments_FullMethodName:  clusterRule(acl.Describe),
	fjordv1.AdminService_CreateAcls_FullMethodName:                  clusterRule(acl.Alter),
	fjordv1.AdminService_DescribeAcls_FullMethodName:                clusterRule(acl.Describe),
	fjordv1.AdminService_DeleteAcls_FullMethodName:                  clusterRule(acl.Alter),
	fjordv1.AdminService_AlterClientQuotas_FullMethodName:           clusterRule(acl.Alter),
	fjordv1.AdminService_DescribeClientQuotas_FullMethodName:        clusterRule(acl.Describe),

	// Groups.
	fjordv1.GroupService_FindCoordinator_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Describe, acl.Group, req.(*fjordv1.FindCoordinatorRequest).GetGroupId())
	}},
	fjordv1.GroupService_Membership_FullMethodName: {msg: func(c *check, st *streamState, m any) error {
		r := m.(*fjordv1.MembershipRequest)
		var sub *fjordv1.Subscription
		if j := r.GetJoin(); j != nil {
			st.group = j.GetGroupId()
			if err := c.need(acl.Read, acl.Group, st.group); err != nil {
				return err
			}
			sub = j.GetSubscription()
		} else if s := r.GetSubscribe(); s != nil {
			sub = s
		}
		// A pattern subscription is resolved by the coordinator; fetching
		// the assigned partitions still needs READ on each topic.
		return c.need(acl.Read, acl.Topic, sub.GetTopics()...)
	}},
	fjordv1.GroupService_CommitOffsets_FullMethodName: {pre: func(c *check, req any) error {
		r := req.(*fjordv1.CommitOffsetsRequest)
		if err := c.need(acl.Read, acl.Group, r.GetGroupId()); err != nil {
			return err
		}
		return c.need(acl.Read, acl.Topic, topicNames(r.GetTopics())...)
	}},
	fjordv1.GroupService_FetchOffsets_FullMethodName: {pre: func(c *check, req any) error {
		r := req.(*fjordv1.FetchOffsetsRequest)
		if err := c.need(acl.Describe, acl.Group, r.GetGroupId()); err != nil {
			return err
		}
		return c.need(acl.Describe, acl.Topic, topicNames(r.GetTopics())...)
	}},
	fjordv1.GroupService_DescribeGroup_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Describe, acl.Group, req.(*fjordv1.DescribeGroupRequest).GetGroupId())
	}},
	fjordv1.GroupService_ListGroups_FullMethodName: {post: func(c *check, resp any) {
		r := resp.(*fjordv1.ListGroupsResponse)
		r.Groups = slices.DeleteFunc(r.Groups, func(g *fjordv1.GroupListing) bool { return !c.allowed(acl.Describe, acl.Group, g.GetGroupId()) })
	}},
	fjordv1.GroupService_DeleteGroup_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Delete, acl.Group, req.(*fjordv1.DeleteGroupRequest).GetGroupId())
	}},
	fjordv1.GroupService_ResetOffsets_FullMethodName: {pre: func(c *check, req any) error {
		r := req.(*fjordv1.ResetOffsetsRequest)
		if err := c.need(acl.Read, acl.Group, r.GetGroupId()); err != nil {
			return err
		}
		return c.need(acl.Read, acl.Topic, topicNames(r.GetTopics())...)
	}},

	// Schema registry: subjects READ/WRITE/DELETE, subject settings ALTER,
	// global settings on the cluster.
	fjordv1.SchemaRegistryService_Register_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Write, acl.Subject, req.(*fjordv1.RegisterRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_LookupSchema_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Subject, req.(*fjordv1.LookupSchemaRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_GetSchemaByID_FullMethodName: {pre: func(c *check, req any) error {
		return c.schemaByID(req.(*fjordv1.GetSchemaByIDRequest).GetId())
	}},
	fjordv1.SchemaRegistryService_GetSchemaSubjects_FullMethodName: {
		pre: func(c *check, req any) error { return c.schemaByID(req.(*fjordv1.GetSchemaSubjectsRequest).GetId()) },
		post: func(c *check, resp any) {
			r := resp.(*fjordv1.GetSchemaSubjectsResponse)
			r.Subjects = slices.DeleteFunc(r.Subjects, func(s string) bool { return !c.allowed(acl.Describe, acl.Subject, s) })
		},
	},
	fjordv1.SchemaRegistryService_GetSchemaVersions_FullMethodName: {
		pre: func(c *check, req any) error { return c.schemaByID(req.(*fjordv1.GetSchemaVersionsRequest).GetId()) },
		post: func(c *check, resp any) {
			r := resp.(*fjordv1.GetSchemaVersionsResponse)
			r.Versions = slices.DeleteFunc(r.Versions, func(v *fjordv1.SubjectVersion) bool { return !c.allowed(acl.Describe, acl.Subject, v.GetSubject()) })
		},
	},
	fjordv1.SchemaRegistryService_ListSubjects_FullMethodName: {post: func(c *check, resp any) {
		r := resp.(*fjordv1.ListSubjectsResponse)
		r.Subjects = slices.DeleteFunc(r.Subjects, func(s string) bool { return !c.allowed(acl.Describe, acl.Subject, s) })
	}},
	fjordv1.SchemaRegistryService_ListVersions_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Subject, req.(*fjordv1.ListVersionsRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_GetVersion_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Subject, req.(*fjordv1.GetVersionRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_GetReferencedBy_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Subject, req.(*fjordv1.GetReferencedByRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_DeleteSubject_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Delete, acl.Subject, req.(*fjordv1.DeleteSubjectRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_DeleteVersion_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Delete, acl.Subject, req.(*fjordv1.DeleteVersionRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_CheckCompatibility_FullMethodName: {pre: func(c *check, req any) error {
		return c.need(acl.Read, acl.Subject, req.(*fjordv1.CheckCompatibilityRequest).GetSubject())
	}},
	fjordv1.SchemaRegistryService_GetConfig_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Describe, req.(*fjordv1.GetConfigRequest).GetSubject(), c)
	}},
	fjordv1.SchemaRegistryService_SetConfig_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Alter, req.(*fjordv1.SetConfigRequest).GetSubject(), c)
	}},
	fjordv1.SchemaRegistryService_DeleteConfig_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Alter, req.(*fjordv1.DeleteConfigRequest).GetSubject(), c)
	}},
	fjordv1.SchemaRegistryService_GetMode_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Describe, req.(*fjordv1.GetModeRequest).GetSubject(), c)
	}},
	fjordv1.SchemaRegistryService_SetMode_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Alter, req.(*fjordv1.SetModeRequest).GetSubject(), c)
	}},
	fjordv1.SchemaRegistryService_DeleteMode_FullMethodName: {pre: func(c *check, req any) error {
		return subjectOrCluster(acl.Alter, req.(*fjordv1.DeleteModeRequest).GetSubject(), c)
	}},
	// The supported schema types name no resource.
	fjordv1.SchemaRegistryService_ListSchemaTypes_FullMethodName: openRule,

	// Inter-broker services: brokers and super users only.
	clusterv1.ReplicaService_Replicate_FullMethodName:              superRule,
	clusterv1.ReplicaService_OffsetForLeaderEpoch_FullMethodName:   superRule,
	clusterv1.ControllerService_RegisterBroker_FullMethodName:      superRule,
	clusterv1.ControllerService_BrokerHeartbeat_FullMethodName:     superRule,
	clusterv1.ControllerService_AlterPartition_FullMethodName:      superRule,
	clusterv1.ControllerService_AddVoter_FullMethodName:            superRule,
	clusterv1.ControllerService_AllocateProducerIds_FullMethodName: superRule,

	// Health and reflection stay open: load balancers and grpcurl use them
	// before any credentials, and they reveal no data (reflection shows
	// the public schema only).
	healthpb.Health_Check_FullMethodName:                             openRule,
	healthpb.Health_Watch_FullMethodName:                             openRule,
	healthpb.Health_List_FullMethodName:                              openRule,
	"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo":      openRule,
	"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": openRule,
}

// schemaByID: a schema read by its global id needs READ on a subject that
// uses it (soft-deleted versions count, as they still resolve the id). An
// id no subject uses needs READ on some subject; the registry then answers
// not found. The refusal names the id, not the subjects using it.
func (c *check) schemaByID(id int32) error {
	if c.super {
		return nil
	}
	if c.s == nil || c.s.broker == nil || c.s.broker.registry == nil {
		return c.anySubject()
	}
	subjects, err := c.s.broker.registry.SubjectsUsing(c.ctx, id)
	if err != nil {
		return err
	}
	if len(subjects) == 0 {
		return c.anySubject()
	}
	for _, s := range subjects {
		if c.allowed(acl.Read, acl.Subject, s) {
			return nil
		}
	}
	return denied(c.principal, acl.Read, acl.Subject, fmt.Sprintf("of schema id %d", id))
}

// anySubject: READ on some subject (ids are global; the subjects they
// belong to are filtered where listed).
func (c *check) anySubject() error {
	if c.super || c.a.AllowedAny(c.principal.String(), acl.Read, acl.Subject) {
		return nil
	}
	return denied(c.principal, acl.Read, acl.Subject, "*")
}

func configResource(c *check, op acl.Operation, r *fjordv1.ConfigResource) error {
	if r.GetType() == fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC {
		return c.need(op, acl.Topic, r.GetName())
	}
	return c.cluster(op)
}

// ruleFor returns the rule of fullMethod; an unknown method is denied.
func ruleFor(fullMethod string) (rpcRule, bool) {
	r, ok := rpcRules[fullMethod]
	return r, ok
}

// authorizeRPC checks a unary request (or a stream's message) against the
// rule of fullMethod. In-process callers reuse it; a nil error allows.
func (s *Server) authorizeRPC(ctx context.Context, fullMethod string, req any) error {
	if !s.authz.enabled {
		return nil
	}
	rule, ok := ruleFor(fullMethod)
	if !ok {
		return status.Errorf(codes.PermissionDenied, "server: method %s has no authorization rule", fullMethod)
	}
	if rule.open {
		return nil
	}
	c := s.authz.newCheck(s, ctx)
	if rule.pre != nil {
		return rule.pre(c, req)
	}
	if rule.msg != nil && req != nil {
		return rule.msg(c, &streamState{}, req)
	}
	return nil
}

// authorizeUnary is the unary interceptor: it runs after authentication,
// so the context carries the caller's principal.
func (s *Server) authorizeUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if !s.authz.enabled {
		return handler(ctx, req)
	}
	rule, ok := ruleFor(info.FullMethod)
	if !ok {
		return nil, status.Errorf(codes.PermissionDenied, "server: method %s has no authorization rule", info.FullMethod)
	}
	if rule.open {
		return handler(ctx, req)
	}
	c := s.authz.newCheck(s, ctx)
	if rule.pre != nil {
		if err := rule.pre(c, req); err != nil {
			return nil, err
		}
	}
	resp, err := handler(ctx, req)
	if err == nil && rule.post != nil && resp != nil && !c.super {
		rule.post(c, resp)
	}
	return resp, err
}

// authorizeStream is the stream interceptor: the stream's rule checks the
// opening and every message that names a resource.
func (s *Server) authorizeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if !s.authz.enabled {
		return handler(srv, ss)
	}
	rule, ok := ruleFor(info.FullMethod)
	if !ok {
		return status.Errorf(codes.PermissionDenied, "server: method %s has no authorization rule", info.FullMethod)
	}
	if rule.open {
		return handler(srv, ss)
	}
	c := s.authz.newCheck(s, ss.Context())
	if rule.pre != nil {
		if err := rule.pre(c, nil); err != nil {
			return err
		}
	}
	if rule.msg == nil {
		return handler(srv, ss)
	}
	return handler(srv, &authorizedStream{ServerStream: ss, c: c, rule: rule.msg})
}

// authorizedStream checks every received message.
type authorizedStream struct {
	grpc.ServerStream
	c    *check
	rule func(*check, *streamState, any) error
	// st is only touched by the goroutine receiving (gRPC allows one).
	st streamState
}

func (w *authorizedStream) RecvMsg(m any) error {
	if err := w.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	// The image may have changed: revoked ACLs apply to later messages.
	w.c.a = w.c.s.authz.acls()
	return w.rule(w.c, &w.st, m)
}

// validateAuthorization checks Authorizer and SuperUsers.
func (o Options) validateAuthorization() error {
	if o.Authorizer != AuthorizerOff && o.Authorizer != AuthorizerACL {
		return fmt.Errorf("server: authorizer %q is neither %q nor %q", o.Authorizer, AuthorizerOff, AuthorizerACL)
	}
	for _, u := range o.SuperUsers {
		if _, err := auth.ParsePrincipal(u); err != nil {
			return fmt.Errorf("server: super user: %w", err)
		}
	}
	return nil
}
