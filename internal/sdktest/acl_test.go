package sdktest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth"
)

// plainToken sends a bearer token over the plaintext loopback connection
// of a test broker.
type plainToken string

var _ credentials.PerRPCCredentials = plainToken("")

func (t plainToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (plainToken) RequireTransportSecurity() bool { return false }

func asToken(token string) fjord.Opt {
	return fjord.DialOptions(grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(plainToken(token)))
}

// startACLBroker runs a broker with --authorizer=acl, super user
// User:admin, and tokens "admin-secret" (User:admin) and "alice-secret"
// (User:alice); callers without a token are refused.
func startACLBroker(t *testing.T) *broker {
	t.Helper()
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("admin-secret User:admin\nalice-secret User:alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off",
		Authorizer: server.AuthorizerACL, SuperUsers: []string{"User:admin"}, Auth: auth.Options{TokenFile: tokens}})
	if err != nil {
		t.Fatal(err)
	}
	b := &broker{t: t, srv: srv, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)
	return b
}

// produceAs writes one record to topic with a fresh client and idempotent
// producer (a producer refused its producer id stays unusable).
func produceAs(t *testing.T, addr, token, topic string) error {
	t.Helper()
	ctx := ctxT(t)
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr), fjord.RetryBackoff(fastBackoff), asToken(token))
	if err != nil {
		return err
	}
	defer cl.Close()
	p, err := fjord.NewProducer(cl, fjord.MaxRetries(2))
	if err != nil {
		return err
	}
	defer p.Close()
	return p.ProduceSync(ctx, &fjord.Record{Topic: topic, Value: []byte("v")})
}

func bindingStrings(bs []fjord.ACLBinding) string {
	var s []string
	for _, b := range bs {
		s = append(s, b.String())
	}
	return strings.Join(s, "; ")
}

// TestACLs: an admin grants alice WRITE on a topic through the SDK, alice
// can produce only while the binding exists; bindings are listed by
// filter, invalid ones refused one by one, and alice may not manage ACLs.
func TestACLs(t *testing.T) {
	b := startACLBroker(t)
	ctx := ctxT(t)
	adminCl := newClient(t, b.addr(), asToken("admin-secret"))
	adm := fjord.NewAdmin(adminCl)
	createTopic(t, adminCl, "orders", 1, nil)

	if err := produceAs(t, b.addr(), "alice-secret", "orders"); !errors.Is(err, fjord.ErrTopicAuthorizationFailed) {
		t.Fatalf("alice produced without an ACL: %v", err)
	}
	aliceAdm := fjord.NewAdmin(newClient(t, b.addr(), asToken("alice-secret")))
	var fe *fjord.Error
	err := aliceAdm.CreateACLs(ctx, fjord.ACLBinding{Principal: "User:alice", ResourceType: fjord.ACLCluster, Operation: fjord.ACLAll, Permission: fjord.ACLAllow})
	if !errors.Is(err, fjord.ErrClusterAuthorizationFailed) || !errors.As(err, &fe) || fe.Code != codes.PermissionDenied || fe.Metadata["principal"] != "User:alice" {
		t.Fatalf("alice granted herself the cluster: %v", err)
	}

	write := fjord.ACLBinding{Principal: "User:alice", ResourceType: fjord.ACLTopic, ResourceName: "orders", Operation: fjord.ACLWrite, Permission: fjord.ACLAllow}
	read := fjord.ACLBinding{Principal: "User:alice", ResourceType: fjord.ACLTopic, PatternType: fjord.ACLPrefixed, ResourceName: "ord", Operation: fjord.ACLRead, Permission: fjord.ACLAllow}
	deny := fjord.ACLBinding{Principal: fjord.ACLWildcardPrincipal, ResourceType: fjord.ACLGroup, ResourceName: "g", Operation: fjord.ACLDelete, Permission: fjord.ACLDeny}
	bad := fjord.ACLBinding{Principal: "alice", ResourceType: fjord.ACLTopic, ResourceName: "orders", Operation: fjord.ACLRead, Permission: fjord.ACLAllow}
	// The invalid binding is refused alone; the others are created.
	err = adm.CreateACLs(ctx, write, bad, read, deny)
	if !errors.Is(err, fjord.ErrInvalidRequest) || !errors.As(err, &fe) || !strings.Contains(fe.Message, `principal "alice" is not Type:Name`) ||
		!strings.Contains(fe.Message, "binding allow alice read topic orders") {
		t.Fatalf("CreateACLs with an invalid binding: %v", err)
	}
	if err := adm.CreateACLs(ctx, write); err != nil { // again: a no-op
		t.Fatalf("CreateACLs of an existing binding: %v", err)
	}
	read.PatternType, write.PatternType, deny.PatternType = fjord.ACLPrefixed, fjord.ACLLiteral, fjord.ACLLiteral
	write.Host, read.Host, deny.Host = "*", "*", "*"
	for _, tt := range []struct {
		name   string
		filter fjord.ACLFilter
		want   []fjord.ACLBinding
	}{
		{"all", fjord.ACLFilter{}, []fjord.ACLBinding{deny, write, read}},
		{"principal", fjord.ACLFilter{Principal: "User:alice"}, []fjord.ACLBinding{write, read}},
		{"match", fjord.ACLFilter{ResourceType: fjord.ACLTopic, PatternType: fjord.ACLMatch, ResourceName: "orders"}, []fjord.ACLBinding{write, read}},
		{"exact name", fjord.ACLFilter{ResourceType: fjord.ACLTopic, ResourceName: "orders"}, []fjord.ACLBinding{write}},
		{"prefixed", fjord.ACLFilter{PatternType: fjord.ACLPrefixed}, []fjord.ACLBinding{read}},
		{"deny", fjord.ACLFilter{Permission: fjord.ACLDeny}, []fjord.ACLBinding{deny}},
		{"none", fjord.ACLFilter{Operation: fjord.ACLAlter}, nil},
	} {
		got, err := adm.DescribeACLs(ctx, tt.filter)
		if err != nil || bindingStrings(got) != bindingStrings(tt.want) || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("DescribeACLs(%s) = %v, %v; want %v", tt.name, bindingStrings(got), err, bindingStrings(tt.want))
		}
	}

	if err := produceAs(t, b.addr(), "alice-secret", "orders"); err != nil {
		t.Fatalf("alice could not produce with WRITE on orders: %v", err)
	}
	deleted, err := adm.DeleteACLs(ctx, fjord.ACLFilter{Principal: "User:alice", Operation: fjord.ACLWrite})
	if err != nil || fmt.Sprint(deleted) != fmt.Sprint([]fjord.ACLBinding{write}) {
		t.Fatalf("DeleteACLs = %v, %v; want %v", deleted, err, write)
	}
	// READ (prefixed "ord") still lets alice describe orders; with WRITE
	// on no topic she is refused a producer id.
	if err := produceAs(t, b.addr(), "alice-secret", "orders"); !errors.Is(err, fjord.ErrClusterAuthorizationFailed) {
		t.Fatalf("alice produced after her ACL was deleted: %v", err)
	}

	// Requests the SDK refuses before sending: a filter the broker would
	// read as "anything" must not reach DeleteAcls.
	for name, call := range map[string]func() error{
		"no filter":      func() error { _, err := adm.DeleteACLs(ctx); return err },
		"bad operation":  func() error { _, err := adm.DeleteACLs(ctx, fjord.ACLFilter{Operation: 42}); return err },
		"bad resource":   func() error { _, err := adm.DescribeACLs(ctx, fjord.ACLFilter{ResourceType: -1}); return err },
		"bad permission": func() error { return adm.CreateACLs(ctx, fjord.ACLBinding{Principal: "User:x", Permission: 7}) },
		"bad pattern":    func() error { _, err := adm.DeleteACLs(ctx, fjord.ACLFilter{PatternType: 9}); return err },
	} {
		if err := call(); !errors.Is(err, fjord.ErrInvalidRequest) || !errors.As(err, &fe) || fe.Code != codes.InvalidArgument {
			t.Errorf("%s: %v, want INVALID_REQUEST", name, err)
		}
	}
	if all, err := adm.DescribeACLs(ctx, fjord.ACLFilter{}); err != nil || len(all) != 2 {
		t.Errorf("after the refused calls: %v, %v; want the 2 remaining bindings", bindingStrings(all), err)
	}
}
