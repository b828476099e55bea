package server

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

func TestInitProducerIDUniqueAcrossBrokersAndBumps(t *testing.T) {
	bs := startCluster(t, 2)
	seen := map[int64]bool{}
	for i := range 2*cluster.ProducerIDBlockSize + 10 {
		b := bs[i%2]
		resp, err := b.produce.InitProducerId(ctx(t), &fjordv1.InitProducerIdRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetProducerId() <= 0 || resp.GetProducerEpoch() != 0 || seen[resp.GetProducerId()] {
			t.Fatalf("broker %d gave id %d epoch %d (seen before: %v)", i%2+1, resp.GetProducerId(), resp.GetProducerEpoch(), seen[resp.GetProducerId()])
		}
		seen[resp.GetProducerId()] = true
	}
	bump, err := bs[0].produce.InitProducerId(ctx(t), &fjordv1.InitProducerIdRequest{ProducerId: 7, ProducerEpoch: 3})
	if err != nil || bump.GetProducerId() != 7 || bump.GetProducerEpoch() != 4 {
		t.Fatalf("bump: %v %v", bump, err)
	}
	last, err := bs[0].produce.InitProducerId(ctx(t), &fjordv1.InitProducerIdRequest{ProducerId: 7, ProducerEpoch: maxProducerEpoch})
	if err != nil || last.GetProducerId() == 7 || seen[last.GetProducerId()] || last.GetProducerEpoch() != 0 {
		t.Fatalf("bump past the last epoch: %v %v", last, err)
	}
	for _, bad := range []*fjordv1.InitProducerIdRequest{{ProducerId: -1}, {ProducerId: 3, ProducerEpoch: -1}, {ProducerId: 3, ProducerEpoch: 40000}} {
		if _, err := bs[1].produce.InitProducerId(ctx(t), bad); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%v: got %v, want InvalidArgument", bad, err)
		}
	}
}
