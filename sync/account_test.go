package sync_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/account"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// independentCount counts TikTok's four metrics straight from the
// simulator's orders (TikTok's own truth), the way the definitions read,
// without any of shipdeck's code.
type independentCount struct{ ldrBad, ldrTotal, vtrBad, vtrTotal, sfcrBad, sfcrTotal, otdrBad, otdrTotal int }

func countFromMarketplace(orders []tiktok.Order, now time.Time) independentCount {
	var c independentCount
	in := func(unix int64, window time.Duration) bool {
		t := time.Unix(unix, 0)
		return unix > 0 && !t.After(now) && now.Sub(t) <= window
	}
	const month, week, grace = 30 * 24 * time.Hour, 7 * 24 * time.Hour, 72 * time.Hour
	for _, o := range orders {
		if o.ShippingType == sim.ShippingTypeTikTok || o.FulfillmentType == sim.FulfillmentByTikTok {
			continue // TikTok ships it: exempt
		}
		if in(o.CreateTime, month) {
			c.sfcrTotal++
			if o.Status == sim.StatusCancelled && (o.CancellationInitiator == "SELLER" || o.CancellationInitiator == "SYSTEM") {
				c.sfcrBad++
			}
		}
		if o.Status == sim.StatusCancelled {
			continue
		}
		if in(o.RTSSLATime, month) {
			c.ldrTotal++
			if o.CollectionTime == 0 || o.CollectionTime > o.RTSSLATime {
				c.ldrBad++
			}
		}
		if in(o.RTSTime, month) {
			switch {
			case o.CollectionTime > 0:
				c.vtrTotal++
			case now.Sub(time.Unix(o.RTSTime, 0)) > grace:
				c.vtrTotal++
				c.vtrBad++
			}
		}
		if in(o.DeliveryDueTime, week) {
			c.otdrTotal++
			if o.DeliveryTime == 0 || o.DeliveryTime > o.DeliveryDueTime {
				c.otdrBad++
			}
		}
	}
	return c
}

// TestAccountHealthOverSimulatedDays runs nine simulated days with late and
// missing carrier scans, an order an operator holds until TikTok cancels it
// automatically, and checks every metric against a count made from the
// marketplace's own orders.
func TestAccountHealthOverSimulatedDays(t *testing.T) {
	if testing.Short() {
		t.Skip("nine simulated days; run without -short")
	}
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 60, scans: sim.ScanPlan{Late: 0.15, Never: 0.05}})
	op := store.Actor{Name: "ana", Role: store.RoleOperator}
	held := ""
	for hour := 0; hour < 9*24; hour++ {
		if held == "" && hour > 24 {
			// An operator holds an order and forgets it: TikTok cancels it
			// automatically at its shipping due time, a seller fault.
			if _, err := w.eng.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			page, err := w.eng.Queue(ctx, store.StateReady, 0, 1)
			if err == nil && len(page) == 1 {
				held = page[0].ID
				if err := w.eng.Hold(ctx, op, held); err != nil {
					t.Fatalf("hold %s: %v", held, err)
				}
			}
		}
		w.cycle(ctx)
		w.clock.Advance(time.Hour)
	}
	// A poll sees updates strictly before its own instant, and the carrier
	// scans in this scenario fall on the hour: read a minute past it.
	w.clock.Advance(time.Minute)
	w.cycle(ctx)
	now := w.clock.Now()
	want := countFromMarketplace(w.sim.Orders(), now)
	h, err := w.eng.AccountHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := func(n store.MetricName) (int, int) { m := h.Metric(n); return m.Bad, m.Total }
	for _, c := range []struct {
		name            store.MetricName
		bad, total      int
		wantBad, wantTo int
	}{
		{store.MetricLDR, 0, 0, want.ldrBad, want.ldrTotal},
		{store.MetricVTR, 0, 0, want.vtrBad, want.vtrTotal},
		{store.MetricSFCR, 0, 0, want.sfcrBad, want.sfcrTotal},
		{store.MetricOTDR, 0, 0, want.otdrBad, want.otdrTotal},
	} {
		c.bad, c.total = got(c.name)
		if c.bad != c.wantBad || c.total != c.wantTo {
			t.Errorf("%s: shipdeck counts %d of %d, the marketplace's orders give %d of %d", c.name, c.bad, c.total, c.wantBad, c.wantTo)
		}
	}
	if want.ldrBad == 0 || want.vtrBad == 0 || want.sfcrBad == 0 {
		t.Fatalf("the scenario produced no late dispatch, invalid tracking or seller-fault cancellation: %+v", want)
	}
	// The held order was cancelled automatically, and counts as seller fault.
	sfcr := h.Metric(store.MetricSFCR)
	found := false
	for _, mo := range sfcr.Orders {
		found = found || mo.ID == held
	}
	if !found {
		t.Errorf("the held order %s, auto-cancelled by TikTok, is not among the SFCR orders %+v", held, sfcr.Orders)
	}
	t.Logf("LDR %d/%d (%.1f%%, projected %.1f%%), VTR %d/%d, SFCR %d/%d, OTDR %d/%d, scan watch %d, read %d orders",
		want.ldrBad, want.ldrTotal, 100*h.Metric(store.MetricLDR).Value, 100*h.Metric(store.MetricLDR).Projected,
		want.vtrBad, want.vtrTotal, want.sfcrBad, want.sfcrTotal, want.otdrBad, want.otdrTotal, len(h.ScanWatch), h.Orders)
	if h.Orders >= int(w.counts().Total)+1 {
		t.Errorf("the estimate read %d orders of %d: it must read its window only", h.Orders, w.counts().Total)
	}
}

// TestWriteBackRefusesATrackingNumberTikTokWouldReject: a UPS-coded
// shipment with a USPS-shaped number never reaches TikTok; the order goes
// to an operator with the reason, and no quota is spent on it.
func TestWriteBackRefusesATrackingNumberTikTokWouldReject(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 300, history: 12 * time.Hour})
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := w.eng.Queue(ctx, store.StatePushed, 0, 1)
	if err != nil || len(page) != 1 {
		t.Fatalf("no pushed order: %v", err)
	}
	id := page[0].ID
	err = w.st.Update(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(id)
		if err != nil {
			return err
		}
		o.Push.TrackingNumber, o.Push.CarrierCode, o.State = "9400111899223197428490", "ups", store.StateTracking
		return tx.PutOrder(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ := w.st.Order(ctx, id)
	if o.State != store.StateDead || !strings.Contains(o.Reason, "not UPS") || !strings.Contains(o.Reason, "21004015") {
		t.Fatalf("order %s is %s (%q), want dead with the pre-flight reason", id, o.State, o.Reason)
	}
	if got := w.sim.Counters().Marketplace.ShipsByOrder[id]; got != 0 {
		t.Fatalf("TikTok was asked to ship it %d times", got)
	}
}

// TestCostsFromShipStationAndRateCards sends the orders to ShipStation and
// swift, and checks the costs report: ShipStation's label costs, summed
// independently from its own /shipments list, a rate card for swift, and
// FBT's per-unit card over the same orders.
func TestCostsFromShipStationAndRateCards(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 120, history: 12 * time.Hour, routes: []route.Rule{
		{Name: "some states", Carrier: "shipstation", When: route.When{Region: []string{"TX", "NY", "FL", "Texas", "New York", "Florida"}}},
		{Name: "rest", Carrier: "swift"},
	}})
	w.drain(ctx, 12, time.Hour)
	card := account.RateCard{PerOrderCents: 150, PerUnitCents: 40}
	rep, err := account.Costs(ctx, w.st, account.CostConfig{Cards: map[string]account.RateCard{"swift": card}}, start.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// ShipStation's own list of the labels it bought, summed here.
	ss, _ := w.sim.Carrier("shipstation")
	req, _ := http.NewRequest("GET", ss.URL+"/shipments", nil)
	req.SetBasicAuth(ss.Key, ss.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Shipments []struct {
			OrderNumber   string  `json:"orderNumber"`
			ShipmentCost  float64 `json:"shipmentCost"`
			InsuranceCost float64 `json:"insuranceCost"`
		} `json:"shipments"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]int64{}
	for _, s := range list.Shipments {
		labels[s.OrderNumber] = int64(math.Round((s.ShipmentCost + s.InsuranceCost) * 100))
	}
	var reported, carded, fbt int64
	nReported, nCarded := 0, 0
	for _, oc := range rep.PerOrder {
		o, _ := w.st.Order(ctx, oc.ID)
		switch oc.Source {
		case store.CostReported:
			nReported++
			reported += oc.ThreePLCents
			if want, ok := labels[oc.ID]; !ok || want != oc.ThreePLCents {
				t.Errorf("order %s: reported cost %d, ShipStation's label says %d (listed %v)", oc.ID, oc.ThreePLCents, want, ok)
			}
		case store.CostRateCard:
			nCarded++
			carded += oc.ThreePLCents
			units := 0
			for _, li := range o.LineItems {
				units += li.Quantity
			}
			if want := card.Price(units, 0); oc.ThreePLCents != want || oc.Carrier != "swift" {
				t.Errorf("order %s at %s: rate-card cost %d, want %d", oc.ID, oc.Carrier, oc.ThreePLCents, want)
			}
		}
		if oc.Source != store.CostUnknown {
			units := 0
			for _, li := range o.LineItems {
				units += li.Quantity
			}
			per := int64(358) // FBT's card: $3.58 a unit alone, $2.86 a unit in multi-unit orders
			if units > 1 {
				per = 286
			}
			fbt += per * int64(units)
		}
	}
	if nReported == 0 || nCarded == 0 {
		t.Fatalf("%d orders priced from ShipStation's labels and %d from the rate card; want some of each (report %+v, counts %v)", nReported, nCarded, rep.Orders, w.counts().ByState)
	}
	if rep.FBTCents != fbt {
		t.Errorf("FBT total %d, want %d (the per-unit card over the priced orders)", rep.FBTCents, fbt)
	}
	if rep.ThreePLCents != reported+carded || rep.Priced != nReported+nCarded {
		t.Errorf("3PL total %d over %d orders, want %d over %d", rep.ThreePLCents, rep.Priced, reported+carded, nReported+nCarded)
	}
	// Unpriced orders (at ShipStation, label not bought yet) are in
	// neither total.
	if rep.Unknown != rep.Orders-rep.Priced {
		t.Errorf("unpriced %d of %d orders with %d priced", rep.Unknown, rep.Orders, rep.Priced)
	}
	t.Logf("%d orders: %d from ShipStation labels ($%.2f), %d from swift's rate card ($%.2f); FBT would be $%.2f; difference $%.2f",
		rep.Orders, nReported, float64(reported)/100, nCarded, float64(carded)/100, float64(rep.FBTCents)/100, float64(rep.DiffCents)/100)
}
