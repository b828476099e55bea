package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// runState records, in the metadata directory, whether the broker stopped
// cleanly and during which boot of the machine it ran. A restart can then
// tell a process crash (the page cache survived: nothing written is lost)
// from a machine crash (data held only in the page cache is gone), and
// tells the controller so (RegisterBroker.LostUnsyncedData).
type runState struct {
	Clean  bool   `json:"clean"`
	BootID string `json:"boot_id,omitempty"`
}

const runStateFile = "run.json"

// bootIDPath names the kernel's per-boot random id; tests point it elsewhere.
var bootIDPath = "/proc/sys/kernel/random/boot_id"

func bootID() string {
	data, err := os.ReadFile(bootIDPath)
	if err != nil {
		return "" // not Linux: machine crashes cannot be told apart
	}
	return strings.TrimSpace(string(data))
}

// beginRun reads the previous run's state and records this run as not yet
// cleanly stopped. lostUnsynced is true when the previous run ended without
// a clean stop during an earlier boot: a machine crash.
func beginRun(dir string) (lostUnsynced bool, err error) {
	path := filepath.Join(dir, runStateFile)
	var prev runState
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		prev.Clean = true // first start
	case err != nil:
		return false, fmt.Errorf("server: read %s: %w", path, err)
	default:
		if err := json.Unmarshal(data, &prev); err != nil {
			// A torn write of this small file is itself a sign of a crash.
			prev = runState{}
		}
	}
	cur := bootID()
	lostUnsynced = !prev.Clean && prev.BootID != "" && cur != "" && prev.BootID != cur
	return lostUnsynced, writeRunState(path, runState{Clean: false, BootID: cur})
}

// endRun records a clean stop.
func endRun(dir string) error {
	return writeRunState(filepath.Join(dir, runStateFile), runState{Clean: true, BootID: bootID()})
}

func writeRunState(path string, st runState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("server: write %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("server: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("server: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("server: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("server: rename %s: %w", tmp, err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("server: sync dir of %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("server: sync dir of %s: %w", path, err)
	}
	return nil
}
