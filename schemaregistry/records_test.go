package schemaregistry

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRecordsGolden pins the bytes of every record shape: compaction keeps
// the last record per exact key, so key bytes must never change.
func TestRecordsGolden(t *testing.T) {
	recs := []struct {
		name string
		rec  Record
	}{
		{"schema", schemaRecord(schemaValue{Subject: "orders-value", Version: 1, ID: 1, Schema: `{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}`})},
		{"schema with references, soft-deleted", schemaRecord(schemaValue{Subject: "a/b", Version: 3, ID: 7,
			References: []reference{{Name: "com.acme.Customer", Subject: "customer", Version: 2}}, Schema: `"string"`, Deleted: true})},
		{"schema tombstone", schemaTombstone("orders-value", 1)},
		{"global config", configRecord("", configValue{CompatibilityLevel: "FULL"})},
		{"subject config", configRecord("orders-value", configValue{CompatibilityLevel: "NONE", Normalize: true})},
		{"config tombstone", configTombstone("orders-value")},
		{"global mode", modeRecord("", "READONLY")},
		{"subject mode", modeRecord("orders-value", "IMPORT")},
		{"mode tombstone", modeTombstone("")},
		{"id watermark", watermarkRecord(42)},
	}
	var buf bytes.Buffer
	for _, r := range recs {
		fmt.Fprintf(&buf, "# %s\nkey:   %s\nvalue: %s\n\n", r.name, r.rec.Key, valueString(r.rec.Value))
	}
	path := filepath.Join("testdata", "records.golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("records changed; if on purpose, run with -update. got:\n%s\nwant:\n%s", buf.Bytes(), want)
	}
}

func valueString(v []byte) string {
	if v == nil {
		return "null (tombstone)"
	}
	return string(v)
}

// TestRecordsRoundTrip applies every record shape to a view.
func TestRecordsRoundTrip(t *testing.T) {
	v := newView()
	apply := func(r Record) {
		t.Helper()
		if err := v.apply(r); err != nil {
			t.Fatal(err)
		}
	}
	apply(schemaRecord(schemaValue{Subject: "s", Version: 1, ID: 3, Schema: `"string"`}))
	apply(schemaRecord(schemaValue{Subject: "t", Version: 1, ID: 3, Schema: `"string"`}))
	apply(schemaRecord(schemaValue{Subject: "s", Version: 2, ID: 4, Schema: `"int"`, References: []reference{{Name: "x", Subject: "t", Version: 1}}}))
	apply(configRecord("", configValue{CompatibilityLevel: "FULL"}))
	apply(configRecord("s", configValue{CompatibilityLevel: "NONE", Normalize: true}))
	apply(modeRecord("", "READONLY"))
	apply(modeRecord("t", "IMPORT"))
	apply(Record{Key: []byte(`{"keytype":"NOOP","magic":0}`)}) // ignored
	if v.maxID != 4 || v.ids[3].uses != 2 || !v.hasID("s", 4) || v.effectiveConfig("s").CompatibilityLevel != "NONE" ||
		v.effectiveConfig("t").CompatibilityLevel != "FULL" || v.effectiveMode("t") != "IMPORT" || v.effectiveMode("s") != "READONLY" {
		t.Fatalf("view after records: %+v", v)
	}
	if got := v.referencedBy("t", 1); len(got) != 1 || got[0] != 4 {
		t.Fatalf("referencedBy t/1 = %v", got)
	}
	apply(schemaRecord(schemaValue{Subject: "s", Version: 2, ID: 4, Schema: `"int"`, Deleted: true}))
	if v.hasLive("s") != true || len(v.versions("s", false, false)) != 1 || len(v.versions("s", false, true)) != 1 {
		t.Fatal("soft delete not applied")
	}
	apply(schemaTombstone("s", 2))
	apply(schemaTombstone("s", 1))
	apply(watermarkRecord(9))
	if v.ids[4] != nil || v.ids[3].uses != 1 || v.maxID != 9 || v.hasAny("s") {
		t.Fatalf("hard delete not applied: ids %v max %d", v.ids, v.maxID)
	}
	apply(configTombstone("s"))
	apply(modeTombstone(""))
	if v.subjects["s"] != nil || v.effectiveMode("s") != "READWRITE" {
		t.Fatalf("tombstones not applied")
	}
	if err := v.apply(Record{Key: []byte("nope")}); err == nil {
		t.Fatal("a bad key applied")
	}
	if err := v.apply(Record{Key: schemaKey("s", 1), Value: []byte(`{"subject":"other","version":1,"id":1,"schema":"\"int\""}`)}); err == nil {
		t.Fatal("a value not matching its key applied")
	}
}

func FuzzApply(f *testing.F) {
	f.Add(schemaKey("s", 1), mustJSON(schemaValue{Subject: "s", Version: 1, ID: 1, Schema: `"int"`}))
	f.Add(configKey(""), []byte(`{"compatibilityLevel":"FULL"}`))
	f.Add(modeKey("x"), []byte(nil))
	f.Add(watermarkKey(), []byte(`{"maxId":3}`))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		v := newView()
		_ = v.apply(Record{Key: key, Value: value})
		v.subjectNames("", true, false)
		v.lookupContent("x")
	})
}
