package group

import (
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// Shard holds every group of one __consumer_offsets partition. Not safe for
// concurrent use.
type Shard struct {
	cfg Config
}

// NewShard returns an empty shard.
func NewShard(cfg Config) *Shard {
	return &Shard{cfg: cfg.EnsureDefaults()}
}

// Replay applies one record of the partition's log, in log order.
func (s *Shard) Replay(r Record) error { return nil }

// Loaded ends loading: every member gets a full session from now and targets
// are recomputed against topics.
func (s *Shard) Loaded(now time.Time, topics map[string]assign.Topic) Output { return Output{} }

// SetTopics sets the topics that exist.
func (s *Shard) SetTopics(now time.Time, topics map[string]assign.Topic) Output { return Output{} }

// Join opens a member's session.
func (s *Shard) Join(now time.Time, req JoinRequest) (Output, error) { return Output{}, nil }

// Heartbeat keeps a member's session alive.
func (s *Shard) Heartbeat(now time.Time, group, member string, epoch int32) (Output, error) {
	return Output{}, nil
}

// Ack records that a member owns exactly owned.
func (s *Shard) Ack(now time.Time, group, member string, epoch int32, owned []TopicPartition) (Output, error) {
	return Output{}, nil
}

// Subscribe replaces a member's subscription.
func (s *Shard) Subscribe(now time.Time, group, member string, sub Subscription) (Output, error) {
	return Output{}, nil
}

// Leave removes a member.
func (s *Shard) Leave(now time.Time, group, member string, temporary bool) (Output, error) {
	return Output{}, nil
}

// Disconnected notes that a member's stream ended without a leave.
func (s *Shard) Disconnected(now time.Time, group, member string) {}

// Tick applies session and rebalance timeouts and offsets retention.
func (s *Shard) Tick(now time.Time) Output { return Output{} }

// NextDeadline returns when Tick next has something to do.
func (s *Shard) NextDeadline() (time.Time, bool) { return time.Time{}, false }

// Commit commits offsets.
func (s *Shard) Commit(now time.Time, req CommitRequest) ([]error, Output, error) {
	return nil, Output{}, nil
}

// FetchOffsets returns committed offsets.
func (s *Shard) FetchOffsets(group string, tps []TopicPartition) []CommittedOffset { return nil }

// Describe describes a group.
func (s *Shard) Describe(group string) (GroupDescription, error) { return GroupDescription{}, nil }

// List lists the shard's groups.
func (s *Shard) List() []GroupListing { return nil }

// Delete deletes an empty group.
func (s *Shard) Delete(now time.Time, group string) (Output, error) { return Output{}, nil }

// ResetOffsets sets committed offsets, backwards too.
func (s *Shard) ResetOffsets(now time.Time, group string, offsets []CommitOffset, force bool) (Output, error) {
	return Output{}, nil
}
