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

// TestThrottleErrors: a quota refusal, as an RPC status (Produce, Fetch)
// or per partition (ProduceStream), is ErrThrottled, retriable, definite,
// and carries the broker's delay, which the producer waits instead of its
// backoff without counting a retry.
func TestThrottleErrors(t *testing.T) {
	st, err := status.New(codes.ResourceExhausted, "over quota").WithDetails(
		&errdetails.ErrorInfo{Reason: ReasonThrottlingQuotaExceeded, Domain: "fjord"},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)},
	)
	if err != nil {
		t.Fatal(err)
	}
	perPartition := errorFromProto(&fjordv1.Error{Code: int32(codes.ResourceExhausted), Reason: ReasonThrottlingQuotaExceeded, RetryAfterMs: 1500}, "t", 0)
	for name, err := range map[string]error{
		"status":        errorFromRPC(context.Background(), st.Err(), true),
		"per partition": perPartition,
	} {
		var fe *Error
		if !errors.As(err, &fe) || !errors.Is(err, ErrThrottled) || !fe.Retriable || IsIndefinite(err) || fe.RetryAfter != 1500*time.Millisecond {
			t.Errorf("%s: %+v, want retriable definite ErrThrottled after 1.5 s", name, err)
		}
		b := &producerBatch{attempts: 3}
		if d, ok := throttleDelay(b, err); !ok || d != 1500*time.Millisecond || b.throttles != 1 {
			t.Errorf("%s: throttleDelay = %v, %v (throttles %d), want 1.5 s", name, d, ok, b.throttles)
		}
	}
	if _, ok := throttleDelay(&producerBatch{}, &Error{Reason: ReasonNotLeaderOrFollower, RetryAfter: time.Second}); ok {
		t.Error("throttleDelay took a NOT_LEADER error for a throttle")
	}
}
