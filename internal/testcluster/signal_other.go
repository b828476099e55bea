//go:build !unix

package testcluster

import (
	"os"
	"syscall"
)

// Pause and Resume need job-control signals, which this system lacks:
// sending these fails.
const (
	sigStop = syscall.Signal(-1)
	sigCont = syscall.Signal(-1)
)

// fileID is unsupported here.
func fileID(os.FileInfo) (uint64, bool) { return 0, false }
