package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// maxLineBytes bounds one stdin line (one record) for produce.
const maxLineBytes = 64 << 20

func newProduceCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	var (
		key, keySep, acks, compression string
		valueSchema                    string
		partition                      int32
		headers                        []string
		quiet                          bool
	)
	cmd := &cobra.Command{
		Use:   "produce TOPIC",
		Short: "Produce one record per line of stdin",
		Long: `Produce one record per line of standard input (the newline is not part of
the value). With --key-separator SEP each line is split at the first SEP into
key and value. Prints "Produced to partition P at offset O" per record.

With --acks all (the default) the producer is idempotent: it retries writes
whose outcome is unknown and the broker drops the copies, so each line is
written once. Note: --acks leader or none turns idempotence off; a write
whose outcome is unknown then fails the command (the record may or may not
be in the log) instead of being retried.

With --value-schema SUBJECT each value (the line, or the part after the key
separator) is JSON, encoded as Avro with the subject's latest registered
schema and written in the Confluent wire format (magic byte 0, 4-byte schema
id, Avro binary), as Confluent's serializers write it. Unions are plain JSON
values ("x", not {"string":"x"}); a missing field takes its default. A line
that does not fit the schema fails the command, naming the line.`,
		Example: `  echo hello | fjord produce demo
  printf 'k1:v1\nk2:v2\n' | fjord produce demo --key-separator :
  fjord produce demo -H source=cli --acks leader --partition 0 < lines.txt
  echo '{"name":"ann","age":41}' | fjord produce users --value-schema users-value`,
		Args: exactArgs(1, "the topic"),
		RunE: func(c *cobra.Command, args []string) error {
			topic := args[0]
			p := lineParser{keySep: []byte(keySep)}
			if c.Flags().Changed("key") {
				if keySep != "" {
					return usageErrorf(c, "--key and --key-separator are mutually exclusive")
				}
				p.key = []byte(key)
			}
			if c.Flags().Changed("key-separator") && keySep == "" {
				return usageErrorf(c, "--key-separator must not be empty")
			}
			var err error
			if p.headers, err = parseHeaders(headers); err != nil {
				return &usageError{cmd: c, err: err}
			}
			opts := []fjord.ProducerOpt{}
			a, err := parseAcks(acks)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			opts = append(opts, fjord.Acks(a))
			comp, err := parseCompression(compression)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			opts = append(opts, fjord.Compression(comp))
			if c.Flags().Changed("partition") {
				if partition < 0 {
					return usageErrorf(c, "--partition must not be negative")
				}
				opts = append(opts, fjord.WithPartitioner(fjord.ManualPartitioner()))
			} else {
				partition = -1
			}

			ctx, cancel := env.interruptible(c.Context())
			defer cancel()
			cl, err := cf.connect(ctx, c, env)
			if err != nil {
				return err
			}
			defer cl.Close()
			if err := checkPartition(ctx, cf, cl, topic, partition); err != nil {
				return err
			}
			if c.Flags().Changed("value-schema") {
				if p.encodeValue, err = avroValueEncoder(ctx, cf, cl, topic, valueSchema); err != nil {
					return err
				}
			}
			prod, err := fjord.NewProducer(cl, opts...)
			if err != nil {
				return fmt.Errorf("cannot create producer: %w", err)
			}
			return produceLines(ctx, prod, env, c, topic, partition, p, quiet, a == fjordv1.Acks_ACKS_NONE)
		},
	}
	addClientFlags(cmd, cf)
	f := cmd.Flags()
	f.StringVarP(&key, "key", "k", "", "key for every record")
	f.StringVar(&keySep, "key-separator", "", `split each line at the first SEP into key and value ("key<SEP>value")`)
	f.Int32VarP(&partition, "partition", "p", 0, "partition to write to (default: the partitioner: key hash, or sticky without a key)")
	f.StringArrayVarP(&headers, "header", "H", nil, "header key=value for every record (repeatable)")
	f.StringVar(&acks, "acks", "all", "when the broker acknowledges: none, leader or all (none and leader turn idempotence off)")
	f.StringVar(&compression, "compression", "none", "batch compression: none, gzip, snappy, lz4 or zstd")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only a summary instead of a line per record")
	f.StringVar(&valueSchema, "value-schema", "", "values are JSON, written as Avro with this subject's latest schema (see above)")
	return cmd
}

// avroValueEncoder returns a function that encodes JSON values as Avro in
// the Confluent wire format with subject's latest schema.
func avroValueEncoder(ctx context.Context, cf *clientFlags, cl *fjord.Client, topic, subject string) (func([]byte) ([]byte, error), error) {
	if subject == "" {
		return nil, errors.New("--value-schema needs a subject")
	}
	reg := fjord.NewSchemaRegistry(cl)
	rctx, cancel := cf.requestCtx(ctx)
	_, err := reg.Latest(rctx, subject)
	cancel()
	if err != nil {
		return nil, subjectError(fmt.Sprintf("get the latest schema of subject %q", subject), subject, err)
	}
	ser, err := avro.NewSerializer(reg, avro.UseLatestVersion(true),
		avro.SubjectStrategy(func(string, bool, string) (string, error) { return subject, nil }))
	if err != nil {
		return nil, err
	}
	return func(v []byte) ([]byte, error) {
		rctx, cancel := cf.requestCtx(ctx)
		defer cancel()
		return ser.EncodeJSON(rctx, topic, v)
	}, nil
}

// produceLines reads stdin and produces one record per line, stopping at the
// first failed record.
func produceLines(ctx context.Context, prod *fjord.Producer, env *cliEnv, c *cobra.Command, topic string, partition int32, p lineParser, quiet, noAcks bool) error {
	out := c.OutOrStdout()
	var (
		mu       sync.Mutex // guards the fields below and out
		firstErr error
		produced int
	)
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}

	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	lineNo := 0
	for sc.Scan() && !failed() && ctx.Err() == nil {
		lineNo++
		k, v, err := p.parse(sc.Bytes())
		if err != nil {
			mu.Lock()
			firstErr = fmt.Errorf("line %d: %w", lineNo, err)
			mu.Unlock()
			break
		}
		rec := &fjord.Record{Topic: topic, Key: k, Value: v, Headers: p.headers}
		if partition >= 0 {
			rec.Partition = partition
		}
		n := lineNo
		prod.Produce(ctx, rec, func(r *fjord.Record, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("line %d: %w", n, err)
				}
				return
			}
			produced++
			if quiet {
				return
			}
			if noAcks || r.Offset < 0 {
				fmt.Fprintf(out, "Sent to partition %d (acks none: offset unknown)\n", r.Partition)
				return
			}
			fmt.Fprintf(out, "Produced to partition %d at offset %d\n", r.Partition, r.Offset)
		})
	}
	scanErr := sc.Err()
	flushErr := prod.Flush(ctx)
	closeErr := prod.Close()

	mu.Lock()
	defer mu.Unlock()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted (%d records produced)", produced)
	case firstErr != nil:
		if errors.Is(firstErr, fjord.ErrUnknownTopicOrPartition) {
			return topicError(topic, firstErr)
		}
		return fmt.Errorf("produce to %q failed at %w (%d records produced)", topic, firstErr, produced)
	case errors.Is(scanErr, bufio.ErrTooLong):
		return fmt.Errorf("line %d: longer than %d bytes", lineNo+1, maxLineBytes)
	case scanErr != nil:
		return fmt.Errorf("reading stdin: %w", scanErr)
	case flushErr != nil:
		return fmt.Errorf("flush: %w", flushErr)
	case closeErr != nil:
		return fmt.Errorf("close producer: %w", closeErr)
	}
	if quiet {
		fmt.Fprintf(out, "Produced %d records to %s\n", produced, topic)
	}
	return nil
}

// lineParser turns a stdin line into a record's key and value.
type lineParser struct {
	keySep  []byte         // if set, lines are key<SEP>value
	key     []byte         // if non-nil, the key of every record
	headers []fjord.Header // headers of every record
	// encodeValue, if set, turns the value as read into the value written.
	encodeValue func([]byte) ([]byte, error)
}

// parse returns copies of the key and value in line (the scanner reuses it).
func (p lineParser) parse(line []byte) (key, value []byte, err error) {
	key, value = p.key, line
	if len(p.keySep) > 0 {
		k, v, ok := bytes.Cut(line, p.keySep)
		if !ok {
			return nil, nil, fmt.Errorf("no key separator %q in line", p.keySep)
		}
		key, value = bytes.Clone(k), v
	}
	if p.encodeValue != nil {
		if value, err = p.encodeValue(value); err != nil {
			return nil, nil, err
		}
		return key, value, nil
	}
	return key, clone(value), nil
}

// clone copies b, keeping an empty value non-nil (empty, not null).
func clone(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }

func parseHeaders(pairs []string) ([]fjord.Header, error) {
	var hs []fjord.Header
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid header %q: want key=value", p)
		}
		hs = append(hs, fjord.Header{Key: k, Value: []byte(v)})
	}
	return hs, nil
}

func parseAcks(s string) (fjordv1.Acks, error) {
	switch strings.ToLower(s) {
	case "none", "0":
		return fjordv1.Acks_ACKS_NONE, nil
	case "leader", "1":
		return fjordv1.Acks_ACKS_LEADER, nil
	case "all", "-1":
		return fjordv1.Acks_ACKS_ALL, nil
	}
	return 0, fmt.Errorf("invalid --acks %q: want none, leader or all", s)
}

func parseCompression(s string) (fjordv1.Compression, error) {
	switch strings.ToLower(s) {
	case "none", "":
		return fjordv1.Compression_COMPRESSION_NONE, nil
	case "gzip":
		return fjordv1.Compression_COMPRESSION_GZIP, nil
	case "snappy":
		return fjordv1.Compression_COMPRESSION_SNAPPY, nil
	case "lz4":
		return fjordv1.Compression_COMPRESSION_LZ4, nil
	case "zstd":
		return fjordv1.Compression_COMPRESSION_ZSTD, nil
	}
	return 0, fmt.Errorf("invalid --compression %q: want none, gzip, snappy, lz4 or zstd", s)
}

// partitionCount returns how many partitions topic has, or a clear error if
// it does not exist.
func partitionCount(ctx context.Context, cf *clientFlags, cl *fjord.Client, topic string) (int32, error) {
	rctx, cancel := cf.requestCtx(ctx)
	defer cancel()
	md, err := cl.Metadata(rctx, topic)
	if err != nil {
		return 0, topicError(topic, err)
	}
	for _, t := range md.GetTopics() {
		if t.GetName() != topic {
			continue
		}
		if e := t.GetError(); e != nil {
			if e.GetReason() == "UNKNOWN_TOPIC_OR_PARTITION" {
				return 0, topicError(topic, fjord.ErrUnknownTopicOrPartition)
			}
			return 0, topicError(topic, protoError(e.GetCode(), e.GetReason(), e.GetMessage()))
		}
		return int32(len(t.GetPartitions())), nil
	}
	return 0, topicError(topic, fjord.ErrUnknownTopicOrPartition)
}

// checkPartition fails unless topic exists and, if p >= 0, has partition p.
func checkPartition(ctx context.Context, cf *clientFlags, cl *fjord.Client, topic string, p int32) error {
	n, err := partitionCount(ctx, cf, cl, topic)
	if err != nil {
		return err
	}
	if p >= n {
		return fmt.Errorf("topic %q has no partition %d (it has %d)", topic, p, n)
	}
	return nil
}
