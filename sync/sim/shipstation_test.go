package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

type ssClient struct {
	t    *testing.T
	info CarrierInfo
	key  string
}

func (c *ssClient) do(method, path string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, c.info.URL+path, rd)
	req.SetBasicAuth(c.key, c.info.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func ssOrderFor(number, key, status string) ssOrder {
	return ssOrder{
		OrderNumber: number, OrderKey: key, OrderDate: "2026-03-02T09:00:00.0000000", OrderStatus: status,
		BillTo: ssAddress{Name: "Zoë Lindqvist"},
		ShipTo: ssAddress{Name: "Zoë Lindqvist", Street1: "12 Elm St", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"},
		Items:  []ssItem{{SKU: "BOOK-NEBULA-PB", Name: "Nebula Drift (paperback)", Quantity: 1, UnitPrice: 14.99}},
		Weight: &ssWeight{Value: 14.8, Units: "ounces"},
	}
}

func TestShipStationUpsertAndShipments(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	info, _ := s.Carrier(ProfileShipStation)
	c := &ssClient{t: t, info: info, key: info.Key}

	status, _, body := c.do(http.MethodPost, "/orders/createorder", ssOrderFor("576653688135258178", "sd-576653688135258178-1", ssAwaitingShipment))
	var created ssOrder
	if err := json.Unmarshal(body, &created); err != nil || status != 200 || created.OrderID == 0 || created.OrderStatus != ssAwaitingShipment {
		t.Fatalf("createorder: HTTP %d %s", status, body)
	}
	// The same orderKey updates the same order.
	update := ssOrderFor("576653688135258178", "sd-576653688135258178-1", ssAwaitingShipment)
	update.ShipTo.Street2 = "Apt 4"
	status, _, body = c.do(http.MethodPost, "/orders/createorder", update)
	var updated ssOrder
	json.Unmarshal(body, &updated)
	if status != 200 || updated.OrderID != created.OrderID || updated.ShipTo.Street2 != "Apt 4" {
		t.Fatalf("upsert: HTTP %d %s", status, body)
	}
	if status, _, _ := c.do(http.MethodPost, "/orders/createorder", ssOrder{OrderNumber: "x"}); status != 400 {
		t.Fatalf("invalid order: HTTP %d", status)
	}

	var shipments struct{ Shipments []ssShipment }
	_, _, body = c.do(http.MethodGet, "/shipments?orderNumber=576653688135258178", nil)
	json.Unmarshal(body, &shipments)
	if len(shipments.Shipments) != 0 {
		t.Fatalf("shipments before the warehouse shipped: %s", body)
	}
	clock.Advance(7 * time.Hour)
	_, _, body = c.do(http.MethodGet, "/shipments?orderNumber=576653688135258178", nil)
	json.Unmarshal(body, &shipments)
	if len(shipments.Shipments) != 1 || len(shipments.Shipments[0].TrackingNumber) != 22 || shipments.Shipments[0].CarrierCode != "stamps_com" {
		t.Fatalf("shipments after 7 h: %s", body)
	}
	var orders struct{ Orders []ssOrder }
	_, _, body = c.do(http.MethodGet, "/orders?orderNumber=576653688135258178", nil)
	json.Unmarshal(body, &orders)
	if len(orders.Orders) != 1 || orders.Orders[0].OrderStatus != ssShipped {
		t.Fatalf("orders by number: %s", body)
	}

	counters := s.Counters().Carriers[ProfileShipStation]
	if counters.CreatesByExternalID["576653688135258178"] != 1 || counters.Replays != 1 {
		t.Fatalf("counters %+v", counters)
	}
	bad := &ssClient{t: t, info: info, key: "wrong"}
	if status, _, _ := bad.do(http.MethodGet, "/orders", nil); status != 401 {
		t.Fatalf("wrong key: HTTP %d", status)
	}
}

func TestShipStationRateLimitHeaders(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	info, _ := s.Carrier(ProfileShipStation)
	c := &ssClient{t: t, info: info, key: info.Key}
	for i := range 40 {
		status, h, _ := c.do(http.MethodGet, "/orders?orderNumber=1", nil)
		if status != 200 {
			t.Fatalf("call %d of 40: HTTP %d", i+1, status)
		}
		if h.Get("X-Rate-Limit-Limit") != "40" || h.Get("X-Rate-Limit-Remaining") != strconv.Itoa(39-i) || h.Get("X-Rate-Limit-Reset") != "60" {
			t.Fatalf("call %d headers: limit %q remaining %q reset %q", i+1,
				h.Get("X-Rate-Limit-Limit"), h.Get("X-Rate-Limit-Remaining"), h.Get("X-Rate-Limit-Reset"))
		}
	}
	clock.Advance(45 * time.Second)
	status, h, _ := c.do(http.MethodGet, "/orders?orderNumber=1", nil)
	if status != http.StatusTooManyRequests || h.Get("X-Rate-Limit-Remaining") != "0" || h.Get("X-Rate-Limit-Reset") != "15" {
		t.Fatalf("41st call: HTTP %d remaining %q reset %q", status, h.Get("X-Rate-Limit-Remaining"), h.Get("X-Rate-Limit-Reset"))
	}
	clock.Advance(15 * time.Second)
	if status, h, _ := c.do(http.MethodGet, "/orders?orderNumber=1", nil); status != 200 || h.Get("X-Rate-Limit-Remaining") != "39" {
		t.Fatalf("next window: HTTP %d remaining %q", status, h.Get("X-Rate-Limit-Remaining"))
	}
	if got := s.Counters().Carriers[ProfileShipStation].RateLimited; got != 1 {
		t.Errorf("RateLimited = %d, want 1", got)
	}
}
