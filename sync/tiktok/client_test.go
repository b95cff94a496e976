package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	good := Config{AppKey: testAppKey, AppSecret: testSecret, AccessToken: testAccess}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"defaults are enough", func(*Config) {}, ""},
		{"refresh token alone is enough", func(c *Config) { c.AccessToken, c.RefreshToken = "", testRefresh }, ""},
		{"no app key", func(c *Config) { c.AppKey = "" }, "AppKey"},
		{"no app secret", func(c *Config) { c.AppSecret = "" }, "AppSecret"},
		{"no tokens", func(c *Config) { c.AccessToken = "" }, "AccessToken or RefreshToken"},
		{"relative base URL", func(c *Config) { c.BaseURL = "open-api.example" }, "BaseURL"},
		{"ftp base URL", func(c *Config) { c.BaseURL = "ftp://example.com" }, "BaseURL"},
		{"credentials in auth URL", func(c *Config) { c.AuthBaseURL = "https://u:" + testSecret + "@auth.example" }, "AuthBaseURL"},
		{"query in base URL", func(c *Config) { c.BaseURL = "https://example.com/?app_secret=" + testSecret }, "BaseURL"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "Timeout"},
		{"negative body limit", func(c *Config) { c.MaxBody = -1 }, "MaxBody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.mutate(&cfg)
			c, err := New(cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New = %v, want a client", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one naming %s", err, tt.wantErr)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{AppKey: testAppKey, AppSecret: testSecret, AccessToken: testAccess})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != DefaultBaseURL || c.authBaseURL != DefaultAuthBaseURL {
		t.Errorf("hosts = %s, %s", c.baseURL, c.authBaseURL)
	}
	if c.timeout != DefaultTimeout || c.maxBody != DefaultMaxBody {
		t.Errorf("timeout %s, max body %d", c.timeout, c.maxBody)
	}
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok || tr.ResponseHeaderTimeout == 0 || tr.TLSHandshakeTimeout == 0 {
		t.Errorf("default transport lacks timeouts: %+v", c.hc.Transport)
	}
}

// Every endpoint against a server that checks signatures, headers and
// shop_cipher rules like TikTok: if any were wrong the call would fail.
func TestEndpointsAgainstSigningServer(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	c := newTestClient(t, srv.URL, clock, nil)
	ctx := context.Background()

	shops, err := c.Shops(ctx)
	if err != nil || len(shops) != 1 || shops[0].Cipher != testCipher {
		t.Fatalf("Shops = %+v, %v", shops, err)
	}

	req := SearchRequest{OrderStatus: "AWAITING_SHIPMENT", UpdateTimeGE: testT0.Unix() - 900, UpdateTimeLT: testT0.Unix()}
	page, err := c.SearchOrders(ctx, req, "page+tok/en==", 100)
	if err != nil {
		t.Fatalf("SearchOrders: %v", err)
	}
	if len(page.Orders) != 3 || page.NextPageToken != "next+page/token=" || page.TotalCount != 3 {
		t.Errorf("SearchOrders page = %d orders, token %q, total %d", len(page.Orders), page.NextPageToken, page.TotalCount)
	}
	for _, o := range page.Orders {
		if err := ValidateOrder(o); err != nil {
			t.Errorf("decoded order invalid: %v", err)
		}
	}

	ids := make([]string, MaxDetailIDs)
	for i := range ids {
		ids[i] = fmt.Sprintf("5766536881352581%02d", i)
	}
	orders, err := c.OrderDetail(ctx, ids)
	if err != nil || len(orders) != MaxDetailIDs || orders[49].ID != ids[49] {
		t.Fatalf("OrderDetail = %d orders, %v", len(orders), err)
	}

	providers, err := c.ShippingProviders(ctx, "7091146663229654785")
	if err != nil || len(providers) != 2 || providers[0].Name != "USPS" {
		t.Fatalf("ShippingProviders = %+v, %v", providers, err)
	}

	ship, err := c.ShipPackage(ctx, "1152917272310", ShipPackageRequest{HandoverMethod: "DROP_OFF",
		SelfShipment: &SelfShipment{ShippingProviderID: providers[0].ID, TrackingNumber: "9400111899223197428490"}})
	if err != nil || len(ship.Warnings) != 0 {
		t.Fatalf("ShipPackage = %+v, %v", ship, err)
	}

	upd, err := c.UpdateShippingInfo(ctx, "576653688135258100", UpdateShippingInfoRequest{
		TrackingNumber: "1Z999AA10123456784", ShippingProviderID: providers[1].ID})
	if err != nil || len(upd.Warnings) != 1 {
		t.Fatalf("UpdateShippingInfo = %+v, %v", upd, err)
	}

	reqs := fake.apiRequests()
	if len(reqs) != 6 {
		t.Fatalf("server saw %d requests, want 6", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q", r.Method, r.Path, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("x-tts-access-token") != testAccess {
			t.Errorf("%s %s: access token header missing", r.Method, r.Path)
		}
		if strings.Contains(r.RawQuery, "access_token") || strings.Contains(r.RawQuery, testSecret) {
			t.Errorf("%s %s: credentials in the query %q", r.Method, r.Path, r.RawQuery)
		}
	}
	search := reqs[1]
	if got := search.Query["page_token"][0]; got != "page+tok/en==" {
		t.Errorf("page_token decoded = %q", got)
	}
	if !strings.Contains(search.RawQuery, "page_token=page%2Btok%2Fen%3D%3D") {
		t.Errorf("page_token not percent-encoded on the wire: %s", search.RawQuery)
	}
	wantBody, _ := json.Marshal(req)
	if string(search.Body) != string(wantBody) {
		t.Errorf("search body = %s, want %s", search.Body, wantBody)
	}
	if got := reqs[2].Query["ids"][0]; got != strings.Join(ids, ",") {
		t.Errorf("ids = %q", got)
	}
	if len(reqs[2].Body) != 0 {
		t.Errorf("GET carried a body: %q", reqs[2].Body)
	}
}

// Requests that can never succeed are refused before any quota is spent.
func TestInvalidRequestsAreNotSent(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	hooks := &recordingHooks{}
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.BeforeSend = hooks.Before })
	noCipher := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.ShopCipher = ""; cfg.BeforeSend = hooks.Before })
	ctx := context.Background()
	tooMany := make([]string, MaxDetailIDs+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprint(1000 + i)
	}
	tests := []struct {
		name string
		call func() error
		want Class
	}{
		{"page size 0", func() error { _, err := c.SearchOrders(ctx, SearchRequest{}, "", 0); return err }, ClassBadRequest},
		{"page size 101", func() error { _, err := c.SearchOrders(ctx, SearchRequest{}, "", 101); return err }, ClassBadRequest},
		{"51 order ids", func() error { _, err := c.OrderDetail(ctx, tooMany); return err }, ClassBadRequest},
		{"order id with a comma", func() error { _, err := c.OrderDetail(ctx, []string{"1,2"}); return err }, ClassBadRequest},
		{"empty order id", func() error { _, err := c.OrderDetail(ctx, []string{""}); return err }, ClassBadRequest},
		{"path traversal in package id", func() error {
			_, err := c.ShipPackage(ctx, "../../authorization", ShipPackageRequest{})
			return err
		}, ClassBadRequest},
		{"self shipment without tracking", func() error {
			_, err := c.ShipPackage(ctx, "115", ShipPackageRequest{SelfShipment: &SelfShipment{ShippingProviderID: "1"}})
			return err
		}, ClassBadRequest},
		{"delivery option with a slash", func() error { _, err := c.ShippingProviders(ctx, "a/b"); return err }, ClassBadRequest},
		{"update without provider", func() error {
			_, err := c.UpdateShippingInfo(ctx, "576", UpdateShippingInfoRequest{TrackingNumber: "1Z"})
			return err
		}, ClassBadRequest},
		{"no shop cipher configured", func() error { _, err := noCipher.SearchOrders(ctx, SearchRequest{}, "", 10); return err }, ClassShopCipher},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if ClassOf(err) != tt.want {
				t.Fatalf("class = %q (%v), want %q", ClassOf(err), err, tt.want)
			}
		})
	}
	if n := len(fake.apiRequests()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
	if n := len(hooks.before); n != 0 {
		t.Errorf("BeforeSend ran %d times for unsendable requests", n)
	}
	if orders, err := c.OrderDetail(ctx, nil); err != nil || orders != nil {
		t.Errorf("OrderDetail(nil) = %v, %v; want no call", orders, err)
	}
}

func TestBeforeSendVetoSendsNothing(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	errQuota := errors.New("daily quota exhausted")
	hooks := &recordingHooks{veto: func(Call) error { return errQuota }}
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) {
		cfg.BeforeSend, cfg.AfterSend = hooks.Before, hooks.After
	})
	_, err := c.SearchOrders(WithKind(context.Background(), "poll"), SearchRequest{}, "", 50)
	if !errors.Is(err, errQuota) {
		t.Fatalf("err = %v, want the veto wrapped", err)
	}
	if !strings.Contains(err.Error(), EndpointSearchOrders) {
		t.Errorf("veto error does not name the endpoint: %v", err)
	}
	if n := len(fake.apiRequests()); n != 0 {
		t.Errorf("server saw %d requests after a veto", n)
	}
	if len(hooks.before) != 1 || len(hooks.after) != 0 {
		t.Errorf("hooks: %d before, %d after; want 1, 0", len(hooks.before), len(hooks.after))
	}
}

func TestHooksSeeKindAndOutcome(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	_, srv := newFakeTikTok(t, clock.Peek)
	hooks := &recordingHooks{}
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) {
		cfg.BeforeSend, cfg.AfterSend = hooks.Before, hooks.After
	})
	ctx := WithKind(context.Background(), "detail")
	if KindFrom(ctx) != "detail" || KindFrom(context.Background()) != "" {
		t.Fatal("WithKind/KindFrom do not round-trip")
	}
	if _, err := c.OrderDetail(ctx, []string{"576653688135258178"}); err != nil {
		t.Fatal(err)
	}
	want := Call{Endpoint: EndpointOrderDetail, Method: "GET", Path: "/order/202309/orders", Kind: "detail", Attempt: 1}
	if len(hooks.before) != 1 || hooks.before[0] != want {
		t.Fatalf("BeforeSend calls = %+v, want [%+v]", hooks.before, want)
	}
	res := hooks.results[0]
	if res.HTTPStatus != 200 || res.Code != 0 || res.RequestID == "" || res.Err != nil || res.Latency <= 0 {
		t.Errorf("AfterSend result = %+v", res)
	}
}

func TestAfterSendSeesRateLimit(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	hooks := &recordingHooks{}
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.AfterSend = hooks.After })
	fake.fault(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		writeEnvelope(w, 429, CodeRateLimited, "Too many requests.", "REQ-429", nil)
	})
	_, err := c.SearchOrders(context.Background(), SearchRequest{}, "", 10)
	if ClassOf(err) != ClassRateLimited || RetryAfterOf(err) != 3*time.Second {
		t.Fatalf("err = %v", err)
	}
	res := hooks.results[0]
	if res.HTTPStatus != 429 || res.Code != CodeRateLimited || res.RequestID != "REQ-429" ||
		res.RetryAfter != 3*time.Second || ClassOf(res.Err) != ClassRateLimited {
		t.Errorf("AfterSend result = %+v", res)
	}
}

// A bad signature gets TikTok's 401/106001 and needs a human.
func TestWrongSecretIsRefusedLikeTikTok(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	_, srv := newFakeTikTok(t, clock.Peek)
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.AppSecret = "SECRET-wrong" })
	_, err := c.Shops(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != 401 || ae.Code != CodeBadSignature || ae.Class != ClassNeedsHuman {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "SECRET-wrong") {
		t.Errorf("error leaks the secret: %v", err)
	}
}

// A clock far behind TikTok's gets the timestamp refusal, classified as
// transient with a reason that points at the clock.
func TestClockSkewIsTransientWithReason(t *testing.T) {
	serverClock := &stepClock{t: testT0}
	_, srv := newFakeTikTok(t, serverClock.Peek)
	skewed := &stepClock{t: testT0.Add(-10 * time.Minute)}
	c := newTestClient(t, srv.URL, skewed, nil)
	_, err := c.Shops(context.Background())
	if ClassOf(err) != ClassTransient || !strings.Contains(err.Error(), "clock") {
		t.Fatalf("err = %v, want transient naming the clock", err)
	}
}
