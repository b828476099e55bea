package cluster

import (
	"encoding/json"
	"fmt"
)

// RecordVersion is the record format version this code writes and the
// newest it reads. A record with a larger version is rejected, never
// half-understood.
const RecordVersion = 1

// RecordType names a metadata record. The names are persisted in the raft
// log and in snapshots: never rename one.
type RecordType string

// Record types.
const (
	TypeRegisterBroker        RecordType = "register_broker"
	TypeFenceBroker           RecordType = "fence_broker"
	TypeUnfenceBroker         RecordType = "unfence_broker"
	TypeControlledShutdown    RecordType = "controlled_shutdown"
	TypeCreateTopic           RecordType = "create_topic"
	TypeDeleteTopic           RecordType = "delete_topic"
	TypeAlterConfigs          RecordType = "alter_configs"
	TypeCreatePartitions      RecordType = "create_partitions"
	TypeChangePartition       RecordType = "change_partition"
	TypeElectPreferredLeaders RecordType = "elect_preferred_leaders"
	TypeReassignPartitions    RecordType = "reassign_partitions"
	TypeInitCluster           RecordType = "init_cluster"
	TypeAllocateProducerIDs   RecordType = "allocate_producer_ids"
)

// Record is one entry of the metadata log: a version, a type and exactly
// one body, the one matching Type.
type Record struct {
	Version int        `json:"v"`
	Type    RecordType `json:"type"`

	RegisterBroker        *RegisterBroker        `json:"register_broker,omitempty"`
	FenceBroker           *BrokerRef             `json:"fence_broker,omitempty"`
	UnfenceBroker         *BrokerRef             `json:"unfence_broker,omitempty"`
	ControlledShutdown    *BrokerRef             `json:"controlled_shutdown,omitempty"`
	CreateTopic           *CreateTopic           `json:"create_topic,omitempty"`
	DeleteTopic           *DeleteTopic           `json:"delete_topic,omitempty"`
	AlterConfigs          *AlterConfigs          `json:"alter_configs,omitempty"`
	CreatePartitions      *CreatePartitions      `json:"create_partitions,omitempty"`
	ChangePartition       *ChangePartition       `json:"change_partition,omitempty"`
	ElectPreferredLeaders *ElectPreferredLeaders `json:"elect_preferred_leaders,omitempty"`
	ReassignPartitions    *ReassignPartitions    `json:"reassign_partitions,omitempty"`
	InitCluster           *InitCluster           `json:"init_cluster,omitempty"`
	AllocateProducerIDs   *BrokerRef             `json:"allocate_producer_ids,omitempty"`
	AlterClientQuotas     *AlterClientQuotas     `json:"alter_client_quotas,omitempty"`
	CreateACLs            *CreateACLs            `json:"create_acls,omitempty"`
	DeleteACLs            *DeleteACLs            `json:"delete_acls,omitempty"`
}

// InitCluster names the cluster. The first controller leader proposes it;
// only the first applied record sets the id, later ones change nothing.
type InitCluster struct {
	ClusterID string `json:"cluster_id"`
}

// RegisterBroker announces a broker incarnation. Applied, it assigns the
// broker epoch (the raft index of the record). A new incarnation of a known
// id replaces the old one, which is fenced first.
type RegisterBroker struct {
	ID            int32  `json:"id"`
	IncarnationID string `json:"incarnation_id"`
	Address       string `json:"address"`
	Rack          string `json:"rack,omitempty"`
	// LostUnsyncedData: the broker restarted after a machine crash (not a
	// process crash), so data it held only in the page cache is gone. Where
	// it is the last ISR member of a topic with flush.policy=replication it
	// may lack acknowledged records: the partition gets StaleISR and does
	// not elect it (unless the topic enables unclean election).
	LostUnsyncedData bool `json:"lost_unsynced_data,omitempty"`
}

// BrokerRef names one broker session: the id and the epoch it registered
// with. Records about a broker apply only to the session they name.
type BrokerRef struct {
	ID    int32 `json:"id"`
	Epoch int64 `json:"epoch"`
}

// CreateTopic adds a topic with a replica assignment chosen by the proposer
// (Image.PlanCreateTopic), so that apply is deterministic across versions of
// the assignment code.
type CreateTopic struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Internal   bool              `json:"internal,omitempty"`
	Configs    map[string]string `json:"configs,omitempty"`
	Assignment [][]int32         `json:"assignment"`
}

// DeleteTopic removes a topic. A non-empty ID must match, so a delete aimed
// at an old topic never removes a re-created one.
type DeleteTopic struct {
	Name string `json:"name"`
	ID   string `json:"id,omitempty"`
}

// AlterConfigs changes topic configs incrementally; Delete applies after Set.
type AlterConfigs struct {
	Topic  string            `json:"topic"`
	Set    map[string]string `json:"set,omitempty"`
	Delete []string          `json:"delete,omitempty"`
}

// CreatePartitions appends partitions. From is the partition count the
// proposer saw (compare-and-set); Assignment holds one replica list per new
// partition.
type CreatePartitions struct {
	Topic      string    `json:"topic"`
	From       int32     `json:"from"`
	Assignment [][]int32 `json:"assignment"`
}

// ChangePartition is a compare-and-set on one partition's leader and ISR.
// PartitionEpoch is the epoch the proposer saw; any other value rejects the
// record with ErrStalePartitionEpoch.
//
// A partition leader proposing an ISR shrink or expand sets Broker (its id
// and broker epoch) and LeaderEpoch, and may not change the leader. The
// controller (Broker nil) may also move leadership with Leader. A change
// that puts a reassignment's whole target in the ISR also completes the
// reassignment.
type ChangePartition struct {
	Topic          string     `json:"topic"`
	Partition      int32      `json:"partition"`
	PartitionEpoch int32      `json:"partition_epoch"`
	Broker         *BrokerRef `json:"broker,omitempty"`
	LeaderEpoch    int32      `json:"leader_epoch,omitempty"`
	Leader         *int32     `json:"leader,omitempty"`
	ISR            []int32    `json:"isr,omitempty"`
}

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
}

// ElectPreferredLeaders moves leadership of the listed partitions (every
// partition when empty) to their preferred (first) replica where it is
// alive and in the ISR.
type ElectPreferredLeaders struct {
	Partitions []TopicPartition `json:"partitions,omitempty"`
}

// ReassignPartitions starts, replaces or cancels the reassignment of each
// listed partition (see Reassignment). Each partition succeeds or fails on
// its own; Result.Reassignments reports every one, in order.
type ReassignPartitions struct {
	Partitions []Reassignment `json:"partitions"`
}

// Reassignment asks to move one partition to the target replica list
// Replicas (preferred leader first; any length of at least one, of
// distinct registered brokers, fenced ones included). An empty Replicas
// cancels the partition's ongoing reassignment.
type Reassignment struct {
	TopicPartition
	Replicas []int32 `json:"replicas,omitempty"`
}

// NewRecord wraps body, one of the record body types, into a Record.
func NewRecord(body any) Record {
	r := Record{Version: RecordVersion}
	switch b := body.(type) {
	case *RegisterBroker:
		r.Type, r.RegisterBroker = TypeRegisterBroker, b
	case *CreateTopic:
		r.Type, r.CreateTopic = TypeCreateTopic, b
	case *DeleteTopic:
		r.Type, r.DeleteTopic = TypeDeleteTopic, b
	case *AlterConfigs:
		r.Type, r.AlterConfigs = TypeAlterConfigs, b
	case *CreatePartitions:
		r.Type, r.CreatePartitions = TypeCreatePartitions, b
	case *ChangePartition:
		r.Type, r.ChangePartition = TypeChangePartition, b
	case *ElectPreferredLeaders:
		r.Type, r.ElectPreferredLeaders = TypeElectPreferredLeaders, b
	case *ReassignPartitions:
		r.Type, r.ReassignPartitions = TypeReassignPartitions, b
	case *InitCluster:
		r.Type, r.InitCluster = TypeInitCluster, b
	case *CreateACLs:
		r.Type, r.CreateACLs = TypeCreateACLs, b
	case *DeleteACLs:
		r.Type, r.DeleteACLs = TypeDeleteACLs, b
	default:
		panic(fmt.Sprintf("cluster: NewRecord of %T; use FenceRecord, UnfenceRecord or ShutdownRecord for broker refs", body))
	}
	return r
}

// FenceRecord fences one broker session.
func FenceRecord(id int32, epoch int64) Record {
	return Record{Version: RecordVersion, Type: TypeFenceBroker, FenceBroker: &BrokerRef{id, epoch}}
}

// UnfenceRecord unfences one broker session.
func UnfenceRecord(id int32, epoch int64) Record {
	return Record{Version: RecordVersion, Type: TypeUnfenceBroker, UnfenceBroker: &BrokerRef{id, epoch}}
}

// ShutdownRecord starts the controlled shutdown of one broker session.
// AllocateProducerIDsRecord asks for the next block of producer ids for
// broker id in session epoch.
func AllocateProducerIDsRecord(id int32, epoch int64) Record {
	return Record{Version: RecordVersion, Type: TypeAllocateProducerIDs, AllocateProducerIDs: &BrokerRef{ID: id, Epoch: epoch}}
}

func ShutdownRecord(id int32, epoch int64) Record {
	return Record{Version: RecordVersion, Type: TypeControlledShutdown, ControlledShutdown: &BrokerRef{id, epoch}}
}

// Marshal encodes r for the raft log.
func (r Record) Marshal() ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// DecodeRecord decodes and validates one log entry.
func DecodeRecord(data []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if err := r.validate(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// validate checks the version and that exactly the body named by Type is set.
func (r Record) validate() error {
	if r.Version < 1 || r.Version > RecordVersion {
		return fmt.Errorf("%w: format version %d, this node reads up to %d", ErrInvalidRecord, r.Version, RecordVersion)
	}
	bodies := map[RecordType]bool{
		TypeRegisterBroker:        r.RegisterBroker != nil,
		TypeFenceBroker:           r.FenceBroker != nil,
		TypeUnfenceBroker:         r.UnfenceBroker != nil,
		TypeControlledShutdown:    r.ControlledShutdown != nil,
		TypeCreateTopic:           r.CreateTopic != nil,
		TypeDeleteTopic:           r.DeleteTopic != nil,
		TypeAlterConfigs:          r.AlterConfigs != nil,
		TypeCreatePartitions:      r.CreatePartitions != nil,
		TypeChangePartition:       r.ChangePartition != nil,
		TypeElectPreferredLeaders: r.ElectPreferredLeaders != nil,
		TypeReassignPartitions:    r.ReassignPartitions != nil,
		TypeInitCluster:           r.InitCluster != nil,
		TypeAllocateProducerIDs:   r.AllocateProducerIDs != nil,
		TypeCreateACLs:            r.CreateACLs != nil,
		TypeDeleteACLs:            r.DeleteACLs != nil,
		TypeAlterClientQuotas:     r.AlterClientQuotas != nil,
	}
	set, ok := bodies[r.Type]
	if !ok {
		return fmt.Errorf("%w: unknown type %q", ErrInvalidRecord, r.Type)
	}
	if !set {
		return fmt.Errorf("%w: type %q without its body", ErrInvalidRecord, r.Type)
	}
	for t, s := range bodies {
		if s && t != r.Type {
			return fmt.Errorf("%w: type %q carries a %q body", ErrInvalidRecord, r.Type, t)
		}
	}
	return nil
}
