package server

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/storage"
)

// Topic configuration keys. Names and meanings follow Kafka's where Kafka has
// the same setting, so operators' habits carry over.
const (
	cfgCleanupPolicy       = "cleanup.policy"
	cfgDeleteRetentionMs   = "delete.retention.ms"
	cfgFlushMessages       = "flush.messages"
	cfgFlushMs             = "flush.ms"
	cfgFlushPolicy         = "flush.policy"
	cfgIndexIntervalBytes  = "index.interval.bytes"
	cfgMaxMessageBytes     = "max.message.bytes"
	cfgTimestampType       = "message.timestamp.type"
	cfgMinInsyncReplicas   = "min.insync.replicas"
	cfgRetentionBytes      = "retention.bytes"
	cfgRetentionMs         = "retention.ms"
	cfgSegmentBytes        = "segment.bytes"
	cfgSegmentIndexBytes   = "segment.index.bytes"
	cfgSegmentMs           = "segment.ms"
	cfgUncleanLeaderElectn = "unclean.leader.election.enable"

	// Broker-side schema validation of produced records.
	cfgKeySchemaValidation   = "key.schema.validation"
	cfgValueSchemaValidation = "value.schema.validation"
	cfgKeySubjectStrategy    = "key.subject.name.strategy"
	cfgValueSubjectStrategy  = "value.subject.name.strategy"
)

// Schema validation levels (key.schema.validation, value.schema.validation).
const (
	schemaValidationNone = "none"
	schemaValidationID   = "id"
	schemaValidationFull = "full"
)

// subjectStrategyCheck accepts the short strategy names and Confluent's
// class names for them.
func subjectStrategyCheck(v string) (string, error) {
	s := strings.TrimSpace(v)
	if i := strings.LastIndex(s, "."); i >= 0 {
		s = s[i+1:] // io.confluent.kafka.serializers.subject.TopicNameStrategy
	}
	switch strings.ToLower(s) {
	case "topic", "topicnamestrategy":
		return "topic", nil
	case "record", "recordnamestrategy":
		return "record", nil
	case "topic-record", "topicrecordnamestrategy":
		return "topic-record", nil
	}
	return "", fmt.Errorf("%q is not topic, record or topic-record", v)
}

// Flush policies (flush.policy).
const (
	// flushPolicySync: a replica counts toward the high watermark only for
	// data it has fsynced (group commit). acks=all survives the loss of
	// power on every replica at once.
	flushPolicySync = "sync"
	// flushPolicyReplication: replicas count data in their page cache, as
	// Kafka does. acks=all survives process crashes and the loss of a
	// minority of machines, not a simultaneous power loss of all replicas.
	flushPolicyReplication = "replication"
)

// configDef describes one topic configuration key.
type configDef struct {
	name string
	def  string
	doc  string
	// check validates a value and returns the canonical form.
	check func(v string) (string, error)
}

func intRange(min, max int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", fmt.Errorf("%q is not an integer", v)
		}
		if n < min || n > max {
			return "", fmt.Errorf("%d is not in [%d, %d]", n, min, max)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

func oneOf(values ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, ok := range values {
			if strings.EqualFold(strings.TrimSpace(v), ok) {
				return ok, nil
			}
		}
		return "", fmt.Errorf("%q is not one of %s", v, strings.Join(values, ", "))
	}
}

func cleanupPolicyCheck(v string) (string, error) {
	parts := strings.Split(strings.ReplaceAll(strings.ToLower(v), " ", ""), ",")
	var del, compact bool
	for _, p := range parts {
		switch p {
		case "delete":
			del = true
		case "compact":
			compact = true
		default:
			return "", fmt.Errorf("%q is not delete, compact or compact,delete", v)
		}
	}
	switch {
	case del && compact:
		return "compact,delete", nil
	case compact:
		return "compact", nil
	default:
		return "delete", nil
	}
}

// configDefs lists every topic configuration key, sorted by name.
var configDefs = []configDef{
	{cfgCleanupPolicy, "delete", "delete: drop whole old segments by retention; compact: keep the latest record per key; compact,delete: both.", cleanupPolicyCheck},
	{cfgDeleteRetentionMs, "86400000", "How long compaction keeps tombstones (ms).", intRange(0, math.MaxInt64)},
	{cfgFlushMessages, "0", "Fsync a partition after this many unsynced records (0 = not by count).", intRange(0, math.MaxInt64)},
	{cfgFlushMs, "0", "Fsync a partition when unsynced data is this old (ms; 0 = not by time).", intRange(0, math.MaxInt64)},
	{cfgFlushPolicy, flushPolicySync, "sync: acks=all waits until every in-sync replica fsynced the batch (group commit); replication: acks=all waits only for replicas' page caches, like Kafka.", oneOf(flushPolicySync, flushPolicyReplication)},
	{cfgIndexIntervalBytes, "4096", "Bytes of log between sparse index entries.", intRange(1, math.MaxInt32)},
	{cfgKeySchemaValidation, schemaValidationNone, "none: keys are not checked; id: every non-null key must be in the schema registry wire format (magic byte 0, 4-byte schema id) with an id registered under the key's subject; full: the key must also decode with that schema. A violating batch is rejected with INVALID_RECORD.", oneOf(schemaValidationNone, schemaValidationID, schemaValidationFull)},
	{cfgKeySubjectStrategy, "topic", "The subject a key's schema id must be registered under: topic (<topic>-key), record (the schema's record full name) or topic-record (<topic>-<record full name>).", subjectStrategyCheck},
	{cfgMaxMessageBytes, "1048576", "Largest record batch accepted, in bytes.", intRange(1, 64<<20)},
	{cfgTimestampType, "CreateTime", "CreateTime: keep the producer's timestamps; LogAppendTime: stamp the broker's clock at append.", oneOf("CreateTime", "LogAppendTime")},
	{cfgMinInsyncReplicas, "1", "acks=all fails with NOT_ENOUGH_REPLICAS when fewer in-sync replicas exist.", intRange(1, math.MaxInt16)},
	{cfgRetentionBytes, "-1", "Delete old segments while a partition is larger than this (-1 = unlimited).", intRange(-1, math.MaxInt64)},
	{cfgRetentionMs, "604800000", "Delete segments whose newest record is older than this (ms; -1 = forever).", intRange(-1, math.MaxInt64)},
	{cfgSegmentBytes, "1073741824", "Roll to a new segment file at this size.", intRange(1024, math.MaxInt32)},
	{cfgSegmentIndexBytes, "10485760", "Roll to a new segment when its index reaches this size.", intRange(1024, math.MaxInt32)},
	{cfgSegmentMs, "604800000", "Roll to a new segment after this long (ms).", intRange(1, math.MaxInt64)},
	{cfgUncleanLeaderElectn, "false", "Allow an out-of-sync replica to become leader (may lose acknowledged data).", oneOf("false", "true")},
	{cfgValueSchemaValidation, schemaValidationNone, "none: values are not checked; id: every non-null value must be in the schema registry wire format (magic byte 0, 4-byte schema id) with an id registered under the value's subject; full: the value must also decode with that schema. A violating batch is rejected with INVALID_RECORD.", oneOf(schemaValidationNone, schemaValidationID, schemaValidationFull)},
	{cfgValueSubjectStrategy, "topic", "The subject a value's schema id must be registered under: topic (<topic>-value), record (the schema's record full name) or topic-record (<topic>-<record full name>).", subjectStrategyCheck},
}

func lookupConfigDef(name string) (configDef, bool) {
	i := sort.Search(len(configDefs), func(i int) bool { return configDefs[i].name >= name })
	if i < len(configDefs) && configDefs[i].name == name {
		return configDefs[i], true
	}
	return configDef{}, false
}

// validateConfigs checks overrides and returns them in canonical form.
func validateConfigs(in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		def, ok := lookupConfigDef(k)
		if !ok {
			return nil, errorf(ReasonInvalidConfig, "unknown topic config %q", k).with("config", k)
		}
		canon, err := def.check(v)
		if err != nil {
			return nil, errorf(ReasonInvalidConfig, "invalid value for %s: %v", k, err).with("config", k, "value", v)
		}
		out[k] = canon
	}
	return out, nil
}

// topicConfig is a topic's effective configuration, parsed.
type topicConfig struct {
	overrides map[string]string
}

// value returns the effective value of key and its source.
func (c topicConfig) value(key string) (string, fjordv1.ConfigSource) {
	if v, ok := c.overrides[key]; ok {
		return v, fjordv1.ConfigSource_CONFIG_SOURCE_TOPIC
	}
	def, _ := lookupConfigDef(key)
	return def.def, fjordv1.ConfigSource_CONFIG_SOURCE_DEFAULT
}

func (c topicConfig) int(key string) int64 {
	v, _ := c.value(key)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func (c topicConfig) str(key string) string {
	v, _ := c.value(key)
	return v
}

func (c topicConfig) minInsync() int { return int(c.int(cfgMinInsyncReplicas)) }

func (c topicConfig) syncOnAck() bool { return c.str(cfgFlushPolicy) == flushPolicySync }

// entries lists every key with its effective value, sorted by name.
func (c topicConfig) entries(withDocs bool) []*fjordv1.ConfigEntry {
	out := make([]*fjordv1.ConfigEntry, 0, len(configDefs))
	for _, d := range configDefs {
		v, src := c.value(d.name)
		e := &fjordv1.ConfigEntry{Name: d.name, Value: v, Source: src}
		if withDocs {
			e.Documentation = d.doc + " Default " + d.def + "."
		}
		out = append(out, e)
	}
	return out
}

// storageOptions converts the configuration into storage options on top of base.
func (c topicConfig) storageOptions(base storage.Options) storage.Options {
	o := base
	ms := func(key string) time.Duration {
		n := c.int(key)
		if n < 0 {
			return -1
		}
		return time.Duration(n) * time.Millisecond
	}
	o.Retention = ms(cfgRetentionMs)
	o.RetentionBytes = c.int(cfgRetentionBytes)
	o.SegmentBytes = c.int(cfgSegmentBytes)
	o.SegmentAge = ms(cfgSegmentMs)
	o.MaxIndexBytes = int(c.int(cfgSegmentIndexBytes))
	o.IndexIntervalBytes = int(c.int(cfgIndexIntervalBytes))
	o.MaxBatchBytes = int(c.int(cfgMaxMessageBytes))
	o.DeleteRetention = ms(cfgDeleteRetentionMs)
	if o.DeleteRetention == 0 {
		o.DeleteRetention = -1 // storage: <0 drops tombstones at once; 0 would mean its default
	}
	o.FlushMessages = c.int(cfgFlushMessages)
	o.FlushInterval = ms(cfgFlushMs)
	switch c.str(cfgCleanupPolicy) {
	case "compact":
		o.CleanupPolicy = storage.CleanupCompact
	case "compact,delete":
		o.CleanupPolicy = storage.CleanupCompactDelete
	default:
		o.CleanupPolicy = storage.CleanupDelete
	}
	if c.str(cfgTimestampType) == "LogAppendTime" {
		o.TimestampType = storage.LogAppendTime
	} else {
		o.TimestampType = storage.CreateTime
	}
	return o
}
