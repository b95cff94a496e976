package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRESTCarriersSendTheirOwnWireStyle(t *testing.T) {
	tests := []struct {
		carrier string
		check   func(t *testing.T, o map[string]any, shipAt time.Time)
	}{
		{carrier: ProfileSwift, check: func(t *testing.T, o map[string]any, shipAt time.Time) {
			if _, ok := o["id"].(string); !ok {
				t.Errorf("swift id %v: want the contract's string", o["id"])
			}
			if at, err := time.Parse(time.RFC3339, o["shipped_at"].(string)); err != nil || !at.Equal(shipAt) {
				t.Errorf("swift shipped_at %v, want RFC 3339 %s", o["shipped_at"], shipAt)
			}
		}},
		{carrier: ProfileSteady, check: func(t *testing.T, o map[string]any, shipAt time.Time) {
			if _, ok := o["id"].(json.Number); !ok {
				t.Errorf("steady id %v (%T): want a JSON number", o["id"], o["id"])
			}
			if n, ok := o["external_id"].(json.Number); !ok || n.String() != "576653688135258178" {
				t.Errorf("steady external_id %v: want the full number", o["external_id"])
			}
			if n, _ := o["shipped_at"].(json.Number).Int64(); n != shipAt.Unix() {
				t.Errorf("steady shipped_at %v, want unix seconds %d", o["shipped_at"], shipAt.Unix())
			}
		}},
		{carrier: ProfilePicky, check: func(t *testing.T, o map[string]any, shipAt time.Time) {
			chicago, _ := time.LoadLocation("America/Chicago")
			if o["shipped_at"] != shipAt.In(chicago).Format(time.DateTime) {
				t.Errorf("picky shipped_at %v, want zone-less Chicago time %s", o["shipped_at"], shipAt.In(chicago).Format(time.DateTime))
			}
		}},
		{carrier: ProfileFlaky, check: func(t *testing.T, o map[string]any, shipAt time.Time) {
			if n, _ := o["shipped_at"].(json.Number).Int64(); n != shipAt.UnixMilli() {
				t.Errorf("flaky shipped_at %v, want unix milliseconds %d", o["shipped_at"], shipAt.UnixMilli())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.carrier, func(t *testing.T) {
			s, clock := startSim(t, Options{OrdersPerDay: -1})
			s.SetCarrierFaults(0)
			c := newRESTClient(t, s, tc.carrier)
			if res := c.create("key-1", shipment("576653688135258178")); res.status != 201 {
				t.Fatalf("create: HTTP %d %s", res.status, res.body)
			}
			clock.Advance(48 * time.Hour)
			rm := c.lookup("576653688135258178")[0] // read by shipdeck's own adapter
			if rm.TrackingNumber == "" || rm.ShippedAt.IsZero() {
				t.Fatalf("not shipped after two days: %+v", rm)
			}
			res := c.request(http.MethodGet, "/v1/orders?external_id=576653688135258178", "", nil)
			d := json.NewDecoder(strings.NewReader(string(res.body)))
			d.UseNumber()
			var raw struct{ Orders []map[string]any }
			if err := d.Decode(&raw); err != nil || len(raw.Orders) != 1 {
				t.Fatalf("lookup: %s", res.body)
			}
			tc.check(t, raw.Orders[0], rm.ShippedAt)
		})
	}
}

func TestShipStationFulfillmentsAndCancelByRepost(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	info, _ := s.Carrier(ProfileShipStation)
	c := &ssClient{t: t, info: info, key: info.Key}
	numbers := []string{"576000000000000001", "576000000000000002", "576000000000000003", "576000000000000004"}
	for _, n := range numbers {
		if status, _, body := c.do(http.MethodPost, "/orders/createorder", ssOrderFor(n, "key-"+n, ssAwaitingShipment)); status != 200 {
			t.Fatalf("createorder %s: HTTP %d %s", n, status, body)
		}
	}
	// The fourth is cancelled by re-posting it whole with orderStatus
	// cancelled, before it ships.
	cancelled := ssOrderFor(numbers[3], "key-"+numbers[3], ssCancelled)
	if status, _, body := c.do(http.MethodPost, "/orders/createorder", cancelled); status != 200 || !strings.Contains(string(body), `"orderStatus":"cancelled"`) {
		t.Fatalf("cancel by re-post: HTTP %d %s", status, body)
	}
	clock.Advance(7 * time.Hour)

	var shipments struct{ Shipments []ssShipment }
	_, _, body := c.do(http.MethodGet, "/shipments", nil)
	json.Unmarshal(body, &shipments)
	var fulfillments struct{ Fulfillments []ssFulfillment }
	_, _, body = c.do(http.MethodGet, "/fulfillments", nil)
	json.Unmarshal(body, &fulfillments)
	codes := map[string]string{}
	for _, sh := range shipments.Shipments {
		codes[sh.OrderNumber] = "label " + sh.CarrierCode
	}
	for _, f := range fulfillments.Fulfillments {
		if _, dup := codes[f.OrderNumber]; dup {
			t.Errorf("order %s is both a label and a fulfillment", f.OrderNumber)
		}
		if !strings.HasSuffix(f.ShipDate, "T00:00:00.0000000") {
			t.Errorf("fulfillment shipDate %q: want a zone-less Pacific midnight", f.ShipDate)
		}
		codes[f.OrderNumber] = "marked " + f.CarrierCode
	}
	want := map[string]string{numbers[0]: "label stamps_com", numbers[1]: "label ups_walleted", numbers[2]: "marked USPS"}
	if len(codes) != len(want) {
		t.Fatalf("shipped %v, want %v (the cancelled order must not ship)", codes, want)
	}
	for n, w := range want {
		if codes[n] != w {
			t.Errorf("order %s: %q, want %q", n, codes[n], w)
		}
	}
	if got := s.Counters().Carriers[ProfileShipStation].Cancels; got != 1 {
		t.Errorf("cancels = %d, want 1", got)
	}
}
