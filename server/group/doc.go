// Package group is the pure core of the consumer group coordinator (Kafka's
// KIP-848 protocol, server-side assignment, over one gRPC stream per
// member). A Shard holds every group of one partition of the internal
// compacted topic __consumer_offsets (the group's partition is
// Partition(groupID, n), Kafka's rule): members, epochs, target assignments,
// reconciliation, timers and committed offsets. The assignors and the
// cooperative reconciliation step are in the subpackage assign.
//
// # Concurrency and I/O
//
// None. A Shard does no I/O, reads no clock, starts no goroutines and is not
// safe for concurrent use: the runtime (package server) calls it from one
// goroutine per shard. Every method that may change state takes the time and
// returns an Output: the records to append to the partition, as one batch,
// and the effects to deliver to members' streams, in order, once that batch
// is committed (acks=all). If the append fails the runtime drops the shard
// and rebuilds it from the log, so in-memory state never runs ahead of the
// log for long. Results never depend on map iteration order: members,
// partitions, records and effects come out sorted.
//
// Loading: NewShard, Replay every record of the partition in log order,
// then Loaded with the cluster's topics. Then serve, call SetTopics whenever
// topics change, and Tick at NextDeadline.
//
// # Epochs and ownership
//
// The group epoch moves when a member joins or is removed, when a member's
// resolved subscription changes (patterns are matched against the topics
// SetTopics gave), and when the partition count of a subscribed topic
// changes. Each move recomputes the target assignment with the group's
// assignor, sticking to the previous target (a static member's entry moves
// with its instance id to the member that took it over). A member's rack is
// used at the next computation; changing it alone moves nothing.
//
// The server records, per member, Assigned (the last assignment sent to it;
// what it may consume) and Revoking (partitions it was sent before and must
// release). Their union is what the member may be consuming, and is what
// assign.Reconcile counts as owned: a partition goes into one member's
// Assigned only once no other member owns it. The member releases by
// acknowledging (Ack) exactly its last Assigned at its epoch; other acks are
// stale and ignored. A member's epoch moves to the target epoch as soon as it
// has nothing left to revoke; while revoking it keeps its old epoch, so it
// can commit what it releases. Every change of a member's (epoch, Assigned,
// Pending) is pushed to it. So at every moment no partition is in two
// members' Assigned ∪ Revoking, and with members that acknowledge every
// push, one round of acknowledgements makes a group Stable.
//
// A member is removed, its partitions free at once, when its session
// expires (session timeout after its last message; heartbeats write
// nothing), when it has been revoking longer than its rebalance timeout, or
// when it leaves, except that a static member leaving temporarily keeps its
// assignment until its session expires or its instance id joins again. Its
// stream is ended with UNKNOWN_MEMBER_ID (removal), FENCED_MEMBER_EPOCH (a
// rejoin with epoch 0 replaced it) or FENCED_INSTANCE_ID (a static takeover).
//
// Group states: Empty (no members), Reconciling (some member's Assigned
// differs from its target or its Revoking is not empty), Stable. Targets are
// computed synchronously, so Assigning is never reported; Dead describes a
// group that does not exist.
//
// Committed offsets: a member commits at its current epoch partitions in its
// Assigned ∪ Revoking; a client outside the group only while the group has
// no members; a commit never moves an offset backwards (ResetOffsets does).
// Offsets of topics that disappear are deleted. An empty group's offsets
// expire Config.OffsetsRetention after its last commit or after it became
// empty, whichever is later. A group with neither members nor offsets
// disappears at once.
//
// # Records
//
// Every state change a coordinator failover must not lose writes records;
// a record is written only when its content changes. Replaying a partition's
// records (compacted or not) into a new Shard rebuilds the same groups,
// members and offsets; what is not recorded (open streams, session and
// rebalance deadlines) Loaded resets: every member counts as disconnected
// and gets a full session from the load.
//
// Keys are bytes fixed by their fields, for compaction:
//
//	key    = version:uint8(0) type:uint8 fields
//	string = length:uvarint bytes
//	type 1, offset:       group:string topic:string partition:int32 (big-endian)
//	type 2, group:        group:string
//	type 3, member:       group:string member_id:string
//
// Values are JSON objects with "v":1; a nil value is a tombstone (the key's
// thing is gone; a group tombstone is written last, after the tombstones of
// all the group's other keys). Replay fails with ErrCorruptRecord on unknown
// key versions or types, values without "v":1, and malformed bytes; it
// ignores unknown JSON fields. Partition lists are
// [{"topic":t,"partitions":[p,...]},...], sorted. Optional fields are
// omitted when empty.
//
//	group:  {"v":1, "epoch":int32, "assignor":string, "target_epoch":int32,
//	         "topics":{topic:partitions,...}   // subscribed topics the target was computed for
//	         "empty_since_ms":int64}           // when the group last became empty (retention)
//	member: {"v":1, "instance_id", "rack", "client_id", "client_host":string,
//	         "topics":[string] | "pattern":string, "resolved":[string] (pattern only),
//	         "session_timeout_ms", "rebalance_timeout_ms":int64, "epoch":int32,
//	         "target", "assigned", "revoking", "pending":partition lists}
//	offset: {"v":1, "offset":int64, "leader_epoch":int32, "metadata":string,
//	         "commit_time_ms":int64}
package group
