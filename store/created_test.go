package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func TestOrdersCreatedSinceReadsOnlyTheWindow(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	var orders []Order
	for i, age := range []int{40, 31, 29, 3, 1} { // days before testBase
		o := newOrder(string(rune('a'+i)), StateNew, StatusAwaitingShipment, testBase)
		o.CreateTime = testBase.Add(-time.Duration(age) * 24 * time.Hour)
		orders = append(orders, o)
	}
	putOrders(t, s, orders...)
	var got []string
	err := s.OrdersCreatedSince(context.Background(), testBase.Add(-30*24*time.Hour), func(o Order) bool {
		got = append(got, o.ID)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("orders created in the last 30 days = %v, want %v (oldest first)", got, want)
	}
	// Re-dating an order moves it in the index: no stale entry stays behind.
	o := orders[0]
	o.CreateTime = testBase.Add(-2 * time.Hour)
	putOrders(t, s, o)
	got = got[:0]
	_ = s.OrdersCreatedSince(context.Background(), testBase.Add(-30*24*time.Hour), func(o Order) bool {
		got = append(got, o.ID)
		return len(got) < 10
	})
	if want := []string{"c", "d", "e", "a"}; !slices.Equal(got, want) {
		t.Fatalf("after re-dating = %v, want %v", got, want)
	}
}

func TestLayoutOneStoreGainsTheCreationIndexAtOpen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	o := newOrder("old-1", StateReady, StatusAwaitingShipment, testBase)
	putOrders(t, s, o)
	// Make it a store as layout 1 wrote it: no by-creation index.
	if err := s.db.DropPrefix([]byte(prefixCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keySchema), []byte("1")) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTestStore(t, dir, Options{})
	var got []string
	_ = s.OrdersCreatedSince(context.Background(), time.Time{}, func(o Order) bool { got = append(got, o.ID); return true })
	if !slices.Equal(got, []string{"old-1"}) {
		t.Fatalf("after upgrade, by-creation index = %v, want [old-1]", got)
	}
	c, err := s.Counts(context.Background())
	if err != nil || c.Total != 1 || c.ByState[StateReady] != 1 {
		t.Fatalf("counts after upgrade = %+v, %v", c, err)
	}
	var schema []byte
	_ = s.db.View(func(txn *badger.Txn) error { schema, err = getValue(txn, []byte(keySchema)); return err })
	if string(schema) != schemaVersion {
		t.Fatalf("schema after upgrade = %q, want %q", schema, schemaVersion)
	}
}

// Past one read batch (256) the window still comes out whole, oldest
// first, and stopping early stops.
func TestOrdersCreatedSinceAcrossBatches(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	var orders []Order
	for i := range 600 {
		o := newOrder(fmt.Sprintf("o%04d", i), StateNew, StatusAwaitingShipment, testBase)
		o.CreateTime = testBase.Add(time.Duration(i) * time.Minute)
		orders = append(orders, o)
	}
	putOrders(t, s, orders...)
	var got []string
	if err := s.OrdersCreatedSince(context.Background(), testBase.Add(100*time.Minute), func(o Order) bool {
		got = append(got, o.ID)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 500 || got[0] != "o0100" || got[499] != "o0599" || !slices.IsSorted(got) {
		t.Fatalf("read %d orders from %v to %v; want o0100..o0599 in order", len(got), got[:1], got[len(got)-1:])
	}
	n := 0
	_ = s.OrdersCreatedSince(context.Background(), time.Time{}, func(Order) bool { n++; return n < 300 })
	if n != 300 {
		t.Fatalf("stopping at 300 read %d", n)
	}
}
