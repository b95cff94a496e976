package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// storedLayout reads the key layout version on disk.
func storedLayout(t *testing.T, s *Store) string {
	t.Helper()
	var v []byte
	if err := s.db.View(func(txn *badger.Txn) error {
		var err error
		v, err = getValue(txn, []byte(keySchema))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// testdata/layout1.backup is a backup written by shipdeck at layout 1
// (commit 6da9ed6): three orders (ready, dead, shipped) and one audit entry.
func TestOpenMigratesLayout1Store(t *testing.T) {
	ctx := context.Background()
	f, err := os.Open(filepath.Join("testdata", "layout1.backup"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	if err := s.Restore(f); err != nil {
		t.Fatalf("restore a layout 1 backup: %v", err)
	}
	if got := storedLayout(t, s); got != schemaVersion {
		t.Fatalf("layout after restore = %q, want %q", got, schemaVersion)
	}
	_ = s.Close()

	// Reopen from disk: the migrated store opens and holds layout 1's data.
	s = openTestStore(t, dir, Options{})
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 3 || c.ByState[StateDead] != 1 || c.ByState[StateReady] != 1 || c.ByState[StateShipped] != 1 {
		t.Fatalf("counts after migration = %+v, want 3 orders: ready, dead, shipped", c)
	}
	o, _, audit, err := s.OrderDetail(ctx, "V1-DEAD")
	if err != nil || o.Reason != "gave up after 8 attempts" {
		t.Fatalf("dead order after migration: %+v, %v", o, err)
	}
	_ = audit
	all, err := s.Audit(ctx, 10)
	if err != nil || len(all) != 1 || all[0].Who != "ana" {
		t.Fatalf("audit after migration = %+v, %v", all, err)
	}
	// Layout 2's records work on the migrated store.
	if err := s.Update(ctx, func(tx *Tx) error {
		return tx.PutAlert(Alert{Key: "dead/V1-DEAD", Rule: "dead", Summary: "push dead"})
	}); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Alerts(ctx); err != nil || len(a) != 1 {
		t.Fatalf("alerts on migrated store = %v, %v", a, err)
	}
}

func TestOpenMigratesLayout1Directory(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	putOrders(t, s, newOrder("A", StateQueued, StatusAwaitingShipment, testBase))
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keySchema), []byte("1")) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s = openTestStore(t, dir, Options{})
	if got := storedLayout(t, s); got != schemaVersion {
		t.Fatalf("layout after open = %q, want %q", got, schemaVersion)
	}
	if o := allOrders(t, s); len(o) != 1 || o[0].ID != "A" {
		t.Fatalf("orders after migration = %v", ids(o))
	}
}

func TestOpenRefusesNewerLayout(t *testing.T) {
	dir := t.TempDir()
	s := openTestStore(t, dir, Options{})
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keySchema), []byte("9")) }); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	_, err := Open(dir, Options{GCInterval: -1})
	if err == nil || !strings.Contains(err.Error(), `key layout "9"`) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("open of a layout 9 store: %v, want a refusal naming the layout and the directory", err)
	}
}
