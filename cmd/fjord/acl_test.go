package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// startACLBroker runs a broker with --authorizer=acl, super user
// User:admin and a token file naming User:admin ("admin-secret") and
// User:alice ("alice-secret"); callers without a token are refused.
func startACLBroker(t *testing.T) string {
	t.Helper()
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("admin-secret User:admin\nalice-secret User:alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off", ShutdownTimeout: 5 * time.Second,
		Authorizer: server.AuthorizerACL, SuperUsers: []string{"User:admin"}, Auth: auth.Options{TokenFile: tokens}})
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

// asAdmin runs the CLI with the super user's token in --token.
func asAdmin(t *testing.T, addr string, args ...string) string {
	t.Helper()
	return cli(t, addr, "", append(args, "--token", "admin-secret")...)
}

// produceAsAlice writes one record to topic with the CLI as User:alice,
// whose token comes from FJORD_TOKEN.
func produceAsAlice(t *testing.T, addr, topic string) cliResult {
	t.Helper()
	return runCLI(t, map[string]string{"FJORD_TOKEN": "alice-secret"}, "v\n", "produce", topic, "--brokers", addr)
}

func TestACLCommands(t *testing.T) {
	addr := startACLBroker(t)
	// Without a token the CLI is refused; alice's token is no super user's.
	wantOneLineError(t, runCLI(t, nil, "", "topic", "create", "orders", "--brokers", addr), 1, "no credentials")
	wantOneLineError(t, runCLI(t, nil, "", "acl", "list", "--brokers", addr, "--token", "alice-secret"), 1, "User:alice is not authorized to DESCRIBE cluster")
	asAdmin(t, addr, "topic", "create", "orders")

	wantOneLineError(t, produceAsAlice(t, addr, "orders"), 1, `topic "orders": TOPIC_AUTHORIZATION_FAILED`, "User:alice is not authorized")
	out := asAdmin(t, addr, "acl", "create", "--allow", "--principal", "User:alice", "--operation", "write", "--topic", "orders")
	if want := "Created ACL: allow User:alice write on topic orders\n"; out != want {
		t.Errorf("create: %q, want %q", out, want)
	}
	if r := produceAsAlice(t, addr, "orders"); r.code != 0 || r.stderr != "" {
		t.Fatalf("alice could not produce after acl create: exit %d, stderr %q", r.code, r.stderr)
	}

	out = asAdmin(t, addr, "acl", "create", "--deny", "--principal", "User:alice,User:bob", "--operation", "read,Describe", "--group", "pay", "--prefixed")
	if want := "Created ACL: deny User:alice read on group pay (prefixed)\nCreated ACL: deny User:alice describe on group pay (prefixed)\n" +
		"Created ACL: deny User:bob read on group pay (prefixed)\nCreated ACL: deny User:bob describe on group pay (prefixed)\n"; out != want {
		t.Errorf("create 4: %q, want %q", out, want)
	}
	asAdmin(t, addr, "acl", "create", "--allow", "--principal", "User:*", "--operation", "idempotent-write", "--cluster")

	out = asAdmin(t, addr, "acl", "list")
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
		if out := asAdmin(t, addr, append([]string{"acl", "list"}, tt.args...)...); len(fields(out))-1 != tt.rows {
			t.Errorf("acl list %s:\n%s\nwant %d rows", strings.Join(tt.args, " "), out, tt.rows)
		}
	}
	var listed []map[string]string
	out = asAdmin(t, addr, "acl", "list", "--principal", "User:alice", "--topic", "orders", "-o", "json")
	if err := json.Unmarshal([]byte(out), &listed); err != nil || fmt.Sprint(listed) !=
		fmt.Sprint([]map[string]string{{"principal": "User:alice", "host": "*", "permission": "allow", "operation": "write",
			"resource_type": "topic", "pattern_type": "literal", "resource": "orders"}}) {
		t.Errorf("list -o json: %v\n%s", err, out)
	}

	// The filter create's flags make deletes exactly that binding.
	out = asAdmin(t, addr, "acl", "delete", "--allow", "--principal", "User:alice", "--operation", "write", "--topic", "orders")
	if want := "Deleted ACL: allow User:alice write on topic orders\n"; out != want {
		t.Errorf("delete: %q, want %q", out, want)
	}
	wantOneLineError(t, produceAsAlice(t, addr, "orders"), 1, `topic "orders": TOPIC_AUTHORIZATION_FAILED`, "User:alice is not authorized")
	if out = asAdmin(t, addr, "acl", "delete", "--topic", "orders"); out != "No ACL binding matched\n" {
		t.Errorf("delete of nothing: %q", out)
	}
	if out = asAdmin(t, addr, "acl", "delete", "--yes"); strings.Count(out, "Deleted ACL: ") != 5 {
		t.Errorf("delete --yes: %q, want the 5 remaining bindings", out)
	}
	if out = asAdmin(t, addr, "acl", "list"); len(fields(out)) != 1 {
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

// TestACLNoteWhenAuthorizerOff: acl list and create warn on stderr when
// the broker reports --authorizer=off, and not when it enforces ACLs.
func TestACLNoteWhenAuthorizerOff(t *testing.T) {
	const note = "note: this broker does not enforce ACLs (--authorizer=off)\n"
	off := startBroker(t)
	for _, args := range [][]string{
		{"acl", "list", "--brokers", off},
		{"acl", "create", "--allow", "--principal", "User:alice", "--operation", "read", "--topic", "t", "--brokers", off},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 0 || r.stderr != note {
			t.Errorf("%v against --authorizer=off: exit %d, stderr %q, want %q", args, r.code, r.stderr, note)
		}
	}
	on := startACLBroker(t)
	if r := runCLI(t, nil, "", "acl", "list", "--brokers", on, "--token", "admin-secret"); r.code != 0 || r.stderr != "" {
		t.Errorf("acl list against --authorizer=acl: exit %d, stderr %q", r.code, r.stderr)
	}
}
