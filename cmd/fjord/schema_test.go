package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	fjord "github.com/fjordlog/fjord/clients/go"
)

func TestSchemaUsageErrors(t *testing.T) {
	// Every case fails before contacting a broker.
	b := "--brokers=" + closedAddr(t)
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"schema", "frob", b}, []string{`unknown command "frob" for "fjord schema"`}},
		{[]string{"schema", "register", "s", b}, []string{"fjord schema register needs a subject and a schema file (got 1 arguments)"}},
		{[]string{"schema", "register", "s", "f.avsc", "--reference", "x", b}, []string{`invalid --reference "x": want NAME=SUBJECT:VERSION`}},
		{[]string{"schema", "register", "s", "f.avsc", "--reference", "a=b:0", b}, []string{`invalid --reference "a=b:0"`}},
		{[]string{"schema", "register", "s", "f.avsc", "--reference", "a=b", b}, []string{`invalid --reference "a=b"`}},
		{[]string{"schema", "list", "x", b}, []string{`fjord schema list takes no arguments, got "x"`}},
		{[]string{"schema", "get", b}, []string{"fjord schema get needs exactly one argument, the subject (or --id ID) (got 0)"}},
		{[]string{"schema", "get", "s", "--id", "3", b}, []string{"give a SUBJECT or --id, not both"}},
		{[]string{"schema", "get", "--id", "3", "--version", "2", b}, []string{"--version and --deleted do not apply with --id"}},
		{[]string{"schema", "get", "--id", "0", b}, []string{"--id must be positive"}},
		{[]string{"schema", "get", "s", "--version", "first", b}, []string{`invalid --version "first": want a positive number or latest`}},
		{[]string{"schema", "check", "s", b}, []string{"fjord schema check needs a subject and a schema file"}},
		{[]string{"schema", "check", "s", "f", "--version", "0", b}, []string{`invalid --version "0"`}},
		{[]string{"schema", "config", "a", "b", b}, []string{"fjord schema config takes at most one argument, the subject (got 2)"}},
		{[]string{"schema", "config", "--set", "LOOSE", b}, []string{`invalid level "LOOSE": want one of NONE, BACKWARD, BACKWARD_TRANSITIVE`}},
		{[]string{"schema", "config", "s", "--set", "FULL", "--delete", b}, []string{"--set and --delete are mutually exclusive"}},
		{[]string{"schema", "mode", "a", "b", b}, []string{"fjord schema mode takes at most one argument, the subject (got 2)"}},
		{[]string{"schema", "mode", "--set", "WRITEONLY", b}, []string{`invalid mode "WRITEONLY": want one of READWRITE, READONLY, IMPORT`}},
		{[]string{"schema", "mode", "s", "--set", "READONLY", "--delete", b}, []string{"--set and --delete are mutually exclusive"}},
		{[]string{"schema", "mode", "--force", b}, []string{"--force applies only with --set"}},
		{[]string{"schema", "mode", "s", "--delete", "--force", b}, []string{"--force applies only with --set"}},
		{[]string{"schema", "delete", b}, []string{"fjord schema delete needs exactly one argument, the subject (got 0)"}},
		{[]string{"schema", "delete", "s", "--version", "-3", b}, []string{`invalid --version "-3"`}},
		{[]string{"consume", "t", "--decode-avro", "--value-schema", "s", b}, []string{"--decode-avro and --value-schema are mutually exclusive"}},
		{[]string{"consume", "t", "--value-schema", "", b}, []string{"--value-schema needs a subject"}},
	} {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			wantOneLineError(t, runCLI(t, nil, "", tt.args...), 2, tt.want...)
		})
	}
}

func TestSchemaHelp(t *testing.T) {
	r := runCLI(t, nil, "", "schema")
	for _, sub := range []string{"register", "list", "get", "check", "config", "mode", "delete"} {
		if r.code != 0 || !strings.Contains(r.stdout, sub) {
			t.Errorf("fjord schema lacks %s: code %d stdout %q", sub, r.code, r.stdout)
		}
	}
	for _, cmd := range [][]string{{"produce", "--help"}, {"consume", "--help"}} {
		r = runCLI(t, nil, "", cmd...)
		if r.code != 0 || !strings.Contains(r.stdout, "--value-schema") || !strings.Contains(r.stdout, "Confluent wire format") {
			t.Errorf("%s: code %d stdout %q", cmd, r.code, r.stdout)
		}
	}
}

func TestSchemaFileErrors(t *testing.T) {
	b := "--brokers=" + closedAddr(t)
	r := runCLI(t, nil, "", "schema", "register", "s", "/nonexistent/x.avsc", b)
	wantOneLineError(t, r, 1, "cannot read schema: open /nonexistent/x.avsc")
	r = runCLI(t, nil, "  \n", "schema", "register", "s", "-", b)
	wantOneLineError(t, r, 1, "schema file - is empty")
}

func TestParseReferences(t *testing.T) {
	got, err := parseReferences([]string{"com.x.A=a-value:1", "B=ns:sub:12"})
	want := []fjord.SchemaReference{{Name: "com.x.A", Subject: "a-value", Version: 1}, {Name: "B", Subject: "ns:sub", Version: 12}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("parseReferences = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"", "=s:1", "n=:1", "n=s:", "n=s:x", "n=s:-1", "n"} {
		if _, err := parseReferences([]string{bad}); err == nil {
			t.Errorf("parseReferences(%q): no error", bad)
		}
	}
}

func TestParseVersionAndLevel(t *testing.T) {
	for in, want := range map[string]int{"latest": -1, "LATEST": -1, "-1": -1, "1": 1, "42": 42} {
		if got, err := parseVersion(in); err != nil || got != want {
			t.Errorf("parseVersion(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0", "-2", "x", "1.5"} {
		if _, err := parseVersion(bad); err == nil {
			t.Errorf("parseVersion(%q): no error", bad)
		}
	}
	for in, want := range map[string]string{"full": "FULL", "backward-transitive": "BACKWARD_TRANSITIVE", " NONE ": "NONE"} {
		if got, err := parseLevel(in); err != nil || got != want {
			t.Errorf("parseLevel(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{"readonly": "READONLY", "read-only": "READONLY", "READ_WRITE": "READWRITE", " Import ": "IMPORT"} {
		if got, err := parseMode(in); err != nil || got != want {
			t.Errorf("parseMode(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "RO", "read only", "IMPORTS"} {
		if _, err := parseMode(bad); err == nil {
			t.Errorf("parseMode(%q): no error", bad)
		}
	}
}

func TestWriteSchema(t *testing.T) {
	s := fjord.Schema{Subject: "orders-value", Version: 2, ID: 7, Schema: `{"type":"string"}` + "\n",
		References: []fjord.SchemaReference{{Name: "x.A", Subject: "a", Version: 1}, {Name: "x.B", Subject: "b", Version: 3}}}
	var b bytes.Buffer
	writeSchema(&b, s, nil, false)
	want := "SUBJECT     orders-value\nVERSION     2\nID          7\nTYPE        AVRO\nREFERENCES  x.A=a:1\n            x.B=b:3\n\n{\"type\":\"string\"}\n"
	if b.String() != want {
		t.Errorf("writeSchema:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	writeSchema(&b, fjord.Schema{ID: 7, Schema: `"int"`}, []fjord.Schema{{Subject: "a", Version: 1}, {Subject: "b", Version: 4}}, true)
	want = "ID             7\nTYPE           AVRO\nREGISTERED AS  a:1, b:4\n\n\"int\"\n"
	if b.String() != want {
		t.Errorf("writeSchema by id:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestLineParserEncodeValue(t *testing.T) {
	p := lineParser{keySep: []byte(":"), encodeValue: func(v []byte) ([]byte, error) {
		if string(v) == "bad" {
			return nil, errors.New("does not fit")
		}
		return append([]byte("enc-"), v...), nil
	}}
	k, v, err := p.parse([]byte(`k1:{"a":1}`))
	if err != nil || string(k) != "k1" || string(v) != `enc-{"a":1}` {
		t.Errorf("parse = %q, %q, %v", k, v, err)
	}
	if _, _, err := p.parse([]byte("k:bad")); err == nil || err.Error() != "does not fit" {
		t.Errorf("parse of a value that does not fit: %v", err)
	}
}

func TestJSONWriterRawValue(t *testing.T) {
	var b bytes.Buffer
	rec := &fjord.Record{Topic: "t", Value: []byte(`{"name":"ann"}`)}
	if err := (jsonWriter{rawValue: true}).write(&b, rec); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"value":{"name":"ann"}`) {
		t.Errorf("raw value not embedded: %s", b.String())
	}
	b.Reset()
	rec.Value = nil
	if err := (jsonWriter{rawValue: true}).write(&b, rec); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"value":null`) {
		t.Errorf("null value: %s", b.String())
	}
}
