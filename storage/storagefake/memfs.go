package storagefake

import (
	"bytes"
	"fmt"
	"io"
	iofs "io/fs"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/fjordlog/fjord/storage"
)

// MemFS is an in-memory storage.FS. It tracks, per file and per directory,
// what has been made durable (File.Sync, FS.SyncDir) so CrashClone can
// produce the state a machine crash would leave. Open handles keep a file's
// contents alive after Remove or Rename-over, as on POSIX.
type MemFS struct {
	mu   sync.Mutex // guards dirs and the contents of every node and handle
	dirs map[string]*memDir
}

var (
	_ storage.FS            = (*MemFS)(nil)
	_ storage.WritebackFile = (*memFile)(nil)
)

type memDir struct {
	entries map[string]*memNode
	durable map[string]*memNode // entries as of the last SyncDir
}

type memNode struct {
	data    []byte
	durable []byte // contents as of the last File.Sync
}

// NewMemFS returns an empty file system containing only "/".
func NewMemFS() *MemFS {
	fs := &MemFS{dirs: map[string]*memDir{}}
	fs.dirs["/"] = newMemDir()
	return fs
}

func newMemDir() *memDir {
	return &memDir{entries: map[string]*memNode{}, durable: map[string]*memNode{}}
}

func clean(p string) string { return path.Clean("/" + p) }

func notExist(op, name string) error {
	return &iofs.PathError{Op: op, Path: name, Err: iofs.ErrNotExist}
}

func (fs *MemFS) lookupLocked(name string) (*memDir, string, error) {
	p := clean(name)
	d, ok := fs.dirs[path.Dir(p)]
	if !ok {
		return nil, "", notExist("open", name)
	}
	return d, path.Base(p), nil
}

// Create implements storage.FS.
func (fs *MemFS) Create(name string) (storage.File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, base, err := fs.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	n, ok := d.entries[base]
	if ok {
		n.data = n.data[:0:0]
	} else {
		n = &memNode{}
		d.entries[base] = n
	}
	return &memFile{fs: fs, n: n, name: name}, nil
}

func (fs *MemFS) open(name string, ro bool) (storage.File, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, base, err := fs.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	n, ok := d.entries[base]
	if !ok {
		return nil, notExist("open", name)
	}
	return &memFile{fs: fs, n: n, name: name, readOnly: ro}, nil
}

// OpenReadWrite implements storage.FS.
func (fs *MemFS) OpenReadWrite(name string) (storage.File, error) { return fs.open(name, false) }

// Open implements storage.FS.
func (fs *MemFS) Open(name string) (storage.File, error) { return fs.open(name, true) }

// Remove implements storage.FS.
func (fs *MemFS) Remove(name string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, base, err := fs.lookupLocked(name)
	if err != nil {
		return err
	}
	if _, ok := d.entries[base]; !ok {
		return notExist("remove", name)
	}
	delete(d.entries, base)
	return nil
}

// RemoveAll implements storage.FS.
func (fs *MemFS) RemoveAll(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	p := clean(dir)
	for k := range fs.dirs {
		if k == p || strings.HasPrefix(k, p+"/") {
			delete(fs.dirs, k)
		}
	}
	if d, ok := fs.dirs[path.Dir(p)]; ok {
		delete(d.entries, path.Base(p))
	}
	return nil
}

// Rename implements storage.FS.
func (fs *MemFS) Rename(oldname, newname string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	od, ob, err := fs.lookupLocked(oldname)
	if err != nil {
		return err
	}
	nd, nb, err := fs.lookupLocked(newname)
	if err != nil {
		return err
	}
	n, ok := od.entries[ob]
	if !ok {
		return notExist("rename", oldname)
	}
	delete(od.entries, ob)
	nd.entries[nb] = n
	return nil
}

// MkdirAll implements storage.FS. Directories are durable at once.
func (fs *MemFS) MkdirAll(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for p := clean(dir); ; p = path.Dir(p) {
		if _, ok := fs.dirs[p]; !ok {
			fs.dirs[p] = newMemDir()
		}
		if p == "/" {
			return nil
		}
	}
}

// List implements storage.FS.
func (fs *MemFS) List(dir string) ([]string, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, ok := fs.dirs[clean(dir)]
	if !ok {
		return nil, notExist("list", dir)
	}
	var names []string
	for k := range d.entries {
		names = append(names, k)
	}
	slices.Sort(names)
	return names, nil
}

// SyncDir implements storage.FS.
func (fs *MemFS) SyncDir(dir string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, ok := fs.dirs[clean(dir)]
	if !ok {
		return notExist("sync", dir)
	}
	d.durable = make(map[string]*memNode, len(d.entries))
	for k, v := range d.entries {
		d.durable[k] = v
	}
	return nil
}

// ReadFile returns a copy of a file's current contents.
func (fs *MemFS) ReadFile(name string) ([]byte, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d, base, err := fs.lookupLocked(name)
	if err != nil {
		return nil, err
	}
	n, ok := d.entries[base]
	if !ok {
		return nil, notExist("read", name)
	}
	return bytes.Clone(n.data), nil
}

// WriteFile replaces a file's contents (durably), creating it if needed.
func (fs *MemFS) WriteFile(name string, data []byte) error {
	f, err := fs.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return fs.SyncDir(path.Dir(clean(name)))
}

// CrashOptions shapes what CrashClone keeps beyond the durable state.
type CrashOptions struct {
	// Rand, if set, keeps a random prefix of each file's unsynced appended
	// bytes (as a kernel may have written back some dirty pages) and
	// sometimes zero-fills or garbles that tail. Nil keeps only synced data.
	Rand *rand.Rand
}

// CrashClone returns the file system a machine crash would leave: synced
// directory entries with synced file contents (plus, with Rand, part of
// the unsynced tails).
func (fs *MemFS) CrashClone(opts CrashOptions) *MemFS {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := NewMemFS()
	copied := map[*memNode]*memNode{}
	keys := make([]string, 0, len(fs.dirs))
	for k := range fs.dirs {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic use of Rand
	for _, k := range keys {
		d := fs.dirs[k]
		nd := newMemDir()
		names := make([]string, 0, len(d.durable))
		for name := range d.durable {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			n := d.durable[name]
			c, ok := copied[n]
			if !ok {
				c = &memNode{data: crashContents(n, opts.Rand)}
				c.durable = bytes.Clone(c.data)
				copied[n] = c
			}
			nd.entries[name] = c
			nd.durable[name] = c
		}
		out.dirs[k] = nd
	}
	return out
}

func crashContents(n *memNode, r *rand.Rand) []byte {
	data := bytes.Clone(n.durable)
	if r == nil || len(n.data) <= len(n.durable) || !bytes.Equal(n.data[:len(n.durable)], n.durable) {
		return data
	}
	k := len(n.durable) + r.IntN(len(n.data)-len(n.durable)+1)
	data = append(data, n.data[len(n.durable):k]...)
	switch r.IntN(4) {
	case 0: // zero-filled tail: size updated, data blocks not written
		data = append(data, make([]byte, r.IntN(4096))...)
	case 1: // garbled byte in the unsynced part
		if k > len(n.durable) {
			data[len(n.durable)+r.IntN(k-len(n.durable))] ^= 0x5a
		}
	}
	return data
}

type memFile struct {
	fs       *MemFS
	n        *memNode
	name     string
	readOnly bool
	closed   bool
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return 0, fmt.Errorf("read %s: file closed", f.name)
	}
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed || f.readOnly {
		return 0, fmt.Errorf("write %s: file closed or read-only", f.name)
	}
	if end := off + int64(len(p)); end > int64(len(f.n.data)) {
		f.n.data = append(f.n.data, make([]byte, end-int64(len(f.n.data)))...)
	}
	copy(f.n.data[off:], p)
	return len(p), nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return fmt.Errorf("close %s: already closed", f.name)
	}
	f.closed = true
	return nil
}

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed {
		return fmt.Errorf("sync %s: file closed", f.name)
	}
	f.n.durable = bytes.Clone(f.n.data)
	return nil
}

// StartWriteback implements storage.WritebackFile. MemFS has no disk to
// start writing: only a machine crash (CrashClone) decides what of the
// unsynced data survives, so the call changes nothing.
func (f *memFile) StartWriteback(off, n int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed || off < 0 || n < 0 {
		return fmt.Errorf("writeback %s [%d, +%d): file closed or bad range", f.name, off, n)
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if f.closed || f.readOnly {
		return fmt.Errorf("truncate %s: file closed or read-only", f.name)
	}
	if size <= int64(len(f.n.data)) {
		f.n.data = f.n.data[:size:size]
	} else {
		f.n.data = append(f.n.data, make([]byte, size-int64(len(f.n.data)))...)
	}
	return nil
}

func (f *memFile) Size() (int64, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return int64(len(f.n.data)), nil
}
