package sync_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// goldenShipStation serves ShipStation v1 from the documented payloads in
// carrier/testdata/shipstation: createorder echoes the posted orderNumber
// and orderKey into the documented order, as ShipStation does, and the
// order then reads back in the state the test sets.
type goldenShipStation struct {
	t  *testing.T
	mu gosync.Mutex
	// state of the one order: its ShipStation status, and which list
	// holds its tracking ("shipments", "fulfillments" or none).
	status, via string
	// ours is which entry of the list is this order's (the others keep
	// another orderId and must be ignored).
	ours        int
	number, key string
	calls       []string
	posts       [][]byte
}

const goldenOrderID = 123456789 // the documented example's orderId

func loadGolden(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("carrier", "testdata", "shipstation", name))
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

func (g *goldenShipStation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, r.Method+" "+r.URL.Path)
	order := func() map[string]any {
		o := loadGolden(g.t, "order.json")
		o["orderNumber"], o["orderKey"], o["orderStatus"] = g.number, g.key, g.status
		return o
	}
	var reply any
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/orders/createorder":
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, `{"Message":"The request is invalid."}`, 400)
			return
		}
		g.posts = append(g.posts, body)
		g.number, g.key = in["orderNumber"].(string), in["orderKey"].(string)
		if g.status != "shipped" {
			g.status = in["orderStatus"].(string)
		}
		reply = order()
	case r.Method == http.MethodGet && r.URL.Path == "/orders/123456789":
		reply = order()
	case r.URL.Path == "/shipments" || r.URL.Path == "/fulfillments":
		list := strings.TrimPrefix(r.URL.Path, "/")
		if r.URL.Query().Get("orderNumber") != g.number {
			g.t.Errorf("%s asked for order number %q, want %q", list, r.URL.Query().Get("orderNumber"), g.number)
		}
		if g.via != list {
			reply = loadGolden(g.t, "shipments_empty.json")
			if list == "fulfillments" {
				reply = map[string]any{"fulfillments": []any{}, "total": 0, "page": 1, "pages": 0}
			}
			break
		}
		// Every entry carries the order's number; one is this order's, the
		// other stays on another orderId and must be ignored.
		v := loadGolden(g.t, list+".json")
		entries := v[list].([]any)
		ours := entries[g.ours].(map[string]any)
		for _, e := range entries {
			e.(map[string]any)["orderNumber"] = g.number
		}
		ours["orderId"] = goldenOrderID
		if _, ok := ours["orderKey"]; ok {
			ours["orderKey"] = g.key
		}
		reply = v
	default:
		http.Error(w, `{"Message":"No HTTP resource was found that matches the request URI."}`, 404)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Rate-Limit-Limit", "40")
	w.Header().Set("X-Rate-Limit-Remaining", "39")
	w.Header().Set("X-Rate-Limit-Reset", "60")
	json.NewEncoder(w).Encode(reply)
}

func (g *goldenShipStation) takeCalls() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.calls
	g.calls = nil
	return c
}

// providerMP is the fake marketplace that also lists US shipping
// providers and records the ship calls.
type providerMP struct {
	*fakeMP
	mu    gosync.Mutex
	ships []tiktok.ShipPackageRequest
}

func newProviderMP() *providerMP {
	return &providerMP{fakeMP: &fakeMP{orders: map[string]tiktok.Order{}}}
}

func (m *providerMP) ShippingProviders(ctx context.Context, id string) ([]tiktok.ShippingProvider, error) {
	return []tiktok.ShippingProvider{{ID: "7117859084333745966", Name: "UPS"}, {ID: "7117858858072016686", Name: "USPS"},
		{ID: "7117858743957718830", Name: "FedEx"}, {ID: "7000000000000000009", Name: "UPS Mail Innovations"}}, nil
}

func (m *providerMP) ShipPackage(ctx context.Context, pkg string, req tiktok.ShipPackageRequest) (tiktok.ShipData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ships = append(m.ships, req)
	return tiktok.ShipData{}, nil
}

func TestShipStationGoldenPayloadsThroughTheEngine(t *testing.T) {
	const orderID = "576653688135258178"
	tests := []struct {
		name           string
		via            string // where ShipStation lists the tracking
		wantTrack      string
		wantCode       string
		wantProvider   string
		wantProviderID string
		wantCalls      []string
		ours           int // the list entry that is this order's
		// refused: the tracking pre-flight stops the write-back with TikTok's
		// code (ShipStation's documented USPS fulfillment carries a
		// FedEx-shaped number, which TikTok refuses with 21004015).
		refused string
	}{
		{name: "label bought in ShipStation (stamps_com)", via: "shipments", wantTrack: "9400111899561704681189", wantCode: "stamps_com",
			wantProvider: "USPS", wantProviderID: "7117858858072016686",
			wantCalls: []string{"GET /orders/123456789", "GET /shipments"}},
		{name: "marked shipped without a label (fulfillment)", via: "fulfillments", ours: 1, wantTrack: "664756278745", wantCode: "FedEx",
			wantProvider: "FedEx", wantProviderID: "7117858743957718830",
			wantCalls: []string{"GET /orders/123456789", "GET /shipments", "GET /fulfillments"}},
		{name: "fulfillment whose number does not fit its carrier", via: "fulfillments", ours: 0, wantTrack: "783408231234", wantCode: "USPS",
			wantProvider: "USPS", wantCalls: []string{"GET /orders/123456789", "GET /shipments", "GET /fulfillments"}, refused: "21004015"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			st := openStore(t, clock)
			g := &goldenShipStation{t: t, status: "awaiting_shipment", ours: tc.ours}
			srv := httptest.NewServer(g)
			t.Cleanup(srv.Close)
			ss, err := carrier.NewShipStation(carrier.ShipStationConfig{Name: "shipstation", Endpoint: srv.URL,
				APIKey: "ss-key", APISecret: "ss-secret", Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			router, err := route.New([]route.Rule{{Name: "all", Carrier: "shipstation"}}, []route.CarrierInfo{{Name: "shipstation"}}, "shipstation")
			if err != nil {
				t.Fatal(err)
			}
			mp := newProviderMP()
			eng, err := shipsync.New(shipsync.Config{Seed: 1}, shipsync.Deps{Store: st, Marketplace: mp, Planner: fakePlanner{},
				Router: router, Carriers: []shipsync.Carrier{{Carrier: ss}}, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			o := store.Order{ID: orderID, Status: store.StatusAwaitingShipment, Source: "tiktok", State: store.StateReady,
				CreateTime: now.Add(-time.Hour), UpdateTime: now.Add(-time.Hour), PaidTime: now.Add(-time.Hour), DeliveryOptionID: "7091146663229654827",
				Recipient: store.Address{Name: "Ann Lee", Phone: "555", Lines: []string{"1 Main St"}, City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
				LineItems: []store.LineItem{{ID: "li1", SKU: "BOOK-1", Quantity: 1, PackageID: "P1"}},
				Packages:  []store.Package{{ID: "P1"}}}
			if err := st.Update(ctx, func(tx *store.Tx) error { return tx.PutOrder(o) }); err != nil {
				t.Fatal(err)
			}

			// Push: createorder with the order's number and the push's key.
			if _, err := eng.PipelineOnce(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := st.Order(ctx, orderID)
			if got.State != store.StatePushed || got.Push.ExternalID != "123456789" {
				t.Fatalf("after push: %s (%s), 3PL id %q", got.State, got.Reason, got.Push.ExternalID)
			}
			if calls := g.takeCalls(); !reflect.DeepEqual(calls, []string{"POST /orders/createorder"}) {
				t.Fatalf("push calls = %q", calls)
			}
			if g.number != orderID || g.key != got.Push.IdempotencyKey {
				t.Fatalf("posted orderNumber %q orderKey %q", g.number, g.key)
			}

			// Tracking: nothing while awaiting shipment, then from the list
			// ShipStation keeps it in.
			if n, err := eng.Track(ctx); err != nil || n != 0 {
				t.Fatalf("track before shipping: %d, %v", n, err)
			}
			g.takeCalls()
			g.mu.Lock()
			g.status, g.via = "shipped", tc.via
			g.mu.Unlock()
			if n, err := eng.Track(ctx); err != nil || n != 1 {
				t.Fatalf("track: %d, %v", n, err)
			}
			if calls := g.takeCalls(); !reflect.DeepEqual(calls, tc.wantCalls) {
				t.Fatalf("track calls = %q, want %q", calls, tc.wantCalls)
			}
			got, _ = st.Order(ctx, orderID)
			if got.State != store.StateTracking || got.Push.TrackingNumber != tc.wantTrack || got.Push.CarrierCode != tc.wantCode || got.Push.Provider != tc.wantProvider {
				t.Fatalf("after track: %s tracking %q code %q provider %q", got.State, got.Push.TrackingNumber, got.Push.CarrierCode, got.Push.Provider)
			}

			// Write-back: the code's TikTok provider, by its id.
			if _, err := eng.PipelineOnce(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ = st.Order(ctx, orderID)
			if tc.refused != "" {
				if got.State != store.StateDead || !strings.Contains(got.Reason, tc.refused) || len(mp.ships) != 0 {
					t.Fatalf("after write-back: %s (%s), %d ship calls; want dead by the pre-flight with %s and no call",
						got.State, got.Reason, len(mp.ships), tc.refused)
				}
				return
			}
			if got.State != store.StateShipped {
				t.Fatalf("after write-back: %s (%s)", got.State, got.Reason)
			}
			want := []tiktok.ShipPackageRequest{{HandoverMethod: "DROP_OFF",
				SelfShipment: &tiktok.SelfShipment{ShippingProviderID: tc.wantProviderID, TrackingNumber: tc.wantTrack}}}
			if !reflect.DeepEqual(mp.ships, want) {
				t.Fatalf("ship calls = %+v, want %+v", mp.ships, want)
			}
		})
	}
}

func TestShipStationCancelOnTikTokRepostsTheOrder(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := openStore(t, clock)
	g := &goldenShipStation{t: t, status: "awaiting_shipment", number: "576653688135258178", key: "shipdeck-576653688135258178-shipstation-g1"}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	ss, err := carrier.NewShipStation(carrier.ShipStationConfig{Name: "shipstation", Endpoint: srv.URL, APIKey: "k-123", APISecret: "s-123", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	router, err := route.New([]route.Rule{{Name: "all", Carrier: "shipstation"}}, []route.CarrierInfo{{Name: "shipstation"}}, "shipstation")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := shipsync.New(shipsync.Config{Seed: 1}, shipsync.Deps{Store: st, Marketplace: newProviderMP(), Planner: fakePlanner{},
		Router: router, Carriers: []shipsync.Carrier{{Carrier: ss}}, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	// TikTok cancelled an order ShipStation already holds.
	o := store.Order{ID: g.number, Status: store.StatusCancelled, Source: "tiktok", State: store.StateFailed, CancelAtCarrier: true,
		NextAttemptAt: now, Push: &store.Push{Carrier: "shipstation", Generation: 1, IdempotencyKey: g.key, ExternalID: "123456789", PushedAt: now}}
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.PutOrder(o) }); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Order(ctx, o.ID)
	if got.State != store.StateCancelled {
		t.Fatalf("order %s (%s), want cancelled with no hand work", got.State, got.Reason)
	}
	if calls := g.takeCalls(); !reflect.DeepEqual(calls, []string{"GET /orders/123456789", "POST /orders/createorder"}) {
		t.Fatalf("calls = %q", calls)
	}
	var posted map[string]any
	if err := json.Unmarshal(g.posts[0], &posted); err != nil {
		t.Fatal(err)
	}
	if posted["orderStatus"] != "cancelled" || posted["orderKey"] != o.Push.IdempotencyKey || posted["customerNotes"] != "Please ship as soon as possible!" {
		t.Fatalf("re-posted order: status %v key %v notes %v", posted["orderStatus"], posted["orderKey"], posted["customerNotes"])
	}
	if g.status != "cancelled" {
		t.Fatalf("ShipStation's order is %s", g.status)
	}
}
