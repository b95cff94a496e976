package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpenSurvivesAnEmptyMemtableLogAKillLeft: a kill between Badger
// creating a memtable log and sizing it leaves an empty *.mem file; the
// store still opens, with every order it had.
func TestOpenSurvivesAnEmptyMemtableLogAKillLeft(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	putOrders(t, s, newOrder("1001", StateQueued, StatusAwaitingShipment, testBase.Add(time.Hour)))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "00099.mem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, Options{})
	defer s.Close()
	if _, err := s.Order(context.Background(), "1001"); err != nil {
		t.Fatalf("the order is gone after reopening: %v", err)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Fatalf("the empty memtable log is still there: %v", err)
	}
}
