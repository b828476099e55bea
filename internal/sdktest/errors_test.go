package sdktest_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	fjord "github.com/fjordlog/fjord/clients/go"
)

func TestProduceUnknownTopic(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	p := newProducer(t, cl)
	r := &fjord.Record{Topic: "no-such-topic", Value: []byte("x")}
	err := p.ProduceSync(ctxT(t), r)
	if !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("ProduceSync to an unknown topic = %v, want ErrUnknownTopicOrPartition", err)
	}
	var fe *fjord.Error
	if !errors.As(err, &fe) || fe.Topic != "no-such-topic" || fe.Retriable {
		t.Fatalf("error %#v: want a non-retriable *fjord.Error naming the topic", err)
	}
	if !strings.Contains(err.Error(), "no-such-topic") {
		t.Errorf("message %q does not name the topic", err)
	}
}

// TestProduceMessageTooLarge sends batches above the topic's
// max.message.bytes: the broker rejects them with MESSAGE_TOO_LARGE and the
// SDK must pass that on typed, located and without retrying, while the
// records that fit (here in other partitions of the same requests) succeed.
func TestProduceMessageTooLarge(t *testing.T) {
	t.Parallel()
	const limit = 4096
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "small", 2, map[string]string{"max.message.bytes": strconv.Itoa(limit)})
	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))

	big := &fjord.Record{Topic: "small", Partition: 0, Value: bytes.Repeat([]byte("x"), 2*limit)}
	err := p.ProduceSync(ctxT(t), big)
	if !errors.Is(err, fjord.ErrMessageTooLarge) {
		t.Fatalf("ProduceSync of a %d-byte record to a topic with max.message.bytes=%d = %v, want ErrMessageTooLarge", len(big.Value), limit, err)
	}
	var fe *fjord.Error
	if !errors.As(err, &fe) || fe.Topic != "small" || fe.Partition != 0 || fe.Retriable || fe.Message == "" {
		t.Fatalf("error %#v: want a non-retriable *fjord.Error for small/0 with a message", err)
	}

	// Many records that fit one by one but not as one batch: the producer
	// batches up to BatchBytes (1 MiB), which knows nothing of the topic's
	// limit, so the broker rejects the batch; the producer must split it
	// rather than fail records the topic accepts.
	var many []*fjord.Record
	for range 20 {
		many = append(many, &fjord.Record{Topic: "small", Partition: 1, Value: bytes.Repeat([]byte("y"), limit/8)})
	}
	fits := &fjord.Record{Topic: "small", Partition: 0, Value: []byte("fits")}
	errs := make([]error, len(many))
	for i, r := range many {
		p.Produce(ctxT(t), r, func(_ *fjord.Record, err error) { errs[i] = err })
	}
	p.Produce(ctxT(t), fits, func(_ *fjord.Record, err error) {
		if err != nil {
			t.Errorf("small record: %v", err)
		}
	})
	if err := p.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if fits.Offset != 0 {
		t.Errorf("small record acknowledged at offset %d, want 0", fits.Offset)
	}
	for i, r := range many {
		if errs[i] != nil || r.Offset != int64(i) {
			t.Errorf("record %d of a batch above max.message.bytes: offset %d, %v; want offset %d", i, r.Offset, errs[i], i)
		}
	}

	// A record larger than the producer's whole buffer never reaches the broker.
	small, err2 := fjord.NewProducer(cl, fjord.MaxBufferedBytes(1024))
	if err2 != nil {
		t.Fatal(err2)
	}
	defer small.Close()
	if err := small.ProduceSync(ctxT(t), &fjord.Record{Topic: "small", Value: make([]byte, 2048)}); !errors.Is(err, fjord.ErrRecordTooLarge) {
		t.Errorf("record above MaxBufferedBytes = %v, want ErrRecordTooLarge", err)
	}
}
