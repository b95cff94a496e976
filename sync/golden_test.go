package sync_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// golden reads a payload from testdata/tiktok.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tiktok", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureCall is one request the fixture TikTok received.
type fixtureCall struct {
	method, path, cipher, ids string
	body                      []byte
}

// fixtureTikTok answers TikTok's paths with the golden replies and
// records what it was asked.
type fixtureTikTok struct {
	t     *testing.T
	srv   *httptest.Server
	shops string // which shops fixture Get Authorized Shops replies with
	mu    gosync.Mutex
	calls []fixtureCall
}

func newFixtureTikTok(t *testing.T, shops string) *fixtureTikTok {
	f := &fixtureTikTok{t: t, shops: shops}
	mux := http.NewServeMux()
	reply := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			f.record(r)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(golden(t, name))
		}
	}
	mux.HandleFunc("GET /authorization/202309/shops", func(w http.ResponseWriter, r *http.Request) { reply(f.shops)(w, r) })
	mux.HandleFunc("POST /order/202309/orders/search", reply("search_local_seller.json"))
	mux.HandleFunc("GET /order/202309/orders", reply("order_detail_local_seller.json"))
	mux.HandleFunc("POST /fulfillment/202309/orders/{order_id}/packages", reply("mark_package_as_shipped.json"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.record(r)
		t.Errorf("unexpected TikTok call %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixtureTikTok) record(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fixtureCall{method: r.Method, path: r.URL.Path, cipher: r.URL.Query().Get("shop_cipher"),
		ids: r.URL.Query().Get("ids"), body: body})
}

// called lists the calls to path so far.
func (f *fixtureTikTok) called(path string) []fixtureCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fixtureCall
	for _, c := range f.calls {
		if c.path == path {
			out = append(out, c)
		}
	}
	return out
}

// goldenEngine wires an engine, on a real store, to the fixture TikTok
// (with no shop_cipher configured) and one fake 3PL.
func goldenEngine(t *testing.T, f *fixtureTikTok, clk *stepClock) (*shipsync.Engine, *store.Store, *fakeCarrier) {
	t.Helper()
	st := openStore(t, clk.Now)
	tt, err := tiktok.New(tiktok.Config{BaseURL: f.srv.URL, AppKey: "abcdef", AppSecret: "123", AccessToken: "TTP_golden", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFake("swift", restCaps)
	router, err := route.New([]route.Rule{{Name: "all", Carrier: "swift"}}, []route.CarrierInfo{{Name: "swift", TransitDays: 2}}, "swift")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := shipsync.New(shipsync.Config{Seed: 1}, shipsync.Deps{Store: st, Marketplace: tt, Planner: fakePlanner{},
		Router: router, Carriers: []shipsync.Carrier{{Carrier: fc, MaxInFlight: 2, ProviderID: "7117858858072016686"}}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return eng, st, fc
}

// TestGoldenShopsAndMarkPackageAsShipped drives TikTok's documented
// payloads through the engine: the shop list gives the cipher (kept in
// the store, sent on every shop-scoped call); the package-less US order is
// pushed, tracked and written back with Mark Package As Shipped, keeping
// the package id and the warning TikTok returns.
func TestGoldenShopsAndMarkPackageAsShipped(t *testing.T) {
	ctx := context.Background()
	f := newFixtureTikTok(t, "shops_one.json")
	clk := &stepClock{t: time.Unix(1718305700, 0).UTC()} // an hour and more after the order was paid
	eng, st, fc := goldenEngine(t, f, clk)

	if _, err := eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	sh, _ := st.Shop(ctx)
	if sh.ID != "7495540735365777507" || sh.Name != "Harbor Lane Books" || sh.Region != "US" || sh.Cipher != "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3" {
		t.Fatalf("stored shop %+v, want the one in shops_one.json", sh)
	}
	for _, c := range f.called("/order/202309/orders/search") {
		if c.cipher != sh.Cipher {
			t.Errorf("search sent shop_cipher %q, want %q", c.cipher, sh.Cipher)
		}
	}
	if c := f.called("/authorization/202309/shops"); len(c) != 1 || c[0].cipher != "" {
		t.Errorf("Get Authorized Shops calls %+v; want one, without shop_cipher", c)
	}
	const id = "576653688135258178"
	o, err := st.Order(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Packages) != 0 || o.Recipient.City != "Austin" || o.Status != store.StatusAwaitingShipment {
		t.Fatalf("stored order: packages %v, city %q, status %s", o.Packages, o.Recipient.City, o.Status)
	}

	if _, err := eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ = st.Order(ctx, id)
	if o.State != store.StatePushed {
		t.Fatalf("after the pipeline: %s %q, want pushed", o.State, o.Reason)
	}
	fc.ship(id, "9400111899223344556677")
	if _, err := eng.Track(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PipelineOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o, _ = st.Order(ctx, id)
	marks := f.called("/fulfillment/202309/orders/" + id + "/packages")
	if len(marks) != 1 {
		t.Fatalf("%d Mark Package As Shipped calls, want 1", len(marks))
	}
	var body tiktok.MarkShippedRequest
	if err := json.Unmarshal(marks[0].body, &body); err != nil {
		t.Fatal(err)
	}
	if body.TrackingNumber != "9400111899223344556677" || body.ShippingProviderID != "7117858858072016686" || marks[0].cipher != sh.Cipher {
		t.Errorf("Mark Package As Shipped sent %+v with cipher %q", body, marks[0].cipher)
	}
	if o.State != store.StateShipped || len(o.Packages) != 1 || o.Packages[0].ID != "1153132168123859123" ||
		!slices.ContainsFunc(o.Warnings, func(w string) bool { return strings.Contains(w, "does not match the format") }) {
		t.Fatalf("after the write-back: %s, packages %v, warnings %v; want shipped with TikTok's package and warning", o.State, o.Packages, o.Warnings)
	}
}

// TestGoldenSeveralShopsNeedShopID: the two-shop reply without
// [shop] shop_id stops with an error naming both shops; nothing is polled.
func TestGoldenSeveralShopsNeedShopID(t *testing.T) {
	f := newFixtureTikTok(t, "shops_several.json")
	eng, st, _ := goldenEngine(t, f, &stepClock{t: time.Unix(1718305700, 0).UTC()})
	_, err := eng.Poll(context.Background())
	for _, want := range []string{"2 shops authorized this app; set [shop] shop_id",
		"7495540735365777507 (Harbor Lane Books, US)", "7000714532876273420 (Harbor Lane Books UK, GB)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("poll error %v does not say %q", err, want)
		}
	}
	if sh, _ := st.Shop(context.Background()); sh.Cipher != "" || len(f.called("/order/202309/orders/search")) != 0 {
		t.Errorf("without a shop choice: stored %+v and %d searches", sh, len(f.called("/order/202309/orders/search")))
	}
}

// TestGoldenWebhooks decodes each documented notification, verifies the
// signed ones as the receiver does, and hands it to a running engine:
// order notifications fetch the orders they name, 6 degrades the worker
// with the reason, 7 puts the expiry date in the header.
func TestGoldenWebhooks(t *testing.T) {
	// TikTok's own sample verifies with its documented key and signature.
	vector := golden(t, "webhook_1_order_status_change.json")
	v := &tiktok.Verifier{AppKey: "abcdef", AppSecret: "123", Now: func() time.Time { return time.Unix(1718305600, 0) }}
	if _, err := v.Verify(context.Background(), "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05", vector); err != nil {
		t.Fatalf("TikTok's signed sample does not verify: %v", err)
	}
	legacy := golden(t, "webhook_legacy_no_id.json")
	lv := &tiktok.Verifier{AppKey: "fake_app_key", AppSecret: "fake_app_secret", Now: func() time.Time { return time.Unix(1664095800, 0) }}
	ln, err := lv.Verify(context.Background(), tiktok.WebhookSignature("fake_app_key", "fake_app_secret", legacy), legacy)
	if err != nil || ln.NotificationID != tiktok.BodyID(legacy) {
		t.Fatalf("older payload: id %q, %v; want its body hash", ln.NotificationID, err)
	}

	tests := []struct {
		file      string
		fetches   string // the ids the order detail call asks for
		reason    string // in the worker's degraded reason
		warning   string // in the header warning
		wantState store.WorkerState
	}{
		{file: "webhook_1_order_status_change.json", fetches: "576653688135258178"},
		{file: "webhook_3_recipient_address_update.json", fetches: "576653688135258178"},
		{file: "webhook_4_package_update.json", fetches: "576653688135258178"},
		{file: "webhook_11_cancellation_status_change.json", fetches: "576653688135258179"},
		{file: "webhook_legacy_no_id.json", fetches: "576684019603311365"},
		{file: "webhook_7_upcoming_authorization_expiration.json", warning: "TikTok authorization expires 2024-07-13"},
		{file: "webhook_6_seller_deauthorization.json", reason: "the seller deauthorized shipdeck on TikTok", wantState: store.WorkerDegraded},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ctx := context.Background()
			f := newFixtureTikTok(t, "shops_one.json")
			clk := &stepClock{t: time.Unix(1718305700, 0).UTC()}
			eng, st, _ := goldenEngine(t, f, clk)
			if _, err := eng.Poll(ctx); err != nil { // the poller then sleeps an hour (fakePlanner)
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- eng.Run(runCtx) }()
			defer func() { stop(); <-done }()

			var n tiktok.Notification
			if err := json.Unmarshal(golden(t, tt.file), &n); err != nil {
				t.Fatalf("decode %s: %v", tt.file, err)
			}
			if err := eng.HandleNotification(ctx, n); err != nil {
				t.Fatal(err)
			}
			if tt.fetches != "" {
				eventually(t, "order detail fetched for "+tt.fetches, func() bool {
					return slices.ContainsFunc(f.called("/order/202309/orders"), func(c fixtureCall) bool { return c.ids == tt.fetches })
				})
				return
			}
			eventually(t, "the worker status shows the notice", func() bool {
				eng.Refresh(ctx)
				w := eng.Snapshot().Worker
				return strings.Contains(w.Reason, tt.reason) && strings.Contains(w.Warning, tt.warning) &&
					(tt.wantState == "" || w.State == tt.wantState)
			})
			sh, _ := st.Shop(ctx)
			if tt.reason != "" && (sh.DeauthorizedAt.IsZero() || sh.DeauthMessage != "The seller has deauthorized the app.") {
				t.Errorf("stored shop %+v lacks the deauthorization", sh)
			}
			if tt.warning != "" && !sh.AuthExpiresAt.Equal(time.Unix(1720897630, 0)) {
				t.Errorf("stored expiry %s, want the notice's", sh.AuthExpiresAt)
			}
		})
	}
}
