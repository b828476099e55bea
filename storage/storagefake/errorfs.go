package storagefake

import (
	"errors"
	"sync"
	"syscall"

	"github.com/fjordlog/fjord/storage"
)

// Op names a file system operation ErrorFS can fail.
type Op int

// Operations.
const (
	OpCreate Op = iota
	OpOpen
	OpRemove
	OpRename
	OpList
	OpSyncDir
	OpRead
	OpWrite
	OpSync
	OpTruncate
	// OpWriteback is File.StartWriteback (storage.WritebackFile).
	OpWriteback
)

// ErrInjected is the error ErrorFS returns unless the injector supplies one.
var ErrInjected = errors.New("storagefake: injected error")

// ErrNoSpace is a convenient ENOSPC for injectors.
var ErrNoSpace error = syscall.ENOSPC

// Injector decides whether op on path fails; a nil result lets it through.
type Injector func(op Op, path string) error

// ErrorFS wraps an FS and fails operations chosen by its injector. A failed
// WriteAt first writes the first half of the data (a torn, short write).
type ErrorFS struct {
	FS storage.FS

	mu     sync.Mutex // guards inject
	inject Injector
}

var (
	_ storage.FS            = (*ErrorFS)(nil)
	_ storage.WritebackFile = (*errorFile)(nil)
)

// NewErrorFS wraps fs; SetInjector arms it.
func NewErrorFS(fs storage.FS) *ErrorFS { return &ErrorFS{FS: fs} }

// SetInjector replaces the injector (nil disables injection).
func (e *ErrorFS) SetInjector(i Injector) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.inject = i
}

func (e *ErrorFS) check(op Op, path string) error {
	e.mu.Lock()
	i := e.inject
	e.mu.Unlock()
	if i == nil {
		return nil
	}
	return i(op, path)
}

// Create implements storage.FS.
func (e *ErrorFS) Create(name string) (storage.File, error) {
	if err := e.check(OpCreate, name); err != nil {
		return nil, err
	}
	f, err := e.FS.Create(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: e, name: name}, nil
}

// OpenReadWrite implements storage.FS.
func (e *ErrorFS) OpenReadWrite(name string) (storage.File, error) {
	if err := e.check(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := e.FS.OpenReadWrite(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: e, name: name}, nil
}

// Open implements storage.FS.
func (e *ErrorFS) Open(name string) (storage.File, error) {
	if err := e.check(OpOpen, name); err != nil {
		return nil, err
	}
	f, err := e.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, fs: e, name: name}, nil
}

// Remove implements storage.FS.
func (e *ErrorFS) Remove(name string) error {
	if err := e.check(OpRemove, name); err != nil {
		return err
	}
	return e.FS.Remove(name)
}

// RemoveAll implements storage.FS.
func (e *ErrorFS) RemoveAll(dir string) error {
	if err := e.check(OpRemove, dir); err != nil {
		return err
	}
	return e.FS.RemoveAll(dir)
}

// Rename implements storage.FS.
func (e *ErrorFS) Rename(oldname, newname string) error {
	if err := e.check(OpRename, oldname); err != nil {
		return err
	}
	return e.FS.Rename(oldname, newname)
}

// MkdirAll implements storage.FS.
func (e *ErrorFS) MkdirAll(dir string) error {
	if err := e.check(OpCreate, dir); err != nil {
		return err
	}
	return e.FS.MkdirAll(dir)
}

// List implements storage.FS.
func (e *ErrorFS) List(dir string) ([]string, error) {
	if err := e.check(OpList, dir); err != nil {
		return nil, err
	}
	return e.FS.List(dir)
}

// SyncDir implements storage.FS.
func (e *ErrorFS) SyncDir(dir string) error {
	if err := e.check(OpSyncDir, dir); err != nil {
		return err
	}
	return e.FS.SyncDir(dir)
}

type errorFile struct {
	storage.File
	fs   *ErrorFS
	name string
}

func (f *errorFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpRead, f.name); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *errorFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(OpWrite, f.name); err != nil {
		n, _ := f.File.WriteAt(p[:len(p)/2], off)
		return n, err
	}
	return f.File.WriteAt(p, off)
}

func (f *errorFile) Sync() error {
	if err := f.fs.check(OpSync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

// StartWriteback implements storage.WritebackFile, passing the call on if
// the wrapped file implements it.
func (f *errorFile) StartWriteback(off, n int64) error {
	if err := f.fs.check(OpWriteback, f.name); err != nil {
		return err
	}
	if wf, ok := f.File.(storage.WritebackFile); ok {
		return wf.StartWriteback(off, n)
	}
	return nil
}

func (f *errorFile) Truncate(size int64) error {
	if err := f.fs.check(OpTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}
