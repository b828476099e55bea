package group

import (
	"slices"
)

// Partition lists are kept sorted by TopicPartition.Compare, without
// duplicates, and nil when empty, so that equal sets are equal values (and
// encode to equal bytes).

// normTPs returns tps sorted, without duplicates, nil if empty. It copies.
func normTPs(tps []TopicPartition) []TopicPartition {
	if len(tps) == 0 {
		return nil
	}
	s := slices.Clone(tps)
	slices.SortFunc(s, TopicPartition.Compare)
	return slices.Compact(s)
}

// nilIfEmpty returns nil for an empty list, else tps.
func nilIfEmpty(tps []TopicPartition) []TopicPartition {
	if len(tps) == 0 {
		return nil
	}
	return tps
}

// equalTPs reports whether two normalised lists are equal (nil equals empty).
func equalTPs(a, b []TopicPartition) bool {
	return slices.Equal(a, b)
}

// containsTP reports whether the sorted list tps holds tp.
func containsTP(tps []TopicPartition, tp TopicPartition) bool {
	_, ok := slices.BinarySearchFunc(tps, tp, TopicPartition.Compare)
	return ok
}

// subsetTPs reports whether every element of the sorted list a is in the
// sorted list b.
func subsetTPs(a, b []TopicPartition) bool {
	for _, tp := range a {
		if !containsTP(b, tp) {
			return false
		}
	}
	return true
}

// unionTPs merges two sorted lists into a new sorted list without duplicates.
func unionTPs(a, b []TopicPartition) []TopicPartition {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]TopicPartition, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := a[i].Compare(b[j]); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersectTPs returns the elements of sorted a that are in sorted b, nil if
// none.
func intersectTPs(a, b []TopicPartition) []TopicPartition {
	var out []TopicPartition
	for _, tp := range a {
		if containsTP(b, tp) {
			out = append(out, tp)
		}
	}
	return out
}
