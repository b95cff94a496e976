package store

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeDisk is a filesystem whose free space the test sets.
type fakeDisk struct{ free atomic.Uint64 }

func (f *fakeDisk) space(string) (uint64, error) { return f.free.Load(), nil }

func TestLowDiskRefusesWritesKeepsReadsAndResumes(t *testing.T) {
	disk := &fakeDisk{}
	disk.free.Store(1 << 30)
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{MinFree: 32 << 20, FreeSpace: disk.space, DiskCheckEvery: 10 * time.Millisecond})
	ctx := context.Background()
	putOrders(t, s, newOrder("o1", StateReady, StatusAwaitingShipment, testBase))
	changes, cancel := s.Subscribe(TopicDisk)
	defer cancel()

	disk.free.Store(5 << 20)
	err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutOrder(newOrder("o2", StateReady, StatusAwaitingShipment, testBase))
	})
	var full *DiskFullError
	if !errors.Is(err, ErrDiskFull) || !errors.As(err, &full) {
		t.Fatalf("write on a low disk: got %v, want a DiskFullError", err)
	}
	want := "disk almost full: 5 MB free on " + dir
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if d := s.DiskSpace(); !d.Low || d.Reason() != want {
		t.Errorf("DiskSpace() = %+v (reason %q), want low with %q", d, d.Reason(), want)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("no TopicDisk change when the disk went low")
	}
	if _, err := s.Order(ctx, "o1"); err != nil {
		t.Errorf("read on a low disk: %v", err)
	}
	if _, err := s.Order(ctx, "o2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused write left o2 behind: %v", err)
	}

	disk.free.Store(1 << 30)
	deadline := time.Now().Add(5 * time.Second)
	for s.DiskSpace().Low {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never noticed the space coming back")
		}
		time.Sleep(5 * time.Millisecond)
	}
	putOrders(t, s, newOrder("o2", StateReady, StatusAwaitingShipment, testBase))
	if _, err := s.Order(ctx, "o2"); err != nil {
		t.Errorf("write after space came back: %v", err)
	}
}

func TestOpenRefusesALowDisk(t *testing.T) {
	dir := t.TempDir()
	disk := &fakeDisk{}
	disk.free.Store(3 << 20)
	_, err := Open(dir, Options{FreeSpace: disk.space, GCInterval: -1})
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("open on a low disk: got %v, want ErrDiskFull", err)
	}
	if want := "disk almost full: 3 MB free on " + dir; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	disk.free.Store(1 << 30)
	s, err := Open(dir, Options{FreeSpace: disk.space, GCInterval: -1})
	if err != nil {
		t.Fatalf("open once space is back: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesATinyReserve(t *testing.T) {
	_, err := Open(t.TempDir(), Options{MinFree: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "at least 16 MB") {
		t.Fatalf("got %v, want a refusal naming the 16 MB minimum", err)
	}
}

func TestMemTableFitsTheReserve(t *testing.T) {
	for _, reserve := range []uint64{MinMinFree, 24 << 20, DefaultMinFree, 1 << 30} {
		mt := uint64(memTableSizeFor(reserve))
		// The rest of a log of 2×mt plus one flushed table of mt.
		if 3*mt > reserve {
			t.Errorf("reserve %s: memtable %s needs %s after writes stop", FormatMB(reserve), FormatMB(mt), FormatMB(3*mt))
		}
	}
}

// BenchmarkFreeSpace is the guard's cost on every commit (one statfs),
// against the fsync each commit already pays (BenchmarkSyncedTransition).
func BenchmarkFreeSpace(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, err := freeSpace(dir); err != nil {
			b.Fatal(err)
		}
	}
}
