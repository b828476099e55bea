package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
)

func newConsumeCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	var (
		from, format   string
		partition      int32
		max            int
		follow, asJSON bool
		gf             groupConsumeFlags
		valueSchema    string
		decodeAvro     bool
	)
	cmd := &cobra.Command{
		Use:   "consume TOPIC",
		Short: "Print records of a topic",
		Long: `Print records of a topic, from every partition or one. Without --follow it
stops at the high watermark each partition had when it started.

--format is a template: %t topic, %p partition, %o offset, %k key, %v value,
%h headers (k=v,k=v), %T timestamp (unix ms), %% a percent sign; \n, \t, \r
and \\ are escapes. --json prints one JSON object per record instead, with key,
value and header values as strings ("<field>_encoding": "base64" marks bytes
that are not UTF-8).

With --group G it consumes as a member of consumer group G instead: the
group's coordinator assigns it partitions, it starts from the group's
committed offsets (partitions without one start at the end, or at the
beginning with --from-beginning), commits its progress every few seconds and
runs until interrupted (or -n records); on SIGINT or SIGTERM it commits and
leaves the group. Start several to share the partitions.

--decode-avro decodes values written in the Confluent wire format (magic
byte 0, 4-byte schema id, Avro binary) with the schema their id names,
fetched from the registry, and prints them as JSON (unions as plain values);
--value-schema SUBJECT does the same but resolves every value to SUBJECT's
latest schema (fields added since a value was written show their defaults,
removed ones are dropped). A value that is not in that format, or cannot be
read as the subject's schema, fails the command. With --json the decoded
value is a JSON value, not a string. Null values (tombstones) stay null.`,
		Example: `  fjord consume demo -n 10
  fjord consume demo --from latest --follow
  fjord consume demo --from @2025-01-02T15:04:05Z --format '%p/%o %k=%v\n'
  fjord consume demo --partition 0 --from 42 --json
  fjord consume demo --group billing --from-beginning
  fjord consume users --value-schema users-value --json`,
		Args: exactArgs(1, "the topic"),
		RunE: func(c *cobra.Command, args []string) error {
			topic := args[0]
			if err := gf.validate(c); err != nil {
				return err
			}
			start, err := parseFrom(from, time.Now())
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			var w recordWriter
			avroValues := decodeAvro || c.Flags().Changed("value-schema")
			if decodeAvro && c.Flags().Changed("value-schema") {
				return usageErrorf(c, "--decode-avro and --value-schema are mutually exclusive")
			}
			if c.Flags().Changed("value-schema") && valueSchema == "" {
				return usageErrorf(c, "--value-schema needs a subject")
			}
			if asJSON {
				if c.Flags().Changed("format") {
					return usageErrorf(c, "--json and --format are mutually exclusive")
				}
				w = jsonWriter{rawValue: avroValues}
			} else if w, err = compileFormat(format); err != nil {
				return &usageError{cmd: c, err: err}
			}
			if max < 0 {
				return usageErrorf(c, "-n must not be negative")
			}
			if !c.Flags().Changed("partition") {
				partition = -1
			} else if partition < 0 {
				return usageErrorf(c, "--partition must not be negative")
			}

			ctx, cancel := env.interruptible(c.Context())
			defer cancel()
			cl, err := cf.connect(ctx, c, env)
			if err != nil {
				return err
			}
			defer cl.Close()
			if avroValues {
				if w, err = newAvroWriter(ctx, cf, cl, valueSchema, w); err != nil {
					return err
				}
			}
			if gf.group != "" {
				return consumeGroup(ctx, cf, cl, c.OutOrStdout(), gf, groupConsumeSpec{topic: topic, max: max, w: w})
			}
			return consume(ctx, cf, cl, c.OutOrStdout(), consumeSpec{
				topic: topic, partition: partition, from: start, max: max, follow: follow, w: w,
			})
		},
	}
	addClientFlags(cmd, cf)
	f := cmd.Flags()
	f.StringVar(&from, "from", "earliest", "where to start: earliest, latest, an OFFSET, or @TIME (RFC3339, unix ms, or -DURATION ago)")
	f.Int32VarP(&partition, "partition", "p", 0, "partition to read (default: all)")
	f.IntVarP(&max, "num", "n", 0, "stop after this many records (0: no limit)")
	f.BoolVarP(&follow, "follow", "f", false, "keep waiting for new records instead of stopping at the high watermark")
	f.StringVar(&format, "format", `%v\n`, "output template (see above)")
	f.BoolVar(&asJSON, "json", false, "print one JSON object per record")
	f.StringVarP(&gf.group, "group", "g", "", "consume as a member of this consumer group (see above)")
	f.StringVar(&gf.instanceID, "instance-id", "", "with --group: static member id, to restart without a rebalance (on exit its partitions wait for it until its session times out)")
	f.BoolVar(&gf.fromBeginning, "from-beginning", false, "with --group: partitions without a committed offset start at the beginning (default: the end)")
	f.StringVar(&gf.assignor, "assignor", "", "with --group: uniform, sticky, range or roundrobin (default: the broker's, uniform)")
	f.BoolVar(&decodeAvro, "decode-avro", false, "decode Confluent-framed Avro values and print them as JSON (see above)")
	f.StringVar(&valueSchema, "value-schema", "", "like --decode-avro, reading every value as this subject's latest schema")
	return cmd
}

// avroWriter decodes each record's Confluent-framed Avro value to JSON
// before the next writer prints it.
type avroWriter struct {
	ctx  context.Context
	cf   *clientFlags
	de   *avro.Deserializer
	next recordWriter
}

// newAvroWriter decodes values with the schemas their ids name, resolved
// to subject's latest schema unless subject is "".
func newAvroWriter(ctx context.Context, cf *clientFlags, cl *fjord.Client, subject string, next recordWriter) (recordWriter, error) {
	reg := fjord.NewSchemaRegistry(cl)
	var opts []avro.DeserializerOpt
	if subject != "" {
		rctx, cancel := cf.requestCtx(ctx)
		s, err := reg.Latest(rctx, subject)
		cancel()
		if err != nil {
			return nil, subjectError(fmt.Sprintf("get the latest schema of subject %q", subject), subject, err)
		}
		opts = append(opts, avro.ReaderSchema(s.Schema, s.References...))
	}
	de, err := avro.NewDeserializer(reg, opts...)
	if err != nil {
		return nil, fmt.Errorf("subject %q: %w", subject, err)
	}
	return &avroWriter{ctx: ctx, cf: cf, de: de, next: next}, nil
}

func (a *avroWriter) write(w io.Writer, r *fjord.Record) error {
	if r.Value == nil {
		return a.next.write(w, r)
	}
	rctx, cancel := a.cf.requestCtx(a.ctx)
	defer cancel()
	v, err := a.de.DecodeJSON(rctx, r.Value)
	if err != nil {
		return fmt.Errorf("cannot decode the value at %s offset %d: %w", partitionName(r.Topic, r.Partition), r.Offset, err)
	}
	dec := *r
	dec.Value = v
	return a.next.write(w, &dec)
}

// groupConsumeFlags are consume's --group flags.
type groupConsumeFlags struct {
	group, instanceID, assignor string
	fromBeginning               bool
}

// validate checks the --group flags against the others.
func (gf *groupConsumeFlags) validate(c *cobra.Command) error {
	fl := c.Flags()
	if gf.group == "" {
		if fl.Changed("group") {
			return usageErrorf(c, "--group must not be empty")
		}
		for _, name := range []string{"instance-id", "from-beginning", "assignor"} {
			if fl.Changed(name) {
				return usageErrorf(c, "--%s needs --group", name)
			}
		}
		return nil
	}
	switch {
	case fl.Changed("from"):
		return usageErrorf(c, "--from does not apply with --group: the group's committed offsets say where to start (see --from-beginning and 'fjord group reset')")
	case fl.Changed("partition"):
		return usageErrorf(c, "--partition does not apply with --group: the group assigns the partitions")
	}
	return nil
}

type groupConsumeSpec struct {
	topic string
	max   int // 0: unlimited
	w     recordWriter
}

// consumeGroup prints records as a member of a consumer group until ctx
// ends (SIGINT, SIGTERM) or s.max records were printed, then commits and
// leaves.
//
// Without -n, auto-commit commits everything printed. With -n the last Poll
// may return more records than are printed, which auto-commit would commit
// on Close: so commits are explicit, of the printed records, after each
// Poll (revocations happen inside Poll, after that commit).
func consumeGroup(ctx context.Context, cf *clientFlags, cl *fjord.Client, stdout io.Writer, gf groupConsumeFlags, s groupConsumeSpec) (err error) {
	// A group consumer waits for a topic that does not exist; say so instead.
	if _, err := partitionCount(ctx, cf, cl, s.topic); err != nil {
		return err
	}
	reset := fjord.AtEnd()
	if gf.fromBeginning {
		reset = fjord.AtStart()
	}
	opts := []fjord.GroupOpt{fjord.Topics(s.topic), fjord.ResetOffset(reset), fjord.AutoCommit(s.max == 0)}
	if gf.instanceID != "" {
		opts = append(opts, fjord.InstanceID(gf.instanceID))
	}
	if gf.assignor != "" {
		opts = append(opts, fjord.Assignor(gf.assignor))
	}
	gc, err := fjord.NewGroupConsumer(cl, gf.group, opts...)
	if err != nil {
		return fmt.Errorf("cannot join group %q: %w", gf.group, err)
	}
	defer func() {
		// Close commits (auto-commit) and leaves, within --timeout.
		if cerr := gc.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("cannot commit the offsets of group %q on leaving: %w", gf.group, cerr)
		}
	}()

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	count := 0
	for s.max == 0 || count < s.max {
		// Poll may return records together with an error: print them first.
		recs, pollErr := gc.Poll(ctx)
		printed := recs
		for i, r := range recs {
			if err := s.w.write(out, r); err != nil {
				return err
			}
			if count++; s.max > 0 && count >= s.max {
				printed = recs[:i+1]
				break
			}
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if s.max > 0 && len(printed) > 0 {
			cctx, cancel := cf.requestCtx(context.WithoutCancel(ctx))
			err := gc.CommitRecords(cctx, printed...)
			cancel()
			if err != nil {
				return fmt.Errorf("cannot commit the offsets of group %q: %w", gf.group, err)
			}
		}
		if pollErr != nil {
			if ctx.Err() != nil {
				return nil // interrupted: a normal way to stop
			}
			for _, refused := range []error{fjord.ErrUnsupportedAssignor, fjord.ErrInconsistentGroupProtocol, fjord.ErrInvalidGroupID, fjord.ErrUnreleasedInstanceID} {
				if errors.Is(pollErr, refused) {
					return fmt.Errorf("cannot join group %q: %w", gf.group, pollErr)
				}
			}
			return fmt.Errorf("group %q: %w", gf.group, pollErr)
		}
	}
	return nil
}

type consumeSpec struct {
	topic     string
	partition int32 // -1: all
	from      startSpec
	max       int // 0: unlimited
	follow    bool
	w         recordWriter
}

func consume(ctx context.Context, cf *clientFlags, cl *fjord.Client, stdout io.Writer, s consumeSpec) error {
	n, err := partitionCount(ctx, cf, cl, s.topic)
	if err != nil {
		return err
	}
	var parts []int32
	if s.partition >= 0 {
		if s.partition >= n {
			return fmt.Errorf("topic %q has no partition %d (it has %d)", s.topic, s.partition, n)
		}
		parts = []int32{s.partition}
	} else {
		for p := int32(0); p < n; p++ {
			parts = append(parts, p)
		}
	}

	admin := fjord.NewAdmin(cl)
	listOffset := func(p int32, o fjord.Offset) (int64, error) {
		rctx, cancel := cf.requestCtx(ctx)
		defer cancel()
		off, err := admin.ListOffset(rctx, s.topic, p, o)
		if err != nil {
			return 0, topicError(s.topic, fmt.Errorf("partition %d: %w", p, err))
		}
		return off, nil
	}

	var consOpts []fjord.ConsumerOpt
	if s.from.kind == fromOffset {
		// An explicit offset outside the log is an error, not a silent jump.
		consOpts = append(consOpts, fjord.ResetOffset(fjord.NoResetOffset()))
	}
	cons, err := fjord.NewConsumer(cl, consOpts...)
	if err != nil {
		return fmt.Errorf("cannot create consumer: %w", err)
	}
	defer cons.Close()

	// ends holds, without --follow, each unfinished partition's stop offset:
	// the high watermark when we started.
	ends := map[int32]int64{}
	for _, p := range parts {
		var startOff int64
		switch s.from.kind {
		case fromOffset:
			startOff = s.from.offset
		default:
			if startOff, err = listOffset(p, s.from.sdkOffset()); err != nil {
				return err
			}
		}
		if !s.follow {
			end, err := listOffset(p, fjord.AtEnd())
			if err != nil {
				return err
			}
			if startOff >= end {
				continue // nothing to read
			}
			ends[p] = end
		}
		cons.Assign(s.topic, p, fjord.AtOffset(startOff))
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	count := 0
	for {
		if (!s.follow && len(ends) == 0) || (s.max > 0 && count >= s.max) {
			return nil
		}
		// Poll may return records together with an error: print them first.
		recs, pollErr := cons.Poll(ctx)
		for _, r := range recs {
			if !s.follow {
				end, ok := ends[r.Partition]
				if !ok || r.Offset >= end {
					continue
				}
				if r.Offset+1 >= end {
					delete(ends, r.Partition)
				}
			}
			if err := s.w.write(out, r); err != nil {
				return err
			}
			if count++; s.max > 0 && count >= s.max {
				break
			}
		}
		if !s.follow {
			for p, end := range ends {
				if pos, ok := cons.Position(s.topic, p); ok && pos >= end {
					delete(ends, p)
				}
			}
		}
		if err := out.Flush(); err != nil {
			return err
		}
		if pollErr != nil {
			if ctx.Err() != nil {
				return nil // interrupted: a normal way to stop
			}
			return topicError(s.topic, pollErr)
		}
	}
}

type fromKind int

const (
	fromEarliest fromKind = iota
	fromLatest
	fromOffset
	fromTime
)

// startSpec is a parsed --from.
type startSpec struct {
	kind   fromKind
	offset int64
	time   time.Time
}

func (s startSpec) sdkOffset() fjord.Offset {
	switch s.kind {
	case fromLatest:
		return fjord.AtEnd()
	case fromOffset:
		return fjord.AtOffset(s.offset)
	case fromTime:
		return fjord.AtTime(s.time)
	}
	return fjord.AtStart()
}

// parseFrom parses --from: earliest, latest, OFFSET, or @TIME where TIME is
// RFC3339, unix milliseconds or a negative duration before now.
func parseFrom(s string, now time.Time) (startSpec, error) {
	switch strings.ToLower(s) {
	case "earliest", "start", "oldest":
		return startSpec{kind: fromEarliest}, nil
	case "latest", "end", "newest":
		return startSpec{kind: fromLatest}, nil
	}
	if ts, ok := strings.CutPrefix(s, "@"); ok {
		if ms, err := strconv.ParseInt(ts, 10, 64); err == nil && ms >= 0 {
			return startSpec{kind: fromTime, time: time.UnixMilli(ms)}, nil
		}
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			return startSpec{kind: fromTime, time: t}, nil
		}
		if d, err := time.ParseDuration(ts); err == nil && d < 0 {
			return startSpec{kind: fromTime, time: now.Add(d)}, nil
		}
		return startSpec{}, fmt.Errorf("invalid --from %q: want @RFC3339 time (2006-01-02T15:04:05Z), @unix-ms or @-DURATION (e.g. @-1h)", s)
	}
	off, err := strconv.ParseInt(s, 10, 64)
	if err != nil || off < 0 {
		return startSpec{}, fmt.Errorf("invalid --from %q: want earliest, latest, an offset or @TIME", s)
	}
	return startSpec{kind: fromOffset, offset: off}, nil
}

// recordWriter prints one record.
type recordWriter interface {
	write(w io.Writer, r *fjord.Record) error
}

// formatPart is a literal or a verb of a compiled --format template.
type formatPart struct {
	lit  string
	verb byte // 0 for a literal
}

type templateWriter []formatPart

// compileFormat parses a --format template once.
func compileFormat(s string) (templateWriter, error) {
	var parts templateWriter
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, formatPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '%':
			if i+1 == len(s) {
				return nil, fmt.Errorf("invalid --format %q: ends with a lone %%", s)
			}
			i++
			switch v := s[i]; v {
			case '%':
				lit.WriteByte('%')
			case 't', 'p', 'o', 'k', 'v', 'h', 'T':
				flush()
				parts = append(parts, formatPart{verb: v})
			default:
				return nil, fmt.Errorf("invalid --format %q: unknown verb %%%c (want %%t %%p %%o %%k %%v %%h %%T or %%%%)", s, v)
			}
		case '\\':
			if i+1 == len(s) {
				lit.WriteByte('\\')
				continue
			}
			i++
			switch e := s[i]; e {
			case 'n':
				lit.WriteByte('\n')
			case 't':
				lit.WriteByte('\t')
			case 'r':
				lit.WriteByte('\r')
			case '\\':
				lit.WriteByte('\\')
			default:
				lit.WriteByte('\\')
				lit.WriteByte(e)
			}
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	return parts, nil
}

func (t templateWriter) write(w io.Writer, r *fjord.Record) error {
	var buf []byte
	for _, p := range t {
		switch p.verb {
		case 0:
			buf = append(buf, p.lit...)
		case 't':
			buf = append(buf, r.Topic...)
		case 'p':
			buf = strconv.AppendInt(buf, int64(r.Partition), 10)
		case 'o':
			buf = strconv.AppendInt(buf, r.Offset, 10)
		case 'k':
			buf = append(buf, r.Key...)
		case 'v':
			buf = append(buf, r.Value...)
		case 'h':
			for i, h := range r.Headers {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, h.Key...)
				buf = append(buf, '=')
				buf = append(buf, h.Value...)
			}
		case 'T':
			buf = strconv.AppendInt(buf, r.Timestamp.UnixMilli(), 10)
		}
	}
	_, err := w.Write(buf)
	return err
}

// jsonWriter prints one JSON object per line.
type jsonWriter struct {
	// rawValue says values are JSON text (decoded Avro), printed as JSON
	// values rather than strings.
	rawValue bool
}

type jsonHeader struct {
	Key           string  `json:"key"`
	Value         *string `json:"value"`
	ValueEncoding string  `json:"value_encoding,omitempty"`
}

type jsonRecord struct {
	Topic         string       `json:"topic"`
	Partition     int32        `json:"partition"`
	Offset        int64        `json:"offset"`
	Timestamp     int64        `json:"timestamp"`
	Key           *string      `json:"key"`
	KeyEncoding   string       `json:"key_encoding,omitempty"`
	Value         any          `json:"value"` // *string, or json.RawMessage for decoded values
	ValueEncoding string       `json:"value_encoding,omitempty"`
	Headers       []jsonHeader `json:"headers"`
}

// jsonBytes renders b as a JSON string: itself if UTF-8, else base64.
func jsonBytes(b []byte) (s *string, encoding string) {
	if b == nil {
		return nil, ""
	}
	if utf8.Valid(b) {
		v := string(b)
		return &v, ""
	}
	v := base64.StdEncoding.EncodeToString(b)
	return &v, "base64"
}

func (jw jsonWriter) write(w io.Writer, r *fjord.Record) error {
	jr := jsonRecord{
		Topic:     r.Topic,
		Partition: r.Partition,
		Offset:    r.Offset,
		Timestamp: r.Timestamp.UnixMilli(),
		Headers:   make([]jsonHeader, 0, len(r.Headers)),
	}
	jr.Key, jr.KeyEncoding = jsonBytes(r.Key)
	if jw.rawValue && r.Value != nil {
		jr.Value = json.RawMessage(r.Value)
	} else {
		v, enc := jsonBytes(r.Value)
		jr.Value, jr.ValueEncoding = v, enc
	}
	for _, h := range r.Headers {
		v := h.Value
		if v == nil {
			v = []byte{}
		}
		jh := jsonHeader{Key: h.Key}
		jh.Value, jh.ValueEncoding = jsonBytes(v)
		jr.Headers = append(jr.Headers, jh)
	}
	b, err := json.Marshal(jr)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
