// Package group is the pure core of the consumer group coordinator: one
// Shard per loaded __consumer_offsets partition holds that partition's
// groups, members, epochs, assignments, timers and committed offsets. It does
// no I/O, reads no clock and starts no goroutines.
package group
