package storage

import (
	"fmt"
	"strings"
)

// DescribeProducers renders the log's producer state for golden tests.
func (l *Log) DescribeProducers() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return describeProducers(&l.producers)
}

// DescribeProducerSnapshot decodes a snapshot file taken at offset for
// golden tests.
func DescribeProducerSnapshot(b []byte, offset int64) string {
	p, bad := decodeProducerSnapshot(b, offset)
	if bad != "" {
		return "invalid: " + bad + "\n"
	}
	return describeProducers(&p)
}

func describeProducers(p *producerStates) string {
	var sb strings.Builder
	for _, pid := range p.sortedIDs() {
		e := p.m[pid]
		fmt.Fprintf(&sb, "producer %d epoch %d last-append %d:", pid, e.epoch, e.lastAppend)
		for _, b := range e.batches[:e.n] {
			fmt.Fprintf(&sb, " %d..%d@%d..%d", b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
