package account

import (
	"testing"

	"github.com/shipdeck/shipdeck/store"
)

func TestCostsCompareReportedRateCardAndFBT(t *testing.T) {
	pushed := func(id, carrier string, cost *store.ShipCost, items ...store.LineItem) store.Order {
		return store.Order{ID: id, LineItems: items, Push: &store.Push{Carrier: carrier, ExternalID: "x-" + id, Cost: cost}}
	}
	book := func(sku string, q, g int) store.LineItem {
		return store.LineItem{SKU: sku, Quantity: q, WeightGrams: g}
	}
	orders := []store.Order{
		pushed("a", "ss", &store.ShipCost{ShipmentCents: 512, InsuranceCents: 100}, book("BK-1", 1, 400)), // reported 6.12
		pushed("b", "swift", nil, book("BK-1", 2, 400), book("BK-2", 1, 300)),                             // card: 150 + 3×40 + band(1100 g)=700 → 970
		pushed("c", "nocard", nil, book("BK-3", 1, 300)),                                                  // unpriced
	}
	cfg := CostConfig{Cards: map[string]RateCard{"swift": {PerOrderCents: 150, PerUnitCents: 40,
		WeightBands: []WeightBand{{MaxGrams: 2000, Cents: 700}, {MaxGrams: 500, Cents: 450}}}}}
	r := PriceOrders(orders, cfg, now)
	// FBT (default card): a 1 unit → 358; b 3 units → 3×286 = 858.
	if r.Orders != 3 || r.Priced != 2 || r.Unknown != 1 {
		t.Fatalf("orders %d priced %d unpriced %d, want 3/2/1", r.Orders, r.Priced, r.Unknown)
	}
	if r.ThreePLCents != 612+970 || r.FBTCents != 358+858 || r.DiffCents != (358+858)-(612+970) {
		t.Fatalf("totals 3PL %d FBT %d diff %d, want %d %d %d", r.ThreePLCents, r.FBTCents, r.DiffCents, 612+970, 358+858, (358+858)-(612+970))
	}
	if r.PerOrder[0].Source != store.CostReported || r.PerOrder[1].Source != store.CostRateCard || r.PerOrder[2].Source != store.CostUnknown {
		t.Fatalf("sources %+v", r.PerOrder)
	}
	// BK-1: all of a (612 / 358) and two thirds of b (646 / 572).
	if s := r.PerSKU[0]; s.SKU != "BK-1" || s.Units != 3 || s.ThreePLCents != 612+646 || s.FBTCents != 358+572 {
		t.Fatalf("per SKU %+v", r.PerSKU)
	}
}
