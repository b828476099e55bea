package cluster

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/raft"
)

// fsm adapts the pure Image state machine to raft.FSM and publishes every
// new image to watchers.
type fsm struct {
	logger *slog.Logger

	// mu guards img and changed. raft calls Apply and Restore from one
	// goroutine; readers take mu briefly to load the pointers.
	mu  sync.Mutex
	img *Image
	// changed is closed, and replaced, whenever img is replaced.
	changed chan struct{}

	// leading mirrors the controller's view of its raft leadership;
	// leaderChanges counts the partition leader changes applied while set.
	leading       atomic.Bool
	leaderChanges atomic.Int64
}

var (
	_ raft.FSM         = (*fsm)(nil)
	_ raft.FSMSnapshot = fsmSnapshot{}
)

func newFSM(logger *slog.Logger) *fsm {
	return &fsm{logger: logger, img: NewImage(), changed: make(chan struct{})}
}

// applyResponse is what Apply hands back through the raft ApplyFuture.
type applyResponse struct {
	res Result
	err error
}

func (f *fsm) current() (*Image, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.img, f.changed
}

func (f *fsm) install(img *Image) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.img = img
	close(f.changed)
	f.changed = make(chan struct{})
}

// Apply applies a committed log entry.
func (f *fsm) Apply(l *raft.Log) any {
	rec, err := DecodeRecord(l.Data)
	if err != nil {
		// Every replica rejects the same bytes the same way, so the images
		// stay equal; the log keeps the entry.
		f.logger.Error("cluster: skipping undecodable metadata record", "index", l.Index, "err", err)
		return applyResponse{err: err}
	}
	cur, _ := f.current()
	next, res, err := cur.Apply(l.Index, rec)
	if next != cur {
		if f.leading.Load() {
			f.leaderChanges.Add(int64(leaderChanges(cur, next)))
		}
		f.install(next)
	}
	return applyResponse{res: res, err: err}
}

// leaderChanges counts the partitions of cur that next gives another
// leader (not none): elections after fencing, preferred-leader elections,
// moves by reassignment or controlled shutdown. Images share unchanged
// topics, so only changed ones are compared.
func leaderChanges(cur, next *Image) int {
	n := 0
	for name, nt := range next.topics {
		ct, ok := cur.topics[name]
		if !ok || ct == nt || ct.ID != nt.ID {
			continue
		}
		for i := range min(len(ct.Partitions), len(nt.Partitions)) {
			if l := nt.Partitions[i].Leader; l != NoLeader && l != ct.Partitions[i].Leader {
				n++
			}
		}
	}
	return n
}

// Snapshot captures the current image; images are immutable, so no copy is
// needed and Apply may continue while Persist runs.
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	img, _ := f.current()
	return fsmSnapshot{img}, nil
}

// Restore replaces the image with a snapshot's.
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("cluster: read snapshot: %w", err)
	}
	img, err := Restore(data)
	if err != nil {
		return err
	}
	f.install(img)
	return nil
}

type fsmSnapshot struct{ img *Image }

func (s fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	data, err := s.img.Snapshot()
	if err == nil {
		_, err = sink.Write(data)
	}
	if err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("cluster: persist snapshot: %w", err)
	}
	return sink.Close()
}

func (fsmSnapshot) Release() {}
