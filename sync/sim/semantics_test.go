package sim

import (
	"strings"
	"testing"
	"time"
)

// TestOrdersFollowTikToksOrderSemantics: over a simulated day the shop
// produces what a real US shop sees: both on-hold flows with the right
// is_on_hold_order, the old flow's buyers cancelling inside the remorse
// hour, orders TikTok ships (shipping_type TIKTOK and FBT) that TikTok moves
// to collection on its own, masked addresses on shippable orders, US
// addresses with every address_level (Federal District and parish rows
// too) and UK addresses with a post town.
func TestOrdersFollowTikToksOrderSemantics(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 11, OrdersPerDay: 3000})
	paths := map[string][]string{}
	remorseCancels := 0
	s.book.mu.Lock()
	s.book.onChange = func(o *simOrder, at time.Time) {
		paths[o.full.ID] = append(paths[o.full.ID], o.full.Status)
		if o.full.Status == StatusCancelled && !o.onHold && o.full.PaidTime > 0 && at.Unix()-o.full.PaidTime < 3600 {
			remorseCancels++
		}
	}
	s.book.mu.Unlock()
	for range 24 * 4 {
		clock.Advance(15 * time.Minute)
	}

	var newFlow, oldFlow, tiktokShipping, fbt, tiktokMoved, maskedShippable, uk, federal, parish int
	for _, o := range s.Orders() {
		joined := strings.Join(paths[o.ID], ">")
		readied := strings.Contains(joined, StatusAwaitingShipment)
		switch {
		case readied && strings.Contains(joined, StatusOnHold):
			newFlow++
			if !o.IsOnHoldOrder {
				t.Fatalf("order %s went %s with is_on_hold_order false", o.ID, joined)
			}
		case readied:
			oldFlow++
			if o.IsOnHoldOrder {
				t.Fatalf("order %s went %s with is_on_hold_order true", o.ID, joined)
			}
		}
		if o.ShippingType == ShippingTypeTikTok {
			if o.FulfillmentType == FulfillmentByTikTok {
				fbt++
			} else {
				tiktokShipping++
			}
			if strings.Contains(joined, StatusAwaitingCollection) {
				tiktokMoved++
			}
		} else if o.ShippingType != ShippingTypeSeller || o.FulfillmentType != FulfillmentBySeller {
			t.Fatalf("order %s: shipping_type %q fulfillment_type %q", o.ID, o.ShippingType, o.FulfillmentType)
		}
		a := o.RecipientAddress
		if o.Status == StatusAwaitingShipment && o.ShippingType == ShippingTypeSeller && strings.Contains(a.Name, "***") {
			maskedShippable++
		}
		switch a.RegionCode {
		case "GB":
			uk++
			if a.PostTown == "" || !strings.Contains(a.FullAddress, a.PostTown) && a.FullAddress != "***" {
				t.Fatalf("UK order %s without its post town: %+v", o.ID, a)
			}
		case "US":
			if o.Status == StatusOnHold {
				continue
			}
			levels := map[string]string{}
			for _, d := range a.DistrictInfo {
				levels[d.AddressLevel] = d.AddressLevelName
			}
			if levels["L1"] == "" || levels["L3"] != "City" {
				t.Fatalf("US order %s: district_info %+v lacks L1 or an L3 city", o.ID, a.DistrictInfo)
			}
			if levels["L1"] == "Federal District" {
				federal++
			}
			if levels["L2"] == "Parish" {
				parish++
			}
		}
	}
	for what, n := range map[string]int{"new-flow": newFlow, "old-flow": oldFlow, "old-flow remorse cancel": remorseCancels,
		"TikTok-shipping": tiktokShipping, "FBT": fbt, "TikTok-moved": tiktokMoved, "masked shippable": maskedShippable,
		"UK": uk, "Federal District": federal, "parish": parish} {
		if n == 0 {
			t.Errorf("no %s orders in a day at 3000 orders/day", what)
		}
	}
	t.Logf("new flow %d, old flow %d (remorse cancels %d), TikTok shipping %d, FBT %d (moved on by TikTok %d), masked shippable %d, UK %d",
		newFlow, oldFlow, remorseCancels, tiktokShipping, fbt, tiktokMoved, maskedShippable, uk)
}
