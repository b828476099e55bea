package group

import (
	"testing"
	"time"

	"github.com/fjordlog/fjord/server/group/assign"
)

// benchGroup returns a shard holding a stable 3-member group over 48
// partitions (two topics of 24).
func benchGroup(b *testing.B) (*Shard, time.Time) {
	s := NewShard(Config{})
	now := t0
	s.SetTopics(now, map[string]assign.Topic{"a": {Partitions: 24}, "b": {Partitions: 24}})
	for _, m := range []string{"m1", "m2", "m3"} {
		if _, err := s.Join(now, JoinRequest{Group: "g", MemberID: m, Subscription: Subscription{Topics: []string{"a", "b"}}}); err != nil {
			b.Fatal(err)
		}
		settleBench(b, s, now)
	}
	return s, now
}

// settleBench acknowledges every member's assignment until the group is
// stable, as clients would.
func settleBench(b *testing.B, s *Shard, now time.Time) int {
	g := s.groups["g"]
	for round := 1; round < 10; round++ {
		for _, id := range g.sortedMemberIDs() {
			m := g.members[id]
			if _, err := s.Ack(now, "g", id, m.epoch, m.assigned); err != nil {
				b.Fatal(err)
			}
		}
		if g.state() == StateStable {
			return round
		}
	}
	b.Fatal("group does not settle")
	return 0
}

// BenchmarkRebalance measures a fourth member joining a stable 3-member
// group of 48 partitions: "join" is the Join call alone (new epoch, target
// from the uniform assignor, first reconciliation step, records, effects);
// "cycle" adds the acknowledgements until the group is stable again (the
// revocations, then the assignments to the new member). The groups are
// built beforehand, in batches, with the timer stopped.
func BenchmarkRebalance(b *testing.B) {
	join := JoinRequest{Group: "g", MemberID: "m4", Subscription: Subscription{Topics: []string{"a", "b"}}}
	for _, full := range []bool{false, true} {
		name := "join"
		if full {
			name = "cycle"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			const batch = 256
			shards := make([]*Shard, batch)
			for done := 0; done < b.N; {
				b.StopTimer()
				n := min(batch, b.N-done)
				var now time.Time
				for i := range n {
					shards[i], now = benchGroup(b)
				}
				b.StartTimer()
				for _, s := range shards[:n] {
					out, err := s.Join(now, join)
					if err != nil || len(out.Effects) != 4 {
						b.Fatalf("join: %v, %d effects", err, len(out.Effects))
					}
					if full {
						settleBench(b, s, now)
					}
				}
				done += n
			}
		})
	}
}
