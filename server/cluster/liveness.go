package cluster

import "time"

// Liveness is the controller leader's soft state about broker sessions: when
// each broker last heartbeat, by the leader's clock. It is deliberately not
// replicated (see doc.go): a new leader starts every session afresh with
// Reset, giving each broker a full session timeout to reach it. Liveness
// is not safe for concurrent use; the Controller guards it.
type Liveness struct {
	timeout time.Duration
	last    map[int32]time.Time
	// now0 is when the sessions were last reset: a broker never seen since
	// counts as seen then, unless it is a suspect.
	now0 time.Time
	// suspects count as last seen at an earlier time after a reset.
	suspects map[int32]time.Time
}

// NewLiveness returns a tracker that expires sessions after timeout.
func NewLiveness(timeout time.Duration) *Liveness {
	return &Liveness{timeout: timeout, last: map[int32]time.Time{}}
}

// Heartbeat records a heartbeat (or registration) of broker id at now.
func (l *Liveness) Heartbeat(id int32, now time.Time) {
	if now.After(l.last[id]) {
		l.last[id] = now
	}
}

// Reset starts every session at now: called when this node becomes leader.
func (l *Liveness) Reset(now time.Time) {
	clear(l.last)
	clear(l.suspects)
	l.now0 = now
}

// Suspect shortens the grace of broker id after a Reset: until it
// heartbeats it counts as last seen at since. A new controller leader
// suspects the previous leader, which in combined mode most often lost its
// leadership by dying, so its partitions move sooner.
func (l *Liveness) Suspect(id int32, since time.Time) {
	if l.suspects == nil {
		l.suspects = map[int32]time.Time{}
	}
	l.suspects[id] = since
}

// Fresh reports whether broker id heartbeat within the session timeout.
func (l *Liveness) Fresh(id int32, now time.Time) bool {
	return now.Sub(l.lastSeen(id)) <= l.timeout
}

func (l *Liveness) lastSeen(id int32) time.Time {
	if t, ok := l.last[id]; ok && t.After(l.now0) {
		return t
	}
	if t, ok := l.suspects[id]; ok {
		return t
	}
	return l.now0
}

// Expired returns, in id order, the sessions in img that are not fenced and
// whose last heartbeat is older than the session timeout at now: the
// brokers the leader should fence.
func (l *Liveness) Expired(img *Image, now time.Time) []BrokerRef {
	var out []BrokerRef
	for _, b := range img.Brokers() {
		if b.State == BrokerFenced {
			continue
		}
		if !l.Fresh(b.ID, now) {
			out = append(out, BrokerRef{ID: b.ID, Epoch: b.Epoch})
		}
	}
	return out
}
