package fjord_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// Letting alice write to "orders" and read every topic starting with
// "orders-" on a broker run with --authorizer=acl, then taking her WRITE
// away again. The caller needs ALTER on the cluster (a super user). (Not
// run: it needs a real broker with authorization on.)
func ExampleAdmin_CreateACLs() {
	ctx := context.Background()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers("127.0.0.1:9092"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	admin := fjord.NewAdmin(client)

	err = admin.CreateACLs(ctx,
		fjord.ACLBinding{Principal: "User:alice", ResourceType: fjord.ACLTopic, ResourceName: "orders",
			Operation: fjord.ACLWrite, Permission: fjord.ACLAllow},
		fjord.ACLBinding{Principal: "User:alice", ResourceType: fjord.ACLTopic, PatternType: fjord.ACLPrefixed, ResourceName: "orders-",
			Operation: fjord.ACLRead, Permission: fjord.ACLAllow},
	)
	if errors.Is(err, fjord.ErrClusterAuthorizationFailed) {
		log.Fatalf("only a principal with ALTER on the cluster manages ACLs: %v", err)
	} else if err != nil {
		log.Fatal(err)
	}

	// Every binding that applies to topic "orders-eu": the prefixed READ.
	bindings, err := admin.DescribeACLs(ctx, fjord.ACLFilter{ResourceType: fjord.ACLTopic, PatternType: fjord.ACLMatch, ResourceName: "orders-eu"})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range bindings {
		fmt.Println(b)
	}

	deleted, err := admin.DeleteACLs(ctx, fjord.ACLFilter{Principal: "User:alice", Operation: fjord.ACLWrite})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted", len(deleted))
}
