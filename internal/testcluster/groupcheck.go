//go:build unix

package testcluster

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// This file checks consumer groups from the outside: who owned which
// partition when (from the workers' events), what was processed, and the
// committed offsets over time.

// Forever is the end of an interval still open.
const Forever = Mono(math.MaxInt64)

// Ownership is one worker owning one partition from From to To.
type Ownership struct {
	Worker string
	TP     TP
	From   Mono
	// To is the revoked or lost event, the worker's exit, or Forever.
	To  Mono
	End string // "revoked", "lost", "exit" or "open"
	// ZombieFrom, when set, starts the part of the interval from a pause
	// that outlived the worker's session (see MarkPause): frozen, then
	// thawed while the coordinator had given its partitions to others; it
	// may process records there until it learns it lost them, but its
	// commits must fail.
	ZombieFrom Mono
}

func (o Ownership) String() string {
	to := "open"
	if o.To != Forever {
		to = fmt.Sprint(int64(o.To))
	}
	return fmt.Sprintf("%s owns %s [%d, %s) (%s)", o.Worker, o.TP, o.From, to, o.End)
}

// Intervals returns every ownership interval of the workers' events.
func Intervals(workers ...*GroupWorker) []Ownership {
	var out []Ownership
	for _, w := range workers {
		open := map[TP]Mono{}
		for _, e := range w.Events() {
			switch e.Ev {
			case "assigned":
				for _, tp := range e.TPs {
					open[tp] = e.T
				}
			case "revoked", "lost":
				for _, tp := range e.TPs {
					if from, ok := open[tp]; ok {
						out = append(out, Ownership{Worker: w.Name(), TP: tp, From: from, To: e.T, End: e.Ev})
						delete(open, tp)
					}
				}
			}
		}
		w.mu.Lock()
		exited := w.exitedAt
		w.mu.Unlock()
		for tp, from := range open {
			o := Ownership{Worker: w.Name(), TP: tp, From: from, To: Forever, End: "open"}
			if exited != 0 {
				o.To, o.End = exited, "exit"
			}
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Ownership) int {
		return cmp.Or(cmp.Compare(a.TP.Topic, b.TP.Topic), cmp.Compare(a.TP.Partition, b.TP.Partition), cmp.Compare(a.From, b.From))
	})
	return out
}

// MarkPause marks the intervals of worker that span a pause (SIGSTOP at
// paused, SIGCONT at resumed) longer than its session timeout as zombie
// from the pause on: frozen, the worker does nothing, and once thawed it
// may process records of partitions the coordinator already gave to
// others until it learns it lost them.
func MarkPause(ivs []Ownership, worker string, paused, resumed Mono) {
	for i := range ivs {
		if o := &ivs[i]; o.Worker == worker && o.From < resumed && paused < o.To {
			o.ZombieFrom = max(paused, o.From)
		}
	}
}

// live is the part of an interval that must not overlap others'.
func (o Ownership) live() (Mono, Mono) {
	if o.ZombieFrom != 0 {
		return o.From, o.ZombieFrom
	}
	return o.From, o.To
}

// CheckExclusive reports every pair of intervals of different workers on
// the same partition that overlap (zombie parts excepted): each partition
// must be owned by at most one member at every moment.
func CheckExclusive(ivs []Ownership) []string {
	var bad []string
	for i, a := range ivs {
		for _, b := range ivs[i+1:] {
			if a.TP != b.TP || a.Worker == b.Worker {
				continue
			}
			af, at := a.live()
			bf, bt := b.live()
			if af < bt && bf < at {
				bad = append(bad, fmt.Sprintf("%s: %s and %s overlap by %s", a.TP, a, b, time.Duration(min(at, bt)-max(af, bf))))
			}
		}
	}
	return bad
}

// CheckRecordsOwned reports the records a worker processed outside its
// ownership of their partition, and returns how many records were checked
// and how many fell in zombie parts (allowed).
func CheckRecordsOwned(ivs []Ownership, workers ...*GroupWorker) (bad []string, checked, zombie int) {
	byKey := map[string][]Ownership{}
	for _, o := range ivs {
		k := o.Worker + "/" + o.TP.String()
		byKey[k] = append(byKey[k], o)
	}
	for _, w := range workers {
		for _, e := range w.Events() {
			if e.Ev != "rec" {
				continue
			}
			checked++
			tp := TP{e.Topic, e.P}
			in := false
			for _, o := range byKey[w.Name()+"/"+tp.String()] {
				if o.From <= e.T && e.T <= o.To {
					in = true
					if o.ZombieFrom != 0 && e.T >= o.ZombieFrom {
						zombie++
					}
					break
				}
			}
			if !in && len(bad) < 20 {
				bad = append(bad, fmt.Sprintf("%s processed %s offset %d at %d outside its ownership of the partition (%v)", w.Name(), tp, e.Off, e.T, byKey[w.Name()+"/"+tp.String()]))
			}
		}
	}
	return bad, checked, zombie
}

// CheckHandovers follows each partition from owner to owner and reports
// records skipped: the first record an owner processes must directly
// follow the last one processed before its interval, or come earlier
// (processed again after a failure), and come exactly next after a clean
// hand-over (the previous owner revoked the partition and its commit on
// revoke, if it sent one, was stored). The first owner of a partition of a
// new group starts at offset 0. It returns how many hand-overs were
// checked and how many records were processed again.
func CheckHandovers(ivs []Ownership, workers ...*GroupWorker) (bad []string, handovers, again int) {
	type rec struct {
		t   Mono
		off int64
	}
	recs := map[string][]rec{} // worker/partition -> records in order
	commits := map[string][]WorkerEvent{}
	for _, w := range workers {
		for _, e := range w.Events() {
			switch e.Ev {
			case "rec":
				k := w.Name() + "/" + TP{e.Topic, e.P}.String()
				recs[k] = append(recs[k], rec{e.T, e.Off})
			case "commit":
				commits[w.Name()] = append(commits[w.Name()], e)
			}
		}
	}
	// clean reports whether prev's hand-over to the interval starting at
	// next was clean: revoked, and no failed commit of the partition in
	// between.
	clean := func(prev Ownership, next Mono) bool {
		if prev.End != "revoked" {
			return false
		}
		for _, e := range commits[prev.Worker] {
			if e.Sent < prev.To || e.Sent > next {
				continue
			}
			for _, o := range e.Offsets {
				if (TP{o.Topic, o.Partition}) == prev.TP && !e.Stored(prev.TP) {
					return false
				}
			}
		}
		return true
	}
	last := map[TP]int64{}     // highest offset processed in earlier intervals
	prev := map[TP]Ownership{} // the previous interval with records
	for _, o := range ivs {    // by partition, then start
		first, top := int64(-1), int64(-1)
		for _, r := range recs[o.Worker+"/"+o.TP.String()] {
			if r.t < o.From || r.t > o.To || (o.ZombieFrom != 0 && r.t >= o.ZombieFrom) {
				continue
			}
			if first < 0 {
				first = r.off
			}
			top = max(top, r.off)
		}
		if first < 0 {
			continue
		}
		p, seen := last[o.TP]
		switch {
		case !seen && first != 0:
			bad = append(bad, fmt.Sprintf("%s: the first owner processed from offset %d, not 0 (%s)", o.TP, first, o))
		case seen && first > p+1:
			bad = append(bad, fmt.Sprintf("%s: records [%d, %d) skipped: %s started at %d after offset %d was processed", o.TP, p+1, first, o, first, p))
		case seen && first != p+1 && clean(prev[o.TP], o.From):
			bad = append(bad, fmt.Sprintf("%s: after a clean hand-over (%s) %s started at %d, want %d", o.TP, prev[o.TP], o, first, p+1))
		}
		if seen {
			handovers++
			if first <= p {
				again += int(p - first + 1)
			}
			top = max(top, p)
		}
		last[o.TP] = top
		prev[o.TP] = o
	}
	return bad, handovers, again
}

// Assignment maps each partition to the worker owning it now (after its
// last event), and reports partitions owned twice.
func Assignment(workers ...*GroupWorker) (map[TP]string, []string) {
	out := map[TP]string{}
	var dup []string
	for _, w := range workers {
		if !w.Running() {
			continue
		}
		for tp := range w.Owned() {
			if prev, ok := out[tp]; ok {
				dup = append(dup, fmt.Sprintf("%s owned by %s and %s", tp, prev, w.Name()))
			}
			out[tp] = w.Name()
		}
	}
	return out, dup
}

// Counts returns how many partitions each worker owns in an assignment
// (workers owning none included when listed in names).
func Counts(a map[TP]string, names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		out[n] = 0
	}
	for _, w := range a {
		out[w]++
	}
	return out
}

// MinMoves is the fewest partitions that must change owner to go from an
// assignment with counts current (members that stay; new members with 0)
// to a balanced one of partitions among len(current) members, each owning
// floor or ceil of the share: the members holding most keep up to the
// larger quotas.
func MinMoves(current map[string]int, partitions int) int {
	n := len(current)
	if n == 0 {
		return 0
	}
	counts := slices.Collect(maps.Values(current))
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	base, extra := partitions/n, partitions%n
	kept, held := 0, 0
	for i, c := range counts {
		quota := base
		if i < extra {
			quota++
		}
		kept += min(c, quota)
		held += c
	}
	// Partitions held by members that left are placed, not moved; they are
	// not in current.
	return held - kept
}

// Moved lists the partitions whose owner differs between two assignments
// and whose previous owner is still a member (a partition of a member
// that left is placed, not moved).
func Moved(before, after map[TP]string, stayed func(worker string) bool) []string {
	var out []string
	for tp, w := range before {
		if a, ok := after[tp]; ok && a != w && stayed(w) {
			out = append(out, fmt.Sprintf("%s %s->%s", tp, w, a))
		}
	}
	slices.Sort(out)
	return out
}

// Processed returns, per partition, the set of offsets the workers
// processed, and how many records were processed more than once.
func Processed(topic string, workers ...*GroupWorker) (map[int32]map[int64]int, int) {
	out := map[int32]map[int64]int{}
	dups := 0
	for _, w := range workers {
		for _, e := range w.Events() {
			if e.Ev != "rec" || e.Topic != topic {
				continue
			}
			if out[e.P] == nil {
				out[e.P] = map[int64]int{}
			}
			if out[e.P][e.Off]++; out[e.P][e.Off] == 2 {
				dups++
			}
		}
	}
	return out, dups
}

// Gaps describes the offsets of [0, end) missing from got, as ranges.
func Gaps(got map[int64]int, end int64) (missing int64, ranges []string) {
	for off := int64(0); off < end; off++ {
		if got[off] > 0 {
			continue
		}
		start := off
		for off < end && got[off] == 0 {
			off++
		}
		missing += off - start
		if len(ranges) < 10 {
			ranges = append(ranges, fmt.Sprintf("[%d, %d)", start, off))
		}
	}
	return missing, ranges
}

// OffsetSample is one FetchOffsets answer.
type OffsetSample struct {
	At      Mono
	Offsets map[TP]int64
}

// OffsetMonitor polls a group's committed offsets every 100ms and records
// every regression: an offset below one seen earlier for the partition.
type OffsetMonitor struct {
	admin *fjord.Admin
	group string
	stop  context.CancelFunc
	done  chan struct{}

	// mu guards the fields below.
	mu          sync.Mutex
	samples     []OffsetSample
	max         map[TP]int64
	regressions []string
	failures    int
}

// StartOffsetMonitor starts polling; Stop (also called at test cleanup)
// ends it.
func StartOffsetMonitor(t testing.TB, admin *fjord.Admin, group string) *OffsetMonitor {
	ctx, cancel := context.WithCancel(context.Background())
	m := &OffsetMonitor{admin: admin, group: group, stop: cancel, done: make(chan struct{}), max: map[TP]int64{}}
	go m.run(ctx)
	t.Cleanup(m.Stop)
	return m
}

func (m *OffsetMonitor) run(ctx context.Context) {
	defer close(m.done)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		fctx, cancel := context.WithTimeout(ctx, time.Second)
		topics, err := m.admin.FetchOffsets(fctx, m.group)
		cancel()
		at := MonoNow()
		m.mu.Lock()
		if err != nil {
			m.failures++
		} else {
			s := OffsetSample{At: at, Offsets: map[TP]int64{}}
			for _, t := range topics {
				for _, p := range t.GetPartitions() {
					tp := TP{t.GetTopic(), p.GetPartition()}
					off := p.GetOffset()
					s.Offsets[tp] = off
					if prev, ok := m.max[tp]; ok && off < prev {
						m.regressions = append(m.regressions, fmt.Sprintf("%s: committed offset %d at %d, below %d seen before", tp, off, at, prev))
					}
					m.max[tp] = max(m.max[tp], off)
				}
			}
			m.samples = append(m.samples, s)
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Stop ends the polling.
func (m *OffsetMonitor) Stop() {
	m.stop()
	<-m.done
}

// Regressions returns the regressions seen so far.
func (m *OffsetMonitor) Regressions() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.regressions)
}

// Max returns the highest committed offset seen per partition.
func (m *OffsetMonitor) Max() map[TP]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.max)
}

// Summary describes the polling.
func (m *OffsetMonitor) Summary() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var parts []string
	for tp, off := range m.max {
		parts = append(parts, fmt.Sprintf("%s=%d", tp, off))
	}
	slices.Sort(parts)
	return fmt.Sprintf("%d samples (%d failed calls), %d regressions; highest: %s", len(m.samples), m.failures, len(m.regressions), strings.Join(parts, " "))
}

// SortedTPs lists a set of partitions in order.
func SortedTPs(set map[TP]bool) []TP {
	out := slices.Collect(maps.Keys(set))
	slices.SortFunc(out, func(a, b TP) int { return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition)) })
	return out
}
