package fjord

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/fjordlog/fjord/clients/go/fjordfake"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
)

func TestNewMemberID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := newMemberID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("member id %q (seen: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestWireTPs(t *testing.T) {
	in := []*fjordv1.TopicPartitions{{Topic: "b", Partitions: []int32{2, 0}}, {Topic: "a", Partitions: []int32{1}}}
	got := fromWireTPs(in)
	want := []TopicPartition{{"a", 1}, {"b", 0}, {"b", 2}}
	if !slices.Equal(got, want) {
		t.Fatalf("fromWireTPs = %v, want %v", got, want)
	}
	back := toWireTPs(got)
	if len(back) != 2 || back[0].GetTopic() != "a" || !slices.Equal(back[1].GetPartitions(), []int32{0, 2}) {
		t.Fatalf("toWireTPs = %v", back)
	}
	if toWireTPs(nil) != nil || fromWireTPs(nil) != nil {
		t.Fatal("empty lists are not nil")
	}
}

func TestFatalMemberError(t *testing.T) {
	for _, tc := range []struct {
		err   error
		fatal bool
	}{
		{ErrClosed, true},
		{&Error{Reason: ReasonFencedInstanceID}, true},
		{&Error{Reason: ReasonInvalidRequest}, true},
		{&Error{Reason: ReasonInconsistentGroupProtocol}, true},
		{&Error{Code: codes.Unimplemented}, true},
		{&Error{Reason: ReasonUnknownMemberID}, false},
		{&Error{Reason: ReasonNotCoordinator}, false},
		{&Error{Reason: ReasonUnreleasedInstanceID}, false},
		{&Error{Reason: ReasonUnavailable, Code: codes.Unavailable}, false},
		{context.Canceled, false},
		{fmt.Errorf("wrapped: %w", &Error{Reason: ReasonFencedInstanceID}), true},
	} {
		if got := fatalMemberError(tc.err); got != tc.fatal {
			t.Errorf("fatalMemberError(%v) = %v, want %v", tc.err, got, tc.fatal)
		}
	}
}

func TestCoordinatorRetriable(t *testing.T) {
	for _, r := range []string{ReasonNotCoordinator, ReasonCoordinatorNotAvailable, ReasonCoordinatorLoadInProgress} {
		if err := coordinatorRetriable(&Error{Reason: r}); !IsRetriable(err) {
			t.Errorf("%s not retriable", r)
		}
	}
	if err := coordinatorRetriable(&Error{Reason: ReasonNonEmptyGroup}); IsRetriable(err) {
		t.Error("NON_EMPTY_GROUP retriable")
	}
}

// A commit refused with STALE_MEMBER_EPOCH (the coordinator moved the
// member's epoch on and the push has not arrived) is retried with the
// newest epoch, not resent as it was.
func TestGroupCommitStaleEpoch(t *testing.T) {
	fc, err := fjordfake.New(1)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	if err := fc.CreateTopic("t", 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := NewClient(ctx, SeedBrokers(fc.Addrs()[0]), RetryBackoff(func(int) time.Duration { return 5 * time.Millisecond }))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	p, _ := NewProducer(cl)
	if err := p.ProduceSync(ctx, &Record{Topic: "t", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	g, err := NewGroupConsumer(cl, "stale", Topics("t"), ResetOffset(AtStart()), AutoCommit(false), FetchMaxWait(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for n := 0; n < 1; {
		recs, err := g.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(recs)
	}
	g.mu.Lock()
	epoch := g.epoch
	g.epoch--
	g.mu.Unlock()
	restored := make(chan struct{})
	go func() {
		defer close(restored)
		time.Sleep(50 * time.Millisecond)
		g.mu.Lock()
		g.epoch = epoch // as a push would
		g.mu.Unlock()
	}()
	const commit = "/fjord.v1.GroupService/CommitOffsets"
	before := fc.Requests(commit)
	if err := g.Commit(ctx); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	<-restored
	if n := fc.Requests(commit) - before; n < 2 {
		t.Fatalf("%d commit requests, want the stale one and a retry", n)
	}
	offs, err := cl.fetchOffsets(ctx, "stale", nil)
	if err != nil || len(offs) != 1 || offs[0].GetPartitions()[0].GetOffset() != 1 {
		t.Fatalf("committed %v, %v", offs, err)
	}
}
