package fjord

import (
	"context"
	"errors"
	"testing"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestErrorFromRPCStatusDetails(t *testing.T) {
	st, err := status.New(codes.Unavailable, "not the leader").WithDetails(
		&errdetails.ErrorInfo{Reason: "NOT_LEADER_OR_FOLLOWER", Domain: "fjord", Metadata: map[string]string{"topic": "orders", "partition": "3", "leader_id": "2"}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(250 * time.Millisecond)},
	)
	if err != nil {
		t.Fatal(err)
	}
	got := errorFromRPC(context.Background(), st.Err(), true)
	var fe *Error
	if !errors.As(got, &fe) {
		t.Fatalf("%T %v", got, got)
	}
	if !errors.Is(got, ErrNotLeader) || errors.Is(got, ErrOffsetOutOfRange) {
		t.Errorf("errors.Is by reason failed: %v", got)
	}
	if fe.Code != codes.Unavailable || !fe.Retriable || fe.Indefinite || fe.RetryAfter != 250*time.Millisecond {
		t.Errorf("got %+v", fe)
	}
	if fe.Topic != "orders" || fe.Partition != 3 || fe.Metadata["leader_id"] != "2" {
		t.Errorf("location %q/%d meta %v", fe.Topic, fe.Partition, fe.Metadata)
	}
	if _, ok := status.FromError(errors.Unwrap(got)); !ok {
		t.Error("Unwrap does not give the status error")
	}
}

func TestErrorFromRPCClassification(t *testing.T) {
	timedOut, _ := status.New(codes.DeadlineExceeded, "acks").WithDetails(&errdetails.ErrorInfo{Reason: "REQUEST_TIMED_OUT", Domain: "fjord"})
	tooLarge, _ := status.New(codes.InvalidArgument, "big").WithDetails(&errdetails.ErrorInfo{Reason: "MESSAGE_TOO_LARGE", Domain: "fjord"})
	for _, tc := range []struct {
		name                  string
		err                   error
		write                 bool
		reason                string
		retriable, indefinite bool
	}{
		{"unavailable read", status.Error(codes.Unavailable, "conn refused"), false, ReasonUnavailable, true, false},
		{"unavailable write", status.Error(codes.Unavailable, "conn reset"), true, ReasonUnavailable, true, true},
		{"timeout write", timedOut.Err(), true, ReasonRequestTimedOut, true, true},
		{"too large", tooLarge.Err(), true, ReasonMessageTooLarge, false, false},
		{"plain internal", status.Error(codes.Internal, "boom"), false, "", false, false},
		{"plain internal write", status.Error(codes.Internal, "boom"), true, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fe *Error
			if !errors.As(errorFromRPC(context.Background(), tc.err, tc.write), &fe) {
				t.Fatal("not an *Error")
			}
			if fe.Reason != tc.reason || fe.Retriable != tc.retriable || fe.Indefinite != tc.indefinite {
				t.Errorf("got reason %q retriable %v indefinite %v", fe.Reason, fe.Retriable, fe.Indefinite)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := errorFromRPC(ctx, status.Error(codes.Canceled, "x"), false); !errors.Is(got, context.Canceled) {
		t.Errorf("caller cancellation mapped to %v", got)
	}
}

func TestErrorFromProto(t *testing.T) {
	if errorFromProto(nil, "t", 0) != nil || errorFromProto(&fjordv1.Error{}, "t", 0) != nil {
		t.Fatal("empty error is not nil")
	}
	fe := errorFromProto(&fjordv1.Error{Code: int32(codes.OutOfRange), Reason: "OFFSET_OUT_OF_RANGE", Message: "offset 9", RetryAfterMs: 5, Metadata: map[string]string{"offset": "9"}}, "t", 4)
	if !errors.Is(fe, ErrOffsetOutOfRange) || fe.Topic != "t" || fe.Partition != 4 || fe.RetryAfter != 5*time.Millisecond || fe.Code != codes.OutOfRange {
		t.Fatalf("%+v", fe)
	}
	if got := fe.Error(); got != `fjord: OFFSET_OUT_OF_RANGE: offset 9 (topic "t" partition 4)` {
		t.Errorf("Error() = %s", got)
	}
	// Leadership reasons are retriable even if the broker forgot the flag.
	if !errorFromProto(&fjordv1.Error{Reason: "NOT_LEADER_OR_FOLLOWER"}, "t", 0).Retriable {
		t.Error("NOT_LEADER_OR_FOLLOWER not retriable")
	}
	// A timed-out write may have happened even if the broker forgot to say so.
	if !errorFromProto(&fjordv1.Error{Reason: "REQUEST_TIMED_OUT"}, "t", 0).Indefinite {
		t.Error("REQUEST_TIMED_OUT not indefinite")
	}
}
