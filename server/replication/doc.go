// Package replication holds the pure state machines of Kafka-style ISR
// replication for one partition: the leader's view of its followers (high
// watermark, ISR shrink and expand proposals, acks=all admission and
// completion, leader epoch fencing) and the follower's truncation by leader
// epoch (KIP-101 with KIP-279's iteration). It follows etcd-io/raft's
// shape: no I/O, no goroutines, no clock (callers pass now, in
// milliseconds by convention), and every effect comes back as a value
// (Ready, FollowerReady, TruncationStep) for the caller to carry out. Types
// are not safe for concurrent use; the broker serializes calls per
// partition. Logs are read through small interfaces (LeaderLog,
// FollowerLog) that *storage.Log satisfies.
//
// # Leader
//
// NewLeader starts a Leader for one leader epoch from the controller's
// partition state (replicas, ISR, leader and partition epochs) and the log's
// offsets. Followers' offsets start unknown, so the high watermark (HW)
// cannot advance until every ISR member has fetched in this epoch; ISR
// members count as caught up at the start.
//
//   - Append(leo) and Sync(durable) report the leader's own log end offset
//     and synced offset (storage.Log.RecoveryPoint).
//   - Fetch(req) records a follower's fetch offset (its LEO) and durable
//     offset, rejecting a stale or future leader epoch (*EpochError wrapping
//     ErrFencedLeaderEpoch / ErrUnknownLeaderEpoch), a non-replica and an
//     offset past the leader's LEO. Kafka's lastCaughtUpTime: a follower is
//     caught up at now if it fetched the leader's LEO, and as of its
//     previous fetch if it has reached the LEO the leader had then.
//   - HW = min over the maximal ISR (committed ISR plus a pending addition)
//     of each member's counted offset: the LEO under
//     flush.policy=replication, the durable offset under flush.policy=sync
//     (the leader's own included). The HW never decreases.
//   - Tick(now) proposes removing ISR followers neither at the leader's LEO
//     nor caught up within LagTimeMax (the ISR may shrink to the leader
//     alone). Fetch and Tick propose adding an out-of-sync follower whose
//     counted offset has reached both the HW and the epoch start offset
//     (the LEO when this epoch began). Under flush.policy=sync the durable
//     offset must reach the epoch start, not just the LEO as in Kafka: a new
//     leader's HW can lag what was committed, and a member that holds
//     committed offsets only in its page cache could lose them in a power
//     failure while being the only ISR member (the simulation finds this).
//   - Proposals are ISRChange values, compare-and-set on LeaderEpoch and
//     PartitionEpoch. At most one is outstanding; ApplyISR (a commit with a
//     higher partition epoch, ours or the controller's own) or
//     ISRProposalFailed (rejected or lost) resolves it.
//   - CanAcceptAcksAll/CheckAcksAll: refuse acks=all before appending while
//     the committed ISR is below min.insync.replicas (NOT_ENOUGH_REPLICAS).
//     AckReady(lastOffset+1): done once the HW passes the batch; then OK, or
//     NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is below
//     min.insync.replicas. After Resign every waiter gets ErrNotLeader (the
//     outcome is unknown; never report success).
//   - EndOffsetForEpoch answers OffsetForLeaderEpoch after epoch fencing,
//     via LeaderEndOffsetForEpoch, which adds the entry Kafka's epoch cache
//     has and storage lacks until the first append: the leader's own epoch
//     starting at its LEO.
//
// # Follower
//
// On becoming follower in a new leader epoch: Follower.Start asks the leader
// about the log's latest epoch E (OffsetForLeaderEpoch(E) carrying the
// current leader epoch); HandleEpochEndOffset applies each answer with
// DecideTruncation, which documents the rules: truncate to
// min(follower end of epoch, leader end of epoch, LEO) when both know the
// answered epoch, or to the end of the follower's floor epoch and ask again
// about it when the follower lacks the leader's epoch (each round asks about
// a smaller epoch, so it ends). The high watermark is never a truncation
// point: where Kafka falls back to it (an UNDEFINED answer, a follower
// without epochs), Fjord retries (ErrUndefinedEpochOffset) or truncates to
// the log start. Then the follower fetches from its LEO and stores
// FollowerHighWatermark(leader HW, LEO).
//
// # Invariants (tested)
//
// The datadriven scripts in testdata/ pin each rule above. TestSimulation
// runs three replicas through random produces, syncs, fetches, ticks,
// proposals (committed, rejected, lost), fetch responses dropped, delayed
// and reordered by an in-memory network, crashes (machine crashes losing
// unsynced offsets under flush.policy=sync, process crashes under
// flush.policy=replication), restarts and leader changes restricted to the
// ISR, and checks that every offset below any HW ever reported is on every
// later leader unchanged, that a follower finishing truncation holds a
// prefix of the leader's log, that the HW never decreases within a
// leadership, and that after healing all logs are identical.
//
// # Wiring (the broker's job)
//
//   - Per partition and leader epoch, hold a Leader or a Follower under the
//     partition's lock; make a new one (Resign the old Leader) on every
//     metadata change of leader epoch; call ApplyISR for ISR changes within
//     the epoch. Fail parked acks=all produces on Resign.
//   - Leader: after storage.Log.AppendLeader call Append; after SyncTo or the
//     flusher call Sync(RecoveryPoint). On each replica fetch call Fetch
//     before reading the log (read with maxOffset = LEO) and return the HW
//     in the response. On Ready.HighWatermarkChanged call
//     storage.Log.SetHighWatermark and wake waiters; send
//     Ready.ProposeISR to the controller (AlterPartition-style) and report
//     the outcome with ApplyISR or ISRProposalFailed (also after a timeout).
//     Call Tick periodically (e.g. every LagTimeMax/2).
//   - Follower: execute FollowerReady in order: storage.Log.TruncateTo,
//     then the OffsetForLeaderEpoch request or fetching from LogEndOffset.
//     Back off and retry on errors. A fetch answered out of range below the
//     leader's log start needs storage.Log.TruncateFullyAndStartAt. Under
//     flush.policy=sync report a durable offset (SyncTo before reporting,
//     or pipelined group commit); AppendReplica the fetched batches and
//     SetHighWatermark(FollowerHighWatermark(...)).
//   - Controller: accept an ISRChange only if the leader and partition
//     epochs match, bump the partition epoch, refuse to add fenced brokers,
//     elect leaders only from the ISR.
package replication
