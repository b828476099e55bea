package fjord

import (
	"context"
	"errors"
)

// GroupConsumer consumes the partitions a consumer group's coordinator
// assigns to it. Its implementation is being written; this is its API.
type GroupConsumer struct {
	memberID string
}

var errGroupNotImplemented = errors.New("fjord: group consumer not implemented yet")

// NewGroupConsumer returns a consumer joining group.
func NewGroupConsumer(c *Client, group string, opts ...GroupOpt) (*GroupConsumer, error) {
	return nil, errGroupNotImplemented
}

// Poll returns records of the partitions the member owns.
func (g *GroupConsumer) Poll(ctx context.Context) ([]*Record, error) {
	return nil, errGroupNotImplemented
}

// Commit commits the positions of everything Poll returned.
func (g *GroupConsumer) Commit(ctx context.Context) error { return errGroupNotImplemented }

// CommitRecords commits the positions after recs.
func (g *GroupConsumer) CommitRecords(ctx context.Context, recs ...*Record) error {
	return errGroupNotImplemented
}

// Assignment returns the partitions the member owns.
func (g *GroupConsumer) Assignment() []TopicPartition { return nil }

// Pause stops fetching partitions, which stay owned.
func (g *GroupConsumer) Pause(tps ...TopicPartition) {}

// Resume fetches paused partitions again.
func (g *GroupConsumer) Resume(tps ...TopicPartition) {}

// Seek moves an owned partition's position.
func (g *GroupConsumer) Seek(topic string, partition int32, at Offset) {}

// MemberID returns the member id.
func (g *GroupConsumer) MemberID() string { return g.memberID }

// Close commits (auto-commit mode) and leaves the group.
func (g *GroupConsumer) Close() error { return nil }
