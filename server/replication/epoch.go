package replication

import "fmt"

// EpochEndOffset is an answer to OffsetForLeaderEpoch(epoch): Epoch is the
// largest leader epoch <= the one asked that the leader knows, EndOffset the
// offset where that epoch ended on the leader (the start of the next epoch,
// or the leader's log end offset for its latest epoch). (-1, -1) is
// UNDEFINED.
type EpochEndOffset struct {
	Epoch     int32
	EndOffset int64
}

// UndefinedEpochEndOffset is Kafka's (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).
var UndefinedEpochEndOffset = EpochEndOffset{Epoch: -1, EndOffset: -1}

// Undefined reports whether the answer is UNDEFINED in either field.
func (e EpochEndOffset) Undefined() bool { return e.Epoch < 0 || e.EndOffset < 0 }

func (e EpochEndOffset) String() string {
	return fmt.Sprintf("(epoch=%d end=%d)", e.Epoch, e.EndOffset)
}

// LeaderLog is what the leader reads from its log to answer
// OffsetForLeaderEpoch. *storage.Log satisfies it.
type LeaderLog interface {
	// LatestEpoch is the epoch of the last batch's epoch cache entry.
	LatestEpoch() (int32, bool)
	// EndOffsetForEpoch is storage's epoch cache lookup: the largest epoch
	// <= epoch and where it ended, (epoch, first epoch's start) below every
	// known epoch, (-1, -1) above the latest or without epochs.
	EndOffsetForEpoch(epoch int32) (int32, int64)
	LogEndOffset() int64
}

// LeaderEndOffsetForEpoch answers OffsetForLeaderEpoch(epoch) for a leader
// at leaderEpoch (Kafka's LeaderEpochFileCache.endOffsetFor on a leader).
//
// storage records an epoch only when a batch of it is appended, while Kafka
// records the leader's epoch (at its log end offset) the moment it becomes
// leader. Until the new leader appends, storage alone would answer
// UNDEFINED for an epoch between the log's latest and the leader's, which
// is exactly what a follower that was the previous (deposed) leader asks.
// This function supplies the implied entry (leaderEpoch starts at the
// LEO), so the answers equal Kafka's:
//
//   - epoch < 0 or epoch > leaderEpoch: UNDEFINED (a follower cannot have an
//     epoch above the leader's; KIP-320 fencing rejects such a follower first);
//   - epoch == leaderEpoch: (leaderEpoch, LEO);
//   - no epochs in the log: (epoch, LEO), the implied entry being the only one;
//   - epoch above the log's latest: (latest, LEO), where the implied entry
//     starts;
//   - otherwise the log's answer.
func LeaderEndOffsetForEpoch(log LeaderLog, leaderEpoch, epoch int32) EpochEndOffset {
	if epoch < 0 || epoch > leaderEpoch {
		return UndefinedEpochEndOffset
	}
	leo := log.LogEndOffset()
	if epoch == leaderEpoch {
		return EpochEndOffset{epoch, leo}
	}
	latest, ok := log.LatestEpoch()
	switch {
	case !ok:
		return EpochEndOffset{epoch, leo}
	case epoch > latest:
		return EpochEndOffset{latest, leo}
	}
	e, o := log.EndOffsetForEpoch(epoch)
	return EpochEndOffset{e, o}
}
