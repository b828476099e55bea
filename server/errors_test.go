package server

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestForwardErrorIndefiniteOnlyWithoutLeaderAnswer(t *testing.T) {
	leaderSaid := toStatus(errorf(ReasonTopicAlreadyExists, "topic %q already exists", "x"))
	if e := asError(forwardError(leaderSaid)); e.Reason != ReasonTopicAlreadyExists || e.Indefinite {
		t.Fatalf("leader's answer: %+v", e)
	}
	broken := status.Error(codes.Unavailable, "connection reset")
	if e := asError(forwardError(broken)); e.Reason != ReasonNotController || !e.Indefinite {
		t.Fatalf("transport failure: %+v", e)
	}
}
