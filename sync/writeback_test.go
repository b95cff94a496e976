package sync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// shippedTikTok lists the orders whose tracking shipdeck wrote back.
func (w *world) shippedTikTok(ctx context.Context) []store.Order {
	w.t.Helper()
	var out []store.Order
	err := w.st.ScanOrders(ctx, func(o store.Order) bool {
		if o.State == store.StateShipped && !o.ShippedAt.IsZero() && o.Source == "tiktok" {
			out = append(out, o)
		}
		return true
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// edit changes a stored order in one transaction.
func (w *world) edit(ctx context.Context, id string, fn func(o *store.Order)) {
	w.t.Helper()
	err := w.st.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(id)
		if err != nil {
			return err
		}
		fn(&o)
		return tx.PutOrder(o)
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// TestWriteBackWithoutPackages: a US local seller's orders carry no
// package id before shipment, so tracking goes back with Mark Package As
// Shipped, once per order, and the package id TikTok returns is kept.
func TestWriteBackWithoutPackages(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour,
		simOpts: func(o *sim.Options) { o.LocalSellerShare = 1 }})
	defer w.close()
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	waiting, err := w.st.QueueByStatus(ctx, store.StatusAwaitingShipment, 0, 50)
	if err != nil || len(waiting) == 0 {
		t.Fatalf("no order awaiting shipment to check (%v)", err)
	}
	for _, o := range waiting {
		if len(o.Packages) != 0 {
			t.Fatalf("order %s stored with packages %v before shipment; the sim should send none", o.ID, o.Packages)
		}
	}
	w.drain(ctx, 30, 20*time.Minute)
	shipped := w.shippedTikTok(ctx)
	if len(shipped) < 5 {
		t.Fatalf("only %d orders written back; the test needs several", len(shipped))
	}
	c := w.sim.Counters().Marketplace
	if c.Calls[sim.EndpointShip] != 0 {
		t.Errorf("%d Ship Package calls for orders without packages", c.Calls[sim.EndpointShip])
	}
	for _, o := range shipped {
		so, _ := w.sim.Order(o.ID)
		if c.MarkedShipped[o.ID] != 1 {
			t.Errorf("order %s: Mark Package As Shipped accepted %d times, want 1", o.ID, c.MarkedShipped[o.ID])
		}
		if len(o.Packages) != 1 || len(so.Packages) != 1 || o.Packages[0].ID != so.Packages[0].ID {
			t.Errorf("order %s keeps packages %v; TikTok has %v", o.ID, o.Packages, so.Packages)
		}
		if so.TrackingNumber != o.Push.TrackingNumber {
			t.Errorf("order %s: TikTok has tracking %q, the 3PL gave %q", o.ID, so.TrackingNumber, o.Push.TrackingNumber)
		}
	}
	w.assertExactlyOnce()
}

// splitShipped splits an order of two or more items on TikTok, lets
// shipdeck ship it and returns it with its two packages.
func (w *world) splitShipped(ctx context.Context) (store.Order, []string) {
	t := w.t
	t.Helper()
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	var id string
	var pkgs []string
	for _, o := range w.sim.Orders() {
		if o.Status == sim.StatusAwaitingShipment && len(o.LineItems) >= 2 {
			if p, ok := w.sim.SplitOrder(o.ID); ok {
				id, pkgs = o.ID, p
				break
			}
		}
	}
	if id == "" || len(pkgs) != 2 {
		t.Fatal("no order could be split")
	}
	if _, err := w.eng.FetchOrders(ctx, []string{id}); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		w.cycle(ctx)
		if o, _ := w.st.Order(ctx, id); o.State == store.StateShipped && !o.ShippedAt.IsZero() {
			return o, pkgs
		}
		w.clock.Advance(15 * time.Minute)
	}
	o, _ := w.st.Order(ctx, id)
	t.Fatalf("split order %s never shipped: %s %q", id, o.State, o.Reason)
	return store.Order{}, nil
}

// rerouted puts a shipped order back in tracking with a new tracking
// number, as a re-route to another 3PL after shipping leaves it.
func (w *world) rerouted(ctx context.Context, id, tracking string) {
	w.edit(ctx, id, func(o *store.Order) {
		o.State = store.StateTracking
		o.Push.Generation++
		o.Push.PreviousCarriers = append(o.Push.PreviousCarriers, o.Push.Carrier)
		o.Push.TrackingNumber = tracking
	})
}

// TestSplitOrderRerouteUpdatesEachPackage: both packages of a split order
// ship with Ship Package; a re-route after shipping updates each package's
// shipping info (TikTok: split orders use Update Package Shipping Info),
// never the order-level call TikTok refuses for them.
func TestSplitOrderRerouteUpdatesEachPackage(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 6 * time.Hour})
	defer w.close()
	o, pkgs := w.splitShipped(ctx)
	c := w.sim.Counters().Marketplace
	if len(o.Packages) != 2 || c.ShipsByPackage[pkgs[0]] != 1 || c.ShipsByPackage[pkgs[1]] != 1 {
		t.Fatalf("split order %s: stored packages %v, ships %d and %d; want both packages shipped once",
			o.ID, o.Packages, c.ShipsByPackage[pkgs[0]], c.ShipsByPackage[pkgs[1]])
	}
	const tracking = "1Z999AA10123456784"
	w.rerouted(ctx, o.ID, tracking)
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := w.st.Order(ctx, o.ID)
	c = w.sim.Counters().Marketplace
	if got.State != store.StateShipped {
		t.Fatalf("after the re-route's write-back: %s %q", got.State, got.Reason)
	}
	for _, p := range pkgs {
		if c.PackageInfoUpdates[p] != 1 {
			t.Errorf("package %s: %d shipping info updates, want 1", p, c.PackageInfoUpdates[p])
		}
	}
	if c.ShippingInfoUpdates[o.ID] != 0 || c.ShippingInfoRejects[o.ID] != 0 {
		t.Errorf("order-level shipping info called for a split order (%d accepted, %d refused)", c.ShippingInfoUpdates[o.ID], c.ShippingInfoRejects[o.ID])
	}
	if so, _ := w.sim.Order(o.ID); so.TrackingNumber != tracking {
		t.Errorf("TikTok has tracking %q, want the new %q", so.TrackingNumber, tracking)
	}
}

// TestWriteBackRefusalsReadAsReasons: TikTok's 21011044 (order on hold)
// and 21011049 (update window closed) reach the operator as reasons that
// say what happens next; the on-hold one waits for the hold to end
// without spending the write-back attempts.
func TestWriteBackRefusalsReadAsReasons(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 600, history: 4 * time.Hour})
	defer w.close()

	// 21011044: TikTok still has the order ON_HOLD.
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	held, err := w.st.QueueByStatus(ctx, store.StatusOnHold, 0, 1)
	if err != nil || len(held) == 0 {
		t.Fatalf("no ON_HOLD order in the simulated shop (%v)", err)
	}
	swift, _ := w.sim.Carrier("swift")
	w.edit(ctx, held[0].ID, func(o *store.Order) {
		o.State = store.StateTracking
		o.Push = &store.Push{Carrier: "swift", Generation: 1, IdempotencyKey: "k", ExternalID: "x", TrackingNumber: "1Z999AA10123456784", ShippingProviderID: swift.ProviderID}
	})
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ := w.st.Order(ctx, held[0].ID)
	wantNext := o.PaidTime.Add(time.Hour)
	if o.State != store.StateFailed || !strings.Contains(o.Reason, "still on hold") || o.WriteBackAttempts != 0 ||
		o.ErrorClass != "writeback_"+string(tiktok.ClassOnHold) || !o.NextAttemptAt.Equal(wantNext) {
		t.Errorf("on-hold refusal: %s %q class %q attempts %d next %s; want failed, the hold explained, retried at %s without spending an attempt",
			o.State, o.Reason, o.ErrorClass, o.WriteBackAttempts, o.NextAttemptAt, wantNext)
	}

	// 21011049: the 72 hours after shipping are over on TikTok's side.
	shipped, _ := w.splitShipped(ctx)
	w.clock.Advance(73 * time.Hour)
	w.rerouted(ctx, shipped.ID, "1Z999AA10123456785")
	w.edit(ctx, shipped.ID, func(o *store.Order) { o.ShippedAt = w.clock.Now().Add(-time.Hour) })
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ = w.st.Order(ctx, shipped.ID)
	if o.State != store.StateDead || !strings.Contains(o.Reason, "window for changing this order's tracking has closed") ||
		!strings.Contains(o.Reason, "code 21011049") {
		t.Errorf("closed-window refusal: %s %q; want dead with the window explained and the code", o.State, o.Reason)
	}
}
