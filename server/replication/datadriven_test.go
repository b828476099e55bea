package replication_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/fjordlog/fjord/server/replication"
)

// TestDataDriven runs the scripts in testdata/. Leader commands (each prints
// the Ready or error, then the leader's state):
//
//	leader id=1 replicas=1,2,3 isr=1,2,3 epoch=5 [partition-epoch=P]
//	       [min-insync=N] [lag=T] [sync] [leo=N] [durable=N] [hw=N] [now=T]
//	append leo=N | sync durable=N | tick now=T
//	fetch follower=F offset=O [durable=D] [epoch=E] now=T
//	apply-isr isr=1,2 partition-epoch=P | isr-failed | resign
//	acks-all                   -> accept or the error
//	ack offset=O               -> waiting, ok or the error
//	offset-for-epoch log=NAME follower=F epoch=E [current=C]
//
// Log and truncation commands (logs are memLogs; offset o of epoch e holds
// the value e*1000+o, so equal values mean the same write):
//
//	log name=A [start=S] [epochs=E:O,...] leo=N   (no epochs: unstamped data)
//	append-log name=A epoch=E n=N
//	answer log=A leader-epoch=L epoch=E     -> LeaderEndOffsetForEpoch and storage's raw answer
//	decide log=B asked=E answer=E':O'       -> DecideTruncation
//	become-follower follower=B leader=A leader-epoch=L
//	                                        -> the whole protocol, then a fetch to the leader's end
//	logs
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		var l *replication.Leader
		logs := map[string]*memLog{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			has := d.HasArg
			i64 := func(name string, def int64) int64 {
				if !has(name) {
					return def
				}
				var s string
				d.ScanArgs(t, name, &s)
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					d.Fatalf(t, "%s: %v", name, err)
				}
				return v
			}
			i32 := func(name string, def int32) int32 { return int32(i64(name, int64(def))) }
			ids := func(name string) []int32 {
				var s string
				d.ScanArgs(t, name, &s)
				var out []int32
				for _, p := range strings.Split(s, ",") {
					if p == "" {
						continue
					}
					v, err := strconv.Atoi(p)
					if err != nil {
						d.Fatalf(t, "%s: %v", name, err)
					}
					out = append(out, int32(v))
				}
				return out
			}
			str := func(name string) string {
				var s string
				d.ScanArgs(t, name, &s)
				return s
			}
			getLog := func(name string) *memLog {
				ml, ok := logs[str(name)]
				if !ok {
					d.Fatalf(t, "no log %q", str(name))
				}
				return ml
			}
			out := func(r replication.Ready, err error) string {
				if err != nil {
					return fmt.Sprintf("error: %v\n%s", err, l)
				}
				return r.String() + l.String()
			}
			switch d.Cmd {
			case "leader":
				cfg := replication.LeaderConfig{
					Topic: "t", Partition: 0,
					ReplicaID: i32("id", 1), Replicas: ids("replicas"), ISR: ids("isr"),
					LeaderEpoch: i32("epoch", 0), PartitionEpoch: i32("partition-epoch", 0),
					MinInSync: int(i64("min-insync", 0)), LagTimeMax: i64("lag", 0), SyncPolicy: has("sync"),
				}
				leo := i64("leo", 0)
				var err error
				l, err = replication.NewLeader(cfg, replication.Offsets{LogEnd: leo, Durable: i64("durable", 0), HighWatermark: i64("hw", 0)}, i64("now", 0))
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return l.String()
			case "append":
				return out(l.Append(i64("leo", 0)))
			case "sync":
				return out(l.Sync(i64("durable", 0)))
			case "tick":
				return out(l.Tick(i64("now", 0)))
			case "fetch":
				off := i64("offset", 0)
				return out(l.Fetch(replication.FetchRequest{
					ReplicaID: i32("follower", 0), LeaderEpoch: i32("epoch", l.LeaderEpoch()),
					FetchOffset: off, DurableOffset: i64("durable", off), Now: i64("now", 0),
				}))
			case "apply-isr":
				return out(l.ApplyISR(ids("isr"), i32("partition-epoch", 0)))
			case "isr-failed":
				return out(l.ISRProposalFailed())
			case "resign":
				l.Resign()
				return l.String()
			case "acks-all":
				if err := l.CheckAcksAll(); err != nil {
					return fmt.Sprintf("refuse: %v\n", err)
				}
				if !l.CanAcceptAcksAll() {
					d.Fatalf(t, "CheckAcksAll and CanAcceptAcksAll disagree")
				}
				return "accept\n"
			case "ack":
				done, err := l.AckReady(i64("offset", 0))
				switch {
				case !done:
					return "waiting\n"
				case err != nil:
					return fmt.Sprintf("done: %v\n", err)
				}
				return "done: ok\n"
			case "offset-for-epoch":
				ans, err := l.EndOffsetForEpoch(getLog("log"), i32("follower", 0), i32("current", l.LeaderEpoch()), i32("epoch", 0))
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return ans.String() + "\n"

			case "log":
				ml := &memLog{start: i64("start", 0)}
				leo := i64("leo", 0)
				var starts []epochStart
				if has("epochs") {
					for _, p := range strings.Split(str("epochs"), ",") {
						e, o, _ := strings.Cut(p, ":")
						ev, err1 := strconv.Atoi(e)
						ov, err2 := strconv.ParseInt(o, 10, 64)
						if err1 != nil || err2 != nil {
							d.Fatalf(t, "bad epochs %q", p)
						}
						starts = append(starts, epochStart{int32(ev), ov})
					}
				}
				for o := ml.start; o < leo; o++ {
					ep := int32(-1)
					for _, s := range starts {
						if s.start <= o {
							ep = s.epoch
						}
					}
					ml.append(entry{ep, value(ep, o)})
				}
				logs[str("name")] = ml
				return ml.String() + "\n"
			case "append-log":
				ml := getLog("name")
				ep := i32("epoch", 0)
				for range i64("n", 1) {
					ml.append(entry{ep, value(ep, ml.LogEndOffset())})
				}
				return ml.String() + "\n"
			case "answer":
				ml := getLog("log")
				ans := replication.LeaderEndOffsetForEpoch(ml, i32("leader-epoch", 0), i32("epoch", 0))
				e, o := ml.EndOffsetForEpoch(i32("epoch", 0))
				return fmt.Sprintf("%s storage=%s\n", ans, replication.EpochEndOffset{Epoch: e, EndOffset: o})
			case "decide":
				e, o, _ := strings.Cut(str("answer"), ":")
				ev, _ := strconv.Atoi(e)
				ov, _ := strconv.ParseInt(o, 10, 64)
				s, err := replication.DecideTruncation(getLog("log"), i32("asked", 0), replication.EpochEndOffset{Epoch: int32(ev), EndOffset: ov})
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				if s.Done {
					return fmt.Sprintf("truncate to %d, done\n", s.TruncateTo)
				}
				return fmt.Sprintf("truncate to %d, ask epoch %d\n", s.TruncateTo, s.NextEpoch)
			case "become-follower":
				return becomeFollower(t, getLog("follower"), getLog("leader"), i32("leader-epoch", 0))
			case "logs":
				var names []string
				for n := range logs {
					names = append(names, n)
				}
				sort.Strings(names)
				var b strings.Builder
				for _, n := range names {
					fmt.Fprintf(&b, "%s: %s\n", n, logs[n])
				}
				return b.String()
			}
			d.Fatalf(t, "unknown command %q", d.Cmd)
			return ""
		})
	})
}

func value(epoch int32, offset int64) uint64 { return uint64(epoch)*1000 + uint64(offset) }

// becomeFollower runs the truncation protocol of f against leader at
// leaderEpoch, printing each step, then fetches to the leader's end and
// reports whether the follower's log was a prefix of the leader's right
// after truncation.
func becomeFollower(t *testing.T, f, leader *memLog, leaderEpoch int32) string {
	var b strings.Builder
	fol := replication.NewFollower(2, leaderEpoch)
	r := fol.Start(f)
	for step := 0; ; step++ {
		if step > 100 {
			t.Fatal("truncation does not terminate")
		}
		fmt.Fprintf(&b, "%s\n", r)
		if r.Truncate {
			f.truncateTo(r.TruncateTo)
		}
		if r.Fetch {
			break
		}
		ans := replication.LeaderEndOffsetForEpoch(leader, leaderEpoch, r.AskEpoch)
		fmt.Fprintf(&b, "leader answers %s\n", ans)
		var err error
		r, err = fol.HandleEpochEndOffset(f, ans)
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			return b.String()
		}
	}
	if ok, at := f.isPrefixOf(leader); ok {
		fmt.Fprintf(&b, "follower %s is a prefix of the leader\n", f)
	} else {
		fmt.Fprintf(&b, "DIVERGED at offset %d: follower %s\n", at, f)
	}
	if f.LogEndOffset() < leader.start {
		fmt.Fprintf(&b, "fetch offset %d below the leader's log start %d\n", f.LogEndOffset(), leader.start)
		return b.String()
	}
	for o := f.LogEndOffset(); o < leader.LogEndOffset(); o++ {
		f.append(leader.at(o))
	}
	fmt.Fprintf(&b, "after fetch: %s\n", f)
	return b.String()
}
