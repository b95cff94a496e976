package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	gosync "sync"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// webhookRetries is TikTok's redelivery schedule for unacknowledged
// notifications (sim time); after the last one a notification is dropped.
var webhookRetries = []time.Duration{2 * time.Minute, 30 * time.Minute, 3 * time.Hour, 12 * time.Hour}

// webhookTypeOrderStatusChange is ORDER_STATUS_CHANGE's numeric type.
const webhookTypeOrderStatusChange = tiktok.NotifyOrderStatusChange

// webhookSender delivers ORDER_STATUS_CHANGE notifications, signed like
// TikTok's (Authorization: hex HMAC-SHA256(app_secret, app_key + body)).
type webhookSender struct {
	mu        gosync.Mutex
	url       string
	appKey    string
	appSecret string
	seed      int64
	seq       uint64
	queue     []pendingHook
	client    *http.Client
	counters  *marketCounters
	// legacy sends the older payload format, without tts_notification_id.
	legacy bool
}

type pendingHook struct {
	body    []byte
	attempt int
	due     time.Time
}

// webhookStatus is the status as the webhook spells it: TikTok's
// notifications say CANCEL where the order API says CANCELLED.
func webhookStatus(s string) string {
	if s == StatusCancelled {
		return "CANCEL"
	}
	return s
}

// enqueue is the order book's change hook (called with the book locked).
func (s *webhookSender) enqueue(o *simOrder, at time.Time) {
	s.enqueueType(webhookTypeOrderStatusChange, tiktok.OrderStatusChange{
		OrderID: o.full.ID, OrderStatus: webhookStatus(o.full.Status),
		IsOnHoldOrder: o.full.IsOnHoldOrder, UpdateTime: o.full.UpdateTime,
	}, at)
}

// enqueueType queues a notification of any type with its data.
func (s *webhookSender) enqueueType(typ int, data any, at time.Time) {
	raw, _ := json.Marshal(data)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	n := tiktok.Notification{Type: typ, ShopID: simShopID, Timestamp: at.Unix(), Data: raw}
	if !s.legacy {
		n.NotificationID = "7" + fmt.Sprintf("%018d", s.seq*7919+uint64(s.seed&0xffff))
	}
	body, _ := json.Marshal(n)
	s.queue = append(s.queue, pendingHook{body: body, due: at})
}

// takeDue removes and returns the notifications due by now, oldest first.
func (s *webhookSender) takeDue(now time.Time) []pendingHook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due, rest []pendingHook
	for _, h := range s.queue {
		if h.due.After(now) {
			rest = append(rest, h)
		} else {
			due = append(due, h)
		}
	}
	s.queue = rest
	return due
}

func (s *webhookSender) retry(h pendingHook, now time.Time) {
	if h.attempt >= len(webhookRetries) {
		return // dropped, as TikTok does after the last retry
	}
	h.due = now.Add(webhookRetries[h.attempt])
	h.attempt++
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, h)
}

// deliver posts the due notifications and reports how many were accepted.
func (s *webhookSender) deliver(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	var firstErr error
	for _, h := range s.takeDue(now) {
		err := s.post(ctx, h.body)
		s.counters.update(func(c *MarketplaceCounters) {
			if err != nil {
				c.WebhooksFailed++
			} else {
				c.WebhooksSent++
			}
		})
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			s.retry(h, now)
			continue
		}
		sent++
	}
	return sent, firstErr
}

func (s *webhookSender) post(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", tiktok.WebhookSignature(s.appKey, s.appSecret, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("deliver webhook: receiver answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// pending is how many notifications wait for delivery or a retry.
func (s *webhookSender) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// notifyLocked sends a notification other than a status change through
// the book's hook (the caller holds the book's lock).
func (b *orderBook) notifyLocked(typ int, data any, at time.Time) {
	if b.onNotify != nil {
		b.onNotify(typ, data, at)
	}
}

// requestCancel is the buyer asking to cancel: is_buyer_request_cancel
// turns true and TikTok sends CANCELLATION_STATUS_CHANGE (type 11) with
// CANCELLATION_REQUEST_PENDING.
func (b *orderBook) requestCancel(o *simOrder, at time.Time) {
	o.full.IsBuyerRequestCancel = true
	b.touch(o, at)
	b.notifyLocked(tiktok.NotifyCancellationStatusChange, tiktok.CancellationStatusChange{
		OrderID: o.full.ID, CancellationsRole: "BUYER", CancelStatus: "CANCELLATION_REQUEST_PENDING",
		CancelID: "58" + o.full.ID[2:], CreateTime: at.Unix(),
	}, at)
}
