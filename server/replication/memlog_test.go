package replication_test

import (
	"fmt"
	"strings"

	"github.com/fjordlog/fjord/server/replication"
)

// entry is one offset of a memLog: the epoch that wrote it (-1: unstamped)
// and a value unique to the write.
type entry struct {
	epoch int32
	val   uint64
}

// memLog models storage.Log's offsets and epoch cache at one-offset
// granularity: every offset is its own batch. TestMemLogMatchesStorage
// checks it answers like storage.Log.
type memLog struct {
	start   int64
	entries []entry // offsets start ..
	durable int64   // offsets below are synced
}

var (
	_ replication.FollowerLog = (*memLog)(nil)
	_ replication.LeaderLog   = (*memLog)(nil)
)

type epochStart struct {
	epoch int32
	start int64
}

func (l *memLog) epochs() []epochStart {
	var es []epochStart
	for i, e := range l.entries {
		if e.epoch < 0 {
			continue
		}
		if len(es) == 0 || e.epoch > es[len(es)-1].epoch {
			es = append(es, epochStart{e.epoch, l.start + int64(i)})
		}
	}
	return es
}

func (l *memLog) LatestEpoch() (int32, bool) {
	es := l.epochs()
	if len(es) == 0 {
		return 0, false
	}
	return es[len(es)-1].epoch, true
}

// EndOffsetForEpoch mirrors storage's epochCache.endOffsetFor.
func (l *memLog) EndOffsetForEpoch(epoch int32) (int32, int64) {
	es := l.epochs()
	if len(es) == 0 || epoch > es[len(es)-1].epoch {
		return -1, -1
	}
	if epoch == es[len(es)-1].epoch {
		return epoch, l.LogEndOffset()
	}
	for i := len(es) - 1; i > 0; i-- {
		if es[i-1].epoch <= epoch {
			return es[i-1].epoch, es[i].start
		}
	}
	return epoch, es[0].start
}

func (l *memLog) LogStartOffset() int64 { return l.start }
func (l *memLog) LogEndOffset() int64   { return l.start + int64(len(l.entries)) }

func (l *memLog) at(o int64) entry { return l.entries[o-l.start] }

func (l *memLog) append(es ...entry) { l.entries = append(l.entries, es...) }

// truncateTo drops offsets >= o (storage: below the start restarts the log at o).
func (l *memLog) truncateTo(o int64) {
	switch {
	case o < l.start:
		l.start, l.entries = o, nil
	case o < l.LogEndOffset():
		l.entries = l.entries[:o-l.start]
	}
	l.durable = min(l.durable, o)
}

func (l *memLog) sync() { l.durable = l.LogEndOffset() }

// crash keeps only synced offsets (machine crash).
func (l *memLog) crash() { l.entries = l.entries[:l.durable-l.start] }

// String is "start=S leo=L epochs=E:O,...".
func (l *memLog) String() string {
	var parts []string
	for _, e := range l.epochs() {
		parts = append(parts, fmt.Sprintf("%d:%d", e.epoch, e.start))
	}
	return fmt.Sprintf("start=%d leo=%d epochs=%s", l.start, l.LogEndOffset(), strings.Join(parts, ","))
}

// isPrefixOf reports whether l's offsets all appear identically in o, and
// the first offset where they differ.
func (l *memLog) isPrefixOf(o *memLog) (bool, int64) {
	if l.LogEndOffset() > o.LogEndOffset() {
		return false, o.LogEndOffset()
	}
	for off := max(l.start, o.start); off < l.LogEndOffset(); off++ {
		if l.at(off) != o.at(off) {
			return false, off
		}
	}
	return true, -1
}
