package server

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRunStateTellsMachineCrashFromProcessCrash(t *testing.T) {
	dir := t.TempDir()
	boot := filepath.Join(dir, "boot_id")
	old := bootIDPath
	bootIDPath = boot
	t.Cleanup(func() { bootIDPath = old })
	setBoot := func(id string) {
		if err := os.WriteFile(boot, []byte(id+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step := func(name string, want bool) {
		t.Helper()
		lost, err := beginRun(dir)
		if err != nil {
			t.Fatal(err)
		}
		if lost != want {
			t.Fatalf("%s: lostUnsynced = %v, want %v", name, lost, want)
		}
	}
	setBoot("boot-1")
	step("first start", false)
	step("process crash (same boot)", false)
	setBoot("boot-2")
	step("machine crash (new boot)", true)
	if err := endRun(dir); err != nil {
		t.Fatal(err)
	}
	setBoot("boot-3")
	step("clean stop, then reboot", false)
	if err := os.WriteFile(filepath.Join(dir, runStateFile), []byte("{torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	step("torn state file without a boot id", false)
}
