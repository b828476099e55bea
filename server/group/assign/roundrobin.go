package assign

// roundRobinAssignor is Kafka's RoundRobinAssignor: all subscribed partitions,
// topic by topic in name order, dealt to the members in turn; a member not
// subscribed to a partition's topic is passed over.
type roundRobinAssignor struct{}

func (roundRobinAssignor) Name() string { return "roundrobin" }

func (roundRobinAssignor) Assign(in Input) (Assignment, error) {
	p, err := newProblem(&in)
	if err != nil {
		return nil, err
	}
	n := int32(len(p.members))
	owner := make([]int32, p.total())
	subscribed := make([]bool, n)
	next := int32(0)
	for t := range p.topics {
		for m := range subscribed {
			subscribed[m] = p.subscribes(int32(m), int32(t))
		}
		// The topic is only listed because some member subscribes to it, so
		// the search ends within one turn of the circle.
		for g := p.base[t]; g < p.base[t+1]; g++ {
			for !subscribed[next] {
				next = (next + 1) % n
			}
			owner[g] = next
			next = (next + 1) % n
		}
	}
	return p.output(owner), nil
}
