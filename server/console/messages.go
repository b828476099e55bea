package console

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// maxBrowse caps the records one page shows.
const maxBrowse = 500

// browseWait bounds how long the browser waits for records that the high
// watermark says exist.
const browseWait = 5 * time.Second

// shownRecord is a record as the browser shows it.
type shownRecord struct {
	Partition int32
	Offset    int64
	Timestamp time.Time
	Key       shownBytes
	Value     shownBytes
	Headers   []shownHeader
}

type shownHeader struct {
	Key   string
	Value shownBytes
}

// shownBytes is bytes decoded for reading: Kind is "null", "avro" (Text is
// JSON, Schema the id), "text" (UTF-8) or "hex".
type shownBytes struct {
	Kind   string
	Text   string
	Schema int
	Note   string
}

// browseQuery is the message browser's form.
type browseQuery struct {
	Partition int32
	Offset    string
	Timestamp string
	Limit     int
}

// forwarded are the calls the browser sends to the broker leading a
// partition. Their authorization rules look at the request only, so this
// broker checks them for the principal before sending them on its own
// inter-broker connection (where it is a super user). Every other call
// (metadata) is answered by this broker.
var forwarded = map[string]bool{
	fjordv1.FetchService_Fetch_FullMethodName:       true,
	fjordv1.FetchService_ListOffsets_FullMethodName: true,
}

// sdkClient returns a Go SDK client acting for the request's principal:
// this broker is reached in process; reads of partitions led by other
// brokers are authorized here and sent over the broker's own connections
// to them (Options.Peer), which carry its TLS certificate or token.
func (c *Console) sdkClient(ctx context.Context, p auth.Principal) (*fjord.Client, error) {
	self := c.opts.SelfAddr
	local := func(ctx context.Context) context.Context { return auth.NewContext(ctx, p) }
	return fjord.NewClient(ctx,
		fjord.SeedBrokers(self),
		fjord.ClientID("fjord-console"),
		fjord.RequestTimeout(browseWait),
		fjord.FetchMaxWait(100*time.Millisecond),
		fjord.ResetOffset(fjord.NoResetOffset()),
		fjord.DialOptions(
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithLocalDNSResolution(),
			// The SDK's connections to other brokers are never used: the
			// interceptors below send their calls elsewhere.
			grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
				if addr == self {
					return c.opts.Dial(ctx)
				}
				return nil, fmt.Errorf("console: broker %s is reached through the broker's peer connection", addr)
			}),
			grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
				switch {
				case cc.Target() == self, !forwarded[method]:
					return c.opts.Conn.Invoke(local(ctx), method, req, reply, opts...)
				}
				if err := c.opts.Authorize(ctx, p, method, req); err != nil {
					return err
				}
				peer, err := c.opts.Peer(cc.Target())
				if err != nil {
					return err
				}
				return peer.Invoke(ctx, method, req, reply, opts...)
			}),
			grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
				return c.opts.Conn.NewStream(local(ctx), desc, method, opts...)
			}),
		),
	)
}

func (c *Console) messages(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	d, err := c.describeTopic(r, name)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	bq := browseQuery{Offset: strings.TrimSpace(q.Get("offset")), Timestamp: strings.TrimSpace(q.Get("timestamp")), Limit: 50}
	data := map[string]any{"Topic": d, "Query": &bq}
	render := func(err error) {
		p := page{Title: "Messages of " + name, Nav: "topics", Data: data}
		if err != nil {
			p.Error = errMessage(err)
			p.Status = httpStatus(status.Code(err))
		}
		c.render(w, r, "messages", p)
	}
	if v := q.Get("partition"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 || int(n) >= len(d.GetPartitions()) {
			render(status.Errorf(codes.InvalidArgument, "partition %q is not one of the topic's %d partitions", v, len(d.GetPartitions())))
			return
		}
		bq.Partition = int32(n)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBrowse {
			render(status.Errorf(codes.InvalidArgument, "limit %q is not a number from 1 to %d", v, maxBrowse))
			return
		}
		bq.Limit = n
	}
	var pd *fjordv1.PartitionDescription
	for _, p := range d.GetPartitions() {
		if p.GetPartition() == bq.Partition {
			pd = p
		}
	}
	if pd == nil {
		render(status.Errorf(codes.NotFound, "topic %s has no partition %d", name, bq.Partition))
		return
	}
	data["Partition"] = pd
	// Where to start: an offset, a time, or the last Limit records.
	var start int64
	var at *time.Time
	switch {
	case bq.Offset != "":
		n, err := strconv.ParseInt(bq.Offset, 10, 64)
		if err != nil || n < 0 {
			render(status.Errorf(codes.InvalidArgument, "offset %q is not a non-negative integer", bq.Offset))
			return
		}
		start = max(n, pd.GetLogStartOffset())
	case bq.Timestamp != "":
		t, err := parseTime(bq.Timestamp)
		if err != nil {
			render(err)
			return
		}
		at = &t
	default:
		start = max(pd.GetHighWatermark()-int64(bq.Limit), pd.GetLogStartOffset())
	}
	recs, err := c.browse(r, name, bq.Partition, start, at, bq.Limit, pd.GetHighWatermark())
	data["Records"] = recs
	render(err)
}

// parseTime reads RFC 3339 (or its form without a zone, taken as UTC) or
// Unix milliseconds.
func parseTime(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, status.Errorf(codes.InvalidArgument, "timestamp %q is neither RFC 3339 (2006-01-02T15:04:05Z) nor Unix milliseconds", s)
}

// browse reads up to limit records of one partition from offset start (or
// from the first record at or after time at, if set), stopping at the high
// watermark hw the page was described with.
func (c *Console) browse(r *http.Request, topic string, partition int32, start int64, at *time.Time, limit int, hw int64) ([]shownRecord, error) {
	ctx, cancel := context.WithTimeout(r.Context(), browseWait)
	defer cancel()
	cl, err := c.sdkClient(ctx, auth.FromContext(r.Context()))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	if at != nil {
		if start, err = fjord.NewAdmin(cl).ListOffset(ctx, topic, partition, fjord.AtTime(*at)); err != nil {
			return nil, err
		}
	}
	if start >= hw {
		return nil, nil // nothing there yet: do not wait for it
	}
	cons, err := fjord.NewConsumer(cl)
	if err != nil {
		return nil, err
	}
	defer cons.Close()
	cons.Assign(topic, partition, fjord.AtOffset(start))
	deser, err := avro.NewDeserializer(&localRegistry{c: c.registry})
	if err != nil {
		return nil, err
	}
	var out []shownRecord
	for len(out) < limit {
		if pos, ok := cons.Position(topic, partition); ok && pos >= hw {
			break
		}
		recs, err := cons.Poll(ctx)
		if err != nil {
			return out, err
		}
		for _, rec := range recs {
			if len(out) == limit {
				break
			}
			sr := shownRecord{Partition: rec.Partition, Offset: rec.Offset, Timestamp: rec.Timestamp,
				Key: show(ctx, deser, rec.Key), Value: show(ctx, deser, rec.Value)}
			for _, h := range rec.Headers {
				sr.Headers = append(sr.Headers, shownHeader{Key: h.Key, Value: show(ctx, nil, h.Value)})
			}
			out = append(out, sr)
		}
	}
	return out, nil
}

// show decodes b for reading: Avro in the registry's wire format (when
// deser is set and the id is registered), else UTF-8 text, else hex.
func show(ctx context.Context, deser *avro.Deserializer, b []byte) shownBytes {
	if b == nil {
		return shownBytes{Kind: "null"}
	}
	var note string
	if deser != nil && len(b) >= 5 && b[0] == 0 {
		if id, _, err := avro.ParseHeader(b); err == nil {
			js, err := deser.DecodeJSON(ctx, b)
			if err == nil {
				var pretty bytes.Buffer
				if json.Indent(&pretty, js, "", "  ") == nil {
					js = pretty.Bytes()
				}
				return shownBytes{Kind: "avro", Text: string(js), Schema: id}
			}
			note = "not decoded as Avro: " + err.Error()
		}
	}
	if utf8.Valid(b) && printable(b) {
		return shownBytes{Kind: "text", Text: string(b), Note: note}
	}
	return shownBytes{Kind: "hex", Text: hex.EncodeToString(b), Note: note}
}

func printable(b []byte) bool {
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// localRegistry is what the Avro deserializer needs of the registry, over
// the in-process connection (so the registry's ACLs apply).
type localRegistry struct {
	c fjordv1.SchemaRegistryServiceClient
}

var _ avro.Registry = (*localRegistry)(nil)

func fromProto(p *fjordv1.Schema) fjord.Schema {
	s := fjord.Schema{Subject: p.GetSubject(), Version: int(p.GetVersion()), ID: int(p.GetId()), Type: p.GetSchemaType(), Schema: p.GetSchema(), Deleted: p.GetDeleted()}
	for _, ref := range p.GetReferences() {
		s.References = append(s.References, fjord.SchemaReference{Name: ref.GetName(), Subject: ref.GetSubject(), Version: int(ref.GetVersion())})
	}
	return s
}

func (l *localRegistry) Register(context.Context, string, fjord.Schema) (fjord.Schema, error) {
	return fjord.Schema{}, status.Error(codes.Unimplemented, "console: the browser does not register schemas")
}

func (l *localRegistry) Lookup(context.Context, string, fjord.Schema) (fjord.Schema, error) {
	return fjord.Schema{}, status.Error(codes.Unimplemented, "console: the browser does not look schemas up")
}

func (l *localRegistry) SchemaByID(ctx context.Context, id int) (fjord.Schema, error) {
	resp, err := l.c.GetSchemaByID(ctx, &fjordv1.GetSchemaByIDRequest{Id: int32(id)})
	if err != nil {
		return fjord.Schema{}, err
	}
	return fromProto(resp.GetSchema()), nil
}

func (l *localRegistry) Latest(ctx context.Context, subject string) (fjord.Schema, error) {
	return l.Version(ctx, subject, -1, false)
}

func (l *localRegistry) Version(ctx context.Context, subject string, v int, deleted bool) (fjord.Schema, error) {
	resp, err := l.c.GetVersion(ctx, &fjordv1.GetVersionRequest{Subject: subject, Version: int32(v), Deleted: deleted})
	if err != nil {
		return fjord.Schema{}, err
	}
	return fromProto(resp.GetSchema()), nil
}
