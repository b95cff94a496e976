package sync_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/backoff"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// receiver is a webhook endpoint wired as cmd wires it: TikTok's
// signature checked, deduplicated in the store, handed to the engine.
type receiver struct {
	srv  *httptest.Server
	mu   gosync.Mutex
	eng  *shipsync.Engine
	v    *tiktok.Verifier
	last []byte // the last body accepted, to replay a redelivery
	dups int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// wire points the receiver at the world's engine and store.
func (r *receiver) wire(w *world) {
	shop := w.sim.Shop()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.eng = w.eng
	r.v = &tiktok.Verifier{AppKey: shop.AppKey, AppSecret: shop.AppSecret, Now: w.clock.Now,
		Seen: func(ctx context.Context, id string) (bool, error) {
			var seen bool
			err := w.st.Update(ctx, func(tx *store.Tx) error {
				var err error
				seen, err = tx.SeenNotification(id, w.clock.Now())
				return err
			})
			return seen, err
		}}
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	v, eng := r.v, r.eng
	r.mu.Unlock()
	n, err := v.Verify(req.Context(), req.Header.Get("Authorization"), body)
	switch {
	case errors.Is(err, tiktok.ErrDuplicate):
		r.mu.Lock()
		r.dups++
		r.mu.Unlock()
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.last = body
	r.mu.Unlock()
	if err := eng.HandleNotification(req.Context(), n); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// redeliver posts the last accepted body again, as TikTok's retry does.
func (r *receiver) redeliver(t *testing.T, appKey, secret string) {
	r.mu.Lock()
	body := r.last
	r.mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL, bytes.NewReader(body))
	req.Header.Set("Authorization", tiktok.WebhookSignature(appKey, secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("redelivery answered HTTP %d", resp.StatusCode)
	}
}

// eventually waits (up to 15 s of real time) for cond; the engine acts on
// webhooks in its own goroutine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookTypesDriveTheEngine delivers the simulator's notifications of
// every type shipdeck acts on, in TikTok's older format without
// tts_notification_id, to a running engine whose poller is waiting a
// whole backoff: each one takes effect within seconds, and a redelivery of
// the same bytes is dropped on the body's hash.
func TestWebhookTypesDriveTheEngine(t *testing.T) {
	ctx := context.Background()
	rcv := newReceiver(t)
	// The poller's backoff after a failed poll is an hour or more, so
	// anything fetched during the test was fetched because of a webhook.
	w := newWorld(t, worldOptions{ordersPerDay: 600, history: 3 * time.Hour,
		backoff: backoff.Policy{Base: time.Hour, Cap: 2 * time.Hour},
		simOpts: func(o *sim.Options) { o.WebhookURL = rcv.srv.URL; o.LegacyWebhooks = true }})
	defer w.close()
	rcv.wire(w)
	w.cycle(ctx)
	if _, err := w.sim.SendWebhooks(ctx); err != nil { // the backlog, already polled
		t.Fatal(err)
	}
	// Polls fail from now on: the poller's first poll (due, a minute after
	// the last) fails and it backs off for an hour.
	w.clock.Advance(2 * time.Minute)
	w.sim.InjectFault(sim.Fault{Endpoint: sim.EndpointSearch, Kind: sim.FaultServerError, Count: 1000})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.eng.Run(runCtx) }()
	defer func() { stop(); <-done }()
	eventually(t, "the poll failed and the worker backs off", func() bool {
		w.eng.Refresh(ctx)
		return w.eng.Snapshot().Worker.State == store.WorkerDegraded
	})
	shop := w.sim.Shop()

	// 3 RECIPIENT_ADDRESS_UPDATE on an order a 3PL already holds.
	var atCarrier store.Order
	_ = w.st.ScanOrders(ctx, func(o store.Order) bool {
		if o.State == store.StatePushed && o.Status == store.StatusAwaitingShipment && !o.Recipient.Masked {
			atCarrier = o
			return false
		}
		return true
	})
	if atCarrier.ID == "" || !w.sim.ChangeAddress(atCarrier.ID, "500 Changed Ave") {
		t.Fatal("no order at a 3PL whose address the buyer could change")
	}
	if _, err := w.sim.SendWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the address change flagged on the order", func() bool {
		o, _ := w.st.Order(ctx, atCarrier.ID)
		return strings.Contains(o.Reason, "address changed on TikTok after the order reached")
	})
	o, _ := w.st.Order(ctx, atCarrier.ID)
	if !strings.Contains(o.Reason, atCarrier.Recipient.Lines[0]) || !strings.Contains(o.Reason, "500 Changed Ave") || len(o.Warnings) == 0 || o.State != store.StatePushed {
		t.Errorf("address flag: %s %q warnings %v; want the old and new address named, the order left at its 3PL", o.State, o.Reason, o.Warnings)
	}
	_, _, audit, _ := w.st.OrderDetail(ctx, atCarrier.ID)
	if len(audit) == 0 || audit[len(audit)-1].Action != "address_changed" || !strings.Contains(audit[len(audit)-1].After, "500 Changed Ave") {
		t.Errorf("audit trail %+v lacks the address change", audit)
	}

	// A redelivery of the same bytes (no id: deduplicated on the hash).
	rcv.redeliver(t, shop.AppKey, shop.AppSecret)
	if rcv.dups != 1 {
		t.Errorf("redelivery: %d duplicates dropped, want 1", rcv.dups)
	}

	// Orders the engine has not polled yet: an hour of arrivals.
	w.clock.Advance(time.Hour)
	var split, cancel string
	for _, so := range w.sim.Orders() {
		if _, err := w.st.Order(ctx, so.ID); err == nil || so.Status != sim.StatusAwaitingShipment {
			continue
		}
		switch {
		case split == "" && len(so.LineItems) >= 2:
			if _, ok := w.sim.SplitOrder(so.ID); ok {
				split = so.ID
			}
		case cancel == "":
			if w.sim.RequestCancel(so.ID) {
				cancel = so.ID
			}
		}
	}
	if split == "" || cancel == "" {
		t.Fatalf("no new orders to split (%q) and to cancel (%q)", split, cancel)
	}
	if _, err := w.sim.SendWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	// 4 PACKAGE_UPDATE: the split order is fetched with both packages.
	eventually(t, "the split order stored with two packages", func() bool {
		o, err := w.st.Order(ctx, split)
		return err == nil && len(o.Packages) == 2
	})
	// 11 CANCELLATION_STATUS_CHANGE: the pending request holds the push.
	eventually(t, "the order with a pending cancel request stored", func() bool {
		_, err := w.st.Order(ctx, cancel)
		return err == nil
	})
	o, _ = w.st.Order(ctx, cancel)
	if !o.BuyerRequestCancel || o.State != store.StateNew || !strings.Contains(o.Reason, "buyer asked to cancel") || o.Push != nil {
		t.Errorf("pending cancel request: %s %q push %v; want held as new with the reason, never pushed", o.State, o.Reason, o.Push)
	}

	// 7 UPCOMING_AUTHORIZATION_EXPIRATION: a header warning with the date.
	expires := w.clock.Now().Add(20 * 24 * time.Hour)
	w.sim.WarnAuthorizationExpiry(expires)
	if _, err := w.sim.SendWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the header warns of the expiry", func() bool {
		w.eng.Refresh(ctx)
		return strings.Contains(w.eng.Snapshot().Worker.Warning, expires.UTC().Format("2006-01-02"))
	})

	// 6 SELLER_DEAUTHORIZATION: the worker is degraded with that reason.
	w.sim.Deauthorize()
	if _, err := w.sim.SendWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the worker degraded for the deauthorization", func() bool {
		w.eng.Refresh(ctx)
		s := w.eng.Snapshot().Worker
		return s.State == store.WorkerDegraded && strings.Contains(s.Reason, "the seller deauthorized shipdeck on TikTok")
	})
	if sh, _ := w.st.Shop(ctx); sh.DeauthorizedAt.IsZero() {
		t.Error("the deauthorization is not kept in the store")
	}
	if n := w.sim.Counters().Marketplace.Calls[sim.EndpointSearch]; n > 3 {
		t.Errorf("%d searches: the poller did not back off", n)
	}
}
