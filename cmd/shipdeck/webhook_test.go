package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

func TestWebhookVerifiesDedupsAndFetches(t *testing.T) {
	ctx := context.Background()
	a, err := openApp(ctx, flags{Data: t.TempDir(), Speed: 1}, appOptions{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, err := a.webhookHandler()
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := a.secret("shop.app_secret_env", a.cfg.Shop.AppSecretEnv)
	orders := a.sim.Orders()
	if len(orders) == 0 {
		t.Fatal("the demo simulator has no orders")
	}
	id := orders[0].ID
	body := fmt.Sprintf(`{"type":1,"tts_notification_id":"n-1","shop_id":"s","timestamp":%d,"data":{"order_id":%q,"order_status":"AWAITING_SHIPMENT","update_time":%d}}`,
		a.now().Unix(), id, a.now().Unix())
	post := func(sig, body string) int {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Authorization", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	good := tiktok.WebhookSignature(a.cfg.Shop.AppKey, secret, []byte(body))
	tests := []struct {
		name string
		sig  string
		body string
		want int
	}{
		{"bad signature", strings.Repeat("0", 64), body, http.StatusUnauthorized},
		{"tampered body", good, strings.Replace(body, "n-1", "n-2", 1), http.StatusUnauthorized},
		{"signed", good, body, http.StatusOK},
		{"duplicate is acknowledged", good, body, http.StatusOK},
		{"not JSON", tiktok.WebhookSignature(a.cfg.Shop.AppKey, secret, []byte("nope")), "nope", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got := post(tt.sig, tt.body); got != tt.want {
			t.Errorf("%s: HTTP %d, want %d", tt.name, got, tt.want)
		}
	}
	// The verified notification is remembered, so its duplicate was dropped
	// on purpose; the tampered one (n-2) left no trace.
	for _, n := range []struct {
		id   string
		seen bool
	}{{"n-1", true}, {"n-2", false}} {
		var seen bool
		err := a.st.Update(ctx, func(tx *store.Tx) error {
			var err error
			seen, err = tx.SeenNotification(n.id, a.now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if seen != n.seen {
			t.Errorf("notification %s remembered = %v, want %v", n.id, seen, n.seen)
		}
	}
	// The verified notification triggers a targeted detail fetch (polling
	// uses search; only a webhook asks for order detail).
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.eng.Run(wctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	for a.sim.Counters().Marketplace.Calls[sim.EndpointDetail] == 0 {
		if wctx.Err() != nil {
			t.Fatalf("the webhook for order %s never triggered a detail fetch", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		if _, err := a.st.Order(ctx, id); err == nil {
			return
		}
		if wctx.Err() != nil {
			t.Fatalf("order %s named by the webhook was never stored", id)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
