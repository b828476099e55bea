package storage_test

import (
	"encoding/binary"
	"fmt"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
)

// TestDataDriven runs the scripts in testdata/ (index, recovery, ...).
// Commands:
//
//	open [segment-bytes=N] [index-interval=N] [max-index-bytes=N]
//	append [n=records] [ts=ms] [epoch=E] [value-size=N]
//	       [pid=P pepoch=PE seq=S]                          -> offsets
//	producers                                               -> producer state
//	expire ms=T (advance the clock, then Maintain)
//	sync | close | reopen | crash                           -> state
//	read offset=O [max-bytes=N] [max-offset=M]              -> batches
//	time ts=T                                               -> offset
//	truncate offset=O | delete-before offset=O
//	files                                                   -> files and index entries
//	damage file=F (truncate=N | zero-extend=N | flip=POS | garbage=N) | remove file=F
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata/datadriven", func(t *testing.T, p string) {
		e := newEnv(t)
		o := e.opts()
		var l *storage.Log
		defer func() {
			if l != nil {
				l.Close()
			}
		}()
		state := func() string {
			return fmt.Sprintf("start=%d leo=%d hw=%d rp=%d segments=%d size=%d\n",
				l.LogStartOffset(), l.LogEndOffset(), l.HighWatermark(), l.RecoveryPoint(), l.NumSegments(), l.Size())
		}
		reopen := func() string {
			var err error
			l, err = storage.Open(e.dir, o)
			if err != nil {
				l = nil
				return fmt.Sprintf("error: %v\n", err)
			}
			return state()
		}
		datadriven.RunTest(t, p, func(t *testing.T, d *datadriven.TestData) string {
			arg := func(name string, def int) int {
				if d.HasArg(name) {
					var v int
					d.ScanArgs(t, name, &v)
					return v
				}
				return def
			}
			switch d.Cmd {
			case "open":
				o.SegmentBytes = int64(arg("segment-bytes", 1<<20))
				o.IndexIntervalBytes = arg("index-interval", 4096)
				o.MaxIndexBytes = arg("max-index-bytes", 1<<20)
				return reopen()
			case "append":
				n, vs := arg("n", 1), arg("value-size", 10)
				ts := int64(arg("ts", 1))
				var b storage.BatchBuilder
				for i := 0; i < n; i++ {
					b.Add([]byte(fmt.Sprintf("k%d", i)), []byte(strings.Repeat("v", vs)), ts)
				}
				b.ProducerID, b.ProducerEpoch, b.BaseSequence = int64(arg("pid", 0)), int32(arg("pepoch", 0)), int32(arg("seq", 0))
				raw, _ := b.Build(nil)
				res, err := l.AppendLeader(raw, int32(arg("epoch", 0)))
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				if res.Duplicate {
					return fmt.Sprintf("duplicate of offsets %d..%d\n", res.BaseOffset, res.LastOffset)
				}
				return fmt.Sprintf("offsets %d..%d bytes=%d\n", res.BaseOffset, res.LastOffset, res.Bytes)
			case "producers":
				return l.DescribeProducers() + fmt.Sprintf("count=%d\n", l.NumProducers())
			case "expire":
				e.clock.Advance(time.Duration(arg("ms", 0)) * time.Millisecond)
				if err := l.Maintain(e.clock.Now()); err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return l.DescribeProducers() + fmt.Sprintf("count=%d\n", l.NumProducers())
			case "sync":
				if err := l.Sync(); err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return state()
			case "close":
				err := l.Close()
				l = nil
				return fmt.Sprintf("closed: %v\n", err)
			case "reopen":
				if l != nil {
					l.Close()
					l = nil
				}
				return reopen()
			case "crash":
				// Power loss: only synced data and directory entries remain.
				crashed := e.fs.CrashClone(storagefake.CrashOptions{})
				if l != nil {
					l.Close()
				}
				e.fs = crashed
				o.FS = crashed
				return reopen()
			case "read":
				res, err := l.Read(int64(arg("offset", 0)), arg("max-bytes", 1<<20), int64(arg("max-offset", 1<<30)))
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				var sb strings.Builder
				for _, b := range res.Batches {
					h, _, _ := storage.ParseBatchHeader(b)
					fmt.Fprintf(&sb, "batch %d..%d records=%d bytes=%d\n", h.BaseOffset, h.LastOffset(), h.RecordCount, len(b))
				}
				fmt.Fprintf(&sb, "next=%d segment=%d position=%d\n", res.NextOffset, res.SegmentBase, res.Position)
				return sb.String()
			case "time":
				off, ts, err := l.OffsetForTimestamp(int64(arg("ts", 0)))
				if err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return fmt.Sprintf("offset=%d timestamp=%d\n", off, ts)
			case "truncate":
				if err := l.TruncateTo(int64(arg("offset", 0))); err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return state()
			case "delete-before":
				if err := l.DeleteRecordsBefore(int64(arg("offset", 0))); err != nil {
					return fmt.Sprintf("error: %v\n", err)
				}
				return state()
			case "advance":
				e.clock.Advance(time.Duration(arg("ms", 0)) * time.Millisecond)
				return ""
			case "files":
				return dumpFiles(t, e.fs, e.dir)
			case "damage", "remove":
				var file string
				d.ScanArgs(t, "file", &file)
				p := path.Join(e.dir, file)
				if d.Cmd == "remove" {
					e.fs.Remove(p)
					return ""
				}
				b, _ := e.fs.ReadFile(p)
				switch {
				case d.HasArg("truncate"):
					b = b[:min(len(b), arg("truncate", 0))]
				case d.HasArg("zero-extend"):
					b = append(b, make([]byte, arg("zero-extend", 0))...)
				case d.HasArg("flip"):
					b[arg("flip", 0)] ^= 0x01
				case d.HasArg("garbage"):
					for i := 0; i < arg("garbage", 0); i++ {
						b = append(b, byte(i*37+11))
					}
				}
				e.fs.WriteFile(p, b)
				return ""
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}

// dumpFiles lists the log directory with segment sizes and decoded index
// entries (formats documented in doc.go).
func dumpFiles(t *testing.T, fs *storagefake.MemFS, dir string) string {
	names, _ := fs.List(dir)
	var sb strings.Builder
	for _, n := range names {
		b, _ := fs.ReadFile(path.Join(dir, n))
		fmt.Fprintf(&sb, "%s %d\n", n, len(b))
		switch path.Ext(n) {
		case ".index":
			for i := 0; i+8 <= len(b); i += 8 {
				fmt.Fprintf(&sb, "  offset+%d -> position %d\n", binary.BigEndian.Uint32(b[i:]), binary.BigEndian.Uint32(b[i+4:]))
			}
		case ".timeindex":
			for i := 0; i+12 <= len(b); i += 12 {
				fmt.Fprintf(&sb, "  ts %d -> offset+%d\n", int64(binary.BigEndian.Uint64(b[i:])), binary.BigEndian.Uint32(b[i+8:]))
			}
		case ".snapshot":
			off, _ := strconv.ParseInt(strings.TrimSuffix(n, ".snapshot"), 10, 64)
			for _, line := range strings.Split(strings.TrimSpace(storage.DescribeProducerSnapshot(b, off)), "\n") {
				if line != "" {
					fmt.Fprintf(&sb, "  %s\n", line)
				}
			}
		case ".checkpoint":
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				if !strings.HasPrefix(line, "crc ") {
					fmt.Fprintf(&sb, "  %s\n", line)
				}
			}
		}
	}
	return sb.String()
}
