package fjord_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/fjordfake"
)

// startFake stands in for a real cluster so the examples run anywhere.
func startFake() (*fjordfake.Cluster, string) {
	fc, err := fjordfake.New(1)
	if err != nil {
		log.Fatal(err)
	}
	if err := fc.CreateTopic("orders", 3); err != nil {
		log.Fatal(err)
	}
	return fc, fc.Addrs()[0]
}

func Example_produce() {
	fc, addr := startFake()
	defer fc.Close()
	ctx := context.Background()

	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	producer, err := fjord.NewProducer(client, fjord.Linger(10*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer producer.Close()

	// Asynchronous: the promise runs once the broker acknowledged.
	done := make(chan struct{})
	producer.Produce(ctx, &fjord.Record{Topic: "orders", Key: []byte("alice"), Value: []byte("book")}, func(r *fjord.Record, err error) {
		defer close(done)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("alice -> partition %d offset %d\n", r.Partition, r.Offset)
	})
	<-done

	// Synchronous: wait for a group of records.
	r := &fjord.Record{Topic: "orders", Key: []byte("alice"), Value: []byte("pen")}
	if err := producer.ProduceSync(ctx, r); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("alice -> partition %d offset %d\n", r.Partition, r.Offset)
	// Output:
	// alice -> partition 0 offset 0
	// alice -> partition 0 offset 1
}

func Example_consume() {
	fc, addr := startFake()
	defer fc.Close()
	ctx := context.Background()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	producer, _ := fjord.NewProducer(client, fjord.WithPartitioner(fjord.ManualPartitioner()))
	for i := range 3 {
		producer.ProduceSync(ctx, &fjord.Record{Topic: "orders", Partition: 2, Value: fmt.Appendf(nil, "order-%d", i)})
	}
	producer.Close()

	consumer, err := fjord.NewConsumer(client)
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	consumer.Assign("orders", 2, fjord.AtOffset(1))

	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	records, err := consumer.Poll(pctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range records {
		fmt.Printf("%s/%d@%d %s\n", r.Topic, r.Partition, r.Offset, r.Value)
	}
	// Output:
	// orders/2@1 order-1
	// orders/2@2 order-2
}

// hotKeyPartitioner gives one very hot key a partition of its own and
// spreads every other key over the remaining partitions with Kafka's hash.
type hotKeyPartitioner struct {
	hot       []byte
	dedicated int32
}

func (h hotKeyPartitioner) Partition(r *fjord.Record, n int32) int32 {
	if bytes.Equal(r.Key, h.hot) {
		return h.dedicated
	}
	p := fjord.KeyHashPartition(r.Key, n-1) // 0..n-2
	if p >= h.dedicated {
		p++ // skip the dedicated partition
	}
	return p
}

func ExampleWithPartitioner_hotKey() {
	fc, addr := startFake()
	defer fc.Close()
	ctx := context.Background()
	client, _ := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	defer client.Close()
	producer, _ := fjord.NewProducer(client, fjord.WithPartitioner(hotKeyPartitioner{hot: []byte("celebrity"), dedicated: 0}))
	defer producer.Close()

	perPartition := map[int32][]string{}
	for _, key := range []string{"celebrity", "alice", "bob", "celebrity", "carol", "dave", "celebrity"} {
		r := &fjord.Record{Topic: "orders", Key: []byte(key)}
		if err := producer.ProduceSync(ctx, r); err != nil {
			log.Fatal(err)
		}
		perPartition[r.Partition] = append(perPartition[r.Partition], key)
	}
	for p := range int32(3) {
		fmt.Println(p, perPartition[p])
	}
	// Output:
	// 0 [celebrity celebrity celebrity]
	// 1 [bob carol dave]
	// 2 [alice]
}

// Produce failures come in two kinds. A definite one means the records were
// not written (the producer already retried it if it could). An indefinite
// one (IsIndefinite) means they may have been. An idempotent producer (the
// default) retries those too, and the broker drops a retry of a batch it
// has; without idempotence the producer does not retry them, since a retry
// could write the records twice, and the application decides, e.g. by
// reading the partition back (here the record is in the log).
func Example_produceFailures() {
	fc, addr := startFake()
	defer fc.Close()
	ctx := context.Background()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for _, idempotent := range []bool{true, false} {
		producer, err := fjord.NewProducer(client, fjord.WithPartitioner(fjord.ManualPartitioner()), fjord.Idempotence(idempotent))
		if err != nil {
			log.Fatal(err)
		}
		// As if the leader appended the batch, then failed while waiting
		// for its followers (acks=ALL).
		fc.InjectProduceErrorAfterAppend("orders", 0, fjord.ReasonRequestTimedOut, 1)
		r := &fjord.Record{Topic: "orders", Partition: 0, Value: []byte("book")}
		err = producer.ProduceSync(ctx, r)
		fmt.Printf("idempotent %v: ", idempotent)
		switch {
		case err == nil:
			fmt.Println("written at offset", r.Offset)
		case fjord.IsIndefinite(err):
			fmt.Println("maybe written:", errors.Is(err, fjord.ErrRequestTimedOut))
		case errors.Is(err, fjord.ErrWouldReorder):
			fmt.Println("not written; producing it again would put it after later records")
		default:
			fmt.Println("not written:", err)
		}
		producer.Close()
	}
	fmt.Println("records in the log:", fc.EndOffset("orders", 0))
	// Output:
	// idempotent true: written at offset 0
	// idempotent false: maybe written: true
	// records in the log: 2
}
