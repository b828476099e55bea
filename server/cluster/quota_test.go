package cluster

import (
	"encoding/json"
	"errors"
	"testing"
)

func applyQuotas(t *testing.T, img *Image, alts ...QuotaAlteration) *Image {
	t.Helper()
	next, _, err := img.Apply(img.Offset()+1, AlterClientQuotasRecord(&AlterClientQuotas{Alterations: alts}))
	if err != nil {
		t.Fatalf("apply %v: %v", alts, err)
	}
	return next
}

func TestResolveQuotaPrecedence(t *testing.T) {
	const key = QuotaProducerByteRate
	img := NewImage()
	// Kafka's order, most specific first; each entity gets its rank as value.
	entities := []QuotaEntity{
		{User: "User:alice", ClientID: "app"},
		{User: "User:alice", ClientID: QuotaDefault},
		{User: "User:alice"},
		{User: QuotaDefault, ClientID: "app"},
		{User: QuotaDefault, ClientID: QuotaDefault},
		{User: QuotaDefault},
		{ClientID: "app"},
		{ClientID: QuotaDefault},
	}
	for i, e := range entities {
		img = applyQuotas(t, img, QuotaAlteration{Entity: e, Set: map[string]float64{key: float64(i + 1)}})
	}
	// Removing entities from the most specific on exposes each next one.
	for i, e := range entities {
		got, ok := img.ResolveQuota("User:alice", "app", key)
		if !ok || got.Entity != e || got.Value != float64(i+1) {
			t.Fatalf("step %d: resolved %+v, %v; want %v = %d", i, got, ok, e, i+1)
		}
		img = applyQuotas(t, img, QuotaAlteration{Entity: e, Delete: []string{key}})
	}
	if got, ok := img.ResolveQuota("User:alice", "app", key); ok {
		t.Fatalf("no quotas left, resolved %+v", got)
	}
	if len(img.ClientQuotas()) != 0 {
		t.Fatalf("entities without values kept: %v", img.ClientQuotas())
	}
}

func TestResolveQuotaPerKey(t *testing.T) {
	img := applyQuotas(t, NewImage(),
		QuotaAlteration{Entity: QuotaEntity{User: "User:bob"}, Set: map[string]float64{QuotaProducerByteRate: 100}},
		QuotaAlteration{Entity: QuotaEntity{ClientID: QuotaDefault}, Set: map[string]float64{QuotaConsumerByteRate: 50, QuotaProducerByteRate: 10}})
	if q, ok := img.ResolveQuota("User:bob", "x", QuotaProducerByteRate); !ok || q.Value != 100 {
		t.Fatalf("bob produce = %+v %v, want 100 from the user entity", q, ok)
	}
	if q, ok := img.ResolveQuota("User:bob", "x", QuotaConsumerByteRate); !ok || q.Value != 50 || q.Entity.ClientID != QuotaDefault {
		t.Fatalf("bob fetch = %+v %v, want 50 from the default client", q, ok)
	}
	if q, ok := img.ResolveQuota("User:carol", "", QuotaProducerByteRate); !ok || q.Value != 10 {
		t.Fatalf("carol without client id = %+v %v, want the default client's 10", q, ok)
	}
}

func TestAlterClientQuotasRejects(t *testing.T) {
	img := NewImage()
	for _, alt := range []QuotaAlteration{
		{Entity: QuotaEntity{}, Set: map[string]float64{QuotaProducerByteRate: 1}},
		{Entity: QuotaEntity{User: "alice"}, Set: map[string]float64{QuotaProducerByteRate: 1}},
		{Entity: QuotaEntity{ClientID: "c"}, Set: map[string]float64{"request_percentage": 1}},
		{Entity: QuotaEntity{ClientID: "c"}, Set: map[string]float64{QuotaProducerByteRate: 0}},
		{Entity: QuotaEntity{ClientID: "c"}, Set: map[string]float64{QuotaProducerByteRate: -5}},
	} {
		next, _, err := img.Apply(1, AlterClientQuotasRecord(&AlterClientQuotas{Alterations: []QuotaAlteration{alt}}))
		if !errors.Is(err, ErrInvalidRecord) || next != img {
			t.Errorf("%+v: err %v, image changed %v; want ErrInvalidRecord and no change", alt, err, next != img)
		}
	}
	// One bad alteration rejects the whole record.
	_, _, err := img.Apply(1, AlterClientQuotasRecord(&AlterClientQuotas{Alterations: []QuotaAlteration{
		{Entity: QuotaEntity{ClientID: "ok"}, Set: map[string]float64{QuotaProducerByteRate: 1}},
		{Entity: QuotaEntity{ClientID: "bad"}, Set: map[string]float64{QuotaProducerByteRate: -1}},
	}}))
	if err == nil {
		t.Fatal("a record with one invalid alteration was applied")
	}
}

func TestClientQuotasSnapshot(t *testing.T) {
	img := NewImage()
	data, err := img.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if f := decodeSnapshotVersion(t, data); f != 1 {
		t.Fatalf("snapshot without quotas has version %d, want 1 (readable by older nodes)", f)
	}
	img = applyQuotas(t, img,
		QuotaAlteration{Entity: QuotaEntity{User: "User:alice", ClientID: "app"}, Set: map[string]float64{QuotaProducerByteRate: 1024, QuotaConsumerByteRate: 2048}},
		QuotaAlteration{Entity: QuotaEntity{ClientID: QuotaDefault}, Set: map[string]float64{QuotaConsumerByteRate: 5}})
	data, err = img.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if f := decodeSnapshotVersion(t, data); f != 3 {
		t.Fatalf("snapshot with quotas has version %d, want 3", f)
	}
	back, err := Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Fatalf("restored image snapshots differently:\n%s\n%s", data, again)
	}
	if q, ok := back.ResolveQuota("User:alice", "app", QuotaConsumerByteRate); !ok || q.Value != 2048 {
		t.Fatalf("restored quota = %+v %v, want 2048", q, ok)
	}
}

func decodeSnapshotVersion(t *testing.T, data []byte) int {
	t.Helper()
	var f struct {
		Version int `json:"v"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Version
}
