// Package assign computes consumer group assignments on the server, as in
// Kafka's KIP-848: the group coordinator, not a client, decides which member
// consumes which partition. It owns two things:
//
//   - the assignors, chosen by name with New: given the members, the topics
//     and the assignment in force, an Assignor returns the target assignment;
//   - Reconcile, the cooperative step from what members own now to that
//     target, which never hands a partition to a member while another may
//     still be consuming it.
//
// Everything here is a pure function of its arguments: no I/O, no clock, no
// goroutines, no state between calls. Results do not depend on map iteration
// order or on the order of any input list, so equal inputs give equal
// outputs on every broker. All of it is safe for concurrent use.
//
// # Inputs
//
// A member's subscription is a list of topic names; regular expressions are
// resolved by the caller. Only topics that exist (are in Input.Topics with
// at least one partition) count; "identical subscriptions" below means
// identical sets of existing topics. Members are ordered as Kafka orders
// them: static members (with an instance ID) first by instance ID, then the
// others by member ID; ties in every assignor are broken by this order.
//
// Input.Current is what sticky assignors stick to. With KIP-848 semantics the
// coordinator passes the previous target assignment, keyed by the members'
// current IDs: when a static member rejoins under a new member ID, the
// coordinator moves the old ID's entry to the new one. Stale content is
// tolerated (see Input.Current). A partition is said to move when its owner
// in Current is still in the group and still subscribed to its topic, and the
// new assignment gives it to someone else; partitions of members that left
// and new partitions are placed, not moved.
//
// # Assignors
//
// Every assignor returns an entry for every member, sorted, and assigns each
// partition of every topic with at least one subscriber to exactly one
// member subscribed to that topic, and nothing else.
//
// range is Kafka's RangeAssignor. For each topic, its subscribers in member
// order get consecutive partitions, n/k each and one more for the first n%k.
// Topics with the same subscribers and partition count are co-partitioned:
// each member gets the same partition numbers of all of them. Counts per topic
// differ by at most one among its subscribers; across topics the first
// members get the extras of every topic, so totals can differ by up to the
// number of topics. With racks (KIP-881): when members and partitions have
// racks, each member first takes, within the same per-topic quota, the
// partitions with a replica in its rack (for co-partitioned topics: in every
// one of them), then the rest are split as without racks; counts and
// co-partitioning are unchanged. When every partition has a replica in every
// rack the result is plain range. Not sticky.
//
// roundrobin is Kafka's RoundRobinAssignor: the partitions of all subscribed
// topics, topics in name order, are dealt to the members in member order,
// skipping members not subscribed to the partition's topic. With identical
// subscriptions loads differ by at most one; with different subscriptions
// only validity is guaranteed. Not sticky.
//
// sticky has the goals of Kafka's StickyAssignor, balance first, then as few
// moves as possible, with these guarantees:
//
//   - Balance is optimal for any subscriptions: the loads are those of an
//     optimal semi-matching, which minimises the largest load and the sum of
//     squared loads at once. Equivalently, no chain of single-partition
//     hand-overs between subscribed members could take load from one member to
//     another holding two fewer. In particular members with identical
//     subscriptions differ by at most one partition, so when all members
//     subscribe alike all loads do.
//   - With identical subscriptions moves are exactly minimal: every member
//     keeps its current partitions up to its share, the larger shares going to
//     the members holding most. A joining member takes exactly its share from
//     the others; when a member leaves, only its partitions move.
//   - With different subscriptions moves are minimised by a heuristic, not
//     guaranteed minimal. The tests compare against an exact min-cost-flow
//     optimum on random groups, joins and leaves: about 99.8% of cases are
//     minimal and none has been more than two moves above the minimum.
//   - A member never keeps a partition of a topic it no longer subscribes to.
//
// uniform, the default and KIP-848's default server assignor, is sticky plus
// rack awareness: where balance and stickiness leave a choice, partitions
// that must move go to members in a rack holding one of their replicas, and
// members giving up partitions give up the ones with no replica in their rack
// first. It never trades balance or a move for locality. "cooperative-sticky"
// is accepted as another name for it.
//
// Sticky and uniform work on subscription classes (members with identical
// subscriptions): they decide how many partitions of each topic each class
// gets, balancing along chains of classes, then spread each class's share
// over its members. The cost is near linear in partitions plus
// subscriptions for identical subscriptions; with many distinct
// subscriptions the balancing rounds add a search over classes and topics
// each. See sticky.go.
//
// # Cooperative rebalancing
//
// Reconcile turns a target into steps that never give one partition to two
// members: a member is assigned a partition only once no other member owns
// it, so a partition moving from A to B is first revoked by A, and only after
// A acknowledges is it assigned to B. For that to hold the coordinator must
// count as owned, per member, what it acknowledged plus what it has been sent
// and not yet acknowledged, and must keep a member's ownership until the
// member acknowledged the revocation or its session expired. Two rounds of
// acknowledgements complete any rebalance.
package assign
