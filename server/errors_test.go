package server

import (
	"strings"
	"testing"
	"unicode/utf8"

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

func TestToStatusClipsHugeText(t *testing.T) {
	huge := strings.Repeat("é", 1<<20) // 2 MiB, two bytes a rune
	err := toStatus(errorf(ReasonInvalidTopic, "topic %q is invalid", huge).withPartition(huge, 3))
	st, _ := status.FromError(err)
	if n := len(st.Message()); n > maxStatusMessage || !utf8.ValidString(st.Message()) || !strings.Contains(st.Message(), "bytes in all") {
		t.Fatalf("message of %d bytes, valid UTF-8 %v", n, utf8.ValidString(st.Message()))
	}
	e := asError(fromStatus(err))
	if e.Reason != ReasonInvalidTopic || len(e.Metadata["topic"]) > maxStatusValue || e.Metadata["partition"] != "3" {
		t.Fatalf("decoded %s %q", e.Reason, e.Metadata)
	}
}
