package assign

import (
	"fmt"
	"testing"
)

// benchGroup returns members members subscribed to topics topics of
// partitions/topics partitions each. With classes > 1 the members are split
// round-robin into that many subscription classes, class i subscribing to
// the topics j with j%classes != i (so classes overlap).
func benchGroup(members, topics, partitions, classes int) Input {
	in := Input{Topics: make(map[string]Topic, topics)}
	names := make([]string, topics)
	for t := range names {
		names[t] = fmt.Sprintf("topic-%03d", t)
		in.Topics[names[t]] = Topic{Partitions: int32(partitions / topics)}
	}
	for m := range members {
		var subs []string
		for t, name := range names {
			if classes == 1 || t%classes != m%classes {
				subs = append(subs, name)
			}
		}
		in.Members = append(in.Members, Member{ID: fmt.Sprintf("member-%04d", m), Topics: subs})
	}
	return in
}

func benchAssign(b *testing.B, name string, in Input) {
	a := mustNew(b, name)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Assign(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssign measures 1,000 members and 10,000 partitions (100 topics of
// 100): from scratch, and the rebalance after one member joins a group whose
// current assignment is the previous result.
func BenchmarkAssign(b *testing.B) {
	for _, classes := range []int{1, 10} {
		fresh := benchGroup(1000, 100, 10000, classes)
		for _, name := range Names() {
			b.Run(fmt.Sprintf("classes=%d/%s/fresh", classes, name), func(b *testing.B) {
				benchAssign(b, name, fresh)
			})
			if name != "sticky" && name != "uniform" {
				continue
			}
			prev, err := mustNew(b, name).Assign(fresh)
			if err != nil {
				b.Fatal(err)
			}
			join := deepCopy(fresh)
			join.Current = prev
			join.Members = append(join.Members, Member{ID: "joiner", Topics: fresh.Members[0].Topics})
			b.Run(fmt.Sprintf("classes=%d/%s/join", classes, name), func(b *testing.B) {
				benchAssign(b, name, join)
			})
			leave := deepCopy(fresh)
			leave.Current = prev
			leave.Members = leave.Members[1:]
			b.Run(fmt.Sprintf("classes=%d/%s/leave", classes, name), func(b *testing.B) {
				benchAssign(b, name, leave)
			})
		}
	}
}

// BenchmarkReconcile measures one cooperative step for 1,000 members and
// 10,000 partitions after one member joined.
func BenchmarkReconcile(b *testing.B) {
	in := benchGroup(1000, 100, 10000, 1)
	a := mustNew(b, "uniform")
	owned, err := a.Assign(in)
	if err != nil {
		b.Fatal(err)
	}
	in.Current = owned
	in.Members = append(in.Members, Member{ID: "joiner", Topics: in.Members[0].Topics})
	target, err := a.Assign(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Reconcile(owned, target); err != nil {
			b.Fatal(err)
		}
	}
}
