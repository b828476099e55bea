package fjord

import (
	"context"
	"time"
)

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// GroupOpt configures a GroupConsumer. Every ConsumerOpt (fetch sizes,
// ResetOffset) is also a GroupOpt and applies to the group consumer's
// fetching.
type GroupOpt interface {
	applyGroup(*groupCfg)
}

type groupOpt struct{ fn func(*groupCfg) }

func (o groupOpt) applyGroup(g *groupCfg) { o.fn(g) }

// applyGroup makes every ConsumerOpt a GroupOpt.
func (o consumerOpt) applyGroup(g *groupCfg) { o.fn(&g.cfg) }

// groupCfg holds a GroupConsumer's settings; cfg is the consumer part,
// copied from the client's.
type groupCfg struct {
	cfg cfg

	topics             []string
	pattern            string
	instanceID         string
	rack               string
	assignor           string
	maxPollInterval    time.Duration
	sessionTimeout     time.Duration
	rebalanceTimeout   time.Duration
	autoCommit         bool
	autoCommitInterval time.Duration
	onAssigned         func(context.Context, []TopicPartition)
	onRevoked          func(context.Context, []TopicPartition)
	onLost             func(context.Context, []TopicPartition)
}

// Topics subscribes the group consumer to topics by name. Exclusive with
// TopicPattern; one of them is required.
func Topics(names ...string) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.topics = append([]string(nil), names...) }}
}

// TopicPattern subscribes the group consumer to every topic whose whole
// name matches an RE2 regular expression, now or later created (the broker
// resolves it). Internal topics (names starting with "__") match only if the
// pattern starts with "__". Exclusive with Topics.
func TopicPattern(re string) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.pattern = re }}
}

// InstanceID makes the member static: a consumer restarting with the same
// instance id (under a new member id) within its session timeout takes
// over the previous incarnation's partitions without a rebalance, and Close
// leaves only temporarily (the partitions stay with the instance until the
// session times out). Instance ids must be unique within a group. Default:
// none (a dynamic member).
func InstanceID(id string) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.instanceID = id }}
}

// Rack is the member's rack (e.g. an availability zone), sent in its join
// for rack-aware assignment and shown by Admin.DescribeGroup. Default: ""
// (none).
func Rack(rack string) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.rack = rack }}
}

// MaxPollInterval bounds the time between two Polls, like Kafka's
// max.poll.interval.ms: an application that does not call Poll for longer
// (a stuck or too slow processing loop) still heartbeats, so without this
// bound it would keep its partitions without consuming them. When it
// expires, the member leaves the group (a static member, with InstanceID,
// leaves temporarily, keeping its partitions until its session times out)
// so that its partitions move to the other members; their positions are
// not committed. The next Poll then calls OnLost for everything the
// member owned and rejoins as a new member. Time spent inside Poll
// (callbacks included) does not count. Default: 5m.
func MaxPollInterval(d time.Duration) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.maxPollInterval = d }}
}

// Assignor names the server-side assignor: "uniform" (alias
// "cooperative-sticky"), "sticky", "range" or "roundrobin". The group keeps
// the assignor of its first member; a member naming another one while the
// group has members fails with ErrInconsistentGroupProtocol. Default: ""
// (the broker's default, uniform).
func Assignor(name string) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.assignor = name }}
}

// SessionTimeout is how long the coordinator keeps the member without
// hearing from it (the consumer heartbeats in the background, also while
// the application processes records). It must lie within the broker's
// bounds. Default: 0, the broker's default (45s).
func SessionTimeout(d time.Duration) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.sessionTimeout = d }}
}

// RebalanceTimeout is how long the member may take to release partitions
// the coordinator revokes before it is removed from the group. Revocation
// happens inside Poll, so this also bounds the time between Polls during a
// rebalance. Default: 0, the broker's default (5m).
func RebalanceTimeout(d time.Duration) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.rebalanceTimeout = d }}
}

// AutoCommit makes the consumer commit the positions of the records Poll
// returned: every AutoCommitInterval (inside Poll), before a partition is
// revoked, and on Close. Records are processed at least once: a position is
// committed only after the Poll that follows the one returning its records,
// or at a revocation or Close, which must therefore come after processing
// (process each Poll's records before the next Poll). Off, commit with
// Commit or CommitRecords, typically also in OnRevoked. Default: true.
func AutoCommit(on bool) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.autoCommit = on }}
}

// AutoCommitInterval is how often auto-commit commits. Default: 5s.
func AutoCommitInterval(d time.Duration) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.autoCommitInterval = d }}
}

// OnAssigned sets a function called with partitions newly assigned to the
// member, once their start positions are known and before their records
// are fetched. It runs inside Poll, on the caller's goroutine, with Poll's
// context. Default: none.
func OnAssigned(fn func(ctx context.Context, tps []TopicPartition)) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.onAssigned = fn }}
}

// OnRevoked sets a function called with partitions the member must release
// (a rebalance moves them, or Close), after they stopped being fetched and
// before the auto-commit of their positions and their release: the place to
// commit (with auto-commit off) or flush state. It runs inside Poll (or
// Close), on the caller's goroutine. Default: none.
func OnRevoked(fn func(ctx context.Context, tps []TopicPartition)) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.onRevoked = fn }}
}

// OnLost sets a function called with partitions the member lost without a
// chance to commit: the coordinator fenced it or its session expired, and
// the partitions may already belong to another member. Their positions are
// not committed. It runs inside Poll (or Close), on the caller's goroutine.
// Default: none.
func OnLost(fn func(ctx context.Context, tps []TopicPartition)) GroupOpt {
	return groupOpt{func(g *groupCfg) { g.onLost = fn }}
}
