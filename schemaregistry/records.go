package schemaregistry

import (
	"encoding/json"
	"fmt"
)

// This file defines the records of the _schemas topic. Keys and values are
// JSON in the shape of Confluent's schema registry; the key bytes are
// deterministic (compaction keeps the last record per exact key), so their
// encoding must never change: testdata/records.golden pins it.
//
//	SCHEMA        key {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
//	              value {"subject":S,"version":V,"id":N,["schemaType":T,]
//	                     ["references":[{"name","subject","version"}],]
//	                     "schema":TEXT,"deleted":BOOL}
//	              a null value (tombstone) is a permanent delete
//	CONFIG        key {"keytype":"CONFIG","subject":S|null,"magic":0}
//	              value {"compatibilityLevel":L[,"normalize":true]}; null deletes
//	MODE          key {"keytype":"MODE","subject":S|null,"magic":0}
//	              value {"mode":M}; null deletes
//	ID_WATERMARK  key {"keytype":"ID_WATERMARK","magic":0}
//	              value {"maxId":N}: ids up to N were handed out, written with
//	              permanent deletes so that compaction dropping a deleted
//	              schema's records never lets its id be reused
//
// Records with another keytype (Confluent's NOOP, DELETE_SUBJECT...) are
// ignored.

// Record is one record of _schemas: a key, and a value that is nil for a
// tombstone.
type Record struct {
	// Offset in the _schemas partition (set on records read).
	Offset int64
	Key    []byte
	Value  []byte
}

// Key types.
const (
	keyTypeSchema      = "SCHEMA"
	keyTypeConfig      = "CONFIG"
	keyTypeMode        = "MODE"
	keyTypeIDWatermark = "ID_WATERMARK"
)

// recordKey is every key shape, for decoding.
type recordKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Version int32   `json:"version"`
	Magic   int     `json:"magic"`
}

type schemaKeyJSON struct {
	KeyType string `json:"keytype"`
	Subject string `json:"subject"`
	Version int32  `json:"version"`
	Magic   int    `json:"magic"`
}

type subjectKeyJSON struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Magic   int     `json:"magic"`
}

type watermarkKeyJSON struct {
	KeyType string `json:"keytype"`
	Magic   int    `json:"magic"`
}

// reference is a schema reference as stored and as the REST API spells it.
type reference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int32  `json:"version"`
}

// schemaValue is a SCHEMA record's value.
type schemaValue struct {
	Subject    string      `json:"subject"`
	Version    int32       `json:"version"`
	ID         int32       `json:"id"`
	SchemaType string      `json:"schemaType,omitempty"`
	References []reference `json:"references,omitempty"`
	Schema     string      `json:"schema"`
	Deleted    bool        `json:"deleted"`
}

// configValue is a CONFIG record's value.
type configValue struct {
	CompatibilityLevel string `json:"compatibilityLevel"`
	Normalize          bool   `json:"normalize,omitempty"`
}

// modeValue is a MODE record's value.
type modeValue struct {
	Mode string `json:"mode"`
}

// watermarkValue is an ID_WATERMARK record's value.
type watermarkValue struct {
	MaxID int32 `json:"maxId"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("schemaregistry: encode record: %v", err)) // plain structs always encode
	}
	return b
}

func subjectPtr(subject string) *string {
	if subject == "" {
		return nil // the global config or mode
	}
	return &subject
}

func schemaKey(subject string, version int32) []byte {
	return mustJSON(schemaKeyJSON{KeyType: keyTypeSchema, Subject: subject, Version: version, Magic: 1})
}

func configKey(subject string) []byte {
	return mustJSON(subjectKeyJSON{KeyType: keyTypeConfig, Subject: subjectPtr(subject)})
}

func modeKey(subject string) []byte {
	return mustJSON(subjectKeyJSON{KeyType: keyTypeMode, Subject: subjectPtr(subject)})
}

func watermarkKey() []byte {
	return mustJSON(watermarkKeyJSON{KeyType: keyTypeIDWatermark})
}

// schemaRecord registers (or, deleted, soft-deletes) a subject version.
func schemaRecord(v schemaValue) Record {
	return Record{Key: schemaKey(v.Subject, v.Version), Value: mustJSON(v)}
}

// schemaTombstone permanently deletes a subject version.
func schemaTombstone(subject string, version int32) Record {
	return Record{Key: schemaKey(subject, version)}
}

func configRecord(subject string, v configValue) Record {
	return Record{Key: configKey(subject), Value: mustJSON(v)}
}

func configTombstone(subject string) Record { return Record{Key: configKey(subject)} }

func modeRecord(subject, mode string) Record {
	return Record{Key: modeKey(subject), Value: mustJSON(modeValue{Mode: mode})}
}

func modeTombstone(subject string) Record { return Record{Key: modeKey(subject)} }

func watermarkRecord(maxID int32) Record {
	return Record{Key: watermarkKey(), Value: mustJSON(watermarkValue{MaxID: maxID})}
}

// decodeKey parses a record key. Keys of unknown types decode with their
// KeyType and are ignored by the view.
func decodeKey(b []byte) (recordKey, error) {
	var k recordKey
	if err := json.Unmarshal(b, &k); err != nil {
		return k, fmt.Errorf("schemaregistry: bad record key %q: %w", b, err)
	}
	return k, nil
}

func decodeSchemaValue(b []byte) (schemaValue, error) {
	var v schemaValue
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("schemaregistry: bad schema record value: %w", err)
	}
	return v, nil
}
