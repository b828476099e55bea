package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/cluster"
)

// aclOpts turns on ACL authorization with principals from a test header;
// calls without it (the brokers' own) are User:broker, a super user.
func aclOpts(o *Options) {
	o.Authorizer = AuthorizerACL
	o.SuperUsers = []string{"User:admin", "User:broker"}
	o.testPrincipals = true
}

func as(t testing.TB, principal string) context.Context {
	return metadata.AppendToOutgoingContext(ctx(t), testPrincipalHeader, principal)
}

func TestEveryRPCHasAnAuthorizationRule(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	n := 0
	for svc, info := range tb.srv.grpc.GetServiceInfo() {
		for _, m := range info.Methods {
			full := "/" + svc + "/" + m.Name
			if _, ok := ruleFor(full); !ok {
				t.Errorf("%s has no authorization rule", full)
			}
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d methods registered; the enumeration is broken", n)
	}
}

func TestEveryRESTRouteHasAnAuthorizationRule(t *testing.T) {
	routes := schemaregistry.RESTRoutes()
	if len(routes) < 20 {
		t.Fatalf("only %d REST routes; the enumeration is broken", len(routes))
	}
	for _, r := range routes {
		if _, ok := restRules[r]; !ok {
			t.Errorf("REST route %q has no authorization rule", r)
		}
	}
	for r := range restRules {
		found := false
		for _, have := range routes {
			found = found || have == r
		}
		if !found {
			t.Errorf("rule for %q, which the registry does not serve", r)
		}
	}
}

func createACLs(t *testing.T, tb *testBroker, bs ...*fjordv1.AclBinding) {
	t.Helper()
	resp, err := tb.admin.CreateAcls(as(t, "User:admin"), &fjordv1.CreateAclsRequest{Bindings: bs})
	if err != nil {
		t.Fatalf("CreateAcls: %v", err)
	}
	for _, r := range resp.GetResults() {
		if r.GetError() != nil {
			t.Fatalf("CreateAcls %v: %v", r.GetBinding(), r.GetError())
		}
	}
}

func topicACL(principal, name string, pt fjordv1.AclPatternType, op fjordv1.AclOperation, perm fjordv1.AclPermission) *fjordv1.AclBinding {
	return &fjordv1.AclBinding{Principal: principal, ResourceType: fjordv1.AclResourceType_ACL_RESOURCE_TYPE_TOPIC, PatternType: pt,
		ResourceName: name, Operation: op, Permission: perm}
}

func TestACLsEnforceProduce(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	for _, name := range []string{"orders-1", "payments"} {
		if _, err := tb.admin.CreateTopics(as(t, "User:admin"), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: name}}}); err != nil {
			t.Fatal(err)
		}
	}
	produce := func(principal, topic string) error {
		_, err := tb.produce.Produce(as(t, principal), &fjordv1.ProduceRequest{Acks: fjordv1.Acks_ACKS_ALL, Topics: []*fjordv1.ProduceTopicData{{
			Topic: topic, Partitions: []*fjordv1.ProducePartitionData{{Partition: 0, Batches: []*fjordv1.RecordBatch{batch("v")}}}}}})
		return err
	}
	end := func(topic string) int64 {
		resp, err := tb.fetch.ListOffsets(as(t, "User:admin"), &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{
			Topic: topic, Partitions: []*fjordv1.ListOffsetsPartition{{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetTopics()[0].GetPartitions()[0].GetOffset()
	}
	wantDenied := func(err error, topic string) {
		t.Helper()
		code, reason, md := errorReason(t, err)
		if code != codes.PermissionDenied || reason != string(ReasonTopicAuthorizationFailed) || md["principal"] != "User:alice" ||
			md["operation"] != "write" || md["resource"] != topic {
			t.Fatalf("produce to %s: %v (%s %v), want PERMISSION_DENIED TOPIC_AUTHORIZATION_FAILED naming alice, write, %s", topic, err, reason, md, topic)
		}
	}

	// No ACL: denied, nothing appended.
	wantDenied(produce("User:alice", "orders-1"), "orders-1")
	if e := end("orders-1"); e != 0 {
		t.Fatalf("log end offset %d after a denied produce, want 0", e)
	}
	// Prefix allow.
	createACLs(t, tb, topicACL("User:alice", "orders-", fjordv1.AclPatternType_ACL_PATTERN_TYPE_PREFIXED,
		fjordv1.AclOperation_ACL_OPERATION_WRITE, fjordv1.AclPermission_ACL_PERMISSION_ALLOW))
	if err := produce("User:alice", "orders-1"); err != nil {
		t.Fatalf("produce with a prefix allow: %v", err)
	}
	wantDenied(produce("User:alice", "payments"), "payments")
	if e := end("payments"); e != 0 {
		t.Fatalf("payments end offset %d, want 0", e)
	}
	// Metadata lists only what alice may describe (WRITE implies DESCRIBE).
	md, err := tb.meta.GetMetadata(as(t, "User:alice"), &fjordv1.GetMetadataRequest{})
	if err != nil || len(md.GetTopics()) != 1 || md.GetTopics()[0].GetName() != "orders-1" {
		t.Fatalf("metadata as alice: %v %v, want orders-1 only", err, md.GetTopics())
	}
	// Reading needs READ.
	if _, err := tb.fetch.Fetch(as(t, "User:alice"), fetchReq("orders-1", 0, 0)); err == nil {
		t.Fatal("fetch without READ passed")
	}
	// Deny wins over the prefix allow.
	createACLs(t, tb, topicACL("User:alice", "orders-1", fjordv1.AclPatternType_ACL_PATTERN_TYPE_LITERAL,
		fjordv1.AclOperation_ACL_OPERATION_WRITE, fjordv1.AclPermission_ACL_PERMISSION_DENY))
	wantDenied(produce("User:alice", "orders-1"), "orders-1")
	if e := end("orders-1"); e != 1 {
		t.Fatalf("log end offset %d, want 1", e)
	}
	// A super user needs no ACL.
	if err := produce("User:admin", "payments"); err != nil {
		t.Fatalf("super user produce: %v", err)
	}
	// Listing and deleting ACLs needs cluster rights.
	if _, err := tb.admin.DescribeAcls(as(t, "User:alice"), &fjordv1.DescribeAclsRequest{}); err == nil {
		t.Fatal("alice listed ACLs")
	}
	list, err := tb.admin.DescribeAcls(as(t, "User:admin"), &fjordv1.DescribeAclsRequest{Filter: &fjordv1.AclFilter{Principal: "User:alice"}})
	if err != nil || len(list.GetBindings()) != 2 {
		t.Fatalf("DescribeAcls: %v %v, want 2 bindings", err, list)
	}
	del, err := tb.admin.DeleteAcls(as(t, "User:admin"), &fjordv1.DeleteAclsRequest{Filters: []*fjordv1.AclFilter{{
		Principal: "User:alice", Permission: fjordv1.AclPermission_ACL_PERMISSION_DENY}}})
	if err != nil || len(del.GetDeleted()) != 1 {
		t.Fatalf("DeleteAcls: %v %v", err, del)
	}
	if err := produce("User:alice", "orders-1"); err != nil {
		t.Fatalf("produce after the deny was deleted: %v", err)
	}
}

func TestACLsEnforceStreams(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	tb.createTopic("t", 1, nil)
	stream, err := tb.produce.ProduceStream(as(t, "User:alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&fjordv1.ProduceStreamRequest{CorrelationId: 1, Acks: fjordv1.Acks_ACKS_ALL, Topics: []*fjordv1.ProduceTopicData{{
		Topic: "t", Partitions: []*fjordv1.ProducePartitionData{{Partition: 0, Batches: []*fjordv1.RecordBatch{batch("v")}}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err == nil || err == io.EOF {
		t.Fatalf("produce stream without WRITE: %v, want PERMISSION_DENIED", err)
	} else if code, reason, _ := errorReason(t, err); code != codes.PermissionDenied || reason != string(ReasonTopicAuthorizationFailed) {
		t.Fatalf("produce stream: %v", err)
	}
	gs := fjordv1.NewGroupServiceClient(tb.conn)
	m, err := gs.Membership(as(t, "User:alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(&fjordv1.MembershipRequest{Kind: &fjordv1.MembershipRequest_Join{Join: &fjordv1.JoinGroup{GroupId: "g",
		Subscription: &fjordv1.Subscription{Topics: []string{"t"}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Recv(); err == nil {
		t.Fatal("join without READ on the group passed")
	} else if code, reason, _ := errorReason(t, err); code != codes.PermissionDenied || reason != string(ReasonGroupAuthorizationFailed) {
		t.Fatalf("join: %v", err)
	}
}

func TestACLsReplicatedAcrossBrokers(t *testing.T) {
	bs := startCluster(t, 3, aclOpts)
	createACLs(t, bs[0], topicACL("User:alice", "orders-", fjordv1.AclPatternType_ACL_PATTERN_TYPE_PREFIXED,
		fjordv1.AclOperation_ACL_OPERATION_WRITE, fjordv1.AclPermission_ACL_PERMISSION_ALLOW))
	b3 := bs[2].srv
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := b3.ctl.ctrl.WaitFor(c, func(img *cluster.Image) bool { return len(img.ACLs()) == 1 }); err != nil {
		t.Fatalf("broker 3 never saw the ACL: %v", err)
	}
	alice := metadata.NewIncomingContext(context.Background(), metadata.Pairs(testPrincipalHeader, "User:alice"))
	req := func(topic string) *wirev1.ProduceRequest {
		return &wirev1.ProduceRequest{Topics: []*wirev1.ProduceTopicData{{Topic: topic}}}
	}
	if err := b3.authorizeRPC(alice, fjordv1.ProduceService_Produce_FullMethodName, req("orders-7")); err != nil {
		t.Fatalf("broker 3 denied what the ACL created on broker 1 allows: %v", err)
	}
	if err := b3.authorizeRPC(alice, fjordv1.ProduceService_Produce_FullMethodName, req("payments")); err == nil {
		t.Fatal("broker 3 allowed produce to payments")
	}
	// The cluster works (replication between brokers passed authorization).
	resp, err := bs[1].admin.CreateTopics(as(t, "User:admin"), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "orders-r", ReplicationFactor: 3}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create replicated topic: %v %v", err, resp)
	}
}

func TestACLsRegistryREST(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	base := "http://" + tb.srv.HTTPAddr().String()
	post := func(principal, subject string) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", base+"/subjects/"+subject+"/versions", strings.NewReader(`{"schema":"\"string\""}`))
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		req.Header.Set(testPrincipalHeader, principal)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	resp, body := post("User:alice", "s-value")
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 403 || e.ErrorCode != 40301 || !strings.Contains(e.Message, "User:alice") {
		t.Fatalf("register without WRITE: %d %s, want 403 with error_code 40301", resp.StatusCode, body)
	}
	createACLs(t, tb, &fjordv1.AclBinding{Principal: "User:alice", ResourceType: fjordv1.AclResourceType_ACL_RESOURCE_TYPE_SUBJECT,
		PatternType: fjordv1.AclPatternType_ACL_PATTERN_TYPE_PREFIXED, ResourceName: "s-", Operation: fjordv1.AclOperation_ACL_OPERATION_WRITE,
		Permission: fjordv1.AclPermission_ACL_PERMISSION_ALLOW})
	if resp, body := post("User:alice", "s-value"); resp.StatusCode != 200 {
		t.Fatalf("register with WRITE: %d %s", resp.StatusCode, body)
	}
	if resp, body := post("User:admin", "other-value"); resp.StatusCode != 200 {
		t.Fatalf("register as super user: %d %s", resp.StatusCode, body)
	}
	// The subject listing shows alice only her subjects.
	req, _ := http.NewRequest("GET", base+"/subjects", nil)
	req.Header.Set(testPrincipalHeader, "User:alice")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var subjects []string
	if err := json.NewDecoder(r.Body).Decode(&subjects); err != nil || len(subjects) != 1 || subjects[0] != "s-value" {
		t.Fatalf("GET /subjects as alice: %v %v, want [s-value]", err, subjects)
	}
	// /metrics needs DESCRIBE on the cluster.
	req, _ = http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set(testPrincipalHeader, "User:alice")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 403 {
		t.Fatalf("metrics as alice: %v %v, want 403", err, r)
	} else {
		r.Body.Close()
	}
}

// A schema read by its global id needs READ on a subject that uses it:
// READ on another subject (even one named in ?subject=) is not enough.
func TestACLsSchemaByID(t *testing.T) {
	tb := startBroker(t, "", aclOpts)
	base := "http://" + tb.srv.HTTPAddr().String()
	do := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		req.Header.Set(testPrincipalHeader, "User:alice")
		if method == "POST" {
			req.Header.Set(testPrincipalHeader, "User:admin")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	register := func(subject, schema string) int32 {
		t.Helper()
		code, body := do("POST", "/subjects/"+subject+"/versions", schema)
		var r struct {
			ID int32 `json:"id"`
		}
		if code != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("register %s: %d %s", subject, code, body)
		}
		return r.ID
	}
	secret := register("secret-value", `{"schema":"{\"type\":\"record\",\"name\":\"Salary\",\"fields\":[{\"name\":\"amount\",\"type\":\"long\"}]}"}`)
	public := register("s-value", `{"schema":"\"string\""}`)
	createACLs(t, tb, &fjordv1.AclBinding{Principal: "User:alice", ResourceType: fjordv1.AclResourceType_ACL_RESOURCE_TYPE_SUBJECT,
		PatternType: fjordv1.AclPatternType_ACL_PATTERN_TYPE_PREFIXED, ResourceName: "s-", Operation: fjordv1.AclOperation_ACL_OPERATION_READ,
		Permission: fjordv1.AclPermission_ACL_PERMISSION_ALLOW})

	for _, path := range []string{"/schemas/ids/%d", "/schemas/ids/%d?subject=s-value", "/schemas/ids/%d/schema", "/schemas/ids/%d/subjects", "/schemas/ids/%d/versions"} {
		if code, body := do("GET", fmt.Sprintf(path, secret), ""); code != 403 || strings.Contains(string(body), "Salary") || strings.Contains(string(body), "secret") {
			t.Errorf("GET %s as alice: %d %s, want 403 naming neither schema nor subject", fmt.Sprintf(path, secret), code, body)
		}
		if code, body := do("GET", fmt.Sprintf(path, public), ""); code != 200 {
			t.Errorf("GET %s as alice: %d %s, want 200", fmt.Sprintf(path, public), code, body)
		}
	}
	if code, body := do("GET", "/schemas/ids/9999", ""); code != 404 {
		t.Errorf("unknown id as alice: %d %s, want 404", code, body)
	}

	_, err := tb.schemas().GetSchemaByID(as(t, "User:alice"), &fjordv1.GetSchemaByIDRequest{Id: secret, Subject: "s-value"})
	if code, reason, md := errorReason(t, err); code != codes.PermissionDenied || reason != string(ReasonSubjectAuthorizationFailed) || strings.Contains(md["resource"], "secret") {
		t.Errorf("GetSchemaByID of the secret id as alice: %v %s %v, want PERMISSION_DENIED %s without the subject", code, reason, md, ReasonSubjectAuthorizationFailed)
	}
	if _, err := tb.schemas().GetSchemaVersions(as(t, "User:alice"), &fjordv1.GetSchemaVersionsRequest{Id: secret}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("GetSchemaVersions of the secret id as alice: %v, want PERMISSION_DENIED", err)
	}
	if r, err := tb.schemas().GetSchemaByID(as(t, "User:alice"), &fjordv1.GetSchemaByIDRequest{Id: public}); err != nil || r.GetSchema().GetSchema() != `"string"` {
		t.Errorf("GetSchemaByID of alice's schema: %v %v", r, err)
	}
	if _, err := tb.schemas().GetSchemaByID(as(t, "User:admin"), &fjordv1.GetSchemaByIDRequest{Id: secret}); err != nil {
		t.Errorf("GetSchemaByID as a super user: %v", err)
	}
}
