package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// ClerkPlan is what people do by hand outside shipdeck, so the demo's
// reconciliation has something to find: a warehouse clerk keying an order
// into a 3PL's own screen, or the seller shipping one from TikTok Seller
// Center.
type ClerkPlan struct {
	// HandKeyed is the share of orders a clerk keys in by hand at a REST
	// 3PL about 20 minutes after they become shippable.
	HandKeyed float64
	// SellerCenter is the share the seller ships from Seller Center about
	// two hours after they become shippable.
	SellerCenter float64
}

// The clerk's events, beside the order book's own.
const (
	evHandKey eventKind = iota + 100
	evSellerShip
)

// planClerk schedules what the clerk does to a new order, from the order's
// own stream (seed and id), so it never shifts another random draw.
func (b *orderBook) planClerk(o *simOrder) {
	p := b.clerk
	if (p.HandKeyed <= 0 && p.SellerCenter <= 0) || o.payAt.IsZero() {
		return
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(o.full.ID))
	rng := rand.New(rand.NewPCG(uint64(b.seed)^0x9e3779b97f4a7c15, h.Sum64()))
	ready := o.payAt
	if !o.holdUntil.IsZero() {
		ready = o.holdUntil
	}
	switch r := rng.Float64(); {
	case r < p.HandKeyed:
		b.schedule(ready.Add(20*time.Minute), evHandKey, o)
	case r < p.HandKeyed+p.SellerCenter:
		b.schedule(ready.Add(2*time.Hour), evSellerShip, o)
	}
}

// applyClerk runs one of the clerk's events.
func (b *orderBook) applyClerk(e event) {
	o := e.o
	if o.full.Status != StatusAwaitingShipment {
		return
	}
	switch e.kind {
	case evHandKey:
		if b.keyByHand != nil {
			b.keyByHand(o.full.ID, e.at)
		}
	case evSellerShip:
		o.shippedAt = e.at
		o.full.TrackingNumber = "9400" + o.full.ID[2:] // a USPS IMpb shape
		o.full.ShippingProviderID = ProviderUSPS
		o.full.RTSTime = e.at.Unix()
		b.setStatus(o, StatusAwaitingCollection, e.at)
		b.scheduleScan(o, e.at)
	}
}
