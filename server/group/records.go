package group

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Record keys: 1 byte key version (0), 1 byte type, then the fields, strings
// as a uvarint length and the bytes, int32 big-endian.
const (
	keyVersion = 0

	typeOffset = 1 // group, topic, partition
	typeGroup  = 2 // group
	typeMember = 3 // group, member id

	valueVersion = 1
)

// ErrCorruptRecord marks records Replay cannot decode: unknown key or value
// versions, unknown types, malformed bytes.
var ErrCorruptRecord = errors.New("group: corrupt record")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func groupKey(groupID string) []byte {
	return appendString([]byte{keyVersion, typeGroup}, groupID)
}

func memberKey(groupID, memberID string) []byte {
	return appendString(appendString([]byte{keyVersion, typeMember}, groupID), memberID)
}

func offsetKey(groupID, topic string, partition int32) []byte {
	b := appendString(appendString([]byte{keyVersion, typeOffset}, groupID), topic)
	return binary.BigEndian.AppendUint32(b, uint32(partition))
}

// key is a decoded record key.
type key struct {
	typ       byte
	group     string
	name      string // member id or topic
	partition int32
}

func readString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

func parseKey(b []byte) (key, error) {
	var k key
	if len(b) < 2 {
		return k, fmt.Errorf("%w: key of %d bytes", ErrCorruptRecord, len(b))
	}
	if b[0] != keyVersion {
		return k, fmt.Errorf("%w: unknown key version %d", ErrCorruptRecord, b[0])
	}
	k.typ = b[1]
	rest := b[2:]
	var ok bool
	if k.group, rest, ok = readString(rest); !ok {
		return k, fmt.Errorf("%w: malformed key %x", ErrCorruptRecord, b)
	}
	switch k.typ {
	case typeGroup:
	case typeMember:
		if k.name, rest, ok = readString(rest); !ok {
			return k, fmt.Errorf("%w: malformed member key %x", ErrCorruptRecord, b)
		}
	case typeOffset:
		if k.name, rest, ok = readString(rest); !ok || len(rest) < 4 {
			return k, fmt.Errorf("%w: malformed offset key %x", ErrCorruptRecord, b)
		}
		k.partition = int32(binary.BigEndian.Uint32(rest))
		rest = rest[4:]
	default:
		return k, fmt.Errorf("%w: unknown key type %d", ErrCorruptRecord, k.typ)
	}
	if len(rest) != 0 {
		return k, fmt.Errorf("%w: %d trailing bytes in key %x", ErrCorruptRecord, len(rest), b)
	}
	return k, nil
}

// Values are JSON objects with "v": 1.

type groupValue struct {
	V            int              `json:"v"`
	Epoch        int32            `json:"epoch"`
	Assignor     string           `json:"assignor,omitempty"`
	TargetEpoch  int32            `json:"target_epoch"`
	Topics       map[string]int32 `json:"topics,omitempty"`
	EmptySinceMs int64            `json:"empty_since_ms,omitempty"`
}

type topicPartitions struct {
	Topic      string  `json:"topic"`
	Partitions []int32 `json:"partitions"`
}

type memberValue struct {
	V                  int               `json:"v"`
	InstanceID         string            `json:"instance_id,omitempty"`
	Rack               string            `json:"rack,omitempty"`
	ClientID           string            `json:"client_id,omitempty"`
	ClientHost         string            `json:"client_host,omitempty"`
	Topics             []string          `json:"topics,omitempty"`
	Pattern            string            `json:"pattern,omitempty"`
	Resolved           []string          `json:"resolved,omitempty"`
	SessionTimeoutMs   int64             `json:"session_timeout_ms"`
	RebalanceTimeoutMs int64             `json:"rebalance_timeout_ms"`
	Epoch              int32             `json:"epoch"`
	Target             []topicPartitions `json:"target,omitempty"`
	Assigned           []topicPartitions `json:"assigned,omitempty"`
	Revoking           []topicPartitions `json:"revoking,omitempty"`
	Pending            []topicPartitions `json:"pending,omitempty"`
}

type offsetValue struct {
	V            int    `json:"v"`
	Offset       int64  `json:"offset"`
	LeaderEpoch  int32  `json:"leader_epoch"`
	Metadata     string `json:"metadata,omitempty"`
	CommitTimeMs int64  `json:"commit_time_ms"`
}

func unixMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMs(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// groupTPs turns a sorted partition list into per-topic lists.
func groupTPs(tps []TopicPartition) []topicPartitions {
	var out []topicPartitions
	for _, tp := range tps {
		if n := len(out); n > 0 && out[n-1].Topic == tp.Topic {
			out[n-1].Partitions = append(out[n-1].Partitions, tp.Partition)
		} else {
			out = append(out, topicPartitions{Topic: tp.Topic, Partitions: []int32{tp.Partition}})
		}
	}
	return out
}

func flattenTPs(tps []topicPartitions) []TopicPartition {
	var out []TopicPartition
	for _, t := range tps {
		for _, p := range t.Partitions {
			out = append(out, TopicPartition{Topic: t.Topic, Partition: p})
		}
	}
	return normTPs(out)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("group: encoding a record value: %v", err))
	}
	return b
}

func encodeGroup(g *group) []byte {
	return mustMarshal(groupValue{
		V:            valueVersion,
		Epoch:        g.epoch,
		Assignor:     g.assignor,
		TargetEpoch:  g.targetEpoch,
		Topics:       g.meta,
		EmptySinceMs: unixMs(g.emptySince),
	})
}

func encodeMember(m *member) []byte {
	v := memberValue{
		V:                  valueVersion,
		InstanceID:         m.instanceID,
		Rack:               m.rack,
		ClientID:           m.clientID,
		ClientHost:         m.clientHost,
		Topics:             m.sub.Topics,
		Pattern:            m.sub.Pattern,
		SessionTimeoutMs:   m.sessionTimeout.Milliseconds(),
		RebalanceTimeoutMs: m.rebalanceTimeout.Milliseconds(),
		Epoch:              m.epoch,
		Target:             groupTPs(m.target),
		Assigned:           groupTPs(m.assigned),
		Revoking:           groupTPs(m.revoking),
		Pending:            groupTPs(m.pending),
	}
	if m.re != nil {
		v.Resolved = m.resolved
	}
	return mustMarshal(v)
}

func encodeOffset(c *CommittedOffset) []byte {
	return mustMarshal(offsetValue{
		V:            valueVersion,
		Offset:       c.Offset,
		LeaderEpoch:  c.LeaderEpoch,
		Metadata:     c.Metadata,
		CommitTimeMs: unixMs(c.CommitTime),
	})
}

// decodeValue decodes a JSON value after checking its version.
func decodeValue(b []byte, v any) error {
	var hdr struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		return fmt.Errorf("%w: %v", ErrCorruptRecord, err)
	}
	if hdr.V == nil || *hdr.V != valueVersion {
		return fmt.Errorf("%w: unknown value version in %.64q", ErrCorruptRecord, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrCorruptRecord, err)
	}
	return nil
}

// Replay applies one record of the partition's log. Records must be given in
// log order, after compaction or not; tombstones of things that do not exist
// are ignored. Unknown key or value versions and malformed records fail with
// an error wrapping ErrCorruptRecord (the shard must then not be used).
// Replay writes nothing and schedules nothing: Loaded does.
func (s *Shard) Replay(r Record) error {
	k, err := parseKey(r.Key)
	if err != nil {
		return err
	}
	g := s.groups[k.group]
	if r.Value == nil {
		if g == nil {
			return nil
		}
		switch k.typ {
		case typeGroup:
			delete(s.groups, k.group)
		case typeMember:
			if m := g.members[k.name]; m != nil {
				s.removeMember(g, m)
				g.touched = nil
			}
		case typeOffset:
			delete(g.offsets, TopicPartition{Topic: k.name, Partition: k.partition})
		}
		return nil
	}
	if g == nil {
		g = newGroup(k.group)
		s.groups[k.group] = g
	}
	switch k.typ {
	case typeGroup:
		var v groupValue
		if err := decodeValue(r.Value, &v); err != nil {
			return err
		}
		g.epoch, g.assignor, g.targetEpoch = v.Epoch, v.Assignor, v.TargetEpoch
		g.meta = v.Topics
		if len(g.meta) == 0 {
			g.meta = nil
		}
		g.emptySince = fromMs(v.EmptySinceMs)
		g.lastValue = bytes.Clone(r.Value)
	case typeMember:
		var v memberValue
		if err := decodeValue(r.Value, &v); err != nil {
			return err
		}
		m := &member{
			id:               k.name,
			instanceID:       v.InstanceID,
			rack:             v.Rack,
			clientID:         v.ClientID,
			clientHost:       v.ClientHost,
			sub:              Subscription{Topics: v.Topics, Pattern: v.Pattern},
			sessionTimeout:   time.Duration(v.SessionTimeoutMs) * time.Millisecond,
			rebalanceTimeout: time.Duration(v.RebalanceTimeoutMs) * time.Millisecond,
			epoch:            v.Epoch,
			target:           flattenTPs(v.Target),
			assigned:         flattenTPs(v.Assigned),
			revoking:         flattenTPs(v.Revoking),
			pending:          flattenTPs(v.Pending),
			lastValue:        bytes.Clone(r.Value),
		}
		if len(m.sub.Topics) == 0 {
			m.sub.Topics = nil
		}
		old := g.members[k.name]
		if m.sub.Pattern != "" {
			if old != nil && old.re != nil && old.sub.Pattern == m.sub.Pattern {
				m.re = old.re // most records of a member repeat its pattern
			} else {
				re, err := regexp.Compile(`^(?:` + m.sub.Pattern + `)$`)
				if err != nil {
					return fmt.Errorf("%w: member %q of group %q: pattern %q: %v", ErrCorruptRecord, k.name, k.group, m.sub.Pattern, err)
				}
				m.re = re
			}
			m.resolved = v.Resolved
		} else {
			m.resolved = slices.Compact(slices.Sorted(slices.Values(m.sub.Topics)))
		}
		if old != nil && old.instanceID != "" && g.instances[old.instanceID] == old.id {
			delete(g.instances, old.instanceID)
		}
		g.members[m.id] = m
		if m.instanceID != "" {
			g.instances[m.instanceID] = m.id
		}
	case typeOffset:
		var v offsetValue
		if err := decodeValue(r.Value, &v); err != nil {
			return err
		}
		tp := TopicPartition{Topic: k.name, Partition: k.partition}
		g.offsets[tp] = &CommittedOffset{
			TopicPartition: tp,
			Offset:         v.Offset,
			LeaderEpoch:    v.LeaderEpoch,
			Metadata:       v.Metadata,
			CommitTime:     fromMs(v.CommitTimeMs),
		}
	}
	return nil
}
