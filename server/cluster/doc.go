// Package cluster is the controller quorum: cluster metadata kept in a
// hashicorp/raft log and applied by every controller node to an in-memory,
// immutable Image.
//
// # What it owns
//
// Broker registrations and sessions (incarnation id, broker epoch, state
// fenced / active / shutting_down), topics (id, configs, partitions), and
// per partition the replica assignment, leader, leader epoch, partition
// epoch, ISR and any ongoing reassignment. It decides replica placement,
// leader election on broker loss, preferred-leader elections, when a
// reassignment completes, and broker fencing. It does not own
// partition data, replication or the network API: brokers act on the image,
// and the server package maps requests and errors to gRPC.
//
// # Layers
//
//   - Image.Apply (apply.go) is the state machine: a pure function from an
//     image, a raft index and a Record to the next image and a Result. No
//     clock, no randomness, no I/O, no goroutines. Apply never modifies its
//     input: the next image shares every unchanged broker and topic with
//     its parent (copy on write), so an image can be handed to any number of
//     goroutines and kept as long as needed.
//   - Image.PlanCreateTopic, PlanCreatePartitions and Assign (assign.go) turn
//     requests into records on the leader. Placement is decided there and
//     carried in the record, so a change to the placement code can never make
//     replicas of the log disagree.
//   - Liveness (liveness.go) is the leader's soft state about heartbeats.
//   - Controller (controller.go) wires these to hashicorp/raft: a bbolt log
//     and stable store (raft-boltdb/v2) and a file snapshot store under
//     Options.Dir, a TCP transport on Options.RaftAddr, bootstrap of a static
//     peer list or of a quorum of one, proposals, the watch API, and the
//     leader's timer loop (fencing, automatic preferred-leader election) on
//     an injected Clock.
//
// # Records
//
// A Record is JSON: {"v": format version, "type": name, <one body>}. JSON
// rather than a protobuf because the records never leave the controller's
// log and snapshots, metadata traffic is tiny, entries stay readable when
// debugging a log, and adding fields is compatible in both directions
// without regenerating code; the explicit version and type make an
// incompatible change detectable (a node refuses records newer than it
// reads rather than half-applying them). Type names are persisted: never
// rename one.
//
//	register_broker          id, incarnation id, address, rack. The broker
//	                         epoch is the raft index of the record. The same
//	                         incarnation again is a no-op; a new incarnation
//	                         ends the old session first (as fence_broker).
//	                         New sessions start fenced.
//	fence_broker             {id, epoch}: session timeout, decided by the
//	                         leader's clock and logged as a decision.
//	unfence_broker           {id, epoch}: the broker asked to become active.
//	controlled_shutdown      {id, epoch}: like fencing, state shutting_down.
//	create_topic             name, id, configs, replica lists per partition.
//	delete_topic             name, optional id that must match.
//	alter_configs            set and delete keys (merged at apply time).
//	create_partitions        replica lists for new partitions, with the
//	                         partition count the proposer saw (CAS).
//	change_partition         CAS on the partition epoch the proposer saw:
//	                         a partition leader (with its broker epoch and
//	                         leader epoch) changes the ISR; the controller
//	                         may also move leadership to a live ISR member.
//	elect_preferred_leaders  listed partitions, or all.
//	reassign_partitions      {partitions: [{topic, partition, replicas}]}:
//	                         per partition a target replica list (starts,
//	                         or replaces, a reassignment) or no replicas
//	                         (cancels it). Each partition succeeds or fails
//	                         on its own (Result.Reassignments).
//
// Heartbeats are deliberately not logged (as in Kafka's KRaft): liveness is
// the leader's soft state, and only the transitions it causes are records.
// A new leader restarts every session's timer, so a broker is never fenced
// for heartbeats it sent to a previous leader.
//
// # Rules the state machine enforces
//
// Only active brokers are alive: they alone may lead or join an ISR. When a
// broker is fenced, shuts down or is replaced, it leaves every ISR except
// where it is the last member, and each partition it led elects the first
// replica (in assignment order) that is in the ISR and alive. With none,
// the partition goes offline (leader -1) and keeps its last ISR member, so
// it returns when that broker does. Only a topic with
// unclean.leader.election.enable=true elects a live replica outside the
// ISR, which then becomes the whole ISR. A broker that registers with
// LostUnsyncedData (it restarted after a machine crash) marks StaleISR on
// the flush.policy=replication partitions whose only ISR member it is: it
// may lack acknowledged records, so it is not elected; enabling unclean
// election (which elects at once) is the only way back. The leader epoch
// increases on every leader change (to -1 included); the partition epoch on
// every leader, ISR or replica change. ISRs are kept in replica order.
//
// Reassignment follows Kafka's KIP-455. A target T (any length of at least
// one, distinct registered brokers, fenced ones allowed) is compared with
// the original replicas O: AddingReplicas = T\O, RemovingReplicas = O\T,
// and Replicas becomes T followed by the removing replicas, so every
// replica of either set replicates, elections (which go in replica order)
// prefer the target, and the preferred leader is T's first. The original
// list is kept in OriginalReplicas. A target equal to the current one is a
// no-op; a new target replaces an ongoing reassignment (still measured
// against O); nothing to add or remove only reorders Replicas. The
// reassignment completes within whichever record puts all of T in the ISR
// (usually the leader's ChangePartition adding the last new replica):
// Replicas and ISR become T, the reassignment fields are cleared, and a
// leader outside T hands over to the first live replica of T; with none
// alive it waits. A cancellation restores O in its order: replicas that
// only the reassignment added leave the ISR, and leadership if they hold
// it. A replacement or cancellation that would drop every ISR member, or
// the leader with no live ISR member left to lead, is refused
// (ErrUnsafeReassignment) and changes nothing. Snapshots holding an
// ongoing reassignment use format version 2, so a node that predates
// reassignment refuses them instead of dropping the fields.
//
// # How a broker uses it
//
//  1. RegisterBroker with a fresh incarnation id at start; keep the epoch.
//  2. Heartbeat every few seconds with WantFence until the local image has
//     caught up, then without it to become active; WantShutdown at stop,
//     then stop once ShouldShutdown.
//  3. Watch: act on the image (open, lead, follow or drop replicas), wait on
//     the channel, repeat. Images may be skipped, never reordered.
//  4. As a partition leader, propose ISR changes with ChangePartition using
//     the partition epoch and leader epoch of the image it acts on; on
//     ErrStalePartitionEpoch re-read the image and decide again. Adding
//     replicas of a reassignment are followers like any other: add them to
//     the ISR once caught up, which completes the reassignment; a broker
//     that no longer appears in Replicas drops its copy.
//
// Proposals only succeed on the controller leader. Elsewhere they return a
// *NotLeaderError naming the leader (id and raft address; in combined mode
// the id is also the broker id, so the broker address is in the image). No
// forwarding happens here: the server owns the network API and re-routes.
// ErrIndeterminate means the record may or may not be committed (leadership
// lost or context ended after submission): read the image to find out.
//
// # Concurrency
//
// Image values are immutable and safe to share. Controller methods are safe
// for concurrent use; proposals that plan against the image (CreateTopic,
// CreatePartitions) are serialized and preceded by a raft barrier so each
// plans on a current image. ReassignPartitions plans nothing (the record
// carries the targets and apply validates them), so it is not serialized. The only goroutines are raft's, the leader's
// timer loop and one waiter per in-flight proposal; Close stops them all.
//
// # Where the server uses it
//
//   - server/server.go opens a Controller per broker (combined mode; a
//     single node is a quorum of one on an in-memory transport with its log
//     in the data directory); server/session.go registers, heartbeats and
//     runs the Watch loop that reconciles replicas; server/control.go sends
//     registration, heartbeats, ChangePartition (AlterPartition) and
//     AddVoter to the leader, forwarding over fjord.cluster.v1 when another
//     node leads; server/errors.go maps this package's errors to reasons.
//   - validation of topic names and config values stays in server, before
//     proposing; apply only checks what needs the image.
package cluster
