package cluster

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fjordlog/fjord/server/acl"
)

// NoLeader is the leader id of an offline partition.
const NoLeader int32 = -1

// ConfigUncleanLeaderElection is the topic config that allows electing a
// replica outside the ISR when no ISR member is alive (data loss).
const ConfigUncleanLeaderElection = "unclean.leader.election.enable"

// ConfigFlushPolicy is the topic config choosing what counts toward the high
// watermark; under "replication" acknowledged data may live only in page
// caches.
const ConfigFlushPolicy = "flush.policy"

// BrokerState is a registered broker's session state.
type BrokerState string

// Broker states. Only active brokers lead partitions or join ISRs.
const (
	// BrokerFenced: registered but not (or no longer) trusted: new, missed
	// heartbeats past the session timeout, or replaced by a new incarnation.
	BrokerFenced BrokerState = "fenced"
	// BrokerActive: heartbeating and caught up.
	BrokerActive BrokerState = "active"
	// BrokerShuttingDown: in controlled shutdown; leaderships moved away.
	BrokerShuttingDown BrokerState = "shutting_down"
)

// Broker is one registered broker incarnation.
type Broker struct {
	ID            int32       `json:"id"`
	IncarnationID string      `json:"incarnation_id"`
	Epoch         int64       `json:"epoch"`
	Address       string      `json:"address"`
	Rack          string      `json:"rack,omitempty"`
	State         BrokerState `json:"state"`
}

// PartitionMeta is one partition's assignment and leadership. LeaderEpoch
// increases on every leader change (including to NoLeader); PartitionEpoch
// increases on every change of leader, ISR or replicas. ISR is kept in
// replica order.
//
// While the partition is being reassigned, Replicas is the target replica
// list followed by RemovingReplicas, so that every replica of either
// assignment replicates and the preferred leader is the target's first.
// AddingReplicas are the target replicas outside the original assignment,
// RemovingReplicas the original replicas outside the target (in original
// order), and OriginalReplicas the assignment before the reassignment,
// which a cancellation restores in its order. All three are nil otherwise.
type PartitionMeta struct {
	Leader           int32   `json:"leader"`
	LeaderEpoch      int32   `json:"leader_epoch"`
	PartitionEpoch   int32   `json:"partition_epoch"`
	Replicas         []int32 `json:"replicas"`
	ISR              []int32 `json:"isr"`
	AddingReplicas   []int32 `json:"adding_replicas,omitempty"`
	RemovingReplicas []int32 `json:"removing_replicas,omitempty"`
	OriginalReplicas []int32 `json:"original_replicas,omitempty"`
	// StaleISR: the only ISR member restarted after losing unsynced data
	// (RegisterBroker.LostUnsyncedData) and may lack acknowledged records,
	// so it is not elected leader; only an unclean election (which clears
	// the flag) brings the partition back.
	StaleISR bool `json:"stale_isr,omitempty"`
}

// Preferred returns the preferred leader, the first replica (during a
// reassignment, the target's first).
func (p PartitionMeta) Preferred() int32 {
	if len(p.Replicas) == 0 {
		return NoLeader
	}
	return p.Replicas[0]
}

// Reassigning reports whether a reassignment of the partition is ongoing.
func (p PartitionMeta) Reassigning() bool {
	return len(p.AddingReplicas) > 0 || len(p.RemovingReplicas) > 0
}

// Target returns the replica list the partition is moving to: Replicas
// without RemovingReplicas, which is Replicas itself when no reassignment
// is ongoing. The result must not be modified.
func (p PartitionMeta) Target() []int32 {
	if len(p.RemovingReplicas) == 0 {
		return p.Replicas
	}
	out := make([]int32, 0, len(p.Replicas))
	for _, r := range p.Replicas {
		if !slices.Contains(p.RemovingReplicas, r) {
			out = append(out, r)
		}
	}
	return out
}

// Original returns the assignment before the ongoing reassignment, or
// Replicas when none is ongoing. The result must not be modified.
func (p PartitionMeta) Original() []int32 {
	switch {
	case !p.Reassigning():
		return p.Replicas
	case len(p.OriginalReplicas) > 0:
		return p.OriginalReplicas
	default: // not written by this package; the best order left
		return minus(p.Replicas, p.AddingReplicas)
	}
}

// TopicMeta is one topic. Values reachable from an Image are shared between
// images and must not be modified; use Clone for a private copy.
type TopicMeta struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Internal   bool              `json:"internal,omitempty"`
	Configs    map[string]string `json:"configs,omitempty"`
	Partitions []PartitionMeta   `json:"partitions"`
}

// ReplicationFactor returns the replica count of the first partition (of
// its target when it is being reassigned).
func (t *TopicMeta) ReplicationFactor() int {
	if len(t.Partitions) == 0 {
		return 0
	}
	return len(t.Partitions[0].Target())
}

// UncleanLeaderElection reports whether the topic enables unclean election.
func (t *TopicMeta) UncleanLeaderElection() bool {
	return strings.EqualFold(strings.TrimSpace(t.Configs[ConfigUncleanLeaderElection]), "true")
}

// Clone returns a deep copy the caller may modify.
func (t *TopicMeta) Clone() *TopicMeta {
	c := *t
	if t.Configs != nil {
		c.Configs = make(map[string]string, len(t.Configs))
		for k, v := range t.Configs {
			c.Configs[k] = v
		}
	}
	c.Partitions = make([]PartitionMeta, len(t.Partitions))
	for i, p := range t.Partitions {
		p.Replicas = slices.Clone(p.Replicas)
		p.ISR = slices.Clone(p.ISR)
		p.AddingReplicas = slices.Clone(p.AddingReplicas)
		p.RemovingReplicas = slices.Clone(p.RemovingReplicas)
		p.OriginalReplicas = slices.Clone(p.OriginalReplicas)
		c.Partitions[i] = p
	}
	return &c
}

// Image is an immutable snapshot of cluster metadata. Apply returns a new
// Image sharing every unchanged broker and topic with its parent (copy on
// write), so holding an Image is free and safe from any goroutine.
type Image struct {
	offset    uint64
	clusterID string
	// nextProducerID is the first producer id not yet allocated (0 = 1).
	nextProducerID int64
	brokers        map[int32]*Broker
	topics         map[string]*TopicMeta
	// quotas holds the client quotas (quota.go); shared between images
	// and replaced, never modified.
	quotas map[QuotaEntity]map[string]float64
	// acls is sorted by acl.Compare; replaced, never modified (acl.go).
	acls []acl.Binding
}

// NewImage returns the empty image.
func NewImage() *Image {
	return &Image{brokers: map[int32]*Broker{}, topics: map[string]*TopicMeta{}}
}

// Offset returns the raft index of the last record that changed the image;
// 0 for the empty image. Brokers report it to show how far they have caught
// up.
func (img *Image) Offset() uint64 { return img.offset }

// ClusterID is the cluster's id, empty until the first controller leader
// has named the cluster (init_cluster).
func (img *Image) ClusterID() string { return img.clusterID }

// Broker returns a registered broker.
func (img *Image) Broker(id int32) (Broker, bool) {
	b, ok := img.brokers[id]
	if !ok {
		return Broker{}, false
	}
	return *b, true
}

// Brokers returns every registered broker in id order.
func (img *Image) Brokers() []Broker {
	out := make([]Broker, 0, len(img.brokers))
	for _, b := range img.brokers {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Alive reports whether the broker is registered and active: only such a
// broker may lead a partition or join an ISR.
func (img *Image) Alive(id int32) bool {
	b, ok := img.brokers[id]
	return ok && b.State == BrokerActive
}

// Topic returns a topic; the result must not be modified.
func (img *Image) Topic(name string) (*TopicMeta, bool) {
	t, ok := img.topics[name]
	return t, ok
}

// Topics returns every topic in name order; the results must not be
// modified.
func (img *Image) Topics() []*TopicMeta {
	out := make([]*TopicMeta, 0, len(img.topics))
	for _, t := range img.topics {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Partition returns one partition's metadata.
func (img *Image) Partition(topic string, p int32) (PartitionMeta, bool) {
	t, ok := img.topics[topic]
	if !ok || p < 0 || int(p) >= len(t.Partitions) {
		return PartitionMeta{}, false
	}
	return t.Partitions[p], true
}

// cow returns a copy of img whose maps may be changed; the values they
// point to are still shared and are replaced, never modified.
func (img *Image) cow() *Image {
	next := &Image{offset: img.offset, clusterID: img.clusterID, nextProducerID: img.nextProducerID, acls: img.acls,
		brokers: make(map[int32]*Broker, len(img.brokers)),
		topics:  make(map[string]*TopicMeta, len(img.topics)), quotas: img.quotas}
	for id, b := range img.brokers {
		next.brokers[id] = b
	}
	for n, t := range img.topics {
		next.topics[n] = t
	}
	return next
}

// snapshotVersion is the newest snapshot format version. Version 2 added
// the reassignment fields of PartitionMeta; Snapshot still writes version
// 1 when no partition is being reassigned, so such snapshots stay readable
// by nodes that predate reassignment, and a node that would drop an
// ongoing reassignment refuses the snapshot instead. Version 3 added client
// quotas, written only when some are set, for the same reason.
//
// Version 4 added ACLs, written only when there are some, for the same
// reason.
const snapshotVersion = 4

type snapshotFile struct {
	Version   int    `json:"v"`
	Offset    uint64 `json:"offset"`
	ClusterID string `json:"cluster_id,omitempty"`
	// NextProducerID: see Image.nextProducerID.
	NextProducerID int64        `json:"next_producer_id,omitempty"`
	Brokers        []Broker     `json:"brokers"`
	Topics         []*TopicMeta `json:"topics"`
	// ClientQuotas: version 3 (written only when there are quotas, so that
	// a node that would drop them refuses the snapshot).
	ClientQuotas []ClientQuota `json:"client_quotas,omitempty"`
	// ACLs: version 4 (written only when there are ACLs).
	ACLs []acl.Binding `json:"acls,omitempty"`
}

// Snapshot encodes the image. Equal images encode to equal bytes.
func (img *Image) Snapshot() ([]byte, error) {
	version := 1
	if len(img.Reassigning()) > 0 {
		version = 2
	}
	var quotas []ClientQuota
	if len(img.quotas) > 0 {
		version, quotas = max(version, 3), img.ClientQuotas()
	}
	if len(img.acls) > 0 {
		version = max(version, 4)
	}
	return json.Marshal(snapshotFile{Version: version, Offset: img.offset, ClusterID: img.clusterID, NextProducerID: img.nextProducerID, Brokers: img.Brokers(), Topics: img.Topics(), ClientQuotas: quotas, ACLs: img.acls})
}

// Restore decodes an image written by Snapshot.
func Restore(data []byte) (*Image, error) {
	var f snapshotFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("cluster: decode snapshot: %w", err)
	}
	if f.Version < 1 || f.Version > snapshotVersion {
		return nil, fmt.Errorf("cluster: snapshot format version %d, this node reads up to %d", f.Version, snapshotVersion)
	}
	img := NewImage()
	img.offset, img.clusterID, img.nextProducerID = f.Offset, f.ClusterID, f.NextProducerID
	var err error
	if img.acls, err = restoreACLs(f.ACLs); err != nil {
		return nil, err
	}
	quotas, qerr := quotasFromSnapshot(f.ClientQuotas)
	if qerr != nil {
		return nil, qerr
	}
	img.quotas = quotas
	for i := range f.Brokers {
		b := f.Brokers[i]
		img.brokers[b.ID] = &b
	}
	for _, t := range f.Topics {
		if t == nil || t.Name == "" {
			return nil, fmt.Errorf("cluster: decode snapshot: topic without a name")
		}
		for i := range t.Partitions {
			if t.Partitions[i].ISR == nil {
				t.Partitions[i].ISR = []int32{}
			}
		}
		img.topics[t.Name] = t
	}
	return img, nil
}
