package sdktest_test

import (
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// A group consumer survives its coordinator's broker going away: it finds
// the new coordinator and resumes its session there (same member id and
// epoch: no partition lost or revoked), and consumes every record.
func TestGroupCoordinatorFailover(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3)
	var addrs []string
	for _, b := range c.brokers {
		addrs = append(addrs, b.addr())
	}
	cl := newClient(t, addrs[0], fjord.SeedBrokers(addrs...))
	if _, err := fjord.NewAdmin(cl).CreateTopic(ctxT(t), "fo", 3, 3, nil); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	for p := range int32(3) {
		waitFullISR(t, cl, "fo", p, 3)
	}
	produceParts(t, cl, "fo", 3, 10, 0)
	own := newOwnership(t)
	m := startMember(t, cl, "fo", append(own.opts("m"), fjord.Topics("fo"), fjord.ResetOffset(fjord.AtStart()),
		fjord.AutoCommitInterval(50*time.Millisecond))...)
	waitFor(t, "the first 30 records", func() bool { return len(m.records()) >= 30 })
	ad := fjord.NewAdmin(cl)
	fc, err := ad.FindCoordinator(ctxT(t), "fo")
	if err != nil {
		t.Fatalf("FindCoordinator: %v", err)
	}
	waitFor(t, "the group's offsets partition in sync on three brokers", func() bool {
		d, err := ad.DescribeTopic(ctxT(t), "__consumer_offsets")
		return err == nil && len(d.GetPartitions()[fc.GetPartition()].GetIsr()) == 3
	})
	old := fc.GetCoordinator().GetId()
	c.brokers[old-1].stop()

	produceParts(t, cl, "fo", 3, 10, 10)
	waitFor(t, "all 60 records", func() bool { return len(countValues(m.records())) >= 60 })
	waitFor(t, "a new coordinator", func() bool {
		fc, err := ad.FindCoordinator(ctxT(t), "fo")
		return err == nil && fc.GetCoordinator().GetId() != old
	})
	if ev := own.since(0); len(ev) != 3 {
		t.Errorf("ownership events %v, want the three first assignments only", ev)
	}
	for _, err := range m.errors() {
		t.Logf("poll error during the failover: %v", err)
	}
}
