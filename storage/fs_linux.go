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

// syncFileRangeWrite is SYNC_FILE_RANGE_WRITE: start writeback of the
// range's dirty pages that are not already under writeback, no waiting.
const syncFileRangeWrite = 0x2

func startWriteback(f *os.File, off, n int64) error {
	return syscall.SyncFileRange(int(f.Fd()), off, n, syncFileRangeWrite)
}
