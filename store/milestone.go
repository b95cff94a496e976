package store

import "time"

// Milestones are the moments an order passed on its way to the buyer, as
// TikTok reports them on the order (rts_time, collection_time,
// delivery_time, cancel_time, cancellation_initiator; Get Order Detail
// 202309) and, where TikTok leaves a time out, as shipdeck first saw the
// status. Account health is estimated from them.
type Milestones struct {
	// RTSTime is when the order was marked ready to ship (tracking added).
	RTSTime time.Time `json:"rts_time,omitzero"`
	// CollectionTime is the carrier's first scan: the order reached
	// IN_TRANSIT. Late Dispatch Rate is measured on it.
	CollectionTime time.Time `json:"collection_time,omitzero"`
	// DeliveryTime is when the carrier delivered the order.
	DeliveryTime time.Time `json:"delivery_time,omitzero"`
	// CancelTime is when the order was cancelled.
	CancelTime time.Time `json:"cancel_time,omitzero"`
	// CancelledBy is TikTok's cancellation_initiator: SELLER, BUYER or
	// SYSTEM (an automatic cancellation for a missed deadline).
	CancelledBy  string `json:"cancelled_by,omitempty"`
	CancelReason string `json:"cancel_reason,omitempty"`
	// TikTokTracking is the tracking number TikTok holds for the order,
	// whoever uploaded it; reconciliation compares it with the 3PL's.
	TikTokTracking string `json:"tiktok_tracking,omitempty"`
}

// Cancellation initiators as TikTok spells them.
const (
	CancelledBySeller = "SELLER"
	CancelledByBuyer  = "BUYER"
	CancelledBySystem = "SYSTEM"
)

// Observe fills the milestones TikTok left out from the status the order
// has now, seen at now, and keeps what an earlier sighting recorded.
func (m Milestones) Observe(prev Milestones, status MarketStatus, now time.Time) Milestones {
	keep := func(cur, old time.Time) time.Time {
		if cur.IsZero() {
			return old
		}
		return cur
	}
	m.RTSTime = keep(m.RTSTime, prev.RTSTime)
	m.CollectionTime = keep(m.CollectionTime, prev.CollectionTime)
	m.DeliveryTime = keep(m.DeliveryTime, prev.DeliveryTime)
	m.CancelTime = keep(m.CancelTime, prev.CancelTime)
	if m.CancelledBy == "" {
		m.CancelledBy = prev.CancelledBy
	}
	if m.CancelReason == "" {
		m.CancelReason = prev.CancelReason
	}
	if m.TikTokTracking == "" {
		m.TikTokTracking = prev.TikTokTracking
	}
	switch status {
	case StatusAwaitingCollection:
		if m.RTSTime.IsZero() {
			m.RTSTime = now
		}
	case StatusInTransit, StatusDelivered, StatusCompleted:
		if m.CollectionTime.IsZero() {
			m.CollectionTime = now
		}
		if m.RTSTime.IsZero() {
			m.RTSTime = m.CollectionTime
		}
		if status != StatusInTransit && m.DeliveryTime.IsZero() {
			m.DeliveryTime = now
		}
	case StatusCancelled:
		if m.CancelTime.IsZero() {
			m.CancelTime = now
		}
	}
	return m
}

// Scanned reports whether a carrier has scanned the order (it reached
// IN_TRANSIT or later).
func (m Milestones) Scanned() bool { return !m.CollectionTime.IsZero() }

// ShipCost is what a 3PL reported the shipment cost (ShipStation's
// shipmentCost and insuranceCost), in minor currency units.
type ShipCost struct {
	ShipmentCents  int64  `json:"shipment_cents"`
	InsuranceCents int64  `json:"insurance_cents,omitempty"`
	Currency       string `json:"currency,omitempty"`
}

// Total is the shipment and insurance cost together.
func (c ShipCost) Total() int64 { return c.ShipmentCents + c.InsuranceCents }
