// Command gotool is the Go SDK's side of the cross-SDK interop test
// (internal/interop): the same commands every SDK's `clients/<lang>/interop`
// wrapper implements (see clients/README.md), written with the Go SDK's
// public API only.
package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
)

type header struct {
	Key      string `json:"key"`
	ValueB64 string `json:"value_b64"`
}

type record struct {
	Partition   int32    `json:"partition"`
	KeyB64      *string  `json:"key_b64"`
	ValueB64    *string  `json:"value_b64"`
	Headers     []header `json:"headers"`
	TimestampMS int64    `json:"timestamp_ms"`
	Offset      *int64   `json:"offset,omitempty"`
}

type recordsFile struct {
	Records []record `json:"records"`
}

type ack struct {
	Partition int32 `json:"partition"`
	Offset    int64 `json:"offset"`
}

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: gotool produce|consume|avro-encode|avro-decode [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	bootstrap := fs.String("bootstrap", "", "broker HOST:PORT")
	topic := fs.String("topic", "", "topic")
	input := fs.String("input", "", "input file")
	output := fs.String("output", "", "output file")
	compression := fs.String("compression", "none", "none, gzip, snappy, lz4 or zstd")
	count := fs.Int("count", 0, "records to consume")
	timeoutMS := fs.Int("timeout-ms", 20000, "give up after this long")
	fs.String("registry", "", "registry URL (unused: the Go SDK reaches the registry over gRPC on --bootstrap)")
	subject := fs.String("subject", "", "subject")
	schema := fs.String("schema", "", "schema file")
	value := fs.String("json", "", "value file (JSON)")
	if err := fs.Parse(os.Args[2:]); err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*timeoutMS)*time.Millisecond)
	defer cancel()
	c, err := fjord.NewClient(ctx, fjord.SeedBrokers(*bootstrap), fjord.ClientID("interop-go"))
	if err != nil {
		fail(err)
	}
	defer c.Close()
	switch os.Args[1] {
	case "produce":
		err = produce(ctx, c, *topic, *input, *output, *compression)
	case "consume":
		err = consume(ctx, c, *topic, *count, *output)
	case "avro-encode":
		err = avroEncode(ctx, c, *subject, *schema, *value, *output)
	case "avro-decode":
		err = avroDecode(ctx, c, *input, *output)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gotool:", err)
	os.Exit(1)
}

func decodeB64(s *string) ([]byte, error) {
	if s == nil {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if b == nil && err == nil {
		b = []byte{}
	}
	return b, err
}

func encodeB64(b []byte) *string {
	if b == nil {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}

func produce(ctx context.Context, c *fjord.Client, topic, input, output, compression string) error {
	raw, err := os.ReadFile(input)
	if err != nil {
		return err
	}
	var in recordsFile
	if err := json.Unmarshal(raw, &in); err != nil {
		return err
	}
	codec, ok := map[string]fjordv1.Compression{"none": fjordv1.Compression_COMPRESSION_NONE,
		"gzip": fjordv1.Compression_COMPRESSION_GZIP, "snappy": fjordv1.Compression_COMPRESSION_SNAPPY,
		"lz4": fjordv1.Compression_COMPRESSION_LZ4, "zstd": fjordv1.Compression_COMPRESSION_ZSTD}[compression]
	if !ok {
		return fmt.Errorf("unknown compression %q", compression)
	}
	p, err := fjord.NewProducer(c, fjord.WithPartitioner(fjord.ManualPartitioner()), fjord.Idempotence(true),
		fjord.Acks(fjordv1.Acks_ACKS_ALL), fjord.Compression(codec))
	if err != nil {
		return err
	}
	defer p.Close()
	recs := make([]*fjord.Record, len(in.Records))
	for i, r := range in.Records {
		key, err := decodeB64(r.KeyB64)
		if err != nil {
			return err
		}
		val, err := decodeB64(r.ValueB64)
		if err != nil {
			return err
		}
		rec := &fjord.Record{Topic: topic, Partition: r.Partition, Key: key, Value: val, Timestamp: time.UnixMilli(r.TimestampMS)}
		for _, h := range r.Headers {
			v, err := decodeB64(&h.ValueB64)
			if err != nil {
				return err
			}
			rec.Headers = append(rec.Headers, fjord.Header{Key: h.Key, Value: v})
		}
		recs[i] = rec
	}
	if err := p.ProduceSync(ctx, recs...); err != nil {
		return err
	}
	acks := struct {
		Acks []ack `json:"acks"`
	}{Acks: []ack{}}
	for _, r := range recs {
		acks.Acks = append(acks.Acks, ack{Partition: r.Partition, Offset: r.Offset})
	}
	return writeJSON(output, acks)
}

func consume(ctx context.Context, c *fjord.Client, topic string, count int, output string) error {
	md, err := c.Metadata(ctx, topic)
	if err != nil {
		return err
	}
	if len(md.GetTopics()) != 1 {
		return fmt.Errorf("topic %q not in metadata", topic)
	}
	cons, err := fjord.NewConsumer(c)
	if err != nil {
		return err
	}
	defer cons.Close()
	for _, p := range md.GetTopics()[0].GetPartitions() {
		cons.Assign(topic, p.GetPartition(), fjord.AtStart())
	}
	out := recordsFile{Records: []record{}}
	for len(out.Records) < count {
		recs, err := cons.Poll(ctx)
		if err != nil {
			return fmt.Errorf("after %d of %d records: %w", len(out.Records), count, err)
		}
		for _, r := range recs {
			off := r.Offset
			rec := record{Partition: r.Partition, KeyB64: encodeB64(r.Key), ValueB64: encodeB64(r.Value),
				Headers: []header{}, TimestampMS: r.Timestamp.UnixMilli(), Offset: &off}
			for _, h := range r.Headers {
				rec.Headers = append(rec.Headers, header{Key: h.Key, ValueB64: *encodeB64(append([]byte{}, h.Value...))})
			}
			out.Records = append(out.Records, rec)
		}
	}
	sort.SliceStable(out.Records, func(i, j int) bool {
		a, b := out.Records[i], out.Records[j]
		return a.Partition < b.Partition || a.Partition == b.Partition && *a.Offset < *b.Offset
	})
	return writeJSON(output, out)
}

func avroEncode(ctx context.Context, c *fjord.Client, subject, schemaFile, valueFile, output string) error {
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		return err
	}
	val, err := os.ReadFile(valueFile)
	if err != nil {
		return err
	}
	ser, err := avro.NewSerializer(fjord.NewSchemaRegistry(c), avro.WithSchema(string(schema)), avro.AutoRegister(true),
		avro.SubjectStrategy(func(string, bool, string) (string, error) { return subject, nil }))
	if err != nil {
		return err
	}
	b, err := ser.EncodeJSON(ctx, "interop", val)
	if err != nil {
		return err
	}
	return os.WriteFile(output, []byte(hex.EncodeToString(b)), 0o644)
}

func avroDecode(ctx context.Context, c *fjord.Client, input, output string) error {
	raw, err := os.ReadFile(input)
	if err != nil {
		return err
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return err
	}
	de, err := avro.NewDeserializer(fjord.NewSchemaRegistry(c))
	if err != nil {
		return err
	}
	js, err := de.DecodeJSON(ctx, b)
	if err != nil {
		return err
	}
	return os.WriteFile(output, js, 0o644)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
