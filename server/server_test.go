package server

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// testBroker is a real broker on a loopback port with a temp data dir.
type testBroker struct {
	t    testing.TB
	srv  *Server
	conn *grpc.ClientConn
	dir  string

	admin   fjordv1.AdminServiceClient
	produce fjordv1.ProduceServiceClient
	fetch   fjordv1.FetchServiceClient
	meta    fjordv1.MetadataServiceClient
}

func startBroker(t testing.TB, dir string, mutate ...func(*Options)) *testBroker {
	t.Helper()
	tb, err := tryStartBroker(t, dir, mutate...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tb
}

// tryStartBroker is startBroker returning New's error.
func tryStartBroker(t testing.TB, dir string, mutate ...func(*Options)) (*testBroker, error) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	opts := Options{DataDir: dir, ListenAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", ShutdownTimeout: 5 * time.Second}
	for _, m := range mutate {
		m(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		return nil, err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	conn, err := grpc.NewClient(srv.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	tb := &testBroker{t: t, srv: srv, conn: conn, dir: dir,
		admin: fjordv1.NewAdminServiceClient(conn), produce: fjordv1.NewProduceServiceClient(conn),
		fetch: fjordv1.NewFetchServiceClient(conn), meta: fjordv1.NewMetadataServiceClient(conn)}
	t.Cleanup(func() {
		conn.Close()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return tb, nil
}

func (tb *testBroker) stop() {
	tb.t.Helper()
	tb.conn.Close()
	if err := tb.srv.Shutdown(context.Background()); err != nil {
		tb.t.Fatalf("Shutdown: %v", err)
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (tb *testBroker) createTopic(name string, partitions int32, configs map[string]string) {
	tb.t.Helper()
	resp, err := tb.admin.CreateTopics(ctx(tb.t), &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: name, Partitions: partitions, Configs: configs}}})
	if err != nil {
		tb.t.Fatalf("CreateTopics: %v", err)
	}
	if e := resp.GetResults()[0].GetError(); e != nil {
		tb.t.Fatalf("CreateTopics %s: %v", name, e)
	}
}

// batch builds a producer batch the way a plain protobuf client would:
// embedded records, no crc, no counts, no timestamps.
func batch(values ...string) *fjordv1.RecordBatch {
	recs := &fjordv1.Records{}
	for i, v := range values {
		recs.Records = append(recs.Records, &fjordv1.Record{OffsetDelta: int32(i), Key: []byte("k" + v), Value: []byte(v),
			Headers: []*fjordv1.RecordHeader{{Key: "h", Value: []byte("1")}, {Key: "h", Value: []byte("2")}}})
	}
	return &fjordv1.RecordBatch{Payload: &fjordv1.RecordBatch_Records{Records: recs}}
}

func (tb *testBroker) produceOne(topic string, partition int32, acks fjordv1.Acks, b *fjordv1.RecordBatch) *fjordv1.ProducePartitionResponse {
	tb.t.Helper()
	resp, err := tb.produce.Produce(ctx(tb.t), &fjordv1.ProduceRequest{Acks: acks, Topics: []*fjordv1.ProduceTopicData{{
		Topic: topic, Partitions: []*fjordv1.ProducePartitionData{{Partition: partition, Batches: []*fjordv1.RecordBatch{b}}}}}})
	if err != nil {
		tb.t.Fatalf("Produce: %v", err)
	}
	return resp.GetTopics()[0].GetPartitions()[0]
}

func (tb *testBroker) fetchOne(req *fjordv1.FetchRequest) *fjordv1.FetchPartitionResponse {
	tb.t.Helper()
	resp, err := tb.fetch.Fetch(ctx(tb.t), req)
	if err != nil {
		tb.t.Fatalf("Fetch: %v", err)
	}
	return resp.GetTopics()[0].GetPartitions()[0]
}

func fetchReq(topic string, partition int32, offset int64) *fjordv1.FetchRequest {
	return &fjordv1.FetchRequest{Topics: []*fjordv1.FetchTopic{{Topic: topic, Partitions: []*fjordv1.FetchPartition{{Partition: partition, Offset: offset}}}}}
}

// values flattens fetched batches into "offset:value" strings from offset from.
func values(t *testing.T, batches []*fjordv1.RecordBatch, from int64) []string {
	t.Helper()
	var out []string
	for _, b := range batches {
		for _, r := range b.GetRecords().GetRecords() {
			off := b.GetBaseOffset() + int64(r.GetOffsetDelta())
			if off < from {
				continue
			}
			out = append(out, string(r.GetValue()))
		}
	}
	return out
}

func TestProduceFetchRoundTrip(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("orders", 3, nil)
	r1 := tb.produceOne("orders", 1, fjordv1.Acks_ACKS_ALL, batch("a", "b", "c"))
	if r1.GetError() != nil || r1.GetBaseOffset() != 0 || r1.GetLastOffset() != 2 {
		t.Fatalf("first produce: %v", r1)
	}
	r2 := tb.produceOne("orders", 1, fjordv1.Acks_ACKS_LEADER, batch("d"))
	if r2.GetError() != nil || r2.GetBaseOffset() != 3 {
		t.Fatalf("second produce: %v", r2)
	}
	// acks=leader returns before the group-commit fsync; wait for the high
	// watermark with a long poll rather than a sleep.
	req := fetchReq("orders", 1, 1)
	req.MinBytes, req.MaxWaitMs = 1, 10000
	pr := tb.fetchOne(req)
	if pr.GetError() != nil {
		t.Fatalf("fetch: %v", pr.GetError())
	}
	got := values(t, pr.GetBatches(), 1)
	if len(got) < 2 || got[0] != "b" || got[1] != "c" {
		t.Fatalf("fetched %v, want [b c ...]", got)
	}
	b0 := pr.GetBatches()[0]
	if b0.GetRecordCount() != 3 || b0.GetLastOffsetDelta() != 2 || b0.Crc == nil || b0.GetMaxTimestamp() == 0 {
		t.Errorf("stored header not filled in: %v", b0)
	}
	rec := b0.GetRecords().GetRecords()[0]
	if string(rec.GetKey()) != "ka" || len(rec.GetHeaders()) != 2 || string(rec.GetHeaders()[1].GetValue()) != "2" {
		t.Errorf("record lost key or ordered headers: %v", rec)
	}
	if pr.GetHighWatermark() < 3 || pr.GetLogEndOffset() != 4 {
		t.Errorf("hw %d leo %d", pr.GetHighWatermark(), pr.GetLogEndOffset())
	}
}

func errorReason(t *testing.T, err error) (codes.Code, string, map[string]string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a status: %v", err)
	}
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return st.Code(), ei.GetReason(), ei.GetMetadata()
		}
	}
	return st.Code(), "", nil
}

func TestPerPartitionErrors(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, map[string]string{"max.message.bytes": "2048"})
	cases := []struct {
		name      string
		topic     string
		partition int32
		batch     *fjordv1.RecordBatch
		reason    string
	}{
		{"unknown topic", "nope", 0, batch("x"), "UNKNOWN_TOPIC_OR_PARTITION"},
		{"unknown partition", "t", 7, batch("x"), "UNKNOWN_TOPIC_OR_PARTITION"},
		{"too large", "t", 0, batch(string(make([]byte, 4096))), "MESSAGE_TOO_LARGE"},
		{"bad offset delta", "t", 0, &fjordv1.RecordBatch{Payload: &fjordv1.RecordBatch_Records{Records: &fjordv1.Records{Records: []*fjordv1.Record{{Value: []byte("a")}, {Value: []byte("b")}}}}}, "INVALID_RECORD"},
		{"bad crc", "t", 0, func() *fjordv1.RecordBatch { b := batch("x"); c := uint32(1); b.Crc = &c; return b }(), "INVALID_RECORD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr := tb.produceOne(c.topic, c.partition, fjordv1.Acks_ACKS_ALL, c.batch)
			if pr.GetError().GetReason() != c.reason {
				t.Fatalf("error %v, want reason %s", pr.GetError(), c.reason)
			}
			if pr.GetError().GetMessage() == "" || pr.GetError().GetMetadata()["topic"] != c.topic {
				t.Errorf("error lacks message or topic metadata: %v", pr.GetError())
			}
		})
	}
	// Nothing above reached the log.
	resp, err := tb.fetch.ListOffsets(ctx(t), &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{Topic: "t",
		Partitions: []*fjordv1.ListOffsetsPartition{{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST}}}}})
	if err != nil || resp.GetTopics()[0].GetPartitions()[0].GetOffset() != 0 {
		t.Fatalf("latest offset after rejected produces: %v %v", resp, err)
	}
}

func TestFetchErrors(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("a"))
	pr := tb.fetchOne(fetchReq("t", 0, 5))
	if pr.GetError().GetReason() != "OFFSET_OUT_OF_RANGE" || pr.GetError().GetMetadata()["log_end_offset"] != "1" {
		t.Fatalf("fetch past end: %v", pr.GetError())
	}
	pr = tb.fetchOne(fetchReq("t", 0, 1))
	if pr.GetError() != nil || len(pr.GetBatches()) != 0 {
		t.Fatalf("fetch at end: %v", pr)
	}
	pr = tb.fetchOne(fetchReq("missing", 0, 0))
	if pr.GetError().GetReason() != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Fatalf("fetch missing topic: %v", pr.GetError())
	}
	req := fetchReq("t", 0, 0)
	req.Topics[0].Partitions[0].CurrentLeaderEpoch = proto.Int32(9)
	if pr := tb.fetchOne(req); pr.GetError().GetReason() != "UNKNOWN_LEADER_EPOCH" {
		t.Fatalf("future epoch: %v", pr.GetError())
	}
	// Epoch 0 is a real epoch (the first): a client that sends it is
	// checked, not skipped; anything older (here -1) is fenced.
	req.Topics[0].Partitions[0].CurrentLeaderEpoch = proto.Int32(-1)
	if pr := tb.fetchOne(req); pr.GetError().GetReason() != "FENCED_LEADER_EPOCH" {
		t.Fatalf("stale epoch: %v", pr.GetError())
	}
	req.Topics[0].Partitions[0].CurrentLeaderEpoch = proto.Int32(0)
	if pr := tb.fetchOne(req); pr.GetError() != nil {
		t.Fatalf("current epoch 0: %v", pr.GetError())
	}
	lo, err := tb.fetch.ListOffsets(ctx(t), &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{Topic: "t",
		Partitions: []*fjordv1.ListOffsetsPartition{{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST, CurrentLeaderEpoch: proto.Int32(3)}}}}})
	if err != nil || lo.GetTopics()[0].GetPartitions()[0].GetError().GetReason() != "UNKNOWN_LEADER_EPOCH" {
		t.Fatalf("list offsets with a future epoch: %v %v", lo, err)
	}
	_, err = tb.fetch.Fetch(ctx(t), &fjordv1.FetchRequest{MaxWaitMs: -1, Topics: req.Topics})
	if code, reason, _ := errorReason(t, err); code != codes.InvalidArgument || reason != "INVALID_REQUEST" {
		t.Fatalf("negative wait: %v", err)
	}
}

func TestLongPollWakesOnAppend(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	done := make(chan *fjordv1.FetchPartitionResponse, 1)
	go func() {
		req := fetchReq("t", 0, 0)
		req.MaxWaitMs, req.MinBytes = 60000, 1
		resp, err := tb.fetch.Fetch(context.Background(), req)
		if err != nil {
			t.Error(err)
			done <- nil
			return
		}
		done <- resp.GetTopics()[0].GetPartitions()[0]
	}()
	tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("wake"))
	pr := <-done
	if got := values(t, pr.GetBatches(), 0); len(got) != 1 || got[0] != "wake" {
		t.Fatalf("long poll returned %v", got)
	}
	// An empty long poll ends at its deadline with no error.
	req := fetchReq("t", 0, 1)
	req.MaxWaitMs = 20
	if pr := tb.fetchOne(req); pr.GetError() != nil || len(pr.GetBatches()) != 0 {
		t.Fatalf("empty long poll: %v", pr)
	}
}

func TestProduceStreamOrderedAcks(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 2, nil)
	stream, err := tb.produce.ProduceStream(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	go func() {
		for i := 0; i < n; i++ {
			acks := fjordv1.Acks_ACKS_ALL
			if i%2 == 1 {
				acks = fjordv1.Acks_ACKS_LEADER
			}
			err := stream.Send(&fjordv1.ProduceStreamRequest{CorrelationId: uint64(i), Acks: acks, Topics: []*fjordv1.ProduceTopicData{{
				Topic: "t", Partitions: []*fjordv1.ProducePartitionData{{Partition: int32(i % 2), Batches: []*fjordv1.RecordBatch{batch("v")}}}}}})
			if err != nil {
				t.Error(err)
				return
			}
		}
		stream.CloseSend()
	}()
	next := [2]int64{}
	for i := 0; i < n; i++ {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("recv %d: %v", i, err)
		}
		if resp.GetCorrelationId() != uint64(i) {
			t.Fatalf("response %d has correlation id %d", i, resp.GetCorrelationId())
		}
		pr := resp.GetTopics()[0].GetPartitions()[0]
		if pr.GetError() != nil || pr.GetBaseOffset() != next[i%2] {
			t.Fatalf("response %d: %v, want base offset %d", i, pr, next[i%2])
		}
		next[i%2]++
	}
}

func TestSubscribeFlowControl(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	for i := 0; i < 3; i++ {
		tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("a", "b"))
	}
	stream, err := tb.fetch.Subscribe(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	// One record of credit: exactly one batch (2 records, overdrawing by one).
	if err := stream.Send(&fjordv1.SubscribeRequest{Kind: &fjordv1.SubscribeRequest_Start{Start: &fjordv1.SubscribeStart{
		Topic: "t", Spec: fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST, Credit: &fjordv1.FlowControl{Bytes: 1 << 20, Records: 1}}}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetBatches()) != 1 || resp.GetNextOffset() != 2 {
		t.Fatalf("first message: %d batches, next %d", len(resp.GetBatches()), resp.GetNextOffset())
	}
	// More credit releases the rest, then a new append is pushed.
	if err := stream.Send(&fjordv1.SubscribeRequest{Kind: &fjordv1.SubscribeRequest_Credit{Credit: &fjordv1.FlowControl{Bytes: 1 << 20, Records: 100}}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 5 {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, values(t, resp.GetBatches(), 0)...)
		if len(got) == 4 {
			tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("pushed"))
		}
	}
	if got[4] != "pushed" {
		t.Fatalf("subscription delivered %v", got)
	}
	stream.CloseSend()
}

func TestAdminTopicsAndConfigs(t *testing.T) {
	tb := startBroker(t, "")
	c := ctx(t)
	resp, err := tb.admin.CreateTopics(c, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{
		{Name: "ok", Partitions: 2, Configs: map[string]string{"retention.ms": "60000", "cleanup.policy": "compact"}},
		{Name: "bad name!"},
		{Name: "badcfg", Configs: map[string]string{"retention.ms": "soon"}},
		{Name: "unknowncfg", Configs: map[string]string{"retention.hours": "1"}},
		{Name: "__internal"},
		{Name: "rf", ReplicationFactor: 3},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "INVALID_TOPIC", "INVALID_CONFIG", "INVALID_CONFIG", "INVALID_TOPIC", "INVALID_REPLICATION_FACTOR"}
	for i, r := range resp.GetResults() {
		if r.GetError().GetReason() != want[i] {
			t.Errorf("create %s: %v, want %q", r.GetName(), r.GetError(), want[i])
		}
	}
	again, _ := tb.admin.CreateTopics(c, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: "ok"}}})
	if again.GetResults()[0].GetError().GetReason() != "TOPIC_ALREADY_EXISTS" {
		t.Errorf("create twice: %v", again.GetResults()[0].GetError())
	}
	list, _ := tb.admin.ListTopics(c, &fjordv1.ListTopicsRequest{})
	if len(list.GetTopics()) != 1 || list.GetTopics()[0].GetPartitions() != 2 {
		t.Fatalf("list: %v", list)
	}
	alter := func(ops ...*fjordv1.AlterConfigOp) *fjordv1.Error {
		r, err := tb.admin.AlterConfigs(c, &fjordv1.AlterConfigsRequest{Resources: []*fjordv1.AlterConfigsResource{{
			Resource: &fjordv1.ConfigResource{Type: fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC, Name: "ok"}, Ops: ops}}})
		if err != nil {
			t.Fatal(err)
		}
		return r.GetResults()[0].GetError()
	}
	if e := alter(&fjordv1.AlterConfigOp{Name: "min.insync.replicas", Value: "2"}); e.GetReason() != "INVALID_CONFIG" {
		t.Errorf("min.insync above rf: %v", e)
	}
	if e := alter(&fjordv1.AlterConfigOp{Name: "retention.ms", Op: fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_DELETE},
		&fjordv1.AlterConfigOp{Name: "message.timestamp.type", Value: "logappendtime"}); e != nil {
		t.Fatalf("alter: %v", e)
	}
	desc, _ := tb.admin.DescribeTopics(c, &fjordv1.DescribeTopicsRequest{Names: []string{"ok", "missing"}})
	cfg := map[string]*fjordv1.ConfigEntry{}
	for _, e := range desc.GetTopics()[0].GetConfigs() {
		cfg[e.GetName()] = e
	}
	if cfg["retention.ms"].GetSource() != fjordv1.ConfigSource_CONFIG_SOURCE_DEFAULT || cfg["message.timestamp.type"].GetValue() != "LogAppendTime" ||
		cfg["cleanup.policy"].GetValue() != "compact" {
		t.Errorf("configs after alter: %v", desc.GetTopics()[0].GetConfigs())
	}
	if desc.GetTopics()[1].GetError().GetReason() != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Errorf("describe missing: %v", desc.GetTopics()[1])
	}
	// LogAppendTime now applies to appends.
	pr := tb.produceOne("ok", 0, fjordv1.Acks_ACKS_ALL, batch("x"))
	if pr.GetLogAppendTime() == 0 {
		t.Errorf("log append time not reported: %v", pr)
	}
	cp, _ := tb.admin.CreatePartitions(c, &fjordv1.CreatePartitionsRequest{Topics: []*fjordv1.PartitionIncrease{{Topic: "ok", TotalCount: 5}, {Topic: "ok", TotalCount: 1}}})
	if cp.GetResults()[0].GetError() != nil || cp.GetResults()[0].GetPartitions() != 5 || cp.GetResults()[1].GetError().GetReason() != "INVALID_PARTITIONS" {
		t.Fatalf("create partitions: %v", cp)
	}
	if pr := tb.produceOne("ok", 4, fjordv1.Acks_ACKS_ALL, batch("new")); pr.GetError() != nil {
		t.Fatalf("produce to added partition: %v", pr.GetError())
	}
	del, _ := tb.admin.DeleteTopics(c, &fjordv1.DeleteTopicsRequest{Names: []string{"ok", "ok"}})
	if del.GetResults()[0].GetError() != nil || del.GetResults()[1].GetError().GetReason() != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Fatalf("delete: %v", del)
	}
	if pr := tb.produceOne("ok", 0, fjordv1.Acks_ACKS_ALL, batch("x")); pr.GetError().GetReason() != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Fatalf("produce after delete: %v", pr.GetError())
	}
	_, err = tb.admin.CreateTopics(c, &fjordv1.CreateTopicsRequest{})
	if code, reason, _ := errorReason(t, err); code != codes.InvalidArgument || reason != "INVALID_REQUEST" {
		t.Fatalf("empty create: %v", err)
	}
}

func TestDeleteRecordsAndListOffsets(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	for i := 0; i < 4; i++ {
		tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("v"))
	}
	resp, err := tb.admin.DeleteRecords(ctx(t), &fjordv1.DeleteRecordsRequest{Topics: []*fjordv1.DeleteRecordsTopic{{Topic: "t",
		Partitions: []*fjordv1.DeleteRecordsPartition{{Partition: 0, Offset: 2}}}}})
	if err != nil || resp.GetTopics()[0].GetPartitions()[0].GetLowWatermark() != 2 {
		t.Fatalf("delete records: %v %v", resp, err)
	}
	pr := tb.fetchOne(fetchReq("t", 0, 1))
	if pr.GetError().GetReason() != "OFFSET_OUT_OF_RANGE" {
		t.Fatalf("fetch below log start: %v", pr.GetError())
	}
	lo, err := tb.fetch.ListOffsets(ctx(t), &fjordv1.ListOffsetsRequest{Topics: []*fjordv1.ListOffsetsTopic{{Topic: "t", Partitions: []*fjordv1.ListOffsetsPartition{
		{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_EARLIEST},
		{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_LATEST},
		{Partition: 0, Spec: fjordv1.OffsetSpec_OFFSET_SPEC_TIMESTAMP, TimestampMs: time.Now().Add(time.Hour).UnixMilli()},
		{Partition: 0},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	ps := lo.GetTopics()[0].GetPartitions()
	if ps[0].GetOffset() != 2 || ps[1].GetOffset() != 4 || ps[2].GetOffset() != 4 || ps[3].GetError().GetReason() != "INVALID_REQUEST" {
		t.Fatalf("list offsets: %v", ps)
	}
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	tb := startBroker(t, dir)
	tb.createTopic("t", 1, map[string]string{"segment.bytes": "1024"})
	for i := 0; i < 20; i++ {
		tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("v"))
	}
	tb.stop()
	tb2 := startBroker(t, dir)
	req := fetchReq("t", 0, 0)
	req.MaxBytes = 1 << 20
	var got []string
	for off := int64(0); off < 20; {
		pr := tb2.fetchOne(fetchReq("t", 0, off))
		if pr.GetError() != nil || len(pr.GetBatches()) == 0 {
			t.Fatalf("after restart at %d: %v", off, pr)
		}
		vs := values(t, pr.GetBatches(), off)
		got = append(got, vs...)
		off += int64(len(vs))
	}
	desc, _ := tb2.admin.DescribeTopics(ctx(t), &fjordv1.DescribeTopicsRequest{Names: []string{"t"}})
	p := desc.GetTopics()[0].GetPartitions()[0]
	if len(got) != 20 || p.GetHighWatermark() != 20 || p.GetSegments() < 2 {
		t.Fatalf("after restart: %d records, partition %v", len(got), p)
	}
}

func TestFetchedBytesDecodeAsRecordBatch(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	sent := batch("x", "y")
	tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, sent)
	pr := tb.fetchOne(fetchReq("t", 0, 0))
	got := pr.GetBatches()[0]
	// The generated client decoded the stored bytes as a RecordBatch; the
	// records are exactly those sent.
	if !proto.Equal(got.GetRecords(), sent.GetRecords()) {
		t.Fatalf("records changed in storage:\n got %v\nwant %v", got.GetRecords(), sent.GetRecords())
	}
}

func TestShutdownEndsLongPolls(t *testing.T) {
	// A graceful shutdown must not wait for parked long polls: with a
	// five-minute shutdown timeout this test would hang without the wake-up.
	tb := startBroker(t, "", func(o *Options) { o.ShutdownTimeout = 5 * time.Minute })
	tb.createTopic("t", 1, nil)
	parked := tb.parkFetch(t, context.Background())
	if err := tb.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp := <-parked; resp.err != nil {
		t.Fatalf("parked fetch ended with %v, want an empty response", resp.err)
	}
}

func TestCanceledLongPollLeavesNoWaiter(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	c, cancel := context.WithCancel(context.Background())
	parked := tb.parkFetch(t, c)
	cancel()
	if resp := <-parked; status.Code(resp.err) != codes.Canceled {
		t.Fatalf("canceled fetch: %v", resp.err)
	}
	p, err := tb.srv.broker.lookup(topicPartition{"t", 0})
	if err != nil {
		t.Fatal(err)
	}
	// The handler may still be unwinding after the client saw the cancel.
	for i := 0; ; i++ {
		p.mu.Lock()
		n := len(p.waiters)
		p.mu.Unlock()
		if n == 0 {
			break
		}
		if i == 1000 {
			t.Fatalf("%d waiters left on the partition after cancel", n)
		}
		time.Sleep(time.Millisecond)
	}
}

type fetchResult struct {
	resp *fjordv1.FetchResponse
	err  error
}

// parkFetch starts a long poll on t-0 and returns once the broker has it
// parked on the partition.
func (tb *testBroker) parkFetch(t *testing.T, c context.Context) <-chan fetchResult {
	t.Helper()
	p, err := tb.srv.broker.lookup(topicPartition{"t", 0})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan fetchResult, 1)
	go func() {
		req := fetchReq("t", 0, 0)
		req.MaxWaitMs = 300000
		resp, err := tb.fetch.Fetch(c, req)
		out <- fetchResult{resp, err}
	}()
	for i := 0; ; i++ {
		p.mu.Lock()
		n := len(p.waiters)
		p.mu.Unlock()
		if n > 0 {
			return out
		}
		if i == 10000 {
			t.Fatal("fetch never parked")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSubscribeOutOfRangeFailsAtOnce(t *testing.T) {
	tb := startBroker(t, "")
	tb.createTopic("t", 1, nil)
	tb.produceOne("t", 0, fjordv1.Acks_ACKS_ALL, batch("a"))
	stream, err := tb.fetch.Subscribe(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	// No credit granted: the error must not wait for it.
	if err := stream.Send(&fjordv1.SubscribeRequest{Kind: &fjordv1.SubscribeRequest_Start{Start: &fjordv1.SubscribeStart{Topic: "t", Offset: 99}}}); err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if code, reason, md := errorReason(t, err); code != codes.OutOfRange || reason != "OFFSET_OUT_OF_RANGE" || md["log_end_offset"] != "1" {
		t.Fatalf("subscribe past the end: %v (%v)", err, md)
	}
}

// TestShutdownEndsOpenProduceStreams: a client holding a ProduceStream open
// does not hold up a graceful shutdown; it is told why the stream ended.
func TestShutdownEndsOpenProduceStreams(t *testing.T) {
	tb := startBroker(t, "", func(o *Options) { o.ShutdownTimeout = time.Minute })
	tb.createTopic("s", 1, nil)
	stream, err := tb.produce.ProduceStream(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	req := &fjordv1.ProduceStreamRequest{CorrelationId: 1, Acks: fjordv1.Acks_ACKS_ALL, Topics: []*fjordv1.ProduceTopicData{{
		Topic: "s", Partitions: []*fjordv1.ProducePartitionData{{Partition: 0, Batches: []*fjordv1.RecordBatch{batch("a")}}}}}}
	if err := stream.Send(req); err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetTopics()[0].GetPartitions()[0].GetError() != nil {
		t.Fatalf("first ack: %v %v", resp, err)
	}
	done := make(chan error, 1)
	go func() { done <- tb.srv.Shutdown(context.Background()) }()
	_, err = stream.Recv()
	if code, reason, _ := errorReason(t, err); code != codes.Unavailable || reason != "BROKER_SHUTTING_DOWN" {
		t.Fatalf("stream ended with %v, want BROKER_SHUTTING_DOWN", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
