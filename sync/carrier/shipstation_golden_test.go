package carrier

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// ssGolden reads a documented ShipStation payload from testdata.
func ssGolden(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "shipstation", name))
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// ssBody marshals a payload, with fields of its first list entry (or of
// the object itself for an order) replaced.
func ssBody(t *testing.T, v map[string]any, list string, set map[string]any) []byte {
	t.Helper()
	target := v
	if list != "" {
		entries := v[list].([]any)
		target = entries[0].(map[string]any)
	}
	for k, val := range set {
		target[k] = val
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recorder is a loopback ShipStation that answers from a route table and
// records every request.
type recorder struct {
	mu     gosync.Mutex
	calls  []string
	bodies map[string][]byte
}

func (rc *recorder) serve(t *testing.T, routes map[string][]byte) string {
	rc.bodies = map[string][]byte{}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := r.Method + " " + r.URL.Path
		if q := r.URL.Query().Get("orderNumber"); q != "" {
			key += "?orderNumber=" + q
		}
		rc.mu.Lock()
		rc.calls = append(rc.calls, key)
		rc.bodies[key] = body
		rc.mu.Unlock()
		reply, ok := routes[key]
		if !ok {
			writeReply(w, 404, nil, `{"Message":"No HTTP resource was found that matches the request URI."}`)
			return
		}
		writeReply(w, 200, map[string]string{"Content-Type": "application/json; charset=utf-8"}, string(reply))
	})
	return srv.URL
}

func TestShipStationTrackingFromDocumentedPayloads(t *testing.T) {
	pacific, err := time.LoadLocation(ShipStationZone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		id        string
		number    string
		routes    func(t *testing.T) map[string][]byte
		want      Remote
		wantCalls []string
	}{
		{
			name: "label bought in ShipStation: tracking from /shipments", id: "43945660", number: "100038-1",
			routes: func(t *testing.T) map[string][]byte {
				return map[string][]byte{
					"GET /orders/43945660": ssBody(t, ssGolden(t, "order.json"), "", map[string]any{
						"orderId": 43945660, "orderNumber": "100038-1", "orderKey": "8061c220f0794a9b92460b8bae6837e4", "orderStatus": "shipped"}),
					"GET /shipments?orderNumber=100038-1": ssBody(t, ssGolden(t, "shipments.json"), "", nil),
				}
			},
			want: Remote{ID: "43945660", ExternalID: "100038-1", Key: "8061c220f0794a9b92460b8bae6837e4", Status: StatusShipped,
				TrackingNumber: "9400111899561704681189", CarrierCode: "stamps_com",
				ShippedAt: time.Date(2014, 10, 3, 0, 0, 0, 0, pacific), CostCents: 193}, // shipmentCost 1.93 in the documented example
			wantCalls: []string{"GET /orders/43945660", "GET /shipments?orderNumber=100038-1"},
		},
		{
			name: "marked shipped without a label: tracking from /fulfillments, the other orderId ignored", id: "191759016", number: "101",
			routes: func(t *testing.T) map[string][]byte {
				return map[string][]byte{
					"GET /orders/191759016": ssBody(t, ssGolden(t, "order.json"), "", map[string]any{
						"orderId": 191759016, "orderNumber": "101", "orderStatus": "shipped"}),
					"GET /shipments?orderNumber=101":    ssBody(t, ssGolden(t, "shipments_empty.json"), "", nil),
					"GET /fulfillments?orderNumber=101": ssBody(t, ssGolden(t, "fulfillments.json"), "", nil),
				}
			},
			want: Remote{ID: "191759016", ExternalID: "101", Key: "0f6bec18-3e89-4881-83aa-f392d84f4c74", Status: StatusShipped,
				TrackingNumber: "783408231234", CarrierCode: "USPS",
				ShippedAt: time.Date(2016, 6, 7, 0, 0, 0, 0, pacific)},
			wantCalls: []string{"GET /orders/191759016", "GET /shipments?orderNumber=101", "GET /fulfillments?orderNumber=101"},
		},
		{
			name: "awaiting shipment: no label calls", id: "123456789", number: "TEST-ORDER-API-DOCS",
			routes: func(t *testing.T) map[string][]byte {
				return map[string][]byte{"GET /orders/123456789": ssBody(t, ssGolden(t, "order.json"), "", nil)}
			},
			want:      Remote{ID: "123456789", ExternalID: "TEST-ORDER-API-DOCS", Key: "0f6bec18-3e89-4881-83aa-f392d84f4c74", Status: StatusAccepted},
			wantCalls: []string{"GET /orders/123456789"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rc recorder
			s := newTestShipStation(t, rc.serve(t, tc.routes(t)), &fakeClock{now: testNow})
			got, err := s.Status(context.Background(), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if !got.ShippedAt.Equal(tc.want.ShippedAt) {
				t.Errorf("ShippedAt = %s, want %s", got.ShippedAt, tc.want.ShippedAt)
			}
			got.ShippedAt, tc.want.ShippedAt = time.Time{}, time.Time{}
			if got != tc.want {
				t.Errorf("remote = %+v, want %+v", got, tc.want)
			}
			if !reflect.DeepEqual(rc.calls, tc.wantCalls) {
				t.Errorf("calls = %q, want %q", rc.calls, tc.wantCalls)
			}
		})
	}
}

func TestShipStationCancelRepostsTheOrderCancelled(t *testing.T) {
	order := func(t *testing.T, status string) []byte {
		return ssBody(t, ssGolden(t, "order.json"), "", map[string]any{"orderStatus": status})
	}
	tests := []struct {
		name      string
		status    string // at ShipStation before the cancel
		after     string // in the reply to the re-post
		wantClass Class
		wantCalls []string
	}{
		{name: "awaiting shipment is cancelled", status: "awaiting_shipment", after: "cancelled",
			wantCalls: []string{"GET /orders/123456789", "POST /orders/createorder"}},
		{name: "on hold is cancelled", status: "on_hold", after: "cancelled",
			wantCalls: []string{"GET /orders/123456789", "POST /orders/createorder"}},
		{name: "already cancelled: nothing sent", status: "cancelled", wantCalls: []string{"GET /orders/123456789"}},
		{name: "shipped: too late, nothing sent", status: "shipped", wantClass: TooLate, wantCalls: []string{"GET /orders/123456789"}},
		{name: "pending fulfillment cannot be updated", status: "pending_fulfillment", wantClass: Permanent, wantCalls: []string{"GET /orders/123456789"}},
		{name: "shipped meanwhile: ShipStation keeps it shipped", status: "awaiting_shipment", after: "shipped", wantClass: TooLate,
			wantCalls: []string{"GET /orders/123456789", "POST /orders/createorder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rc recorder
			routes := map[string][]byte{"GET /orders/123456789": order(t, tc.status)}
			if tc.after != "" {
				routes["POST /orders/createorder"] = order(t, tc.after)
			}
			s := newTestShipStation(t, rc.serve(t, routes), &fakeClock{now: testNow})
			if !s.Capabilities().Cancel {
				t.Fatal("ShipStation must be able to cancel")
			}
			err := s.Cancel(context.Background(), "123456789")
			checkClass(t, err, tc.wantClass)
			if !reflect.DeepEqual(rc.calls, tc.wantCalls) {
				t.Fatalf("calls = %q, want %q", rc.calls, tc.wantCalls)
			}
			posted := rc.bodies["POST /orders/createorder"]
			if posted == nil {
				return
			}
			// The whole order goes back (v1 has no partial update), unchanged
			// but for its status.
			var got, want map[string]any
			if err := json.Unmarshal(posted, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(order(t, "cancelled"), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("re-posted order differs from the order with orderStatus cancelled:\n got %s", posted)
			}
		})
	}
}

func TestShipStationRefusesAnotherOrdersReply(t *testing.T) {
	var rc recorder
	url := rc.serve(t, map[string][]byte{
		// Asked for 555, ShipStation answers with order 123456789.
		"GET /orders/555": ssBody(t, ssGolden(t, "order.json"), "", map[string]any{"orderStatus": "shipped"}),
	})
	s := newTestShipStation(t, url, &fakeClock{now: testNow})
	_, err := s.Status(context.Background(), "555")
	ce := checkClass(t, err, Permanent)
	if !errors.Is(err, ErrWrongOrder) || !strings.Contains(ce.Reason, "555") || !strings.Contains(ce.Reason, "123456789") {
		t.Fatalf("err = %v", err)
	}
	if len(rc.calls) != 1 {
		t.Fatalf("calls = %q: no tracking may be read for another order", rc.calls)
	}
}

func TestFlexMoneyReadsNumbersAndDecimalStrings(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{`7.36`, 736, false}, {`"7.36"`, 736, false}, {`0`, 0, false}, {`null`, 0, false}, {`""`, 0, false},
		{`12`, 1200, false}, {`0.125`, 13, false}, {`"free"`, 0, true}, {`-1`, 0, true}, {`[1]`, 0, true},
	} {
		var m flexMoney
		err := m.UnmarshalJSON([]byte(c.in))
		if (err != nil) != c.bad || !c.bad && int64(m) != c.want {
			t.Errorf("%s: %d cents, err %v; want %d cents, error %v", c.in, m, err, c.want, c.bad)
		}
	}
}
