package group

import "unicode/utf16"

// Partition returns the __consumer_offsets partition holding groupID among n
// partitions: abs(javaStringHashCode(groupID)) % n, Kafka's rule, so a group
// maps to the same partition number as in Kafka.
func Partition(groupID string, n int32) int32 {
	if n <= 0 {
		return 0
	}
	var h int32
	for _, c := range utf16.Encode([]rune(groupID)) {
		h = 31*h + int32(c)
	}
	// Kafka's Utils.abs maps MinInt32 to 0.
	if h == -1<<31 {
		h = 0
	} else if h < 0 {
		h = -h
	}
	return h % n
}
