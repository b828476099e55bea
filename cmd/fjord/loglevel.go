package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"
)

// newClusterLogLevelCmd reads or changes a broker's log level through its
// HTTP listener (GET or PUT /admin/log-level).
func newClusterLogLevelCmd(env *cliEnv) *cobra.Command {
	var httpAddr, token string
	cmd := &cobra.Command{
		Use:   "log-level [debug|info|warn|error]",
		Short: "Show or change a running broker's log level",
		Long: `Show a running broker's log level, or change it until the broker restarts.
The broker is reached on its --http listener (--http-addr: host:port, or an
https:// URL when the listener uses TLS). With ACLs on, reading needs
Describe and changing needs Alter on the cluster.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf(c, "%s takes at most one argument, the level (got %d)", c.CommandPath(), len(args))
			}
			if len(args) == 1 {
				switch strings.ToLower(args[0]) {
				case "debug", "info", "warn", "error":
				default:
					return usageErrorf(c, "invalid level %q: must be one of debug, info, warn, error", args[0])
				}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if !c.Flags().Changed("http-addr") {
				if v, ok := env.getenv("FJORD_HTTP_ADDR"); ok {
					httpAddr = v
				}
			}
			if !c.Flags().Changed("token") {
				if v, ok := env.getenv("FJORD_TOKEN"); ok {
					token = v
				}
			}
			base := httpAddr
			if !strings.Contains(base, "://") {
				if err := validateHostPort(base); err != nil {
					return usageErrorf(c, "invalid --http-addr %q: %v", base, err)
				}
				base = "http://" + base
			}
			method, body := http.MethodGet, ""
			if len(args) == 1 {
				method, body = http.MethodPut, strings.ToLower(args[0])
			}
			level, err := logLevelRequest(c.Context(), method, strings.TrimSuffix(base, "/")+"/admin/log-level", body, token)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), level)
			return nil
		},
	}
	cmd.Flags().StringVar(&httpAddr, "http-addr", "127.0.0.1:8081", "the broker's HTTP listener, host:port or a URL (env FJORD_HTTP_ADDR)")
	cmd.Flags().StringVar(&token, "token", "", "bearer token sent to the broker (env FJORD_TOKEN)")
	return cmd
}

// logLevelRequest sends one log level request and returns the level the
// broker answered.
func logLevelRequest(ctx context.Context, method, url, body, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("cannot build request: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("cannot reach the broker's HTTP listener: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", fmt.Errorf("cannot read the broker's answer: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("broker answered %s: %s", resp.Status, text)
	}
	return text, nil
}
