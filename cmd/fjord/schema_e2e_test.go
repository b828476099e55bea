package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliUserV1 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"email","type":["null","string"],"default":null}]}`

const cliUserV2 = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"country","type":"string","default":"unknown"}]}`

const cliUserBad = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"int"}]}`

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSchemaCommands(t *testing.T) {
	addr := startBroker(t)
	v1, v2, bad := writeFile(t, "v1.avsc", cliUserV1), writeFile(t, "v2.avsc", cliUserV2), writeFile(t, "bad.avsc", cliUserBad)

	if out := cli(t, addr, "", "schema", "register", "users-value", v1); out != "Registered subject users-value version 1 (id 1)\n" {
		t.Errorf("register v1: %q", out)
	}
	// Again: the same version and id. From stdin under another subject: the same id.
	if out := cli(t, addr, "", "schema", "register", "users-value", v1); out != "Registered subject users-value version 1 (id 1)\n" {
		t.Errorf("register v1 again: %q", out)
	}
	out := cli(t, addr, cliUserV1, "schema", "register", "people-value", "-", "--json")
	var reg jsonSchemaID
	if err := json.Unmarshal([]byte(out), &reg); err != nil || reg != (jsonSchemaID{Subject: "people-value", Version: 1, ID: 1}) {
		t.Errorf("register --json: %q, %v", out, err)
	}

	if out := cli(t, addr, "", "schema", "check", "users-value", v2); out != "compatible with subject users-value\n" {
		t.Errorf("check v2: %q", out)
	}
	r := runCLI(t, nil, "", "schema", "check", "users-value", bad, "--verbose", "--brokers", addr)
	wantOneLineError(t, r, 1, `schema `+bad+` is not compatible with subject "users-value"`)
	if !strings.HasPrefix(r.stdout, "incompatible with subject users-value\n  ") {
		t.Errorf("check bad --verbose stdout: %q", r.stdout)
	}
	r = runCLI(t, nil, "", "schema", "register", "users-value", bad, "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot register schema under subject "users-value": INCOMPATIBLE_SCHEMA`)
	r = runCLI(t, nil, `{"type":"record","name":"x","fields":[{"name":"a","type":"nope"}]}`, "schema", "register", "x-value", "-", "--brokers", addr)
	wantOneLineError(t, r, 1, "INVALID_SCHEMA")

	if out := cli(t, addr, "", "schema", "register", "users-value", v2); out != "Registered subject users-value version 2 (id 2)\n" {
		t.Errorf("register v2: %q", out)
	}
	if out := cli(t, addr, "", "schema", "list"); out != "SUBJECT       VERSIONS\npeople-value  1\nusers-value   1,2\n" {
		t.Errorf("list:\n%s", out)
	}
	if out := cli(t, addr, "", "schema", "list", "--prefix", "us", "--json"); !strings.Contains(out, `"subject": "users-value"`) || strings.Contains(out, "people") {
		t.Errorf("list --prefix us --json:\n%s", out)
	}
	out = cli(t, addr, "", "schema", "get", "users-value")
	if !strings.HasPrefix(out, "SUBJECT  users-value\nVERSION  2\nID       2\nTYPE     AVRO\n\n") || !strings.HasSuffix(out, cliUserV2+"\n") {
		t.Errorf("get:\n%s", out)
	}
	if out := cli(t, addr, "", "schema", "get", "users-value", "--version", "1", "--schema-only"); out != cliUserV1+"\n" {
		t.Errorf("get --version 1 --schema-only:\n%s", out)
	}
	out = cli(t, addr, "", "schema", "get", "--id", "1")
	if !strings.Contains(out, "REGISTERED AS  people-value:1, users-value:1\n") {
		t.Errorf("get --id 1:\n%s", out)
	}
	var js jsonSchema
	if err := json.Unmarshal([]byte(cli(t, addr, "", "schema", "get", "users-value", "--json")), &js); err != nil || js.Version != 2 || js.Schema != cliUserV2 {
		t.Errorf("get --json: %+v, %v", js, err)
	}
	r = runCLI(t, nil, "", "schema", "get", "nope", "--brokers", addr)
	wantOneLineError(t, r, 1, `subject "nope" does not exist`)
	r = runCLI(t, nil, "", "schema", "get", "users-value", "--version", "9", "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot get subject "users-value" version 9: VERSION_NOT_FOUND`)

	if out := cli(t, addr, "", "schema", "config"); out != "BACKWARD (global)\n" {
		t.Errorf("config: %q", out)
	}
	if out := cli(t, addr, "", "schema", "config", "users-value"); out != "BACKWARD (global: subject users-value has no level of its own)\n" {
		t.Errorf("config users-value: %q", out)
	}
	if out := cli(t, addr, "", "schema", "config", "users-value", "--set", "full_transitive"); out != "Set the compatibility level of subject users-value to FULL_TRANSITIVE\n" {
		t.Errorf("config --set: %q", out)
	}
	if out := cli(t, addr, "", "schema", "config", "users-value", "--json"); !strings.Contains(out, `"compatibility_level": "FULL_TRANSITIVE"`) || !strings.Contains(out, `"source": "subject"`) {
		t.Errorf("config --json: %q", out)
	}
	if out := cli(t, addr, "", "schema", "config", "users-value", "--delete"); out != "Deleted the compatibility level of subject users-value (was FULL_TRANSITIVE)\n" {
		t.Errorf("config --delete: %q", out)
	}
	configJSON := func(args ...string) jsonConfig {
		t.Helper()
		var j jsonConfig
		out := cli(t, addr, "", append([]string{"schema", "config", "--json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Errorf("config %s --json: %v in %q", args, err, out)
		}
		return j
	}
	if got := configJSON("users-value", "--set", "forward"); got != (jsonConfig{Subject: "users-value", Level: "FORWARD"}) {
		t.Errorf("config users-value --set forward --json: %+v", got)
	}
	if got := configJSON("users-value", "--delete"); got != (jsonConfig{Subject: "users-value", Previous: "FORWARD"}) {
		t.Errorf("config users-value --delete --json: %+v", got)
	}
	if got := configJSON("users-value"); got != (jsonConfig{Subject: "users-value", Level: "BACKWARD", Source: "global"}) {
		t.Errorf("config users-value --json: %+v", got)
	}

	if out := cli(t, addr, "", "schema", "delete", "people-value"); out != "Soft-deleted subject people-value (versions 1)\n" {
		t.Errorf("delete: %q", out)
	}
	if out := cli(t, addr, "", "schema", "list", "--deleted"); !strings.Contains(out, "people-value") {
		t.Errorf("list --deleted: %q", out)
	}
	if out := cli(t, addr, "", "schema", "delete", "people-value", "--permanent"); out != "Permanently deleted subject people-value (versions 1)\n" {
		t.Errorf("delete --permanent: %q", out)
	}
	if out := cli(t, addr, "", "schema", "delete", "users-value", "--version", "latest"); out != "Soft-deleted subject users-value version 2\n" {
		t.Errorf("delete --version latest: %q", out)
	}
	r = runCLI(t, nil, "", "schema", "delete", "nope", "--brokers", addr)
	wantOneLineError(t, r, 1, `subject "nope" does not exist`)
}

func TestSchemaModeCommand(t *testing.T) {
	addr := startBroker(t)
	v1, v2 := writeFile(t, "v1.avsc", cliUserV1), writeFile(t, "v2.avsc", cliUserV2)
	cli(t, addr, "", "schema", "register", "users-value", v1)

	if out := cli(t, addr, "", "schema", "mode"); out != "READWRITE (global)\n" {
		t.Errorf("mode: %q", out)
	}
	if out := cli(t, addr, "", "schema", "mode", "users-value"); out != "READWRITE (global: subject users-value has no mode of its own)\n" {
		t.Errorf("mode users-value: %q", out)
	}
	if out := cli(t, addr, "", "schema", "mode", "users-value", "--set", "read-only"); out != "Set the mode of subject users-value to READONLY\n" {
		t.Errorf("mode --set: %q", out)
	}
	if out := cli(t, addr, "", "schema", "mode", "users-value"); out != "READONLY (subject users-value)\n" {
		t.Errorf("mode users-value after --set: %q", out)
	}
	modeJSON := func(args ...string) jsonMode {
		t.Helper()
		var m jsonMode
		out := cli(t, addr, "", append([]string{"schema", "mode", "--json"}, args...)...)
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Errorf("mode %s --json: %v in %q", args, err, out)
		}
		return m
	}
	if got := modeJSON("users-value"); got != (jsonMode{Subject: "users-value", Mode: "READONLY", Source: "subject"}) {
		t.Errorf("mode users-value --json: %+v", got)
	}
	r := runCLI(t, nil, "", "schema", "register", "users-value", v2, "--brokers", addr)
	wantOneLineError(t, r, 1, `cannot register schema under subject "users-value": OPERATION_NOT_PERMITTED`)
	if out := cli(t, addr, "", "schema", "mode", "users-value", "--delete"); out != "Deleted the mode of subject users-value (was READONLY)\n" {
		t.Errorf("mode --delete: %q", out)
	}
	r = runCLI(t, nil, "", "schema", "mode", "users-value", "--delete", "--brokers", addr)
	wantOneLineError(t, r, 1, `subject "users-value" has no mode of its own`)
	r = runCLI(t, nil, "", "schema", "mode", "nope", "--delete", "--brokers", addr)
	wantOneLineError(t, r, 1, `subject "nope" does not exist`)
	if out := cli(t, addr, "", "schema", "register", "users-value", v2); out != "Registered subject users-value version 2 (id 2)\n" {
		t.Errorf("register after mode --delete: %q", out)
	}

	// IMPORT over registered schemas needs --force.
	r = runCLI(t, nil, "", "schema", "mode", "--set", "IMPORT", "--brokers", addr)
	wantOneLineError(t, r, 1, "cannot set the global mode to IMPORT: schemas are registered (--force sets it anyway)", "OPERATION_NOT_PERMITTED")
	if got := modeJSON("--set", "import", "--force"); got != (jsonMode{Mode: "IMPORT"}) {
		t.Errorf("mode --set import --force --json: %+v", got)
	}
	if got := modeJSON("users-value"); got != (jsonMode{Subject: "users-value", Mode: "IMPORT", Source: "global"}) {
		t.Errorf("mode users-value --json under a global IMPORT: %+v", got)
	}
	if got := modeJSON("--delete"); got != (jsonMode{Previous: "IMPORT"}) {
		t.Errorf("mode --delete --json: %+v", got)
	}
	if out := cli(t, addr, "", "schema", "mode"); out != "READWRITE (global)\n" {
		t.Errorf("mode after --delete: %q", out)
	}
}

func TestProduceConsumeAvro(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "users", "-p", "1")
	cli(t, addr, "", "schema", "register", "users-value", writeFile(t, "v1.avsc", cliUserV1))

	out := cli(t, addr, `{"name":"ann","email":"ann@x"}`+"\n"+`{"name":"bob"}`+"\n", "produce", "users", "--value-schema", "users-value")
	if out != "Produced to partition 0 at offset 0\nProduced to partition 0 at offset 1\n" {
		t.Errorf("produce --value-schema: %q", out)
	}
	// The values are Confluent-framed Avro: magic byte 0, id 1, then "ann".
	raw := cli(t, addr, "", "consume", "users", "-n", "1", "--json")
	var rec struct {
		Value    string `json:"value"`
		Encoding string `json:"value_encoding"`
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil || !strings.HasPrefix(rec.Value, "\x00\x00\x00\x00\x01\x06ann") {
		t.Errorf("raw value: %q, %v", raw, err)
	}

	if out := cli(t, addr, "", "consume", "users", "--decode-avro"); out != `{"name":"ann","email":"ann@x"}`+"\n"+`{"name":"bob","email":null}`+"\n" {
		t.Errorf("consume --decode-avro:\n%s", out)
	}
	// After an evolution, the subject's latest schema reads the old values.
	cli(t, addr, "", "schema", "register", "users-value", writeFile(t, "v2.avsc", cliUserV2))
	cli(t, addr, `{"name":"cy","country":"NO"}`+"\n", "produce", "users", "--value-schema", "users-value")
	out = cli(t, addr, "", "consume", "users", "--value-schema", "users-value", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("consume --value-schema --json:\n%s", out)
	}
	var got []map[string]any
	for _, l := range lines {
		var r struct {
			Value map[string]any `json:"value"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got = append(got, r.Value)
	}
	if got[0]["country"] != "unknown" || got[1]["name"] != "bob" || got[2]["country"] != "NO" {
		t.Errorf("decoded as v2: %v", got)
	}

	r := runCLI(t, nil, `{"name":"dan"}`+"\n"+`{"name":5}`+"\n", "produce", "users", "--value-schema", "users-value", "--brokers", addr)
	wantOneLineError(t, r, 1, "failed at line 2: avro: JSON value does not fit schema id 2", "(1 records produced)")
	r = runCLI(t, nil, "{}\n", "produce", "users", "--value-schema", "nope", "--brokers", addr)
	wantOneLineError(t, r, 1, `subject "nope" does not exist`)

	cli(t, addr, "plain text\n", "produce", "users")
	r = runCLI(t, nil, "", "consume", "users", "--decode-avro", "--from", "4", "--brokers", addr)
	wantOneLineError(t, r, 1, "cannot decode the value at users-0 offset 4", "not in the Confluent wire format")
}

func TestProduceAvroToValidatedTopic(t *testing.T) {
	addr := startBroker(t)
	cli(t, addr, "", "topic", "create", "checked", "-p", "1", "-c", "value.schema.validation=full")
	cli(t, addr, "", "schema", "register", "checked-value", writeFile(t, "v1.avsc", cliUserV1))
	if out := cli(t, addr, `{"name":"ann"}`+"\n", "produce", "checked", "--value-schema", "checked-value"); out != "Produced to partition 0 at offset 0\n" {
		t.Errorf("produce --value-schema: %q", out)
	}
	r := runCLI(t, nil, "plain\n", "produce", "checked", "--brokers", addr)
	wantOneLineError(t, r, 1, "INVALID_RECORD", "schema validation")
	if out := cli(t, addr, "", "consume", "checked", "--decode-avro"); out != `{"name":"ann","email":null}`+"\n" {
		t.Errorf("consume --decode-avro: %q", out)
	}
}
