package fjord_test

import (
	"errors"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

func TestAdmin(t *testing.T) {
	_, cl := newCluster(t, 2, nil)
	a := fjord.NewAdmin(cl)
	ctx := testCtx(t)
	res, err := a.CreateTopic(ctx, "orders", 3, 1, map[string]string{"retention.ms": "1000"})
	if err != nil || res.GetPartitions() != 3 {
		t.Fatalf("create: %v %v", res, err)
	}
	if _, err := a.CreateTopic(ctx, "orders", 3, 1, nil); !errors.Is(err, fjord.ErrTopicAlreadyExists) {
		t.Fatalf("second create: %v", err)
	}
	ls, err := a.ListTopics(ctx, false)
	if err != nil || len(ls) != 1 || ls[0].GetName() != "orders" {
		t.Fatalf("list: %v %v", ls, err)
	}
	if err := a.AlterTopicConfigs(ctx, "orders", map[string]string{"cleanup.policy": "compact"}, []string{"retention.ms"}); err != nil {
		t.Fatal(err)
	}
	if err := a.AddPartitions(ctx, "orders", 5); err != nil {
		t.Fatal(err)
	}
	d, err := a.DescribeTopic(ctx, "orders")
	if err != nil || len(d.GetPartitions()) != 5 || len(d.GetConfigs()) != 1 || d.GetConfigs()[0].GetName() != "cleanup.policy" {
		t.Fatalf("describe: %v %v", d, err)
	}
	// The client's metadata follows the new partition count.
	md, err := cl.Metadata(ctx, "orders")
	if err != nil || len(md.GetTopics()[0].GetPartitions()) != 5 {
		t.Fatalf("metadata: %v %v", md, err)
	}
	produceBatches(t, cl, "orders", 3, 2, 4)
	for _, tc := range []struct {
		at   fjord.Offset
		want int64
	}{{fjord.AtStart(), 0}, {fjord.AtEnd(), 8}, {fjord.AtOffset(6), 6}, {fjord.AtTime(time.UnixMilli(3000)), 2}, {fjord.AtTime(time.UnixMilli(1e12)), 8}} {
		if got, err := a.ListOffset(ctx, "orders", 3, tc.at); err != nil || got != tc.want {
			t.Errorf("ListOffset(%v) = %d, %v; want %d", tc.at, got, err, tc.want)
		}
	}
	low, err := a.DeleteRecords(ctx, "orders", 3, 4)
	if err != nil || low != 4 {
		t.Fatalf("delete records: %d %v", low, err)
	}
	if got, _ := a.ListOffset(ctx, "orders", 3, fjord.AtStart()); got != 4 {
		t.Fatalf("start after delete: %d", got)
	}
	cd, err := a.DescribeCluster(ctx)
	if err != nil || len(cd.GetBrokers()) != 2 {
		t.Fatalf("cluster: %v %v", cd, err)
	}
	if err := a.DeleteTopic(ctx, "orders"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DescribeTopic(ctx, "orders"); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("describe deleted: %v", err)
	}
	if err := a.DeleteTopic(ctx, "orders"); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Fatalf("delete twice: %v", err)
	}
}
