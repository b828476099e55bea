package server

import (
	"context"
	"strconv"
	"time"

	"github.com/fjordlog/fjord/storage"
)

// schemaCheckTimeout bounds how long validating one produce waits for the
// schema registry to catch up on an unknown schema id.
const schemaCheckTimeout = 5 * time.Second

// schemaChecks is a topic's broker-side schema validation.
type schemaChecks struct {
	key, value                 string // none, id or full
	keyStrategy, valueStrategy string
}

func schemaChecksOf(cfg topicConfig) schemaChecks {
	return schemaChecks{
		key: cfg.str(cfgKeySchemaValidation), value: cfg.str(cfgValueSchemaValidation),
		keyStrategy: cfg.str(cfgKeySubjectStrategy), valueStrategy: cfg.str(cfgValueSubjectStrategy),
	}
}

func (c schemaChecks) enabled() bool {
	return c.key != schemaValidationNone || c.value != schemaValidationNone
}

// checkSchemas validates every record of a produce to tp against the
// schema registry as the topic's configs ask (key.schema.validation,
// value.schema.validation). The first violation rejects the whole request
// for the partition with INVALID_RECORD naming the record (its index
// among the request's records for the partition) and the reason.
func (b *broker) checkSchemas(ctx context.Context, tp topicPartition, cfg topicConfig, batches [][]byte) error {
	c := schemaChecksOf(cfg)
	if !c.enabled() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, schemaCheckTimeout)
	defer cancel()
	index := 0
	for bi, batch := range batches {
		for rec, err := range storage.Records(batch) {
			if err != nil {
				return errorf(ReasonCorruptMessage, "batch %d for %s cannot be read: %v", bi, tp, err).withPartition(tp.topic, tp.partition)
			}
			// Null keys and values (absent, e.g. tombstones) are not checked.
			if c.key != schemaValidationNone && rec.Key != nil {
				if err := b.registry.CheckPayload(ctx, tp.topic, true, c.keyStrategy, c.key == schemaValidationFull, rec.Key); err != nil {
					return invalidRecord(tp, index, err)
				}
			}
			if c.value != schemaValidationNone && rec.Value != nil {
				if err := b.registry.CheckPayload(ctx, tp.topic, false, c.valueStrategy, c.value == schemaValidationFull, rec.Value); err != nil {
					return invalidRecord(tp, index, err)
				}
			}
			index++
		}
	}
	return nil
}

func invalidRecord(tp topicPartition, index int, err error) *Error {
	return errorf(ReasonInvalidRecord, "record %d for %s fails schema validation: %v; nothing of the batch was appended", index, tp, err).
		withPartition(tp.topic, tp.partition).with("record_index", strconv.Itoa(index))
}
