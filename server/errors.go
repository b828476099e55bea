package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
	"github.com/fjordlog/fjord/server/group"
	"github.com/fjordlog/fjord/server/replication"
	"github.com/fjordlog/fjord/storage"
)

// Reason is a stable, machine-readable error reason published in
// google.rpc.ErrorInfo and fjord.v1.Error. Published reasons are never renamed.
type Reason string

// Published reasons.
const (
	ReasonUnknownTopicOrPartition   Reason = "UNKNOWN_TOPIC_OR_PARTITION"
	ReasonNotLeaderOrFollower       Reason = "NOT_LEADER_OR_FOLLOWER"
	ReasonLeaderNotAvailable        Reason = "LEADER_NOT_AVAILABLE"
	ReasonOffsetOutOfRange          Reason = "OFFSET_OUT_OF_RANGE"
	ReasonMessageTooLarge           Reason = "MESSAGE_TOO_LARGE"
	ReasonInvalidRecord             Reason = "INVALID_RECORD"
	ReasonCorruptMessage            Reason = "CORRUPT_MESSAGE"
	ReasonInvalidConfig             Reason = "INVALID_CONFIG"
	ReasonInvalidTopic              Reason = "INVALID_TOPIC"
	ReasonInvalidPartitions         Reason = "INVALID_PARTITIONS"
	ReasonInvalidReplicationFactor  Reason = "INVALID_REPLICATION_FACTOR"
	ReasonTopicAlreadyExists        Reason = "TOPIC_ALREADY_EXISTS"
	ReasonInvalidRequest            Reason = "INVALID_REQUEST"
	ReasonRequestTimedOut           Reason = "REQUEST_TIMED_OUT"
	ReasonNotEnoughReplicas         Reason = "NOT_ENOUGH_REPLICAS"
	ReasonNotEnoughReplicasAppended Reason = "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
	ReasonStorageError              Reason = "STORAGE_ERROR"
	ReasonBrokerShuttingDown        Reason = "BROKER_SHUTTING_DOWN"
	ReasonFencedLeaderEpoch         Reason = "FENCED_LEADER_EPOCH"
	ReasonUnknownLeaderEpoch        Reason = "UNKNOWN_LEADER_EPOCH"
	ReasonCanceled                  Reason = "CANCELED"
	ReasonInternal                  Reason = "INTERNAL"
	ReasonNotController             Reason = "NOT_CONTROLLER"
	ReasonInvalidUpdateVersion      Reason = "INVALID_UPDATE_VERSION"
	ReasonIneligibleReplica         Reason = "INELIGIBLE_REPLICA"
	ReasonPreferredLeaderNotAvail   Reason = "PREFERRED_LEADER_NOT_AVAILABLE"
	ReasonInvalidReplicaAssignment  Reason = "INVALID_REPLICA_ASSIGNMENT"
	ReasonStaleBrokerEpoch          Reason = "STALE_BROKER_EPOCH"
	ReasonDuplicateBroker           Reason = "DUPLICATE_BROKER_REGISTRATION"
	ReasonNoReassignmentInProgress  Reason = "NO_REASSIGNMENT_IN_PROGRESS"
	ReasonBrokerNotAvailable        Reason = "BROKER_NOT_AVAILABLE"
	ReasonInvalidProducerEpoch      Reason = "INVALID_PRODUCER_EPOCH"
	ReasonOutOfOrderSequence        Reason = "OUT_OF_ORDER_SEQUENCE_NUMBER"
	ReasonUnknownProducerID         Reason = "UNKNOWN_PRODUCER_ID"
	ReasonUnsafeReassignment        Reason = "UNSAFE_REASSIGNMENT"
	ReasonOffsetNotAvailable        Reason = "OFFSET_NOT_AVAILABLE"

	// Consumer groups. The reasons the group core reports (group.Reason)
	// keep their names here.
	ReasonNotCoordinator            Reason = "NOT_COORDINATOR"
	ReasonCoordinatorLoadInProgress Reason = "COORDINATOR_LOAD_IN_PROGRESS"
	ReasonCoordinatorNotAvailable   Reason = "COORDINATOR_NOT_AVAILABLE"
	ReasonInvalidGroupID            Reason = Reason(group.ReasonInvalidGroupID)
	ReasonUnknownMemberID           Reason = Reason(group.ReasonUnknownMemberID)
	ReasonFencedMemberEpoch         Reason = Reason(group.ReasonFencedMemberEpoch)
	ReasonStaleMemberEpoch          Reason = Reason(group.ReasonStaleMemberEpoch)
	ReasonFencedInstanceID          Reason = Reason(group.ReasonFencedInstanceID)
	ReasonUnreleasedInstanceID      Reason = Reason(group.ReasonUnreleasedInstanceID)
	ReasonInconsistentGroupProtocol Reason = Reason(group.ReasonInconsistentGroupProtocol)
	ReasonUnsupportedAssignor       Reason = Reason(group.ReasonUnknownAssignor)
	ReasonGroupIDNotFound           Reason = Reason(group.ReasonGroupIDNotFound)
	ReasonNonEmptyGroup             Reason = Reason(group.ReasonNonEmptyGroup)
	ReasonOffsetRegression          Reason = Reason(group.ReasonOffsetRegression)
	ReasonPartitionNotAssigned      Reason = Reason(group.ReasonPartitionNotAssigned)
	ReasonOffsetMetadataTooLarge    Reason = Reason(group.ReasonOffsetMetadataTooLarge)
	ReasonInvalidCommitOffset       Reason = Reason(group.ReasonInvalidCommitOffset)
)

// errorDomain is the google.rpc.ErrorInfo domain of every Fjord error.
const errorDomain = "fjord"

// reasonClass is one row of the error table.
type reasonClass struct {
	code      codes.Code
	retriable bool
	// retryAfter is the suggested back-off for retriable errors.
	retryAfter time.Duration
}

// reasonTable is the one table mapping reasons to gRPC codes and retry hints.
var reasonTable = map[Reason]reasonClass{
	ReasonUnknownTopicOrPartition:   {code: codes.NotFound},
	ReasonNotLeaderOrFollower:       {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonLeaderNotAvailable:        {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonOffsetOutOfRange:          {code: codes.OutOfRange},
	ReasonMessageTooLarge:           {code: codes.InvalidArgument},
	ReasonInvalidRecord:             {code: codes.InvalidArgument},
	ReasonCorruptMessage:            {code: codes.InvalidArgument},
	ReasonInvalidConfig:             {code: codes.InvalidArgument},
	ReasonInvalidTopic:              {code: codes.InvalidArgument},
	ReasonInvalidPartitions:         {code: codes.InvalidArgument},
	ReasonInvalidReplicationFactor:  {code: codes.InvalidArgument},
	ReasonTopicAlreadyExists:        {code: codes.AlreadyExists},
	ReasonInvalidRequest:            {code: codes.InvalidArgument},
	ReasonRequestTimedOut:           {code: codes.DeadlineExceeded, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonNotEnoughReplicas:         {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonNotEnoughReplicasAppended: {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonStorageError:              {code: codes.Unavailable, retriable: true, retryAfter: time.Second},
	ReasonBrokerShuttingDown:        {code: codes.Unavailable, retriable: true, retryAfter: time.Second},
	ReasonFencedLeaderEpoch:         {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonUnknownLeaderEpoch:        {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonCanceled:                  {code: codes.Canceled},
	ReasonInternal:                  {code: codes.Internal},
	ReasonNotController:             {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonInvalidUpdateVersion:      {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonIneligibleReplica:         {code: codes.FailedPrecondition},
	ReasonPreferredLeaderNotAvail:   {code: codes.FailedPrecondition, retriable: true, retryAfter: time.Second},
	ReasonInvalidReplicaAssignment:  {code: codes.InvalidArgument},
	ReasonStaleBrokerEpoch:          {code: codes.FailedPrecondition},
	ReasonDuplicateBroker:           {code: codes.AlreadyExists},
	ReasonNoReassignmentInProgress:  {code: codes.FailedPrecondition},
	ReasonBrokerNotAvailable:        {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	// The idempotent producer errors are definite (nothing was written) and
	// not retriable as they are: the producer must bump its epoch
	// (InitProducerId) or, when fenced, stop.
	ReasonInvalidProducerEpoch: {code: codes.FailedPrecondition},
	ReasonOutOfOrderSequence:   {code: codes.FailedPrecondition},
	ReasonUnknownProducerID:    {code: codes.FailedPrecondition},
	ReasonUnsafeReassignment:   {code: codes.FailedPrecondition, retriable: true, retryAfter: time.Second},
	ReasonOffsetNotAvailable:   {code: codes.Unavailable, retriable: true, retryAfter: 100 * time.Millisecond},

	// Consumer groups. A member that is told UNKNOWN_MEMBER_ID or
	// FENCED_MEMBER_EPOCH rejoins with epoch 0 rather than retrying.
	ReasonNotCoordinator:            {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonCoordinatorLoadInProgress: {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonCoordinatorNotAvailable:   {code: codes.Unavailable, retriable: true, retryAfter: 250 * time.Millisecond},
	ReasonInvalidGroupID:            {code: codes.InvalidArgument},
	ReasonUnknownMemberID:           {code: codes.FailedPrecondition},
	ReasonFencedMemberEpoch:         {code: codes.FailedPrecondition},
	ReasonStaleMemberEpoch:          {code: codes.FailedPrecondition, retriable: true, retryAfter: 100 * time.Millisecond},
	ReasonFencedInstanceID:          {code: codes.FailedPrecondition},
	ReasonUnreleasedInstanceID:      {code: codes.FailedPrecondition, retriable: true, retryAfter: time.Second},
	ReasonInconsistentGroupProtocol: {code: codes.FailedPrecondition},
	ReasonUnsupportedAssignor:       {code: codes.InvalidArgument},
	ReasonGroupIDNotFound:           {code: codes.NotFound},
	ReasonNonEmptyGroup:             {code: codes.FailedPrecondition},
	ReasonOffsetRegression:          {code: codes.FailedPrecondition},
	ReasonPartitionNotAssigned:      {code: codes.FailedPrecondition},
	ReasonOffsetMetadataTooLarge:    {code: codes.InvalidArgument},
	ReasonInvalidCommitOffset:       {code: codes.InvalidArgument},
}

// Error is a broker error with a published reason and context for clients.
type Error struct {
	Reason  Reason
	Message string // lower-case, prefixed "server: "
	// Indefinite is set on write errors where the write may have happened.
	Indefinite bool
	// Metadata is context for clients: topic, partition, offset, leader_id...
	Metadata map[string]string
	Err      error // cause, if any
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error.
func errorf(reason Reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Message: "server: " + fmt.Sprintf(format, args...)}
}

// with adds metadata; it returns e for chaining.
func (e *Error) with(kv ...string) *Error {
	if e.Metadata == nil {
		e.Metadata = make(map[string]string, len(kv)/2)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Metadata[kv[i]] = kv[i+1]
	}
	return e
}

// withPartition adds topic and partition metadata.
func (e *Error) withPartition(topic string, partition int32) *Error {
	return e.with("topic", topic, "partition", strconv.Itoa(int(partition)))
}

// asError classifies any error into an *Error: server errors pass through,
// storage and context errors map to their reasons, anything else is INTERNAL.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var oor *storage.OffsetOutOfRangeError
	var (
		fenced  *storage.ProducerFencedError
		order   *storage.OutOfOrderSequenceError
		unknown *storage.UnknownProducerIDError
	)
	switch {
	case errors.As(err, &fenced):
		return (&Error{Reason: ReasonInvalidProducerEpoch, Message: "server: " + err.Error(), Err: err}).with(
			"producer_id", strconv.FormatInt(fenced.ProducerID, 10), "producer_epoch", strconv.Itoa(int(fenced.Epoch)),
			"current_producer_epoch", strconv.Itoa(int(fenced.CurrentEpoch)))
	case errors.As(err, &order):
		return (&Error{Reason: ReasonOutOfOrderSequence, Message: "server: " + err.Error(), Err: err}).with(
			"producer_id", strconv.FormatInt(order.ProducerID, 10), "producer_epoch", strconv.Itoa(int(order.Epoch)),
			"expected_sequence", strconv.Itoa(int(order.Expected)), "sequence", strconv.Itoa(int(order.Got)))
	case errors.As(err, &unknown):
		return (&Error{Reason: ReasonUnknownProducerID, Message: "server: " + err.Error(), Err: err}).with(
			"producer_id", strconv.FormatInt(unknown.ProducerID, 10), "producer_epoch", strconv.Itoa(int(unknown.Epoch)),
			"sequence", strconv.Itoa(int(unknown.Sequence)))
	case errors.As(err, &oor):
		return (&Error{Reason: ReasonOffsetOutOfRange, Message: err.Error(), Err: err}).with(
			"log_start_offset", strconv.FormatInt(oor.Start, 10),
			"log_end_offset", strconv.FormatInt(oor.End, 10),
			"offset", strconv.FormatInt(oor.Offset, 10))
	case errors.Is(err, storage.ErrOffsetOutOfRange):
		return &Error{Reason: ReasonOffsetOutOfRange, Message: err.Error(), Err: err}
	case errors.Is(err, storage.ErrBatchTooLarge):
		return &Error{Reason: ReasonMessageTooLarge, Message: err.Error(), Err: err}
	case errors.Is(err, storage.ErrInvalidBatch):
		return &Error{Reason: ReasonInvalidRecord, Message: err.Error(), Err: err}
	case errors.Is(err, storage.ErrStaleEpoch):
		return &Error{Reason: ReasonFencedLeaderEpoch, Message: err.Error(), Err: err}
	case errors.Is(err, storage.ErrClosed):
		return &Error{Reason: ReasonBrokerShuttingDown, Message: err.Error(), Err: err}
	case errors.Is(err, storage.ErrIO), errors.Is(err, storage.ErrFailed), errors.Is(err, storage.ErrCorruption):
		return &Error{Reason: ReasonStorageError, Message: err.Error(), Err: err}
	}
	if e := clusterError(err); e != nil {
		return e
	}
	var ge *group.Error
	if errors.As(err, &ge) {
		// The reason already names the package; the message reads without it.
		e := &Error{Reason: Reason(ge.Reason), Message: ge.Message, Err: err}
		if ge.Topic != "" {
			e.withPartition(ge.Topic, ge.Partition)
		}
		return e
	}
	if e := replicationError(err); e != nil {
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Reason: ReasonRequestTimedOut, Message: "server: request timed out", Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Reason: ReasonCanceled, Message: "server: request canceled", Err: err}
	}
	return &Error{Reason: ReasonInternal, Message: "server: internal error: " + err.Error(), Err: err}
}

// Bounds on what a status carries (see toStatus).
const (
	maxStatusMessage = 8 << 10
	maxStatusValue   = 1 << 10
)

// clipText cuts s to at most limit bytes (on a rune boundary), saying how
// long it was.
func clipText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes in all)", s[:cut], len(s))
}

// toStatus converts err into a gRPC status error carrying ErrorInfo and, for
// retriable errors, RetryInfo. A nil err returns nil.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	e := asError(err)
	class := classOf(e.Reason)
	// Status travels in HTTP/2 trailers: a message or metadata that quotes a
	// client's huge input would break the connection instead of reporting.
	st := status.New(class.code, clipText(e.Message, maxStatusMessage))
	md := make(map[string]string, len(e.Metadata)+1)
	for k, v := range e.Metadata {
		md[k] = clipText(v, maxStatusValue)
	}
	if e.Indefinite {
		// Writes only: the call failed after the write may have happened.
		md["indefinite"] = "true"
	}
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: string(e.Reason), Domain: errorDomain, Metadata: md}}
	if class.retriable {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(class.retryAfter)})
	}
	if withDetails, derr := st.WithDetails(details...); derr == nil {
		st = withDetails
	}
	return st.Err()
}

// toProto converts err into a per-item fjord.v1.Error. A nil err returns nil.
func toProto(err error) *fjordv1.Error {
	if err == nil {
		return nil
	}
	e := asError(err)
	class := classOf(e.Reason)
	return &fjordv1.Error{
		Code:         int32(class.code),
		Reason:       string(e.Reason),
		Message:      e.Message,
		Retriable:    class.retriable,
		Indefinite:   e.Indefinite,
		RetryAfterMs: int32(class.retryAfter / time.Millisecond),
		Metadata:     e.Metadata,
	}
}

func classOf(r Reason) reasonClass {
	if c, ok := reasonTable[r]; ok {
		return c
	}
	return reasonClass{code: codes.Internal}
}

// clusterError maps the controller's errors, or returns nil.
func clusterError(err error) *Error {
	var reason Reason
	switch {
	case errors.Is(err, cluster.ErrIndeterminate):
		e := &Error{Reason: ReasonRequestTimedOut, Message: "server: the controller did not confirm the change; it may or may not have been applied: " + err.Error(), Err: err, Indefinite: true}
		return e
	case errors.Is(err, cluster.ErrNotLeader):
		e := &Error{Reason: ReasonNotController, Message: "server: " + err.Error(), Err: err}
		var nl *cluster.NotLeaderError
		if errors.As(err, &nl) && nl.LeaderID >= 0 {
			e.with("controller_id", strconv.Itoa(int(nl.LeaderID)))
		}
		return e
	case errors.Is(err, cluster.ErrTopicExists):
		reason = ReasonTopicAlreadyExists
	case errors.Is(err, cluster.ErrUnknownTopic), errors.Is(err, cluster.ErrUnknownPartition):
		reason = ReasonUnknownTopicOrPartition
	case errors.Is(err, cluster.ErrInvalidReplicationFactor):
		reason = ReasonInvalidReplicationFactor
	case errors.Is(err, cluster.ErrInvalidPartitions), errors.Is(err, cluster.ErrPartitionCountChanged):
		reason = ReasonInvalidPartitions
	case errors.Is(err, cluster.ErrInvalidAssignment):
		reason = ReasonInvalidReplicaAssignment
	case errors.Is(err, cluster.ErrStalePartitionEpoch):
		reason = ReasonInvalidUpdateVersion
	case errors.Is(err, cluster.ErrFencedLeaderEpoch):
		reason = ReasonFencedLeaderEpoch
	case errors.Is(err, cluster.ErrNotPartitionLeader):
		reason = ReasonNotLeaderOrFollower
	case errors.Is(err, cluster.ErrIneligibleReplica):
		reason = ReasonIneligibleReplica
	case errors.Is(err, cluster.ErrPreferredLeaderNotAvailable):
		reason = ReasonPreferredLeaderNotAvail
	case errors.Is(err, cluster.ErrNoReassignmentInProgress):
		reason = ReasonNoReassignmentInProgress
	case errors.Is(err, cluster.ErrUnsafeReassignment):
		reason = ReasonUnsafeReassignment
	case errors.Is(err, cluster.ErrUnknownBroker), errors.Is(err, cluster.ErrStaleBrokerEpoch):
		reason = ReasonStaleBrokerEpoch
	case errors.Is(err, cluster.ErrDuplicateBroker):
		reason = ReasonDuplicateBroker
	case errors.Is(err, cluster.ErrClosed):
		reason = ReasonBrokerShuttingDown
	case errors.Is(err, cluster.ErrInvalidRecord), errors.Is(err, cluster.ErrInvalidTransition):
		reason = ReasonInvalidRequest
	default:
		return nil
	}
	e := &Error{Reason: reason, Message: "server: " + err.Error(), Err: err}
	var ce *cluster.Error
	if errors.As(err, &ce) {
		if ce.Topic != "" {
			e.with("topic", ce.Topic)
		}
		if ce.Partition >= 0 {
			e.with("partition", strconv.Itoa(int(ce.Partition)))
		}
	}
	return e
}

// replicationError maps the replication state machines' errors, or returns nil.
func replicationError(err error) *Error {
	var reason Reason
	switch {
	case errors.Is(err, replication.ErrFencedLeaderEpoch):
		reason = ReasonFencedLeaderEpoch
	case errors.Is(err, replication.ErrUnknownLeaderEpoch):
		reason = ReasonUnknownLeaderEpoch
	case errors.Is(err, replication.ErrNotLeader), errors.Is(err, replication.ErrUnknownReplica):
		reason = ReasonNotLeaderOrFollower
	case errors.Is(err, replication.ErrOffsetOutOfRange):
		reason = ReasonOffsetOutOfRange
	case errors.Is(err, replication.ErrNotEnoughReplicas):
		reason = ReasonNotEnoughReplicas
	case errors.Is(err, replication.ErrNotEnoughReplicasAfterAppend):
		reason = ReasonNotEnoughReplicasAppended
	default:
		return nil
	}
	return &Error{Reason: reason, Message: "server: " + err.Error(), Err: err}
}
