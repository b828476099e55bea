package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
	"github.com/fjordlog/fjord/server/auth"
)

func TestACLUsageErrors(t *testing.T) {
	// Every case fails before contacting a broker.
	b := "--brokers=" + closedAddr(t)
	ok := []string{"--allow", "--principal", "User:alice", "--operation", "write"}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"acl", "frob", b}, []string{`unknown command "frob" for "fjord acl"`}},
		{append([]string{"acl", "create", "--topic", "t"}, ok[1:]...), []string{"give --allow or --deny", "see 'fjord acl create --help'"}},
		{append([]string{"acl", "create", "--deny", "--topic", "t"}, ok...), []string{"--allow and --deny are mutually exclusive"}},
		{[]string{"acl", "create", "--allow", "--operation", "read", "--topic", "t"}, []string{"give the principals with --principal User:NAME"}},
		{[]string{"acl", "create", "--allow", "--principal", "User:a", "--topic", "t"}, []string{"give the operations with --operation OP"}},
		{[]string{"acl", "create", "--allow", "--principal", "alice", "--operation", "read", "--topic", "t"},
			[]string{`invalid --principal "alice": want Type:Name, e.g. User:alice (User:* for every principal)`}},
		{[]string{"acl", "create", "--allow", "--principal", "User:a,:b", "--operation", "read", "--topic", "t"}, []string{`invalid --principal ":b"`}},
		{[]string{"acl", "create", "--allow", "--principal", "User:a", "--operation", "read,reed", "--topic", "t"},
			[]string{`invalid --operation: unknown operation "reed": want one of read, write, create, delete, alter, describe, idempotent_write, cluster_action, all`}},
		{ok, []string{"give a resource: one of --topic, --group, --subject or --cluster"}},
		{append([]string{"acl", "create", "--topic", "t", "--group", "g"}, ok...), []string{"--topic and --group are mutually exclusive: give one resource"}},
		{append([]string{"acl", "create", "--subject", "s", "--cluster"}, ok...), []string{"--subject and --cluster are mutually exclusive"}},
		{append([]string{"acl", "create", "--topic", ""}, ok...), []string{"--topic must not be empty"}},
		{append([]string{"acl", "create", "--cluster", "--prefixed"}, ok...), []string{"--prefixed does not apply to --cluster"}},
		{append([]string{"acl", "create", "--topic", "t", "extra"}, ok...), []string{`fjord acl create takes no arguments, got "extra"`}},
		{[]string{"acl", "list", "--principal", "User:a,User:b"}, []string{"give one --principal to filter by (got 2)"}},
		{[]string{"acl", "list", "--operation", "read,write"}, []string{"give one --operation to filter by (got 2)"}},
		{[]string{"acl", "list", "--operation", "everything"}, []string{`unknown operation "everything"`}},
		{[]string{"acl", "list", "--topic", "t", "--prefixed", "--any-pattern"}, []string{"--prefixed and --any-pattern are mutually exclusive"}},
		{[]string{"acl", "list", "--any-pattern"}, []string{"--any-pattern needs a resource"}},
		{[]string{"acl", "list", "-o", "yaml"}, []string{`invalid --output "yaml": want table or json`}},
		{[]string{"acl", "delete"}, []string{"no filter given: this deletes every ACL binding; add --yes if you mean it"}},
		{[]string{"acl", "delete", "--principal", "bob"}, []string{`invalid --principal "bob"`}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if !strings.HasPrefix(tt.args[0], "acl") {
				tt.args = append([]string{"acl", "create"}, tt.args...)
			}
			wantOneLineError(t, runCLI(t, nil, "", append(tt.args, b)...), 2, tt.want...)
		})
	}
}

// plainToken sends a bearer token over the test broker's plaintext
// loopback connection.
type plainToken string

var _ credentials.PerRPCCredentials = plainToken("")

func (t plainToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (plainToken) RequireTransportSecurity() bool { return false }

// startACLBroker runs a broker with --authorizer=acl and a token file
// naming User:alice ("alice-secret"). The CLI has no credentials yet, so
// callers without a token get in as User:ANONYMOUS, a super user here.
func startACLBroker(t *testing.T) string {
	t.Helper()
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("alice-secret User:alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	anonymous := true
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", ShutdownTimeout: 5 * time.Second,
		Authorizer: server.AuthorizerACL, SuperUsers: []string{"User:ANONYMOUS"},
		Auth: auth.Options{TokenFile: tokens, AllowAnonymous: &anonymous}})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv.Addr().String()
}

// produceAsAlice writes one record to topic as User:alice.
func produceAsAlice(t *testing.T, addr, topic string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr),
		fjord.DialOptions(grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(plainToken("alice-secret"))))
	if err != nil {
		return err
	}
	defer cl.Close()
	p, err := fjord.NewProducer(cl, fjord.MaxRetries(2), fjord.Idempotence(false))
	if err != nil {
		return err
	}
	defer p.Close()
	return p.ProduceSync(ctx, &fjord.Record{Topic: topic, Value: []byte("v")})
}

func TestACLCommands(t *testing.T) {
	addr := startACLBroker(t)
	cli(t, addr, "", "topic", "create", "orders")

	if err := produceAsAlice(t, addr, "orders"); !errors.Is(err, fjord.ErrTopicAuthorizationFailed) {
		t.Fatalf("alice produced without an ACL: %v", err)
	}
	out := cli(t, addr, "", "acl", "create", "--allow", "--principal", "User:alice", "--operation", "write", "--topic", "orders")
	if want := "Created ACL: allow User:alice write on topic orders\n"; out != want {
		t.Errorf("create: %q, want %q", out, want)
	}
	if err := produceAsAlice(t, addr, "orders"); err != nil {
		t.Fatalf("alice could not produce after acl create: %v", err)
	}

	out = cli(t, addr, "", "acl", "create", "--deny", "--principal", "User:alice,User:bob", "--operation", "read,Describe", "--group", "pay", "--prefixed")
	if want := "Created ACL: deny User:alice read on group pay (prefixed)\nCreated ACL: deny User:alice describe on group pay (prefixed)\n" +
		"Created ACL: deny User:bob read on group pay (prefixed)\nCreated ACL: deny User:bob describe on group pay (prefixed)\n"; out != want {
		t.Errorf("create 4: %q, want %q", out, want)
	}
	cli(t, addr, "", "acl", "create", "--allow", "--principal", "User:*", "--operation", "idempotent-write", "--cluster")

	out = cli(t, addr, "", "acl", "list")
	want := [][]string{{"PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE-TYPE", "PATTERN", "RESOURCE"},
		{"User:*", "allow", "idempotent_write", "cluster", "literal", "fjord-cluster"},
		{"User:alice", "deny", "read", "group", "prefixed", "pay"},
		{"User:alice", "deny", "describe", "group", "prefixed", "pay"},
		{"User:bob", "deny", "read", "group", "prefixed", "pay"},
		{"User:bob", "deny", "describe", "group", "prefixed", "pay"},
		{"User:alice", "allow", "write", "topic", "literal", "orders"}}
	if got := fields(out); len(got) != len(want) || !sameRows(got, want) {
		t.Errorf("list:\n%s\nwant rows %v", out, want)
	}
	for _, tt := range []struct {
		args []string
		rows int
	}{
		{[]string{"--group", "pay"}, 0}, // the bindings are prefixed, not literal
		{[]string{"--group", "pay", "--prefixed"}, 4},
		{[]string{"--group", "pay", "--any-pattern", "--principal", "User:bob"}, 2},
		{[]string{"--prefixed"}, 4},
		{[]string{"--deny", "--operation", "read"}, 2},
		{[]string{"--allow"}, 2},
		{[]string{"--cluster"}, 1},
		{[]string{"--principal", "User:*"}, 1},
		{[]string{"--topic", "orders"}, 1},
		{[]string{"--subject", "orders"}, 0},
	} {
		if out := cli(t, addr, "", append([]string{"acl", "list"}, tt.args...)...); len(fields(out))-1 != tt.rows {
			t.Errorf("acl list %s:\n%s\nwant %d rows", strings.Join(tt.args, " "), out, tt.rows)
		}
	}
	var listed []map[string]string
	out = cli(t, addr, "", "acl", "list", "--principal", "User:alice", "--topic", "orders", "-o", "json")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || fmt.Sprint(listed) !=
		fmt.Sprint([]map[string]string{{"principal": "User:alice", "host": "*", "permission": "allow", "operation": "write",
			"resource_type": "topic", "pattern_type": "literal", "resource": "orders"}}) {
		t.Errorf("list -o json: %v\n%s", err, out)
	}

	// The filter create's flags make deletes exactly that binding.
	out = cli(t, addr, "", "acl", "delete", "--allow", "--principal", "User:alice", "--operation", "write", "--topic", "orders")
	if want := "Deleted ACL: allow User:alice write on topic orders\n"; out != want {
		t.Errorf("delete: %q, want %q", out, want)
	}
	if err := produceAsAlice(t, addr, "orders"); !errors.Is(err, fjord.ErrTopicAuthorizationFailed) {
		t.Fatalf("alice produced after acl delete: %v", err)
	}
	if out = cli(t, addr, "", "acl", "delete", "--topic", "orders"); out != "No ACL binding matched\n" {
		t.Errorf("delete of nothing: %q", out)
	}
	if out = cli(t, addr, "", "acl", "delete", "--yes"); strings.Count(out, "Deleted ACL: ") != 5 {
		t.Errorf("delete --yes: %q, want the 5 remaining bindings", out)
	}
	if out = cli(t, addr, "", "acl", "list"); len(fields(out)) != 1 {
		t.Errorf("list after deleting everything:\n%s", out)
	}
}

// sameRows compares table rows ignoring order within rows of equal
// resource (the broker sorts by resource, then principal, operation and
// permission; the order among those is its business).
func sameRows(got, want [][]string) bool {
	seen := map[string]int{}
	for _, r := range want {
		seen[strings.Join(r, " ")]++
	}
	for _, r := range got {
		seen[strings.Join(r, " ")]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return fmt.Sprint(got[0]) == fmt.Sprint(want[0])
}
