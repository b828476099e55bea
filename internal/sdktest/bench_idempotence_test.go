package sdktest_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/server"
)

// BenchmarkProduceIdempotence measures producer throughput against a real
// in-process broker (acks=all, 100-byte values, default batching, one
// partition) with idempotence on (the default) and off. Broker and client
// share the machine, so compare the two, not the absolute figures, with
// `fjord bench produce` against a separate `fjord serve`.
//
//	go test ./internal/sdktest -run '^$' -bench ProduceIdempotence -benchtime 2000000x -count 5
func BenchmarkProduceIdempotence(b *testing.B) {
	for _, idem := range []bool{true, false} {
		b.Run(fmt.Sprintf("idempotence=%v", idem), func(b *testing.B) {
			srv, err := server.New(server.Options{DataDir: b.TempDir(), ListenAddr: "127.0.0.1:0", HTTPAddr: "off"})
			if err != nil {
				b.Fatal(err)
			}
			served := make(chan error, 1)
			go func() { served <- srv.Serve() }()
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				defer cancel()
				if err := srv.Shutdown(ctx); err != nil {
					b.Error(err)
				}
				<-served
			}()
			ctx := context.Background()
			cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(srv.Addr().String()))
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			if _, err := fjord.NewAdmin(cl).CreateTopic(ctx, "bench", 1, 0, nil); err != nil {
				b.Fatal(err)
			}
			p, err := fjord.NewProducer(cl, fjord.Idempotence(idem))
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()

			var failed atomic.Int64
			promise := func(_ *fjord.Record, err error) {
				if err != nil {
					failed.Add(1)
				}
			}
			value := make([]byte, 100)
			const slabSize = 1024
			var slab []fjord.Record
			produce := func() {
				if len(slab) == 0 {
					slab = make([]fjord.Record, slabSize)
				}
				r := &slab[0]
				slab = slab[1:]
				*r = fjord.Record{Topic: "bench", Value: value}
				p.Produce(ctx, r, promise)
			}
			for range 50_000 { // warm up: connections, producer id, buffers
				produce()
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}

			b.SetBytes(int64(len(value)))
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				produce()
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d records failed", n)
			}
		})
	}
}
