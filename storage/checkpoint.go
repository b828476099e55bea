package storage

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Checkpoint files, written atomically (temp file, fsync, rename, directory
// fsync) as small text files ending with a CRC-32C line over the lines
// before it:
//
//	offsets.checkpoint         "fjord-offsets 1", "recovery-point N",
//	                           "high-watermark N", "log-start N", "crc X"
//	leader-epoch.checkpoint    "fjord-epochs 1", one "EPOCH START" line per
//	                           entry, "crc X"
const (
	offsetsCheckpoint = "offsets.checkpoint"
	epochCheckpoint   = "leader-epoch.checkpoint"
	tmpSuffix         = ".tmp"
)

type offsetsState struct {
	recoveryPoint, highWatermark, logStart int64
}

func writeCheckpointFile(fs FS, dir, name string, body []byte) error {
	body = fmt.Appendf(body, "crc %08x\n", CRC32C(body))
	return writeFileAtomic(fs, dir, name, body)
}

// writeFileAtomic replaces dir/name with body: temp file, fsync, rename,
// directory fsync. A crash leaves the old file or the new one (and maybe a
// .tmp file, which Open removes).
func writeFileAtomic(fs FS, dir, name string, body []byte) error {
	path := filepath.Join(dir, name)
	tmp := path + tmpSuffix
	if err := writeWhole(fs, tmp, body, true); err != nil {
		return err
	}
	if err := fs.Rename(tmp, path); err != nil {
		return ioErr("rename", tmp, err)
	}
	return ioErr("sync dir", dir, fs.SyncDir(dir))
}

// readCheckpointFile returns the lines before the crc line; ok is false if
// the file is missing or fails its CRC.
func readCheckpointFile(fs FS, dir, name string) (lines []string, ok bool, err error) {
	b, found, err := readWhole(fs, filepath.Join(dir, name))
	if err != nil || !found {
		return nil, false, err
	}
	i := bytes.LastIndex(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if i < 0 {
		return nil, false, nil
	}
	body, crcLine := b[:i+1], strings.TrimSpace(string(b[i+1:]))
	want, perr := strconv.ParseUint(strings.TrimPrefix(crcLine, "crc "), 16, 32)
	if perr != nil || !strings.HasPrefix(crcLine, "crc ") || uint32(want) != CRC32C(body) {
		return nil, false, nil
	}
	return strings.Split(strings.TrimSuffix(string(body), "\n"), "\n"), true, nil
}

func writeOffsets(fs FS, dir string, s offsetsState) error {
	body := fmt.Appendf(nil, "fjord-offsets 1\nrecovery-point %d\nhigh-watermark %d\nlog-start %d\n",
		s.recoveryPoint, s.highWatermark, s.logStart)
	return writeCheckpointFile(fs, dir, offsetsCheckpoint, body)
}

func readOffsets(fs FS, dir string) (offsetsState, bool, error) {
	var s offsetsState
	lines, ok, err := readCheckpointFile(fs, dir, offsetsCheckpoint)
	if err != nil || !ok {
		return s, false, err
	}
	if len(lines) != 4 || lines[0] != "fjord-offsets 1" {
		return s, false, nil
	}
	for i, p := range []*int64{&s.recoveryPoint, &s.highWatermark, &s.logStart} {
		_, v, _ := strings.Cut(lines[i+1], " ")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return s, false, nil
		}
		*p = n
	}
	return s, true, nil
}

// epochEntry says leader epoch epoch started at offset start.
type epochEntry struct {
	epoch int32
	start int64
}

// epochCache maps leader epochs to their first offset (KIP-101). Guarded by
// the owning Log's mu.
type epochCache struct {
	entries []epochEntry
}

func (c *epochCache) latest() (epochEntry, bool) {
	if len(c.entries) == 0 {
		return epochEntry{}, false
	}
	return c.entries[len(c.entries)-1], true
}

// assign records that epoch starts at start; reports whether it changed.
func (c *epochCache) assign(epoch int32, start int64) bool {
	if l, ok := c.latest(); ok && epoch <= l.epoch {
		return false
	}
	c.entries = append(c.entries, epochEntry{epoch, start})
	return true
}

// truncateFromEnd removes epochs starting at or after leo.
func (c *epochCache) truncateFromEnd(leo int64) bool {
	n := len(c.entries)
	for n > 0 && c.entries[n-1].start >= leo {
		n--
	}
	changed := n != len(c.entries)
	c.entries = c.entries[:n]
	return changed
}

// truncateFromStart drops epochs wholly below logStart, moving the start of
// the epoch covering logStart up to it.
func (c *epochCache) truncateFromStart(logStart int64) bool {
	i := 0
	for i+1 < len(c.entries) && c.entries[i+1].start <= logStart {
		i++
	}
	changed := i > 0
	c.entries = c.entries[i:]
	if len(c.entries) > 0 && c.entries[0].start < logStart {
		c.entries[0].start = logStart
		changed = true
	}
	return changed
}

// endOffsetFor implements KIP-101/KIP-279: the largest epoch <= epoch and
// the start offset of the first epoch after it (or leo).
func (c *epochCache) endOffsetFor(epoch int32, leo int64) (int32, int64) {
	l, ok := c.latest()
	if !ok || epoch > l.epoch {
		return -1, -1
	}
	if epoch == l.epoch {
		return epoch, leo
	}
	for i := len(c.entries) - 1; i > 0; i-- {
		if c.entries[i-1].epoch <= epoch {
			return c.entries[i-1].epoch, c.entries[i].start
		}
	}
	// Older than every known epoch: it ended where our history starts.
	return epoch, c.entries[0].start
}

func (c *epochCache) encode() []byte {
	b := []byte("fjord-epochs 1\n")
	for _, e := range c.entries {
		b = fmt.Appendf(b, "%d %d\n", e.epoch, e.start)
	}
	return b
}

func readEpochs(fs FS, dir string) (epochCache, bool, error) {
	var c epochCache
	lines, ok, err := readCheckpointFile(fs, dir, epochCheckpoint)
	if err != nil || !ok || len(lines) == 0 || lines[0] != "fjord-epochs 1" {
		return c, false, err
	}
	for _, line := range lines[1:] {
		a, b, _ := strings.Cut(line, " ")
		e, err1 := strconv.ParseInt(a, 10, 32)
		s, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil || !c.assign(int32(e), s) {
			return epochCache{}, false, nil
		}
	}
	return c, true, nil
}
