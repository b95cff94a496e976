package sim

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func (c *apiClient) markShipped(orderID string, req tiktok.MarkShippedRequest) (apiResult, tiktok.MarkShippedData) {
	c.t.Helper()
	body, _ := json.Marshal(req)
	res := c.do(http.MethodPost, "/fulfillment/202309/orders/"+orderID+"/packages", nil, body)
	var d tiktok.MarkShippedData
	if res.env.Code == 0 {
		_ = json.Unmarshal(res.env.Data, &d)
	}
	return res, d
}

func (c *apiClient) updatePackage(pkg, tracking string) apiResult {
	c.t.Helper()
	body, _ := json.Marshal(tiktok.UpdateShippingInfoRequest{TrackingNumber: tracking, ShippingProviderID: ProviderUPS})
	return c.do(http.MethodPost, "/fulfillment/202309/packages/"+pkg+"/shipping_info/update", nil, body)
}

// TestLocalSellerOrdersAndMarkPackageAsShipped: a local seller's order
// shows no package before shipment; Mark Package As Shipped on some line
// items splits them into a new package (PARTIALLY_SHIPPING), the rest
// ships as another; each package's shipping info is updated once; the
// order-level update is refused for the split order; an ON_HOLD order is
// refused with 21011044.
func TestLocalSellerOrdersAndMarkPackageAsShipped(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 5, OrdersPerDay: 2000, History: 6 * time.Hour, LocalSellerShare: 1})
	c := newAPIClient(t, s)
	var o tiktok.Order
	for _, x := range ordersIn(s, StatusAwaitingShipment) {
		if len(x.LineItems) >= 2 {
			o = x
			break
		}
	}
	if o.ID == "" {
		t.Fatal("no awaiting order with two line items")
	}
	if len(o.Packages) != 0 || o.LineItems[0].PackageID != "" || o.LineItems[0].PackageStatus != "" {
		t.Fatalf("before shipment the API shows packages %v, line item package %q/%q; want none", o.Packages, o.LineItems[0].PackageID, o.LineItems[0].PackageStatus)
	}
	first := tiktok.MarkShippedRequest{TrackingNumber: "1Z999AA10123456784", ShippingProviderID: ProviderUPS,
		OrderLineItemIDs: []string{o.LineItems[0].ID}}
	res, d1 := c.markShipped(o.ID, first)
	if res.env.Code != 0 || d1.PackageID == "" || d1.OrderID != o.ID || len(d1.OrderLineItemIDs) != 1 {
		t.Fatalf("mark shipped (one item): code %d %q, data %+v", res.env.Code, res.env.Message, d1)
	}
	if v, _ := s.Order(o.ID); v.Status != StatusPartiallyShipping || len(v.Packages) != 1 || v.Packages[0].ID != d1.PackageID {
		t.Fatalf("after one item shipped: %s, packages %v; want PARTIALLY_SHIPPING with the new package", v.Status, v.Packages)
	}
	if res, _ := c.markShipped(o.ID, first); res.env.Code != CodePackageShipped {
		t.Errorf("the same item again: code %d, want %d", res.env.Code, CodePackageShipped)
	}
	res, d2 := c.markShipped(o.ID, tiktok.MarkShippedRequest{TrackingNumber: "1Z999AA10123456785", ShippingProviderID: ProviderUPS})
	if res.env.Code != 0 || d2.PackageID == "" || d2.PackageID == d1.PackageID {
		t.Fatalf("mark shipped (the rest): code %d %q, data %+v", res.env.Code, res.env.Message, d2)
	}
	v, _ := s.Order(o.ID)
	if v.Status != StatusAwaitingCollection || len(v.Packages) != 2 {
		t.Fatalf("after every item shipped: %s, packages %v", v.Status, v.Packages)
	}
	clock.Advance(time.Hour)
	for _, p := range []string{d1.PackageID, d2.PackageID} {
		if res := c.updatePackage(p, "1Z999AA10123456786"); res.env.Code != 0 {
			t.Errorf("update package %s: code %d %q", p, res.env.Code, res.env.Message)
		}
		if res := c.updatePackage(p, "1Z999AA10123456787"); res.env.Code != CodeAlreadyUpdated {
			t.Errorf("second update of package %s: code %d, want %d", p, res.env.Code, CodeAlreadyUpdated)
		}
	}
	body, _ := json.Marshal(tiktok.UpdateShippingInfoRequest{TrackingNumber: "1Z999AA10123456788", ShippingProviderID: ProviderUPS})
	if res := c.do(http.MethodPost, "/fulfillment/202309/orders/"+o.ID+"/shipping_info/update", nil, body); res.env.Code != CodeSplitOrder {
		t.Errorf("order-level update of a split order: code %d, want %d", res.env.Code, CodeSplitOrder)
	}
	held := ordersIn(s, StatusOnHold)
	if len(held) == 0 {
		t.Fatal("no ON_HOLD order")
	}
	if res, _ := c.markShipped(held[0].ID, tiktok.MarkShippedRequest{TrackingNumber: "1Z999AA10123456789", ShippingProviderID: ProviderUPS}); res.env.Code != CodeOnHold {
		t.Errorf("mark shipped on hold: code %d, want %d", res.env.Code, CodeOnHold)
	}
}

// TestAuthorizedShopsAndCipherRotation: Get Authorized Shops lists the
// other shops too; each listed cipher is accepted; after a rotation the
// old cipher is refused as an invalid identifier.
func TestAuthorizedShopsAndCipherRotation(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 5, OrdersPerDay: 100, History: time.Hour, OtherShops: 2})
	c := newAPIClient(t, s)
	res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil)
	var data tiktok.ShopsData
	if err := json.Unmarshal(res.env.Data, &data); err != nil || len(data.Shops) != 3 {
		t.Fatalf("shops: %v %+v; want three", err, data)
	}
	other := data.Shops[1]
	if other.ID == simShopID || other.Cipher == "" || other.Region != "GB" {
		t.Errorf("second shop %+v", other)
	}
	old := s.Shop().ShopCipher
	s.RotateShopCipher()
	c.noCipher = true
	for _, tt := range []struct {
		cipher string
		code   int
	}{{old, tiktok.CodeOverloaded}, {s.Shop().ShopCipher, 0}, {other.Cipher, 0}} {
		body := []byte(`{}`)
		q := map[string][]string{"page_size": {"10"}, "shop_cipher": {tt.cipher}}
		res := c.do(http.MethodPost, "/order/202309/orders/search", q, body)
		if res.env.Code != tt.code {
			t.Errorf("search with cipher %q: code %d %q, want %d", tt.cipher, res.env.Code, res.env.Message, tt.code)
		}
	}
}
