package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// Moving partition 0 of "orders" to brokers 2 and 3, then waiting for the
// new replicas to catch up. (Not run: the fake broker has one replica per
// partition and no reassignments.)
func ExampleAdmin_AlterPartitionReassignments() {
	ctx := context.Background()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers("127.0.0.1:9092"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	admin := fjord.NewAdmin(client)

	res, err := admin.AlterPartitionReassignments(ctx, fjord.Reassignment{Topic: "orders", Partition: 0, Replicas: []int32{2, 3}})
	if err != nil {
		log.Fatal(err)
	}
	if err := res[0].Err; errors.Is(err, fjord.ErrInvalidReplicaAssignment) {
		log.Fatalf("bad target: %v", err)
	} else if err != nil {
		log.Fatal(err)
	}
	for {
		ongoing, err := admin.ListPartitionReassignments(ctx, fjord.TopicPartitions{Topic: "orders", Partitions: []int32{0}})
		if err != nil {
			log.Fatal(err)
		}
		if len(ongoing["orders"]) == 0 {
			break
		}
		o := ongoing["orders"][0]
		fmt.Printf("adding %v, removing %v, in sync %v\n", o.GetAddingReplicas(), o.GetRemovingReplicas(), o.GetIsr())
		time.Sleep(time.Second)
	}
	// Leadership follows the new preferred replica (broker 2).
	elections, err := admin.ElectPreferredLeaders(ctx, fjord.TopicPartitions{Topic: "orders", Partitions: []int32{0}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("leader:", elections[0].Leader, elections[0].Err)
}
