package cluster

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestStateMachine runs the scripts in testdata/state. Commands:
//
//	register id=N inc=S [addr=S] [rack=S]
//	unfence|fence|shutdown id=N [epoch=N]       (epoch defaults to the registered one)
//	create-topic name=S partitions=N rf=N [unclean] [assign=(1-2-3, 2-3-1)]
//	delete-topic name=S [id=S]
//	alter-configs topic=S [set=(k=v, ...)] [delete=(k, ...)]
//	create-partitions topic=S total=N [from=N]
//	change-partition topic=S p=N epoch=N [broker=N [broker-epoch=N] leader-epoch=N] [leader=N] [isr=(N, ...)]
//	elect-preferred [tp=(t/0, ...)]
//	reassign t/0=(N, ...) [t/1=() ...]    one record; an empty list cancels
//	reassigning   partitions with an ongoing reassignment
//	show          the whole image
//	load          leaders and replicas per broker
//	imbalanced    partitions an automatic preferred election would move
//	roundtrip     Snapshot/Restore and compare
//
// After every command the driver checks invariants and that the previous
// image was not modified.
func TestStateMachine(t *testing.T) {
	datadriven.Walk(t, "testdata/state", func(t *testing.T, path string) {
		img := NewImage()
		var index uint64
		apply := func(rec Record) string {
			index++
			before := img.String()
			next, res, err := img.Apply(index, rec)
			if after := img.String(); after != before {
				t.Fatalf("apply modified its input image:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if err != nil {
				if next != img {
					t.Fatalf("rejected record changed the image")
				}
				return "error: " + err.Error() + "\n"
			}
			img = next
			return "ok" + describe(res) + "\n"
		}
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			out := run(t, td, img, apply)
			checkInvariants(t, img)
			return out
		})
	})
}

func run(t *testing.T, td *datadriven.TestData, img *Image, apply func(Record) string) string {
	intArg := func(key string) int32 {
		var v int
		td.ScanArgs(t, key, &v)
		return int32(v)
	}
	strArg := func(key, def string) string {
		v := def
		td.MaybeScanArgs(t, key, &v)
		return v
	}
	ref := func() (int32, int64) {
		id := intArg("id")
		b, _ := img.Broker(id)
		epoch := b.Epoch
		var e int
		if td.MaybeScanArgs(t, "epoch", &e) {
			epoch = int64(e)
		}
		return id, epoch
	}
	ints := func(key string) []int32 {
		arg, ok := td.Arg(key)
		if !ok {
			return nil
		}
		out := []int32{}
		for _, v := range arg.Vals {
			n, err := strconv.Atoi(v)
			if err != nil {
				td.Fatalf(t, "%s: %v", key, err)
			}
			out = append(out, int32(n))
		}
		return out
	}
	switch td.Cmd {
	case "register":
		id := intArg("id")
		return apply(NewRecord(&RegisterBroker{ID: id, IncarnationID: strArg("inc", "a"),
			Address: strArg("addr", fmt.Sprintf("b%d:9092", id)), Rack: strArg("rack", "")}))
	case "unfence":
		return apply(UnfenceRecord(ref()))
	case "fence":
		return apply(FenceRecord(ref()))
	case "shutdown":
		return apply(ShutdownRecord(ref()))
	case "create-topic":
		name := strArg("name", "")
		spec := TopicSpec{Name: name}
		if td.HasArg("partitions") {
			spec.Partitions, spec.ReplicationFactor = intArg("partitions"), intArg("rf")
		}
		if td.HasArg("unclean") {
			spec.Configs = map[string]string{ConfigUncleanLeaderElection: "true"}
		}
		if arg, ok := td.Arg("assign"); ok {
			for _, v := range arg.Vals {
				var replicas []int32
				for _, s := range strings.Split(v, "-") {
					n, _ := strconv.Atoi(s)
					replicas = append(replicas, int32(n))
				}
				spec.Assignment = append(spec.Assignment, replicas)
			}
		}
		rec, err := img.PlanCreateTopic(spec, "id-"+name)
		if err != nil {
			return "plan error: " + err.Error() + "\n"
		}
		return apply(rec)
	case "delete-topic":
		return apply(NewRecord(&DeleteTopic{Name: strArg("name", ""), ID: strArg("id", "")}))
	case "alter-configs":
		r := &AlterConfigs{Topic: strArg("topic", "")}
		if arg, ok := td.Arg("set"); ok {
			r.Set = map[string]string{}
			for _, kv := range arg.Vals {
				k, v, _ := strings.Cut(kv, ":")
				r.Set[k] = v
			}
		}
		if arg, ok := td.Arg("delete"); ok {
			r.Delete = arg.Vals
		}
		return apply(NewRecord(r))
	case "create-partitions":
		topic := strArg("topic", "")
		rec, err := img.PlanCreatePartitions(topic, intArg("total"))
		if err != nil {
			return "plan error: " + err.Error() + "\n"
		}
		if td.HasArg("from") {
			rec.CreatePartitions.From = intArg("from")
		}
		return apply(rec)
	case "change-partition":
		r := &ChangePartition{Topic: strArg("topic", ""), Partition: intArg("p"), PartitionEpoch: intArg("epoch"), ISR: ints("isr")}
		if td.HasArg("broker") {
			id := intArg("broker")
			b, _ := img.Broker(id)
			epoch := b.Epoch
			var e int
			if td.MaybeScanArgs(t, "broker-epoch", &e) {
				epoch = int64(e)
			}
			r.Broker = &BrokerRef{ID: id, Epoch: epoch}
			r.LeaderEpoch = intArg("leader-epoch")
		}
		if td.HasArg("leader") {
			l := intArg("leader")
			r.Leader = &l
		}
		return apply(NewRecord(r))
	case "elect-preferred":
		r := &ElectPreferredLeaders{}
		if arg, ok := td.Arg("tp"); ok {
			for _, v := range arg.Vals {
				topic, p, _ := strings.Cut(v, "/")
				n, _ := strconv.Atoi(p)
				r.Partitions = append(r.Partitions, TopicPartition{topic, int32(n)})
			}
		}
		return apply(NewRecord(r))
	case "reassign":
		r := &ReassignPartitions{}
		for _, arg := range td.CmdArgs {
			topic, p, ok := strings.Cut(arg.Key, "/")
			n, err := strconv.Atoi(p)
			if !ok || err != nil {
				td.Fatalf(t, "reassign: want topic/partition, got %q", arg.Key)
			}
			ra := Reassignment{TopicPartition: TopicPartition{topic, int32(n)}}
			for _, v := range arg.Vals {
				if v == "" {
					continue
				}
				id, err := strconv.Atoi(v)
				if err != nil {
					td.Fatalf(t, "reassign %s: %v", arg.Key, err)
				}
				ra.Replicas = append(ra.Replicas, int32(id))
			}
			r.Partitions = append(r.Partitions, ra)
		}
		return apply(NewRecord(r))
	case "reassigning":
		return fmt.Sprintf("%v\n", img.Reassigning())
	case "show":
		return img.String()
	case "load":
		return loadString(img)
	case "imbalanced":
		return fmt.Sprintf("%v\n", img.Imbalanced())
	case "roundtrip":
		data, err := img.Snapshot()
		if err != nil {
			td.Fatalf(t, "snapshot: %v", err)
		}
		back, err := Restore(data)
		if err != nil {
			td.Fatalf(t, "restore: %v", err)
		}
		again, _ := back.Snapshot()
		if string(again) != string(data) || back.String() != img.String() {
			td.Fatalf(t, "roundtrip differs:\n%s\n%s", img, back)
		}
		return fmt.Sprintf("ok offset=%d\n", back.Offset())
	default:
		td.Fatalf(t, "unknown command %q", td.Cmd)
		return ""
	}
}

func describe(res Result) string {
	var s []string
	if res.Broker != nil {
		s = append(s, fmt.Sprintf("broker %d epoch=%d %s", res.Broker.ID, res.Broker.Epoch, res.Broker.State))
	}
	if res.Topic != nil {
		s = append(s, fmt.Sprintf("topic %s partitions=%d", res.Topic.Name, len(res.Topic.Partitions)))
	}
	if p := res.Partition; p != nil {
		s = append(s, fmt.Sprintf("leader=%d le=%d pe=%d isr=%v", p.Leader, p.LeaderEpoch, p.PartitionEpoch, p.ISR))
	}
	for _, e := range res.Elections {
		line := fmt.Sprintf("%s/%d leader=%d", e.Topic, e.Partition, e.Leader)
		if e.Err != nil {
			line += " err=" + e.Err.Error()
		}
		s = append(s, line)
	}
	for _, r := range res.Reassignments {
		line := fmt.Sprintf("%s/%d", r.Topic, r.Partition)
		if r.Err != nil {
			line += " err=" + r.Err.Error()
		} else {
			m := r.Meta
			line += fmt.Sprintf(" leader=%d le=%d pe=%d replicas=%v isr=%v", m.Leader, m.LeaderEpoch, m.PartitionEpoch, m.Replicas, m.ISR)
			if m.Reassigning() {
				line += fmt.Sprintf(" adding=%v removing=%v", m.AddingReplicas, m.RemovingReplicas)
			}
		}
		s = append(s, line)
	}
	if len(s) == 0 {
		return ""
	}
	return ": " + strings.Join(s, "; ")
}

func loadString(img *Image) string {
	leaders, replicas := map[int32]int{}, map[int32]int{}
	for _, t := range img.Topics() {
		for _, p := range t.Partitions {
			leaders[p.Preferred()]++
			for _, r := range p.Replicas {
				replicas[r]++
			}
		}
	}
	var sb strings.Builder
	for _, b := range img.Brokers() {
		fmt.Fprintf(&sb, "broker %d rack=%q preferred-leader=%d replicas=%d\n", b.ID, b.Rack, leaders[b.ID], replicas[b.ID])
	}
	return sb.String()
}

// checkInvariants asserts what must hold in every image.
func checkInvariants(t *testing.T, img *Image) {
	t.Helper()
	for _, tm := range img.Topics() {
		for i, p := range tm.Partitions {
			where := fmt.Sprintf("%s/%d %+v", tm.Name, i, p)
			if len(p.ISR) == 0 {
				t.Fatalf("%s: empty isr", where)
			}
			for _, m := range p.ISR {
				if !slices.Contains(p.Replicas, m) {
					t.Fatalf("%s: isr member %d is not a replica", where, m)
				}
			}
			if !slices.Equal(p.ISR, intersect(p.Replicas, p.ISR)) {
				t.Fatalf("%s: isr not in replica order", where)
			}
			checkReassignment(t, img, where, p)
			if p.Leader != NoLeader {
				if !slices.Contains(p.ISR, p.Leader) {
					t.Fatalf("%s: leader outside isr", where)
				}
				if !img.Alive(p.Leader) {
					t.Fatalf("%s: leader %d not alive", where, p.Leader)
				}
			} else {
				for _, m := range p.ISR {
					if img.Alive(m) {
						t.Fatalf("%s: offline although isr member %d is alive", where, m)
					}
				}
			}
		}
	}
}

// intersect returns the members of a that are in b, in a's order.
func intersect(a, b []int32) []int32 {
	var out []int32
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// checkReassignment asserts the shape of the reassignment fields: during a
// reassignment Replicas = target ++ removing, adding = target \ original,
// removing = original \ target; otherwise none of them is set.
func checkReassignment(t *testing.T, img *Image, where string, p PartitionMeta) {
	t.Helper()
	if !p.Reassigning() {
		if p.AddingReplicas != nil || p.RemovingReplicas != nil || p.OriginalReplicas != nil {
			t.Fatalf("%s: reassignment fields without a reassignment", where)
		}
		return
	}
	target, orig := p.Target(), p.OriginalReplicas
	if len(target) == 0 || len(orig) == 0 {
		t.Fatalf("%s: empty target or original", where)
	}
	if !slices.Equal(p.Replicas, append(slices.Clone(target), p.RemovingReplicas...)) {
		t.Fatalf("%s: replicas are not target ++ removing", where)
	}
	if !slices.Equal(p.AddingReplicas, minus(target, orig)) || !slices.Equal(p.RemovingReplicas, minus(orig, target)) {
		t.Fatalf("%s: adding/removing do not match target %v and original %v", where, target, orig)
	}
	if len(p.AddingReplicas) == 0 && len(p.RemovingReplicas) == 0 {
		t.Fatalf("%s: reassigning with nothing to add or remove", where)
	}
	for _, r := range target {
		if !slices.Contains(p.ISR, r) {
			return
		}
	}
	// A target wholly in sync completes unless no target replica is alive.
	for _, r := range target {
		if img.Alive(r) {
			t.Fatalf("%s: target in sync with live replica %d but not completed", where, r)
		}
	}
}
