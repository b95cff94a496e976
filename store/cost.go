package store

import "time"

// FBTRateCard is TikTok's Fulfilled-by-TikTok fulfilment fee, per unit.
// It changes, so it is dated and configurable.
type FBTRateCard struct {
	Effective       time.Time `json:"effective"`
	SingleUnitCents int64     `json:"single_unit_cents"`
	MultiUnitCents  int64     `json:"multi_unit_cents"`
	Source          string    `json:"source,omitempty"`
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

// Price is FBT's fee for an order of units units.
func (c FBTRateCard) Price(units int) int64 {
	if units <= 1 {
		return c.SingleUnitCents * int64(max(units, 1))
	}
	return c.MultiUnitCents * int64(units)
}
