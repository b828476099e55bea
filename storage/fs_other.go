//go:build !linux

package storage

import "os"

func fdatasync(f *os.File) error { return f.Sync() }

// startWriteback is a no-op where sync_file_range does not exist.
func startWriteback(*os.File, int64, int64) error { return nil }
