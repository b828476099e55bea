package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// TestConsoleBrowsesRemoteLeader: in a cluster requiring tokens and ACLs,
// broker 1's console shows a partition led by broker 2 to a user with READ
// on the topic (checked on broker 1, read over the inter-broker
// connection) and refuses it to a user without.
func TestConsoleBrowsesRemoteLeader(t *testing.T) {
	tokens := writeTestFile(t, "tokens", "broker-secret User:broker\ntok-admin User:admin\ntok-alice User:alice\ntok-bob User:bob\n")
	brokerToken := writeTestFile(t, "broker-token", "broker-secret\n")
	bs := startCluster(t, 3, func(o *Options) {
		o.Auth = auth.Options{TokenFile: tokens, InterBrokerTokenFile: brokerToken}
		o.Authorizer, o.SuperUsers = AuthorizerACL, []string{"User:admin"}
		o.HTTPAddr = "127.0.0.1:0"
	})
	as := func(tb *testBroker) *testBroker {
		return tb.withConn(t, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(auth.BearerCredentials{Token: "tok-admin", Insecure: true}))
	}
	admin1 := as(bs[0])
	resp, err := admin1.admin.CreateTopics(ctx(t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "t", Partitions: 3, ReplicationFactor: 1}}})
	if err != nil || resp.GetResults()[0].GetError() != nil {
		t.Fatalf("create: %v %v", err, resp)
	}
	// The partition broker 2 leads, as broker 1 sees it.
	part := int32(-1)
	for i := 0; part < 0; i++ {
		if i == 500 {
			t.Fatal("broker 2 leads no partition of t")
		}
		md, err := admin1.meta.GetMetadata(ctx(t), &fjordv1.GetMetadataRequest{Topics: []string{"t"}})
		if err == nil && len(md.GetTopics()) == 1 {
			for _, p := range md.GetTopics()[0].GetPartitions() {
				if p.GetLeaderId() == 2 {
					part = p.GetPartition()
				}
			}
		}
		if part < 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	admin2 := as(bs[1])
	for i := 0; ; i++ {
		r := admin2.produceOne("t", part, fjordv1.Acks_ACKS_ALL, batch("from-broker-2"))
		if r.GetError() == nil {
			break
		}
		// Broker 2's image may not have the topic yet.
		if !r.GetError().GetRetriable() && r.GetError().GetReason() != "UNKNOWN_TOPIC_OR_PARTITION" || i == 200 {
			t.Fatalf("produce: %v", r.GetError())
		}
		time.Sleep(20 * time.Millisecond)
	}
	acl := func(principal string, op fjordv1.AclOperation) *fjordv1.AclBinding {
		return &fjordv1.AclBinding{Principal: principal, Host: "*", ResourceType: fjordv1.AclResourceType_ACL_RESOURCE_TYPE_TOPIC,
			PatternType: fjordv1.AclPatternType_ACL_PATTERN_TYPE_LITERAL, ResourceName: "t", Operation: op, Permission: fjordv1.AclPermission_ACL_PERMISSION_ALLOW}
	}
	if _, err := admin1.admin.CreateAcls(ctx(t), &fjordv1.CreateAclsRequest{Bindings: []*fjordv1.AclBinding{
		acl("User:alice", fjordv1.AclOperation_ACL_OPERATION_READ), acl("User:bob", fjordv1.AclOperation_ACL_OPERATION_DESCRIBE)}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; len(bs[0].srv.ctl.image().ACLs()) < 2; i++ {
		if i == 500 {
			t.Fatal("broker 1 never saw the ACLs")
		}
		time.Sleep(10 * time.Millisecond)
	}

	page := fmt.Sprintf("http://%s/ui/topics/t/messages?partition=%d", bs[0].srv.HTTPAddr(), part)
	cl := &http.Client{Timeout: 20 * time.Second}
	code, body, err := httpGet(t, cl, page, "Authorization", "Bearer tok-alice")
	if err != nil || code != http.StatusOK || !strings.Contains(body, "from-broker-2") {
		t.Fatalf("alice (READ) browses t/%d led by broker 2 on broker 1: %d %v\n%s", part, code, err, body)
	}
	code, body, err = httpGet(t, cl, page, "Authorization", "Bearer tok-bob")
	if err != nil || code != http.StatusForbidden || !strings.Contains(body, `class="banner error"`) || !strings.Contains(body, "not authorized to READ") {
		t.Fatalf("bob (DESCRIBE only) browses t/%d: %d %v\n%s", part, code, err, body)
	}
	if strings.Contains(body, "from-broker-2") {
		t.Fatal("bob read a record without READ")
	}
}
