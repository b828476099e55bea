package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc/credentials"
)

// tokenTable maps the SHA-256 of each static bearer token to its
// principal, so lookups compare digests, never the secrets themselves.
type tokenTable map[[sha256.Size]byte]Principal

// parseTokens parses a static token file read from path: one
// "TOKEN Type:Name" per line (for example "s3cr3t-alice User:alice"),
// separated by spaces or tabs; blank lines and lines starting with # are
// ignored. A token may appear only once.
func parseTokens(path string, data []byte) (tokenTable, error) {
	t := tokenTable{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("auth: token file %s:%d: want \"TOKEN Type:Name\", got %d fields", path, n, len(fields))
		}
		p, err := ParsePrincipal(fields[1])
		if err != nil {
			return nil, fmt.Errorf("auth: token file %s:%d: %w", path, n, err)
		}
		h := sha256.Sum256([]byte(fields[0]))
		if _, dup := t[h]; dup {
			return nil, fmt.Errorf("auth: token file %s:%d: the token repeats an earlier line", path, n)
		}
		t[h] = p
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth: token file %s: %w", path, err)
	}
	return t, nil
}

func (t tokenTable) lookup(token string) (Principal, bool) {
	p, ok := t[sha256.Sum256([]byte(token))]
	return p, ok
}

// ReadTokenFile reads a file holding one bearer token (surrounding
// whitespace ignored), such as the inter-broker token.
func ReadTokenFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("auth: read token: %w", err)
	}
	return parseToken(path, data)
}

// parseToken checks data, read from path, holds exactly one token.
func parseToken(path string, data []byte) (string, error) {
	tok := strings.TrimSpace(string(data))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("auth: %s must hold exactly one token", path)
	}
	return tok, nil
}

// BearerCredentials sends "authorization: Bearer TOKEN" with every call.
// Unless insecure is set, gRPC refuses to send it over a connection without
// transport security.
type BearerCredentials struct {
	Token    string
	Insecure bool
}

var _ credentials.PerRPCCredentials = BearerCredentials{}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (b BearerCredentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.Token}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (b BearerCredentials) RequireTransportSecurity() bool { return !b.Insecure }
