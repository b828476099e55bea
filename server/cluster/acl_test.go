package cluster

import (
	"errors"
	"slices"
	"testing"

	"github.com/fjordlog/fjord/server/acl"
)

func TestACLRecordsApplyAndSnapshot(t *testing.T) {
	b1 := acl.Binding{Principal: "User:alice", Host: "*", ResourceType: acl.Topic, PatternType: acl.Prefixed, ResourceName: "orders-", Operation: acl.Write, Permission: acl.Allow}
	b2 := acl.Binding{Principal: "User:bob", Host: "*", ResourceType: acl.Group, PatternType: acl.Literal, ResourceName: "g", Operation: acl.Read, Permission: acl.Deny}
	img := NewImage()
	rec := NewRecord(&CreateACLs{Bindings: []acl.Binding{b2, b1, b1}})
	data, err := rec.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if rec, err = DecodeRecord(data); err != nil {
		t.Fatal(err)
	}
	img, _, err = img.Apply(1, rec)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.ACLs(); !slices.Equal(got, []acl.Binding{b2, b1}) {
		t.Fatalf("ACLs = %v, want sorted and deduplicated [%v %v]", got, b2, b1)
	}
	// Creating an existing binding changes nothing.
	if same, _, err := img.Apply(2, NewRecord(&CreateACLs{Bindings: []acl.Binding{b1}})); err != nil || same != img {
		t.Fatalf("re-create: %v, image changed %v", err, same != img)
	}
	bad := b1
	bad.Host = "10.0.0.1"
	if _, _, err := img.Apply(3, NewRecord(&CreateACLs{Bindings: []acl.Binding{bad}})); !errors.Is(err, ErrInvalidRecord) {
		t.Fatalf("invalid binding: %v, want ErrInvalidRecord", err)
	}

	snap, err := img.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Restore(snap)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.ACLs(), img.ACLs()) {
		t.Fatalf("restored ACLs = %v, want %v", back.ACLs(), img.ACLs())
	}

	next, res, err := back.Apply(4, NewRecord(&DeleteACLs{Filters: []ACLFilter{{Principal: "User:alice"}}}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.ACLs, []acl.Binding{b1}) || !slices.Equal(next.ACLs(), []acl.Binding{b2}) {
		t.Fatalf("delete: removed %v, left %v", res.ACLs, next.ACLs())
	}
	if !slices.Equal(back.ACLs(), []acl.Binding{b2, b1}) {
		t.Fatal("delete modified the parent image")
	}
}
