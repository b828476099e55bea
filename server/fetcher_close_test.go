package server

import "testing"

// A reconcile that is still applying metadata while the broker closes may
// remove a followed partition after the fetchers stopped (a CI run panicked
// on the nil fetcher).
func TestFetcherSetRemoveAfterClose(t *testing.T) {
	fs := newFetcherSet(nil)
	p := &partition{}
	f := newFetcher(nil, 1) // not running: close only cancels it
	f.add(p)
	fs.byLeader[1] = f
	fs.leaderOf[p] = 1

	fs.close()
	fs.remove(p)
	fs.assign(p, 2) // ignored once closed
	if len(fs.byLeader) != 0 || len(fs.leaderOf) != 0 {
		t.Fatalf("after close: %d fetchers, %d partitions; want none", len(fs.byLeader), len(fs.leaderOf))
	}
	if f.ctx.Err() == nil {
		t.Fatal("close did not stop the fetcher")
	}
}
