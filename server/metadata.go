package server

import (
	"github.com/fjordlog/fjord/server/cluster"
)

// topicConfigOf returns a topic's effective configuration.
func topicConfigOf(t *cluster.TopicMeta) topicConfig { return topicConfig{overrides: t.Configs} }

// validateTopicName applies Kafka's rules: 1-249 characters of
// [a-zA-Z0-9._-], not "." or "..".
func validateTopicName(name string) error {
	switch {
	case name == "":
		return errorf(ReasonInvalidTopic, "topic name is empty")
	case name == "." || name == "..":
		return errorf(ReasonInvalidTopic, "topic name %q is not allowed", name).with("topic", name)
	case len(name) > 249:
		return errorf(ReasonInvalidTopic, "topic name is %d characters long, the limit is 249", len(name)).with("topic", name)
	}
	for i, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return errorf(ReasonInvalidTopic, "topic name %q has invalid character %q at %d; use [a-zA-Z0-9._-]", name, r, i).with("topic", name)
		}
	}
	return nil
}

// topicSpec is a request to create a topic.
type topicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int32
	Configs           map[string]string
	Internal          bool
}

// alterOp is one incremental config change.
type alterOp struct {
	Name   string
	Value  string
	Delete bool
}

// maxPartitions bounds partitions per topic to keep a typo from creating
// millions of directories.
const maxPartitions = 10000
