package storage

import (
	"errors"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
)

// File is an open file. ReadAt must be safe for concurrent use with WriteAt
// at other positions (as os.File is).
type File interface {
	io.ReaderAt
	io.WriterAt
	io.Closer
	// Sync makes the file's data (and size) durable (fdatasync).
	Sync() error
	Truncate(size int64) error
	// Size returns the current size.
	Size() (int64, error)
}

// WritebackFile is an optional File capability. StartWriteback starts
// writing the dirty pages of [off, off+n) to disk and returns without
// waiting for them (sync_file_range(SYNC_FILE_RANGE_WRITE) on Linux). It
// makes nothing durable and reports no write errors (Sync does); it only
// keeps the disk busy while appends continue, so a later Sync finds little
// left to write instead of the gigabytes the kernel lets pile up before
// its own background writeback starts.
type WritebackFile interface {
	StartWriteback(off, n int64) error
}

// FS is the file system storage runs on (pebble vfs style). Paths are
// slash-separated joins of the log's directory and a file name.
type FS interface {
	// Create creates or truncates name for reading and writing.
	Create(name string) (File, error)
	// OpenReadWrite opens an existing file for reading and writing.
	OpenReadWrite(name string) (File, error)
	// Open opens an existing file read-only.
	Open(name string) (File, error)
	Remove(name string) error
	// RemoveAll removes a directory tree; missing is not an error.
	RemoveAll(dir string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	MkdirAll(dir string) error
	// List returns the names (not paths) in dir, sorted.
	List(dir string) ([]string, error)
	// SyncDir makes creations, renames and removals in dir durable.
	SyncDir(dir string) error
}

// OSFS is the operating system's file system.
type OSFS struct{}

var _ FS = OSFS{}

type osFile struct{ *os.File }

var _ WritebackFile = osFile{}

func (f osFile) Sync() error { return fdatasync(f.File) }

// StartWriteback implements WritebackFile.
func (f osFile) StartWriteback(off, n int64) error { return startWriteback(f.File, off, n) }

func (f osFile) Size() (int64, error) {
	st, err := f.File.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Create implements FS.
func (OSFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// OpenReadWrite implements FS.
func (OSFS) OpenReadWrite(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Open implements FS.
func (OSFS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Remove implements FS.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// RemoveAll implements FS.
func (OSFS) RemoveAll(dir string) error { return os.RemoveAll(dir) }

// Rename implements FS.
func (OSFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// MkdirAll implements FS.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// List implements FS.
func (OSFS) List(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// SyncDir implements FS.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// isNotExist reports whether err says a file does not exist, for OS and
// fake file systems (which return errors wrapping fs.ErrNotExist).
func isNotExist(err error) bool { return errors.Is(err, iofs.ErrNotExist) }
