package storage_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/fjordlog/fjord/storage"
)

// wbFS records the StartWriteback calls made on the files it opens.
type wbFS struct {
	storage.FS
	mu    sync.Mutex // guards calls
	calls map[string][]wbCall
}

type wbCall struct {
	off, n, size int64 // size: the file's size at the call
	closed       bool
}

type wbFile struct {
	storage.File
	fs     *wbFS
	name   string
	closed bool // only the opener's goroutine closes
}

func (w *wbFS) wrap(f storage.File, name string, err error) (storage.File, error) {
	if err != nil {
		return nil, err
	}
	return &wbFile{File: f, fs: w, name: name}, nil
}

func (w *wbFS) Create(name string) (storage.File, error) {
	f, err := w.FS.Create(name)
	return w.wrap(f, name, err)
}

func (w *wbFS) OpenReadWrite(name string) (storage.File, error) {
	f, err := w.FS.OpenReadWrite(name)
	return w.wrap(f, name, err)
}

func (f *wbFile) Close() error {
	f.fs.mu.Lock()
	f.closed = true
	f.fs.mu.Unlock()
	return f.File.Close()
}

func (f *wbFile) StartWriteback(off, n int64) error {
	size, _ := f.Size()
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.fs.calls[f.name] = append(f.fs.calls[f.name], wbCall{off, n, size, f.closed})
	return nil
}

func TestWriteback(t *testing.T) {
	for _, every := range []int64{-1, 1, 700, 5000} {
		t.Run(fmt.Sprint(every), func(t *testing.T) {
			e := newEnv(t)
			fs := &wbFS{FS: e.fs, calls: map[string][]wbCall{}}
			o := e.opts()
			o.FS, o.SegmentBytes, o.WritebackBytes = fs, 4<<10, every
			l := e.open(o)
			for i := 0; i < 60; i++ {
				b := batchOf(t, storage.CompressionNone, kv{"k", strings.Repeat("v", 100+i), 5})
				if _, err := l.AppendLeader(b, 0); err != nil {
					t.Fatal(err)
				}
				if i == 40 {
					if err := l.TruncateTo(l.LogEndOffset() - 3); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			logs := 0
			for name, calls := range fs.calls {
				if !strings.HasSuffix(name, ".log") {
					t.Errorf("writeback of %s", name)
				}
				logs++
				// Ranges follow each other (a truncation may move the
				// start back), each at least every bytes and within the
				// file, never on a closed file.
				var next int64
				for _, c := range calls {
					if c.closed || c.off < 0 || c.n < every || c.off+c.n > c.size || c.off > next {
						t.Errorf("%s: writeback %+v after %d (every %d)", name, c, next, every)
					}
					next = c.off + c.n
				}
			}
			if every < 0 && logs != 0 {
				t.Errorf("writeback off, yet %d files written back", logs)
			}
			if every > 0 && every < 4<<10 && logs < 2 {
				t.Errorf("writeback every %d bytes: only %d of the segments written back", every, logs)
			}
		})
	}
}
