package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Distinctive credentials, so a test can prove none leaks into an error.
const (
	testAppKey  = "appkey29a39d"
	testSecret  = "SECRET-e59af819cc"
	testAccess  = "ACCESS-token-0"
	testRefresh = "REFRESH-token-0"
	testCipher  = "GCP_XF90igAAAABh00qs+/="
)

// testT0 is the official webhook vector's timestamp, used as "now".
var testT0 = time.Unix(1718305585, 0)

// stepClock is an injected clock that moves step forward on every read,
// so consecutive attempts get different timestamps.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

// Peek reads the clock without moving it (the fake server's view).
func (c *stepClock) Peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// fakeRequest is one request as the fake received it.
type fakeRequest struct {
	Method, Path, RawQuery string
	Query                  map[string][]string
	Header                 http.Header
	Body                   []byte
}

// fakeTikTok serves the endpoints shipdeck uses and checks requests the
// way TikTok does: app key, timestamp window, signature (401/106001 on a
// bad one), access token header, Content-Type, shop_cipher rules.
type fakeTikTok struct {
	now func() time.Time

	mu            sync.Mutex
	access        string
	refresh       string
	tokenSeq      int
	replySeq      int
	requests      []fakeRequest
	refreshes     []fakeRequest
	faults        []http.HandlerFunc
	refreshFaults []http.HandlerFunc
	orders        []Order
}

func newFakeTikTok(t *testing.T, now func() time.Time) (*fakeTikTok, *httptest.Server) {
	t.Helper()
	f := &fakeTikTok{now: now, access: testAccess, refresh: testRefresh, orders: sampleOrders(3)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// fault queues a handler that answers the next API request instead of the
// normal reply.
func (f *fakeTikTok) fault(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, h)
}

func (f *fakeTikTok) apiRequests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func (f *fakeTikTok) refreshCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.refreshes)
}

func (f *fakeTikTok) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := fakeRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	if r.URL.Path == refreshPath {
		f.serveRefresh(w, r, rec)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	var fault http.HandlerFunc
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	if status, code, msg := f.check(rec); code != 0 {
		f.reply(w, status, code, msg, nil)
		return
	}
	f.route(w, rec)
}

// check validates a request like TikTok's gateway.
func (f *fakeTikTok) check(r fakeRequest) (status, code int, msg string) {
	q := r.Query
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return 200, 36009022, "Invalid request format. The request body format must be `application/json`."
	}
	if get("app_key") != testAppKey {
		return 200, CodeOverloaded, "Invalid credentials. Invalid `app_key` query parameter."
	}
	if get("sign") == "" {
		return 200, CodeOverloaded, "Missing credentials. The request does not include a required signature in the query."
	}
	if _, ok := q["access_token"]; ok {
		return 200, CodeOverloaded, "access_token must not be in the query"
	}
	ts, err := strconv.ParseInt(get("timestamp"), 10, 64)
	now := f.now().Unix()
	if err != nil || ts < now-300 {
		return 200, CodeOverloaded, "Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than 5 minutes before the current time."
	}
	if ts > now+30 {
		return 200, CodeOverloaded, "Invalid timestamp. The value of the `timestamp` query parameter must not exceed the current time by more than 30 seconds."
	}
	for k, vs := range q {
		for _, v := range vs {
			if v == "" {
				return 200, CodeOverloaded, "invalid param error: empty " + k
			}
		}
	}
	if want := Sign(testSecret, r.Method, r.Path, q, r.Body, r.Header.Get("Content-Type")); want != get("sign") {
		return 401, CodeBadSignature, "Invalid credentials. The `sign` query parameter is invalid."
	}
	f.mu.Lock()
	access := f.access
	f.mu.Unlock()
	if r.Header.Get("x-tts-access-token") != access {
		return 200, CodeExpiredToken, "Expired credentials. The `access_token` or `x-tts-access-token` header has expired."
	}
	_, hasCipher := q["shop_cipher"]
	if strings.HasPrefix(r.Path, "/authorization/") {
		if hasCipher {
			return 200, CodeOverloaded, "Unexpected identifier. The `shop_cipher` query parameter is not required for this request."
		}
	} else if get("shop_cipher") != testCipher {
		return 200, CodeMissingCipher, "Missing identifier. The `shop_cipher` query parameter is required to identify the target shop."
	}
	return 0, 0, ""
}

func (f *fakeTikTok) route(w http.ResponseWriter, r fakeRequest) {
	parts := strings.Split(strings.Trim(r.Path, "/"), "/")
	method := func(m string) bool {
		if r.Method != m {
			f.reply(w, 405, 36009010, "Invalid method. The HTTP method used is not supported by this endpoint.", nil)
			return false
		}
		return true
	}
	f.mu.Lock()
	orders := append([]Order(nil), f.orders...)
	f.mu.Unlock()
	switch {
	case r.Path == "/authorization/202309/shops":
		if method(http.MethodGet) {
			f.reply(w, 200, 0, "Success", ShopsData{Shops: []Shop{{ID: "7495540735365777507", Name: "Demo Shop",
				Region: "US", SellerType: "LOCAL", Cipher: testCipher, Code: "USLCXXX"}}})
		}
	case r.Path == "/order/202309/orders/search":
		if !method(http.MethodPost) {
			return
		}
		size, err := strconv.Atoi(r.Query["page_size"][0])
		if err != nil || size < 1 || size > 100 || r.Query["sort_field"][0] != "update_time" || r.Query["sort_order"][0] != "ASC" {
			f.reply(w, 200, CodeOverloaded, "invalid param error", nil)
			return
		}
		var req SearchRequest
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			f.reply(w, 200, CodeOverloaded, "invalid param error", nil)
			return
		}
		f.reply(w, 200, 0, "Success", SearchData{Orders: orders, NextPageToken: "next+page/token=", TotalCount: len(orders)})
	case r.Path == "/order/202309/orders":
		if !method(http.MethodGet) {
			return
		}
		ids := strings.Split(r.Query["ids"][0], ",")
		if len(ids) > 50 {
			f.reply(w, 200, CodeOverloaded, "invalid param error", nil)
			return
		}
		out := make([]Order, 0, len(ids))
		for _, id := range ids {
			o := sampleOrder(0)
			o.ID = id
			out = append(out, o)
		}
		f.reply(w, 200, 0, "Success", DetailData{Orders: out})
	case len(parts) == 5 && parts[0] == "logistics" && parts[2] == "delivery_options" && parts[4] == "shipping_providers":
		if method(http.MethodGet) {
			f.reply(w, 200, 0, "Success", ShippingProvidersData{ShippingProviders: []ShippingProvider{
				{ID: "6617675021119438849", Name: "USPS"}, {ID: "6617675021119438850", Name: "UPS"}}})
		}
	case len(parts) == 5 && parts[0] == "fulfillment" && parts[2] == "packages" && parts[4] == "ship":
		if !method(http.MethodPost) {
			return
		}
		var req ShipPackageRequest
		if err := json.Unmarshal(r.Body, &req); err != nil || req.SelfShipment == nil {
			f.reply(w, 200, CodeOverloaded, "invalid param error", nil)
			return
		}
		f.reply(w, 200, 0, "Success", nil)
	case len(parts) == 6 && parts[0] == "fulfillment" && parts[2] == "orders" && parts[4] == "shipping_info":
		if !method(http.MethodPost) {
			return
		}
		var req UpdateShippingInfoRequest
		if err := json.Unmarshal(r.Body, &req); err != nil || req.TrackingNumber == "" {
			f.reply(w, 200, CodeOverloaded, "invalid param error", nil)
			return
		}
		f.reply(w, 200, 0, "Success", ShipData{Warnings: []Warning{{Message: "tracking updated"}}})
	default:
		f.reply(w, 404, 36009009, "Invalid path. The specified path does not match any available endpoint.", nil)
	}
}

func (f *fakeTikTok) serveRefresh(w http.ResponseWriter, r *http.Request, rec fakeRequest) {
	f.mu.Lock()
	f.refreshes = append(f.refreshes, rec)
	var fault http.HandlerFunc
	if len(f.refreshFaults) > 0 {
		fault, f.refreshFaults = f.refreshFaults[0], f.refreshFaults[1:]
	}
	f.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	q := rec.Query
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodGet || get("app_key") != testAppKey || get("app_secret") != testSecret ||
		get("grant_type") != "refresh_token" || get("refresh_token") != f.refresh || get("sign") != "" {
		f.replyLocked(w, 200, 36004004, "Invalid auth code.", nil)
		return
	}
	f.tokenSeq++
	f.access = fmt.Sprintf("ACCESS-token-%d", f.tokenSeq)
	f.refresh = fmt.Sprintf("REFRESH-token-%d", f.tokenSeq)
	exp := f.now().Unix()
	f.replyLocked(w, 200, 0, "success", TokenData{AccessToken: f.access, AccessTokenExpireIn: exp + 7*86400,
		RefreshToken: f.refresh, RefreshTokenExpireIn: exp + 365*86400})
}

func (f *fakeTikTok) reply(w http.ResponseWriter, status, code int, msg string, data any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replyLocked(w, status, code, msg, data)
}

func (f *fakeTikTok) replyLocked(w http.ResponseWriter, status, code int, msg string, data any) {
	f.replySeq++
	id := fmt.Sprintf("2024061311062501000FAKE%04d", f.replySeq)
	writeEnvelope(w, status, code, msg, id, data)
}

// writeEnvelope writes a TikTok-shaped reply.
func writeEnvelope(w http.ResponseWriter, status, code int, msg, requestID string, data any) {
	var raw json.RawMessage
	if data != nil {
		raw, _ = json.Marshal(data)
	}
	body, _ := json.Marshal(Envelope{Code: code, Message: msg, RequestID: requestID, Data: raw})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Tt-Logid", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sampleOrder is a real-shaped awaiting-shipment order.
func sampleOrder(i int) Order {
	id := fmt.Sprintf("5766536881352581%02d", i)
	return Order{
		ID: id, Status: "AWAITING_SHIPMENT",
		CreateTime: testT0.Unix() - 3600, UpdateTime: testT0.Unix() - 60, PaidTime: testT0.Unix() - 3500,
		RTSSLATime: testT0.Unix() + 2*86400, TTSSLATime: testT0.Unix() + 3*86400,
		RecipientAddress: RecipientAddress{
			Name: "Jane Doe", PhoneNumber: "(+1)213***67", AddressLine1: "1 Main St", PostalCode: "90001",
			RegionCode: "US", FullAddress: "1 Main St, Los Angeles, California, United States",
			DistrictInfo: []DistrictInfo{
				{AddressLevelName: "country", AddressName: "United States", AddressLevel: "L0"},
				{AddressLevelName: "State", AddressName: "California", AddressLevel: "L1"},
			},
		},
		LineItems: []LineItem{{ID: id + "1", SkuID: "1729582718312380123", SellerSku: "MUG-BLK-12",
			ProductName: "Black mug", SalePrice: "12.00", PackageStatus: "TO_FULFILL", DisplayStatus: "AWAITING_SHIPMENT"}},
		Packages:         []PackageRef{{ID: "11529172723" + fmt.Sprint(i)}},
		ShippingType:     "SELLER",
		FulfillmentType:  "FULFILLMENT_BY_SELLER",
		DeliveryOptionID: "7091146663229654785", DeliveryOptionName: "Standard shipping",
		Payment: &Payment{Currency: "USD", TotalAmount: "12.00"},
	}
}

func sampleOrders(n int) []Order {
	out := make([]Order, n)
	for i := range out {
		out[i] = sampleOrder(i)
	}
	return out
}

// newTestClient is a client aimed at srv with the test credentials, a
// step clock and mutate applied to the config.
func newTestClient(t *testing.T, srvURL string, clock *stepClock, mutate func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL: srvURL, AuthBaseURL: srvURL,
		AppKey: testAppKey, AppSecret: testSecret,
		AccessToken: testAccess, RefreshToken: testRefresh, ShopCipher: testCipher,
		Timeout: 5 * time.Second, Now: clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// assertNoSecrets fails when text holds a credential.
func assertNoSecrets(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{testSecret, "e59af819cc", "ACCESS-token", "REFRESH-token", "app_secret"} {
		if strings.Contains(text, s) {
			t.Errorf("error text leaks %q: %s", s, text)
		}
	}
}

// recordingHooks records hook invocations.
type recordingHooks struct {
	mu      sync.Mutex
	before  []Call
	after   []Call
	results []Result
	veto    func(Call) error
}

func (h *recordingHooks) Before(_ context.Context, c Call) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.before = append(h.before, c)
	if h.veto != nil {
		return h.veto(c)
	}
	return nil
}

func (h *recordingHooks) After(_ context.Context, c Call, r Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.after = append(h.after, c)
	h.results = append(h.results, r)
}
