package replication_test

import (
	"math/rand/v2"
	"testing"

	"github.com/fjordlog/fjord/server/replication"
	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

var (
	_ replication.FollowerLog = (*storage.Log)(nil)
	_ replication.LeaderLog   = (*storage.Log)(nil)
)

// TestMemLogMatchesStorage drives a storage.Log and a memLog through the
// same appends (at rising epochs) and truncations and checks that they give
// the same answers to every query the protocol makes, so the simulation's
// memLog stands for storage.
func TestMemLogMatchesStorage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	l, err := storage.Open("p", storage.Options{FS: storagefake.NewMemFS()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ml := &memLog{}
	var bounds []int64 // batch base offsets
	epoch := int32(0)
	for step := range 400 {
		switch r := rng.IntN(10); {
		case r < 7:
			if rng.IntN(4) == 0 {
				epoch += 1 + rng.Int32N(2)
			}
			n := 1 + rng.IntN(3)
			var b storage.BatchBuilder
			for range n {
				b.Add(nil, []byte("v"), 1)
			}
			raw, err := b.Build(nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := l.AppendLeader(raw, epoch)
			if err != nil {
				t.Fatal(err)
			}
			bounds = append(bounds, res.BaseOffset)
			for range n {
				ml.append(entry{epoch, 0})
			}
		case len(bounds) > 0:
			i := rng.IntN(len(bounds))
			if err := l.TruncateTo(bounds[i]); err != nil {
				t.Fatal(err)
			}
			ml.truncateTo(bounds[i])
			bounds = bounds[:i]
			if le, ok := ml.LatestEpoch(); ok {
				epoch = le
			}
		}
		if l.LogEndOffset() != ml.LogEndOffset() || l.LogStartOffset() != ml.LogStartOffset() {
			t.Fatalf("step %d: storage leo %d start %d, memLog %s", step, l.LogEndOffset(), l.LogStartOffset(), ml)
		}
		se, sok := l.LatestEpoch()
		me, mok := ml.LatestEpoch()
		if sok != mok || (sok && se != me) {
			t.Fatalf("step %d: latest epoch storage (%d,%v) memLog (%d,%v)", step, se, sok, me, mok)
		}
		for e := int32(-1); e <= epoch+2; e++ {
			a1, b1 := l.EndOffsetForEpoch(e)
			a2, b2 := ml.EndOffsetForEpoch(e)
			if a1 != a2 || b1 != b2 {
				t.Fatalf("step %d: EndOffsetForEpoch(%d) storage (%d,%d) memLog (%d,%d); %s", step, e, a1, b1, a2, b2, ml)
			}
			for _, le := range []int32{e, e + 1, epoch + 1} {
				if x, y := replication.LeaderEndOffsetForEpoch(l, le, e), replication.LeaderEndOffsetForEpoch(ml, le, e); x != y {
					t.Fatalf("step %d: LeaderEndOffsetForEpoch(%d, %d) storage %s memLog %s", step, le, e, x, y)
				}
			}
		}
	}
}
