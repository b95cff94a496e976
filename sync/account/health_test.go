package account

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func ago(h float64) time.Time { return now.Add(-time.Duration(h * float64(time.Hour))) }

// order builds a seller-shipped order created c hours ago with its dispatch
// deadline s hours from now (negative: passed) and delivery deadline d.
func order(id string, created, shipBy, deliverBy float64) store.Order {
	return store.Order{ID: id, Status: store.StatusAwaitingShipment, State: store.StateQueued,
		CreateTime: ago(created), RTSSLATime: ago(-shipBy), DeliveryDueTime: ago(-deliverBy),
		ShippingDueTime: ago(-shipBy - 72), Push: &store.Push{Carrier: "swift", TrackingNumber: "1Z999AA10123456784"}}
}

func TestEachOrderCountsWhereTikTokCountsIt(t *testing.T) {
	type effect struct{ bad, atRisk bool }
	cases := []struct {
		name string
		o    func() store.Order
		want map[store.MetricName]effect // metrics not named: neither bad nor at risk
		scan bool
	}{
		{"scanned before the deadline, delivered on time", func() store.Order {
			o := order("ok", 100, -50, -10)
			o.Status, o.State = store.StatusDelivered, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(70), CollectionTime: ago(60), DeliveryTime: ago(20)}
			return o
		}, map[store.MetricName]effect{}, false},
		{"scanned after the deadline is late dispatch", func() store.Order {
			o := order("late-scan", 100, -50, 100)
			o.Status, o.State = store.StatusInTransit, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(70), CollectionTime: ago(40)}
			return o
		}, map[store.MetricName]effect{store.MetricLDR: {bad: true}}, false},
		{"tracking written back but never scanned is late and, past the grace, invalid tracking", func() store.Order {
			o := order("no-scan", 200, -90, 100)
			o.Status, o.State = store.StatusAwaitingCollection, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(100)}
			return o
		}, map[store.MetricName]effect{store.MetricLDR: {bad: true}, store.MetricVTR: {bad: true}}, false}, // 90 h overdue: off the scan watch, counted instead
		{"written back, no scan, deadline in 5 h: at risk and on the scan watch", func() store.Order {
			o := order("chase", 20, 5, 100)
			o.Status, o.State = store.StatusAwaitingCollection, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(2)}
			return o
		}, map[store.MetricName]effect{store.MetricLDR: {atRisk: true}}, true}, // a 2-hour-old write-back is not yet a VTR risk
		{"written back a day and a half ago, still no scan: VTR at risk", func() store.Order {
			o := order("stale", 60, 30, 100)
			o.Status, o.State = store.StatusAwaitingCollection, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(36)}
			return o
		}, map[store.MetricName]effect{store.MetricVTR: {atRisk: true}}, false},
		{"not pushed, deadline passed", func() store.Order {
			return order("stuck", 80, -3, 100)
		}, map[store.MetricName]effect{store.MetricLDR: {bad: true}}, false},
		{"automatic cancellation is seller fault", func() store.Order {
			o := order("auto", 200, -100, 100)
			o.Status, o.State = store.StatusCancelled, store.StateCancelled
			o.Milestones = store.Milestones{CancelTime: ago(30), CancelledBy: store.CancelledBySystem}
			return o
		}, map[store.MetricName]effect{store.MetricSFCR: {bad: true}}, false},
		{"a buyer's cancellation is not", func() store.Order {
			o := order("buyer", 200, -100, 100)
			o.Status, o.State = store.StatusCancelled, store.StateCancelled
			o.Milestones = store.Milestones{CancelTime: ago(30), CancelledBy: store.CancelledByBuyer}
			return o
		}, map[store.MetricName]effect{}, false},
		{"unshipped, TikTok's automatic cancellation is near", func() store.Order {
			o := order("near-auto", 150, -60, 100)
			o.ShippingDueTime = ago(-10)
			return o
		}, map[store.MetricName]effect{store.MetricLDR: {bad: true}, store.MetricSFCR: {atRisk: true}}, false},
		{"delivered after the delivery deadline", func() store.Order {
			o := order("late-deliv", 200, -150, -30)
			o.Status, o.State = store.StatusDelivered, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(170), CollectionTime: ago(160), DeliveryTime: ago(10)}
			return o
		}, map[store.MetricName]effect{store.MetricOTDR: {bad: true}}, false},
		{"TikTok ships it: exempt", func() store.Order {
			o := order("tts", 80, -3, 100)
			o.ShippingType = "TIKTOK"
			return o
		}, map[store.MetricName]effect{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := Compute([]store.Order{c.o()}, Config{}, now)
			for _, m := range h.Metrics {
				want := c.want[m.Name]
				if got := (effect{bad: m.Bad == 1, atRisk: m.AtRisk == 1}); got != want {
					t.Errorf("%s: bad=%v at risk=%v, want %+v (orders %+v)", m.Name, got.bad, got.atRisk, want, m.Orders)
				}
				if (m.Bad > 0 || m.AtRisk > 0) && (len(m.Orders) == 0 || m.Orders[0].Reason == "") {
					t.Errorf("%s counts the order without saying why: %+v", m.Name, m.Orders)
				}
			}
			if got := len(h.ScanWatch) == 1; got != c.scan {
				t.Errorf("scan watch = %+v, want flagged=%v", h.ScanWatch, c.scan)
			}
		})
	}
}

func TestRatesAndProjection(t *testing.T) {
	var orders []store.Order
	// 24 dispatched on time, 1 late, 2 at risk.
	for i := range 24 {
		o := order("ok"+string(rune('a'+i)), 100, -50, 100)
		o.Milestones = store.Milestones{RTSTime: ago(70), CollectionTime: ago(60)}
		o.Status = store.StatusInTransit
		orders = append(orders, o)
	}
	late := order("late", 100, -50, 100)
	late.Milestones = store.Milestones{RTSTime: ago(45), CollectionTime: ago(40)}
	late.Status = store.StatusInTransit
	orders = append(orders, late, order("risk1", 10, 3, 100), order("risk2", 10, 6, 100))
	m := Compute(orders, Config{}, now).Metric(store.MetricLDR)
	if m.Bad != 1 || m.Total != 25 || m.AtRisk != 2 {
		t.Fatalf("LDR counts bad=%d total=%d at risk=%d, want 1/25/2", m.Bad, m.Total, m.AtRisk)
	}
	if m.Value != 0.04 || m.Breached() {
		t.Fatalf("LDR = %v breached=%v, want 0.04 (at the 4%% line, not over)", m.Value, m.Breached())
	}
	if want := 3.0 / 27; m.Projected != want || !m.ProjectedBreach() {
		t.Fatalf("projected LDR = %v (breach %v), want %v and a breach", m.Projected, m.ProjectedBreach(), want)
	}
	if m.Orders[0].ID != "late" || !m.Orders[1].AtRisk || m.Orders[1].ID != "risk1" {
		t.Fatalf("orders listed %+v: want the late one first, then at-risk by deadline", m.Orders)
	}
}

// TestShownOrdersDoNotDependOnHowManyAreRead checks that the estimate keeps
// only the orders it shows while it reads (so a million orders cost a few
// hundred), and that those are exactly the ones a full sort would show:
// late dispatches and at-risk orders mixed, with tied deadlines.
func TestShownOrdersDoNotDependOnHowManyAreRead(t *testing.T) {
	var orders []store.Order
	for i := range 3000 {
		// Late scans (counted) with deadlines in a scrambled order, some
		// tied, and unscanned orders due soon (at risk).
		o := order(fmt.Sprintf("o-%04d", i), 100, -float64((i*37)%500)/10, 100)
		if i%3 == 0 {
			o = order(fmt.Sprintf("o-%04d", i), 10, float64((i*11)%200)/10, 100)
		} else {
			o.Status, o.State = store.StatusInTransit, store.StateShipped
			o.Milestones = store.Milestones{RTSTime: ago(70), CollectionTime: ago(1)}
		}
		orders = append(orders, o)
	}
	few := Compute(orders, Config{MaxOrders: 7}, now)
	all := Compute(orders, Config{MaxOrders: 100_000}, now)
	pruned := false
	for i, m := range few.Metrics {
		pruned = pruned || m.Bad+m.AtRisk > 14
		full := all.Metrics[i].Orders
		if len(full) > 7 {
			full = full[:7]
		}
		if fmt.Sprint(m.Orders) != fmt.Sprint(full) {
			t.Errorf("%s shows %v, want the first of the full list %v", m.Name, m.Orders, full)
		}
		if m.Bad != all.Metrics[i].Bad || m.AtRisk != all.Metrics[i].AtRisk {
			t.Errorf("%s counts changed with the shown limit", m.Name)
		}
	}
	if !pruned {
		t.Fatal("no metric held enough orders to be pruned; the test checks nothing")
	}
}

// The SFCR projection counts an order at risk of automatic cancellation
// once: it is already among the orders created in the window.
func TestSFCRProjectionCountsAtRiskOrdersOnce(t *testing.T) {
	o := order("near-auto", 150, -60, 100)
	o.ShippingDueTime = ago(-10)
	m := Compute([]store.Order{o}, Config{}, now).Metric(store.MetricSFCR)
	if m.Total != 1 || m.AtRisk != 1 || m.Projected != 1 {
		t.Fatalf("SFCR total %d at risk %d projected %v, want 1, 1 and 1.0", m.Total, m.AtRisk, m.Projected)
	}
}

// The scan watch leads with what chasing can still save: orders with time
// left, soonest first, then the most recently overdue.
func TestScanWatchLeadsWithTheOrdersStillSavable(t *testing.T) {
	var orders []store.Order
	for _, c := range []struct {
		id     string
		shipBy float64 // hours from now
	}{{"overdue-long", -60}, {"due-in-8", 8}, {"overdue-short", -2}, {"due-in-1", 1}} {
		o := order(c.id, 80, c.shipBy, 100)
		o.Status, o.State = store.StatusAwaitingCollection, store.StateShipped
		o.Milestones = store.Milestones{RTSTime: ago(70)}
		orders = append(orders, o)
	}
	h := Compute(orders, Config{}, now)
	var got []string
	for _, f := range h.ScanWatch {
		got = append(got, f.ID)
	}
	if want := []string{"due-in-1", "due-in-8", "overdue-short", "overdue-long"}; !slices.Equal(got, want) {
		t.Fatalf("scan watch order %v, want %v", got, want)
	}
}
