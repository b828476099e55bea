package schemaregistry

import (
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/linkedin/goavro/v2"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func framed(id int32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32([]byte{0}, uint32(id))
	return append(b, payload...)
}

func encode(t *testing.T, schema string, native any) []byte {
	t.Helper()
	c, err := goavro.NewCodec(schema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.BinaryFromNative(nil, native)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckPayload covers the wire format, the subject strategies and full
// decoding, schemas with references (decoded through a union) included.
func TestCheckPayload(t *testing.T) {
	r := newTestRegistry(t, newMemBackend())
	ctx := testCtx(t)
	register := func(subject, schema string, refs ...*fjordv1.SchemaReference) int32 {
		t.Helper()
		resp, err := r.Register(ctx, &fjordv1.RegisterRequest{Subject: subject, Schema: schema, References: refs})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetId()
	}
	const customer = `{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"name","type":"string"}]}`
	const order = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"customer","type":"Customer"}]}`
	const orderInline = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"customer","type":` + customer + `}]}`
	const union = `["null","com.acme.Customer"]`
	custID := register("customer", customer)
	ref := &fjordv1.SchemaReference{Name: "com.acme.Customer", Subject: "customer", Version: 1}
	orderID := register("orders-value", order, ref)
	unionID := register("maybe-value", union, ref)
	recordID := register("com.acme.Order", order, ref)
	register("orders-com.acme.Order", order, ref)

	goodOrder := encode(t, orderInline, map[string]any{"id": int64(7), "customer": map[string]any{"name": "ada"}})
	goodUnion := encode(t, `["null",`+customer+`]`, map[string]any{"com.acme.Customer": map[string]any{"name": "ada"}})
	for _, tc := range []struct {
		name, topic, strategy string
		isKey, full           bool
		data                  []byte
		wantErr               string
	}{
		{"id only", "orders", StrategyTopic, false, false, framed(orderID, []byte("junk")), ""},
		{"full with a reference", "orders", StrategyTopic, false, true, framed(orderID, goodOrder), ""},
		{"full, truncated", "orders", StrategyTopic, false, true, framed(orderID, goodOrder[:3]), "does not decode"},
		{"full, trailing bytes", "orders", StrategyTopic, false, true, framed(orderID, append(goodOrder, 1)), "left over"},
		{"union with a reference", "maybe", StrategyTopic, false, true, framed(unionID, goodUnion), ""},
		{"union, null branch", "maybe", StrategyTopic, false, true, framed(unionID, []byte{0}), ""},
		{"union, bad branch", "maybe", StrategyTopic, false, true, framed(unionID, []byte{8}), "does not decode"},
		{"wrong subject", "orders", StrategyTopic, true, false, framed(orderID, goodOrder), `"orders-key"`},
		{"unknown id", "orders", StrategyTopic, false, false, framed(99, goodOrder), "not registered"},
		{"magic", "orders", StrategyTopic, false, false, append([]byte{1}, framed(orderID, goodOrder)[1:]...), "magic byte 1"},
		{"short", "orders", StrategyTopic, false, false, []byte{0, 0, 0}, "too short"},
		{"record strategy", "any", StrategyRecord, false, true, framed(recordID, goodOrder), ""},
		{"record strategy, not registered under the name", "any", StrategyRecord, false, false, framed(custID, goodOrder), `"com.acme.Customer"`},
		{"record strategy, unnamed schema", "maybe", StrategyRecord, false, false, framed(unionID, goodUnion), "not a named type"},
		{"topic-record strategy", "orders", StrategyTopicRecord, false, false, framed(orderID, goodOrder), ""},
		{"topic-record strategy, other topic", "other", StrategyTopicRecord, false, false, framed(orderID, goodOrder), `"other-com.acme.Order"`},
	} {
		err := r.CheckPayload(ctx, tc.topic, tc.isKey, tc.strategy, tc.full, tc.data)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		}
	}
}

func BenchmarkCheckPayloadFull(b *testing.B) {
	be := newMemBackend()
	r, err := New(Options{Backend: be})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	const schema = `{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"s","type":"string"}]}`
	resp, err := r.Register(b.Context(), &fjordv1.RegisterRequest{Subject: "t-value", Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := goavro.NewCodec(schema)
	payload, _ := c.BinaryFromNative(nil, map[string]any{"a": int64(1), "s": "hello"})
	data := framed(resp.GetId(), payload)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.CheckPayload(b.Context(), "t", false, StrategyTopic, true, data); err != nil {
			b.Fatal(err)
		}
	}
}

// A full check of a few bytes claiming a block of 2^31-1 items is refused
// without allocating for them (goavro alone allocates 32 GiB for it).
func TestCheckPayloadHugeBlockCount(t *testing.T) {
	r := newTestRegistry(t, newMemBackend())
	ctx := testCtx(t)
	for _, tc := range []struct{ subject, schema string }{
		{"ints-value", `{"type":"array","items":"int"}`},
		{"nulls-value", `{"type":"array","items":"null"}`},
		{"map-value", `{"type":"map","values":"null"}`},
		{"nested-value", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":{"type":"array","items":"long"}}}]}`},
	} {
		resp, err := r.Register(ctx, &fjordv1.RegisterRequest{Subject: tc.subject, Schema: tc.schema})
		if err != nil {
			t.Fatal(err)
		}
		topic := strings.TrimSuffix(tc.subject, "-value")
		for _, count := range []int64{1<<31 - 1, -(1<<31 - 1), 1 << 62} {
			data := framed(resp.GetId(), binary.AppendVarint(nil, count))
			if count < 0 {
				data = binary.AppendVarint(data, 0) // block size
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := r.CheckPayload(ctx, topic, false, StrategyTopic, true, data)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "does not decode") {
				t.Errorf("%s, block count %d: %v, want a decoding error", tc.subject, count, err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
				t.Errorf("%s, block count %d: allocated %d bytes", tc.subject, count, grew)
			}
		}
		// Null items take no bytes: a few are fine, a complete block of
		// 2^31-1 is refused (a decoder building it spends 32 GiB).
		if tc.subject == "nulls-value" {
			for count, ok := range map[int64]bool{3: true, 1 << 16: true, 1<<16 + 1: false, 1<<31 - 1: false} {
				data := framed(resp.GetId(), binary.AppendVarint(binary.AppendVarint(nil, count), 0))
				if err := r.CheckPayload(ctx, topic, false, StrategyTopic, true, data); (err == nil) != ok {
					t.Errorf("%d nulls: %v, want ok %v", count, err, ok)
				}
			}
		}
	}
}
