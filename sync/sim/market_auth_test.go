package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func TestSignatureVerification(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	shopsPath := "/authorization/202309/shops"
	searchPath := "/order/202309/orders/search"
	body := []byte(`{"order_status":"AWAITING_SHIPMENT"}`)
	q := func() url.Values { return url.Values{"page_size": {"10"}} }

	tests := []struct {
		name       string
		call       func(c *apiClient) apiResult
		wantStatus int
		wantCode   int
		wantMsg    string
	}{
		{"right secret", func(c *apiClient) apiResult {
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 200, 0, ""},
		{"right secret with a signed body", func(c *apiClient) apiResult {
			return c.do(http.MethodPost, searchPath, q(), body)
		}, 200, 0, ""},
		{"wrong secret", func(c *apiClient) apiResult {
			c.secret = "not-the-secret"
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 401, tiktok.CodeBadSignature, "sign"},
		{"body changed after signing", func(c *apiClient) apiResult {
			u := c.signedURL(http.MethodPost, searchPath, q(), body)
			return c.send(http.MethodPost, u, []byte(`{"order_status":"UNPAID"}`), "application/json")
		}, 401, tiktok.CodeBadSignature, ""},
		{"query param added after signing", func(c *apiClient) apiResult {
			u := c.signedURL(http.MethodPost, searchPath, q(), body) + "&sort_order=ASC"
			return c.send(http.MethodPost, u, body, "application/json")
		}, 401, tiktok.CodeBadSignature, ""},
		{"upper-case hex", func(c *apiClient) apiResult {
			u := c.signedURL(http.MethodGet, shopsPath, nil, nil)
			i := strings.Index(u, "sign=")
			return c.send(http.MethodGet, u[:i]+strings.ToUpper(u[i:]), nil, "application/json")
		}, 401, tiktok.CodeBadSignature, ""},
		{"missing signature", func(c *apiClient) apiResult {
			u := c.signedURL(http.MethodGet, shopsPath, nil, nil)
			return c.send(http.MethodGet, u[:strings.Index(u, "&sign=")], nil, "application/json")
		}, 401, tiktok.CodeBadSignature, "Missing credentials"},
		{"timestamp 6 minutes old", func(c *apiClient) apiResult {
			c.stamp = func() time.Time { return clock.Now().Add(-6 * time.Minute) }
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 401, tiktok.CodeOverloaded, "earlier than 5 minutes"},
		{"timestamp 4 minutes old", func(c *apiClient) apiResult {
			c.stamp = func() time.Time { return clock.Now().Add(-4 * time.Minute) }
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 200, 0, ""},
		{"timestamp 31 s ahead", func(c *apiClient) apiResult {
			c.stamp = func() time.Time { return clock.Now().Add(31 * time.Second) }
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 401, tiktok.CodeOverloaded, "exceed the current time"},
		{"wrong access token", func(c *apiClient) apiResult {
			c.token = "TTP_stolen"
			return c.do(http.MethodGet, shopsPath, nil, nil)
		}, 401, tiktok.CodeExpiredToken, ""},
		{"no content type", func(c *apiClient) apiResult {
			return c.send(http.MethodGet, c.signedURL(http.MethodGet, shopsPath, nil, nil), nil, "")
		}, 400, tiktok.CodeOverloaded, "Content-Type"},
		{"content type with charset", func(c *apiClient) apiResult {
			return c.send(http.MethodGet, c.signedURL(http.MethodGet, shopsPath, nil, nil), nil, "application/json; charset=utf-8")
		}, 200, 0, ""},
		{"shop-scoped call without shop_cipher", func(c *apiClient) apiResult {
			c.noCipher = true
			return c.do(http.MethodGet, "/order/202309/orders", url.Values{"ids": {"576653688135258178"}}, nil)
		}, 400, tiktok.CodeMissingCipher, "shop_cipher"},
		{"shop_cipher sent to shops", func(c *apiClient) apiResult {
			return c.do(http.MethodGet, shopsPath, url.Values{"shop_cipher": {c.s.Shop().ShopCipher}}, nil)
		}, 400, tiktok.CodeOverloaded, "Unexpected identifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.call(newAPIClient(t, s))
			if res.status != tc.wantStatus || res.env.Code != tc.wantCode {
				t.Fatalf("HTTP %d code %d (%s), want HTTP %d code %d", res.status, res.env.Code, res.env.Message, tc.wantStatus, tc.wantCode)
			}
			if !strings.Contains(res.env.Message, tc.wantMsg) {
				t.Errorf("message %q does not mention %q", res.env.Message, tc.wantMsg)
			}
			if res.env.RequestID == "" {
				t.Error("reply has no request_id")
			}
		})
	}
	if got := s.Counters().Marketplace.SignatureRejects; got != 5 {
		t.Errorf("SignatureRejects = %d, want 5", got)
	}
}

func TestShopsListsTheCipher(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	res := newAPIClient(t, s).do(http.MethodGet, "/authorization/202309/shops", nil, nil)
	var data tiktok.ShopsData
	if err := json.Unmarshal(res.env.Data, &data); err != nil || len(data.Shops) != 1 {
		t.Fatalf("shops reply %s: %v", res.raw, err)
	}
	if data.Shops[0].Cipher != s.Shop().ShopCipher {
		t.Errorf("cipher %q, want %q", data.Shops[0].Cipher, s.Shop().ShopCipher)
	}
}

func TestRequestIDsAreUnique(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newAPIClient(t, s)
	seen := map[string]bool{}
	for range 20 {
		id := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil).env.RequestID
		if seen[id] {
			t.Fatalf("request_id %s repeated", id)
		}
		seen[id] = true
	}
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	s, clock := startSim(t, Options{OrdersPerDay: -1})
	c := newAPIClient(t, s)
	s.ExpireAccessTokens()
	res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil)
	if res.status != 401 || res.env.Code != tiktok.CodeExpiredToken || !strings.Contains(res.env.Message, "Expired") {
		t.Fatalf("expired token: HTTP %d code %d %q", res.status, res.env.Code, res.env.Message)
	}

	shop := s.Shop()
	refresh := func(refreshToken string) apiResult {
		q := url.Values{"app_key": {shop.AppKey}, "app_secret": {shop.AppSecret},
			"refresh_token": {refreshToken}, "grant_type": {"refresh_token"}}
		return c.send(http.MethodGet, s.AuthURL()+"/api/v2/token/refresh?"+q.Encode(), nil, "")
	}
	if bad := refresh("TTP_wrong"); bad.env.Code == 0 {
		t.Fatal("a wrong refresh token was accepted")
	}
	res = refresh(shop.RefreshToken)
	var tok tiktok.TokenData
	if err := json.Unmarshal(res.env.Data, &tok); err != nil || res.env.Code != 0 {
		t.Fatalf("refresh: code %d %s: %v", res.env.Code, res.raw, err)
	}
	if tok.AccessToken == "" || tok.AccessToken == shop.AccessToken || tok.RefreshToken == "" {
		t.Fatalf("refresh returned %+v", tok)
	}
	if want := clock.Now().Add(7 * 24 * time.Hour).Unix(); tok.AccessTokenExpireIn != want {
		t.Errorf("access_token_expire_in = %d, want the absolute time %d", tok.AccessTokenExpireIn, want)
	}
	c.token = tok.AccessToken
	if res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil); res.env.Code != 0 {
		t.Fatalf("new token refused: %d %s", res.env.Code, res.env.Message)
	}
	clock.Advance(7*24*time.Hour + time.Second)
	if res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil); res.env.Code != tiktok.CodeExpiredToken {
		t.Fatalf("token past its expiry: code %d", res.env.Code)
	}
	if got := s.Counters().Marketplace.TokenRefreshes; got != 1 {
		t.Errorf("TokenRefreshes = %d, want 1", got)
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newAPIClient(t, s)
	if res := c.do(http.MethodGet, "/order/202309/nope", nil, nil); res.status != 404 || res.env.Code != 36009009 {
		t.Errorf("unknown path: HTTP %d code %d", res.status, res.env.Code)
	}
	if res := c.do(http.MethodGet, "/order/202309/orders/search", url.Values{"page_size": {"5"}}, nil); res.status != 405 || res.env.Code != 36009010 {
		t.Errorf("wrong method: HTTP %d code %d", res.status, res.env.Code)
	}
}

func TestTimestampsCheckedAgainstAWallClockForSeparateProcesses(t *testing.T) {
	wall := NewManualClock(testStart)
	s, simClock := startSim(t, Options{OrdersPerDay: -1, TimestampClock: wall})
	simClock.Advance(3 * time.Hour) // the sim runs ahead of the client's real time
	c := newAPIClient(t, s)
	c.stamp = wall.Now
	if res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil); res.env.Code != 0 {
		t.Fatalf("timestamp from the wall clock refused: %d %s", res.env.Code, res.env.Message)
	}
	c.stamp = simClock.Now
	if res := c.do(http.MethodGet, "/authorization/202309/shops", nil, nil); res.env.Code != tiktok.CodeOverloaded {
		t.Fatalf("a sim-clock timestamp 3 h ahead of the wall clock: code %d", res.env.Code)
	}
	if WallClock().Now().IsZero() {
		t.Fatal("wall clock")
	}
}
