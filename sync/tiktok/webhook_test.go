package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// The official docs vector (tts-webhooks-overview).
const (
	vectorAppKey    = "abcdef"
	vectorAppSecret = "123"
	vectorBody      = `{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507","timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178","order_status":"UNPAID","update_time":1718305585}}`
	vectorSignature = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"
)

// memorySeen is an in-memory dedup set.
type memorySeen struct {
	mu  gosync.Mutex
	ids map[string]bool
	err error
}

func (m *memorySeen) Seen(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.ids == nil {
		m.ids = map[string]bool{}
	}
	seen := m.ids[id]
	m.ids[id] = true
	return seen, nil
}

func vectorVerifier(now time.Time, seen *memorySeen) *Verifier {
	return &Verifier{AppKey: vectorAppKey, AppSecret: vectorAppSecret,
		Now: func() time.Time { return now }, Seen: seen.Seen}
}

// signed builds a notification body and its signature for the vector app.
func signed(t *testing.T, n Notification) (string, []byte) {
	t.Helper()
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return WebhookSignature(vectorAppKey, vectorAppSecret, body), body
}

func TestVerifyOfficialVector(t *testing.T) {
	v := vectorVerifier(testT0.Add(time.Minute), &memorySeen{})
	n, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody))
	if err != nil {
		t.Fatalf("Verify(official vector) = %v", err)
	}
	if n.Type != 1 || n.NotificationID != "7380066284010030890" || n.ShopID != "7495540735365777507" || n.Timestamp != 1718305585 {
		t.Errorf("notification = %+v", n)
	}
	var change OrderStatusChange
	if err := json.Unmarshal(n.Data, &change); err != nil || change.OrderID != "576653688135258178" ||
		change.OrderStatus != "UNPAID" || !change.IsOnHoldOrder {
		t.Errorf("data = %+v, %v", change, err)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := testT0.Add(time.Minute)
	base := Notification{Type: 1, NotificationID: "7380066284010030891", ShopID: "7495540735365777507",
		Timestamp: testT0.Unix(), Data: json.RawMessage(`{"order_id":"576653688135258178","order_status":"AWAITING_SHIPMENT","update_time":1718305585}`)}
	stale := base
	stale.Timestamp = now.Add(-25 * time.Hour).Unix()
	future := base
	future.Timestamp = now.Add(10 * time.Minute).Unix()
	slightlyAhead := base
	slightlyAhead.Timestamp = now.Add(time.Minute).Unix()
	noID := base
	noID.NotificationID = ""
	noTime := base
	noTime.Timestamp = 0

	sig := func(n Notification) (string, []byte) { return signed(t, n) }
	tests := []struct {
		name string
		make func() (string, []byte)
		want error
	}{
		{"valid", func() (string, []byte) { return sig(base) }, nil},
		{"upper-case hex is the same signature", func() (string, []byte) {
			s, b := sig(base)
			return strings.ToUpper(s), b
		}, nil},
		{"within the future allowance", func() (string, []byte) { return sig(slightlyAhead) }, nil},
		{"tampered body", func() (string, []byte) {
			s, b := sig(base)
			return s, []byte(strings.Replace(string(b), "AWAITING_SHIPMENT", "CANCELLED", 1))
		}, ErrBadSignature},
		{"signature of another app", func() (string, []byte) {
			_, b := sig(base)
			return WebhookSignature("other", vectorAppSecret, b), b
		}, ErrBadSignature},
		{"empty authorization", func() (string, []byte) { _, b := sig(base); return "", b }, ErrBadSignature},
		{"Bearer prefix is not TikTok's format", func() (string, []byte) { s, b := sig(base); return "Bearer " + s, b }, ErrBadSignature},
		{"truncated signature", func() (string, []byte) { s, b := sig(base); return s[:32], b }, ErrBadSignature},
		{"stale timestamp", func() (string, []byte) { return sig(stale) }, ErrStale},
		{"timestamp far in the future", func() (string, []byte) { return sig(future) }, ErrStale},
		{"no notification id (older format) is accepted", func() (string, []byte) { return sig(noID) }, nil},
		{"no timestamp", func() (string, []byte) { return sig(noTime) }, ErrMalformed},
		{"signed garbage", func() (string, []byte) {
			b := []byte(`{"type":1,"tts_notification_id":`)
			return WebhookSignature(vectorAppKey, vectorAppSecret, b), b
		}, ErrMalformed},
		{"too large", func() (string, []byte) {
			b := []byte(`{"pad":"` + strings.Repeat("x", int(DefaultWebhookMaxBody)) + `"}`)
			return WebhookSignature(vectorAppKey, vectorAppSecret, b), b
		}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := vectorVerifier(now, &memorySeen{})
			auth, body := tt.make()
			_, err := v.Verify(context.Background(), auth, body)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyDeduplicates(t *testing.T) {
	seen := &memorySeen{}
	v := vectorVerifier(testT0, seen)
	if _, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody)); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	n, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody))
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("redelivery = %v, want ErrDuplicate", err)
	}
	if n.NotificationID != "7380066284010030890" {
		t.Errorf("duplicate did not return the notification: %+v", n)
	}

	broken := &memorySeen{err: errors.New("store closed")}
	_, err = vectorVerifier(testT0, broken).Verify(context.Background(), vectorSignature, []byte(vectorBody))
	if err == nil || errors.Is(err, ErrDuplicate) || !strings.Contains(err.Error(), "store closed") {
		t.Errorf("dedup failure = %v, want the store error (so TikTok redelivers)", err)
	}
}

func TestVerifyNeedsCredentials(t *testing.T) {
	v := &Verifier{AppKey: vectorAppKey}
	if _, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody)); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("Verify without secret = %v", err)
	}
}

func TestVerifyCustomLimits(t *testing.T) {
	v := vectorVerifier(testT0.Add(2*time.Hour), &memorySeen{})
	v.Window = time.Hour
	if _, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody)); !errors.Is(err, ErrStale) {
		t.Errorf("2h-old notification with a 1h window = %v, want ErrStale", err)
	}
	v = vectorVerifier(testT0, &memorySeen{})
	v.MaxBody = 100
	if _, err := v.Verify(context.Background(), vectorSignature, []byte(vectorBody)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("body over a 100-byte limit = %v, want ErrTooLarge", err)
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		max     int64
		dropLen bool
		want    error
	}{
		{"fits", vectorBody, 1024, false, nil},
		{"exactly the limit", "abcd", 4, false, nil},
		{"declared too large", strings.Repeat("x", 100), 10, false, ErrTooLarge},
		{"streamed too large", strings.Repeat("x", 100), 10, true, ErrTooLarge},
		{"default limit", vectorBody, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/webhooks/tiktok", strings.NewReader(tt.body))
			if tt.dropLen {
				r.ContentLength = -1
			}
			got, err := ReadBody(r, tt.max)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("ReadBody = %v, want %v", err, tt.want)
			}
			if tt.want == nil && string(got) != tt.body {
				t.Errorf("body = %q", got)
			}
		})
	}
}

// TestVerifyDedupesOnBodyHashWithoutNotificationID drives the older
// payload format (no tts_notification_id; EcomPHP tests/WebhookTest.php's
// sample): a redelivery of the same bytes is a duplicate, a different
// notification is not.
func TestVerifyDedupesOnBodyHashWithoutNotificationID(t *testing.T) {
	old := []byte(`{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}`)
	other := []byte(`{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":"576684019603311366","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}`)
	v := vectorVerifier(time.Unix(1664095800, 0), &memorySeen{})
	ctx := context.Background()
	n, err := v.Verify(ctx, WebhookSignature(vectorAppKey, vectorAppSecret, old), old)
	if err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if n.NotificationID != BodyID(old) || !strings.HasPrefix(n.NotificationID, "body-") {
		t.Fatalf("notification id = %q, want the body hash %q", n.NotificationID, BodyID(old))
	}
	if _, err := v.Verify(ctx, WebhookSignature(vectorAppKey, vectorAppSecret, old), old); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("redelivery: err = %v, want ErrDuplicate", err)
	}
	if _, err := v.Verify(ctx, WebhookSignature(vectorAppKey, vectorAppSecret, other), other); err != nil {
		t.Fatalf("another notification without id: %v", err)
	}
}
