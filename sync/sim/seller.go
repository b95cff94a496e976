package sim

import (
	"fmt"
	"time"
)

// ShipOnTikTok marks an order shipped the way a seller does by hand in
// TikTok Seller Center, outside shipdeck: TikTok gets the tracking, the
// order moves to AWAITING_COLLECTION and the carrier scan follows.
func (s *Sim) ShipOnTikTok(orderID, providerID, tracking string) error {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	now := s.clock.Now()
	s.book.advanceLocked(now)
	o := s.book.orders[orderID]
	if o == nil {
		return fmt.Errorf("no order %s", orderID)
	}
	if o.full.Status != StatusAwaitingShipment {
		return fmt.Errorf("order %s is %s, not shippable", orderID, o.full.Status)
	}
	o.shippedAt = now
	o.full.TrackingNumber, o.full.ShippingProviderID = tracking, providerID
	o.full.RTSTime = now.Unix()
	s.book.setStatus(o, StatusAwaitingCollection, now)
	s.book.scheduleScan(o, now)
	return nil
}

// EditTracking changes a shipped order's tracking number on TikTok, as a
// seller correcting it in Seller Center would: within TikTok's 72 hours,
// and it uses up the order's one allowed edit.
func (s *Sim) EditTracking(orderID, tracking string) error {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	now := s.clock.Now()
	s.book.advanceLocked(now)
	o := s.book.orders[orderID]
	if o == nil || o.shippedAt.IsZero() {
		return fmt.Errorf("order %s is not shipped", orderID)
	}
	if now.Sub(o.shippedAt) > updateInfoLimit {
		return fmt.Errorf("order %s shipped more than %s ago", orderID, time.Duration(updateInfoLimit))
	}
	o.full.TrackingNumber = tracking
	o.infoUpdated = true
	s.book.touch(o, now)
	return nil
}
