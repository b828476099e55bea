package fjord

import (
	"strings"
	"testing"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// TestACLEnumsMatchProto: the SDK's ACL enums are the proto's numbers,
// converted by a cast, so every proto value must have the same name here.
func TestACLEnumsMatchProto(t *testing.T) {
	for _, tt := range []struct {
		names  map[int32]string
		prefix string
		sdk    func(int32) string
	}{
		{fjordv1.AclResourceType_name, "ACL_RESOURCE_TYPE_", func(v int32) string { return ACLResourceType(v).String() }},
		{fjordv1.AclPatternType_name, "ACL_PATTERN_TYPE_", func(v int32) string { return ACLPatternType(v).String() }},
		{fjordv1.AclOperation_name, "ACL_OPERATION_", func(v int32) string { return ACLOperation(v).String() }},
		{fjordv1.AclPermission_name, "ACL_PERMISSION_", func(v int32) string { return ACLPermission(v).String() }},
	} {
		for v, name := range tt.names {
			want := strings.ToLower(strings.TrimPrefix(name, tt.prefix))
			if want == "unspecified" {
				want = "any"
			}
			if got := tt.sdk(v); got != want {
				t.Errorf("%s (%d) is %q in the SDK, want %q", name, v, got, want)
			}
		}
		if got := tt.sdk(int32(len(tt.names))); !strings.HasPrefix(got, "unknown(") {
			t.Errorf("%s%d: String() = %q, want unknown(...): the SDK knows a value the proto lacks", tt.prefix, len(tt.names), got)
		}
	}
}

func TestParseACLOperation(t *testing.T) {
	for in, want := range map[string]ACLOperation{"read": ACLRead, "WRITE": ACLWrite, " all ": ACLAll,
		"idempotent-write": ACLIdempotentWrite, "Cluster_Action": ACLClusterAction} {
		if got, err := ParseACLOperation(in); err != nil || got != want {
			t.Errorf("ParseACLOperation(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "any", "reed", "read,write"} {
		if _, err := ParseACLOperation(in); err == nil || !strings.Contains(err.Error(), "want one of read, write, create") {
			t.Errorf("ParseACLOperation(%q): error %v", in, err)
		}
	}
	if got, err := ParseACLResourceType("Subject"); err != nil || got != ACLSubject {
		t.Errorf("ParseACLResourceType(Subject) = %v, %v", got, err)
	}
}
