package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestPagesWalkEveryOrderOnce: an operator paging through a queue sees every
// order exactly once, in deadline order, whatever the page size.
func TestPagesWalkEveryOrderOnce(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	var orders []Order
	for i := range 137 {
		st := StateQueued
		if i%3 == 0 {
			st = StateFailed
		}
		if i%7 == 0 {
			st = StateDead
		}
		o := newOrder(fmt.Sprintf("%05d", (i*7919)%1000), st, StatusAwaitingShipment,
			testBase.Add(time.Duration((i*37)%50)*time.Hour))
		o.NextAttemptAt = testBase.Add(time.Duration(i%11) * time.Minute)
		orders = append(orders, o)
	}
	if err := s.BulkPut(context.Background(), orders); err != nil {
		t.Fatal(err)
	}
	stored := allOrders(t, s)

	type pager func(offset, limit int) ([]Order, error)
	ctx := context.Background()
	cases := []struct {
		name string
		page pager
		want []string
	}{
		{"queued", func(o, l int) ([]Order, error) { return s.Queue(ctx, StateQueued, o, l) },
			expectIDs(stored, func(o Order) bool { return o.State == StateQueued }, shipByLess)},
		{"awaiting shipment", func(o, l int) ([]Order, error) { return s.QueueByStatus(ctx, StatusAwaitingShipment, o, l) },
			expectIDs(stored, func(Order) bool { return true }, shipByLess)},
		{"failed pane", func(o, l int) ([]Order, error) { return s.Failed(ctx, o, l) },
			expectIDs(stored, func(o Order) bool { return o.State == StateFailed || o.State == StateDead }, failedLess)},
	}
	for _, tc := range cases {
		for _, size := range []int{1, 7, 50, 500} {
			t.Run(fmt.Sprintf("%s/page%d", tc.name, size), func(t *testing.T) {
				var walked []string
				for offset := 0; ; offset += size {
					page, err := tc.page(offset, size)
					if err != nil {
						t.Fatal(err)
					}
					if len(page) > size {
						t.Fatalf("page of %d has %d orders", size, len(page))
					}
					walked = append(walked, ids(page)...)
					if len(page) < size {
						break
					}
				}
				if !slices.Equal(walked, tc.want) {
					t.Fatalf("walked %d orders %q,\nwant %d %q", len(walked), walked, len(tc.want), tc.want)
				}
			})
		}
	}
	if page, err := s.Queue(ctx, StateQueued, 0, 0); err != nil || len(page) != 0 {
		t.Fatalf("limit 0 gave %d orders, %v", len(page), err)
	}
}

// TestDueListsFailedOrdersUpToNow: the retry scheduler gets exactly the
// failed orders whose time has come, never dead ones, and the new orders
// whose buyer-remorse window has ended, never new orders without one.
func TestDueListsFailedOrdersUpToNow(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	mk := func(id string, st State, next time.Time) Order {
		o := newOrder(id, st, StatusAwaitingShipment, testBase)
		o.NextAttemptAt = next
		return o
	}
	putOrders(t, s,
		mk("late", StateFailed, testBase.Add(2*time.Hour)),
		mk("early", StateFailed, testBase.Add(-time.Hour)),
		mk("exact", StateFailed, testBase),
		mk("asap", StateFailed, time.Time{}),
		mk("dead", StateDead, time.Time{}),
		mk("queued", StateQueued, testBase.Add(-time.Hour)),
		mk("remorse", StateNew, testBase.Add(time.Hour)),
		mk("unpaid", StateNew, time.Time{}),
	)
	tests := []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{testBase, 10, []string{"asap", "early", "exact"}},
		{testBase, 2, []string{"asap", "early"}},
		{testBase.Add(3 * time.Hour), 10, []string{"asap", "early", "exact", "remorse", "late"}},
		{testBase.Add(-2 * time.Hour), 10, []string{"asap"}},
	}
	for _, tc := range tests {
		got, err := s.Due(context.Background(), tc.now, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("Due(%s, %d) = %q, want %q", tc.now, tc.limit, ids(got), tc.want)
		}
	}
}

// TestQueueAfterWalksAQueueThatChanges: a worker that moves orders out of a
// queue while paging through it still visits every order that was there
// once, and the position holds when earlier orders leave or arrive.
func TestQueueAfterWalksAQueueThatChanges(t *testing.T) {
	s := openTestStore(t, t.TempDir(), Options{})
	ctx := context.Background()
	var orders []Order
	for i := range 60 {
		// Repeated deadlines, so ties are broken by id.
		orders = append(orders, newOrder(fmt.Sprintf("p%03d", (i*37)%60), StatePushed, StatusAwaitingShipment,
			testBase.Add(time.Duration(i%9)*time.Hour)))
	}
	orders = append(orders, newOrder("p", StatePushed, StatusAwaitingShipment, testBase),
		newOrder("p/x", StatePushed, StatusAwaitingShipment, testBase))
	if err := s.BulkPut(ctx, orders); err != nil {
		t.Fatal(err)
	}
	want := expectIDs(allOrders(t, s), func(o Order) bool { return o.State == StatePushed }, shipByLess)

	var walked []string
	var last Order
	for pageNo := 0; ; pageNo++ {
		page, err := s.QueueAfter(ctx, StatePushed, last, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 7 {
			t.Fatalf("page of 7 has %d orders", len(page))
		}
		walked = append(walked, ids(page)...)
		if len(page) < 7 {
			break
		}
		last = page[len(page)-1]
		// Every other order of the page leaves the queue, and an order with
		// an earlier deadline arrives: neither moves the position.
		var moved []Order
		for i, o := range page {
			if i%2 == 0 {
				o.State = StateTracking
				moved = append(moved, o)
			}
		}
		moved = append(moved, newOrder(fmt.Sprintf("late-%d", pageNo), StatePushed, StatusAwaitingShipment, testBase.Add(-time.Hour)))
		putOrders(t, s, moved...)
	}
	if !slices.Equal(walked, want) {
		t.Fatalf("walked %d orders %q,\nwant %d %q", len(walked), walked, len(want), want)
	}

	if page, err := s.QueueAfter(ctx, StatePushed, Order{}, 0); err != nil || len(page) != 0 {
		t.Fatalf("limit 0 gave %d orders, %v", len(page), err)
	}
	first, err := s.QueueAfter(ctx, StatePushed, Order{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	byOffset, err := s.Queue(ctx, StatePushed, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(first), ids(byOffset)) || len(first) != 3 {
		t.Fatalf("first page after the zero order %q, want %q", ids(first), ids(byOffset))
	}
}
