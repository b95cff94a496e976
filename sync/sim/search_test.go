package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func TestPageTokensPageThroughEverythingOnce(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 4, OrdersPerDay: 800, History: 12 * time.Hour})
	clock.Advance(2 * time.Hour)
	all := s.Orders()
	if len(all) < 200 {
		t.Fatalf("only %d orders to page through", len(all))
	}
	c := newAPIClient(t, s)
	filter := tiktok.SearchRequest{UpdateTimeLT: clock.Now().Unix() + 1}

	seen := map[string]int{}
	var lastUpdate int64
	token, pages, tokensWithSpecials := "", 0, 0
	for {
		q := url.Values{"page_size": {"7"}, "sort_field": {"update_time"}, "sort_order": {"ASC"}}
		if token != "" {
			q.Set("page_token", token)
		}
		res, data := c.search(q, filter)
		if res.status != 200 || res.env.Code != 0 {
			t.Fatalf("page %d: HTTP %d code %d %s", pages, res.status, res.env.Code, res.env.Message)
		}
		if data.TotalCount != len(all) {
			t.Fatalf("total_count %d, want %d", data.TotalCount, len(all))
		}
		for _, o := range data.Orders {
			seen[o.ID]++
			if o.UpdateTime < lastUpdate {
				t.Fatalf("update_time went backwards: %d after %d", o.UpdateTime, lastUpdate)
			}
			lastUpdate = o.UpdateTime
		}
		pages++
		token = data.NextPageToken
		if token == "" {
			break
		}
		if strings.ContainsAny(token, "+/") {
			tokensWithSpecials++
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("paging saw %d orders, want %d", len(seen), len(all))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("order %s seen %d times", id, n)
		}
	}
	if tokensWithSpecials == 0 {
		t.Fatalf("none of %d page tokens carried '+' or '/'", pages-1)
	}
}

func TestPageTokenMustBeEncodedAndMatchTheQuery(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 4, OrdersPerDay: 800, History: 12 * time.Hour})
	c := newAPIClient(t, s)
	filter := tiktok.SearchRequest{UpdateTimeLT: clock.Now().Unix()}
	q := url.Values{"page_size": {"3"}, "sort_field": {"update_time"}, "sort_order": {"ASC"}}
	var token string
	for i := 0; token == "" || !strings.Contains(token, "+"); i++ {
		if i > 200 {
			// The world is seeded: no '+' means the tokens lost TikTok's
			// awkward alphabet, which is what this test is about.
			t.Fatal("no token with '+' in 200 pages")
		}
		if token != "" {
			q.Set("page_token", token)
		}
		_, data := c.search(q, filter)
		token = data.NextPageToken
	}
	// Sent raw, '+' decodes to a space: the server sees another token.
	body, _ := json.Marshal(filter)
	q.Del("page_token")
	u := c.signedURL(http.MethodPost, "/order/202309/orders/search", q, body)
	res := c.send(http.MethodPost, u+"&page_token="+token, body, "application/json")
	if res.env.Code == 0 {
		t.Fatal("an unencoded page token with '+' was accepted")
	}
	// The same mistake with a signature over what the server decodes (as a
	// client that signs the raw text would get): the signature passes, so
	// the refusal must come from the token itself.
	decoded := strings.ReplaceAll(token, "+", " ")
	spaced := url.Values{"page_token": {decoded}}
	for k, v := range q {
		spaced[k] = v
	}
	raw := c.signedURL(http.MethodPost, "/order/202309/orders/search", spaced, body)
	if !strings.Contains(raw, "page_token="+url.QueryEscape(decoded)) || !strings.Contains(url.QueryEscape(decoded), "+") {
		t.Fatalf("test setup: %s does not carry the token with a raw '+'", raw)
	}
	res = c.send(http.MethodPost, raw, body, "application/json")
	if res.status != http.StatusBadRequest || res.env.Code != tiktok.CodeOverloaded || !strings.Contains(res.env.Message, "page_token") {
		t.Fatalf("a page token whose '+' arrived as a space: HTTP %d code %d %q", res.status, res.env.Code, res.env.Message)
	}
	// A token from one filter is refused under another.
	q.Set("page_token", token)
	res, _ = c.search(q, tiktok.SearchRequest{UpdateTimeLT: clock.Now().Unix(), OrderStatus: "UNPAID"})
	if res.status != 400 || res.env.Code != tiktok.CodeOverloaded {
		t.Fatalf("token reused with another filter: HTTP %d code %d", res.status, res.env.Code)
	}
}

func TestSearchFiltersAndLimits(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 9, OrdersPerDay: 600, History: 6 * time.Hour})
	c := newAPIClient(t, s)
	now := clock.Now().Unix()
	tests := []struct {
		name      string
		pageSize  string
		filter    tiktok.SearchRequest
		wantCode  int
		wantMatch func(o tiktok.Order) bool
	}{
		{"status filter", "100", tiktok.SearchRequest{OrderStatus: StatusAwaitingShipment},
			0, func(o tiktok.Order) bool { return o.Status == StatusAwaitingShipment }},
		{"update window", "100", tiktok.SearchRequest{UpdateTimeGE: now - 3600, UpdateTimeLT: now - 1800},
			0, func(o tiktok.Order) bool { return o.UpdateTime >= now-3600 && o.UpdateTime < now-1800 }},
		{"create window", "50", tiktok.SearchRequest{CreateTimeGE: now - 7200},
			0, func(o tiktok.Order) bool { return o.CreateTime >= now-7200 }},
		{"page size 0", "0", tiktok.SearchRequest{}, tiktok.CodeOverloaded, nil},
		{"page size 101", "101", tiktok.SearchRequest{}, tiktok.CodeOverloaded, nil},
		{"page size missing", "", tiktok.SearchRequest{}, tiktok.CodeOverloaded, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			if tc.pageSize != "" {
				q.Set("page_size", tc.pageSize)
			}
			res, data := c.search(q, tc.filter)
			if res.env.Code != tc.wantCode {
				t.Fatalf("code %d (%s), want %d", res.env.Code, res.env.Message, tc.wantCode)
			}
			if tc.wantMatch == nil {
				return
			}
			want := 0
			for _, o := range s.Orders() {
				if tc.wantMatch(o) {
					want++
				}
			}
			if data.TotalCount != want || want == 0 {
				t.Fatalf("total_count %d, want %d (> 0)", data.TotalCount, want)
			}
			size, _ := strconv.Atoi(tc.pageSize)
			if len(data.Orders) != min(want, size) {
				t.Fatalf("%d orders on the first page, want %d", len(data.Orders), min(want, size))
			}
			for _, o := range data.Orders {
				if !tc.wantMatch(o) {
					t.Fatalf("order %s (%s, updated %d) does not match the filter", o.ID, o.Status, o.UpdateTime)
				}
			}
		})
	}
}

func TestOrderDetail(t *testing.T) {
	s, _ := startSim(t, Options{Seed: 9, OrdersPerDay: 600, History: 6 * time.Hour})
	c := newAPIClient(t, s)
	all := s.Orders()
	var ids []string
	for _, o := range all[:50] {
		ids = append(ids, o.ID)
	}
	res := c.do(http.MethodGet, "/order/202309/orders", url.Values{"ids": {strings.Join(ids, ",")}}, nil)
	var data tiktok.DetailData
	if err := json.Unmarshal(res.env.Data, &data); err != nil || res.env.Code != 0 {
		t.Fatalf("detail of 50: code %d %s: %v", res.env.Code, res.env.Message, err)
	}
	if len(data.Orders) != 50 || data.Orders[7].ID != ids[7] {
		t.Fatalf("detail returned %d orders", len(data.Orders))
	}
	o := data.Orders[0]
	if len(o.ID) != 18 || len(o.Packages) != 1 || len(o.LineItems) == 0 || o.DeliveryOptionID == "" ||
		o.RTSSLATime != o.CreateTime+2*86400 || o.DeliveryDueTime != o.CreateTime+6*86400 {
		t.Fatalf("order lacks TikTok's shape: %+v", o)
	}
	ids = append(ids, all[50].ID)
	res = c.do(http.MethodGet, "/order/202309/orders", url.Values{"ids": {strings.Join(ids, ",")}}, nil)
	if res.status != 400 || res.env.Code != tiktok.CodeOverloaded {
		t.Fatalf("detail of 51: HTTP %d code %d", res.status, res.env.Code)
	}
}

func TestShippingProviders(t *testing.T) {
	s, _ := startSim(t, Options{OrdersPerDay: -1})
	c := newAPIClient(t, s)
	res := c.do(http.MethodGet, "/logistics/202309/delivery_options/"+DeliveryStandard+"/shipping_providers", nil, nil)
	var data tiktok.ShippingProvidersData
	if err := json.Unmarshal(res.env.Data, &data); err != nil || res.env.Code != 0 {
		t.Fatalf("providers: code %d: %v", res.env.Code, err)
	}
	found := false
	for _, p := range data.ShippingProviders {
		found = found || (p.ID == ProviderUSPS && p.Name == "USPS")
	}
	if !found {
		t.Fatalf("USPS missing from %+v", data.ShippingProviders)
	}
	for _, ci := range s.Carriers() {
		if ci.ProviderID != "" && !optionAllows(DeliveryStandard, ci.ProviderID) {
			t.Errorf("carrier %s's provider %s is not offered", ci.Name, ci.ProviderID)
		}
	}
	if res := c.do(http.MethodGet, "/logistics/202309/delivery_options/123/shipping_providers", nil, nil); res.env.Code == 0 {
		t.Fatal("an unknown delivery option was accepted")
	}
}

// The simulator also filters on is_buyer_request_cancel, beside the fields
// of the client's SearchRequest.
func TestSearchByBuyerCancelRequest(t *testing.T) {
	s, clock := startSim(t, Options{Seed: 9, OrdersPerDay: 3000, History: 24 * time.Hour})
	clock.Advance(time.Hour)
	c := newAPIClient(t, s)
	want := 0
	for _, o := range s.Orders() {
		if o.IsBuyerRequestCancel && o.Status == StatusAwaitingShipment {
			want++
		}
	}
	if want == 0 {
		t.Fatal("test setup: no order has a pending cancel request")
	}
	q := url.Values{"page_size": {"100"}}
	res, data := c.search(q, map[string]any{"is_buyer_request_cancel": true, "order_status": StatusAwaitingShipment})
	if res.env.Code != 0 {
		t.Fatalf("code %d %s", res.env.Code, res.env.Message)
	}
	if data.TotalCount != want || len(data.Orders) != min(want, 100) {
		t.Fatalf("total_count %d with %d on the page, want %d", data.TotalCount, len(data.Orders), want)
	}
	for _, o := range data.Orders {
		if !o.IsBuyerRequestCancel || o.Status != StatusAwaitingShipment {
			t.Fatalf("order %s (%s, cancel request %v) does not match the filter", o.ID, o.Status, o.IsBuyerRequestCancel)
		}
	}
}
