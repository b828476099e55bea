package sdktest_test

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

var codecs = []fjordv1.Compression{
	fjordv1.Compression_COMPRESSION_NONE,
	fjordv1.Compression_COMPRESSION_GZIP,
	fjordv1.Compression_COMPRESSION_SNAPPY,
	fjordv1.Compression_COMPRESSION_LZ4,
	fjordv1.Compression_COMPRESSION_ZSTD,
}

// roundTripRecords returns records covering the shapes a record can take:
// keys, null and empty keys, null and empty values, repeated header keys
// and explicit, out-of-order timestamps. Each carries its index in an "id"
// header so the consumed copy can be matched whatever its partition.
func roundTripRecords(topic string) []*fjord.Record {
	base := time.UnixMilli(1_700_000_000_123)
	var out []*fjord.Record
	for i := range 60 {
		r := &fjord.Record{
			Topic:     topic,
			Timestamp: base.Add(time.Duration(i%7-3) * time.Second),
			Headers:   []fjord.Header{{Key: "id", Value: []byte(strconv.Itoa(i))}},
		}
		switch i % 6 {
		case 0:
			r.Key, r.Value = fmt.Appendf(nil, "user-%d", i%11), bytes.Repeat([]byte("v"), i*17)
		case 1:
			r.Key, r.Value = nil, []byte("null key") // sticky partition
		case 2:
			r.Key, r.Value = []byte(fmt.Sprintf("tomb-%d", i)), nil // null value
		case 3:
			r.Key, r.Value = []byte{}, []byte{} // empty, not null
		case 4:
			r.Key, r.Value = nil, nil
		case 5:
			r.Key, r.Value = []byte("hdr"), []byte("repeated headers")
			r.Headers = append(r.Headers,
				fjord.Header{Key: "h", Value: []byte("1")},
				fjord.Header{Key: "h", Value: nil},
				fjord.Header{Key: "h", Value: []byte("3")},
				fjord.Header{Key: "", Value: []byte("empty key")})
		}
		out = append(out, r)
	}
	return out
}

func recordID(t *testing.T, r *fjord.Record) int {
	t.Helper()
	if len(r.Headers) == 0 || r.Headers[0].Key != "id" {
		t.Fatalf("record without id header: %s", describe(r))
	}
	id, err := strconv.Atoi(string(r.Headers[0].Value))
	if err != nil {
		t.Fatalf("bad id header on %s: %v", describe(r), err)
	}
	return id
}

// sameBytes compares byte slices keeping null (nil) distinct from empty.
func sameBytes(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func TestRoundTripEveryCodec(t *testing.T) {
	t.Parallel()
	const partitions = 4
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	for _, codec := range codecs {
		t.Run(codec.String(), func(t *testing.T) {
			topic := "rt-" + codec.String()
			createTopic(t, cl, topic, partitions, nil)
			p := newProducer(t, cl, fjord.Compression(codec), fjord.Linger(time.Hour))
			sent := roundTripRecords(topic)
			want := make([]fjord.Record, len(sent)) // copies: the producer fills Partition and Offset in sent
			for i, r := range sent {
				want[i] = *r
			}
			// Linger is an hour: only Flush sends, so each partition's
			// records go as one batch of mixed shapes.
			errs := make([]error, len(sent))
			for i, r := range sent {
				p.Produce(ctxT(t), r, func(_ *fjord.Record, err error) { errs[i] = err })
			}
			if err := p.Flush(ctxT(t)); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			for i, r := range sent {
				if errs[i] != nil {
					t.Fatalf("record %d: %v", i, errs[i])
				}
				if want[i].Key != nil && r.Partition != fjord.KeyHashPartition(want[i].Key, partitions) {
					t.Errorf("record %d key %q on partition %d, want KeyHashPartition %d", i, want[i].Key, r.Partition, fjord.KeyHashPartition(want[i].Key, partitions))
				}
				if r.Offset < 0 {
					t.Errorf("record %d acknowledged with offset %d", i, r.Offset)
				}
			}

			c := newConsumer(t, cl)
			for part := range int32(partitions) {
				c.Assign(topic, part, fjord.AtStart())
			}
			got := pollN(t, c, len(sent))
			expectNoMore(t, c)
			seen := map[int]bool{}
			next := map[int32]int64{}
			for _, r := range got {
				id := recordID(t, r)
				if seen[id] {
					t.Fatalf("record %d consumed twice", id)
				}
				seen[id] = true
				w, s := want[id], sent[id]
				if r.Topic != topic || r.Partition != s.Partition || r.Offset != s.Offset {
					t.Errorf("record %d consumed at %s/%d@%d, acknowledged at %d@%d", id, r.Topic, r.Partition, r.Offset, s.Partition, s.Offset)
				}
				if r.Offset < next[r.Partition] {
					t.Errorf("partition %d: offset %d after %d", r.Partition, r.Offset, next[r.Partition]-1)
				}
				next[r.Partition] = r.Offset + 1
				if !sameBytes(r.Key, w.Key) {
					t.Errorf("record %d key %q (nil %v), want %q (nil %v)", id, r.Key, r.Key == nil, w.Key, w.Key == nil)
				}
				if !sameBytes(r.Value, w.Value) {
					t.Errorf("record %d value %q (nil %v), want %q (nil %v)", id, r.Value, r.Value == nil, w.Value, w.Value == nil)
				}
				if !slices.EqualFunc(r.Headers, w.Headers, func(a, b fjord.Header) bool { return a.Key == b.Key && bytes.Equal(a.Value, b.Value) }) {
					t.Errorf("record %d headers %q, want %q", id, r.Headers, w.Headers)
				}
				if !r.Timestamp.Equal(w.Timestamp) {
					t.Errorf("record %d timestamp %v, want %v", id, r.Timestamp, w.Timestamp)
				}
			}
			// Offsets are dense from 0 in every partition.
			for part := range int32(partitions) {
				n := int64(0)
				for _, r := range sent {
					if r.Partition == part {
						n++
					}
				}
				if next[part] != n && n > 0 {
					t.Errorf("partition %d: last offset %d, want %d records", part, next[part]-1, n)
				}
			}
		})
	}
}

// TestKeyedRecordsLandOnKeyHashPartition checks Kafka-compatible placement
// for every partitioner that hashes keys, on a topic with an odd partition
// count.
func TestKeyedRecordsLandOnKeyHashPartition(t *testing.T) {
	t.Parallel()
	const partitions = 7
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "keyed", partitions, nil)
	p := newProducer(t, cl)
	var sent []*fjord.Record
	for i := range 200 {
		sent = append(sent, &fjord.Record{Topic: "keyed", Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "%d", i)})
	}
	if err := p.ProduceSync(ctxT(t), sent...); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
	c := newConsumer(t, cl)
	for part := range int32(partitions) {
		c.Assign("keyed", part, fjord.AtStart())
	}
	used := map[int32]bool{}
	for _, r := range pollN(t, c, len(sent)) {
		if want := fjord.KeyHashPartition(r.Key, partitions); r.Partition != want {
			t.Errorf("key %q consumed from partition %d, want %d", r.Key, r.Partition, want)
		}
		used[r.Partition] = true
	}
	if len(used) != partitions {
		t.Errorf("200 keys used %d of %d partitions", len(used), partitions)
	}
}

func TestAcks(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	for _, acks := range []fjordv1.Acks{fjordv1.Acks_ACKS_NONE, fjordv1.Acks_ACKS_LEADER, fjordv1.Acks_ACKS_ALL} {
		t.Run(acks.String(), func(t *testing.T) {
			topic := "acks-" + acks.String()
			createTopic(t, cl, topic, 2, nil)
			p, err := fjord.NewProducer(cl, fjord.Acks(acks), fjord.WithPartitioner(fjord.RoundRobinPartitioner()))
			if err != nil {
				t.Fatal(err)
			}
			const n = 50
			var sent []*fjord.Record
			for i := range n {
				sent = append(sent, &fjord.Record{Topic: topic, Value: []byte(strconv.Itoa(i))})
			}
			err = p.ProduceSync(ctxT(t), sent...)
			if cerr := p.Close(); cerr != nil {
				t.Errorf("Close: %v", cerr)
			}
			if err != nil {
				t.Fatalf("ProduceSync: %v", err)
			}
			for _, r := range sent {
				if acks == fjordv1.Acks_ACKS_NONE && r.Offset != -1 {
					t.Errorf("acks=NONE record %q got offset %d, want -1", r.Value, r.Offset)
				}
				if acks != fjordv1.Acks_ACKS_NONE && r.Offset < 0 {
					t.Errorf("record %q got offset %d", r.Value, r.Offset)
				}
			}
			// Close flushed and ended the streams gracefully, so even the
			// unacknowledged acks=NONE writes are in the log.
			c := newConsumer(t, cl)
			c.Assign(topic, 0, fjord.AtStart())
			c.Assign(topic, 1, fjord.AtStart())
			got := map[string]bool{}
			for _, r := range pollN(t, c, n) {
				got[string(r.Value)] = true
			}
			if len(got) != n {
				t.Errorf("consumed %d distinct records, want %d", len(got), n)
			}
			expectNoMore(t, c)
		})
	}
}
