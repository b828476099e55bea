package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
	"github.com/fjordlog/fjord/storage"
)

// benchBatch builds one producer batch of n records of size bytes each.
func benchBatch(b *testing.B, n, size int) []byte {
	b.Helper()
	var bb storage.BatchBuilder
	value := make([]byte, size)
	now := time.Now().UnixMilli()
	for i := 0; i < n; i++ {
		bb.Add(nil, value, now)
	}
	out, err := bb.Build(nil)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkProduce measures unary Produce through gRPC on loopback, one
// partition, 16 KiB batches, as a producer with one request in flight sees it.
func BenchmarkProduce(b *testing.B) {
	for _, c := range []struct {
		name       string
		recordSize int
		acks       fjordv1.Acks
		policy     string
	}{
		{"100B/acks=leader", 100, fjordv1.Acks_ACKS_LEADER, flushPolicySync},
		{"100B/acks=all/sync", 100, fjordv1.Acks_ACKS_ALL, flushPolicySync},
		{"100B/acks=all/replication", 100, fjordv1.Acks_ACKS_ALL, flushPolicyReplication},
		{"1KiB/acks=leader", 1024, fjordv1.Acks_ACKS_LEADER, flushPolicySync},
	} {
		b.Run(c.name, func(b *testing.B) {
			tb := startBroker(b, "")
			tb.createTopic("bench", 1, map[string]string{cfgFlushPolicy: c.policy})
			n := 16 << 10 / (c.recordSize + 8)
			batch := benchBatch(b, n, c.recordSize)
			req := &wirev1.ProduceRequest{Acks: c.acks, Topics: []*wirev1.ProduceTopicData{{Topic: "bench",
				Partitions: []*wirev1.ProducePartitionData{{Batches: [][]byte{batch}}}}}}
			resp := new(fjordv1.ProduceResponse)
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := tb.conn.Invoke(context.Background(), fjordv1.ProduceService_Produce_FullMethodName, req, resp); err != nil {
					b.Fatal(err)
				}
				if e := resp.GetTopics()[0].GetPartitions()[0].GetError(); e != nil {
					b.Fatal(e)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkFetch measures Fetch of stored batches through gRPC on loopback.
func BenchmarkFetch(b *testing.B) {
	tb := startBroker(b, "")
	tb.createTopic("bench", 1, map[string]string{cfgFlushPolicy: flushPolicyReplication})
	const perBatch = 16 << 10 / 108
	batch := benchBatch(b, perBatch, 100)
	const batches = 2048
	for i := 0; i < batches; i++ {
		req := &wirev1.ProduceRequest{Acks: fjordv1.Acks_ACKS_LEADER, Topics: []*wirev1.ProduceTopicData{{Topic: "bench",
			Partitions: []*wirev1.ProducePartitionData{{Batches: [][]byte{batch}}}}}}
		if err := tb.conn.Invoke(context.Background(), fjordv1.ProduceService_Produce_FullMethodName, req, new(fjordv1.ProduceResponse)); err != nil {
			b.Fatal(err)
		}
	}
	end := int64(batches * perBatch)
	resp := new(wirev1.FetchResponse)
	b.ReportAllocs()
	b.ResetTimer()
	var records, bytes int64
	offset := int64(0)
	for i := 0; i < b.N; i++ {
		req := &fjordv1.FetchRequest{MaxBytes: 4 << 20, Topics: []*fjordv1.FetchTopic{{Topic: "bench",
			Partitions: []*fjordv1.FetchPartition{{Offset: offset, MaxBytes: 4 << 20}}}}}
		if err := tb.conn.Invoke(context.Background(), fjordv1.FetchService_Fetch_FullMethodName, req, resp); err != nil {
			b.Fatal(err)
		}
		pr := resp.GetTopics()[0].GetPartitions()[0]
		if pr.GetError() != nil || len(pr.GetBatches()) == 0 {
			b.Fatal(fmt.Sprint(pr.GetError()))
		}
		for _, bt := range pr.GetBatches() {
			h, _, err := storage.ParseBatchHeader(bt)
			if err != nil {
				b.Fatal(err)
			}
			records += int64(h.RecordCount)
			bytes += int64(len(bt))
			offset = h.NextOffset()
		}
		if offset >= end {
			offset = 0
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
}
