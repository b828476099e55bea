package server

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"google.golang.org/protobuf/reflect/protoreflect"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

// TestWireTwinsMatchPublicMessages proves every twin encodes exactly like its
// public message: same field numbers, names, cardinality and wire types,
// where a bytes field may stand for an embedded message.
func TestWireTwinsMatchPublicMessages(t *testing.T) {
	pairs := []struct {
		twin, public protoreflect.MessageDescriptor
	}{
		{(&wirev1.ProduceRequest{}).ProtoReflect().Descriptor(), (&fjordv1.ProduceRequest{}).ProtoReflect().Descriptor()},
		{(&wirev1.ProduceStreamRequest{}).ProtoReflect().Descriptor(), (&fjordv1.ProduceStreamRequest{}).ProtoReflect().Descriptor()},
		{(&wirev1.FetchResponse{}).ProtoReflect().Descriptor(), (&fjordv1.FetchResponse{}).ProtoReflect().Descriptor()},
		{(&wirev1.SubscribeResponse{}).ProtoReflect().Descriptor(), (&fjordv1.SubscribeResponse{}).ProtoReflect().Descriptor()},
	}
	for _, p := range pairs {
		compareMessages(t, p.twin, p.public, map[protoreflect.FullName]bool{})
	}
}

func compareMessages(t *testing.T, twin, public protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) {
	t.Helper()
	if seen[twin.FullName()] {
		return
	}
	seen[twin.FullName()] = true
	if twin.Name() != public.Name() {
		t.Errorf("twin %s pairs with %s: names differ", twin.FullName(), public.FullName())
	}
	if twin.Fields().Len() != public.Fields().Len() {
		t.Errorf("%s has %d fields, %s has %d", twin.FullName(), twin.Fields().Len(), public.FullName(), public.Fields().Len())
	}
	for i := 0; i < public.Fields().Len(); i++ {
		pf := public.Fields().Get(i)
		tf := twin.Fields().ByNumber(pf.Number())
		if tf == nil {
			t.Errorf("%s lacks field %d (%s)", twin.FullName(), pf.Number(), pf.Name())
			continue
		}
		if tf.Name() != pf.Name() || tf.Cardinality() != pf.Cardinality() {
			t.Errorf("%s field %d: %s %v vs %s %v", twin.FullName(), pf.Number(), tf.Name(), tf.Cardinality(), pf.Name(), pf.Cardinality())
		}
		switch {
		case tf.Kind() == pf.Kind() && tf.Kind() == protoreflect.MessageKind:
			if tf.Message().FullName() != pf.Message().FullName() {
				compareMessages(t, tf.Message(), pf.Message(), seen)
			}
		case tf.Kind() == pf.Kind():
			if tf.Kind() == protoreflect.EnumKind && tf.Enum().FullName() != pf.Enum().FullName() {
				t.Errorf("%s field %s: enum %s vs %s", twin.FullName(), tf.Name(), tf.Enum().FullName(), pf.Enum().FullName())
			}
		case tf.Kind() == protoreflect.BytesKind && pf.Kind() == protoreflect.MessageKind:
			if pf.Message().FullName() != "fjord.v1.RecordBatch" {
				t.Errorf("%s field %s: bytes stands for %s, want fjord.v1.RecordBatch", twin.FullName(), tf.Name(), pf.Message().FullName())
			}
		default:
			t.Errorf("%s field %s: kind %v vs %v", twin.FullName(), tf.Name(), tf.Kind(), pf.Kind())
		}
	}
}

// TestServiceDescsMatchGenerated checks the hand-written descriptors route
// the same methods and streams as the generated ones.
func TestServiceDescsMatchGenerated(t *testing.T) {
	for _, c := range []struct{ ours, gen *grpc.ServiceDesc }{
		{&produceServiceDesc, &fjordv1.ProduceService_ServiceDesc},
		{&fetchServiceDesc, &fjordv1.FetchService_ServiceDesc},
	} {
		if c.ours.ServiceName != c.gen.ServiceName || c.ours.Metadata != c.gen.Metadata {
			t.Errorf("service %s (%v) vs generated %s (%v)", c.ours.ServiceName, c.ours.Metadata, c.gen.ServiceName, c.gen.Metadata)
		}
		if got, want := descNames(c.ours), descNames(c.gen); !slices.Equal(got, want) {
			t.Errorf("%s routes %v, generated %v", c.ours.ServiceName, got, want)
		}
	}
}

// descNames lists a service's methods and streams with their directions.
func descNames(d *grpc.ServiceDesc) []string {
	var out []string
	for _, m := range d.Methods {
		out = append(out, "unary "+m.MethodName)
	}
	for _, s := range d.Streams {
		out = append(out, fmt.Sprintf("stream %s client=%v server=%v", s.StreamName, s.ClientStreams, s.ServerStreams))
	}
	slices.Sort(out)
	return out
}
