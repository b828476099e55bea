package storage

import (
	"os"
	"syscall"
)

// fdatasync skips the inode timestamp update an fsync would also flush.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
