package fjord_test

import (
	"context"
	"fmt"
	"log"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// A group consumer gets its partitions from the group's coordinator,
// starts each from the group's committed offset (or ResetOffset where
// there is none), and with auto-commit commits what Poll returned at the
// next Poll, before a partition moves to another member, and on Close.
func Example_groupConsumer() {
	fc, addr := startFake()
	defer fc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(addr))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	producer, _ := fjord.NewProducer(client, fjord.WithPartitioner(fjord.ManualPartitioner()))
	for i := range 3 {
		producer.ProduceSync(ctx, &fjord.Record{Topic: "orders", Partition: 1, Value: fmt.Appendf(nil, "order-%d", i)})
	}
	producer.Close()

	consumer, err := fjord.NewGroupConsumer(client, "billing",
		fjord.Topics("orders"),
		fjord.ResetOffset(fjord.AtStart()), // no committed offsets yet: read from the start
		fjord.OnAssigned(func(_ context.Context, tps []fjord.TopicPartition) { fmt.Println("assigned", tps) }),
		fjord.OnRevoked(func(_ context.Context, tps []fjord.TopicPartition) { fmt.Println("revoked", tps) }))
	if err != nil {
		log.Fatal(err)
	}
	for n := 0; n < 3; {
		records, err := consumer.Poll(ctx)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range records {
			fmt.Printf("%s/%d@%d %s\n", r.Topic, r.Partition, r.Offset, r.Value)
		}
		n += len(records)
	}
	if err := consumer.Close(); err != nil { // commits, leaves the group
		log.Fatal(err)
	}

	offsets, err := fjord.NewAdmin(client).FetchOffsets(ctx, "billing")
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range offsets {
		for _, p := range t.GetPartitions() {
			fmt.Printf("committed %s/%d: %d\n", t.GetTopic(), p.GetPartition(), p.GetOffset())
		}
	}
	// Output:
	// assigned [{orders 0} {orders 1} {orders 2}]
	// orders/1@0 order-0
	// orders/1@1 order-1
	// orders/1@2 order-2
	// revoked [{orders 0} {orders 1} {orders 2}]
	// committed orders/1: 3
}
