package assign

import (
	"cmp"
	"slices"
)

// problem is an Input validated and numbered for the assignors. Members are
// in assignment order (see memberCompare); topics are the existing topics at
// least one member subscribes to, numbered in name order; partitions are
// numbered globally, topic by topic, so ascending global numbers are
// ascending TopicPartitions.
type problem struct {
	in      *Input
	members []*Member    // assignment order
	topics  []string     // topic number -> name, sorted
	base    []int32      // topic number -> global number of its partition 0; one extra entry holding the total
	racks   [][][]string // topic number -> Topic.Racks
	subs    [][]int32    // member -> subscribed topic numbers, ascending, no duplicates
}

// memberCompare orders members for assignment, as Kafka's assignors do: static
// members first by instance ID, then dynamic members by ID. A static member
// that restarts under a new member ID therefore keeps its place, and with it
// its range or round-robin partitions.
func memberCompare(a, b *Member) int {
	as, bs := a.InstanceID != "", b.InstanceID != ""
	switch {
	case as && !bs:
		return -1
	case !as && bs:
		return 1
	case as && bs:
		if c := cmp.Compare(a.InstanceID, b.InstanceID); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.ID, b.ID)
}

func newProblem(in *Input) (*problem, error) {
	p := &problem{in: in, members: make([]*Member, len(in.Members))}
	for i := range in.Members {
		p.members[i] = &in.Members[i]
	}
	// Check IDs in ID order so the error reported does not depend on the
	// order of in.Members.
	slices.SortFunc(p.members, func(a, b *Member) int { return cmp.Compare(a.ID, b.ID) })
	for i, m := range p.members {
		if m.ID == "" {
			return nil, &InputError{Partition: -1, Reason: "member without an id"}
		}
		if i > 0 && p.members[i-1].ID == m.ID {
			return nil, &InputError{Member: m.ID, Partition: -1, Reason: "member id used twice"}
		}
	}
	slices.SortFunc(p.members, memberCompare)
	for i, m := range p.members {
		if i > 0 && m.InstanceID != "" && p.members[i-1].InstanceID == m.InstanceID {
			return nil, &InputError{Member: m.ID, Partition: -1,
				Reason: "instance id " + m.InstanceID + " used by two members"}
		}
	}

	// One map lookup per subscription: names get provisional numbers in the
	// order first seen, renumbered once the existing ones are sorted. Members
	// usually share subscriptions, so a list equal to the previous member's
	// is resolved once.
	provisional := make(map[string]int32)
	var names []string
	var exists []bool
	raw := make([][]int32, len(p.members))
	same := make([]bool, len(p.members)) // subscribes to what the previous member does
	for i, m := range p.members {
		if i > 0 && slices.Equal(m.Topics, p.members[i-1].Topics) {
			raw[i], same[i] = raw[i-1], true
			continue
		}
		s := make([]int32, len(m.Topics))
		for j, name := range m.Topics {
			n, ok := provisional[name]
			if !ok {
				n = int32(len(names))
				provisional[name] = n
				names = append(names, name)
				t, ok := in.Topics[name]
				exists = append(exists, ok && t.Partitions != 0)
			}
			s[j] = n
		}
		raw[i] = s
	}
	for n, name := range names {
		if exists[n] {
			p.topics = append(p.topics, name)
		}
	}
	slices.Sort(p.topics)
	renumber := make([]int32, len(names))
	for n, name := range names {
		renumber[n] = -1
		if exists[n] {
			t, _ := slices.BinarySearch(p.topics, name)
			renumber[n] = int32(t)
		}
	}
	p.base = make([]int32, len(p.topics)+1)
	p.racks = make([][][]string, len(p.topics))
	for i, name := range p.topics {
		t := in.Topics[name]
		if t.Partitions < 0 {
			return nil, &InputError{Topic: name, Partition: -1, Reason: "negative partition count"}
		}
		if t.Racks != nil && len(t.Racks) != int(t.Partitions) {
			return nil, &InputError{Topic: name, Partition: -1, Reason: "rack lists do not match the partition count"}
		}
		p.base[i+1] = p.base[i] + t.Partitions
		p.racks[i] = t.Racks
	}

	p.subs = make([][]int32, len(p.members))
	for i := range p.members {
		if same[i] {
			p.subs[i] = p.subs[i-1]
			continue
		}
		s := make([]int32, 0, len(raw[i]))
		for _, n := range raw[i] {
			if t := renumber[n]; t >= 0 {
				s = append(s, t)
			}
		}
		slices.Sort(s)
		p.subs[i] = slices.Compact(s)
	}
	return p, nil
}

// total returns the number of partitions to assign.
func (p *problem) total() int { return int(p.base[len(p.topics)]) }

// topicNumber returns the number of the named topic, if some member
// subscribes to it.
func (p *problem) topicNumber(name string) (int32, bool) {
	i, ok := slices.BinarySearch(p.topics, name)
	return int32(i), ok
}

// subscribes reports whether member m subscribes to topic t.
func (p *problem) subscribes(m, t int32) bool {
	_, ok := slices.BinarySearch(p.subs[m], t)
	return ok
}

// topicOf returns, for every global partition number, its topic number.
func (p *problem) topicOf() []int32 {
	out := make([]int32, p.total())
	for t := range p.topics {
		for g := p.base[t]; g < p.base[t+1]; g++ {
			out[g] = int32(t)
		}
	}
	return out
}

// replicaRacks returns the racks of global partition g of topic t, nil if
// unknown.
func (p *problem) replicaRacks(t, g int32) []string {
	if p.racks[t] == nil {
		return nil
	}
	return p.racks[t][g-p.base[t]]
}

// current returns the valid part of in.Current as a global partition ->
// member table (-1: no owner). A claim is valid if the member is in the group,
// still subscribes to the topic and the partition exists; of several valid
// claims on one partition the member first in assignment order wins.
func (p *problem) current() []int32 {
	owner := make([]int32, p.total())
	for g := range owner {
		owner[g] = -1
	}
	if len(p.in.Current) == 0 {
		return owner
	}
	for m, mem := range p.members {
		for _, tp := range p.in.Current[mem.ID] {
			t, ok := p.topicNumber(tp.Topic)
			if !ok || !p.subscribes(int32(m), t) || tp.Partition < 0 || tp.Partition >= p.base[t+1]-p.base[t] {
				continue
			}
			if g := p.base[t] + tp.Partition; owner[g] < 0 {
				owner[g] = int32(m)
			}
		}
	}
	return owner
}

// output turns a global partition -> member table into an Assignment with an
// entry, sorted, for every member.
func (p *problem) output(owner []int32) Assignment {
	counts := make([]int, len(p.members))
	for _, m := range owner {
		counts[m]++
	}
	out := make(Assignment, len(p.members))
	lists := make([][]TopicPartition, len(p.members))
	for m := range p.members {
		lists[m] = make([]TopicPartition, 0, counts[m])
	}
	for t, name := range p.topics {
		for g := p.base[t]; g < p.base[t+1]; g++ {
			m := owner[g]
			lists[m] = append(lists[m], TopicPartition{Topic: name, Partition: g - p.base[t]})
		}
	}
	for m, mem := range p.members {
		out[mem.ID] = lists[m]
	}
	return out
}
