package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// hookReceiver verifies and records webhook deliveries.
type hookReceiver struct {
	mu       gosync.Mutex
	appKey   string
	secret   string
	fail     bool
	got      []tiktok.OrderStatusChange
	ids      map[string]bool
	badSigns int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get("Authorization") != tiktok.WebhookSignature(h.appKey, h.secret, body) {
		h.badSigns++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if h.fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var n tiktok.Notification
	var d tiktok.OrderStatusChange
	if json.Unmarshal(body, &n) != nil || json.Unmarshal(n.Data, &d) != nil || n.Type != 1 || n.NotificationID == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if h.ids[n.NotificationID] {
		w.WriteHeader(http.StatusConflict)
		return
	}
	h.ids[n.NotificationID] = true
	h.got = append(h.got, d)
}

func TestWebhooksAreSignedAndRetried(t *testing.T) {
	recv := &hookReceiver{ids: map[string]bool{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	s, clock := startSim(t, Options{Seed: 12, OrdersPerDay: 2000, WebhookURL: srv.URL})
	recv.appKey, recv.secret = s.Shop().AppKey, s.Shop().AppSecret

	clock.Advance(30 * time.Minute)
	sent, err := s.SendWebhooks(context.Background())
	if err != nil || sent == 0 {
		t.Fatalf("first delivery: sent %d: %v", sent, err)
	}
	recv.mu.Lock()
	statuses := map[string]int{}
	for _, d := range recv.got {
		statuses[d.OrderStatus]++
	}
	bad := recv.badSigns
	recv.mu.Unlock()
	if bad != 0 || statuses[StatusUnpaid] == 0 || statuses[StatusAwaitingShipment] == 0 {
		t.Fatalf("bad signatures %d, statuses %v", bad, statuses)
	}

	// The receiver goes down: nothing is lost, delivery is retried 2 min later.
	recv.mu.Lock()
	recv.fail = true
	recv.mu.Unlock()
	clock.Advance(10 * time.Minute)
	if sent, err := s.SendWebhooks(context.Background()); sent != 0 || err == nil {
		t.Fatalf("delivery to a failing receiver: sent %d err %v", sent, err)
	}
	pending := s.PendingWebhooks()
	if pending == 0 {
		t.Fatal("failed notifications were dropped at once")
	}
	recv.mu.Lock()
	recv.fail = false
	recv.mu.Unlock()
	clock.Advance(time.Minute)
	if sent, _ := s.SendWebhooks(context.Background()); sent == pending {
		t.Fatal("retries went out before TikTok's 2-minute delay")
	}
	clock.Advance(time.Minute)
	if _, err := s.SendWebhooks(context.Background()); err != nil || s.PendingWebhooks() != 0 {
		t.Fatalf("after the retry delay: pending %d: %v", s.PendingWebhooks(), err)
	}
	c := s.Counters().Marketplace
	if c.WebhooksFailed != pending || c.WebhooksSent == 0 {
		t.Fatalf("webhook counters sent %d failed %d (pending was %d)", c.WebhooksSent, c.WebhooksFailed, pending)
	}
}

func TestWebhookSpellsCancelledAsCancel(t *testing.T) {
	if webhookStatus(StatusCancelled) != "CANCEL" || webhookStatus(StatusOnHold) != StatusOnHold {
		t.Fatal("webhook status spelling")
	}
}
