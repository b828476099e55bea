//go:build unix

package testcluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// This file runs consumer group members as processes: each GroupWorker is
// one `groupworker` (./internal/testcluster/groupworker) holding one SDK
// GroupConsumer, and reports what it does as JSON lines (see that
// command's doc), which the worker collects as WorkerEvents.

var (
	workerOnce sync.Once
	workerPath string
	workerErr  error
)

// WorkerBinary builds ./internal/testcluster/groupworker once per test
// process and returns its path.
func WorkerBinary(t testing.TB) string {
	t.Helper()
	workerOnce.Do(func() {
		root, err := repoRoot()
		if err != nil {
			workerErr = err
			return
		}
		dir, err := os.MkdirTemp("", "fjord-groupworker-")
		if err != nil {
			workerErr = err
			return
		}
		workerPath = filepath.Join(dir, "groupworker")
		cmd := exec.Command("go", "build", "-o", workerPath, "./internal/testcluster/groupworker")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			workerErr = fmt.Errorf("go build ./internal/testcluster/groupworker: %v\n%s", err, out)
		}
	})
	if workerErr != nil {
		t.Fatal(workerErr)
	}
	return workerPath
}

// Mono is a reading of CLOCK_MONOTONIC in nanoseconds: one clock for every
// process of the machine, unlike time.Time's monotonic reading, and immune
// to wall clock jumps. Worker events carry it.
type Mono int64

// MonoNow reads CLOCK_MONOTONIC.
func MonoNow() Mono {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic(err) // CLOCK_MONOTONIC exists on every supported system
	}
	return Mono(ts.Nano())
}

// Sub returns m-o.
func (m Mono) Sub(o Mono) time.Duration { return time.Duration(m - o) }

// Add returns m+d.
func (m Mono) Add(d time.Duration) Mono { return m + Mono(d) }

// TP names a partition.
type TP struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"p"`
}

func (tp TP) String() string { return fmt.Sprintf("%s-%d", tp.Topic, tp.Partition) }

// CommitResult is one offset of a commit, with its per-partition failure
// reason ("" when stored).
type CommitResult struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"p"`
	Offset    int64  `json:"off"`
	Reason    string `json:"reason,omitempty"`
}

// WorkerEvent is one line of a worker's output (the groupworker command
// documents the events and writes them with this type).
type WorkerEvent struct {
	T       Mono           `json:"t"`
	Ev      string         `json:"ev"`
	Member  string         `json:"member,omitempty"`
	TPs     []TP           `json:"tps,omitempty"`
	Pending []TP           `json:"pending,omitempty"`
	Topic   string         `json:"topic,omitempty"`
	P       int32          `json:"p"`
	Off     int64          `json:"off"`
	Key     string         `json:"key,omitempty"`
	Epoch   int32          `json:"epoch,omitempty"`
	Offsets []CommitResult `json:"offsets,omitempty"`
	PErr    []CommitResult `json:"perr,omitempty"`
	Err     string         `json:"err,omitempty"`
	// Sent is when a commit was sent (T is when it returned).
	Sent Mono `json:"sent,omitempty"`
	// Addr is the broker a commit or Membership stream went to.
	Addr string `json:"addr,omitempty"`

	// Worker names the worker that printed the event (set by the harness).
	Worker string `json:"-"`
}

// RPCReason is the ErrorInfo reason of an RPC error, else its code and
// message.
func RPCReason(err error) string {
	st := status.Convert(err)
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() != "" {
			return info.GetReason()
		}
	}
	return st.Code().String() + ": " + st.Message()
}

// Stored reports whether a commit event's offset for tp was stored.
func (e WorkerEvent) Stored(tp TP) bool {
	if e.Err != "" {
		return false
	}
	return !slices.ContainsFunc(e.PErr, func(r CommitResult) bool { return r.Topic == tp.Topic && r.Partition == tp.Partition })
}

// WorkerConfig describes a GroupWorker.
type WorkerConfig struct {
	// Name labels the worker in events and messages.
	Name    string
	Brokers []string
	Group   string
	Topics  []string
	// InstanceID makes the member static.
	InstanceID     string
	SessionTimeout time.Duration
	// CommitProcessed commits each Poll's records after processing them
	// (CommitRecords); otherwise the worker auto-commits every
	// AutoCommitInterval (default 1s).
	CommitProcessed    bool
	AutoCommitInterval time.Duration
	// ProcessDelay is the simulated processing time of each non-empty Poll.
	ProcessDelay time.Duration
	// RequestTimeout is the client's (default 3s).
	RequestTimeout time.Duration
}

// GroupWorker is one groupworker process. Its methods are meant for the
// test goroutine, except Events, Owned and MemberID.
type GroupWorker struct {
	t   testing.TB
	cfg WorkerConfig
	cmd *exec.Cmd
	// exited is closed once the process exited and its output was read.
	exited chan struct{}
	stderr *syncBuffer

	// mu guards the fields below.
	mu         sync.Mutex
	events     []WorkerEvent
	member     string
	expectExit bool
	// ExitedAt is when the harness saw the process gone.
	exitedAt Mono
	// changed is closed and replaced whenever an event arrives.
	changed chan struct{}
}

// StartGroupWorker starts a worker and waits until it created its
// consumer. It is killed at test cleanup; an exit the test did not cause is
// reported as a failure.
func StartGroupWorker(t testing.TB, cfg WorkerConfig) *GroupWorker {
	t.Helper()
	args := []string{
		"-brokers", strings.Join(cfg.Brokers, ","),
		"-group", cfg.Group,
		"-topics", strings.Join(cfg.Topics, ","),
		"-session-timeout", cfg.SessionTimeout.String(),
		"-process-delay", cfg.ProcessDelay.String(),
	}
	if cfg.InstanceID != "" {
		args = append(args, "-instance-id", cfg.InstanceID)
	}
	if cfg.RequestTimeout > 0 {
		args = append(args, "-request-timeout", cfg.RequestTimeout.String())
	}
	if cfg.CommitProcessed {
		args = append(args, "-commit", "processed")
	} else {
		args = append(args, "-commit", "auto")
		if cfg.AutoCommitInterval > 0 {
			args = append(args, "-auto-commit-interval", cfg.AutoCommitInterval.String())
		}
	}
	w := &GroupWorker{t: t, cfg: cfg, exited: make(chan struct{}), stderr: &syncBuffer{max: 1 << 20}, changed: make(chan struct{})}
	w.cmd = exec.Command(WorkerBinary(t), args...)
	w.cmd.Stderr = w.stderr
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go w.read(stdout)
	t.Cleanup(w.cleanup)
	if _, ok := w.WaitEvent(10*time.Second, func(e WorkerEvent) bool { return e.Ev == "start" }); !ok {
		t.Fatalf("group worker %s did not start within 10s:\n%s", cfg.Name, w.Stderr())
	}
	return w
}

// read collects the worker's events until its stdout closes, then waits
// for the process.
func (w *GroupWorker) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e WorkerEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintf(w.stderr, "testcluster: unparsable worker output %q: %v\n", sc.Text(), err)
			continue
		}
		e.Worker = w.cfg.Name
		w.mu.Lock()
		if e.Ev == "start" {
			w.member = e.Member
		}
		w.events = append(w.events, e)
		close(w.changed)
		w.changed = make(chan struct{})
		w.mu.Unlock()
	}
	w.cmd.Wait()
	w.mu.Lock()
	w.exitedAt = MonoNow()
	close(w.changed)
	w.changed = make(chan struct{})
	w.mu.Unlock()
	close(w.exited)
}

// cleanup kills the process and reports an exit the test did not cause.
func (w *GroupWorker) cleanup() {
	w.mu.Lock()
	crashed := !w.expectExit && isClosed(w.exited)
	w.mu.Unlock()
	if crashed {
		w.t.Errorf("group worker %s exited on its own (%s):\n%s", w.cfg.Name, w.cmd.ProcessState, tail(w.Stderr(), 16<<10))
	} else if w.t.Failed() {
		w.t.Logf("--- stderr of group worker %s (tail) ---\n%s", w.cfg.Name, tail(w.Stderr(), 8<<10))
	}
	w.Kill()
}

// Name is the worker's label.
func (w *GroupWorker) Name() string { return w.cfg.Name }

// MemberID is the consumer's member id.
func (w *GroupWorker) MemberID() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.member
}

// Stderr is what the process wrote to stderr.
func (w *GroupWorker) Stderr() string { return w.stderr.String() }

// Running reports whether the process has not exited.
func (w *GroupWorker) Running() bool { return !isClosed(w.exited) }

// Events returns the events so far.
func (w *GroupWorker) Events() []WorkerEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.events)
}

// Owned returns the partitions the worker owns after its last event.
func (w *GroupWorker) Owned() map[TP]bool {
	owned := map[TP]bool{}
	for _, e := range w.Events() {
		switch e.Ev {
		case "assigned":
			for _, tp := range e.TPs {
				owned[tp] = true
			}
		case "revoked", "lost":
			for _, tp := range e.TPs {
				delete(owned, tp)
			}
		}
	}
	return owned
}

// WaitEvent waits for an event matching cond (among all so far) and
// returns the first one.
func (w *GroupWorker) WaitEvent(timeout time.Duration, cond func(WorkerEvent) bool) (WorkerEvent, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		w.mu.Lock()
		evs, changed := w.events[seen:], w.changed
		seen = len(w.events)
		w.mu.Unlock()
		for _, e := range evs {
			if cond(e) {
				return e, true
			}
		}
		select {
		case <-changed:
		case <-deadline.C:
			return WorkerEvent{}, false
		}
	}
}

// signal sends sig; expect marks the exit it causes as the test's doing.
func (w *GroupWorker) signal(sig syscall.Signal, expect bool) bool {
	if isClosed(w.exited) {
		return false
	}
	if expect {
		w.mu.Lock()
		w.expectExit = true
		w.mu.Unlock()
	}
	return w.cmd.Process.Signal(sig) == nil
}

// Kill sends SIGKILL, waits for the exit and returns when it was seen (an
// upper bound of the moment the process stopped doing anything).
func (w *GroupWorker) Kill() Mono {
	w.signal(syscall.SIGKILL, true) // a paused process dies of it too
	<-w.exited
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.exitedAt
}

// Stop sends SIGTERM (the worker closes its consumer: revoke, commit,
// leave) and waits up to 30s for a clean exit.
func (w *GroupWorker) Stop() {
	w.t.Helper()
	if !w.signal(syscall.SIGTERM, true) {
		w.t.Fatalf("group worker %s is not running", w.cfg.Name)
	}
	select {
	case <-w.exited:
	case <-time.After(30 * time.Second):
		w.t.Fatalf("group worker %s ignored SIGTERM for 30s:\n%s", w.cfg.Name, tail(w.Stderr(), 8<<10))
	}
	if !w.cmd.ProcessState.Success() {
		w.t.Fatalf("group worker %s exited with %s after SIGTERM:\n%s", w.cfg.Name, w.cmd.ProcessState, tail(w.Stderr(), 8<<10))
	}
}

// Pause freezes the worker with SIGSTOP.
func (w *GroupWorker) Pause() {
	w.t.Helper()
	if !w.signal(syscall.SIGSTOP, false) {
		w.t.Fatalf("group worker %s: SIGSTOP failed", w.cfg.Name)
	}
}

// Resume continues a paused worker with SIGCONT.
func (w *GroupWorker) Resume() {
	w.t.Helper()
	if !w.signal(syscall.SIGCONT, false) {
		w.t.Fatalf("group worker %s: SIGCONT failed", w.cfg.Name)
	}
}
