package storage

import (
	"container/list"
	"sync"
)

// FileCache is an LRU of read-only handles to segment files (.log, .index,
// .timeindex), shared by every Log given it so that thousands of partitions
// do not exhaust file descriptors. Handles in use are never closed; the
// cache may exceed its size while more than max are in use at once.
type FileCache struct {
	max int

	mu      sync.Mutex // guards entries, lru, and refs/gone/elem of every cachedFile
	entries map[fileKey]*cachedFile
	lru     *list.List // of *cachedFile, front = most recently used
}

type fileKey struct {
	fs   FS
	path string
}

type cachedFile struct {
	key  fileKey
	f    File
	refs int
	gone bool // forgotten: close when refs drops to zero
	elem *list.Element
}

// NewFileCache returns a cache holding at most max idle handles (min 1).
func NewFileCache(max int) *FileCache {
	if max < 1 {
		max = 1
	}
	return &FileCache{max: max, entries: make(map[fileKey]*cachedFile), lru: list.New()}
}

// Len returns the number of open handles.
func (c *FileCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *FileCache) acquire(fs FS, path string) (*cachedFile, error) {
	key := fileKey{fs, path}
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		e.refs++
		c.lru.MoveToFront(e.elem)
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	f, err := fs.Open(path)
	if err != nil {
		return nil, ioErr("open", path, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		// Lost a race with another opener.
		_ = f.Close()
		e.refs++
		c.lru.MoveToFront(e.elem)
		return e, nil
	}
	e := &cachedFile{key: key, f: f, refs: 1}
	e.elem = c.lru.PushFront(e)
	c.entries[key] = e
	c.evictLocked()
	return e, nil
}

func (c *FileCache) release(e *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.refs == 0 && e.gone {
		_ = e.f.Close()
		return
	}
	c.evictLocked()
}

// forget drops path's handle: it is closed now if idle, else on release.
// Call it before a file is removed, renamed over or truncated.
func (c *FileCache) forget(fs FS, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[fileKey{fs, path}]
	if !ok {
		return
	}
	delete(c.entries, e.key)
	c.lru.Remove(e.elem)
	e.gone = true
	if e.refs == 0 {
		_ = e.f.Close()
	}
}

func (c *FileCache) evictLocked() {
	for el := c.lru.Back(); el != nil && len(c.entries) > c.max; {
		e := el.Value.(*cachedFile)
		prev := el.Prev()
		if e.refs == 0 {
			delete(c.entries, e.key)
			c.lru.Remove(el)
			_ = e.f.Close()
		}
		el = prev
	}
}
