package group

import (
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/fjordlog/fjord/server/group/assign"
)

// Bounds on what a member's record holds. The record, with the member's
// assignment, must fit in one __consumer_offsets batch (1 MiB by default):
// one that does not fails its append and reloads the whole shard, and the
// client, told COORDINATOR_NOT_AVAILABLE, would retry into the same failure.
const (
	// maxIDBytes bounds group, member and instance ids, racks and client ids.
	maxIDBytes = 255
	// maxSubscriptionBytes bounds a subscription's topic names and pattern
	// together.
	maxSubscriptionBytes = 256 << 10
)

// badID returns why id is not acceptable as an id, "" if it is.
func badID(id string) string {
	switch {
	case id == "":
		return "empty"
	case len(id) > maxIDBytes:
		return "longer than 255 bytes"
	case !utf8.ValidString(id):
		return "not valid utf-8"
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "holds a control character"
		}
	}
	return ""
}

// ValidateGroupID checks a group id: 1 to 255 bytes of UTF-8 without control
// characters. It fails with an *Error of reason INVALID_GROUP_ID.
func ValidateGroupID(groupID string) error {
	if why := badID(groupID); why != "" {
		return errorf(ReasonInvalidGroupID, "invalid group id %q: %s", clip(groupID), why)
	}
	return nil
}

// compileSubscription checks sub and compiles its pattern, anchored so that
// it must match whole topic names.
func compileSubscription(groupID, memberID string, sub Subscription) (*regexp.Regexp, error) {
	size := len(sub.Pattern)
	for _, t := range sub.Topics {
		size += len(t)
	}
	switch {
	case size > maxSubscriptionBytes:
		return nil, errMember(ReasonInvalidRequest, groupID, memberID,
			"subscription of %d bytes (topic names and pattern) exceeds %d; subscribe with a shorter pattern", size, maxSubscriptionBytes)
	case len(sub.Topics) > 0 && sub.Pattern != "":
		return nil, errMember(ReasonInvalidRequest, groupID, memberID, "subscription names both topics and a pattern")
	case len(sub.Topics) == 0 && sub.Pattern == "":
		return nil, errMember(ReasonInvalidRequest, groupID, memberID, "subscription names no topic and no pattern")
	case sub.Pattern != "":
		re, err := regexp.Compile(`^(?:` + sub.Pattern + `)$`)
		if err != nil {
			return nil, errMember(ReasonInvalidRequest, groupID, memberID, "subscription pattern %q: %v", clip(sub.Pattern), err)
		}
		return re, nil
	}
	for _, t := range sub.Topics {
		if t == "" {
			return nil, errMember(ReasonInvalidRequest, groupID, memberID, "subscription names an empty topic")
		}
	}
	return nil, nil
}

// joinParams is a JoinRequest checked and with defaults applied.
type joinParams struct {
	re               *regexp.Regexp
	sub              Subscription
	assignor         string // canonical
	sessionTimeout   time.Duration
	rebalanceTimeout time.Duration
	owned            []TopicPartition
}

func (s *Shard) checkJoin(req JoinRequest) (joinParams, error) {
	var p joinParams
	if err := ValidateGroupID(req.Group); err != nil {
		return p, err
	}
	if why := badID(req.MemberID); why != "" {
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "invalid member id: %s", why)
	}
	if req.InstanceID != "" {
		if why := badID(req.InstanceID); why != "" {
			return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "invalid instance id %q: %s", clip(req.InstanceID), why)
		}
	}
	if len(req.Rack) > maxIDBytes {
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "rack of %d bytes exceeds %d", len(req.Rack), maxIDBytes)
	}
	if len(req.ClientID) > maxIDBytes {
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "client id of %d bytes exceeds %d", len(req.ClientID), maxIDBytes)
	}
	if req.MemberEpoch < 0 {
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "negative member epoch %d", req.MemberEpoch)
	}
	re, err := compileSubscription(req.Group, req.MemberID, req.Subscription)
	if err != nil {
		return p, err
	}
	p.re = re
	p.sub = Subscription{Pattern: req.Subscription.Pattern}
	if len(req.Subscription.Topics) > 0 {
		p.sub.Topics = append([]string(nil), req.Subscription.Topics...)
	}
	a, err := assign.New(req.Assignor)
	if err != nil {
		return p, errMember(ReasonUnknownAssignor, req.Group, req.MemberID, "unsupported assignor %q (supported: uniform, cooperative-sticky, sticky, range, roundrobin)", clip(req.Assignor))
	}
	p.assignor = a.Name()

	// Timeouts are stored in milliseconds; keep only what is stored.
	p.sessionTimeout = req.SessionTimeout.Truncate(time.Millisecond)
	switch {
	case req.SessionTimeout == 0:
		p.sessionTimeout = s.cfg.DefaultSessionTimeout.Truncate(time.Millisecond)
	case p.sessionTimeout < s.cfg.MinSessionTimeout || p.sessionTimeout > s.cfg.MaxSessionTimeout:
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "session timeout %v outside [%v, %v]",
			req.SessionTimeout, s.cfg.MinSessionTimeout, s.cfg.MaxSessionTimeout)
	}
	p.rebalanceTimeout = req.RebalanceTimeout.Truncate(time.Millisecond)
	switch {
	case req.RebalanceTimeout == 0:
		p.rebalanceTimeout = s.cfg.DefaultRebalanceTimeout.Truncate(time.Millisecond)
	case p.rebalanceTimeout <= 0:
		return p, errMember(ReasonInvalidRequest, req.Group, req.MemberID, "invalid rebalance timeout %v", req.RebalanceTimeout)
	}
	p.owned = normTPs(req.Owned)
	return p, nil
}
