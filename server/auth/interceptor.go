package auth

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	grpcauth "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// ReasonUnauthenticated is the google.rpc.ErrorInfo reason (domain
// "fjord") of a call refused for lack of valid credentials.
const ReasonUnauthenticated = "UNAUTHENTICATED"

// errorDomain matches the server package's ErrorInfo domain.
const errorDomain = "fjord"

// unauthenticated is the gRPC status of a refused call.
func unauthenticated(format string, args ...any) error {
	st := status.New(codes.Unauthenticated, "auth: "+fmt.Sprintf(format, args...))
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: ReasonUnauthenticated, Domain: errorDomain}); err == nil {
		st = d
	}
	return st.Err()
}

// UnaryServerInterceptor authenticates every unary call (go-grpc-middleware
// auth with AuthFunc) and puts its principal in the context.
func (a *Authenticator) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return grpcauth.UnaryServerInterceptor(a.AuthFunc)
}

// StreamServerInterceptor is UnaryServerInterceptor for streams.
func (a *Authenticator) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return grpcauth.StreamServerInterceptor(a.AuthFunc)
}

// AuthFunc establishes the principal of a gRPC call and returns ctx
// carrying it (NewContext), or an Unauthenticated status. In order:
//   - a call over the in-memory listener acts for its LocalPrincipalKey
//     metadata; that key on a network connection is refused;
//   - an "authorization: Bearer TOKEN" metadata value must be a valid
//     static token or JWT;
//   - a verified TLS client certificate names the principal;
//   - otherwise the caller is Anonymous if anonymous access is allowed.
//
// Health checks (grpc.health.v1) always get in, as Anonymous if need be,
// so load balancers and probes need no credentials.
func (a *Authenticator) AuthFunc(ctx context.Context) (context.Context, error) {
	p, err := a.authenticateCall(ctx)
	if err != nil {
		if m, ok := grpc.Method(ctx); ok && strings.HasPrefix(m, "/grpc.health.v1.Health/") {
			return NewContext(ctx, Anonymous), nil
		}
		return nil, err
	}
	return NewContext(ctx, p), nil
}

func (a *Authenticator) authenticateCall(ctx context.Context) (Principal, error) {
	pr, _ := peer.FromContext(ctx)
	md, _ := metadata.FromIncomingContext(ctx)
	if local := md.Get(LocalPrincipalKey); len(local) > 0 {
		if pr == nil || !IsLocalAddr(pr.Addr) {
			return Principal{}, unauthenticated("metadata %q is only accepted from inside the broker's process", LocalPrincipalKey)
		}
		if _, ok := pr.AuthInfo.(localAuthInfo); !ok {
			return Principal{}, unauthenticated("metadata %q is only accepted from inside the broker's process", LocalPrincipalKey)
		}
		if len(local) != 1 {
			return Principal{}, unauthenticated("metadata %q appears %d times", LocalPrincipalKey, len(local))
		}
		p, err := ParsePrincipal(local[0])
		if err != nil {
			return Principal{}, unauthenticated("%v", err)
		}
		if p.IsAnonymous() && !a.allowAnonymous {
			return Principal{}, unauthenticated("anonymous access is disabled on this broker")
		}
		return p, nil
	}
	if vals := md.Get("authorization"); len(vals) > 0 {
		return a.fromAuthorization(vals[0])
	}
	if pr != nil {
		if ti, ok := pr.AuthInfo.(credentials.TLSInfo); ok {
			if p, ok, err := a.fromChains(ti.State.VerifiedChains); ok || err != nil {
				return p, err
			}
		}
	}
	return a.anonymous()
}

func (a *Authenticator) fromAuthorization(v string) (Principal, error) {
	tok, ok := bearer(v)
	if !ok {
		return Principal{}, unauthenticated(`authorization is not "Bearer TOKEN"`)
	}
	p, err := a.tokenPrincipal(tok)
	if err != nil {
		return Principal{}, unauthenticated("bearer token refused: %v", err)
	}
	return p, nil
}

// fromChains names the principal of a verified client certificate; ok is
// false when there is none.
func (a *Authenticator) fromChains(chains [][]*x509.Certificate) (p Principal, ok bool, err error) {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return Principal{}, false, nil
	}
	p, err = certPrincipal(chains[0][0], a.opts.PrincipalFrom)
	if err != nil {
		return Principal{}, false, unauthenticated("%v", err)
	}
	return p, true, nil
}

func (a *Authenticator) anonymous() (Principal, error) {
	if a.allowAnonymous {
		return Anonymous, nil
	}
	var how []string
	if a.opts.ClientCAFile != "" {
		how = append(how, "a client certificate signed by the broker's client CA")
	}
	if a.opts.TokenFile != "" || a.opts.JWKSFile != "" {
		how = append(how, `an "authorization: Bearer TOKEN" header`)
	}
	return Principal{}, unauthenticated("no credentials: this broker requires %s", strings.Join(how, " or "))
}

// AuthenticateHTTP establishes the principal of an HTTP request as
// AuthFunc does for gRPC: an "Authorization: Bearer" header, then a
// verified TLS client certificate, then Anonymous when allowed. The
// in-process metadata key has no HTTP equivalent.
func (a *Authenticator) AuthenticateHTTP(r *http.Request) (Principal, error) {
	if v := r.Header.Get("Authorization"); v != "" {
		return a.fromAuthorization(v)
	}
	if r.TLS != nil {
		if p, ok, err := a.fromChains(r.TLS.VerifiedChains); ok || err != nil {
			return p, err
		}
	}
	return a.anonymous()
}

// HTTPMiddleware authenticates every request but those to the paths in
// open (such as /healthz), puts the principal in the request's context
// and answers 401 with a JSON body {"error_code":40101,"message":...}
// (the schema registry's error shape) when authentication fails.
func (a *Authenticator) HTTPMiddleware(next http.Handler, open ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, path := range open {
			if r.URL.Path == path {
				next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), Anonymous)))
				return
			}
		}
		p, err := a.AuthenticateHTTP(r)
		if err != nil {
			msg := status.Convert(err).Message()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="fjord"`)
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]any{"error_code": 40101, "message": msg})
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}
