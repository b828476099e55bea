package replication

import (
	"fmt"
	"strings"
)

// FollowerLog is what a follower reads from its own log to truncate by
// epoch. *storage.Log satisfies it.
type FollowerLog interface {
	LatestEpoch() (int32, bool)
	// EndOffsetForEpoch has storage.Log's semantics (see LeaderLog).
	EndOffsetForEpoch(epoch int32) (int32, int64)
	LogStartOffset() int64
	LogEndOffset() int64
}

// TruncationStep is the decision for one OffsetForLeaderEpoch answer.
type TruncationStep struct {
	// TruncateTo is where to truncate the log (storage.Log.TruncateTo); a
	// value >= the log end offset means nothing to drop.
	TruncateTo int64
	// Done: after truncating, fetch from the log end offset. Otherwise ask
	// the leader again about NextEpoch.
	Done      bool
	NextEpoch int32
}

// DecideTruncation applies one OffsetForLeaderEpoch answer ans, to a
// request about epoch asked, to the follower's log (KIP-101 with KIP-279's
// iteration; Kafka's AbstractFetcherThread.getOffsetTruncationState). Let
// (fe, fo) = log.EndOffsetForEpoch(ans.Epoch), the follower's largest epoch
// <= the leader's answer and where it ends here, and leo the follower's log
// end offset:
//
//  1. ans UNDEFINED: ErrUndefinedEpochOffset, no truncation. Kafka truncates
//     to the high watermark here, the very rule KIP-101 exists to avoid; a
//     Fjord leader answers UNDEFINED only to a follower whose epochs are
//     ahead of it, i.e. a stale leader, so the caller backs off, refreshes
//     metadata and asks again.
//  2. ans.Epoch > asked: ErrInvalidEpochAnswer (the leader broke the protocol).
//  3. fo < 0 (the follower knows no epoch <= ans.Epoch; with storage's
//     semantics only if its epochs vanished meanwhile): truncate to
//     min(ans.EndOffset, leo), done (Kafka's "None" case).
//  4. fe != ans.Epoch: the follower never saw the leader's epoch ans.Epoch,
//     so everything it has after its epoch fe diverges: truncate to
//     min(fo, leo) and ask again about fe (strictly below asked, so the
//     iteration ends).
//  5. fe == ans.Epoch: both have that epoch, written by its one leader, and
//     agree on it up to where the shorter one ends: truncate to
//     min(fo, ans.EndOffset, leo), done.
//
// The high watermark plays no part.
func DecideTruncation(log FollowerLog, asked int32, ans EpochEndOffset) (TruncationStep, error) {
	if ans.Undefined() {
		return TruncationStep{}, fmt.Errorf("%w: asked epoch %d, got %s", ErrUndefinedEpochOffset, asked, ans)
	}
	if ans.Epoch > asked {
		return TruncationStep{}, fmt.Errorf("%w: asked epoch %d, got %s", ErrInvalidEpochAnswer, asked, ans)
	}
	leo := log.LogEndOffset()
	fe, fo := log.EndOffsetForEpoch(ans.Epoch)
	switch {
	case fo < 0:
		return TruncationStep{TruncateTo: min(ans.EndOffset, leo), Done: true}, nil
	case fe != ans.Epoch:
		return TruncationStep{TruncateTo: min(fo, leo), NextEpoch: fe}, nil
	default:
		return TruncationStep{TruncateTo: min(fo, ans.EndOffset, leo), Done: true}, nil
	}
}

// FollowerPhase is where a Follower is in its protocol.
type FollowerPhase int

// Follower phases.
const (
	// Truncating: waiting for an OffsetForLeaderEpoch answer.
	Truncating FollowerPhase = iota
	// Fetching: the log is a prefix of the leader's; fetch from its end.
	Fetching
)

func (p FollowerPhase) String() string {
	if p == Fetching {
		return "fetching"
	}
	return "truncating"
}

// FollowerReady is what a Follower asks the caller to do, in this order:
// truncate the log to TruncateTo (if Truncate), then either send
// OffsetForLeaderEpoch(AskEpoch) with the follower's current leader epoch
// (if Ask) or start fetching from the log end offset (if Fetch).
type FollowerReady struct {
	Truncate   bool
	TruncateTo int64
	Ask        bool
	AskEpoch   int32
	Fetch      bool
}

func (r FollowerReady) String() string {
	var parts []string
	if r.Truncate {
		parts = append(parts, fmt.Sprintf("truncate to %d", r.TruncateTo))
	}
	if r.Ask {
		parts = append(parts, fmt.Sprintf("ask epoch %d", r.AskEpoch))
	}
	if r.Fetch {
		parts = append(parts, "fetch")
	}
	return strings.Join(parts, ", ")
}

// Follower is the follower side of one partition in one leader epoch: the
// truncation protocol run on becoming follower, then fetching. It is pure
// and not safe for concurrent use. A new leader epoch needs a new Follower.
type Follower struct {
	leaderID, leaderEpoch int32
	phase                 FollowerPhase
	asked                 int32
}

// NewFollower makes a follower of leaderID in leaderEpoch.
func NewFollower(leaderID, leaderEpoch int32) *Follower {
	return &Follower{leaderID: leaderID, leaderEpoch: leaderEpoch, asked: -1}
}

// LeaderID is the leader followed.
func (f *Follower) LeaderID() int32 { return f.leaderID }

// LeaderEpoch is the epoch followed; requests carry it as the current
// leader epoch.
func (f *Follower) LeaderEpoch() int32 { return f.leaderEpoch }

// Phase is the current phase.
func (f *Follower) Phase() FollowerPhase { return f.phase }

// Start begins the protocol. A log with epochs asks the leader about its
// latest epoch. A log without epochs has no batch a leader stamped (storage
// stamps every batch, so it is empty, or its epoch checkpoint was lost):
// nothing in it can be vouched for, so it is truncated to its start and
// fetching begins (Kafka would truncate to the high watermark).
func (f *Follower) Start(log FollowerLog) FollowerReady {
	f.phase = Truncating
	latest, ok := log.LatestEpoch()
	if !ok {
		f.phase = Fetching
		r := FollowerReady{Fetch: true}
		if start := log.LogStartOffset(); start < log.LogEndOffset() {
			r.Truncate, r.TruncateTo = true, start
		}
		return r
	}
	f.asked = latest
	return FollowerReady{Ask: true, AskEpoch: latest}
}

// HandleEpochEndOffset applies the leader's answer to the last Ask (see
// DecideTruncation). On error nothing changes; the caller retries the same
// Ask after a backoff (or restarts with Start).
func (f *Follower) HandleEpochEndOffset(log FollowerLog, ans EpochEndOffset) (FollowerReady, error) {
	if f.phase != Truncating || f.asked < 0 {
		return FollowerReady{}, fmt.Errorf("%w: no epoch request outstanding", ErrInvalidEpochAnswer)
	}
	s, err := DecideTruncation(log, f.asked, ans)
	if err != nil {
		return FollowerReady{}, err
	}
	var r FollowerReady
	if s.TruncateTo < log.LogEndOffset() {
		r.Truncate, r.TruncateTo = true, s.TruncateTo
	}
	if s.Done {
		f.phase, f.asked = Fetching, -1
		r.Fetch = true
	} else {
		f.asked = s.NextEpoch
		r.Ask, r.AskEpoch = true, s.NextEpoch
	}
	return r, nil
}

// FollowerHighWatermark is the high watermark a follower stores from a
// fetch response: the leader's, capped by what the follower has.
func FollowerHighWatermark(leaderHW, logEnd int64) int64 { return min(leaderHW, logEnd) }
