package cluster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fjordlog/fjord/server/acl"
)

// Result is what applying a record produced, returned to the proposer.
type Result struct {
	// BrokerEpoch is set by RegisterBroker.
	BrokerEpoch int64
	// Broker is set by records about one broker.
	Broker *Broker
	// Topic is set by CreateTopic, AlterConfigs and CreatePartitions.
	Topic *TopicMeta
	// Partition is set by ChangePartition.
	Partition *PartitionMeta
	// Elections is set by ElectPreferredLeaders, one per partition asked
	// about (or changed, when all partitions were asked about).
	Elections []Election
	// Reassignments is set by ReassignPartitions, one per listed
	// partition, in order.
	Reassignments []ReassignmentResult
	// ProducerIDs is set by AllocateProducerIDs: the block [Start,
	// Start+ProducerIDBlockSize) now belongs to the asking broker.
	ProducerIDs ProducerIDBlock
	// ACLs is set by CreateACLs (the bindings asked for) and DeleteACLs
	// (the bindings removed).
	ACLs []acl.Binding
}

// ProducerIDBlockSize is how many producer ids one allocation hands out
// (Kafka's block of 1000: brokers hand ids out locally, the log records one
// entry per block).
const ProducerIDBlockSize = 1000

// ProducerIDBlock is a range of producer ids owned by one broker.
type ProducerIDBlock struct {
	Start int64
	Len   int64
}

// Election is the outcome of a preferred-leader election for one partition.
// Err is nil when the preferred replica leads (now or already).
type Election struct {
	TopicPartition
	Leader int32
	Err    error
}

// Apply applies one committed record at raft index index and returns the
// next image. A rejected record returns img itself, a zero Result and an
// error (usually *Error) and changes nothing; so does a record that finds
// nothing to change. Apply is pure: the same image, index and record always
// give the same output, which is what makes it safe to run on every replica
// of the controller log.
func (img *Image) Apply(index uint64, rec Record) (*Image, Result, error) {
	if err := rec.validate(); err != nil {
		return img, Result{}, err
	}
	next := img.cow()
	var (
		res     Result
		changed bool
		err     error
	)
	switch rec.Type {
	case TypeRegisterBroker:
		res, changed, err = next.registerBroker(index, rec.RegisterBroker)
	case TypeFenceBroker:
		res, changed, err = next.retireBroker(*rec.FenceBroker, BrokerFenced)
	case TypeControlledShutdown:
		res, changed, err = next.retireBroker(*rec.ControlledShutdown, BrokerShuttingDown)
	case TypeUnfenceBroker:
		res, changed, err = next.unfenceBroker(*rec.UnfenceBroker)
	case TypeCreateTopic:
		res, changed, err = next.createTopic(rec.CreateTopic)
	case TypeDeleteTopic:
		res, changed, err = next.deleteTopic(rec.DeleteTopic)
	case TypeAlterConfigs:
		res, changed, err = next.alterConfigs(rec.AlterConfigs)
	case TypeCreatePartitions:
		res, changed, err = next.createPartitions(rec.CreatePartitions)
	case TypeChangePartition:
		res, changed, err = next.changePartition(rec.ChangePartition)
	case TypeElectPreferredLeaders:
		res, changed, err = next.electPreferred(rec.ElectPreferredLeaders)
	case TypeReassignPartitions:
		res, changed, err = next.reassignPartitions(rec.ReassignPartitions)
	case TypeAllocateProducerIDs:
		var b *Broker
		if b, err = next.session(*rec.AllocateProducerIDs); err == nil {
			if b.State != BrokerActive {
				err = brokerErr(ErrInvalidTransition, b.ID, "only an active broker gets producer ids (state %s)", b.State)
				break
			}
			start := max(next.nextProducerID, 1) // 0 means "no producer id"
			next.nextProducerID = start + ProducerIDBlockSize
			res.ProducerIDs, changed = ProducerIDBlock{Start: start, Len: ProducerIDBlockSize}, true
		}
	case TypeAlterClientQuotas:
		res, changed, err = next.alterClientQuotas(rec.AlterClientQuotas)
	case TypeCreateACLs:
		res, changed, err = next.createACLs(rec.CreateACLs)
	case TypeDeleteACLs:
		res, changed, err = next.deleteACLs(rec.DeleteACLs)
	case TypeInitCluster:
		if next.clusterID == "" && rec.InitCluster.ClusterID != "" {
			next.clusterID, changed = rec.InitCluster.ClusterID, true
		}
	}
	if err != nil {
		return img, Result{}, err
	}
	if !changed {
		return img, res, nil
	}
	next.offset = index
	return next, res, nil
}

func (img *Image) registerBroker(index uint64, r *RegisterBroker) (Result, bool, error) {
	switch {
	case r.ID < 0:
		return Result{}, false, brokerErr(ErrInvalidRecord, r.ID, "broker id must not be negative")
	case r.IncarnationID == "":
		return Result{}, false, brokerErr(ErrInvalidRecord, r.ID, "empty incarnation id")
	case r.Address == "":
		return Result{}, false, brokerErr(ErrInvalidRecord, r.ID, "empty address")
	}
	if old, ok := img.brokers[r.ID]; ok {
		if old.IncarnationID == r.IncarnationID {
			// A retried registration of the same process: same session.
			b := *old
			return Result{BrokerEpoch: old.Epoch, Broker: &b}, false, nil
		}
	}
	b := &Broker{ID: r.ID, IncarnationID: r.IncarnationID, Epoch: int64(index),
		Address: r.Address, Rack: r.Rack, State: BrokerFenced}
	img.brokers[r.ID] = b
	// A new incarnation ends the old session, whose replicas may have lost
	// unsynced data: it leaves leaderships and ISRs (a no-op for a new id).
	img.retireLocked(r.ID)
	if r.LostUnsyncedData {
		img.markStaleISR(r.ID)
	}
	out := *b
	return Result{BrokerEpoch: b.Epoch, Broker: &out}, true, nil
}

// session returns the broker named by ref if its epoch is current.
func (img *Image) session(ref BrokerRef) (*Broker, error) {
	b, ok := img.brokers[ref.ID]
	if !ok {
		return nil, brokerErr(ErrUnknownBroker, ref.ID, "")
	}
	if b.Epoch != ref.Epoch {
		return nil, brokerErr(ErrStaleBrokerEpoch, ref.ID, "epoch %d, registered epoch is %d", ref.Epoch, b.Epoch)
	}
	return b, nil
}

// retireBroker fences a broker or starts its controlled shutdown: either
// way it stops leading and leaves ISRs.
func (img *Image) retireBroker(ref BrokerRef, to BrokerState) (Result, bool, error) {
	b, err := img.session(ref)
	if err != nil {
		return Result{}, false, err
	}
	if b.State == to || (to == BrokerShuttingDown && b.State == BrokerFenced) {
		out := *b
		return Result{Broker: &out}, false, nil
	}
	nb := *b
	nb.State = to
	img.brokers[b.ID] = &nb
	img.retireLocked(b.ID)
	out := nb
	return Result{Broker: &out}, true, nil
}

// retireLocked removes broker id from every ISR (except where it is the
// last member, so that the partition waits for it rather than silently
// losing data) and re-elects the partitions it led. The broker must already
// be not alive in img.
func (img *Image) retireLocked(id int32) {
	for name, t := range img.topics {
		var nt *TopicMeta
		for i, p := range t.Partitions {
			inISR := slices.Contains(p.ISR, id)
			if p.Leader != id && !inISR {
				continue
			}
			np := p
			if inISR && len(p.ISR) > 1 {
				np.ISR = without(p.ISR, id)
			}
			if p.Leader == id {
				img.elect(t, &np)
			}
			// An unclean election can make a one-replica target the ISR.
			img.maybeCompleteReassignment(&np)
			np.PartitionEpoch++
			if nt == nil {
				nt = shallowTopic(t)
			}
			nt.Partitions[i] = np
		}
		if nt != nil {
			img.topics[name] = nt
		}
	}
}

// markStaleISR flags the partitions whose only ISR member is broker id and
// whose topic acknowledges page-cache data (flush.policy=replication): id
// restarted after losing such data. Under flush.policy=sync every ISR
// member counted only synced data, so nothing acknowledged was lost.
func (img *Image) markStaleISR(id int32) {
	for name, t := range img.topics {
		if strings.TrimSpace(t.Configs[ConfigFlushPolicy]) != "replication" {
			continue
		}
		var nt *TopicMeta
		for i, p := range t.Partitions {
			if len(p.ISR) != 1 || p.ISR[0] != id || p.StaleISR {
				continue
			}
			np := p
			np.StaleISR = true
			np.PartitionEpoch++
			if nt == nil {
				nt = shallowTopic(t)
			}
			nt.Partitions[i] = np
		}
		if nt != nil {
			img.topics[name] = nt
		}
	}
}

// elect chooses a leader for partition p of t, whose leader (if any) is no
// longer alive: the first
// replica (in assignment order) that is in the ISR and alive; failing that,
// when the topic allows unclean election, the first live replica, which
// becomes the whole ISR; failing that, none. The leader epoch increases
// whenever the leader changes, to NoLeader included.
func (img *Image) elect(t *TopicMeta, p *PartitionMeta) {
	for _, r := range p.Replicas {
		if !p.StaleISR && slices.Contains(p.ISR, r) && img.Alive(r) {
			p.Leader = r
			p.LeaderEpoch++
			return
		}
	}
	if t.UncleanLeaderElection() {
		for _, r := range p.Replicas {
			if img.Alive(r) {
				p.Leader, p.ISR, p.StaleISR = r, []int32{r}, false
				p.LeaderEpoch++
				return
			}
		}
	}
	if p.Leader != NoLeader {
		p.Leader = NoLeader
		p.LeaderEpoch++
	}
}

func (img *Image) unfenceBroker(ref BrokerRef) (Result, bool, error) {
	b, err := img.session(ref)
	if err != nil {
		return Result{}, false, err
	}
	switch b.State {
	case BrokerActive:
		out := *b
		return Result{Broker: &out}, false, nil
	case BrokerShuttingDown:
		return Result{}, false, brokerErr(ErrInvalidTransition, b.ID, "broker is in controlled shutdown; it must re-register")
	}
	nb := *b
	nb.State = BrokerActive
	img.brokers[b.ID] = &nb
	// Offline partitions this broker can lead come back.
	for name, t := range img.topics {
		var nt *TopicMeta
		for i, p := range t.Partitions {
			if p.Leader != NoLeader || !slices.Contains(p.Replicas, b.ID) {
				continue
			}
			np := p
			img.elect(t, &np)
			if np.Leader == NoLeader {
				continue
			}
			// A target that was wholly in the ISR but offline can finish.
			img.maybeCompleteReassignment(&np)
			np.PartitionEpoch++
			if nt == nil {
				nt = shallowTopic(t)
			}
			nt.Partitions[i] = np
		}
		if nt != nil {
			img.topics[name] = nt
		}
	}
	out := nb
	return Result{Broker: &out}, true, nil
}

// shallowTopic copies t and its partition slice; the replica and ISR slices
// stay shared and are replaced, never modified.
func shallowTopic(t *TopicMeta) *TopicMeta {
	nt := *t
	nt.Partitions = slices.Clone(t.Partitions)
	return &nt
}

func without(s []int32, id int32) []int32 {
	out := make([]int32, 0, len(s))
	for _, v := range s {
		if v != id {
			out = append(out, v)
		}
	}
	return out
}

// checkAssignment validates replica lists: each non-empty, rf long when rf
// is positive, of distinct registered brokers.
func (img *Image) checkAssignment(topic string, asg [][]int32, rf int) error {
	for i, replicas := range asg {
		if rf > 0 && len(replicas) != rf && len(replicas) > 0 {
			return topicErr(ErrInvalidAssignment, topic, "partition %d has %d replicas, want %d", i, len(replicas), rf)
		}
		if problem := img.replicaListProblem(replicas); problem != "" {
			return topicErr(ErrInvalidAssignment, topic, "partition %d %s", i, problem)
		}
	}
	return nil
}

// replicaListProblem describes what makes replicas an invalid replica list
// (empty, an unknown broker, a repeated broker), or returns "".
func (img *Image) replicaListProblem(replicas []int32) string {
	if len(replicas) == 0 {
		return "has no replicas"
	}
	for j, r := range replicas {
		if _, ok := img.brokers[r]; !ok {
			return fmt.Sprintf("names unknown broker %d", r)
		}
		if slices.Contains(replicas[:j], r) {
			return fmt.Sprintf("names broker %d twice", r)
		}
	}
	return ""
}

// newPartitions builds partitions for replica lists: the ISR is the live
// replicas and the leader the first of them. With no live replica the
// partition starts offline with every replica in the ISR: all logs are empty,
// so whichever returns first may lead.
func (img *Image) newPartitions(asg [][]int32) []PartitionMeta {
	out := make([]PartitionMeta, len(asg))
	for i, replicas := range asg {
		p := PartitionMeta{Leader: NoLeader, Replicas: slices.Clone(replicas), ISR: []int32{}}
		for _, r := range replicas {
			if img.Alive(r) {
				p.ISR = append(p.ISR, r)
			}
		}
		if len(p.ISR) == 0 {
			p.ISR = slices.Clone(replicas)
		} else {
			p.Leader = p.ISR[0]
		}
		out[i] = p
	}
	return out
}

func (img *Image) createTopic(r *CreateTopic) (Result, bool, error) {
	if r.Name == "" {
		return Result{}, false, topicErr(ErrInvalidRecord, "", "empty topic name")
	}
	if r.ID == "" {
		return Result{}, false, topicErr(ErrInvalidRecord, r.Name, "empty topic id")
	}
	if _, ok := img.topics[r.Name]; ok {
		return Result{}, false, topicErr(ErrTopicExists, r.Name, "")
	}
	for _, t := range img.topics {
		if t.ID == r.ID {
			return Result{}, false, topicErr(ErrInvalidRecord, r.Name, "topic id %s is already used by %q", r.ID, t.Name)
		}
	}
	if len(r.Assignment) == 0 {
		return Result{}, false, topicErr(ErrInvalidPartitions, r.Name, "no partitions")
	}
	if err := img.checkAssignment(r.Name, r.Assignment, len(r.Assignment[0])); err != nil {
		return Result{}, false, err
	}
	t := &TopicMeta{Name: r.Name, ID: r.ID, Internal: r.Internal, Partitions: img.newPartitions(r.Assignment)}
	if len(r.Configs) > 0 {
		t.Configs = make(map[string]string, len(r.Configs))
		for k, v := range r.Configs {
			t.Configs[k] = v
		}
	}
	img.topics[r.Name] = t
	return Result{Topic: t}, true, nil
}

func (img *Image) deleteTopic(r *DeleteTopic) (Result, bool, error) {
	t, ok := img.topics[r.Name]
	if !ok || (r.ID != "" && r.ID != t.ID) {
		return Result{}, false, topicErr(ErrUnknownTopic, r.Name, "")
	}
	delete(img.topics, r.Name)
	return Result{Topic: t}, true, nil
}

func (img *Image) alterConfigs(r *AlterConfigs) (Result, bool, error) {
	t, ok := img.topics[r.Topic]
	if !ok {
		return Result{}, false, topicErr(ErrUnknownTopic, r.Topic, "")
	}
	nt := *t
	nt.Configs = make(map[string]string, len(t.Configs)+len(r.Set))
	for k, v := range t.Configs {
		nt.Configs[k] = v
	}
	for k, v := range r.Set {
		nt.Configs[k] = v
	}
	for _, k := range r.Delete {
		delete(nt.Configs, k)
	}
	if len(nt.Configs) == 0 {
		nt.Configs = nil
	}
	if nt.UncleanLeaderElection() {
		// Enabling unclean election brings offline partitions back now, as
		// Kafka does, rather than at the next broker event.
		nt.Partitions = slices.Clone(t.Partitions)
		for i := range nt.Partitions {
			if p := &nt.Partitions[i]; p.Leader == NoLeader {
				before := p.Leader
				img.elect(&nt, p)
				if p.Leader != before {
					p.PartitionEpoch++
				}
			}
		}
	}
	img.topics[r.Topic] = &nt
	return Result{Topic: &nt}, true, nil
}

func (img *Image) createPartitions(r *CreatePartitions) (Result, bool, error) {
	t, ok := img.topics[r.Topic]
	if !ok {
		return Result{}, false, topicErr(ErrUnknownTopic, r.Topic, "")
	}
	if int(r.From) != len(t.Partitions) {
		return Result{}, false, topicErr(ErrPartitionCountChanged, r.Topic, "proposal saw %d partitions, topic has %d", r.From, len(t.Partitions))
	}
	if len(r.Assignment) == 0 {
		return Result{}, false, topicErr(ErrInvalidPartitions, r.Topic, "no new partitions")
	}
	if err := img.checkAssignment(r.Topic, r.Assignment, t.ReplicationFactor()); err != nil {
		return Result{}, false, err
	}
	nt := *t
	nt.Partitions = append(slices.Clone(t.Partitions), img.newPartitions(r.Assignment)...)
	img.topics[r.Topic] = &nt
	return Result{Topic: &nt}, true, nil
}

func (img *Image) changePartition(r *ChangePartition) (Result, bool, error) {
	t, ok := img.topics[r.Topic]
	if !ok {
		return Result{}, false, topicErr(ErrUnknownTopic, r.Topic, "")
	}
	if r.Partition < 0 || int(r.Partition) >= len(t.Partitions) {
		return Result{}, false, partErr(ErrUnknownPartition, r.Topic, r.Partition, "")
	}
	cur := t.Partitions[r.Partition]
	if r.PartitionEpoch != cur.PartitionEpoch {
		return Result{}, false, partErr(ErrStalePartitionEpoch, r.Topic, r.Partition, "proposal saw epoch %d, current is %d", r.PartitionEpoch, cur.PartitionEpoch)
	}
	np := cur
	if r.Broker != nil {
		if _, err := img.session(*r.Broker); err != nil {
			return Result{}, false, err
		}
		if r.Broker.ID != cur.Leader {
			return Result{}, false, partErr(ErrNotPartitionLeader, r.Topic, r.Partition, "broker %d proposed, leader is %d", r.Broker.ID, cur.Leader)
		}
		if r.LeaderEpoch != cur.LeaderEpoch {
			return Result{}, false, partErr(ErrFencedLeaderEpoch, r.Topic, r.Partition, "proposal has leader epoch %d, current is %d", r.LeaderEpoch, cur.LeaderEpoch)
		}
		if r.Leader != nil && *r.Leader != cur.Leader {
			return Result{}, false, partErr(ErrInvalidRecord, r.Topic, r.Partition, "a partition leader cannot move leadership")
		}
	} else if r.Leader != nil {
		if *r.Leader == NoLeader {
			return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "the controller only moves leadership to a live isr member")
		}
		if cur.StaleISR {
			return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "the only isr member lost unsynced data; only an unclean election can bring the partition back")
		}
		np.Leader = *r.Leader
	}
	if r.ISR != nil {
		isr := make([]int32, 0, len(r.ISR))
		for _, rep := range cur.Replicas { // keep replica order
			if slices.Contains(r.ISR, rep) {
				isr = append(isr, rep)
			}
		}
		if len(isr) != len(r.ISR) || len(isr) == 0 {
			return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "isr %v is empty, repeats a broker or names a non-replica of %v", r.ISR, cur.Replicas)
		}
		for _, m := range isr {
			if !slices.Contains(cur.ISR, m) && !img.Alive(m) {
				return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "broker %d is not alive and cannot join the isr", m)
			}
		}
		np.ISR = isr
	}
	if np.Leader != NoLeader {
		if !slices.Contains(np.ISR, np.Leader) {
			return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "leader %d is not in isr %v", np.Leader, np.ISR)
		}
		if np.Leader != cur.Leader && !img.Alive(np.Leader) {
			return Result{}, false, partErr(ErrIneligibleReplica, r.Topic, r.Partition, "leader %d is not alive", np.Leader)
		}
	}
	if np.Leader == cur.Leader && slices.Equal(np.ISR, cur.ISR) {
		return Result{Partition: &np}, false, nil
	}
	if np.Leader != cur.Leader {
		np.LeaderEpoch++
	}
	// An ISR expansion that completes the target finishes a reassignment.
	img.maybeCompleteReassignment(&np)
	np.PartitionEpoch++
	nt := shallowTopic(t)
	nt.Partitions[r.Partition] = np
	img.topics[r.Topic] = nt
	return Result{Partition: &np}, true, nil
}

func (img *Image) electPreferred(r *ElectPreferredLeaders) (Result, bool, error) {
	want := r.Partitions
	all := len(want) == 0
	if all {
		for _, t := range img.Topics() {
			for i := range t.Partitions {
				want = append(want, TopicPartition{t.Name, int32(i)})
			}
		}
	}
	var (
		res     Result
		changed bool
	)
	for _, tp := range want {
		t, ok := img.topics[tp.Topic]
		if !ok {
			res.Elections = append(res.Elections, Election{tp, NoLeader, topicErr(ErrUnknownTopic, tp.Topic, "")})
			continue
		}
		if tp.Partition < 0 || int(tp.Partition) >= len(t.Partitions) {
			res.Elections = append(res.Elections, Election{tp, NoLeader, partErr(ErrUnknownPartition, tp.Topic, tp.Partition, "")})
			continue
		}
		p := t.Partitions[tp.Partition]
		pref := p.Preferred()
		if p.Leader == pref {
			if !all {
				res.Elections = append(res.Elections, Election{tp, pref, nil})
			}
			continue
		}
		if !img.Alive(pref) || !slices.Contains(p.ISR, pref) || p.StaleISR {
			if !all {
				res.Elections = append(res.Elections, Election{tp, p.Leader, partErr(ErrPreferredLeaderNotAvailable, tp.Topic, tp.Partition, "preferred replica %d", pref)})
			}
			continue
		}
		np := p
		np.Leader = pref
		np.LeaderEpoch++
		np.PartitionEpoch++
		nt := shallowTopic(t)
		nt.Partitions[tp.Partition] = np
		img.topics[tp.Topic] = nt
		changed = true
		res.Elections = append(res.Elections, Election{tp, pref, nil})
	}
	return res, changed, nil
}

// Imbalanced returns the partitions whose preferred replica is alive and in
// the ISR but does not lead: what an automatic preferred-leader election
// would move.
func (img *Image) Imbalanced() []TopicPartition {
	var out []TopicPartition
	for _, t := range img.Topics() {
		for i, p := range t.Partitions {
			if pref := p.Preferred(); p.Leader != pref && img.Alive(pref) && slices.Contains(p.ISR, pref) && !p.StaleISR {
				out = append(out, TopicPartition{t.Name, int32(i)})
			}
		}
	}
	return out
}

// String renders the image for tests and debugging, one line per broker
// and partition, in a stable order.
func (img *Image) String() string {
	var s []byte
	s = fmt.Appendf(s, "offset %d\n", img.offset)
	for _, b := range img.Brokers() {
		s = fmt.Appendf(s, "broker %d epoch=%d inc=%s addr=%s", b.ID, b.Epoch, b.IncarnationID, b.Address)
		if b.Rack != "" {
			s = fmt.Appendf(s, " rack=%s", b.Rack)
		}
		s = fmt.Appendf(s, " %s\n", b.State)
	}
	for _, t := range img.Topics() {
		s = fmt.Appendf(s, "topic %s id=%s", t.Name, t.ID)
		keys := make([]string, 0, len(t.Configs))
		for k := range t.Configs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			s = fmt.Appendf(s, " %s=%s", k, t.Configs[k])
		}
		s = append(s, '\n')
		for i, p := range t.Partitions {
			s = fmt.Appendf(s, "  %d leader=%d le=%d pe=%d replicas=%v isr=%v", i, p.Leader, p.LeaderEpoch, p.PartitionEpoch, p.Replicas, p.ISR)
			if p.Reassigning() {
				s = fmt.Appendf(s, " adding=%v removing=%v original=%v", p.AddingReplicas, p.RemovingReplicas, p.OriginalReplicas)
			}
			s = append(s, '\n')
		}
	}
	return string(s)
}
