package acl

import "testing"

func bind(principal string, typ ResourceType, pt PatternType, name string, op Operation, perm Permission) Binding {
	return Binding{Principal: principal, Host: "*", ResourceType: typ, PatternType: pt, ResourceName: name, Operation: op, Permission: perm}
}

func TestAuthorize(t *testing.T) {
	bindings := []Binding{
		bind("User:alice", Topic, Prefixed, "orders-", Write, Allow),
		bind("User:alice", Topic, Literal, "orders-secret", Write, Deny),
		bind("User:bob", Topic, Literal, "*", Read, Allow),
		bind("User:bob", Topic, Literal, "payments", All, Deny),
		bind("User:*", Group, Prefixed, "app-", Read, Allow),
		bind("User:carol", Cluster, Literal, ClusterName, Alter, Allow),
		bind("User:dave", Subject, Literal, "s-value", Describe, Deny),
		bind("User:dave", Subject, Literal, "s-value", Read, Allow),
	}
	a := New(true, []string{"User:admin"}, bindings)
	for _, tc := range []struct {
		principal string
		op        Operation
		typ       ResourceType
		name      string
		want      bool
	}{
		{"User:alice", Write, Topic, "orders-1", true},
		{"User:alice", Write, Topic, "orders-", true},
		{"User:alice", Write, Topic, "orders", false},          // shorter than the prefix
		{"User:alice", Write, Topic, "payments", false},        // default deny
		{"User:alice", Read, Topic, "orders-1", false},         // write does not imply read
		{"User:alice", Describe, Topic, "orders-1", true},      // implied describe
		{"User:alice", Write, Topic, "orders-secret", false},   // deny wins over the prefix allow
		{"User:alice", Describe, Topic, "orders-secret", true}, // a deny write does not deny describe
		{"User:alice", Write, Group, "orders-1", false},        // other resource type
		{"User:bob", Read, Topic, "anything", true},            // literal wildcard
		{"User:bob", Read, Topic, "payments", false},           // deny all wins
		{"User:bob", Describe, Topic, "payments", false},
		{"User:eve", Read, Group, "app-1", true},  // wildcard principal
		{"User:eve", Read, Group, "other", false}, // prefix miss
		{"User:carol", Alter, Cluster, ClusterName, true},
		{"User:carol", Describe, Cluster, ClusterName, true},
		{"User:carol", Create, Cluster, ClusterName, false},
		{"User:dave", Read, Subject, "s-value", true},
		{"User:dave", Describe, Subject, "s-value", false}, // explicit deny describe beats implied
		{"User:admin", Delete, Topic, "payments", true},    // super user
		{"User:ANONYMOUS", Describe, Topic, "orders-1", false},
	} {
		if got := a.Allowed(tc.principal, tc.op, tc.typ, tc.name); got != tc.want {
			t.Errorf("Allowed(%s, %s, %s, %s) = %v, want %v", tc.principal, tc.op, tc.typ, tc.name, got, tc.want)
		}
	}
	if d := a.Authorize("User:alice", Write, Topic, "orders-secret"); d.Binding == nil || d.Binding.Permission != Deny {
		t.Errorf("deny decision names binding %v, want the deny", d.Binding)
	}
	if !New(false, nil, nil).Allowed("User:x", Delete, Cluster, ClusterName) {
		t.Error("a disabled authorizer denied")
	}
	if New(true, nil, nil).Allowed("User:x", Describe, Topic, "t") {
		t.Error("an enabled authorizer without bindings allowed")
	}
}

func TestAllowedAny(t *testing.T) {
	a := New(true, nil, []Binding{
		bind("User:alice", Topic, Prefixed, "orders-", Write, Allow),
		bind("User:bob", Topic, Literal, "t", Write, Allow),
		bind("User:bob", Topic, Literal, "*", Write, Deny),
	})
	for _, tc := range []struct {
		principal string
		want      bool
	}{{"User:alice", true}, {"User:bob", false}, {"User:carol", false}} {
		if got := a.AllowedAny(tc.principal, Write, Topic); got != tc.want {
			t.Errorf("AllowedAny(%s) = %v, want %v", tc.principal, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := bind("User:alice", Topic, Literal, "t", Read, Allow)
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Binding){
		"principal":    func(b *Binding) { b.Principal = "alice" },
		"host":         func(b *Binding) { b.Host = "10.0.0.1" },
		"type":         func(b *Binding) { b.ResourceType = "table" },
		"pattern":      func(b *Binding) { b.PatternType = "regex" },
		"empty name":   func(b *Binding) { b.ResourceName = "" },
		"cluster name": func(b *Binding) { b.ResourceType = Cluster; b.ResourceName = "c" },
		"operation":    func(b *Binding) { b.Operation = "fly" },
		"permission":   func(b *Binding) { b.Permission = "maybe" },
	} {
		b := ok
		mut(&b)
		if err := b.Validate(); err == nil {
			t.Errorf("%s: Validate(%v) passed", name, b)
		}
	}
}

func TestFilter(t *testing.T) {
	bs := []Binding{
		bind("User:alice", Topic, Prefixed, "orders-", Write, Allow),
		bind("User:alice", Topic, Literal, "orders-1", Read, Allow),
		bind("User:bob", Topic, Literal, "*", Read, Deny),
		bind("User:bob", Group, Literal, "g", Read, Allow),
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"all", Filter{}, 4},
		{"principal", Filter{Principal: "User:alice"}, 2},
		{"type", Filter{ResourceType: Group}, 1},
		{"exact name", Filter{ResourceName: "orders-"}, 1},
		{"pattern", Filter{PatternType: "prefixed"}, 1},
		{"match", Filter{ResourceType: Topic, PatternType: "match", ResourceName: "orders-1"}, 3},
		{"op and permission", Filter{Operation: Read, Permission: Deny}, 1},
	} {
		if got := tc.f.Select(bs); len(got) != tc.want {
			t.Errorf("%s: Select = %v, want %d bindings", tc.name, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	if op, err := ParseOperation("Idempotent-Write"); err != nil || op != IdempotentWrite {
		t.Errorf("ParseOperation = %v, %v", op, err)
	}
	if _, err := ParseOperation("fly"); err == nil {
		t.Error("ParseOperation(fly) passed")
	}
	if rt, err := ParseResourceType("TOPIC"); err != nil || rt != Topic {
		t.Errorf("ParseResourceType = %v, %v", rt, err)
	}
}
