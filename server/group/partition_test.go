package group

import "testing"

func TestPartition(t *testing.T) {
	// Expected values computed with Java: abs(s.hashCode()) % n, with
	// Kafka's Utils.abs mapping Integer.MIN_VALUE to 0.
	for _, c := range []struct {
		group   string
		n50, n7 int32
	}{
		{"", 0, 0},
		{"a", 47, 6},
		{"hello", 22, 0},
		{"my-group", 12, 1},          // negative hash
		{"polygenelubricants", 0, 0}, // hash is Integer.MIN_VALUE
		{"consumer-group-42", 17, 3},
		{"groupé", 6, 0},        // non-ASCII
		{"g\U0001F600x", 12, 2}, // a surrogate pair in UTF-16
		{"connect-cluster", 13, 5},
		{"zzzzzzzzzzzzzzzzzzzz", 18, 6}, // overflowing
	} {
		if got := Partition(c.group, 50); got != c.n50 {
			t.Errorf("Partition(%q, 50) = %d, want %d", c.group, got, c.n50)
		}
		if got := Partition(c.group, 7); got != c.n7 {
			t.Errorf("Partition(%q, 7) = %d, want %d", c.group, got, c.n7)
		}
	}
	if got := Partition("x", 0); got != 0 {
		t.Errorf("Partition with n = 0: %d", got)
	}
}

func TestGroupStateString(t *testing.T) {
	for s, want := range map[GroupState]string{StateEmpty: "Empty", StateAssigning: "Assigning",
		StateReconciling: "Reconciling", StateStable: "Stable", StateDead: "Dead", GroupState(42): "Unknown"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
}
