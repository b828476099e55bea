package cluster

import "slices"

// TopicSpec is a request to create a topic. Name and config values are
// validated by the caller (the server owns the naming rules and the config
// table); the controller checks what needs the image.
type TopicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int32
	Configs           map[string]string
	Internal          bool
	// Assignment, when set, is the replica list of each partition and
	// replaces Partitions, ReplicationFactor and the automatic placement.
	Assignment [][]int32
}

// MaxPartitions bounds partitions per topic.
const MaxPartitions = 10000

// PlanCreateTopic turns spec into a CreateTopic record against img, choosing
// the replica assignment (see Assign) unless spec gives one. id is the new
// topic's id. It is pure; the record is validated again when applied.
func (img *Image) PlanCreateTopic(spec TopicSpec, id string) (Record, error) {
	if spec.Name == "" {
		return Record{}, topicErr(ErrInvalidRecord, "", "empty topic name")
	}
	if _, ok := img.topics[spec.Name]; ok {
		return Record{}, topicErr(ErrTopicExists, spec.Name, "")
	}
	asg := spec.Assignment
	if asg == nil {
		if spec.Partitions < 1 || spec.Partitions > MaxPartitions {
			return Record{}, topicErr(ErrInvalidPartitions, spec.Name, "partition count %d is not in [1, %d]", spec.Partitions, MaxPartitions)
		}
		var err error
		if asg, err = Assign(img, int(spec.Partitions), int(spec.ReplicationFactor)); err != nil {
			return Record{}, withTopic(err, spec.Name)
		}
	} else {
		if len(asg) < 1 || len(asg) > MaxPartitions {
			return Record{}, topicErr(ErrInvalidPartitions, spec.Name, "partition count %d is not in [1, %d]", len(asg), MaxPartitions)
		}
		if err := img.checkAssignment(spec.Name, asg, len(asg[0])); err != nil {
			return Record{}, err
		}
	}
	return NewRecord(&CreateTopic{Name: spec.Name, ID: id, Internal: spec.Internal, Configs: spec.Configs, Assignment: asg}), nil
}

// PlanCreatePartitions turns a request to grow topic to total partitions
// into a CreatePartitions record against img.
func (img *Image) PlanCreatePartitions(topic string, total int32) (Record, error) {
	t, ok := img.topics[topic]
	if !ok {
		return Record{}, topicErr(ErrUnknownTopic, topic, "")
	}
	cur := int32(len(t.Partitions))
	if total <= cur || total > MaxPartitions {
		return Record{}, topicErr(ErrInvalidPartitions, topic, "topic has %d partitions; the new total %d must be larger and at most %d", cur, total, MaxPartitions)
	}
	asg, err := Assign(img, int(total-cur), t.ReplicationFactor())
	if err != nil {
		return Record{}, withTopic(err, topic)
	}
	return NewRecord(&CreatePartitions{Topic: topic, From: cur, Assignment: asg}), nil
}

func withTopic(err error, topic string) error {
	if e, ok := err.(*Error); ok {
		c := *e
		c.Topic = topic
		return &c
	}
	return err
}

type load struct {
	id                int32
	rack              string
	replicas, leaders int
}

// Assign places n new partitions of replication factor rf on the active
// brokers of img, greedily and deterministically:
//
//   - each replica is the broker holding the fewest replicas, never one
//     already chosen for the partition and, when brokers have racks, never
//     a rack already used by the partition until every rack is used; ties
//     go to the broker whose rack holds fewer replicas, then rotate with the
//     partition index so that replica sets differ;
//   - the chosen replica leading the fewest partitions becomes the first
//     (preferred leader).
//
// Without racks, replica counts stay within one of each other across
// brokers; preferred-leader counts within two (replica balance wins when
// the two conflict, since it decides disk and replication load).
//
// Load counts include existing topics, so repeated creations stay even.
// Brokers without a rack form one rack named "".
func Assign(img *Image, n, rf int) ([][]int32, error) {
	var brokers []*load
	byID := map[int32]*load{}
	racks := map[string]bool{}
	for _, b := range img.Brokers() {
		if b.State != BrokerActive {
			continue
		}
		l := &load{id: b.ID, rack: b.Rack}
		brokers = append(brokers, l)
		byID[b.ID] = l
		racks[b.Rack] = true
	}
	if rf < 1 || rf > len(brokers) {
		return nil, topicErr(ErrInvalidReplicationFactor, "", "replication factor %d with %d active brokers", rf, len(brokers))
	}
	for _, t := range img.topics {
		for _, p := range t.Partitions {
			for i, r := range p.Replicas {
				if l := byID[r]; l != nil {
					l.replicas++
					if i == 0 {
						l.leaders++
					}
				}
			}
		}
	}
	rackAware := len(racks) > 1
	rackLoad := map[string]int{}
	for _, l := range brokers {
		rackLoad[l.rack] += l.replicas
	}
	nb := len(brokers)
	out := make([][]int32, n)
	for p := 0; p < n; p++ {
		chosen := make([]int32, 0, rf)
		usedRacks := map[string]bool{}
		// rank orders candidates by rotation so ties spread.
		rank := func(i int) int { return (i - p%nb + nb) % nb }
		for k := 0; k < rf; k++ {
			best := -1
			for i, l := range brokers {
				if slices.Contains(chosen, l.id) {
					continue
				}
				if rackAware && usedRacks[l.rack] && len(usedRacks) < len(racks) {
					continue
				}
				if best < 0 || less(l, brokers[best], rackLoad, rank(i), rank(best)) {
					best = i
				}
			}
			l := brokers[best]
			chosen = append(chosen, l.id)
			usedRacks[l.rack] = true
			l.replicas++
			rackLoad[l.rack]++
		}
		// The replica leading the fewest partitions goes first.
		lead := 0
		for k := 1; k < len(chosen); k++ {
			if a, b := byID[chosen[k]], byID[chosen[lead]]; a.leaders < b.leaders ||
				a.leaders == b.leaders && rank(slices.Index(brokers, a)) < rank(slices.Index(brokers, b)) {
				lead = k
			}
		}
		chosen[0], chosen[lead] = chosen[lead], chosen[0]
		byID[chosen[0]].leaders++
		out[p] = chosen
	}
	return out, nil
}

// less orders replica candidates: the fewest replicas on the broker, then
// on its rack, then the rotation.
func less(a, b *load, rackLoad map[string]int, ra, rb int) bool {
	if a.replicas != b.replicas {
		return a.replicas < b.replicas
	}
	if la, lb := rackLoad[a.rack], rackLoad[b.rack]; la != lb {
		return la < lb
	}
	return ra < rb
}
