package group

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"
)

func TestRecordKeys(t *testing.T) {
	for _, c := range []struct {
		key  []byte
		want string
	}{
		{groupKey("g"), "00 02 01 67"},
		{memberKey("g", "m1"), "00 03 01 67 02 6d 31"},
		{offsetKey("g", "t", 258), "00 01 01 67 01 74 00 00 01 02"},
		{offsetKey("", "t", -1), "00 01 00 01 74 ff ff ff ff"},
	} {
		if got := fmt.Sprintf("% x", c.key); got != c.want {
			t.Errorf("key % x, want %s", c.key, c.want)
		}
		k, err := parseKey(c.key)
		if err != nil {
			t.Errorf("parse % x: %v", c.key, err)
		}
		var again []byte
		switch k.typ {
		case typeGroup:
			again = groupKey(k.group)
		case typeMember:
			again = memberKey(k.group, k.name)
		case typeOffset:
			again = offsetKey(k.group, k.name, k.partition)
		}
		if !bytes.Equal(again, c.key) {
			t.Errorf("round trip % x -> % x", c.key, again)
		}
	}
	// Long strings use a multi-byte uvarint length.
	long := string(bytes.Repeat([]byte("x"), 200))
	if k, err := parseKey(memberKey(long, "m")); err != nil || k.group != long || k.name != "m" {
		t.Errorf("long key: %v", err)
	}
}

func TestRecordValues(t *testing.T) {
	g := newGroup("g")
	g.epoch, g.targetEpoch, g.assignor = 5, 5, "uniform"
	g.meta = map[string]int32{"b": 2, "a": 3}
	g.emptySince = time.UnixMilli(1700000000123).UTC()
	if got, want := string(encodeGroup(g)), `{"v":1,"epoch":5,"assignor":"uniform","target_epoch":5,"topics":{"a":3,"b":2},"empty_since_ms":1700000000123}`; got != want {
		t.Errorf("group value\n%s\nwant\n%s", got, want)
	}
	m := &member{id: "m", instanceID: "i", rack: "r", clientID: "c", clientHost: "h",
		sub:            Subscription{Pattern: "a.*"},
		resolved:       []string{"a", "ab"},
		sessionTimeout: 45 * time.Second, rebalanceTimeout: time.Minute, epoch: 4,
		target: tps("a:0,1 ab:0"), assigned: tps("a:0"), revoking: tps("a:2"), pending: tps("a:1 ab:0")}
	m.re = mustCompile(m.sub.Pattern)
	want := `{"v":1,"instance_id":"i","rack":"r","client_id":"c","client_host":"h","pattern":"a.*","resolved":["a","ab"],` +
		`"session_timeout_ms":45000,"rebalance_timeout_ms":60000,"epoch":4,` +
		`"target":[{"topic":"a","partitions":[0,1]},{"topic":"ab","partitions":[0]}],"assigned":[{"topic":"a","partitions":[0]}],` +
		`"revoking":[{"topic":"a","partitions":[2]}],"pending":[{"topic":"a","partitions":[1]},{"topic":"ab","partitions":[0]}]}`
	if got := string(encodeMember(m)); got != want {
		t.Errorf("member value\n%s\nwant\n%s", got, want)
	}
	c := &CommittedOffset{Offset: 42, LeaderEpoch: -1, Metadata: "x", CommitTime: time.UnixMilli(1700000000999).UTC()}
	if got, want := string(encodeOffset(c)), `{"v":1,"offset":42,"leader_epoch":-1,"metadata":"x","commit_time_ms":1700000000999}`; got != want {
		t.Errorf("offset value\n%s\nwant\n%s", got, want)
	}

	// Replaying them rebuilds the same values.
	s := NewShard(Config{})
	for _, r := range []Record{
		{groupKey("g"), encodeGroup(g)},
		{memberKey("g", "m"), encodeMember(m)},
		{offsetKey("g", "t", 1), encodeOffset(c)},
	} {
		if err := s.Replay(r); err != nil {
			t.Fatal(err)
		}
	}
	rg := s.groups["g"]
	if string(encodeGroup(rg)) != string(encodeGroup(g)) || string(encodeMember(rg.members["m"])) != string(encodeMember(m)) ||
		string(encodeOffset(rg.offsets[tps("t:1")[0]])) != string(encodeOffset(c)) || rg.instances["i"] != "m" {
		t.Fatal("replay does not round trip")
	}
}

func mustCompile(p string) *regexp.Regexp {
	re, err := compileSubscription("g", "m", Subscription{Pattern: p})
	if err != nil {
		panic(err)
	}
	return re
}

func TestReplayErrors(t *testing.T) {
	good := encodeOffset(&CommittedOffset{Offset: 1})
	for _, c := range []struct {
		name string
		r    Record
	}{
		{"short key", Record{[]byte{0}, good}},
		{"key version", Record{append([]byte{1}, groupKey("g")[1:]...), good}},
		{"key type", Record{[]byte{0, 9, 1, 'g'}, good}},
		{"truncated string", Record{[]byte{0, 2, 5, 'g'}, good}},
		{"trailing bytes", Record{append(groupKey("g"), 0), good}},
		{"truncated partition", Record{offsetKey("g", "t", 1)[:8], good}},
		{"value version", Record{offsetKey("g", "t", 1), []byte(`{"v":2,"offset":1}`)}},
		{"no value version", Record{offsetKey("g", "t", 1), []byte(`{"offset":1}`)}},
		{"not json", Record{groupKey("g"), []byte(`{`)}},
		{"wrong type", Record{memberKey("g", "m"), []byte(`{"v":1,"epoch":"x"}`)}},
		{"bad pattern", Record{memberKey("g", "m"), []byte(`{"v":1,"pattern":"("}`)}},
		{"tombstone key version", Record{[]byte{7, 2, 1, 'g'}, nil}},
	} {
		err := NewShard(Config{}).Replay(c.r)
		if !errors.Is(err, ErrCorruptRecord) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Tombstones of unknown things are fine.
	s := NewShard(Config{})
	for _, k := range [][]byte{groupKey("g"), memberKey("g", "m"), offsetKey("g", "t", 0)} {
		if err := s.Replay(Record{Key: k}); err != nil {
			t.Errorf("tombstone % x: %v", k, err)
		}
	}
}

// FuzzReplay feeds arbitrary records to Replay after valid ones: it must
// fail cleanly or leave a shard that can be described, loaded and used.
func FuzzReplay(f *testing.F) {
	h := newHarness(&testing.T{}, Config{}, "a:4")
	h.join("g", "m1", "a")
	h.ackAll("g")
	h.must(staticJoin(h, "g", "m2", "i2"))
	h.commit(CommitRequest{Group: "g", MemberID: "m1", MemberEpoch: h.state("g", "m1").MemberEpoch, Offsets: []CommitOffset{co("a:0", 1)}})
	for _, r := range h.records {
		f.Add(r.Key, r.Value)
	}
	f.Add([]byte{0, 3, 1, 'g', 1, 'x'}, []byte(`{"v":1,"topics":["a"],"session_timeout_ms":0,"target":[{"topic":"a","partitions":[0,0,-1]}]}`))
	f.Add([]byte{0, 3, 1, 'g', 1, 'y'}, []byte(`{"v":1,"instance_id":"i2","topics":["a"],"target":[{"topic":"a","partitions":[0]}],"assigned":[{"topic":"a","partitions":[1]}]}`))
	f.Add([]byte{0, 2, 1, 'g'}, []byte(`{"v":1,"epoch":-5,"assignor":"nope"}`))
	f.Add([]byte{0, 1, 1, 'g', 1, 'a', 0, 0, 0, 9}, []byte(`{"v":1,"offset":-7}`))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		s := NewShard(Config{})
		for _, r := range h.records {
			if err := s.Replay(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Replay(Record{Key: key, Value: value}); err != nil {
			if !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("error not marked corrupt: %v", err)
			}
			return
		}
		for _, l := range s.List() {
			if _, err := s.Describe(l.Group); err != nil {
				t.Fatalf("describe %q: %v", l.Group, err)
			}
		}
		// Whatever was accepted must not crash the coordinator.
		now := t0.Add(time.Hour)
		s.Loaded(now, topics("a:4"))
		s.Tick(now.Add(time.Hour))
		s.Join(now, JoinRequest{Group: "g", MemberID: "m3", Subscription: Subscription{Topics: []string{"a"}}})
		s.Tick(now.Add(100 * time.Hour))
	})
}
