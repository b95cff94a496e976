package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestReleaseMappedKeepsEveryOrder reads a store's orders through Badger's
// maps, releases the mapped pages and reads them again: the advice must
// cover the table files and change nothing the store returns.
func TestReleaseMappedKeepsEveryOrder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	orders := make([]Order, n)
	for i := range orders {
		orders[i] = newOrder(fmt.Sprintf("REL-%05d", i), StateReady, StatusAwaitingShipment, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	}
	if err := st.BulkPut(ctx, orders); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil { // flushes the memtable into a table file
		t.Fatal(err)
	}
	st, err = Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func() int {
		seen := 0
		if err := st.ScanOrders(ctx, func(o Order) bool { seen++; return true }); err != nil {
			t.Fatal(err)
		}
		return seen
	}
	if got := count(); got != n {
		t.Fatalf("scan found %d orders, want %d", got, n)
	}
	advised, err := st.releaseMapped()
	if err != nil {
		t.Skipf("this kernel refuses MADV_PAGEOUT: %v", err)
	}
	if advised == 0 {
		t.Fatal("no table file mapping was advised")
	}
	if got := count(); got != n {
		t.Fatalf("after the release the scan found %d orders, want %d", got, n)
	}
	if o, err := st.Order(ctx, "REL-01234"); err != nil || o.ID != "REL-01234" {
		t.Fatalf("Order after the release = %v, %v", o.ID, err)
	}
}
