package sim

import (
	"context"
	"slices"
	"testing"
	"time"
)

// The clerk keys some orders into a 3PL by hand and the seller ships some
// from Seller Center, always the same ones for a seed.
func TestClerkWorksOutsideShipdeck(t *testing.T) {
	run := func() (handKeyed int, sellerShipped []string) {
		clock := NewManualClock(time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC))
		s, err := Start(context.Background(), Options{Seed: 3, OrdersPerDay: 400, Clock: clock, History: 24 * time.Hour,
			DailyLimit: -1, PerSecond: -1, Clerk: ClerkPlan{HandKeyed: 0.05, SellerCenter: 0.05}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		clock.Advance(4 * time.Hour)
		for _, o := range s.Orders() {
			if o.ShippingType == ShippingTypeTikTok {
				continue // TikTok ships these itself
			}
			if o.Status == StatusAwaitingCollection || o.Status == StatusInTransit {
				sellerShipped = append(sellerShipped, o.ID) // nobody else ships in this test
				if o.RTSTime == 0 || o.TrackingNumber == "" || o.ShippingProviderID != ProviderUSPS {
					t.Errorf("seller-shipped order %s lacks its ship data: %+v", o.ID, o)
				}
			}
		}
		return s.Counters().Carriers["swift"].HandKeyed, sellerShipped
	}
	n1, shipped1 := run()
	n2, shipped2 := run()
	if n1 == 0 || len(shipped1) == 0 {
		t.Fatalf("hand-keyed %d, seller-shipped %d: want some of each", n1, len(shipped1))
	}
	if n1 != n2 || !slices.Equal(shipped1, shipped2) {
		t.Fatalf("not deterministic: %d/%d hand-keyed, %d/%d seller-shipped", n1, n2, len(shipped1), len(shipped2))
	}
}
