package assign

import "slices"

// Reconciliation is one member's part of a cooperative rebalance step.
type Reconciliation struct {
	// Assigned is what the member may own now, sorted: its target less
	// anything another member still owns. The coordinator sends this; the
	// member then owns exactly Assigned.
	Assigned []TopicPartition
	// PendingRevocation is what the member owns but may not keep, sorted:
	// partitions outside its target (and, only if owned says two members hold
	// one, partitions someone else holds too). The member stops consuming
	// them, commits, and acknowledges; only then may they go to anyone else.
	PendingRevocation []TopicPartition
	// PendingAssignment is the part of the member's target that another member
	// still owns, sorted. It moves to Assigned in a later step, once every
	// other owner has acknowledged revoking it.
	PendingAssignment []TopicPartition
}

// Reconcile computes one step of a cooperative rebalance from the partitions
// each member owns to the target assignment. It returns an entry for every
// member in owned or target.
//
// Safety: a partition is in some member's Assigned only if no other member
// owns it according to owned, so as long as owned is an upper bound of what
// each member may be consuming, no partition ever has two consumers. That
// makes owned the coordinator's responsibility: for each member it must hold
// everything the member acknowledged owning plus everything sent to it in an
// Assigned the member has not yet acknowledged; and a member that left keeps
// its entry until it acknowledged revoking, or its session expired.
//
// Progress: when every member acknowledges its step, the next step's
// Assigned equals the target, for every member, so two rounds of
// acknowledgements complete any rebalance.
//
// Reconcile fails with an *InputError if target gives a partition to two
// members. Duplicates within one member's list are ignored.
func Reconcile(owned, target Assignment) (map[string]Reconciliation, error) {
	ids := make([]string, 0, len(owned)+len(target))
	for id := range owned {
		ids = append(ids, id)
	}
	for id := range target {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)

	// One entry per partition: its target member and who owns it now.
	type state struct {
		target  string
		owner   string
		owned   bool // owner is set
		several bool // more than one member owns it
	}
	size, most := 0, 0
	for _, id := range ids {
		size += len(target[id])
		most += len(target[id]) + len(owned[id])
	}
	parts := make(map[TopicPartition]*state, size)
	states := make([]state, 0, most) // backs parts; never grows, so pointers stay valid
	newState := func(target string) *state {
		states = append(states, state{target: target})
		return &states[len(states)-1]
	}
	for _, id := range ids {
		for _, tp := range target[id] {
			st := parts[tp]
			if st == nil {
				st = newState(id)
				parts[tp] = st
			} else if st.target != id {
				return nil, &InputError{Member: id, Topic: tp.Topic, Partition: tp.Partition,
					Reason: "target also assigns it to member " + st.target}
			}
		}
	}
	for _, id := range ids {
		for _, tp := range owned[id] {
			st := parts[tp]
			if st == nil {
				st = newState("")
				parts[tp] = st
			}
			switch {
			case !st.owned:
				st.owner, st.owned = id, true
			case st.owner != id:
				st.several = true
			}
		}
	}

	out := make(map[string]Reconciliation, len(ids))
	for _, id := range ids {
		var r Reconciliation
		for _, tp := range sortedSet(target[id]) {
			if st := parts[tp]; !st.owned || (!st.several && st.owner == id) {
				r.Assigned = append(r.Assigned, tp)
			} else {
				r.PendingAssignment = append(r.PendingAssignment, tp)
			}
		}
		for _, tp := range sortedSet(owned[id]) {
			if _, ok := slices.BinarySearchFunc(r.Assigned, tp, TopicPartition.Compare); !ok {
				r.PendingRevocation = append(r.PendingRevocation, tp)
			}
		}
		out[id] = r
	}
	return out, nil
}

// sortedSet returns tps sorted and without duplicates, copying only if needed.
func sortedSet(tps []TopicPartition) []TopicPartition {
	if slices.IsSortedFunc(tps, TopicPartition.Compare) {
		dup := false
		for i := 1; i < len(tps) && !dup; i++ {
			dup = tps[i] == tps[i-1]
		}
		if !dup {
			return tps
		}
	}
	s := slices.Clone(tps)
	slices.SortFunc(s, TopicPartition.Compare)
	return slices.Compact(s)
}
