package assign

import (
	"encoding/binary"
	"slices"
)

// rangeAssignor is Kafka's RangeAssignor, rack-aware as in KIP-881.
type rangeAssignor struct{}

func (rangeAssignor) Name() string { return "range" }

func (rangeAssignor) Assign(in Input) (Assignment, error) {
	p, err := newProblem(&in)
	if err != nil {
		return nil, err
	}
	subscribers := make([][]int32, len(p.topics))
	for m, subs := range p.subs {
		for _, t := range subs {
			subscribers[t] = append(subscribers[t], int32(m))
		}
	}

	// Topics with the same subscribers and partition count are co-partitioned:
	// each member gets the same partition numbers of all of them, so that
	// records with one key, spread by one partitioner, meet in one member. Plain
	// range keeps that per topic by construction; rack matching must decide for
	// the whole family at once.
	var families [][]int32
	byKey := make(map[string]int)
	var key []byte
	for t := range p.topics {
		key = binary.LittleEndian.AppendUint32(key[:0], uint32(p.base[t+1]-p.base[t]))
		for _, m := range subscribers[t] {
			key = binary.LittleEndian.AppendUint32(key, uint32(m))
		}
		i, ok := byKey[string(key)]
		if !ok {
			i = len(families)
			byKey[string(key)] = i
			families = append(families, nil)
		}
		families[i] = append(families[i], int32(t))
	}

	owner := make([]int32, p.total())
	for _, topics := range families {
		consumers := subscribers[topics[0]]
		n := int(p.base[topics[0]+1] - p.base[topics[0]])
		split := splitRange(len(consumers), n, p.rackMatcher(consumers, topics))
		for _, t := range topics {
			for i, c := range split {
				owner[int(p.base[t])+i] = consumers[c]
			}
		}
	}
	return p.output(owner), nil
}

// rackMatcher returns whether consumers[c] is in a rack holding a replica of
// partition i of every topic in a family, or nil when no consumer has a rack
// or some topic's racks are unknown: then nothing can match.
func (p *problem) rackMatcher(consumers []int32, topics []int32) func(c, i int) bool {
	for _, t := range topics {
		if p.racks[t] == nil {
			return nil
		}
	}
	if !slices.ContainsFunc(consumers, func(m int32) bool { return p.members[m].Rack != "" }) {
		return nil
	}
	return func(c, i int) bool {
		rack := p.members[consumers[c]].Rack
		if rack == "" {
			return false
		}
		for _, t := range topics {
			if !slices.Contains(p.racks[t][i], rack) {
				return false
			}
		}
		return true
	}
}

// splitRange divides partitions 0..n-1 among consumers 0..k-1 and returns
// each partition's consumer. Without match it is Kafka's range split: every
// consumer gets n/k consecutive partitions in order, the first n%k one more.
// With match, a first pass gives each consumer, in order and within the same
// quota, the lowest free partitions it matches; the rest are then split as
// before. The counts are those of the plain split, so rack matching never
// costs balance.
func splitRange(k, n int, match func(c, i int) bool) []int32 {
	owner := make([]int32, n)
	for i := range owner {
		owner[i] = -1
	}
	quota, extra := n/k, n%k
	count := make([]int, k)
	room := func(c int) int {
		r := quota - count[c]
		if extra > 0 {
			r++
		}
		return max(r, 0)
	}
	take := func(c, i int) {
		owner[i] = int32(c)
		if count[c]++; count[c] == quota+1 {
			extra--
		}
	}
	if match != nil {
		for c := range k {
			r := room(c)
			for i := 0; i < n && r > 0; i++ {
				if owner[i] < 0 && match(c, i) {
					take(c, i)
					r--
				}
			}
		}
	}
	next := 0
	for c := range k {
		for r := room(c); r > 0; r-- {
			for owner[next] >= 0 {
				next++
			}
			take(c, next)
		}
	}
	return owner
}
