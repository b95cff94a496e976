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

// FBTRateCard is TikTok's Fulfilled-by-TikTok fulfilment fee, per unit.
// It changes, so it is dated and configurable.
type FBTRateCard struct {
	Effective       time.Time `json:"effective"`
	SingleUnitCents int64     `json:"single_unit_cents"`
	MultiUnitCents  int64     `json:"multi_unit_cents"`
	Source          string    `json:"source,omitempty"`
}

// DefaultFBTRateCard is the US FBT rate card effective 16 Jan 2025: $3.58
// a unit for single-unit orders and $2.86 a unit for multi-unit orders,
// before placement and storage fees (TikTok Seller University,
// knowledge_id=5080349546170155; seller-operations reference §0).
func DefaultFBTRateCard() FBTRateCard {
	return FBTRateCard{
		Effective:       time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC),
		SingleUnitCents: 358, MultiUnitCents: 286,
		Source: "https://seller-us.tiktok.com/university/essay?knowledge_id=5080349546170155",
	}
}

// Price is FBT's fee for an order of units units.
func (c FBTRateCard) Price(units int) int64 {
	if units <= 1 {
		return c.SingleUnitCents * int64(max(units, 1))
	}
	return c.MultiUnitCents * int64(units)
}

// CostSource says where an order's 3PL cost came from.
type CostSource string

// Cost sources.
const (
	CostReported CostSource = "reported"  // the 3PL reported it (ShipStation shipmentCost + insuranceCost)
	CostRateCard CostSource = "rate_card" // the carrier's rate card in the config
	CostUnknown  CostSource = "unknown"   // neither: left out of the totals
)

// OrderCost is one order priced both ways.
type OrderCost struct {
	ID           string     `json:"id"`
	Carrier      string     `json:"carrier"`
	Units        int        `json:"units"`
	ThreePLCents int64      `json:"threepl_cents"`
	Source       CostSource `json:"source"`
	FBTCents     int64      `json:"fbt_cents"`
}

// SKUCost sums the orders' costs per SKU, each order's cost split over its
// units.
type SKUCost struct {
	SKU          string `json:"sku"`
	Units        int    `json:"units"`
	ThreePLCents int64  `json:"threepl_cents"`
	FBTCents     int64  `json:"fbt_cents"`
}

// CostReport compares what the 3PLs cost with what FBT would have.
type CostReport struct {
	Since   time.Time   `json:"since"`
	FBT     FBTRateCard `json:"fbt_rate_card"`
	Orders  int         `json:"orders"`
	Priced  int         `json:"priced"`
	Unknown int         `json:"unpriced"`
	// Totals cover the priced orders only, so the comparison is like for
	// like.
	ThreePLCents int64       `json:"threepl_cents"`
	FBTCents     int64       `json:"fbt_cents"`
	DiffCents    int64       `json:"fbt_minus_threepl_cents"`
	PerOrder     []OrderCost `json:"per_order"`
	PerSKU       []SKUCost   `json:"per_sku"`
}

// CostConfig holds the rate cards.
type CostConfig struct {
	// Cards are per carrier name.
	Cards map[string]RateCard
	FBT   FBTRateCard
}

// Costs prices every order shipdeck handed to a 3PL since since.
func Costs(ctx context.Context, src OrderSource, cfg CostConfig, since time.Time) (CostReport, error) {
	var orders []store.Order
	err := src.OrdersCreatedSince(ctx, since, func(o store.Order) bool {
		if o.Push != nil && o.Push.ExternalID != "" && sellerShips(&o) {
			orders = append(orders, o)
		}
		return true
	})
	if err != nil {
		return CostReport{}, fmt.Errorf("read orders for costs: %w", err)
	}
	return PriceOrders(orders, cfg, since), nil
}

// PriceOrders prices orders already read.
func PriceOrders(orders []store.Order, cfg CostConfig, since time.Time) CostReport {
	if cfg.FBT.SingleUnitCents == 0 && cfg.FBT.MultiUnitCents == 0 {
		cfg.FBT = DefaultFBTRateCard()
	}
	r := CostReport{Since: since, FBT: cfg.FBT}
	skus := map[string]*SKUCost{}
	for _, o := range orders {
		units := 0
		for _, li := range o.LineItems {
			units += max(li.Quantity, 1)
		}
		oc := OrderCost{ID: o.ID, Carrier: o.Carrier(), Units: units, FBTCents: cfg.FBT.Price(units), Source: CostUnknown}
		switch card := cfg.Cards[o.Carrier()]; {
		case o.Push.Cost != nil:
			oc.ThreePLCents, oc.Source = o.Push.Cost.Total(), CostReported
		case !card.Empty():
			oc.ThreePLCents, oc.Source = card.Price(units, o.WeightGrams()), CostRateCard
		}
		r.Orders++
		r.PerOrder = append(r.PerOrder, oc)
		if oc.Source == CostUnknown {
			r.Unknown++
			continue
		}
		r.Priced++
		r.ThreePLCents += oc.ThreePLCents
		r.FBTCents += oc.FBTCents
		for _, li := range o.LineItems {
			q := max(li.Quantity, 1)
			s := skus[li.SKU]
			if s == nil {
				s = &SKUCost{SKU: li.SKU}
				skus[li.SKU] = s
			}
			s.Units += q
			s.ThreePLCents += oc.ThreePLCents * int64(q) / int64(max(units, 1))
			s.FBTCents += oc.FBTCents * int64(q) / int64(max(units, 1))
		}
	}
	r.DiffCents = r.FBTCents - r.ThreePLCents
	for _, s := range skus {
		r.PerSKU = append(r.PerSKU, *s)
	}
	slices.SortFunc(r.PerSKU, func(a, b SKUCost) int { return cmp.Or(cmp.Compare(b.Units, a.Units), cmp.Compare(a.SKU, b.SKU)) })
	return r
}
