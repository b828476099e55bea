package sdktest_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/fjordlog/fjord/server"
)

const produceStreamMethod = "/fjord.v1.ProduceService/ProduceStream"

// frame is one gRPC message as bytes.
type frame struct{ b []byte }

// rawCodec passes messages through as bytes, so the proxy needs no
// knowledge of the methods it forwards. It is named "proto" so that both
// ends keep the content type they would have without the proxy.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).b, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*frame).b = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// faultProxy is a gRPC proxy in front of one broker, which advertises the
// proxy's address, so that clients reach the broker only through it. It
// forwards every method (an UnknownServiceHandler with a raw codec on both
// sides) and, with probability drop per message, replaces a ProduceStream
// response by ending the stream with UNAVAILABLE: the broker appended the
// request's batches (and acknowledged them), the client never learns it,
// and the requests pending behind it on the stream are cut off too.
type faultProxy struct {
	t   *testing.T
	lis net.Listener
	srv *grpc.Server
	cc  *grpc.ClientConn // to the broker

	mu   sync.Mutex // guards rng and drop
	rng  *rand.Rand
	drop float64

	forwarded, dropped atomic.Int64 // ProduceStream responses
}

// listenProxy reserves the proxy's address; serve starts it once the
// broker behind it is up. t.Cleanup stops it.
func listenProxy(t *testing.T, drop float64, seed uint64) *faultProxy {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, lis: lis, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), drop: drop}
	p.srv = grpc.NewServer(grpc.UnknownServiceHandler(p.handle), grpc.ForceServerCodec(rawCodec{}))
	t.Cleanup(func() {
		p.srv.Stop()
		if p.cc != nil {
			p.cc.Close()
		}
	})
	return p
}

func (p *faultProxy) addr() string { return p.lis.Addr().String() }

// serve forwards to the broker at backend.
func (p *faultProxy) serve(backend string) {
	p.t.Helper()
	cc, err := grpc.NewClient(backend, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		p.t.Fatal(err)
	}
	p.cc = cc
	go p.srv.Serve(p.lis) //nolint:errcheck // returns on Stop
}

// setDrop changes the drop probability.
func (p *faultProxy) setDrop(drop float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drop = drop
}

func (p *faultProxy) shouldDrop() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64() < p.drop
}

var bidi = grpc.StreamDesc{ServerStreams: true, ClientStreams: true}

// handle forwards one call of any method, unary or streaming, both ways.
func (p *faultProxy) handle(_ any, ss grpc.ServerStream) error {
	method, ok := grpc.MethodFromServerStream(ss)
	if !ok {
		return status.Error(codes.Internal, "faultproxy: no method")
	}
	md, _ := metadata.FromIncomingContext(ss.Context())
	out := metadata.MD{}
	for k, v := range md {
		if !strings.HasPrefix(k, ":") {
			out[k] = v
		}
	}
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(ss.Context(), out))
	defer cancel()
	cs, err := p.cc.NewStream(ctx, &bidi, method)
	if err != nil {
		return err
	}
	go func() {
		for {
			f := new(frame)
			if err := ss.RecvMsg(f); err != nil {
				if errors.Is(err, io.EOF) {
					cs.CloseSend() //nolint:errcheck // RecvMsg below reports failures
				} else {
					cancel()
				}
				return
			}
			if cs.SendMsg(f) != nil {
				return // RecvMsg below reports why
			}
		}
	}()
	lossy := method == produceStreamMethod
	headerSent := false
	for {
		f := new(frame)
		err := cs.RecvMsg(f)
		if !headerSent {
			if h, herr := cs.Header(); herr == nil {
				ss.SendHeader(h) //nolint:errcheck // the next send reports it
			}
			headerSent = true
		}
		if err != nil {
			ss.SetTrailer(cs.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err // the broker's status, details included
		}
		if lossy {
			if p.shouldDrop() {
				p.dropped.Add(1)
				return status.Error(codes.Unavailable, "faultproxy: produce response dropped")
			}
			p.forwarded.Add(1)
		}
		if err := ss.SendMsg(f); err != nil {
			return err
		}
	}
}

// startBrokerBehindProxy starts a broker that advertises a fault proxy's
// address, and the proxy in front of it.
func startBrokerBehindProxy(t *testing.T, drop float64, seed uint64) (*broker, *faultProxy) {
	t.Helper()
	p := listenProxy(t, drop, seed)
	dir := t.TempDir()
	srv, err := server.New(server.Options{DataDir: dir, ListenAddr: "127.0.0.1:0", HTTPAddr: "off", AdvertisedAddr: p.addr()})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	b := &broker{t: t, srv: srv, dir: dir, served: make(chan error, 1)}
	go func() { b.served <- srv.Serve() }()
	t.Cleanup(b.stop)
	p.serve(srv.Addr().String())
	return b, p
}
