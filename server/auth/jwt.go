package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// jwtAlgorithms are the signature algorithms accepted in tokens: the
// asymmetric ones only, since the verifying keys come from a JWKS.
var jwtAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// jwtLeeway tolerates clock skew on exp, nbf and iat.
const jwtLeeway = 30 * time.Second

// jwtVerifier checks JWTs against the public keys of a JWKS file.
type jwtVerifier struct {
	keys     jose.JSONWebKeySet
	issuer   string // required "iss" when set
	audience string // required among "aud" when set
	claim    string // names the principal (default "sub")
	now      func() time.Time
}

// parseJWKS parses the JSON Web Key Set data read from path; every key
// must be public.
func parseJWKS(path string, data []byte) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return set, fmt.Errorf("auth: JWKS file %s: %w", path, err)
	}
	if len(set.Keys) == 0 {
		return set, fmt.Errorf("auth: JWKS file %s holds no key", path)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			return set, fmt.Errorf("auth: JWKS file %s: key %q is not a public key (never give the broker private or symmetric keys)", path, k.KeyID)
		}
	}
	return set, nil
}

// looksLikeJWT reports whether a bearer token has the three dot-separated
// parts of a compact JWS.
func looksLikeJWT(tok string) bool { return strings.Count(tok, ".") == 2 }

// verify returns the principal a valid token names.
func (v *jwtVerifier) verify(raw string) (Principal, error) {
	tok, err := jwt.ParseSigned(raw, jwtAlgorithms)
	if err != nil {
		return Principal{}, fmt.Errorf("malformed JWT: %w", err)
	}
	if len(tok.Headers) != 1 {
		return Principal{}, errors.New("JWT must have exactly one signature")
	}
	keys := v.keys.Keys
	if kid := tok.Headers[0].KeyID; kid != "" {
		keys = v.keys.Key(kid)
		if len(keys) == 0 {
			return Principal{}, fmt.Errorf("JWT key id %q is not in the JWKS", kid)
		}
	}
	var std jwt.Claims
	var all map[string]any
	verified := false
	for _, k := range keys {
		if err := tok.Claims(k.Key, &std, &all); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return Principal{}, errors.New("JWT signature does not verify with any key of the JWKS")
	}
	if std.Expiry == nil {
		return Principal{}, errors.New("JWT has no expiry (exp)")
	}
	exp := jwt.Expected{Issuer: v.issuer, Time: v.now()}
	if v.audience != "" {
		exp.AnyAudience = jwt.Audience{v.audience}
	}
	if err := std.ValidateWithLeeway(exp, jwtLeeway); err != nil {
		switch {
		case errors.Is(err, jwt.ErrExpired):
			return Principal{}, fmt.Errorf("JWT expired at %s", std.Expiry.Time().UTC().Format(time.RFC3339))
		case errors.Is(err, jwt.ErrInvalidIssuer):
			return Principal{}, fmt.Errorf("JWT issuer %q is not %q", std.Issuer, v.issuer)
		case errors.Is(err, jwt.ErrInvalidAudience):
			return Principal{}, fmt.Errorf("JWT audience %q does not include %q", []string(std.Audience), v.audience)
		}
		return Principal{}, fmt.Errorf("JWT: %w", err)
	}
	name, _ := all[v.claim].(string)
	if name == "" {
		return Principal{}, fmt.Errorf("JWT has no string claim %q to name its principal", v.claim)
	}
	return User(name), nil
}
