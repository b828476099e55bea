// Package auth holds who a caller is: the principal an authenticated
// connection or token established, carried in the request context from the
// authentication layer (TLS client certificates, bearer tokens) to the
// authorization checks (ACLs) and quotas.
package auth

import (
	"context"
	"fmt"
	"strings"
)

// Principal names a caller as Kafka does, "Type:Name" (for example
// "User:alice"). Certificates and tokens give User principals.
type Principal struct {
	Type string
	Name string
}

// Anonymous is the principal of a caller that presented no credentials.
var Anonymous = Principal{Type: "User", Name: "ANONYMOUS"}

// User returns the User principal called name.
func User(name string) Principal { return Principal{Type: "User", Name: name} }

// String is the "Type:Name" form used in ACLs, logs and quotas.
func (p Principal) String() string { return p.Type + ":" + p.Name }

// IsAnonymous reports whether p is the anonymous principal.
func (p Principal) IsAnonymous() bool { return p == Anonymous }

// ParsePrincipal parses "Type:Name". The type is a non-empty word without
// a colon; the name is anything non-empty after the first colon.
func ParsePrincipal(s string) (Principal, error) {
	typ, name, ok := strings.Cut(s, ":")
	switch {
	case !ok:
		return Principal{}, fmt.Errorf("auth: principal %q is not of the form Type:Name (for example User:alice)", s)
	case typ == "":
		return Principal{}, fmt.Errorf("auth: principal %q has an empty type", s)
	case name == "":
		return Principal{}, fmt.Errorf("auth: principal %q has an empty name", s)
	}
	return Principal{Type: typ, Name: name}, nil
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx carries, or Anonymous.
func FromContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Anonymous
}
