package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// testStart is a Monday morning in the buyers' zone (UTC here).
var testStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// startSim starts a quiet simulator on a manual clock and closes it with
// the test.
func startSim(t *testing.T, opts Options) (*Sim, *Clock) {
	t.Helper()
	clock := NewManualClock(testStart)
	if opts.Clock == nil {
		opts.Clock = clock
	} else {
		clock = opts.Clock.(*Clock)
	}
	if opts.ArrivalZone == "" {
		opts.ArrivalZone = "UTC"
	}
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close simulator: %v", err)
		}
	})
	return s, clock
}

// apiClient calls the simulated marketplace the way shipdeck's client must:
// signed query, token header, JSON content type.
type apiClient struct {
	t        testing.TB
	s        *Sim
	secret   string
	token    string
	stamp    func() time.Time // the timestamp the request carries
	noCipher bool             // leave shop_cipher out
	http     *http.Client
}

func newAPIClient(t testing.TB, s *Sim) *apiClient {
	shop := s.Shop()
	return &apiClient{t: t, s: s, secret: shop.AppSecret, token: shop.AccessToken,
		stamp: s.Clock().Now, http: &http.Client{Timeout: 5 * time.Second}}
}

type apiResult struct {
	status int
	env    tiktok.Envelope
	header http.Header
	raw    []byte
}

// shopScoped reports whether a path needs shop_cipher.
func shopScoped(path string) bool {
	return path != "/authorization/202309/shops"
}

// signedURL builds the request URL with app_key, timestamp, shop_cipher and sign.
func (c *apiClient) signedURL(method, path string, q url.Values, body []byte) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("app_key", c.s.Shop().AppKey)
	q.Set("timestamp", strconv.FormatInt(c.stamp().Unix(), 10))
	if shopScoped(path) && !c.noCipher {
		q.Set("shop_cipher", c.s.Shop().ShopCipher)
	}
	q.Set("sign", tiktok.Sign(c.secret, method, path, q, body, "application/json"))
	return c.s.MarketplaceURL() + path + "?" + q.Encode()
}

func (c *apiClient) do(method, path string, q url.Values, body []byte) apiResult {
	c.t.Helper()
	return c.send(method, c.signedURL(method, path, q, body), body, "application/json")
}

func (c *apiClient) send(method, u string, body []byte, contentType string) apiResult {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatalf("build request: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("x-tts-access-token", c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	res := apiResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &res.env); err != nil {
		c.t.Fatalf("reply is not an envelope (HTTP %d): %q", resp.StatusCode, raw)
	}
	return res
}

func (c *apiClient) search(q url.Values, filter any) (apiResult, tiktok.SearchData) {
	c.t.Helper()
	body, _ := json.Marshal(filter)
	res := c.do(http.MethodPost, "/order/202309/orders/search", q, body)
	var data tiktok.SearchData
	if res.env.Code == 0 {
		if err := json.Unmarshal(res.env.Data, &data); err != nil {
			c.t.Fatalf("decode search data: %v", err)
		}
	}
	return res, data
}

func (c *apiClient) ship(packageID, provider, tracking string) apiResult {
	c.t.Helper()
	body, _ := json.Marshal(tiktok.ShipPackageRequest{HandoverMethod: "DROP_OFF",
		SelfShipment: &tiktok.SelfShipment{ShippingProviderID: provider, TrackingNumber: tracking}})
	return c.do(http.MethodPost, "/fulfillment/202309/packages/"+packageID+"/ship", nil, body)
}

// ordersIn returns the orders currently in status.
func ordersIn(s *Sim, status string) []tiktok.Order {
	var out []tiktok.Order
	for _, o := range s.Orders() {
		if o.Status == status {
			out = append(out, o)
		}
	}
	return out
}
