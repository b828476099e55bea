//go:build unix

package testcluster

import (
	"os"
	"syscall"
)

// Signals Pause and Resume send.
const (
	sigStop = syscall.SIGSTOP
	sigCont = syscall.SIGCONT
)

// fileID returns the inode of a file, to tell a kept file from a new one
// of the same name.
func fileID(fi os.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Ino), true
}
