//go:build unix

// Command groupworker is one consumer group member for the process-level
// group tests of internal/testcluster: it runs a single SDK GroupConsumer
// and reports, as JSON lines on stdout, everything a checker needs to
// reconstruct who owned which partition when, what it processed and what
// it committed. Tests build and start it like the fjord binary, and kill
// -9, SIGSTOP/SIGCONT or SIGTERM it (SIGTERM closes the consumer cleanly:
// revoke, commit, leave).
//
// Every line is one event stamped with CLOCK_MONOTONIC in nanoseconds
// ("t"), a system-wide clock the test process reads too (the wall clock
// may jump). Events ("ev"):
//
//   - start: the consumer was created ("member" is its member id).
//   - assigned, revoked, lost: the SDK callbacks, with "tps". A partition is
//     owned from its assigned event to its revoked or lost event.
//   - rec: one processed record ("topic", "p", "off", "key"), printed
//     before the next Poll and before any commit covering it.
//   - commit: one CommitOffsets RPC the SDK sent (auto-commit, revocation,
//     Close or explicit), when it returned, with "sent" (when it was
//     sent), "epoch", "offsets" and its outcome: "err" (the reason of a
//     failure of the whole request) or "perr" (per partition reasons);
//     neither means every offset was stored.
//   - commit_call: an explicit CommitRecords returned ("err" if it failed;
//     the SDK may refuse a partition without sending it).
//   - membership: a MembershipResponse other than a heartbeat's answer
//     ("epoch", "tps" assigned, "pending"); membership_end: the stream
//     ended ("err").
//   - poll_err: Poll returned an error ("err").
//   - closed: Close returned ("err"); the process then exits 0.
//
// Commit and membership events name the broker called ("addr").
//
// The records of one Poll are written and flushed before the next Poll and
// before an explicit commit, so a record covered by a commit was reported
// first; a kill -9 loses at most the records of the Poll in progress.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/internal/testcluster"
)

// The events are testcluster's WorkerEvent, which the harness parses.
type (
	event  = testcluster.WorkerEvent
	tp     = testcluster.TP
	offset = testcluster.CommitResult
)

// emitter writes events; buffered ones (records) go out at flush.
type emitter struct {
	mu  sync.Mutex // guards w and enc
	w   *bufio.Writer
	enc *json.Encoder
}

func newEmitter() *emitter {
	w := bufio.NewWriterSize(os.Stdout, 64<<10)
	return &emitter{w: w, enc: json.NewEncoder(w)}
}

// buffer writes e without flushing.
func (o *emitter) buffer(e event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if e.T == 0 {
		e.T = testcluster.MonoNow()
	}
	if err := o.enc.Encode(e); err != nil {
		fmt.Fprintln(os.Stderr, "groupworker: write event:", err)
		os.Exit(3)
	}
}

func (o *emitter) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "groupworker: flush events:", err)
		os.Exit(3)
	}
}

// emit writes and flushes e.
func (o *emitter) emit(e event) {
	o.buffer(e)
	o.flush()
}

func tps(in []fjord.TopicPartition) []tp {
	out := make([]tp, 0, len(in))
	for _, x := range in {
		out = append(out, tp{Topic: x.Topic, Partition: x.Partition})
	}
	return out
}

func wireTPs(in []*fjordv1.TopicPartitions) []tp {
	out := []tp{}
	for _, t := range in {
		for _, p := range t.GetPartitions() {
			out = append(out, tp{Topic: t.GetTopic(), Partition: p})
		}
	}
	return out
}

// commitInterceptor reports every CommitOffsets RPC and its outcome.
func commitInterceptor(out *emitter) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		sent := testcluster.MonoNow()
		err := invoker(ctx, method, req, reply, cc, opts...)
		if method != fjordv1.GroupService_CommitOffsets_FullMethodName {
			return err
		}
		creq := req.(*fjordv1.CommitOffsetsRequest)
		e := event{Ev: "commit", Member: creq.GetMemberId(), Epoch: creq.GetMemberEpoch(), Sent: sent, Addr: cc.Target()}
		for _, t := range creq.GetTopics() {
			for _, p := range t.GetPartitions() {
				e.Offsets = append(e.Offsets, offset{Topic: t.GetTopic(), Partition: p.GetPartition(), Offset: p.GetOffset()})
			}
		}
		if err != nil {
			e.Err = testcluster.RPCReason(err)
		} else {
			for _, t := range reply.(*fjordv1.CommitOffsetsResponse).GetTopics() {
				for _, p := range t.GetPartitions() {
					if pe := p.GetError(); pe != nil {
						e.PErr = append(e.PErr, offset{Topic: t.GetTopic(), Partition: p.GetPartition(), Reason: pe.GetReason()})
					}
				}
			}
		}
		out.emit(e)
		return err
	}
}

// membershipStream reports the responses of a Membership stream.
type membershipStream struct {
	grpc.ClientStream
	out  *emitter
	addr string
}

func (s *membershipStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		e := event{Ev: "membership_end", Addr: s.addr}
		if !errors.Is(err, context.Canceled) {
			e.Err = testcluster.RPCReason(err)
		}
		s.out.emit(e)
		return err
	}
	if r, ok := m.(*fjordv1.MembershipResponse); ok && !r.GetHeartbeatAck() {
		s.out.emit(event{Ev: "membership", Member: r.GetMemberId(), Epoch: r.GetMemberEpoch(), TPs: wireTPs(r.GetAssigned()), Pending: wireTPs(r.GetPending()), Addr: s.addr})
	}
	return nil
}

func membershipInterceptor(out *emitter) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil || method != fjordv1.GroupService_Membership_FullMethodName {
			return cs, err
		}
		return &membershipStream{ClientStream: cs, out: out, addr: cc.Target()}, nil
	}
}

func main() {
	brokers := flag.String("brokers", "", "comma-separated broker addresses (required)")
	groupID := flag.String("group", "", "group id (required)")
	topics := flag.String("topics", "", "comma-separated topics to subscribe to (required)")
	instance := flag.String("instance-id", "", "static membership instance id (default: a dynamic member)")
	session := flag.Duration("session-timeout", 0, "member session timeout (0: the broker's default)")
	commitMode := flag.String("commit", "auto", "auto (auto-commit) or processed (CommitRecords after processing each Poll's records)")
	autoInterval := flag.Duration("auto-commit-interval", time.Second, "auto-commit interval")
	delay := flag.Duration("process-delay", 0, "simulated processing time per non-empty Poll, after its records are reported")
	requestTimeout := flag.Duration("request-timeout", 3*time.Second, "client request timeout (Close is bounded by it)")
	flag.Parse()
	if *brokers == "" || *groupID == "" || *topics == "" || (*commitMode != "auto" && *commitMode != "processed") {
		flag.Usage()
		os.Exit(2)
	}
	go exitWithParent()
	out := newEmitter()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers(strings.Split(*brokers, ",")...), fjord.RequestTimeout(*requestTimeout),
		fjord.DialOptions(grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithChainUnaryInterceptor(commitInterceptor(out)),
			grpc.WithChainStreamInterceptor(membershipInterceptor(out))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "groupworker:", err)
		os.Exit(1)
	}
	auto := *commitMode == "auto"
	opts := []fjord.GroupOpt{
		fjord.Topics(strings.Split(*topics, ",")...),
		fjord.SessionTimeout(*session),
		fjord.AutoCommit(auto),
		fjord.ResetOffset(fjord.AtStart()),
		fjord.OnAssigned(func(_ context.Context, x []fjord.TopicPartition) { out.emit(event{Ev: "assigned", TPs: tps(x)}) }),
		fjord.OnRevoked(func(_ context.Context, x []fjord.TopicPartition) { out.emit(event{Ev: "revoked", TPs: tps(x)}) }),
		fjord.OnLost(func(_ context.Context, x []fjord.TopicPartition) { out.emit(event{Ev: "lost", TPs: tps(x)}) }),
	}
	if auto {
		opts = append(opts, fjord.AutoCommitInterval(*autoInterval))
	}
	if *instance != "" {
		opts = append(opts, fjord.InstanceID(*instance))
	}
	gc, err := fjord.NewGroupConsumer(cl, *groupID, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "groupworker:", err)
		os.Exit(1)
	}
	out.emit(event{Ev: "start", Member: gc.MemberID()})

	for ctx.Err() == nil {
		recs, err := gc.Poll(ctx)
		for _, r := range recs {
			out.buffer(event{Ev: "rec", Topic: r.Topic, P: r.Partition, Off: r.Offset, Key: string(r.Key)})
		}
		out.flush()
		if err != nil && ctx.Err() == nil {
			out.emit(event{Ev: "poll_err", Err: err.Error()})
			if errors.Is(err, fjord.ErrClosed) {
				break
			}
			sleep(ctx, 50*time.Millisecond) // a failed auto-commit or a fatal member error: do not spin
		}
		if len(recs) == 0 {
			continue
		}
		sleep(ctx, *delay)
		if !auto {
			cctx, cancel := context.WithTimeout(context.Background(), *requestTimeout)
			err := gc.CommitRecords(cctx, recs...)
			cancel()
			e := event{Ev: "commit_call"}
			if err != nil {
				e.Err = err.Error()
			}
			out.emit(e)
		}
	}
	err = gc.Close()
	e := event{Ev: "closed"}
	if err != nil {
		e.Err = err.Error()
	}
	out.emit(e)
	cl.Close()
}

// exitWithParent ends the worker once the test process that started it is
// gone (a test binary killed by its timeout runs no cleanup).
func exitWithParent() {
	parent := os.Getppid()
	for range time.Tick(200 * time.Millisecond) {
		if os.Getppid() != parent {
			fmt.Fprintln(os.Stderr, "groupworker: the test process is gone; exiting")
			os.Exit(1)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
