package sdktest_test

import (
	"errors"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func configValue(d *fjordv1.TopicDescription, name string) (string, fjordv1.ConfigSource) {
	for _, c := range d.GetConfigs() {
		if c.GetName() == name {
			return c.GetValue(), c.GetSource()
		}
	}
	return "", fjordv1.ConfigSource_CONFIG_SOURCE_UNSPECIFIED
}

func TestAdminEndToEnd(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	adm := fjord.NewAdmin(cl)
	ctx := ctxT(t)

	res, err := adm.CreateTopic(ctx, "orders", 2, 1, map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	if res.GetName() != "orders" {
		t.Errorf("CreateTopic result %v", res)
	}
	if _, err := adm.CreateTopic(ctx, "orders", 2, 1, nil); !errors.Is(err, fjord.ErrTopicAlreadyExists) {
		t.Errorf("second CreateTopic = %v, want ErrTopicAlreadyExists", err)
	}
	if _, err := adm.CreateTopic(ctx, "bad-config", 1, 1, map[string]string{"retention.ms": "soon"}); !errors.Is(err, fjord.ErrInvalidConfig) {
		t.Errorf("CreateTopic with a bad config = %v, want ErrInvalidConfig", err)
	}

	p := newProducer(t, cl, fjord.WithPartitioner(fjord.ManualPartitioner()))
	produceN(t, p, "orders", 0, 5, time.Now())
	produceN(t, p, "orders", 1, 3, time.Now())

	d, err := adm.DescribeTopic(ctx, "orders")
	if err != nil {
		t.Fatalf("DescribeTopic: %v", err)
	}
	if len(d.GetPartitions()) != 2 {
		t.Fatalf("described %d partitions, want 2", len(d.GetPartitions()))
	}
	for i, want := range []int64{5, 3} {
		pd := d.GetPartitions()[i]
		if pd.GetPartition() != int32(i) || pd.GetLeaderId() != 1 || pd.GetLogStartOffset() != 0 || pd.GetHighWatermark() != want || pd.GetLogEndOffset() != want {
			t.Errorf("partition %d described as %v, want leader 1, offsets [0, %d)", i, pd, want)
		}
	}
	for name, want := range map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact", "max.message.bytes": "1048576"} {
		if v, _ := configValue(d, name); v != want {
			t.Errorf("config %s = %q, want %q", name, v, want)
		}
	}

	if err := adm.AlterTopicConfigs(ctx, "orders", map[string]string{"retention.bytes": "1000000"}, []string{"cleanup.policy"}); err != nil {
		t.Fatalf("AlterTopicConfigs: %v", err)
	}
	if err := adm.AlterTopicConfigs(ctx, "orders", map[string]string{"cleanup.policy": "sometimes"}, nil); !errors.Is(err, fjord.ErrInvalidConfig) {
		t.Errorf("AlterTopicConfigs with a bad value = %v, want ErrInvalidConfig", err)
	}
	d, err = adm.DescribeTopic(ctx, "orders")
	if err != nil {
		t.Fatalf("DescribeTopic: %v", err)
	}
	for name, want := range map[string]string{"retention.bytes": "1000000", "cleanup.policy": "delete", "retention.ms": "3600000"} {
		if v, _ := configValue(d, name); v != want {
			t.Errorf("after alter, config %s = %q, want %q", name, v, want)
		}
	}

	if err := adm.AddPartitions(ctx, "orders", 3); err != nil {
		t.Fatalf("AddPartitions: %v", err)
	}
	if err := adm.AddPartitions(ctx, "orders", 2); !errors.Is(err, fjord.ErrInvalidPartitions) {
		t.Errorf("AddPartitions to fewer = %v, want ErrInvalidPartitions", err)
	}
	// The producer sees the new partition (the admin marked the topic stale).
	rs := produceN(t, p, "orders", 2, 4, time.Now())
	if rs[3].Partition != 2 || rs[3].Offset != 3 {
		t.Errorf("record produced to the new partition acknowledged at %d@%d", rs[3].Partition, rs[3].Offset)
	}
	c := newConsumer(t, cl)
	c.Assign("orders", 2, fjord.AtStart())
	wantOffsets(t, pollN(t, c, 4), 0)

	if low, err := adm.DeleteRecords(ctx, "orders", 0, 3); err != nil || low != 3 {
		t.Errorf("DeleteRecords(3) = %d, %v; want 3", low, err)
	}
	if low, err := adm.DeleteRecords(ctx, "orders", 1, -1); err != nil || low != 3 {
		t.Errorf("DeleteRecords(-1) = %d, %v; want the high watermark 3", low, err)
	}
	if _, err := adm.DeleteRecords(ctx, "orders", 0, 99); !errors.Is(err, fjord.ErrOffsetOutOfRange) {
		t.Errorf("DeleteRecords beyond the high watermark = %v, want ErrOffsetOutOfRange", err)
	}
	for _, tc := range []struct {
		part int32
		at   fjord.Offset
		want int64
	}{
		{0, fjord.AtStart(), 3}, {0, fjord.AtEnd(), 5},
		{1, fjord.AtStart(), 3}, {1, fjord.AtEnd(), 3},
		{2, fjord.AtStart(), 0}, {2, fjord.AtEnd(), 4},
	} {
		if off, err := adm.ListOffset(ctx, "orders", tc.part, tc.at); err != nil || off != tc.want {
			t.Errorf("ListOffset(%d, %v) = %d, %v; want %d", tc.part, tc.at, off, err, tc.want)
		}
	}
	if _, err := adm.ListOffset(ctx, "orders", 7, fjord.AtEnd()); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Errorf("ListOffset of a missing partition = %v, want ErrUnknownTopicOrPartition", err)
	}

	topics, err := adm.ListTopics(ctx, false)
	if err != nil || len(topics) != 1 || topics[0].GetName() != "orders" {
		t.Errorf("ListTopics = %v, %v; want [orders]", topics, err)
	}

	cd, err := adm.DescribeCluster(ctx)
	if err != nil {
		t.Fatalf("DescribeCluster: %v", err)
	}
	if cd.GetClusterId() == "" || cd.GetControllerId() != 1 || len(cd.GetBrokers()) != 1 ||
		cd.GetBrokers()[0].GetId() != 1 || cd.GetBrokers()[0].GetAddress() != b.addr() {
		t.Errorf("DescribeCluster = %v, want one broker 1 at %s", cd, b.addr())
	}

	if err := adm.DeleteTopic(ctx, "orders"); err != nil {
		t.Fatalf("DeleteTopic: %v", err)
	}
	if err := adm.DeleteTopic(ctx, "orders"); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Errorf("second DeleteTopic = %v, want ErrUnknownTopicOrPartition", err)
	}
	if _, err := adm.DescribeTopic(ctx, "orders"); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Errorf("DescribeTopic after delete = %v, want ErrUnknownTopicOrPartition", err)
	}
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "orders", Partition: 0, Value: []byte("late")}); !errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
		t.Errorf("produce to a deleted topic = %v, want ErrUnknownTopicOrPartition", err)
	}
}

// TestLogAppendTime checks that a LogAppendTime topic replaces the
// producer's timestamps with the broker's clock, both in the produce
// acknowledgement and in consumed records.
func TestLogAppendTime(t *testing.T) {
	t.Parallel()
	b := startBroker(t, "")
	cl := newClient(t, b.addr())
	createTopic(t, cl, "lat", 1, map[string]string{"message.timestamp.type": "LogAppendTime"})
	p := newProducer(t, cl)
	old := time.UnixMilli(1_000_000_000_000) // 2001
	before := time.Now().Truncate(time.Millisecond)
	rs := []*fjord.Record{
		{Topic: "lat", Value: []byte("a"), Timestamp: old},
		{Topic: "lat", Value: []byte("b"), Timestamp: old.Add(time.Hour)},
	}
	if err := p.ProduceSync(ctxT(t), rs...); err != nil {
		t.Fatalf("ProduceSync: %v", err)
	}
	after := time.Now()
	for _, r := range rs {
		if r.Timestamp.Before(before) || r.Timestamp.After(after) {
			t.Errorf("acknowledged record %q has timestamp %v, want the broker's append time in [%v, %v]", r.Value, r.Timestamp, before, after)
		}
	}
	c := newConsumer(t, cl)
	c.Assign("lat", 0, fjord.AtStart())
	for _, r := range pollN(t, c, 2) {
		if r.Timestamp.Before(before) || r.Timestamp.After(after) {
			t.Errorf("consumed record %q has timestamp %v, want the broker's append time in [%v, %v]", r.Value, r.Timestamp, before, after)
		}
		if !r.Timestamp.Equal(rs[r.Offset].Timestamp) {
			t.Errorf("consumed record %q at %v, acknowledged at %v", r.Value, r.Timestamp, rs[r.Offset].Timestamp)
		}
	}
}
