package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

var testRecord = &fjord.Record{
	Topic:     "orders",
	Partition: 2,
	Offset:    41,
	Key:       []byte("k1"),
	Value:     []byte("hello"),
	Headers:   []fjord.Header{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("")}},
	Timestamp: time.UnixMilli(1700000000123),
}

func TestTemplateFormat(t *testing.T) {
	tests := []struct {
		format string
		rec    *fjord.Record
		want   string
	}{
		{`%v\n`, testRecord, "hello\n"},
		{`%t/%p@%o %k=%v\n`, testRecord, "orders/2@41 k1=hello\n"},
		{`%h|%T\t100%%\\`, testRecord, "a=1,b=|1700000000123\t100%\\"},
		{"%k|%v|%h\n", &fjord.Record{}, "||\n"},
		{`plain \q`, testRecord, `plain \q`},
		{"%v\n", &fjord.Record{Value: []byte{0, 0xff}}, "\x00\xff\n"},
	}
	for _, tt := range tests {
		w, err := compileFormat(tt.format)
		if err != nil {
			t.Fatalf("compileFormat(%q): %v", tt.format, err)
		}
		var b bytes.Buffer
		if err := w.write(&b, tt.rec); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("format %q: got %q, want %q", tt.format, b.String(), tt.want)
		}
	}
}

func TestTemplateFormatErrors(t *testing.T) {
	for _, f := range []string{"%x", "value: %", "%v %Z"} {
		if _, err := compileFormat(f); err == nil {
			t.Errorf("compileFormat(%q): no error", f)
		} else if !strings.Contains(err.Error(), "invalid --format") {
			t.Errorf("compileFormat(%q): %v", f, err)
		}
	}
}

func TestJSONFormat(t *testing.T) {
	var b bytes.Buffer
	if err := (jsonWriter{}).write(&b, testRecord); err != nil {
		t.Fatal(err)
	}
	want := `{"topic":"orders","partition":2,"offset":41,"timestamp":1700000000123,"key":"k1","value":"hello","headers":[{"key":"a","value":"1"},{"key":"b","value":""}]}` + "\n"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}

	b.Reset()
	rec := &fjord.Record{Topic: "t", Value: []byte{0xff, 0x00}, Timestamp: time.UnixMilli(5)}
	if err := (jsonWriter{}).write(&b, rec); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["key"] != nil || got["value"] != "/wA=" || got["value_encoding"] != "base64" || got["key_encoding"] != nil {
		t.Errorf("binary value: %s", b.String())
	}
	if hs, ok := got["headers"].([]any); !ok || len(hs) != 0 {
		t.Errorf("headers = %v, want []", got["headers"])
	}
}

func TestParseFrom(t *testing.T) {
	now := time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want startSpec
	}{
		{"earliest", startSpec{kind: fromEarliest}},
		{"latest", startSpec{kind: fromLatest}},
		{"42", startSpec{kind: fromOffset, offset: 42}},
		{"@1700000000123", startSpec{kind: fromTime, time: time.UnixMilli(1700000000123)}},
		{"@2025-01-02T15:04:05Z", startSpec{kind: fromTime, time: time.Date(2025, 1, 2, 15, 4, 5, 0, time.UTC)}},
		{"@-1h", startSpec{kind: fromTime, time: now.Add(-time.Hour)}},
	}
	for _, tt := range tests {
		got, err := parseFrom(tt.in, now)
		if err != nil {
			t.Errorf("parseFrom(%q): %v", tt.in, err)
			continue
		}
		if got.kind != tt.want.kind || got.offset != tt.want.offset || !got.time.Equal(tt.want.time) {
			t.Errorf("parseFrom(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "-1", "first", "@", "@yesterday", "@1h", "@2025-01-02"} {
		if _, err := parseFrom(bad, now); err == nil {
			t.Errorf("parseFrom(%q): no error", bad)
		}
	}
}

func TestLineParser(t *testing.T) {
	tests := []struct {
		name      string
		p         lineParser
		line      string
		key, val  []byte
		wantError bool
	}{
		{name: "value only", line: "hello", val: []byte("hello")},
		{name: "empty line is an empty value", line: "", val: []byte{}},
		{name: "fixed key", p: lineParser{key: []byte("k")}, line: "v", key: []byte("k"), val: []byte("v")},
		{name: "separator", p: lineParser{keySep: []byte(":")}, line: "user1:a:b", key: []byte("user1"), val: []byte("a:b")},
		{name: "multi-byte separator", p: lineParser{keySep: []byte("\t|")}, line: "k\t|v", key: []byte("k"), val: []byte("v")},
		{name: "empty key and value", p: lineParser{keySep: []byte(":")}, line: ":", key: []byte{}, val: []byte{}},
		{name: "missing separator", p: lineParser{keySep: []byte(":")}, line: "novalue", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := []byte(tt.line)
			k, v, err := tt.p.parse(buf)
			if tt.wantError {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(k, tt.key) || (k == nil) != (tt.key == nil) || !bytes.Equal(v, tt.val) || v == nil {
				t.Errorf("got key %q value %q, want %q %q", k, v, tt.key, tt.val)
			}
			// The scanner reuses its buffer: parse must copy.
			for i := range buf {
				buf[i] = '#'
			}
			if len(v) > 0 && v[0] == '#' {
				t.Error("value aliases the line buffer")
			}
		})
	}
}

func TestParseHeadersAcksCompression(t *testing.T) {
	hs, err := parseHeaders([]string{"a=1", "b=x=y", "c="})
	if err != nil || len(hs) != 3 || hs[1].Key != "b" || string(hs[1].Value) != "x=y" || string(hs[2].Value) != "" {
		t.Errorf("parseHeaders = %v, %v", hs, err)
	}
	for _, bad := range []string{"novalue", "=v"} {
		if _, err := parseHeaders([]string{bad}); err == nil {
			t.Errorf("parseHeaders(%q): no error", bad)
		}
	}
	for in, want := range map[string]string{"none": "ACKS_NONE", "0": "ACKS_NONE", "leader": "ACKS_LEADER", "1": "ACKS_LEADER", "all": "ACKS_ALL", "-1": "ACKS_ALL"} {
		if a, err := parseAcks(in); err != nil || a.String() != want {
			t.Errorf("parseAcks(%q) = %v, %v", in, a, err)
		}
	}
	if _, err := parseAcks("2"); err == nil {
		t.Error("parseAcks(2): no error")
	}
	for _, c := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		if _, err := parseCompression(c); err != nil {
			t.Errorf("parseCompression(%q): %v", c, err)
		}
	}
	if _, err := parseCompression("brotli"); err == nil {
		t.Error("parseCompression(brotli): no error")
	}
	if cfgs, err := parseConfigPairs([]string{"retention.ms=1000", "cleanup.policy=compact,delete"}); err != nil || cfgs["cleanup.policy"] != "compact,delete" {
		t.Errorf("parseConfigPairs = %v, %v", cfgs, err)
	}
	if _, err := parseConfigPairs([]string{"retention.ms"}); err == nil {
		t.Error("parseConfigPairs without =: no error")
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.0KiB", 1536: "1.5KiB", 5 << 20: "5.0MiB", 3 << 30: "3.0GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
