package server

import "github.com/fjordlog/fjord/storage"

// internalRecord is a record a broker-internal writer (the group
// coordinator, the schema registry) appends: a key and a value, nil for a
// tombstone.
type internalRecord struct {
	key, value []byte
}

// appendAsLeader appends records to p as its leader in leader epoch epoch,
// as few batches as the topic's max.message.bytes allows (every batch is
// appended before any is acknowledged), and returns the high watermark
// that commits them. When this broker does not lead p in epoch, nothing is
// written and notLeader's error is returned.
func (b *broker) appendAsLeader(p *partition, epoch int32, recs []internalRecord, notLeader func() error) (int64, error) {
	ts := b.clock.Now().UnixMilli()
	limit := p.log.Options().MaxBatchBytes - 1024 // room for the header
	var batches [][]byte
	var bb storage.BatchBuilder
	flush := func() error {
		if bb.Len() == 0 {
			return nil
		}
		batch, err := bb.Build(nil)
		if err != nil {
			return err
		}
		batches = append(batches, batch)
		bb.Reset()
		return nil
	}
	for _, r := range recs {
		if bb.Len() > 0 && bb.Size()+len(r.key)+len(r.value)+32 > limit {
			if err := flush(); err != nil {
				return 0, err
			}
		}
		bb.Add(r.key, r.value, ts)
	}
	if err := flush(); err != nil {
		return 0, err
	}

	p.roleMu.RLock()
	defer p.roleMu.RUnlock()
	p.mu.Lock()
	ldr, curEpoch, deleted := p.ldr, p.meta.LeaderEpoch, p.deleted
	var admit error
	if ldr != nil {
		admit = ldr.CheckAcksAll()
	}
	p.mu.Unlock()
	if deleted || ldr == nil || ldr.LeaderEpoch() != epoch || curEpoch != epoch {
		return 0, notLeader()
	}
	if admit != nil {
		return 0, admit
	}
	var last int64
	for _, batch := range batches {
		ar, err := p.log.AppendLeader(batch, epoch)
		if err != nil {
			b.appended(p)
			return 0, p.logError(err)
		}
		last = ar.LastOffset
	}
	b.appended(p)
	return last + 1, nil
}
