package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// image is an immutable snapshot of cluster metadata: brokers, topics,
// partition assignments, leaders, epochs, ISR and configs. Brokers act on
// images; only the controller produces new ones. In single-node mode the
// controller is local and persists the image to a file; the cluster mode
// replaces it with a Raft-replicated log of the same records.
type image struct {
	ClusterID string                `json:"cluster_id"`
	Brokers   map[int32]brokerMeta  `json:"brokers"`
	Topics    map[string]*topicMeta `json:"topics"`
	// Version increases with every change.
	Version int64 `json:"version"`
}

type brokerMeta struct {
	ID      int32  `json:"id"`
	Address string `json:"address"`
	Rack    string `json:"rack,omitempty"`
}

type topicMeta struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Internal   bool              `json:"internal,omitempty"`
	Configs    map[string]string `json:"configs,omitempty"`
	Partitions []partitionMeta   `json:"partitions"`
}

type partitionMeta struct {
	Leader         int32   `json:"leader"`
	LeaderEpoch    int32   `json:"leader_epoch"`
	PartitionEpoch int32   `json:"partition_epoch"`
	Replicas       []int32 `json:"replicas"`
	ISR            []int32 `json:"isr"`
}

func (t *topicMeta) config() topicConfig { return topicConfig{overrides: t.Configs} }

func (t *topicMeta) replicationFactor() int32 {
	if len(t.Partitions) == 0 {
		return 0
	}
	return int32(len(t.Partitions[0].Replicas))
}

// clone returns a deep copy so a new image can be built from an old one.
func (img *image) clone() *image {
	out := &image{ClusterID: img.ClusterID, Version: img.Version,
		Brokers: make(map[int32]brokerMeta, len(img.Brokers)), Topics: make(map[string]*topicMeta, len(img.Topics))}
	for id, b := range img.Brokers {
		out.Brokers[id] = b
	}
	for name, t := range img.Topics {
		ct := *t
		ct.Configs = make(map[string]string, len(t.Configs))
		for k, v := range t.Configs {
			ct.Configs[k] = v
		}
		ct.Partitions = make([]partitionMeta, len(t.Partitions))
		for i, p := range t.Partitions {
			p.Replicas = append([]int32(nil), p.Replicas...)
			p.ISR = append([]int32(nil), p.ISR...)
			ct.Partitions[i] = p
		}
		out.Topics[name] = &ct
	}
	return out
}

// sortedTopics returns topic names in order.
func (img *image) sortedTopics() []string {
	names := make([]string, 0, len(img.Topics))
	for n := range img.Topics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validateTopicName applies Kafka's rules: 1-249 characters of
// [a-zA-Z0-9._-], not "." or "..".
func validateTopicName(name string) error {
	switch {
	case name == "":
		return errorf(ReasonInvalidTopic, "topic name is empty")
	case name == "." || name == "..":
		return errorf(ReasonInvalidTopic, "topic name %q is not allowed", name).with("topic", name)
	case len(name) > 249:
		return errorf(ReasonInvalidTopic, "topic name is %d characters long, the limit is 249", len(name)).with("topic", name)
	}
	for i, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return errorf(ReasonInvalidTopic, "topic name %q has invalid character %q at %d; use [a-zA-Z0-9._-]", name, r, i).with("topic", name)
		}
	}
	return nil
}

// topicSpec is a request to create a topic.
type topicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int32
	Configs           map[string]string
	Internal          bool
}

// alterOp is one incremental config change.
type alterOp struct {
	Name   string
	Value  string
	Delete bool
}

// maxPartitions bounds partitions per topic to keep a typo from creating
// millions of directories.
const maxPartitions = 10000

// localController is the single-node controller: a quorum of one whose log
// is a file holding the latest image, replaced atomically on every change.
type localController struct {
	path string
	// mu serializes changes and guards img.
	mu  sync.Mutex
	img *image
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// openLocalController loads or creates the metadata file in dir and
// registers self.
func openLocalController(dir string, self brokerMeta) (*localController, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("server: create metadata dir: %w", err)
	}
	c := &localController{path: filepath.Join(dir, "cluster.json")}
	data, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		c.img = &image{ClusterID: newID(), Brokers: map[int32]brokerMeta{}, Topics: map[string]*topicMeta{}}
	case err != nil:
		return nil, fmt.Errorf("server: read metadata: %w", err)
	default:
		c.img = &image{}
		if err := json.Unmarshal(data, c.img); err != nil {
			return nil, fmt.Errorf("server: metadata file %s is corrupt: %w", c.path, err)
		}
		if c.img.Topics == nil {
			c.img.Topics = map[string]*topicMeta{}
		}
		if c.img.Brokers == nil {
			c.img.Brokers = map[int32]brokerMeta{}
		}
	}
	next := c.img.clone()
	next.Brokers = map[int32]brokerMeta{self.ID: self}
	// A single node leads everything it hosts; a change of node id takes the
	// partitions over with a new leader epoch.
	for _, t := range next.Topics {
		for i := range t.Partitions {
			p := &t.Partitions[i]
			if p.Leader != self.ID || len(p.Replicas) != 1 || p.Replicas[0] != self.ID {
				p.Leader, p.Replicas, p.ISR = self.ID, []int32{self.ID}, []int32{self.ID}
				p.LeaderEpoch++
				p.PartitionEpoch++
			}
		}
	}
	if err := c.commit(next); err != nil {
		return nil, err
	}
	return c, nil
}

// image returns the current snapshot; callers must not modify it.
func (c *localController) image() *image {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.img
}

// commit persists next (temp file, fsync, rename, dir fsync) and makes it
// current. Callers hold c.mu or are the constructor.
func (c *localController) commit(next *image) error {
	next.Version++
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return fmt.Errorf("server: encode metadata: %w", err)
	}
	if err := writeFileAtomic(c.path, data); err != nil {
		return err
	}
	c.img = next
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("server: write %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("server: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("server: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("server: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("server: rename %s: %w", tmp, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("server: sync dir of %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("server: sync dir of %s: %w", path, err)
	}
	return nil
}

// assignReplicas spreads replicas of n new partitions (starting at index
// first) over the live brokers round-robin, rotating the preferred leader.
func assignReplicas(img *image, first, n, rf int32) ([]partitionMeta, error) {
	ids := make([]int32, 0, len(img.Brokers))
	for id := range img.Brokers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if int(rf) > len(ids) {
		return nil, errorf(ReasonInvalidReplicationFactor, "replication factor %d is larger than the %d available brokers", rf, len(ids))
	}
	out := make([]partitionMeta, n)
	for i := int32(0); i < n; i++ {
		replicas := make([]int32, rf)
		for r := int32(0); r < rf; r++ {
			replicas[r] = ids[(int(first+i)+int(r))%len(ids)]
		}
		out[i] = partitionMeta{Leader: replicas[0], LeaderEpoch: 0, Replicas: replicas, ISR: append([]int32(nil), replicas...)}
	}
	return out, nil
}

// createTopic validates spec and, unless validateOnly, commits the topic.
func (c *localController) createTopic(spec topicSpec, validateOnly bool) (*topicMeta, error) {
	if err := validateTopicName(spec.Name); err != nil {
		return nil, err
	}
	if !spec.Internal && strings.HasPrefix(spec.Name, "__") {
		return nil, errorf(ReasonInvalidTopic, "topic names starting with \"__\" are reserved for internal topics").with("topic", spec.Name)
	}
	if spec.Partitions < 1 || spec.Partitions > maxPartitions {
		return nil, errorf(ReasonInvalidPartitions, "partition count %d is not in [1, %d]", spec.Partitions, maxPartitions).with("topic", spec.Name)
	}
	if spec.ReplicationFactor < 1 {
		return nil, errorf(ReasonInvalidReplicationFactor, "replication factor %d must be at least 1", spec.ReplicationFactor).with("topic", spec.Name)
	}
	cfg, err := validateConfigs(spec.Configs)
	if err != nil {
		return nil, err
	}
	if mi := (topicConfig{overrides: cfg}).minInsync(); mi > int(spec.ReplicationFactor) {
		return nil, errorf(ReasonInvalidConfig, "min.insync.replicas %d is larger than the replication factor %d", mi, spec.ReplicationFactor).with("topic", spec.Name, "config", cfgMinInsyncReplicas)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.img.Topics[spec.Name]; ok {
		return nil, errorf(ReasonTopicAlreadyExists, "topic %q already exists", spec.Name).with("topic", spec.Name)
	}
	parts, err := assignReplicas(c.img, 0, spec.Partitions, spec.ReplicationFactor)
	if err != nil {
		return nil, err.(*Error).with("topic", spec.Name)
	}
	t := &topicMeta{Name: spec.Name, ID: newID(), Internal: spec.Internal, Configs: cfg, Partitions: parts}
	if validateOnly {
		return t, nil
	}
	next := c.img.clone()
	next.Topics[spec.Name] = t
	if err := c.commit(next); err != nil {
		return nil, err
	}
	return t, nil
}

func (c *localController) deleteTopic(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.img.Topics[name]; !ok {
		return errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name)
	}
	next := c.img.clone()
	delete(next.Topics, name)
	return c.commit(next)
}

func (c *localController) alterConfigs(name string, ops []alterOp, validateOnly bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.img.Topics[name]
	if !ok {
		return errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name)
	}
	merged := make(map[string]string, len(t.Configs))
	for k, v := range t.Configs {
		merged[k] = v
	}
	for _, op := range ops {
		if _, ok := lookupConfigDef(op.Name); !ok {
			return errorf(ReasonInvalidConfig, "unknown topic config %q", op.Name).with("topic", name, "config", op.Name)
		}
		if op.Delete {
			delete(merged, op.Name)
		} else {
			merged[op.Name] = op.Value
		}
	}
	cfg, err := validateConfigs(merged)
	if err != nil {
		return err.(*Error).with("topic", name)
	}
	if mi := (topicConfig{overrides: cfg}).minInsync(); mi > int(t.replicationFactor()) {
		return errorf(ReasonInvalidConfig, "min.insync.replicas %d is larger than the replication factor %d", mi, t.replicationFactor()).with("topic", name, "config", cfgMinInsyncReplicas)
	}
	if validateOnly {
		return nil
	}
	next := c.img.clone()
	next.Topics[name].Configs = cfg
	return c.commit(next)
}

func (c *localController) createPartitions(name string, total int32, validateOnly bool) (int32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.img.Topics[name]
	if !ok {
		return 0, errorf(ReasonUnknownTopicOrPartition, "topic %q does not exist", name).with("topic", name)
	}
	cur := int32(len(t.Partitions))
	if total <= cur {
		return cur, errorf(ReasonInvalidPartitions, "topic %q has %d partitions; the new total %d must be larger", name, cur, total).with("topic", name)
	}
	if total > maxPartitions {
		return cur, errorf(ReasonInvalidPartitions, "partition count %d is larger than the limit %d", total, maxPartitions).with("topic", name)
	}
	parts, err := assignReplicas(c.img, cur, total-cur, t.replicationFactor())
	if err != nil {
		return cur, err.(*Error).with("topic", name)
	}
	if validateOnly {
		return total, nil
	}
	next := c.img.clone()
	next.Topics[name].Partitions = append(next.Topics[name].Partitions, parts...)
	return total, c.commit(next)
}
