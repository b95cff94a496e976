package sim

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func TestOrdersMoveThroughTheirLifeOnTheSimClock(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 21, OrdersPerDay: 3000})
	type change struct {
		status string
		at     time.Time
		update int64
	}
	changes := map[string][]change{} // every status change, as it happened
	s.book.mu.Lock()
	s.book.onChange = func(o *simOrder, at time.Time) {
		changes[o.full.ID] = append(changes[o.full.ID], change{o.full.Status, at, o.full.UpdateTime})
	}
	s.book.mu.Unlock()

	for range 36 * 4 { // a day and a half in 15-minute steps
		clock.Advance(15 * time.Minute)
		for _, o := range s.Orders() {
			checkMasking(t, o)
		}
	}

	var onHold, cancelled, cancelledAfterReady int
	for id, ch := range changes {
		var path []string
		for i, c := range ch {
			path = append(path, c.status)
			if c.update != c.at.Unix() {
				t.Fatalf("order %s: update_time %d for a change at %v", id, c.update, c.at)
			}
			if i > 0 && !c.at.After(ch[i-1].at) {
				t.Fatalf("order %s: %s at %v is not after %s", id, c.status, c.at, ch[i-1].status)
			}
		}
		joined := strings.Join(path, ">")
		if path[0] != StatusUnpaid {
			t.Fatalf("order %s did not start UNPAID: %s", id, joined)
		}
		if strings.Contains(joined, StatusOnHold) {
			onHold++
			if !strings.HasPrefix(joined, "UNPAID>ON_HOLD") {
				t.Fatalf("order %s went %s", id, joined)
			}
			if i := slices.Index(path, StatusOnHold); i+1 < len(path) && path[i+1] == StatusAwaitingShipment {
				if held := ch[i+1].at.Sub(ch[i].at); held < 50*time.Minute || held > 70*time.Minute {
					t.Fatalf("order %s was on hold for %v, want about an hour", id, held)
				}
			}
		}
		if len(path) > 1 && path[1] == StatusAwaitingShipment {
			if unpaid := ch[1].at.Sub(ch[0].at); unpaid > 10*time.Minute {
				t.Fatalf("order %s stayed unpaid for %v", id, unpaid)
			}
		}
		if path[len(path)-1] == StatusCancelled {
			cancelled++
			if strings.Contains(joined, StatusAwaitingShipment) {
				cancelledAfterReady++
			}
		}
	}
	n := len(changes)
	if n < 3000 {
		t.Fatalf("only %d orders in a day and a half at 3000/day", n)
	}
	if r := float64(onHold) / float64(n); r < 0.55 || r > 0.65 {
		t.Errorf("%.1f%% of orders went ON_HOLD, want about 60%% (the rest take the old flow)", 100*r)
	}
	if r := float64(cancelled) / float64(n); r < 0.015 || r > 0.045 {
		t.Errorf("%.1f%% of orders were cancelled, want about 3%%", 100*r)
	}
	if cancelledAfterReady == 0 {
		t.Error("no order was cancelled after becoming AWAITING_SHIPMENT")
	}
}

// checkMasking asserts TikTok's masking rules for what the API shows.
func checkMasking(t *testing.T, o tiktok.Order) {
	t.Helper()
	a := o.RecipientAddress
	switch o.Status {
	case StatusOnHold:
		if a.Name != "" || a.AddressLine1 != "" || a.FullAddress != "" {
			t.Fatalf("on-hold order %s shows an address: %+v", o.ID, a)
		}
	case StatusUnpaid, StatusCancelled:
		if !strings.Contains(a.Name, "***") || a.PostalCode != "***" || a.AddressLine1 != "***" {
			t.Fatalf("%s order %s is not masked: %+v", o.Status, o.ID, a)
		}
	}
}

func TestOrderContentsAreRealisticAndHostile(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 5, OrdersPerDay: 3000, History: 24 * time.Hour})
	clock.Advance(time.Hour)
	var unicode, hostile, masked, multiItem int
	for _, o := range ordersIn(s, StatusAwaitingShipment) {
		name := o.RecipientAddress.Name
		if strings.ContainsAny(name, "\x1b\x07\r\t\x00\u202e") {
			hostile++
		}
		if strings.ContainsFunc(name, func(r rune) bool { return r > 127 }) {
			unicode++
		}
		if strings.Contains(name, "***") {
			masked++
		}
		if len(o.LineItems) > 1 {
			multiItem++
		}
		if len(o.ID) != 18 || strings.Trim(o.ID, "0123456789") != "" {
			t.Fatalf("order id %q is not an 18-digit number", o.ID)
		}
		for _, li := range o.LineItems {
			if _, ok := productBySKU(li.SellerSku); !ok || li.PackageID != o.Packages[0].ID || li.SalePrice == "" {
				t.Fatalf("line item %+v is not from the catalogue or not in the package", li)
			}
		}
		uk := o.RecipientAddress.RegionCode == "GB" && o.Payment != nil && o.Payment.Currency == "GBP"
		if !uk && (o.RecipientAddress.RegionCode != "US" || o.Payment == nil || o.Payment.Currency != "USD") {
			t.Fatalf("order %s: region %q payment %+v", o.ID, o.RecipientAddress.RegionCode, o.Payment)
		}
	}
	if unicode == 0 || hostile == 0 || masked == 0 || multiItem == 0 {
		t.Fatalf("unicode %d hostile %d masked %d multi-item %d: want some of each", unicode, hostile, masked, multiItem)
	}
}

func TestSameSeedSameWorld(t *testing.T) {
	a, ca := startSim(t, Options{Seed: 77, OrdersPerDay: 500, History: 3 * time.Hour})
	b, cb := startSim(t, Options{Seed: 77, OrdersPerDay: 500, History: 3 * time.Hour})
	ca.Advance(90 * time.Minute)
	cb.Advance(30 * time.Minute) // read b in two steps: the outcome must not depend on when it is read
	_ = b.Orders()
	cb.Advance(60 * time.Minute)
	if !reflect.DeepEqual(a.Orders(), b.Orders()) {
		t.Fatal("two simulators with the same seed and clock disagree")
	}
}

func TestShipPackageWriteBack(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 3, OrdersPerDay: 2000, History: 6 * time.Hour})
	c := newAPIClient(t, s)
	ready := ordersIn(s, StatusAwaitingShipment)
	if len(ready) < 3 {
		t.Fatalf("only %d orders awaiting shipment", len(ready))
	}
	o := ready[0]
	pkg := o.Packages[0].ID

	res := c.ship(pkg, ProviderUPS, "1ZA1B2C30312345678")
	if res.status != 200 || res.env.Code != 0 {
		t.Fatalf("ship: HTTP %d code %d %s", res.status, res.env.Code, res.env.Message)
	}
	got, _ := s.Order(o.ID)
	if got.Status != StatusAwaitingCollection || got.TrackingNumber != "1ZA1B2C30312345678" || got.UpdateTime != clock.Now().Unix() {
		t.Fatalf("after ship: %s tracking %q update %d", got.Status, got.TrackingNumber, got.UpdateTime)
	}
	res = c.ship(pkg, ProviderUPS, "1ZA1B2C30312345678")
	if res.env.Code == 0 || res.env.Message != "package already shipped" {
		t.Fatalf("second ship: code %d %q", res.env.Code, res.env.Message)
	}
	clock.Advance(11 * time.Hour)
	if got, _ := s.Order(o.ID); got.Status != StatusInTransit {
		t.Fatalf("11 h after shipping the order is %s, want IN_TRANSIT", got.Status)
	}

	// A tracking number that does not look like the provider's is a warning.
	res = c.ship(ready[1].Packages[0].ID, ProviderUSPS, "1ZA1B2C30312345678")
	var data tiktok.ShipData
	if err := json.Unmarshal(res.env.Data, &data); err != nil || res.env.Code != 0 || len(data.Warnings) == 0 {
		t.Fatalf("mismatched tracking: code %d warnings %+v: %v", res.env.Code, data.Warnings, err)
	}

	counters := s.Counters().Marketplace
	if counters.ShipsByPackage[pkg] != 1 || counters.ShipRejects[pkg] != 1 || counters.ShipsByOrder[o.ID] != 1 {
		t.Fatalf("write-back counters: ships %d rejects %d by order %d",
			counters.ShipsByPackage[pkg], counters.ShipRejects[pkg], counters.ShipsByOrder[o.ID])
	}
}

func TestShipRefusals(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 3, OrdersPerDay: 3000, History: 2 * time.Hour})
	c := newAPIClient(t, s)
	ready := ordersIn(s, StatusAwaitingShipment)[0].Packages[0].ID
	tests := []struct {
		name     string
		pkg      string
		provider string
		tracking string
		wantCode int
	}{
		{"on hold", ordersIn(s, StatusOnHold)[0].Packages[0].ID, ProviderUPS, "1ZA1B2C30312345678", CodeOnHold},
		{"unpaid", ordersIn(s, StatusUnpaid)[0].Packages[0].ID, ProviderUPS, "1ZA1B2C30312345678", CodeNotShippable},
		{"unknown package", "1152900000000000000", ProviderUPS, "1ZA1B2C30312345678", tiktok.CodeNotSellersOrder},
		{"special characters", ready, ProviderUPS, "1Z-A1B2C3/0312345678", CodeSpecialCharacters},
		{"no tracking", ready, ProviderUPS, "", CodeInvalidTracking},
		{"unknown provider", ready, "42", "1ZA1B2C30312345678", CodeInvalidTracking},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := c.ship(tc.pkg, tc.provider, tc.tracking); res.env.Code != tc.wantCode {
				t.Fatalf("code %d (%s), want %d", res.env.Code, res.env.Message, tc.wantCode)
			}
		})
	}
	if res := c.do(http.MethodPost, "/fulfillment/202309/packages/"+ready+"/ship", nil, []byte(`{}`)); res.status != 400 {
		t.Fatalf("ship without self_shipment: HTTP %d code %d", res.status, res.env.Code)
	}
}

func TestUpdateShippingInfoOnceWithin72Hours(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 3, OrdersPerDay: 2000, History: 6 * time.Hour})
	c := newAPIClient(t, s)
	ready := ordersIn(s, StatusAwaitingShipment)
	update := func(orderID, tracking string) apiResult {
		body, _ := json.Marshal(tiktok.UpdateShippingInfoRequest{TrackingNumber: tracking, ShippingProviderID: ProviderUSPS})
		return c.do(http.MethodPost, "/fulfillment/202309/orders/"+orderID+"/shipping_info/update", nil, body)
	}
	if res := update(ready[0].ID, "9400111111111111111111"); res.env.Code != CodeNotShipped {
		t.Fatalf("update before shipping: code %d", res.env.Code)
	}
	c.ship(ready[0].Packages[0].ID, ProviderUPS, "1ZA1B2C30312345678")
	c.ship(ready[1].Packages[0].ID, ProviderUPS, "1ZA1B2C30312345679")
	clock.Advance(71 * time.Hour)
	if res := update(ready[0].ID, "9400111111111111111111"); res.env.Code != 0 {
		t.Fatalf("update at 71 h: code %d %s", res.env.Code, res.env.Message)
	}
	if got, _ := s.Order(ready[0].ID); got.TrackingNumber != "9400111111111111111111" || got.ShippingProviderID != ProviderUSPS {
		t.Fatalf("update not applied: %q %q", got.TrackingNumber, got.ShippingProviderID)
	}
	if res := update(ready[0].ID, "9400222222222222222222"); res.env.Code != CodeAlreadyUpdated {
		t.Fatalf("second update: code %d", res.env.Code)
	}
	clock.Advance(2 * time.Hour)
	if res := update(ready[1].ID, "9400111111111111111112"); res.env.Code != CodeUpdateWindowClosed {
		t.Fatalf("update at 73 h: code %d", res.env.Code)
	}
	counters := s.Counters().Marketplace
	if counters.ShippingInfoUpdates[ready[0].ID] != 1 || counters.ShippingInfoRejects[ready[0].ID] != 2 {
		t.Fatalf("shipping info counters: %v / %v", counters.ShippingInfoUpdates, counters.ShippingInfoRejects)
	}
}

func TestUnshippedOrdersAreAutoCancelled(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 8, OrdersPerDay: 200, History: time.Hour})
	id := ordersIn(s, StatusAwaitingShipment)[0].ID
	clock.Advance(7 * 24 * time.Hour)
	o, _ := s.Order(id)
	if o.Status != StatusCancelled || !strings.Contains(o.CancelReason, "shipping due time") {
		t.Fatalf("a week unshipped: %s %q", o.Status, o.CancelReason)
	}
}
