package account

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// WeightBand prices an order up to MaxGrams.
type WeightBand struct {
	MaxGrams int   `json:"max_g"`
	Cents    int64 `json:"cents"`
}

// RateCard is what a 3PL charges when it does not report a cost itself:
// per order, per unit, plus the first weight band the order fits.
type RateCard struct {
	PerOrderCents int64        `json:"per_order_cents,omitempty"`
	PerUnitCents  int64        `json:"per_unit_cents,omitempty"`
	WeightBands   []WeightBand `json:"weight_bands,omitempty"`
}

// Empty reports whether the card prices nothing.
func (r RateCard) Empty() bool {
	return r.PerOrderCents == 0 && r.PerUnitCents == 0 && len(r.WeightBands) == 0
}

// Price is the card's price for an order of units units weighing grams.
func (r RateCard) Price(units, grams int) int64 {
	p := r.PerOrderCents + r.PerUnitCents*int64(units)
	bands := slices.Clone(r.WeightBands)
	slices.SortFunc(bands, func(a, b WeightBand) int { return cmp.Compare(a.MaxGrams, b.MaxGrams) })
	for _, b := range bands {
		if grams <= b.MaxGrams {
			return p + b.Cents
		}
	}
	if len(bands) > 0 { // heavier than every band: the last one is the floor
		return p + bands[len(bands)-1].Cents
	}
	return p
}

// DefaultFBTRateCard is the US FBT rate card effective 16 Jan 2025: $3.58
// a unit for single-unit orders and $2.86 a unit for multi-unit orders,
// before placement and storage fees (TikTok Seller University,
// knowledge_id=5080349546170155; seller-operations reference §0).
func DefaultFBTRateCard() store.FBTRateCard {
	return store.FBTRateCard{
		Effective:       time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC),
		SingleUnitCents: 358, MultiUnitCents: 286,
		Source: "https://seller-us.tiktok.com/university/essay?knowledge_id=5080349546170155",
	}
}

// CostConfig holds the rate cards.
type CostConfig struct {
	// Cards are per carrier name.
	Cards map[string]RateCard
	FBT   store.FBTRateCard
}

// Costs prices every order shipdeck handed to a 3PL since since, with
// one PerOrder entry per order.
func Costs(ctx context.Context, src OrderSource, cfg CostConfig, since time.Time) (store.CostReport, error) {
	return costs(ctx, src, cfg, since, true)
}

// CostTotals is Costs without the per-order list, for the worker's
// periodic refresh: it holds the totals and the SKUs, never the window's
// orders.
func CostTotals(ctx context.Context, src OrderSource, cfg CostConfig, since time.Time) (store.CostReport, error) {
	return costs(ctx, src, cfg, since, false)
}

func costs(ctx context.Context, src OrderSource, cfg CostConfig, since time.Time, perOrder bool) (store.CostReport, error) {
	p := newPricer(cfg, since, perOrder)
	err := src.OrdersCreatedSince(ctx, since, func(o store.Order) bool {
		// Orders a 3PL holds and has not cancelled: one cancelled before it
		// shipped cost nothing there, and FBT would not have shipped it.
		if o.Push != nil && o.Push.ExternalID != "" && sellerShips(&o) &&
			(o.Status != store.StatusCancelled || o.Push.TrackingNumber != "") {
			p.add(&o)
		}
		return true
	})
	if err != nil {
		return store.CostReport{}, fmt.Errorf("read orders for costs: %w", err)
	}
	return p.result(), nil
}

// PriceOrders prices orders already read.
func PriceOrders(orders []store.Order, cfg CostConfig, since time.Time) store.CostReport {
	p := newPricer(cfg, since, true)
	for i := range orders {
		p.add(&orders[i])
	}
	return p.result()
}

// pricer adds orders up one at a time, so a window of orders is priced
// without being held.
type pricer struct {
	cfg      CostConfig
	r        store.CostReport
	skus     map[string]*store.SKUCost
	perOrder bool
}

func newPricer(cfg CostConfig, since time.Time, perOrder bool) *pricer {
	if cfg.FBT.SingleUnitCents == 0 && cfg.FBT.MultiUnitCents == 0 {
		cfg.FBT = DefaultFBTRateCard()
	}
	return &pricer{cfg: cfg, r: store.CostReport{Since: since, FBT: cfg.FBT}, skus: map[string]*store.SKUCost{}, perOrder: perOrder}
}

func (p *pricer) add(o *store.Order) {
	units := 0
	for _, li := range o.LineItems {
		units += max(li.Quantity, 1)
	}
	oc := store.OrderCost{ID: o.ID, Carrier: o.Carrier(), Units: units, FBTCents: p.cfg.FBT.Price(units), Source: store.CostUnknown}
	switch card := p.cfg.Cards[o.Carrier()]; {
	case o.Push.Cost != nil:
		oc.ThreePLCents, oc.Source = o.Push.Cost.Total(), store.CostReported
	case !card.Empty():
		oc.ThreePLCents, oc.Source = card.Price(units, o.WeightGrams()), store.CostRateCard
	}
	r := &p.r
	r.Orders++
	if p.perOrder {
		r.PerOrder = append(r.PerOrder, oc)
	}
	if oc.Source == store.CostUnknown {
		r.Unknown++
		return
	}
	r.Priced++
	r.ThreePLCents += oc.ThreePLCents
	r.FBTCents += oc.FBTCents
	for _, li := range o.LineItems {
		q := max(li.Quantity, 1)
		s := p.skus[li.SKU]
		if s == nil {
			s = &store.SKUCost{SKU: li.SKU}
			p.skus[li.SKU] = s
		}
		s.Units += q
		s.ThreePLCents += oc.ThreePLCents * int64(q) / int64(max(units, 1))
		s.FBTCents += oc.FBTCents * int64(q) / int64(max(units, 1))
	}
}

func (p *pricer) result() store.CostReport {
	r := p.r
	r.DiffCents = r.FBTCents - r.ThreePLCents
	for _, s := range p.skus {
		r.PerSKU = append(r.PerSKU, *s)
	}
	slices.SortFunc(r.PerSKU, func(a, b store.SKUCost) int { return cmp.Or(cmp.Compare(b.Units, a.Units), cmp.Compare(a.SKU, b.SKU)) })
	return r
}
