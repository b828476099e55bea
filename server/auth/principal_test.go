package auth

import (
	"context"
	"testing"
)

func TestParsePrincipal(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Principal
		wantErr bool
	}{
		{in: "User:alice", want: User("alice")},
		{in: "User:CN=a,O=b:c", want: Principal{Type: "User", Name: "CN=a,O=b:c"}},
		{in: "Group:ops", want: Principal{Type: "Group", Name: "ops"}},
		{in: "alice", wantErr: true},
		{in: ":alice", wantErr: true},
		{in: "User:", wantErr: true},
	} {
		got, err := ParsePrincipal(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParsePrincipal(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if p := FromContext(ctx); !p.IsAnonymous() {
		t.Fatalf("FromContext(empty) = %v, want anonymous", p)
	}
	if p := FromContext(NewContext(ctx, User("bob"))); p != User("bob") {
		t.Fatalf("FromContext = %v, want User:bob", p)
	}
}
