package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fjordlog/fjord/storage"
	"github.com/fjordlog/fjord/storage/storagefake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var epoch0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type env struct {
	t     testing.TB
	fs    *storagefake.MemFS
	clock *storagefake.Clock
	dir   string
}

func newEnv(t testing.TB) *env {
	return &env{t: t, fs: storagefake.NewMemFS(), clock: storagefake.NewClock(epoch0), dir: "/data/topic-0"}
}

func (e *env) opts() storage.Options {
	return storage.Options{FS: e.fs, Clock: e.clock, Files: storage.NewFileCache(8)}
}

func (e *env) open(o storage.Options) *storage.Log {
	e.t.Helper()
	l, err := storage.Open(e.dir, o)
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return l
}

// kv is a record's key and value for tests.
type kv struct {
	key, value string
	ts         int64
}

// batchOf builds a producer batch of records.
func batchOf(t testing.TB, c storage.Compression, recs ...kv) []byte {
	t.Helper()
	b := storage.BatchBuilder{Compression: c}
	for _, r := range recs {
		var k, v []byte
		if r.key != "" {
			k = []byte(r.key)
		}
		if r.value != "" {
			v = []byte(r.value)
		}
		b.Add(k, v, r.ts)
	}
	out, err := b.Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// simpleBatch makes n records "k<i>"/"v<tag>-<i>" at ts.
func simpleBatch(t testing.TB, tag string, n int, ts int64) []byte {
	recs := make([]kv, n)
	for i := range recs {
		recs[i] = kv{fmt.Sprintf("k%d", i), fmt.Sprintf("v%s-%d", tag, i), ts}
	}
	return batchOf(t, storage.CompressionNone, recs...)
}

type gotRecord struct {
	offset int64
	ts     int64
	key    string
	value  string
}

func decodeBatches(t testing.TB, batches [][]byte) []gotRecord {
	t.Helper()
	var out []gotRecord
	for _, b := range batches {
		for r, err := range storage.Records(b) {
			if err != nil {
				t.Fatalf("records: %v", err)
			}
			out = append(out, gotRecord{r.Offset, r.Timestamp, string(r.Key), string(r.Value)})
		}
	}
	return out
}

func mustAppend(t testing.TB, l *storage.Log, b []byte, epoch int32) storage.AppendResult {
	t.Helper()
	r, err := l.AppendLeader(b, epoch)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return r
}

// readAll reads every batch from from to the LEO.
func readAll(t testing.TB, l *storage.Log, from int64) [][]byte {
	t.Helper()
	var out [][]byte
	for off := from; off < l.LogEndOffset(); {
		res, err := l.Read(off, 1<<20, 1<<62)
		if err != nil {
			t.Fatalf("read %d: %v", off, err)
		}
		if len(res.Batches) == 0 {
			break
		}
		out = append(out, res.Batches...)
		off = res.NextOffset
	}
	return out
}

func equalBatches(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
