package storagefake_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"testing"

	"github.com/fjordlog/fjord/storage/storagefake"
)

func TestMemFSCrashKeepsOnlySyncedState(t *testing.T) {
	m := storagefake.NewMemFS()
	if err := m.MkdirAll("/d"); err != nil {
		t.Fatal(err)
	}
	f, _ := m.Create("/d/a")
	f.WriteAt([]byte("synced"), 0)
	f.Sync()
	m.SyncDir("/d")
	f.WriteAt([]byte("+unsynced"), 6)
	g, _ := m.Create("/d/b") // never made durable by SyncDir
	g.WriteAt([]byte("x"), 0)
	g.Sync()

	c := m.CrashClone(storagefake.CrashOptions{})
	if b, err := c.ReadFile("/d/a"); err != nil || string(b) != "synced" {
		t.Fatalf("a: %q %v", b, err)
	}
	if _, err := c.ReadFile("/d/b"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("b survived without SyncDir: %v", err)
	}
	// With Rand, a prefix of the unsynced tail may survive, never more.
	for seed := uint64(0); seed < 20; seed++ {
		c := m.CrashClone(storagefake.CrashOptions{Rand: rand.New(rand.NewPCG(seed, 0))})
		b, _ := c.ReadFile("/d/a")
		if !bytes.HasPrefix(b, []byte("synced")) || len(b) > len("synced+unsynced")+4096 {
			t.Fatalf("seed %d: %q", seed, b)
		}
	}
	// Removing an open file keeps its handle readable (POSIX semantics).
	m.Remove("/d/a")
	buf := make([]byte, 6)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "synced" {
		t.Fatalf("open handle after remove: %q %v", buf, err)
	}
}

func TestErrorFSInjects(t *testing.T) {
	m := storagefake.NewMemFS()
	m.MkdirAll("/d")
	e := storagefake.NewErrorFS(m)
	f, err := e.Create("/d/a")
	if err != nil {
		t.Fatal(err)
	}
	e.SetInjector(func(op storagefake.Op, path string) error {
		if op == storagefake.OpWrite {
			return storagefake.ErrNoSpace
		}
		return nil
	})
	if n, err := f.WriteAt([]byte("abcdef"), 0); err == nil || n != 3 {
		t.Fatalf("torn write: %d %v", n, err)
	}
	e.SetInjector(nil)
	if b, _ := m.ReadFile("/d/a"); string(b) != "abc" {
		t.Fatalf("torn write left %q", b)
	}
}
