package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/carrier"
)

// restClient speaks the generic 3PL contract to one simulated carrier.
type restClient struct {
	t    *testing.T
	info CarrierInfo
	http *http.Client
}

func newRESTClient(t *testing.T, s *Sim, name string) *restClient {
	info, ok := s.Carrier(name)
	if !ok {
		t.Fatalf("no carrier %s", name)
	}
	return &restClient{t: t, info: info, http: &http.Client{Timeout: 5 * time.Second}}
}

type restResult struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (r restResult) errorCode() string {
	var e restError
	json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (c *restClient) request(method, path, key string, body []byte) restResult {
	req, err := http.NewRequestWithContext(context.Background(), method, c.info.URL+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("build request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.info.Token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return restResult{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return restResult{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

func (c *restClient) create(key string, sh carrier.Shipment) restResult {
	body, _ := json.Marshal(sh)
	return c.request(http.MethodPost, "/v1/orders", key, body)
}

// adapter is shipdeck's own REST adapter for this carrier: the reads go
// through it, so each 3PL's wire style (numeric ids, unix times) is read
// the way shipdeck reads it.
func (c *restClient) adapter() *carrier.REST {
	a, err := carrier.NewREST(carrier.RESTConfig{Name: c.info.Name, Endpoint: c.info.URL, Token: c.info.Token, MaxRateWait: -1, Zone: zoneOr(c.info.Zone)})
	if err != nil {
		c.t.Fatal(err)
	}
	return a
}

func (c *restClient) get(id string) carrier.Remote {
	r, err := c.adapter().Status(context.Background(), id)
	if err != nil {
		c.t.Fatalf("get %s: %v", id, err)
	}
	return r
}

func (c *restClient) lookup(ext string) []carrier.Remote {
	list, err := c.adapter().Lookup(context.Background(), ext)
	if err != nil {
		c.t.Fatalf("lookup %s: %v", ext, err)
	}
	return list
}

func shipment(ext string) carrier.Shipment {
	return carrier.Shipment{
		ExternalID: ext, Reference: ext + "/1152921504606846976", Service: "ground",
		ShipTo: carrier.Address{Name: "A. Reader", Phone: "+1 512 555 0100", Lines: []string{"12 Elm St", "Apt 4"},
			City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Items:   []carrier.Item{{SKU: "BOOK-NEBULA-PB", Title: "Nebula Drift (paperback)", Quantity: 1}},
		WeightG: 420,
	}
}

func TestCarrierIdempotency(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newRESTClient(t, s, ProfileSwift)
	first := c.create("key-1", shipment("576653688135258178"))
	if first.status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %s", first.status, first.body)
	}
	changed := shipment("576653688135258178")
	changed.ShipTo.PostalCode = "78702"
	// The same body with its keys in another order and other spacing.
	var generic map[string]any
	json.Unmarshal(mustJSON(shipment("576653688135258178")), &generic)
	reordered, _ := json.MarshalIndent(generic, "", "   ")

	tests := []struct {
		name       string
		key        string
		body       []byte
		wantStatus int
		wantCode   string
		wantBody   []byte
	}{
		{"same key, same body: replay", "key-1", mustJSON(shipment("576653688135258178")), 200, "", first.body},
		{"same key, same body re-marshalled: replay", "key-1", reordered, 200, "", first.body},
		{"same key, different body", "key-1", mustJSON(changed), 409, "idempotency_mismatch", nil},
		{"same external id, another key", "key-2", mustJSON(shipment("576653688135258178")), 422, "duplicate_external_id", nil},
		{"no key", "", mustJSON(shipment("576653688135258179")), 400, "missing_idempotency_key", nil},
		{"not JSON", "key-3", []byte("{"), 400, "invalid_json", nil},
		{"no items", "key-4", mustJSON(carrier.Shipment{ExternalID: "1", ShipTo: shipment("1").ShipTo}), 422, "invalid_request", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := c.request(http.MethodPost, "/v1/orders", tc.key, tc.body)
			if res.status != tc.wantStatus || res.errorCode() != tc.wantCode {
				t.Fatalf("HTTP %d %s, want %d %q", res.status, res.body, tc.wantStatus, tc.wantCode)
			}
			if tc.wantBody != nil && !bytes.Equal(res.body, tc.wantBody) {
				t.Fatalf("replay body %s, want %s", res.body, tc.wantBody)
			}
		})
	}
	bad := *c
	bad.info.Token = "sk_wrong"
	if res := bad.create("key-9", shipment("9")); res.status != 401 || res.errorCode() != "unauthorized" {
		t.Fatalf("wrong bearer token: HTTP %d %s", res.status, res.body)
	}

	counters := s.Counters().Carriers[ProfileSwift]
	if counters.CreatesByExternalID["576653688135258178"] != 1 || counters.Creates() != 1 || len(counters.DuplicateCreates()) != 0 {
		t.Fatalf("creates %v", counters.CreatesByExternalID)
	}
	if counters.Replays != 2 || counters.IdempotencyMismatches != 1 || counters.DuplicateExternalIDs != 1 || counters.AuthRejects != 1 {
		t.Fatalf("counters %+v", counters)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestCarrierOrderProgressAndCancel(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	c := newRESTClient(t, s, ProfileSwift)
	var ids []string
	for i, ext := range []string{"576653688135250001", "576653688135250002"} {
		res := c.create("k"+ext, shipment(ext))
		var created struct{ ID, Status string }
		if err := json.Unmarshal(res.body, &created); err != nil || created.Status != "accepted" || !strings.HasPrefix(created.ID, "SWF-") {
			t.Fatalf("create %d: %s", i, res.body)
		}
		ids = append(ids, created.ID)
	}
	if r := c.get(ids[0]); r.Status != carrier.StatusAccepted || r.TrackingNumber != "" || r.ExternalID != "576653688135250001" {
		t.Fatalf("just created: %+v", r)
	}
	clock.Advance(25 * time.Minute)
	if r := c.get(ids[0]); r.Status != carrier.StatusPicking {
		t.Fatalf("after 25 min: %s, want picking", r.Status)
	}
	if res := c.request(http.MethodPost, "/v1/orders/"+ids[1]+"/cancel", "", nil); res.status != 200 || !strings.Contains(string(res.body), `"cancelled"`) {
		t.Fatalf("cancel before shipping: HTTP %d %s", res.status, res.body)
	}
	clock.Advance(4 * time.Hour)
	r := c.get(ids[0])
	if r.Status != carrier.StatusShipped || !strings.HasPrefix(r.TrackingNumber, "1Z") || r.CarrierCode != "ups" || r.ShippedAt.IsZero() {
		t.Fatalf("after 4 h: %+v", r)
	}
	if got := c.lookup("576653688135250001"); len(got) != 1 || got[0].ID != ids[0] || got[0].Status != carrier.StatusShipped {
		t.Fatalf("lookup: %+v", got)
	}
	if got := c.lookup("nope"); len(got) != 0 {
		t.Fatalf("lookup of an unknown id: %+v", got)
	}
	res := c.request(http.MethodPost, "/v1/orders/"+ids[0]+"/cancel", "", nil)
	if res.status != http.StatusConflict || res.errorCode() != "already_shipped" {
		t.Fatalf("cancel after ship: HTTP %d %s", res.status, res.body)
	}
	if r := c.get(ids[1]); r.Status != carrier.StatusCancelled {
		t.Fatalf("cancelled order shows %s", r.Status)
	}
	// A cancelled order no longer blocks its external id: a re-route back
	// here creates a fresh one.
	if res := c.create("k2-576653688135250002", shipment("576653688135250002")); res.status != 201 {
		t.Fatalf("re-create after cancel: HTTP %d %s", res.status, res.body)
	}
	counters := s.Counters().Carriers[ProfileSwift]
	if counters.Cancels != 1 || counters.CancelsTooLate != 1 || counters.CreatesByExternalID["576653688135250002"] != 2 {
		t.Fatalf("counters %+v", counters)
	}
	if res := c.request(http.MethodGet, "/v1/orders/SWF-999999", "", nil); res.status != 404 {
		t.Fatalf("unknown id: HTTP %d", res.status)
	}
}

func TestPickyCarrierRefusesWhatItCannotServe(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newRESTClient(t, s, ProfilePicky)
	tests := []struct {
		name     string
		edit     func(sh *carrier.Shipment)
		wantCode string
	}{
		{"serviceable", func(sh *carrier.Shipment) {}, ""},
		{"postal code 9xxxx", func(sh *carrier.Shipment) { sh.ShipTo.PostalCode = "98101" }, "invalid_address"},
		{"masked name", func(sh *carrier.Shipment) { sh.ShipTo.Name = "J***" }, "invalid_address"},
		{"masked line", func(sh *carrier.Shipment) { sh.ShipTo.Lines = []string{"***"} }, "invalid_address"},
		{"PO box", func(sh *carrier.Shipment) { sh.ShipTo.Lines = []string{"P.O. Box 1432"} }, "invalid_address"},
		{"unstocked SKU", func(sh *carrier.Shipment) { sh.Items[0].SKU = "BOOK-SALT-HC" }, "unknown_sku"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh := shipment("57000000000000000" + string(rune('0'+i)))
			tc.edit(&sh)
			res := c.create("key-"+tc.name, sh)
			if tc.wantCode == "" {
				if res.status != 201 {
					t.Fatalf("HTTP %d %s", res.status, res.body)
				}
				return
			}
			if res.status != 422 || res.errorCode() != tc.wantCode {
				t.Fatalf("HTTP %d %s, want 422 %s", res.status, res.body, tc.wantCode)
			}
		})
	}
	// Swift takes the 9xxxx address picky refused.
	sh := shipment("570000000000000001")
	sh.ShipTo.PostalCode = "98101"
	if res := newRESTClient(t, s, ProfileSwift).create("k", sh); res.status != 201 {
		t.Fatalf("swift refused a 9xxxx address: HTTP %d %s", res.status, res.body)
	}
}

// outcome classifies what a client saw.
func outcome(res restResult) string {
	var ne net.Error
	switch {
	case res.err != nil && errors.As(res.err, &ne) && ne.Timeout():
		return "timeout"
	case res.err != nil:
		return "conn_error"
	case res.status == 429 && res.header.Get("Retry-After") != "":
		return "429"
	case res.status >= 500:
		return "5xx"
	case res.status == 201 || res.status == 200:
		return "ok"
	}
	return "other"
}

func TestFlakyCarrierProducesEveryFailureKind(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 2, OrdersPerDay: -1, CarrierFaults: 2})
	c := newRESTClient(t, s, ProfileFlaky)
	c.http.Timeout = 100 * time.Millisecond
	seen := map[string]int{}
	for i := range 120 {
		ext := fmt.Sprintf("57%016d", i)
		seen[outcome(c.create("key-"+ext, shipment(ext)))]++
	}
	for _, kind := range []string{"ok", "timeout", "conn_error", "429", "5xx"} {
		if seen[kind] == 0 {
			t.Errorf("no %s in 120 creates: %v", kind, seen)
		}
	}
	counters := s.Counters().Carriers[ProfileFlaky]
	after := 0
	for k, n := range counters.Faults {
		if strings.HasPrefix(k, "after_create:") {
			after += n
		}
	}
	if after == 0 || counters.RateLimited == 0 {
		t.Errorf("faults %v (rate limited %d): want failures after create too", counters.Faults, counters.RateLimited)
	}
	// Every order that exists was created exactly once, and an order whose
	// reply was lost is there to find.
	if d := counters.DuplicateCreates(); len(d) != 0 {
		t.Errorf("duplicate creates: %v", d)
	}
	if counters.Creates() <= seen["ok"] {
		t.Errorf("%d creates for %d successful replies: some replies should have been lost after creating", counters.Creates(), seen["ok"])
	}
}

func TestLostReplyIsResolvedByLookupOrReplay(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newRESTClient(t, s, ProfileSteady)
	if err := s.InjectCarrierFault(ProfileSteady, Fault{Kind: FaultReset, Endpoint: "create", AfterEffect: true}); err != nil {
		t.Fatal(err)
	}
	ext := "576653688135258178"
	if res := c.create("key-1", shipment(ext)); res.err == nil {
		t.Fatalf("the reply should have been lost, got HTTP %d", res.status)
	}
	if found := c.lookup(ext); len(found) != 1 {
		t.Fatalf("lookup after a lost reply: %+v", found)
	}
	if res := c.create("key-1", shipment(ext)); res.status != 200 {
		t.Fatalf("replay after a lost reply: HTTP %d %s", res.status, res.body)
	}
	counters := s.Counters().Carriers[ProfileSteady]
	if counters.Creates() != 1 || counters.Replays != 1 || counters.Faults["after_effect:reset"] != 1 {
		t.Fatalf("counters %+v", counters)
	}
	if err := s.InjectCarrierFault("nobody", Fault{Kind: FaultReset}); err == nil {
		t.Fatal("a fault for an unknown carrier was accepted")
	}
}

// A push that meets an order a clerk keyed in by hand is refused like any
// duplicate, but it is not shipdeck sending the order twice: the crash
// loop must not count it as one. The same key again is still not a
// duplicate; another key for that order is (shipdeck changed its key).
func TestCarrierHandKeyedIsNotADuplicatePush(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newRESTClient(t, s, ProfileSwift)
	const ext = "576653688135258178"
	if _, err := s.KeyByHand(ProfileSwift, ext); err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{"shipdeck-" + ext + "-swift-g1", "shipdeck-" + ext + "-swift-g1", "shipdeck-" + ext + "-swift-g2"} {
		if res := c.create(key, shipment(ext)); res.status != http.StatusUnprocessableEntity || res.errorCode() != "duplicate_external_id" {
			t.Fatalf("push %d under %s: HTTP %d %s, want 422 duplicate_external_id", i+1, key, res.status, res.body)
		}
		want := 0
		if i == 2 {
			want = 1
		}
		got := s.Counters().Carriers[ProfileSwift]
		if got.DuplicateExternalIDs != want || got.HandKeyedRefusals != min(i+1, 2) {
			t.Fatalf("after push %d under %s: %d duplicate external ids (want %d), %d hand-keyed refusals (want %d)",
				i+1, key, got.DuplicateExternalIDs, want, got.HandKeyedRefusals, min(i+1, 2))
		}
	}
}
