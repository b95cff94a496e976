package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/quota"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// replyFunc writes one scripted reply; n counts the calls of the case,
// from 1.
type replyFunc func(w http.ResponseWriter, r *http.Request, n int)

// scripted is a peer whose replies a test case scripts.
type scripted struct {
	mu    gosync.Mutex
	reply replyFunc
	calls []string // "METHOD path" of every request of the case
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+r.URL.Path)
	n, f := len(s.calls), s.reply
	s.mu.Unlock()
	if f == nil {
		http.Error(w, "no reply scripted", http.StatusTeapot)
		return
	}
	f(w, r, n)
}

// set scripts the replies of the next case and forgets earlier calls.
func (s *scripted) set(f replyFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply, s.calls = f, nil
}

// requests counts the requests of the case to "METHOD path".
func (s *scripted) requests(methodPath string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c == methodPath {
			n++
		}
	}
	return n
}

// rig is an engine on a real store whose TikTok client and single carrier
// ("bad") talk to scripted servers, on a manual clock.
type rig struct {
	t       *testing.T
	clock   *sim.Clock
	st      *store.Store
	eng     *shipsync.Engine
	market  *scripted
	carrier *scripted
	// logs is the engine's log (text handler), for what an operator reads.
	logs *bytes.Buffer
}

// Client timeouts in the rig: short, so a stalled reply costs little.
const (
	rigTikTokTimeout  = 300 * time.Millisecond
	rigCarrierTimeout = 300 * time.Millisecond
)

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, clock: sim.NewManualClock(start), market: &scripted{}, carrier: &scripted{}, logs: &bytes.Buffer{}}
	msrv := httptest.NewServer(r.market)
	csrv := httptest.NewServer(r.carrier)
	t.Cleanup(func() {
		msrv.CloseClientConnections()
		csrv.CloseClientConnections()
		msrv.Close()
		csrv.Close()
	})
	st := openStore(t, r.clock.Now)
	r.st = st
	planner, err := quota.New(quota.Config{DailyLimit: 1_000_000, PerSecond: 1_000_000, MinInterval: time.Minute, MaxInterval: 15 * time.Minute},
		quota.StoreLedger{Store: st}, r.clock.Now, quota.StoreProfile(st, r.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	// No refresh token: an expired access token is reported, not refreshed.
	tt, err := tiktok.New(tiktok.Config{BaseURL: msrv.URL, AuthBaseURL: msrv.URL, AppKey: "6appkey", AppSecret: "app-secret",
		AccessToken: "TTP_access", ShopCipher: "GCP_cipher", Now: r.clock.Now, Timeout: rigTikTokTimeout,
		BeforeSend: func(ctx context.Context, call tiktok.Call) error {
			return planner.Reserve(ctx, store.CallKind(tiktok.KindFrom(ctx)), 1)
		}})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := carrier.NewREST(carrier.RESTConfig{Name: "bad", Endpoint: csrv.URL, Token: "sk_bad", Timeout: rigCarrierTimeout, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	router, err := route.New([]route.Rule{{Name: "all", Carrier: "bad"}}, []route.CarrierInfo{{Name: "bad", TransitDays: 2}}, "bad")
	if err != nil {
		t.Fatal(err)
	}
	r.eng, err = shipsync.New(shipsync.Config{Shop: "test", Seed: 1}, shipsync.Deps{
		Store: st, Marketplace: tt, Planner: planner, Router: router,
		Carriers: []shipsync.Carrier{{Carrier: bad, MaxInFlight: 4, TransitDays: 2, ProviderID: "7117858858072016686"}},
		Health:   health.NewTracker(), Breakers: health.NewBreakers(health.BreakerConfig{}), Now: r.clock.Now,
		Logger: slog.New(slog.NewTextHandler(r.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// ---- replies ----

// raw replies status with body; header is name, value pairs.
func raw(status int, contentType, body string, header ...string) replyFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

const ctJSON = "application/json"

// nginx502 is a reverse proxy's error page.
const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// cutBody promises body in Content-Length, sends half and drops the
// connection.
func cutBody(status int, body string) replyFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", ctJSON)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body[:len(body)/2]))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
}

// resetAfterRead reads the request and drops the connection without a reply.
func resetAfterRead() replyFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		panic(http.ErrAbortHandler)
	}
}

// stall holds the reply until the client gives up. It reads the request
// first: the server notices a client hanging up only after that.
func stall() replyFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		panic(http.ErrAbortHandler)
	}
}

// huge is a JSON-looking reply of n bytes; chunked drops Content-Length.
func huge(n int, chunked bool) replyFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		body := []byte(`{"code":0,"data":{"orders":[],"pad":"` + strings.Repeat("x", n) + `"}}`)
		w.Header().Set("Content-Type", ctJSON)
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(http.StatusOK)
		if chunked {
			w.(http.Flusher).Flush()
		}
		_, _ = w.Write(body)
	}
}

// ---- marketplace replies ----

// wireOrder is a valid order as TikTok's search returns it.
func wireOrder(id string, updated time.Time) tiktok.Order {
	return tiktok.Order{
		ID: id, Status: "AWAITING_SHIPMENT", CreateTime: updated.Add(-time.Hour).Unix(), UpdateTime: updated.Unix(),
		PaidTime: updated.Add(-time.Hour).Unix(), RTSSLATime: updated.Add(48 * time.Hour).Unix(),
		RecipientAddress: tiktok.RecipientAddress{Name: "A. Reader", PhoneNumber: "(+1)5125550100", AddressLine1: "12 Elm St",
			PostalCode: "78701", RegionCode: "US", DistrictInfo: []tiktok.DistrictInfo{
				{AddressLevelName: "Country", AddressName: "United States", AddressLevel: "L0"},
				{AddressLevelName: "State", AddressName: "Texas", AddressLevel: "L1"},
				{AddressLevelName: "City", AddressName: "Austin", AddressLevel: "L3"},
			}},
		LineItems: []tiktok.LineItem{{ID: "li-" + id, SellerSku: "BOOK-NEBULA-PB", ProductName: "Nebula Drift", SalePrice: "12.99", PackageID: "pkg-" + id}},
		Packages:  []tiktok.PackageRef{{ID: "pkg-" + id}},
	}
}

// envelope is a TikTok reply with code 0 around data (raw JSON).
func envelope(data string) string {
	return `{"code":0,"message":"Success","request_id":"2026112415000001","data":` + data + `}`
}

// page is a search reply's data.
func page(orders []tiktok.Order, next string) string {
	b, _ := json.Marshal(tiktok.SearchData{Orders: orders, NextPageToken: next, TotalCount: len(orders)})
	return string(b)
}

// withOrder is a search page holding one order given as raw JSON.
func withOrder(order string) replyFunc {
	return raw(200, ctJSON, envelope(`{"orders":[`+order+`],"next_page_token":"","total_count":1}`))
}

// orderJSON is a valid order's JSON with edit applied to its fields.
func orderJSON(id string, updated time.Time, edit func(m map[string]any)) string {
	b, _ := json.Marshal(wireOrder(id, updated))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	edit(m)
	b, _ = json.Marshal(m)
	return string(b)
}

// tiktokError is a TikTok error reply.
func tiktokError(status, code int, message string, header ...string) replyFunc {
	return raw(status, ctJSON, `{"code":`+strconv.Itoa(code)+`,"message":"`+message+`","request_id":"2026112415000002","data":null}`, header...)
}

// marketState is what a poll may change: counts, cursor and every order.
type marketState struct {
	counts store.Counts
	cursor store.Cursor
	orders map[string]string
}

func (r *rig) marketState() marketState {
	r.t.Helper()
	ctx := context.Background()
	c, err := r.st.Counts(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	cur, err := r.st.Cursor(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	orders := map[string]string{}
	err = r.st.ScanOrders(ctx, func(o store.Order) bool {
		b, _ := json.Marshal(o)
		orders[o.ID] = string(b)
		return true
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return marketState{counts: c, cursor: cur, orders: orders}
}

// TestMalformedMarketplaceRepliesChangeNothing polls a TikTok that answers
// badly in every way the catalogue knows: each reply must be classified
// (or refused as a bad order) and leave the stored orders, the counts and
// the poll cursor exactly as they were, so the next good poll starts from
// the same place.
func TestMalformedMarketplaceRepliesChangeNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	t0 := start.Add(-30 * time.Minute)
	baseline := []tiktok.Order{wireOrder("576000000000000001", t0), wireOrder("576000000000000002", t0.Add(time.Minute)),
		wireOrder("576000000000000003", t0.Add(2*time.Minute))}
	good := raw(200, ctJSON, envelope(page(baseline, "")))
	r.market.set(good)
	if _, err := r.eng.Poll(ctx); err != nil {
		t.Fatalf("baseline poll: %v", err)
	}
	if c := r.marketState(); c.counts.Total != 3 {
		t.Fatalf("baseline stored %d orders, want 3", c.counts.Total)
	}
	fresh := t0.Add(10 * time.Minute)
	bad := func(edit func(m map[string]any)) replyFunc {
		return withOrder(orderJSON("576000000000000009", fresh, edit))
	}
	// inAMinuteAndAHalf dates Retry-After from the rig's clock at reply time.
	inAMinuteAndAHalf := func(w http.ResponseWriter, req *http.Request, n int) {
		raw(429, ctJSON, "", "Retry-After", r.clock.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))(w, req, n)
	}

	tests := []struct {
		name  string
		reply replyFunc
		// wantClass is the TikTok class; "" when the engine refuses the
		// reply itself (wantBadOrder, or a page-token guard).
		wantClass    tiktok.Class
		wantBadOrder bool
		// wantRetryAfter, when ≥ 0, is the server delay the error carries.
		wantRetryAfter time.Duration
		// maxCalls bounds the calls one poll may spend on the reply.
		maxCalls int
	}{
		// Not JSON, or not TikTok's envelope.
		{name: "malformed JSON", reply: raw(200, ctJSON, `{"code":0,"data":{"orders":[`), wantClass: tiktok.ClassMalformed},
		{name: "wrong envelope without code", reply: raw(200, ctJSON, `{"status":"ok","orders":[]}`), wantClass: tiktok.ClassMalformed},
		{name: "envelope is an array", reply: raw(200, ctJSON, `[{"code":0,"data":{}}]`), wantClass: tiktok.ClassMalformed},
		{name: "code is a string", reply: raw(200, ctJSON, `{"code":"0","data":{"orders":[]}}`), wantClass: tiktok.ClassMalformed},
		{name: "code beyond int", reply: raw(200, ctJSON, `{"code":1e40,"data":{}}`), wantClass: tiktok.ClassMalformed},
		{name: "HTML page with 200", reply: raw(200, "text/html", "<!DOCTYPE html><html><body>Maintenance</body></html>"), wantClass: tiktok.ClassMalformed},
		{name: "empty body", reply: raw(200, ctJSON, ""), wantClass: tiktok.ClassMalformed},
		{name: "whitespace body", reply: raw(200, ctJSON, " \r\n\t "), wantClass: tiktok.ClassMalformed},
		{name: "byte order mark before JSON", reply: raw(200, ctJSON, "\xef\xbb\xbf"+envelope(page(nil, ""))), wantClass: tiktok.ClassMalformed},
		{name: "gzip bytes without Content-Encoding", reply: raw(200, ctJSON, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00"), wantClass: tiktok.ClassMalformed},
		{name: "truncated JSON, well framed", reply: raw(200, ctJSON, envelope(page(baseline, ""))[:90]), wantClass: tiktok.ClassMalformed},
		{name: "truncated body, connection cut", reply: cutBody(200, envelope(page(baseline, ""))), wantClass: tiktok.ClassTransient},
		{name: "body over the size limit", reply: huge(5<<20, false), wantClass: tiktok.ClassMalformed},
		{name: "chunked body over the size limit", reply: huge(5<<20, true), wantClass: tiktok.ClassMalformed},

		// A readable envelope that is not a success.
		{name: "200 with code 36009003 internal error", reply: tiktokError(200, 36009003, "Internal error"), wantClass: tiktok.ClassTransient},
		{name: "200 with code 10002014 retry later", reply: tiktokError(200, 10002014, "Failed to get orders, please retry"), wantClass: tiktok.ClassTransient},
		{name: "200 with code 106001 bad signature", reply: tiktokError(200, 106001, "Invalid signature"), wantClass: tiktok.ClassNeedsHuman},
		{name: "200 with code 36009004 stale timestamp", reply: tiktokError(200, 36009004, "Invalid timestamp. The timestamp must not be earlier than 5 minutes before the current time."), wantClass: tiktok.ClassTransient},
		{name: "200 with code 36009004 bad app key", reply: tiktokError(200, 36009004, "Invalid app_key"), wantClass: tiktok.ClassNeedsHuman},
		{name: "200 with code 105002 expired token, no refresh token", reply: tiktokError(200, 105002, "Access token is expired"), wantClass: tiktok.ClassTokenExpired},
		{name: "200 with code 36009002 rate limited", reply: tiktokError(200, 36009002, "Too many requests"), wantClass: tiktok.ClassRateLimited},
		{name: "200 with an unknown code", reply: tiktokError(200, 99999999, "Something new"), wantClass: tiktok.ClassBadRequest},

		// A success envelope whose data is unusable.
		{name: "data null", reply: raw(200, ctJSON, envelope("null")), wantClass: tiktok.ClassMalformed},
		{name: "data is a string", reply: raw(200, ctJSON, envelope(`"orders"`)), wantClass: tiktok.ClassMalformed},
		{name: "orders is an object", reply: raw(200, ctJSON, envelope(`{"orders":{"id":"1"}}`)), wantClass: tiktok.ClassMalformed},
		{name: "create_time is a string", reply: bad(func(m map[string]any) { m["create_time"] = "yesterday" }), wantClass: tiktok.ClassMalformed},
		{name: "line_items is a number", reply: bad(func(m map[string]any) { m["line_items"] = 3 }), wantClass: tiktok.ClassMalformed},
		{name: "recipient_address is an array", reply: bad(func(m map[string]any) { m["recipient_address"] = []int{1} }), wantClass: tiktok.ClassMalformed},
		{name: "order id is a number", reply: bad(func(m map[string]any) { m["id"] = 576000000000000009 }), wantClass: tiktok.ClassMalformed},

		// Orders missing what shipdeck cannot do without: the page is refused.
		{name: "order without id", reply: bad(func(m map[string]any) { delete(m, "id") }), wantBadOrder: true},
		{name: "order without status", reply: bad(func(m map[string]any) { delete(m, "status") }), wantBadOrder: true},
		{name: "order with zero update_time", reply: bad(func(m map[string]any) { m["update_time"] = 0 }), wantBadOrder: true},
		{name: "order with negative create_time", reply: bad(func(m map[string]any) { m["create_time"] = -5 }), wantBadOrder: true},
		{name: "one bad order refuses the whole page", reply: raw(200, ctJSON, envelope(`{"orders":[`+
			orderJSON("576000000000000008", fresh, func(map[string]any) {})+`,`+
			orderJSON("576000000000000009", fresh, func(m map[string]any) { delete(m, "status") })+`],"next_page_token":""}`)), wantBadOrder: true},

		// Paging that would spend the budget forever.
		{name: "page token loop", reply: raw(200, ctJSON, envelope(page(baseline, "TOKEN-A"))), maxCalls: 2},
		{name: "endless page tokens", reply: func(w http.ResponseWriter, r *http.Request, n int) {
			raw(200, ctJSON, envelope(page(baseline, "TOKEN-"+strconv.Itoa(n))))(w, r, n)
		}, maxCalls: 200},

		// HTTP-level failures.
		{name: "429 without Retry-After", reply: raw(429, ctJSON, `{"code":36009002,"message":"Too many requests"}`), wantClass: tiktok.ClassRateLimited, wantRetryAfter: 0},
		{name: "429 with Retry-After seconds", reply: raw(429, ctJSON, `{"code":36009002,"message":"Too many requests"}`, "Retry-After", "120"), wantClass: tiktok.ClassRateLimited, wantRetryAfter: 2 * time.Minute},
		{name: "429 with an HTTP-date Retry-After", reply: inAMinuteAndAHalf, wantClass: tiktok.ClassRateLimited, wantRetryAfter: 90 * time.Second},
		{name: "429 with garbage Retry-After", reply: raw(429, "text/plain", "slow down", "Retry-After", "soon-ish"), wantClass: tiktok.ClassRateLimited, wantRetryAfter: 0},
		{name: "429 with negative Retry-After", reply: raw(429, ctJSON, "", "Retry-After", "-30"), wantClass: tiktok.ClassRateLimited, wantRetryAfter: 0},
		{name: "429 with a huge Retry-After", reply: raw(429, ctJSON, "", "Retry-After", "99999999999999999999"), wantClass: tiktok.ClassRateLimited, wantRetryAfter: tiktok.MaxRetryAfter},
		{name: "500 with TikTok's error body", reply: tiktokError(500, 36009003, "Internal error"), wantClass: tiktok.ClassTransient},
		{name: "502 HTML from a proxy", reply: raw(502, "text/html", nginx502), wantClass: tiktok.ClassTransient},
		{name: "503 plain text", reply: raw(503, "text/plain", "Service Unavailable"), wantClass: tiktok.ClassTransient},
		{name: "504 empty", reply: raw(504, "", ""), wantClass: tiktok.ClassTransient},
		{name: "401 without body", reply: raw(401, "", ""), wantClass: tiktok.ClassNeedsHuman},
		{name: "404 HTML", reply: raw(404, "text/html", "<html>Not Found</html>"), wantClass: tiktok.ClassBadRequest},
		{name: "302 redirect elsewhere", reply: raw(302, "", "", "Location", "https://login.example.net/"), wantClass: tiktok.ClassMalformed},
		{name: "connection dropped before a reply", reply: resetAfterRead(), wantClass: tiktok.ClassTransient},
		{name: "reply stalled past the timeout", reply: stall(), wantClass: tiktok.ClassTransient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.t = t
			// Past any rate-limit wait an earlier case's 429 started: no
			// call goes to TikTok inside one.
			r.clock.Advance(5*time.Minute + r.eng.RateLimitedFor().Truncate(time.Second) + time.Second)
			before := r.marketState()
			r.market.set(tc.reply)
			_, err := r.eng.Poll(ctx)
			if err == nil {
				t.Fatal("poll succeeded on a bad reply")
			}
			if got := tiktok.ClassOf(err); got != tc.wantClass {
				t.Errorf("class %q, want %q (%v)", got, tc.wantClass, err)
			}
			if got := errors.Is(err, shipsync.ErrBadOrder); got != tc.wantBadOrder {
				t.Errorf("bad order %v, want %v (%v)", got, tc.wantBadOrder, err)
			}
			if tc.wantClass == tiktok.ClassRateLimited {
				if got := tiktok.RetryAfterOf(err); got != tc.wantRetryAfter {
					t.Errorf("retry after %s, want %s", got, tc.wantRetryAfter)
				}
			}
			calls := r.market.requests("POST /order/202309/orders/search")
			if max := max(tc.maxCalls, 1); calls > max {
				t.Errorf("one poll sent %d searches, at most %d allowed", calls, max)
			}
			after := r.marketState()
			if !reflect.DeepEqual(before.counts, after.counts) {
				t.Errorf("counts changed: %+v → %+v", before.counts, after.counts)
			}
			if !before.cursor.UpdateTimeGE.Equal(after.cursor.UpdateTimeGE) || !before.cursor.LastPoll.Equal(after.cursor.LastPoll) {
				t.Errorf("cursor moved: %+v → %+v", before.cursor, after.cursor)
			}
			if !reflect.DeepEqual(before.orders, after.orders) {
				t.Errorf("stored orders changed: %d → %d orders", len(before.orders), len(after.orders))
			}
			if strings.Contains(err.Error(), "app-secret") || strings.Contains(err.Error(), "TTP_access") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
	// The good reply still works afterwards, from the same cursor.
	r.t = t
	r.market.set(good)
	if _, err := r.eng.Poll(ctx); err != nil {
		t.Fatalf("good poll after the catalogue: %v", err)
	}
	if c := r.marketState(); c.counts.Total != 3 {
		t.Errorf("after the catalogue %d orders stored, want the 3 good ones", c.counts.Total)
	}
}

// ---- carrier side ----

// carrierPhase is the pipeline step a carrier case exercises.
type carrierPhase string

const (
	phasePush    carrierPhase = "push"    // a ready order is routed and pushed
	phaseResolve carrierPhase = "resolve" // an unknown push is looked up
	phaseTrack   carrierPhase = "track"   // a pushed order's status is read
	phaseCancel  carrierPhase = "cancel"  // an order TikTok cancelled is cancelled at the 3PL
)

// Order ids of the carrier cases: the target and two bystanders that must
// not change.
const (
	targetID = "IMP-7001"
	pushedID = "IMP-7002"
	deadID   = "IMP-7003"
)

// seedCarrierOrders stores the target in the phase's starting state and the
// bystanders: one pushed at the same carrier, one dead there.
func (r *rig) seedCarrierOrders(phase carrierPhase) {
	t := r.t
	t.Helper()
	ctx := context.Background()
	csv := "order_id,name,address1,city,region,postal_code,country,sku,quantity,weight_g\n" +
		targetID + ",A. Reader,12 Elm St,Austin,TX,78701,US,BOOK-NEBULA-PB,1,420\n" +
		pushedID + ",B. Reader,14 Elm St,Austin,TX,78701,US,BOOK-NEBULA-PB,2,840\n" +
		deadID + ",C. Reader,16 Elm St,Austin,TX,78701,US,BOOK-NEBULA-PB,1,420\n"
	orders, rejected, err := shipsync.ParseImport(strings.NewReader(csv), "seed.csv", r.clock.Now())
	if err != nil || len(rejected) > 0 || len(orders) != 3 {
		t.Fatalf("seed import: %d orders, rejected %v, %v", len(orders), rejected, err)
	}
	if _, err := r.eng.Import(ctx, orders, nil); err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	push := func(id string) *store.Push {
		return &store.Push{Carrier: "bad", Generation: 1, IdempotencyKey: shipsync.IdempotencyKey(id, "bad", 1)}
	}
	err = r.st.Update(ctx, func(tx *store.Tx) error {
		for _, id := range []string{targetID, pushedID, deadID} {
			o, err := tx.Order(id)
			if err != nil {
				return err
			}
			switch {
			case id == pushedID:
				o.State, o.Push = store.StatePushed, push(id)
				o.Push.ExternalID, o.Push.PushedAt = "3PL-7002", now.Add(-time.Hour)
			case id == deadID:
				o.State, o.Push, o.Reason, o.ErrorClass = store.StateDead, push(id), "invalid address: no such street", "permanent"
			case phase == phaseResolve:
				o.State, o.Push, o.ErrorClass, o.NextAttemptAt = store.StateUnknown, push(id), "unknown", now
				o.Reason = "was in flight when shipdeck stopped"
			case phase == phaseTrack:
				o.State, o.Push = store.StatePushed, push(id)
				o.Push.ExternalID, o.Push.PushedAt = "3PL-7001", now.Add(-time.Hour)
			case phase == phaseCancel:
				o.State, o.Push, o.CancelAtCarrier, o.NextAttemptAt, o.ErrorClass = store.StateFailed, push(id), true, now, "cancel"
				o.Push.ExternalID, o.Push.PushedAt = "3PL-7001", now.Add(-time.Hour)
			default:
				continue // stays ready
			}
			if err := tx.PutOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// orderJSONOf is the stored order as JSON, for byte-for-byte comparison.
func (r *rig) orderJSONOf(id string) string {
	o, err := r.st.Order(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// restOrder is one order in the contract's shape.
func restOrder(id, ext, status, tracking string) string {
	return `{"id":"` + id + `","external_id":"` + ext + `","status":"` + status + `","tracking_number":"` + tracking + `","carrier_code":"ups","shipped_at":""}`
}

// restErr is the contract's error body.
func restErr(code, message string) string {
	return `{"error":{"code":"` + code + `","message":"` + message + `"}}`
}

// carrierServer routes a case's replies by operation: push (POST
// /v1/orders), lookup (GET /v1/orders?external_id=), status of the target,
// cancel of the target. Unscripted operations answer as a healthy 3PL
// would; the bystander's status is always "accepted" without tracking.
func carrierServer(push, lookup, status, cancel replyFunc) replyFunc {
	orDefault := func(f, def replyFunc) replyFunc {
		if f != nil {
			return f
		}
		return def
	}
	push = orDefault(push, raw(201, ctJSON, `{"id":"3PL-7001","status":"accepted"}`))
	lookup = orDefault(lookup, raw(200, ctJSON, `{"orders":[]}`))
	status = orDefault(status, raw(200, ctJSON, restOrder("3PL-7001", targetID, "accepted", "")))
	cancel = orDefault(cancel, raw(200, ctJSON, `{"id":"3PL-7001","status":"cancelled"}`))
	return func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/orders":
			push(w, r, n)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/orders":
			lookup(w, r, n)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/orders/3PL-7001":
			status(w, r, n)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/orders/3PL-7002":
			raw(200, ctJSON, restOrder("3PL-7002", pushedID, "accepted", ""))(w, r, n)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/orders/3PL-7001/cancel":
			cancel(w, r, n)
		default:
			raw(404, ctJSON, restErr("not_found", "no such route"))(w, r, n)
		}
	}
}

// TestMalformedCarrierRepliesLandInTheContractState pushes, resolves,
// tracks and cancels one order against a 3PL that mangles every row of the
// generic REST contract. The order must end in the state the contract
// gives (pushed, failed for a retry, unknown for a lookup, dead for an
// operator) with the matching error class and retry delay, the push must
// never be resent blindly, and no other order may change.
func TestMalformedCarrierRepliesLandInTheContractState(t *testing.T) {
	lookupOf := func(orders ...string) replyFunc {
		return raw(200, ctJSON, `{"orders":[`+strings.Join(orders, ",")+`]}`)
	}
	dup := raw(422, ctJSON, restErr("duplicate_external_id", "external_id already exists"))
	created := raw(201, ctJSON, `{"id":"3PL-7001","status":"accepted"}`)
	tooLarge := `{"id":"3PL-7001","status":"accepted","pad":"` + strings.Repeat("x", 1<<20) + `"}`
	past := start.Add(-time.Hour).UTC().Format(http.TimeFormat)
	const anyClass = "*"

	tests := []struct {
		name                   string
		phase                  carrierPhase
		push, lookup           replyFunc
		status, cancel         replyFunc
		want                   store.State
		wantClass              string
		minDelay, maxDelay     time.Duration // NextAttemptAt − now, for failed and unknown
		wantExternalID         string
		maxPushes, wantLookups int
	}{
		// 201/200: created or replayed, but the reply cannot be read, so the
		// order may exist: unknown, resolved by lookup later.
		{name: "201 created (control)", push: created, want: store.StatePushed, wantExternalID: "3PL-7001"},
		{name: "201 empty body", push: raw(201, ctJSON, ""), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 truncated JSON", push: raw(201, ctJSON, `{"id":"3PL-70`), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 HTML page", push: raw(201, "text/html", "<html>Created</html>"), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 without id", push: raw(201, ctJSON, `{"status":"accepted"}`), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 id is an object", push: raw(201, ctJSON, `{"id":{"value":"3PL-7001"}}`), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 body over the size limit", push: raw(201, ctJSON, tooLarge), want: store.StateUnknown, wantClass: "unknown"},
		{name: "201 cut mid-body", push: cutBody(201, `{"id":"3PL-7001","status":"accepted"}`), want: store.StateUnknown, wantClass: "unknown"},
		{name: "200 replay with garbage body", push: raw(200, ctJSON, "\x00\xff{{"), want: store.StateUnknown, wantClass: "unknown"},
		{name: "202 accepted, not in the contract", push: raw(202, ctJSON, `{"id":"3PL-7001"}`), want: store.StateUnknown, wantClass: "unknown"},
		{name: "204 no content", push: raw(204, "", ""), want: store.StateUnknown, wantClass: "unknown"},

		// 409 and 422: refusals an operator must see.
		{name: "409 idempotency_mismatch", push: raw(409, ctJSON, restErr("idempotency_mismatch", "key reused with another body")), want: store.StateDead, wantClass: "permanent"},
		{name: "409 HTML", push: raw(409, "text/html", "<html>Conflict</html>"), want: store.StateDead, wantClass: "permanent"},
		{name: "422 invalid_address", push: raw(422, ctJSON, restErr("invalid_address", "postal code does not match city")), want: store.StateDead, wantClass: "permanent"},
		{name: "422 unknown code", push: raw(422, ctJSON, restErr("cosmic_ray", "try another universe")), want: store.StateDead, wantClass: "permanent"},
		{name: "422 without body", push: raw(422, "", ""), want: store.StateDead, wantClass: "permanent"},
		{name: "422 duplicate, lookup finds it: adopted", push: dup, lookup: lookupOf(restOrder("3PL-6001", targetID, "picking", "")),
			want: store.StatePushed, wantExternalID: "3PL-6001", wantLookups: 1},
		{name: "422 duplicate, lookup finds nothing", push: dup, lookup: lookupOf(), want: store.StateDead, wantClass: "permanent", wantLookups: 1},
		{name: "422 duplicate, two live orders", push: dup, lookup: lookupOf(restOrder("3PL-6001", targetID, "accepted", ""), restOrder("3PL-6002", targetID, "shipped", "1Z999")),
			want: store.StateDead, wantClass: "permanent", wantLookups: 1},
		{name: "422 duplicate, only a cancelled one", push: dup, lookup: lookupOf(restOrder("3PL-6001", targetID, "cancelled", "")), want: store.StateDead, wantClass: "permanent", wantLookups: 1},
		{name: "422 duplicate, lookup garbage", push: dup, lookup: raw(200, ctJSON, "<<garbage>>"), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second, wantLookups: 1},
		{name: "422 duplicate, lookup 500", push: dup, lookup: raw(500, ctJSON, restErr("internal", "db down")), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second, wantLookups: 1},

		// 429: retried no sooner than asked, never later than the cap.
		{name: "429 Retry-After 120", push: raw(429, ctJSON, restErr("rate_limited", "slow down"), "Retry-After", "120"), want: store.StateFailed, wantClass: "retryable", minDelay: 2 * time.Minute, maxDelay: 2 * time.Minute},
		{name: "429 without Retry-After", push: raw(429, ctJSON, restErr("rate_limited", "slow down")), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "429 garbage Retry-After", push: raw(429, ctJSON, "", "Retry-After", "tomorrow-ish"), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "429 negative Retry-After", push: raw(429, ctJSON, "", "Retry-After", "-60"), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "429 Retry-After date in the past", push: raw(429, ctJSON, "", "Retry-After", past), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "429 huge Retry-After is capped", push: raw(429, ctJSON, "", "Retry-After", "86400000"), want: store.StateFailed, wantClass: "retryable", minDelay: carrier.MaxRetryAfter, maxDelay: carrier.MaxRetryAfter},

		// Server trouble: retried with backoff.
		{name: "500 contract error", push: raw(500, ctJSON, restErr("internal", "database unavailable")), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "502 HTML from nginx", push: raw(502, "text/html", nginx502), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "503 empty", push: raw(503, "", ""), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "504 plain text", push: raw(504, "text/plain", "Gateway Timeout"), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},
		{name: "408 request timeout", push: raw(408, "", ""), want: store.StateFailed, wantClass: "retryable", maxDelay: 2 * time.Second},

		// Other client errors: the same request will fail the same way.
		{name: "400 bad request", push: raw(400, ctJSON, restErr("bad_request", "items must not be empty")), want: store.StateDead, wantClass: "permanent"},
		{name: "401 credentials", push: raw(401, ctJSON, restErr("unauthorized", "bad token")), want: store.StateDead, wantClass: "permanent"},
		{name: "403 forbidden", push: raw(403, "text/html", "<html>Forbidden</html>"), want: store.StateDead, wantClass: "permanent"},
		{name: "404 HTML", push: raw(404, "text/html", "<html>Not Found</html>"), want: store.StateDead, wantClass: "permanent"},
		{name: "301 redirect", push: raw(301, "", "", "Location", "https://elsewhere.example.net/v1/orders"), want: store.StateDead, wantClass: "permanent"},

		// No reply at all after the request was sent: it may have landed.
		{name: "connection dropped after the request", push: resetAfterRead(), want: store.StateUnknown, wantClass: "unknown"},
		{name: "reply stalled past the timeout", push: stall(), want: store.StateUnknown, wantClass: "unknown"},

		// Resolving an unknown push: only a readable lookup settles it.
		{name: "lookup finds it (control)", phase: phaseResolve, lookup: lookupOf(restOrder("3PL-6001", targetID, "accepted", "")),
			want: store.StatePushed, wantExternalID: "3PL-6001", maxPushes: -1, wantLookups: 1},
		{name: "lookup finds nothing: resent with the same key", phase: phaseResolve, lookup: lookupOf(), push: created,
			want: store.StatePushed, wantExternalID: "3PL-7001", maxPushes: 1, wantLookups: 1},
		{name: "lookup finds only a cancelled one: resent", phase: phaseResolve, lookup: lookupOf(restOrder("3PL-6001", targetID, "cancelled", "")), push: created,
			want: store.StatePushed, wantExternalID: "3PL-7001", maxPushes: 1, wantLookups: 1},
		{name: "lookup garbage", phase: phaseResolve, lookup: raw(200, ctJSON, "\x00garbage"), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup truncated", phase: phaseResolve, lookup: raw(200, ctJSON, `{"orders":[{"id":"3PL-6`), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup orders is a string", phase: phaseResolve, lookup: raw(200, ctJSON, `{"orders":"none"}`), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup without orders list", phase: phaseResolve, lookup: raw(200, ctJSON, `{}`), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup order with unknown status", phase: phaseResolve, lookup: lookupOf(restOrder("3PL-6001", targetID, "lost_in_space", "")), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup order without id", phase: phaseResolve, lookup: lookupOf(restOrder("", targetID, "accepted", "")), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup 502 HTML", phase: phaseResolve, lookup: raw(502, "text/html", nginx502), want: store.StateUnknown, wantClass: "unknown", maxDelay: 2 * time.Second, maxPushes: -1, wantLookups: 1},
		{name: "lookup 429 Retry-After 60", phase: phaseResolve, lookup: raw(429, ctJSON, "", "Retry-After", "60"), want: store.StateUnknown, wantClass: "unknown", minDelay: time.Minute, maxDelay: time.Minute, maxPushes: -1, wantLookups: 1},

		// Tracking: a bad status reply leaves the order pushed for the next pass.
		// A status reply that cannot be read, or is about another order,
		// shows in the failed pane until the next read (issue 10 point 7,
		// issue 11 point 5); a transient failure leaves it pushed, saying why.
		{name: "status garbage", phase: phaseTrack, status: raw(200, ctJSON, "]]"), want: store.StateFailed, wantClass: "tracking_unreadable", minDelay: time.Minute, maxDelay: time.Minute, wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status unknown value", phase: phaseTrack, status: raw(200, ctJSON, restOrder("3PL-7001", targetID, "teleported", "")), want: store.StateFailed, wantClass: "tracking_unreadable", minDelay: time.Minute, maxDelay: time.Minute, wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status bad shipped_at", phase: phaseTrack, status: raw(200, ctJSON, `{"id":"3PL-7001","status":"shipped","tracking_number":"1Z999","shipped_at":"last tuesday"}`), want: store.StateFailed, wantClass: "tracking_unreadable", minDelay: time.Minute, maxDelay: time.Minute, wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status about another order", phase: phaseTrack, status: raw(200, ctJSON, restOrder("3PL-7001", "576000000000000999", "shipped", "1ZOTHERBUYER")), want: store.StateFailed, wantClass: "wrong_order", minDelay: time.Minute, maxDelay: time.Minute, wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status 500", phase: phaseTrack, status: raw(500, "", ""), want: store.StatePushed, wantClass: "tracking_failing", wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status 404", phase: phaseTrack, status: raw(404, ctJSON, restErr("not_found", "no such order")), want: store.StateDead, wantClass: "permanent", wantExternalID: "3PL-7001", maxPushes: -1},
		{name: "status cancelled at the 3PL", phase: phaseTrack, status: raw(200, ctJSON, restOrder("3PL-7001", targetID, "cancelled", "")), want: store.StateDead, wantClass: "cancelled_at_3pl", maxPushes: -1},
		{name: "status shipped with tracking (control)", phase: phaseTrack, status: raw(200, ctJSON, restOrder("3PL-7001", targetID, "shipped", "1Z999AA10123456784")), want: store.StateTracking, wantExternalID: "3PL-7001", maxPushes: -1},

		// Cancelling at the 3PL after TikTok cancelled.
		{name: "cancel 409 already_shipped", phase: phaseCancel, cancel: raw(409, ctJSON, restErr("already_shipped", "parcel left the warehouse")), want: store.StateDead, wantClass: anyClass, maxPushes: -1},
		{name: "cancel 200 answering shipped", phase: phaseCancel, cancel: raw(200, ctJSON, restOrder("3PL-7001", targetID, "shipped", "1Z999")), want: store.StateDead, wantClass: anyClass, maxPushes: -1},
		{name: "cancel 500", phase: phaseCancel, cancel: raw(500, ctJSON, restErr("internal", "later")), want: store.StateFailed, wantClass: "cancel", maxDelay: 2 * time.Second, maxPushes: -1},
		{name: "cancel 200 garbage body", phase: phaseCancel, cancel: raw(200, ctJSON, "\x00\x01"), want: store.StateCancelled, maxPushes: -1},
		{name: "cancel dropped after the request", phase: phaseCancel, cancel: resetAfterRead(), want: store.StateFailed, wantClass: "cancel", maxDelay: 2 * time.Second, maxPushes: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			phase := tc.phase
			if phase == "" {
				phase = phasePush
			}
			r := newRig(t)
			r.seedCarrierOrders(phase)
			bystanders := map[string]string{pushedID: r.orderJSONOf(pushedID), deadID: r.orderJSONOf(deadID)}
			before, err := r.st.Order(ctx, targetID)
			if err != nil {
				t.Fatal(err)
			}
			countsBefore, err := r.st.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r.carrier.set(carrierServer(tc.push, tc.lookup, tc.status, tc.cancel))

			if phase == phaseTrack {
				_, err = r.eng.Track(ctx)
			} else {
				_, err = r.eng.PipelineOnce(ctx)
			}
			if err != nil {
				t.Logf("pass reported: %v", err)
			}
			got, err := r.st.Order(ctx, targetID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.want {
				t.Fatalf("order ended %s (%s: %s), want %s", got.State, got.ErrorClass, got.Reason, tc.want)
			}
			if tc.wantClass != anyClass && got.ErrorClass != tc.wantClass {
				t.Errorf("error class %q, want %q (%s)", got.ErrorClass, tc.wantClass, got.Reason)
			}
			if (got.State == store.StateDead || got.State == store.StateFailed || got.State == store.StateUnknown) && got.Reason == "" {
				t.Errorf("%s order has no reason for the operator", got.State)
			}
			if got.State == store.StateFailed || (got.State == store.StateUnknown && tc.maxDelay > 0) {
				delay := got.NextAttemptAt.Sub(r.clock.Now())
				if delay < tc.minDelay || delay > tc.maxDelay {
					t.Errorf("next attempt in %s, want between %s and %s", delay, tc.minDelay, tc.maxDelay)
				}
			}
			if tc.wantExternalID != "" && (got.Push == nil || got.Push.ExternalID != tc.wantExternalID) {
				t.Errorf("3PL id %+v, want %s", got.Push, tc.wantExternalID)
			}
			if got.Push != nil && before.Push != nil && got.Push.IdempotencyKey != before.Push.IdempotencyKey {
				t.Errorf("idempotency key changed from %s to %s", before.Push.IdempotencyKey, got.Push.IdempotencyKey)
			}
			maxPushes := tc.maxPushes
			if maxPushes == 0 {
				maxPushes = 1
			}
			if n := r.carrier.requests("POST /v1/orders"); n > 0 && maxPushes < 0 {
				t.Errorf("%d pushes in a %s pass, want none", n, phase)
			}
			if n := r.carrier.requests("POST /v1/orders"); maxPushes > 0 && n > maxPushes {
				t.Errorf("%d pushes in one pass: a push was resent blindly", n)
			}
			if n := r.carrier.requests("GET /v1/orders"); n != tc.wantLookups {
				t.Errorf("%d lookups, want %d", n, tc.wantLookups)
			}
			for id, want := range bystanders {
				if got := r.orderJSONOf(id); got != want {
					t.Errorf("bystander %s changed:\n  before %s\n  after  %s", id, want, got)
				}
			}
			countsAfter, err := r.st.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			countsBefore.ByState[before.State]--
			countsBefore.ByState[got.State]++
			if !reflect.DeepEqual(countsBefore.ByState, countsAfter.ByState) || countsBefore.Total != countsAfter.Total {
				t.Errorf("counts moved beyond the target: want %+v, got %+v", countsBefore.ByState, countsAfter.ByState)
			}
		})
	}
}
