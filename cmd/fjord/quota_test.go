package main

import (
	"slices"
	"testing"
)

func TestQuotaCommands(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "quota", "set", "--client-id", "slow", "--produce-rate", "1MiB/s", "--fetch-rate", "500KiB")
	cli(t, addr, "", "quota", "set", "--user", "alice", "--default-client", "--produce-rate", "2048")
	cli(t, addr, "", "quota", "set", "--default-user", "--fetch-rate", "10MB/s")
	got := fields(cli(t, addr, "", "quota", "list"))
	want := [][]string{
		{"USER", "CLIENT-ID", "PRODUCE", "B/S", "FETCH", "B/S"},
		{"<default>", "-", "-", "10000000"},
		{"User:alice", "<default>", "2048", "-"},
		{"-", "slow", "1048576", "512000"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("quota list:\n%q\nwant\n%q", got, want)
	}
	cli(t, addr, "", "quota", "delete", "--client-id", "slow", "--fetch")
	cli(t, addr, "", "quota", "delete", "--default-user")
	got = fields(cli(t, addr, "", "quota", "list", "--client-id", "slow"))
	if len(got) != 2 || !slices.Equal(got[1], []string{"-", "slow", "1048576", "-"}) {
		t.Fatalf("after delete, quota list --client-id slow: %q", got)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"quota", "set", "--client-id", "x"}, "nothing to set"},
		{[]string{"quota", "set", "--produce-rate", "1MiB"}, "name the entity"},
		{[]string{"quota", "set", "--user", "a", "--default-user", "--produce-rate", "1"}, "not both"},
		{[]string{"quota", "set", "--client-id", "x", "--produce-rate", "fast"}, "invalid rate"},
	} {
		wantOneLineError(t, runCLI(t, nil, "", append(tc.args, "--brokers", addr)...), 2, tc.want)
	}
}
