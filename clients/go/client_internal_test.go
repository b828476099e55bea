package fjord

import (
	"context"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func TestHintOf(t *testing.T) {
	notLeader := func(md map[string]string) *Error {
		return &Error{Reason: ReasonNotLeaderOrFollower, Metadata: md}
	}
	for _, tc := range []struct {
		name          string
		err           *Error
		id, epoch, by int32
		want          leaderHint
	}{
		{"metadata", notLeader(map[string]string{"leader_id": "2", "leader_epoch": "7", "leader_address": "h:2"}), -1, 0, 1, leaderHint{2, 7, "h:2"}},
		{"metadata over fields", notLeader(map[string]string{"leader_id": "3"}), 2, 5, 1, leaderHint{3, -1, ""}},
		{"fields", notLeader(nil), 2, 5, 1, leaderHint{2, 5, ""}},
		{"broker 0", notLeader(map[string]string{"leader_id": "0", "leader_epoch": "1"}), -1, 0, 1, leaderHint{0, 1, ""}},
		{"names itself", notLeader(map[string]string{"leader_id": "1", "leader_epoch": "9"}), -1, 0, 1, noHint},
		{"no leader", notLeader(map[string]string{"leader_id": "-1"}), -1, 0, 1, noHint},
		{"nothing", notLeader(nil), -1, 0, 1, noHint},
		{"other reason", &Error{Reason: ReasonLeaderNotAvailable, Metadata: map[string]string{"leader_id": "2"}}, 2, 1, 1, noHint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hintOf(tc.err, tc.id, tc.epoch, tc.by); got != tc.want {
				t.Errorf("hintOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// cachedClient returns a client whose cache holds topic "t" (one partition
// led by broker 1 at epoch 5) and brokers 1 and 2; it never connects.
func cachedClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(context.Background(), SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.brokers = map[int32]*fjordv1.Broker{1: {Id: 1, Address: "h:1"}, 2: {Id: 2, Address: "h:2"}}
	c.topics["t"] = &topicMeta{fetched: time.Now(), md: &fjordv1.TopicMetadata{Name: "t", TopicId: "id",
		Partitions: []*fjordv1.PartitionMetadata{{Partition: 0, LeaderId: 1, LeaderEpoch: 5}}}}
	return c
}

func TestSetLeader(t *testing.T) {
	leaderOf := func(c *Client) (int32, int32, bool) {
		tm := c.topics["t"]
		p := tm.md.GetPartitions()[0]
		return p.GetLeaderId(), p.GetLeaderEpoch(), tm.stale
	}
	for _, tc := range []struct {
		name              string
		hint              leaderHint
		wantID            int32
		wantOK            bool
		cachedID, cachedE int32
		stale             bool
	}{
		{"newer epoch", leaderHint{2, 6, ""}, 2, true, 2, 6, false},
		{"older epoch ignored", leaderHint{2, 4, ""}, 1, true, 1, 5, false},
		{"unknown epoch cached as 0", leaderHint{2, -1, ""}, 2, true, 2, 0, false},
		{"unknown broker with address", leaderHint{3, 6, "h:3"}, 3, true, 3, 6, false},
		{"unknown broker without address", leaderHint{3, 6, ""}, -1, false, 1, 5, true},
		{"no hint", noHint, -1, false, 1, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cachedClient(t)
			before := c.topics["t"].md
			id, ok := c.setLeader("t", 0, tc.hint)
			if id != tc.wantID || ok != tc.wantOK {
				t.Fatalf("setLeader = %d, %v; want %d, %v", id, ok, tc.wantID, tc.wantOK)
			}
			if l, e, stale := leaderOf(c); l != tc.cachedID || e != tc.cachedE || stale != tc.stale {
				t.Fatalf("cached leader %d epoch %d stale %v; want %d, %d, %v", l, e, stale, tc.cachedID, tc.cachedE, tc.stale)
			}
			if p := before.GetPartitions()[0]; p.GetLeaderId() != 1 || p.GetLeaderEpoch() != 5 {
				t.Fatal("setLeader changed metadata already handed out")
			}
			if tc.hint.addr != "" && c.brokers[tc.hint.id].GetAddress() != tc.hint.addr {
				t.Fatalf("broker %d not added", tc.hint.id)
			}
		})
	}
}

// Metadata from a broker that lags behind the controller does not undo a
// newer leader the cache learned from a hint.
func TestNewerLeadersKeepsNewerEpoch(t *testing.T) {
	cached := &fjordv1.TopicMetadata{Name: "t", TopicId: "id", Partitions: []*fjordv1.PartitionMetadata{
		{Partition: 0, LeaderId: 2, LeaderEpoch: 6}, {Partition: 1, LeaderId: 1, LeaderEpoch: 3}}}
	fresh := &fjordv1.TopicMetadata{Name: "t", TopicId: "id", Partitions: []*fjordv1.PartitionMetadata{
		{Partition: 0, LeaderId: 1, LeaderEpoch: 5}, {Partition: 1, LeaderId: 3, LeaderEpoch: 4}}}
	got := newerLeaders(cached, fresh)
	if p := got.GetPartitions()[0]; p.GetLeaderId() != 2 || p.GetLeaderEpoch() != 6 {
		t.Errorf("partition 0: leader %d epoch %d, want the cached 2 at 6", p.GetLeaderId(), p.GetLeaderEpoch())
	}
	if p := got.GetPartitions()[1]; p.GetLeaderId() != 3 || p.GetLeaderEpoch() != 4 {
		t.Errorf("partition 1: leader %d epoch %d, want the fresh 3 at 4", p.GetLeaderId(), p.GetLeaderEpoch())
	}
	if fresh.GetPartitions()[0].GetLeaderId() != 1 {
		t.Error("newerLeaders changed its input")
	}
	recreated := &fjordv1.TopicMetadata{Name: "t", TopicId: "other", Partitions: []*fjordv1.PartitionMetadata{{Partition: 0, LeaderId: 1, LeaderEpoch: 0}}}
	if newerLeaders(cached, recreated) != recreated {
		t.Error("a recreated topic kept the old topic's leaders")
	}
}
