package fjord

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failure reported by a broker, either for a whole RPC (a gRPC
// status with ErrorInfo/RetryInfo details) or for one topic or partition
// inside a response. It is also used for client-side failures that have a
// published reason, such as CORRUPT_MESSAGE for a batch whose CRC does not
// match.
type Error struct {
	// Code is the gRPC status code.
	Code codes.Code
	// Reason is the stable, machine-readable reason, e.g.
	// NOT_LEADER_OR_FOLLOWER. Errors compare equal under errors.Is when their
	// reasons are equal.
	Reason string
	// Message is the human-readable description.
	Message string
	// Retriable is true when the same request may succeed if retried (after
	// a metadata refresh for leadership errors).
	Retriable bool
	// Indefinite is true, for writes, when the write may have been applied
	// even though it failed.
	Indefinite bool
	// RetryAfter is the broker's suggested delay before retrying (0 if none).
	RetryAfter time.Duration
	// Topic and Partition locate the failure when known (Partition is -1
	// when unknown or not applicable).
	Topic     string
	Partition int32
	// Metadata is extra context from the broker such as leader_id, offset.
	Metadata map[string]string

	cause error
}

// Published reasons.
const (
	ReasonUnknownTopicOrPartition      = "UNKNOWN_TOPIC_OR_PARTITION"
	ReasonNotLeaderOrFollower          = "NOT_LEADER_OR_FOLLOWER"
	ReasonLeaderNotAvailable           = "LEADER_NOT_AVAILABLE"
	ReasonOffsetOutOfRange             = "OFFSET_OUT_OF_RANGE"
	ReasonMessageTooLarge              = "MESSAGE_TOO_LARGE"
	ReasonInvalidRecord                = "INVALID_RECORD"
	ReasonCorruptMessage               = "CORRUPT_MESSAGE"
	ReasonInvalidConfig                = "INVALID_CONFIG"
	ReasonInvalidTopic                 = "INVALID_TOPIC"
	ReasonInvalidPartitions            = "INVALID_PARTITIONS"
	ReasonInvalidReplicationFactor     = "INVALID_REPLICATION_FACTOR"
	ReasonTopicAlreadyExists           = "TOPIC_ALREADY_EXISTS"
	ReasonInvalidRequest               = "INVALID_REQUEST"
	ReasonRequestTimedOut              = "REQUEST_TIMED_OUT"
	ReasonNotEnoughReplicas            = "NOT_ENOUGH_REPLICAS"
	ReasonNotEnoughReplicasAfterAppend = "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
	ReasonStorageError                 = "STORAGE_ERROR"
	ReasonBrokerShuttingDown           = "BROKER_SHUTTING_DOWN"
	ReasonFencedLeaderEpoch            = "FENCED_LEADER_EPOCH"
	ReasonUnknownLeaderEpoch           = "UNKNOWN_LEADER_EPOCH"
	ReasonInternal                     = "INTERNAL"
	// ReasonInvalidProducerEpoch: an idempotent producer's batch carries an
	// older epoch than the partition knows for its producer id: another
	// producer with that id took over (it is fenced).
	ReasonInvalidProducerEpoch = "INVALID_PRODUCER_EPOCH"
	// ReasonOutOfOrderSequenceNumber: an idempotent producer's batch does
	// not continue the partition's sequence for its producer.
	ReasonOutOfOrderSequenceNumber = "OUT_OF_ORDER_SEQUENCE_NUMBER"
	// ReasonUnknownProducerID: the partition has no state for the producer
	// (it expired, or its batches were deleted) and the batch does not
	// start a new sequence.
	ReasonUnknownProducerID = "UNKNOWN_PRODUCER_ID"
	// ReasonUnavailable is used for transport failures that carry no reason
	// (gRPC UNAVAILABLE without details): the broker could not be reached.
	ReasonUnavailable = "UNAVAILABLE"
	// ReasonThrottlingQuotaExceeded: the client is over its byte-rate
	// quota; nothing was written or read. Retriable after RetryAfter, which
	// the producer and consumer wait instead of their backoff.
	ReasonThrottlingQuotaExceeded = "THROTTLING_QUOTA_EXCEEDED"
)

// Sentinels for errors.Is. Each is an *Error with only Reason set and
// matches any *Error with the same reason.
var (
	ErrUnknownTopicOrPartition      = &Error{Reason: ReasonUnknownTopicOrPartition}
	ErrNotLeader                    = &Error{Reason: ReasonNotLeaderOrFollower}
	ErrLeaderNotAvailable           = &Error{Reason: ReasonLeaderNotAvailable}
	ErrOffsetOutOfRange             = &Error{Reason: ReasonOffsetOutOfRange}
	ErrMessageTooLarge              = &Error{Reason: ReasonMessageTooLarge}
	ErrInvalidRecord                = &Error{Reason: ReasonInvalidRecord}
	ErrCorruptMessage               = &Error{Reason: ReasonCorruptMessage}
	ErrInvalidConfig                = &Error{Reason: ReasonInvalidConfig}
	ErrInvalidTopic                 = &Error{Reason: ReasonInvalidTopic}
	ErrInvalidPartitions            = &Error{Reason: ReasonInvalidPartitions}
	ErrInvalidReplicationFactor     = &Error{Reason: ReasonInvalidReplicationFactor}
	ErrTopicAlreadyExists           = &Error{Reason: ReasonTopicAlreadyExists}
	ErrInvalidRequest               = &Error{Reason: ReasonInvalidRequest}
	ErrRequestTimedOut              = &Error{Reason: ReasonRequestTimedOut}
	ErrNotEnoughReplicas            = &Error{Reason: ReasonNotEnoughReplicas}
	ErrNotEnoughReplicasAfterAppend = &Error{Reason: ReasonNotEnoughReplicasAfterAppend}
	ErrStorageError                 = &Error{Reason: ReasonStorageError}
	ErrBrokerShuttingDown           = &Error{Reason: ReasonBrokerShuttingDown}
	ErrFencedLeaderEpoch            = &Error{Reason: ReasonFencedLeaderEpoch}
	ErrUnknownLeaderEpoch           = &Error{Reason: ReasonUnknownLeaderEpoch}
	ErrInternal                     = &Error{Reason: ReasonInternal}
	ErrInvalidProducerEpoch         = &Error{Reason: ReasonInvalidProducerEpoch}
	ErrOutOfOrderSequenceNumber     = &Error{Reason: ReasonOutOfOrderSequenceNumber}
	ErrUnknownProducerID            = &Error{Reason: ReasonUnknownProducerID}
	ErrUnavailable                  = &Error{Reason: ReasonUnavailable}
	ErrThrottled                    = &Error{Reason: ReasonThrottlingQuotaExceeded}
)

// Client-side errors.
var (
	// ErrClosed is returned (or passed to promises) after Close.
	ErrClosed = errors.New("fjord: closed")
	// ErrDeliveryTimeout is wrapped, together with the last attempt's error,
	// into the error of a record that could not be delivered within the
	// producer's DeliveryTimeout.
	ErrDeliveryTimeout = errors.New("fjord: delivery timeout")
	// ErrRecordTooLarge is returned for a record larger than BatchBytes or
	// MaxBufferedBytes allow.
	ErrRecordTooLarge = errors.New("fjord: record larger than the producer's buffer")
	// ErrWouldReorder is wrapped, together with the error of its last
	// attempt, into the error of a record the producer did not retry
	// because a later batch of the same partition may already have been
	// written: retrying would have put the record after it. The record was
	// not written (the last attempt's error was definite); producing it
	// again is safe, but it will land after the records produced after it.
	// Only a producer without idempotence returns it.
	ErrWouldReorder = errors.New("fjord: not retried: a later batch of the partition may already be written")
	// ErrProducerFenced is wrapped, with the broker's INVALID_PRODUCER_EPOCH,
	// into the error of every record an idempotent producer had not written
	// when another producer took over its producer id and epoch: the
	// producer is unusable from then on (every later Produce fails with it)
	// and should be closed.
	ErrProducerFenced = errors.New("fjord: producer fenced: another producer has taken over its producer id")
	// ErrIdempotence is wrapped into the error of every record of an
	// idempotent producer that could not get a producer id (InitProducerId
	// failed with an error that is not retriable, e.g. a broker without
	// idempotence support): the producer is unusable, like a fenced one.
	ErrIdempotence = errors.New("fjord: idempotent producer unavailable")
)

// maybeWrittenError is the final error of a batch whose last attempt
// failed definitely after an earlier attempt's outcome was unknown: the
// records may be in the log, so the failure is indefinite as a whole.
type maybeWrittenError struct {
	last, earlier error
}

func (e *maybeWrittenError) Error() string {
	return e.last.Error() + " (an earlier attempt may have written the records: " + e.earlier.Error() + ")"
}

func (e *maybeWrittenError) Unwrap() []error { return []error{e.last, e.earlier} }

// reasonInfo says how a reason behaves when the broker did not say
// (RPC-level statuses carry no retriable flag, only RetryInfo).
var reasonInfo = map[string]struct{ retriable, indefinite bool }{
	ReasonNotLeaderOrFollower:          {true, false},
	ReasonLeaderNotAvailable:           {true, false},
	ReasonRequestTimedOut:              {true, true},
	ReasonNotEnoughReplicas:            {true, false},
	ReasonNotEnoughReplicasAfterAppend: {true, true},
	ReasonBrokerShuttingDown:           {true, false},
	ReasonFencedLeaderEpoch:            {true, false},
	ReasonUnknownLeaderEpoch:           {true, false},
	ReasonUnavailable:                  {true, false},
	ReasonThrottlingQuotaExceeded:      {true, false},
}

// throttleDelay reports whether err is a quota throttle of b (counting it
// in b.throttles) and the delay the broker asked for: the producer waits
// exactly that, not its backoff, and a throttle is not a retry for
// MaxRetries (nothing was written; the broker only said when).
func throttleDelay(b *producerBatch, err error) (time.Duration, bool) {
	var fe *Error
	if !errors.As(err, &fe) || fe.Reason != ReasonThrottlingQuotaExceeded {
		return 0, false
	}
	b.throttles++
	return fe.RetryAfter, true
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("fjord: ")
	if e.Reason != "" {
		b.WriteString(e.Reason)
	} else {
		b.WriteString(e.Code.String())
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Topic != "" {
		fmt.Fprintf(&b, " (topic %q", e.Topic)
		if e.Partition >= 0 {
			fmt.Fprintf(&b, " partition %d", e.Partition)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether target is an *Error with the same (non-empty) reason,
// so errors.Is(err, ErrNotLeader) works for any NOT_LEADER_OR_FOLLOWER.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Reason == "" {
		return false
	}
	return t.Reason == e.Reason
}

// Unwrap returns the underlying transport error, if any.
func (e *Error) Unwrap() error { return e.cause }

// IsRetriable reports whether err is an *Error marked retriable.
func IsRetriable(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Retriable
}

// IsIndefinite reports whether err is a write failure whose write may have
// been applied even though it failed: an *Error marked Indefinite, or a
// produce failure whose last attempt failed definitely after an earlier
// attempt's outcome was unknown. Any other error the SDK returns for a write
// (definite) means the write was not applied. It is the test to use: an
// *Error found with errors.As may be the last attempt's definite error of
// an indefinite failure.
func IsIndefinite(err error) bool {
	var mw *maybeWrittenError
	if errors.As(err, &mw) {
		return true
	}
	var fe *Error
	return errors.As(err, &fe) && fe.Indefinite
}

// errorFromProto maps a per-item error from a response; nil maps to nil.
func errorFromProto(pe *fjordv1.Error, topic string, partition int32) *Error {
	if pe == nil || (pe.GetCode() == 0 && pe.GetReason() == "") {
		return nil
	}
	e := &Error{
		Code:       codes.Code(pe.GetCode()),
		Reason:     pe.GetReason(),
		Message:    pe.GetMessage(),
		Retriable:  pe.GetRetriable(),
		Indefinite: pe.GetIndefinite(),
		RetryAfter: time.Duration(pe.GetRetryAfterMs()) * time.Millisecond,
		Topic:      topic,
		Partition:  partition,
		Metadata:   pe.GetMetadata(),
	}
	if ri, ok := reasonInfo[e.Reason]; ok {
		e.Retriable = e.Retriable || ri.retriable
		// A timeout of a write may have let it happen even when the broker
		// did not say so.
		e.Indefinite = e.Indefinite || ri.indefinite
	}
	fillLocation(e)
	return e
}

// fillLocation takes topic and partition from the metadata when unset.
func fillLocation(e *Error) {
	if e.Topic == "" {
		e.Topic = e.Metadata["topic"]
	}
	if p, ok := e.Metadata["partition"]; ok && e.Partition < 0 {
		if n, err := strconv.ParseInt(p, 10, 32); err == nil {
			e.Partition = int32(n)
		}
	}
}

// errorFromRPC maps an RPC failure to an *Error. Context errors of ctx (the
// caller's) are returned as they are. write says whether the RPC was a write
// that may have reached the broker, which makes transport failures and
// timeouts indefinite.
func errorFromRPC(ctx context.Context, err error, write bool) error {
	if err == nil {
		return nil
	}
	var fe *Error
	if errors.As(err, &fe) {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrClosed) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return &Error{Code: codes.Unknown, Reason: ReasonUnavailable, Message: err.Error(), Retriable: true, Indefinite: write, Partition: -1, cause: err}
	}
	e := &Error{Code: st.Code(), Message: st.Message(), Partition: -1, cause: err}
	hasRetryInfo := false
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			e.Reason = d.GetReason()
			e.Metadata = d.GetMetadata()
		case *errdetails.RetryInfo:
			hasRetryInfo = true
			if rd := d.GetRetryDelay(); rd != nil {
				e.RetryAfter = rd.AsDuration()
			}
		}
	}
	switch {
	case e.Reason != "":
		ri := reasonInfo[e.Reason]
		e.Retriable = hasRetryInfo || ri.retriable
		// The broker marks RPC-level write failures whose write may have
		// happened; a timeout of a write may have let it happen anyway.
		e.Indefinite = e.Metadata["indefinite"] == "true" || (ri.indefinite && write)
	case st.Code() == codes.Unavailable:
		e.Reason = ReasonUnavailable
		e.Retriable = true
		e.Indefinite = write
	case st.Code() == codes.DeadlineExceeded, st.Code() == codes.Canceled:
		// The per-attempt timeout expired (the caller's ctx is still live).
		e.Reason = ReasonRequestTimedOut
		e.Retriable = true
		e.Indefinite = write
	default:
		e.Retriable = hasRetryInfo
		// The broker did not classify the failure (a panic, say): a write
		// may have been applied before it.
		e.Indefinite = write
	}
	fillLocation(e)
	return e
}
