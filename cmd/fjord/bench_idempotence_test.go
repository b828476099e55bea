package main

import (
	"regexp"
	"strings"
	"testing"
)

// bench produce takes the SDK's idempotence default, turns it off with
// --idempotence=false or a weaker --acks (saying so), and refuses to ask
// for idempotence with a weaker --acks.
func TestBenchProduceIdempotence(t *testing.T) {
	addr := startBroker(t)
	sent := regexp.MustCompile(`(?m)^200 records sent, `)
	for _, args := range [][]string{
		{"--idempotence=false"},
		{"--idempotence"},
		{},
	} {
		out := cli(t, addr, "", append([]string{"bench", "produce", "--topic", "i", "--records", "200", "--linger", "1ms"}, args...)...)
		if !sent.MatchString(out) || strings.Contains(out, "Idempotence off") {
			t.Errorf("bench produce %v:\n%s", args, out)
		}
	}
	out := cli(t, addr, "", "bench", "produce", "--topic", "i", "--records", "200", "--acks", "leader")
	if !strings.HasPrefix(out, "Idempotence off: --acks leader\n") || !sent.MatchString(out) {
		t.Errorf("bench produce --acks leader:\n%s", out)
	}
	r := runCLI(t, nil, "", "bench", "produce", "--topic", "i", "--acks", "none", "--idempotence", "--brokers", addr)
	wantOneLineError(t, r, 2, "--idempotence needs --acks all")
}
